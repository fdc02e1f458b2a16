#include "cli11_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <vector>

#include "pycache/exit_code.hpp"
#include "pycache/log.hpp"
#include "pycache/text.hpp"
#include "help.hpp"

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
    std::string name = app.get_name();
    if (name.starts_with("pycache ")) name.erase(0, 8);
    const Command* c = find_command(name);
    std::fputs(c ? format_help(*c).c_str() : app.help().c_str(), stdout);
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

CommandDoc doc_from_app(const CLI::App& app, std::string usage) {
  CommandDoc doc;
  doc.usage = std::move(usage);
  doc.description = app.get_description();
  doc.footer = app.get_footer();
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_group().empty()) continue;  // hidden
    OptionDoc d;
    d.positional = o->get_positional();
    if (d.positional) {
      d.names.push_back(o->get_name());
    } else {
      for (const auto& s : o->get_snames()) d.names.push_back("-" + s);
      for (const auto& l : o->get_lnames()) d.names.push_back("--" + l);
      if (std::find(d.names.begin(), d.names.end(), "--help") != d.names.end()) continue;  // said once, by format_help
      if (o->get_type_size() != 0) d.value = o->get_type_name();
      d.repeatable = o->get_expected_max() > 1;
    }
    d.help = o->get_description();
    doc.options.push_back(std::move(d));
  }
  return doc;
}

}  // namespace pycache::cli
