#include "pycache/log.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace pycache {

spdlog::logger& log() {
  static spdlog::logger logger = [] {
    spdlog::logger l("pycache", std::make_shared<spdlog::sinks::stderr_sink_st>());
    l.set_pattern("pycache: %l: %v");
    l.set_level(spdlog::level::warn);
    l.flush_on(spdlog::level::trace);
    return l;
  }();
  return logger;
}

std::optional<Error> set_log_level(std::string_view name) {
  auto level = spdlog::level::from_str(std::string(name));
  // from_str maps anything unknown to "off"; only "off" itself may mean off.
  if (level == spdlog::level::off && name != "off")
    return Error{fmt::format("unknown log level '{}' (expected trace, debug, info, warning, error or off)", name),
                 kExitUsage};
  log().set_level(level);
  return std::nullopt;
}

}  // namespace pycache
