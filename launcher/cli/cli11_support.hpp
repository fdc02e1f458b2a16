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
// (0 after --help, which prints the command's help as every command's is
// printed; kExitUsage after an error).
std::optional<int> parse(CLI::App& app, Args args);

// A command's doc from its CLI11 app (description, options, footer).
CommandDoc doc_from_app(const CLI::App& app, std::string usage);

// An option that takes exactly one value each time it is given (repeat it
// for more): its value never swallows the PATHs after it.
template <class T>
CLI::Option* add_repeatable(CLI::App& app, const std::string& name, std::vector<T>& into, const std::string& help) {
  return app.add_option(name, into, help)->allow_extra_args(false);
}

// A value that must not be empty ("--older-than ''" is a mistake, never "everything").
CLI::Validator non_empty();

// -j/--jobs: a number from 1 to kMaxJobs.
inline constexpr unsigned kMaxJobs = 256;
CLI::Option* add_jobs(CLI::App& app, unsigned& jobs, const std::string& help);

}  // namespace pycache::cli
