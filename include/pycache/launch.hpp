#pragma once
// From a command line to a running interpreter: pycache's own run options,
// the policy layers in precedence order, and the interpreter's configuration.
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pycache/embed.hpp"
#include "pycache/error.hpp"
#include "pycache/getpath.hpp"
#include "pycache/init.hpp"
#include "pycache/policy.hpp"
#include "pycache/policy_sources.hpp"
#include "pycache/python_args.hpp"
#include "pycache/runtime.hpp"
#include "pycache/trust.hpp"

namespace pycache {

namespace fs = std::filesystem;

// pycache's own options of `run` (and `policy`), long only, before python's.
struct RunOptions {
  Layer command_line;                   // --cache-prefix, --optimize, ...
  std::optional<fs::path> policy_file;  // --policy FILE: this file, no discovery
  bool no_policy = false;               // --no-policy: no policy files at all
  bool explain = false;                 // --explain
  std::optional<std::string> log_level;
};

struct RunOptionInfo {
  std::string_view name;
  std::string_view metavar;  // empty for flags
  std::string_view help;
};
// The options of `pycache run` that set no policy key: --policy, --no-policy,
// --explain, --log-level.
std::span<const RunOptionInfo> run_control_options();
// Every option of `pycache run`, as its help lists them: the keys' own
// (KeyInfo::options parsed by run, in key order), then the control options.
std::vector<RunOptionInfo> run_options();

// Parses pycache's options at the front of `args`; returns the index of the
// first argument that belongs to python. Relative paths resolve against cwd.
// A key's option is read from its KeyOption row; a bad value is, for every
// one, "option '--optimize': expected 0, 1 or 2, got '7'" (kExitUsage).
Result<std::size_t> parse_run_options(std::span<const std::string> args, const fs::path& cwd, RunOptions& out);

// Everything that decided a policy, for --explain and `pycache policy`.
struct PolicyResolution {
  Policy policy;
  std::vector<fs::path> files;   // policy files read, lowest precedence first
  std::vector<Refusal> refused;  // files found but not honoured (someone else's)
  // The project: the policy file's directory, else the nearest holding a
  // pyproject.toml we honour; empty outside any (its .venv, .python-version,
  // requires-python).
  fs::path project_dir;
  ProjectPython project_python;  // its .python-version and requires-python, when honoured (python key unset)
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

// The interpreter configuration for `python_args` under `policy`, and the
// environment the process tree should see. `executable` is the program that
// speaks python (sys.executable).
struct LaunchPlan {
  embed::InterpreterConfig interpreter;
  std::vector<std::pair<std::string, std::optional<std::string>>> environment;  // name -> value, or unset
};
// read-only: when the place the policy writes bytecode to (the prefix, else
// `tree_dir`) can't be written, "fallback" moves the prefix to a writable
// per-user cache (one info line), "skip" stops writing (one warning),
// "ignore" leaves CPython to fail at each import. One access() at start.
void apply_read_only(Policy& policy, const fs::path& tree_dir, const EnvLookup& env);
// $XDG_CACHE_HOME/pycache, else ~/.cache/pycache, else a private
// /tmp/pycache-UID; the first that can be written, or empty.
fs::path fallback_cache_dir(const EnvLookup& env);

// The environment the process tree gets under `policy`: the PYTHON* bytecode
// variables agreeing with it (nullopt: removed) and PYCACHE_POLICY ("tree").
std::vector<std::pair<std::string, std::optional<std::string>>> policy_environment(const Policy& policy);

// `rt`: the runtime that will run it (its standard library, its version for venvs).
Result<LaunchPlan> plan_launch(const Policy& policy, const PythonArgs& scanned, std::vector<std::string> argv,
                               std::string executable, const EnvLookup& env,
                               const runtime::Runtime& rt = runtime::self());

// With a static libpython the C core is frozen at build time: when the
// interpreter binary it was built from has changed since (an upgrade), the
// warning to give (one line), else nullopt. One stat.
struct CoreFacts {
  fs::path interpreter;  // the interpreter binary pycache was built from (real path)
  long long mtime = 0;   // its mtime (seconds) and size then
  long long size = 0;
  bool static_link = false;
  std::string core;  // the embedded core's sys.version
  static CoreFacts built_in();
};
std::optional<std::string> stale_core_warning(const CoreFacts& facts = CoreFacts::built_in());

// `pycache run` on another runtime than this program's: the plan goes to that
// runtime's program in PYCACHE_HANDOFF (argv as its own argv), which runs it
// as planned, nothing resolved twice. Never returns unless the exec fails.
inline constexpr const char* kHandoffVariable = "PYCACHE_HANDOFF";
// argv[0] of pycache's own helper processes (see cli.cpp).
inline constexpr const char* kInternalArgv0 = "pycache-internal";
std::string encode_handoff(const embed::InterpreterConfig& config);  // all but argv
std::optional<embed::InterpreterConfig> decode_handoff(std::string_view text);
int hand_off(const runtime::Runtime& rt, const embed::InterpreterConfig& config);

// `pycache run NAME` where NAME is no file: the console script NAME in the
// venv's bin/, else in PATH's absolute directories (absolute_path_entries):
// the first executable regular file of that name (a directory or a FIFO is
// passed over). One that `trust` does not allow (distrust_directory: it, a
// link or a directory on the way is another user's, or a directory on the
// way is writable by everyone without the sticky bit) is passed over with
// one warning. An Error (kExitUsage) when there is none, or when the first
// one found is not a Python script.
Result<fs::path> find_console_script(const std::string& name, const std::string& venv, const EnvLookup& env,
                                     const Trust& trust);

// A command line parsed, its policy resolved and its launch planned: what
// start_run() runs. Nothing printed: the caller says `explanation`.
struct PreparedRun {
  LaunchPlan plan;
  const runtime::Runtime* runtime = nullptr;  // the runtime that runs it (this program's, else a hand-off)
  InitSettings init;                          // whether an init goes in front of python
  bool sets_environment = false;              // false for python's info-only command lines (--version)
  std::string explanation;                    // --explain: the policy report for stderr; else empty
};
// Parses pycache's options (when `pycache_options`), resolves and plans.
// `argv0` is what orig_argv[0] will be; `args` the rest of the command line.
Result<PreparedRun> prepare_run(std::string argv0, std::span<const std::string> args, bool pycache_options,
                                std::string executable);
// Sets the environment, starts the init and runs python (or hands off to
// another runtime); returns the program's exit status.
int start_run(const PreparedRun& run);

}  // namespace pycache
