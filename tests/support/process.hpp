#pragma once
// Running the built binaries (and the reference python) with an environment
// the test controls completely: nothing is inherited from the caller, so the
// machine's PYTHONDONTWRITEBYTECODE=1 and friends cannot leak in.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pycache::test {

namespace fs = std::filesystem;

using Env = std::map<std::string, std::string>;

struct Process {
  std::vector<std::string> argv;       // argv[0] is also the program run, unless `program` is set
  std::optional<std::string> program;  // run this file with argv as given (exec -a)
  Env env;
  fs::path cwd;
  std::string input;  // fed to stdin, then closed
  int timeout_seconds = 120;
};

struct Outcome {
  int exit_code = -1;  // when it exited
  int signal = 0;      // when a signal ended it
  std::string out;
  std::string err;
  bool timed_out = false;
};

Outcome run(const Process& p);

// The same in two steps, for tests that act on a process while it runs
// (send it a signal): start() spawns it, finish() collects its output and
// status, killing it with SIGKILL after `timeout_seconds` (timed_out).
struct Running {
  int pid = -1;
  int in = -1, out = -1, err = -1;  // our ends of its stdin, stdout, stderr
  std::string input;
};
Running start(const Process& p);
Outcome finish(Running& r, int timeout_seconds);

// PATH, HOME (given), LANG=C.UTF-8 and nothing else: no PYTHON* variables.
Env clean_env(const fs::path& home);
// What an integration test starts from: clean_env with HOME at DIR/home
// (created) and PYCACHE_SYSTEM_CONFIG naming DIR/no-system.toml (absent), so
// that neither this machine's nor this user's policy files count.
Env isolated_env(const fs::path& dir);
// git as the tests run it: no system configuration (the user's is HOME's,
// empty) and a fixed identity, so commits work on any machine.
void add_git_identity(Env& env);

// The command lines that read a policy where they stand, one of each kind:
// `pycache run -c print(1)`, policy, status, clean -n, compile (and first
// `pycache-python -c print(1)` with WithPython::Yes).
enum class WithPython { No, Yes };
std::vector<std::vector<std::string>> every_policy_command(WithPython with_python);

// Paths injected by CMake; $PYCACHE_TEST_RUNTIME (3.12) makes them another
// runtime's: its build/runtimes/3.12/pycache, its interpreter, its tag.
fs::path pycache_bin();         // build/bin/pycache ($PYCACHE_TEST_BIN: another build's)
fs::path pycache_python_bin();  // build/bin/pycache-python
// The runtime's own static program, build/bin/pycache-python3.11 (pycache and
// pycache-python are pycache-embedded, which hands its runs to it).
fs::path runtime_program();
fs::path reference_python();     // the interpreter pycache embeds (/usr/bin/python3 by default)
std::string python_cache_tag();  // "cpython-311"
// The build's programs and embedding modules, linked (else copied) into
// `root`'s bin/ and lib/pycache/, without pycache-embed-`withheld`.so (an
// install with no module for that minor version).
void copy_install(const fs::path& root, const std::string& withheld);
// Whether the built pycache-python runs as nobody (uid 65534) here: root, and
// a libpython nobody can read (a pyenv build under /root is not).
bool pycache_runs_as_nobody();
// Before 3.11, marshal's ref flags depend on refcounts, so two compiles of the
// same code may differ in bytes while being equal code objects.
bool marshal_is_deterministic();

}  // namespace pycache::test
