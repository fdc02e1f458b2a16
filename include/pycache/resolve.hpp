#pragma once
// Which policy is in force, and what decided it: the layers in precedence
// order (a parent's inherited policy, the environment, the system, user and
// project files, the command line), the files refused, and the checks of the
// directories the policy names. Every command resolves its policy here.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pycache/error.hpp"
#include "pycache/policy.hpp"
#include "pycache/policy_sources.hpp"
#include "pycache/python_args.hpp"
#include "pycache/run_options.hpp"
#include "pycache/trust.hpp"

namespace pycache {

namespace fs = std::filesystem;

// Everything that decided a policy, for --explain and `pycache policy`.
struct PolicyResolution {
  Policy policy;
  std::vector<fs::path> files;   // policy files read, lowest precedence first
  std::vector<Refusal> refused;  // files found but not honoured (someone else's)
  // The project: the policy file's directory, else the nearest holding a
  // pyproject.toml we honour; empty outside any (its .venv, .python-version,
  // requires-python).
  fs::path project_dir;
  ProjectPython project_python;  // its .python-version and requires-python, when honoured
  fs::path discovered_from;      // where discovery started after all (start_dir or fallback_dir)
  bool fell_back = false;        // start_dir was in no project: discovery started from fallback_dir
  bool inherited = false;        // from the parent process (PYCACHE_POLICY)
};

struct PolicyQuery {
  fs::path start_dir;  // where project discovery starts
  const RunOptions* options = nullptr;
  Layer python_options;         // -B, -O, -X pycache_prefix, --check-hash-based-pycs
  bool use_environment = true;  // false under python's -E / -I
  // When discovery from start_dir finds no project (no policy file, no
  // pyproject.toml): where it starts again. A script outside every project
  // (/usr/bin/pytest, .venv/bin/pytest, a runpy wrapper) runs under the
  // policy of where the user stands, as ruff and pytest find their config.
  fs::path fallback_dir{};
  // The .venv beside the policy file wins over an activated VIRTUAL_ENV of
  // another directory (one warning). With project_venv (`pycache run`,
  // `pycache policy`), as uv does, also the .venv beside a pyproject.toml
  // without [tool.pycache].
  bool project_venv = false;
  // Whether the project's .python-version and requires-python are read (for
  // the commands, which choose a Python; pycache-pythonX.Y is its own).
  bool project_python = true;
};

// Applies the layers: environment, system file, user file, project file,
// command line (lowest first; an inherited PYCACHE_POLICY stands for the
// first four). Errors in any file stop here. Files found by
// searching upward that someone else owns (policy files, pyproject.toml,
// .python-version, .venv: distrust_file(), and distrust_directory() for the
// .venv) are not honoured (one warning each, listed in `refused`); a venv or
// cache prefix named by a file that fails distrust_directory() is an error
// (kExitEnvironment).
Result<PolicyResolution> resolve_policy(const PolicyQuery& query, const EnvLookup& env, const fs::path& cwd);

// "ignoring the policy file 'F': WHY; to trust it, add "DIR" to safe-directories in USER_FILE"
// ("the policy file" is refusal.what).
std::string describe_refusal(const Refusal& refusal, const EnvLookup& env);
// The error for a cache prefix that is / or the home directory (unless
// python's own -X or environment named it), or a venv or cache prefix named
// by a policy file (Origin::named_by_file, a parent's included) that
// distrust_directory() refuses; nullopt when both may be used. A cache
// prefix that does not exist yet is let pass with Absent::Allowed (the
// commands: nothing is read from it before it is made) and checked with
// Absent::Checked (`run`, once it has made what it makes).
enum class Absent { Allowed, Checked };
std::optional<Error> check_policy_directories(const Policy& policy, const Trust& trust, Absent absent_prefix);
// A cache prefix named by a file that everyone can write becomes the user's
// own directory inside it (private_prefix_name); `pycache run` makes it.
void use_private_prefix(Policy& policy, const Trust& trust);
std::optional<Error> make_private_prefix(const Policy& policy, const Trust& trust);

// Where policy discovery starts for a python command line: the directory of
// the script's real path (where python takes sys.path[0] from; a directory
// script as given), else the current directory. Empty when that needs a
// current directory and `cwd` is empty (it has gone): no project then.
fs::path discovery_start(const PythonArgs& args, const fs::path& cwd);

}  // namespace pycache
