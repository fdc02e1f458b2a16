#pragma once
// What every command that resolves a policy (policy, clean, compile, status,
// show) does before its own work, done one way: the policy options, its PATHs
// located and checked, and the error that stops it.
#include <string>
#include <string_view>

#include "cli11_support.hpp"
#include "pycache/error.hpp"
#include "pycache/fs.hpp"
#include "pycache/launch.hpp"

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

// --python VERSION|PATH (policy, status, compile), with the command's help.
void add_python_option(CLI::App& app, std::string& into, const std::string& help);

// What a command resolves its policies with: the policy flags' RunOptions
// (--python and the like set on its command-line layer) and the current
// directory.
struct Prologue {
  fs::path cwd;
  RunOptions run;
  bool use_environment = true;  // false under --ignore-environment
  // The policy in force for what lies in `start_dir` (discovery starts there).
  Result<PolicyResolution> resolve(const fs::path& start_dir) const;
};
// The prologue of a command: its flags checked, --python (when not empty)
// set as "--python: why" would say on a bad value.
Result<Prologue> start_command(const PolicyFlags& flags, const std::string& python = {});
// Sets `key` on the prologue's command-line layer from option `name`, the
// value checked by normalize_value(): "NAME: why" (kExitUsage) when bad.
std::optional<Error> set_option(Prologue& prologue, Key key, std::string_view name, const std::string& value);

// The one `pycache: error: ...` line for `error` on stderr; returns its exit status.
int fail(const Error& error);

// How a command treats a PATH that is a symbolic link.
enum class Symlinks { Refuse, Follow };

struct Located {
  fs::path path;  // absolute
  FileStat st;    // lstat of the path; with Symlinks::Follow, a link's type is its target's
};
// A PATH as given, checked one way for every command: "'P': No such file or
// directory" (strerror, P escaped), "'P' is a symbolic link: pycache COMMAND
// never follows one (...)"; both kExitUsage.
Result<Located> locate_path(std::string_view command, const std::string& given, const fs::path& cwd, Symlinks links);

}  // namespace pycache::cli
