#include "cli11_support.hpp"

#include <cstdio>
#include <vector>

#include "pycache/exit_code.hpp"
#include "pycache/log.hpp"

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

}  // namespace pycache::cli
