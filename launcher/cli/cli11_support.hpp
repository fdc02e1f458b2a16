#pragma once
// CLI11 with pycache's conventions. CLI11's own exit codes (100-127) would
// collide with a program's statuses, so every parse error becomes one
// `pycache: error:` line and kExitUsage.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "commands.hpp"
#include "pycache/policy.hpp"
#include "pycache/walk.hpp"

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
// A value that must be one of `words`: "expected a, b or c, got 'x'".
CLI::Validator one_of(const std::vector<std::string>& words);

// --exclude GLOB (repeatable) and --no-default-excludes, for the commands
// that walk a tree (status, clean, compile).
struct ExcludeOptions {
  std::vector<std::string> globs;
  bool no_defaults = false;
};
void add_excludes(CLI::App& app, ExcludeOptions& into);

// --color auto|always|never, for the commands that colour their report.
void add_color(CLI::App& app, std::string& when);
// Whether to colour what goes to `fd`: never, always, or (auto) as NO_COLOR
// and FORCE_COLOR say (no-color.org, force-color.org), else when a terminal.
bool colour_wanted(const std::string& when, int fd);

// -j/--jobs: a number from 1 to kMaxJobs.
inline constexpr unsigned kMaxJobs = 256;
CLI::Option* add_jobs(CLI::App& app, unsigned& jobs, const std::string& help);

}  // namespace pycache::cli
