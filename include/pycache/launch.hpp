#pragma once
// From a resolved policy to a running interpreter: the launch plan (the
// interpreter's configuration and the environment), the read-only fallback,
// the venv entered, and the start (here, or handed off to another runtime).
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pycache/command_run.hpp"
#include "pycache/embed.hpp"
#include "pycache/error.hpp"
#include "pycache/flags_run.hpp"
#include "pycache/fs.hpp"
#include "pycache/getpath.hpp"
#include "pycache/init.hpp"
#include "pycache/interpreters.hpp"
#include "pycache/policy.hpp"
#include "pycache/policy_sources.hpp"
#include "pycache/python_args.hpp"
#include "pycache/resolve.hpp"
#include "pycache/run_options.hpp"
#include "pycache/runtime.hpp"
#include "pycache/trust.hpp"

namespace pycache {

namespace fs = std::filesystem;

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
void apply_read_only(Policy& policy, const fs::path& tree_dir, const EnvLookup& env, FileSystem& files = real_fs());
// $XDG_CACHE_HOME/pycache, else ~/.cache/pycache, else a private
// /tmp/pycache-UID; the first that can be written, or empty.
fs::path fallback_cache_dir(const EnvLookup& env, FileSystem& files = real_fs());

// What a plan needs of the Python that runs it, a runtime of this build or
// an interpreter of the machine: its install (getpath's inputs, the
// standard library), its version (a venv must be of it).
struct PythonFacts {
  PythonInstall install;
  std::string major_minor;  // "3.12"
  bool free_threaded = false;
  std::string version;  // "3.12.1"
  // For the missing-stdlib error: the interpreter pycache was built for, or
  // the one found on the machine (empty).
  std::string built_for;
  std::string found_at;
};
PythonFacts facts_of(const runtime::Runtime& rt);
PythonFacts facts_of(const interpreters::Interpreter& in);

// How pycache was started: `pycache run`, or as python (pycache-python, a
// venv's python). As python, a program in a venv is that venv's Python;
// `pycache run` from pycache installed in a venv (pip, pipx, uv tool) is a
// tool there, and never enters that venv.
enum class Personality { PycacheRun, Python };

// `rt`: the runtime that will run it (its standard library, its version for
// venvs); the tests' default is this program's own (a build with tests has one).
Result<LaunchPlan> plan_launch(const Policy& policy, const PythonArgs& scanned, std::vector<std::string> argv,
                               std::string executable, const EnvLookup& env,
                               const runtime::Runtime& rt = *runtime::self(), FileSystem& files = real_fs());
// The same for any Python: `python` says which.
Result<LaunchPlan> plan_launch(const Policy& policy, const PythonArgs& scanned, std::vector<std::string> argv,
                               std::string executable, const EnvLookup& env, const PythonFacts& python,
                               FileSystem& files = real_fs(), Personality personality = Personality::Python);

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
std::optional<std::string> stale_core_warning(const CoreFacts& facts = CoreFacts::built_in(),
                                              FileSystem& files = real_fs());

// The interpreter pycache-embedded runs (its path), for the children that
// start it as python (sys.executable) when no inherited policy names it
// (propagate = "none"). Set whatever the policy: it is not policy, but which
// Python sys.executable is.
inline constexpr const char* kEmbeddedPythonVariable = "PYCACHE_EMBEDDED_PYTHON";

// argv[0] of pycache's own helper processes (see cli.cpp).
inline constexpr const char* kInternalArgv0 = "pycache-internal";

// A command line parsed, its policy resolved and its launch planned: what
// start_run() runs. Nothing printed: the caller says `explanation`.
struct PreparedRun {
  LaunchPlan plan;
  const runtime::Runtime* runtime = nullptr;  // the runtime that runs it (this program's, else a hand-off)
  // Or, when none of this build answers, the interpreter of the machine that
  // runs it through its embedding module (pycache-embedded; runtime null).
  std::optional<interpreters::Interpreter> interpreter;
  // Or that interpreter run itself, the policy in python's flags, when it
  // can't be embedded (flags_run.hpp): what start_run execs.
  std::optional<flags_run::Command> flags_run;
  // Or a program that is not Python (`pycache run ruff check .`), run in
  // pycache's place with plan.environment (runtime null).
  std::optional<CommandRun> command;
  InitSettings init;              // whether an init goes in front of python
  bool sets_environment = false;  // false for python's info-only command lines (--version)
  std::string explanation;        // --explain: the policy report for stderr; else empty
};
// Who runs: `pycache run` (its own options, the project's venv and Python,
// console scripts by name) or python itself (pycache-python and its links:
// python's command line only, on this program's runtime).
// Resolves the policy for python's command line `python_args` under
// `options` (pycache's own, already parsed; empty for Personality::Python)
// and plans. `argv0` is what orig_argv[0] will be.
Result<PreparedRun> prepare_run(std::string argv0, const RunOptions& options, std::span<const std::string> python_args,
                                Personality personality, std::string executable);
// Sets the environment, starts the init and runs python (or hands off to
// another runtime, or to pycache-embedded for an interpreter of the
// machine); returns the program's exit status.
int start_run(const PreparedRun& run);

}  // namespace pycache
