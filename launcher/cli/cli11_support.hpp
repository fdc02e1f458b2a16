#pragma once
// CLI11 with pycache's conventions. CLI11's own exit codes (100-127) would
// collide with a program's statuses, so every parse error becomes one
// `pycache: error:` line and kExitUsage.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "commands.hpp"

namespace pycache::cli {

// A CLI11 app for `pycache NAME` with pycache's help formatting.
std::unique_ptr<CLI::App> make_app(std::string_view name, std::string_view description);

// Parses `args`; nullopt means go on, a value is the exit status to return
// (0 after --help, kExitUsage after an error).
std::optional<int> parse(CLI::App& app, Args args);

}  // namespace pycache::cli
