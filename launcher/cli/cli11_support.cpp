#include "cli11_support.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <vector>

#include "pycache/exit_code.hpp"
#include "pycache/log.hpp"
#include "pycache/text.hpp"

namespace pycache::cli {

std::unique_ptr<CLI::App> make_app(std::string_view name, std::string_view description) {
  auto app = std::make_unique<CLI::App>(std::string(description), "pycache " + std::string(name));
  app->get_formatter()->column_width(30);
  app->option_defaults()->always_capture_default(false);
  return app;
}

std::optional<int> parse(CLI::App& app, Args args) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    log().error("{} (see '{} --help')", e.what(), app.get_name());
    return kExitUsage;
  }
  return std::nullopt;
}

CLI::Validator non_empty() {
  return CLI::Validator([](std::string& value) { return value.empty() ? std::string("expected a value, got ''") : ""; },
                        "");
}

CLI::Option* add_jobs(CLI::App& app, unsigned& jobs, const std::string& help) {
  return app.add_option("-j,--jobs", jobs, help)
      ->type_name("N")
      ->check(CLI::Validator(
          [](std::string& value) {
            unsigned n = 0;
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (ec == std::errc() && end == value.data() + value.size() && n >= 1 && n <= kMaxJobs) return std::string();
            return fmt::format("expected a number from 1 to {}, got '{}'", kMaxJobs, printable(value));
          },
          ""));
}

}  // namespace pycache::cli
