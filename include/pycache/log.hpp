#pragma once
// Diagnostics: spdlog to stderr, one line each, "pycache: LEVEL: message".
// stdout belongs to the user's program or to a command's report.
#include <spdlog/spdlog.h>

#include <string_view>

#include "pycache/error.hpp"

namespace pycache {

// The logger; created on first use at level "warning".
spdlog::logger& log();
// Sets the level from its name (trace, debug, info, warning, error, off).
std::optional<Error> set_log_level(std::string_view name);

}  // namespace pycache
