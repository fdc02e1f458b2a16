#pragma once
// An interpreter of the machine that pycache can't embed (no embedding
// module for its minor version, no shared libpython, a debug libpython, no
// pycache-embedded) still runs under the policy: pycache execs that
// interpreter itself, the policy written as python's own flags (-B, -O,
// -X pycache_prefix, --check-hash-based-pycs) and, for its children, as
// python's variables. Never another Python; an interpreter trust refuses
// is never run at all.
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pycache/embed.hpp"
#include "pycache/interpreters.hpp"
#include "pycache/policy.hpp"
#include "pycache/python_args.hpp"
#include "pycache/python_choice.hpp"
#include "pycache/trust.hpp"

namespace pycache::flags_run {

namespace fs = std::filesystem;

// How pycache runs an interpreter of the machine.
enum class How {
  Embedded,  // through its embedding module, in pycache-embedded
  Flags,     // itself, the policy in its flags and variables
  Refused,   // not at all: trust refuses it, or it is too old for the policy's flags
};
struct Decision {
  How how = How::Refused;
  std::string why;  // Flags: why it is not embedded; Refused: why it is not run (one line); Embedded: empty
};

// Why `in` must never run, not even itself: embed_module::check_trust's
// finding, or it is older than 3.8 (no -X pycache_prefix). nullopt: it may.
std::optional<std::string> refusal(const interpreters::Interpreter& in, const fs::path& modules_dir,
                                   const Trust& trust);

// Decides for `in`: Refused when refusal() says why (the interpreter, its
// libpython or the module another user's or writable by everyone; older
// than 3.8); else Embedded
// when `embedded_program` exists and embed_module::check finds nothing;
// else Flags, with check's finding (or the missing program) as the reason.
Decision decide(const interpreters::Interpreter& in, const fs::path& modules_dir, const fs::path& embedded_program,
                const Trust& trust);

// What to exec: `program` with `argv` (argv[0] included), after setting
// (or unsetting, nullopt) `environment` in order.
struct Command {
  std::string program;
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::optional<std::string>>> environment;
};

// The command that runs `python` (the interpreter, or the venv's python that
// leads to it) as `config` and `environment` (plan_launch's) say: argv[0]
// is `python`, then the policy's flags (-B when no bytecode is written; as
// many -O as the level needs beyond the -O of the user's own arguments,
// `user`; -X pycache_prefix=DIR; --check-hash-based-pycs MODE when not
// "default"), then config.argv[1:] unchanged and in order. The environment
// is `environment` with config.environment_after_init applied over it (under
// propagate = "none" the variables keep the values pycache was started
// with: the flags alone carry the policy), PYTHONEXECUTABLE unset.
Command command(const std::string& python, const embed::InterpreterConfig& config,
                const std::vector<std::pair<std::string, std::optional<std::string>>>& environment,
                const PythonArgs& user);

// The flags of command() alone, for the reports: "-B -X pycache_prefix=/p", "none".
std::string flags_text(const embed::InterpreterConfig& config, const PythonArgs& user);
// The same from a policy (pycache policy, which plans no launch).
std::string flags_text(const Policy& policy);

// The program to exec for `in` under `policy`: the venv's bin/python3.X (or
// bin/python3, bin/python) when the policy's venv has one that is the same
// file as `in`, so that python finds its pyvenv.cfg; else in.path.
std::string program_for(const interpreters::Interpreter& in, const Policy& policy);

// The one line that says it, for the origin of the `python` key (pycache
// policy, --explain): "Python 3.9.18 found in pyenv, not embedded (WHY):
// run itself with python's flags -B -X pycache_prefix=/p".
std::string origin_text(const interpreters::Interpreter& in, const std::string& why, const std::string& flags);

// For a `choice` whose interpreter runs itself (not_embedded): the `python`
// key becomes its path, its origin the request's and origin_text(), the
// flags the policy's. Anything else: nothing.
void record_choice(Policy& policy, const PythonChoice& choice);

// execv's `c` after setting its environment; returns only when that fails,
// having said so (kExitEnvironment). The exit status and signals are python's.
int exec(const Command& c);

}  // namespace pycache::flags_run
