#pragma once
// What every command that resolves a policy (policy, clean, compile, status,
// show) does before its own work, done one way: the policy options, its PATHs
// located and checked, for each PATH what the command table's "when" column
// (commands.hpp, Needs) asks for, and the error that stops it.
#include <memory>
#include <string>
#include <string_view>

#include "cli11_support.hpp"
#include "commands.hpp"
#include "pycache/error.hpp"
#include "pycache/excludes.hpp"
#include "pycache/fs.hpp"
#include "pycache/launch.hpp"
#include "pycache/python_choice.hpp"

namespace pycache::cli {

// --policy FILE, --no-policy, --ignore-environment.
struct PolicyFlags {
  std::string policy_file;
  bool no_policy = false;
  bool ignore_environment = false;  // PYTHON* variables are no policy source
};
void add_policy_flags(CLI::App& app, PolicyFlags& into);

// The RunOptions the flags ask for (--policy made absolute against `cwd`), or
// a usage Error when they contradict each other.
Result<RunOptions> policy_run_options(const PolicyFlags& flags, const fs::path& cwd);

// --python VERSION|PATH (policy, status, compile), with the command's help;
// its name and value from the key table.
void add_python_option(CLI::App& app, std::string& into, const std::string& help);
// --cache-prefix DIR (clean, show), with the command's help; its name and
// value from the key table.
void add_cache_prefix_option(CLI::App& app, std::string& into, const std::string& help);

// How a command treats a PATH that is a symbolic link.
enum class Symlinks {
  Refuse,
  Follow,  // the located path is the link's target (canonical)
};
// How a command treats a PATH that does not exist.
enum class Missing {
  Error,
  AllowSource,  // a .py may be missing (its pycs may exist without it); other lstat errors pass too
};

struct Located {
  fs::path path;  // absolute
  FileStat st;    // lstat of the path (of a link's target with Symlinks::Follow); unset when allowed missing
};
// What the prologue prepares for one PATH, as the command's Needs say.
struct Target {
  PolicyResolution resolution;  // Needs::Policy
  PythonChoice python{};        // Needs::Python
  // Needs::Runtime: nullptr only when python.interpreter is the Python (run by pycache-embedded)
  const runtime::Runtime* runtime = nullptr;
  std::shared_ptr<const SkipRules> skip{};  // Needs::SkipRules
};

// The prologue's flags besides the policy flags, as the command has them.
struct PrologueFlags {
  std::string python;            // --python, when not empty
  std::string cache_prefix;      // --cache-prefix, when not empty
  bool default_excludes = true;  // false under --no-default-excludes
};

// What a command resolves its policies with: the policy flags' RunOptions
// (--python and the like set on its command-line layer), the current
// directory, and what its row of the command table needs.
struct Prologue {
  std::string_view command;   // "clean"
  Needs needs = Needs::None;  // the command's row; a command may narrow it for one run
  fs::path cwd;
  RunOptions run;
  bool use_environment = true;  // false under --ignore-environment
  bool default_excludes = true;
  std::shared_ptr<SkipRulesMaker> skip_rules;  // one git, one warning, for all PATHs
  // The policy in force for what lies in `start_dir` (discovery starts there).
  Result<PolicyResolution> resolve(const fs::path& start_dir) const;
  // What `needs` asks for, for the policy in force in `start_dir`; the skip
  // rules are for walking `walk_root` (default: `start_dir`). The error is
  // the one line that stops the command: a bad policy, no runtime for the
  // project's Python (Needs::Runtime), no cache tag for it (Needs::CacheTag).
  Result<Target> target(const fs::path& start_dir, const fs::path& walk_root = {}) const;
  // locate_path() for this command.
  Result<Located> locate(const std::string& given, Symlinks links, Missing missing = Missing::Error) const;
};
// The prologue of `command` (its row of the command table): its flags
// checked, --python then --cache-prefix (when not empty) set as "--python:
// why" would say on a bad value.
Result<Prologue> start_command(std::string_view command, const PolicyFlags& flags, const PrologueFlags& more = {});
// Sets `key` on the prologue's command-line layer from option `name`, the
// value checked by normalize_value(): "NAME: why" (kExitUsage) when bad.
std::optional<Error> set_option(Prologue& prologue, Key key, std::string_view name, const std::string& value);

// The one `pycache: error: ...` line for `error` on stderr; returns its exit status.
int fail(const Error& error);

// A PATH as given, checked one way for every command: "'P': No such file or
// directory" (strerror, P escaped), "'P' is a symbolic link: pycache COMMAND
// never follows one (...)"; both kExitUsage.
Result<Located> locate_path(std::string_view command, const std::string& given, const fs::path& cwd, Symlinks links,
                            Missing missing = Missing::Error);

}  // namespace pycache::cli
