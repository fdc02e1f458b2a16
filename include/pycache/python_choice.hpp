#pragma once
// Which Python runs a project, chosen as uv chooses, highest first: the
// policy key `python` (or `--python`), the project's venv (its pyvenv.cfg
// version), `.python-version` in the project, `[project] requires-python`
// (the newest runtime that satisfies it), then pycache's default runtime.
// A request no runtime of this build answers goes to an interpreter of the
// machine that does (interpreters.hpp), run through its embedding module by
// pycache-embedded: the venv's own base first, else the first discover()
// finds. Nothing answers: an error, never a silent fallback to another version.
// A venv made by another interpreter of a runtime's minor version (pyenv's
// 3.11.7 beside Debian's 3.11.2), and a static runtime whose interpreter
// changed since the build, run on that interpreter through its module.
// The python key and .python-version must resolve to a Python that
// requires-python allows, as uv requires.
#include <optional>
#include <string>
#include <string_view>

#include "pycache/error.hpp"
#include "pycache/interpreters.hpp"
#include "pycache/pep440.hpp"
#include "pycache/resolve.hpp"
#include "pycache/runtime.hpp"

namespace pycache {

struct PythonChoice {
  std::string request;                        // "3.12", "3.12.1", ">=3.12", a path; "" for the default runtime
  Origin origin;                              // where the request came from
  const runtime::Runtime* runtime = nullptr;  // the runtime that answers it; nullptr when none does
  std::string cache_tag{};  // the tag of the Python asked for ("cpython-312"), known without a runtime too
  std::string missing{};    // runtime == nullptr: what was asked for, for the error ("Python 3.14")
  // No runtime answers: the interpreter of the machine that does, loadable
  // through its embedding module (embed_module::check), if any;
  // else why the one found can't be used, for the error.
  std::optional<interpreters::Interpreter> interpreter{};
  std::string why_not{};
  // The request resolved to a Python that requires-python rules out: the
  // one-line refusal (runtime and interpreter then unset, cache_tag kept).
  std::string contradiction{};
  // With `interpreter`: why it can't be embedded (no module for its minor
  // version, no shared libpython, a debug libpython...); then it runs
  // itself, the policy in python's flags (flags_run.hpp). Empty: embedded.
  std::string not_embedded{};
};

PythonChoice choose_python(const PolicyResolution& resolution);

// A static runtime of `choice` whose interpreter changed since the build (a
// distribution's update: its mtime or size differs) passed over for that
// interpreter itself, through its embedding module, when it can be embedded;
// else the runtime stays (and start_run warns). choose_python does it.
void pass_over_stale_runtime(PythonChoice& choice, const Trust& trust);

// `policy`'s python key as `choice` settled it, for the reports (`pycache
// policy`, status --json): the runtime's name ("3.11") when one answers, the
// interpreter's path when one of the machine does (its origin saying so and
// that it runs through its embedding module), else the request, with the
// request's origin.
void record_python_choice(Policy& policy, const PythonChoice& choice);

// The runtime of `choice`, or the one-line error (kExitEnvironment) naming
// what was asked for, where, the runtimes there are, and why the
// interpreter found can't be used or the versions found on the machine
// (pointing to `pycache python list`); its contradiction (kExitUsage). For
// `run`, a choice with an interpreter needs no runtime.
Result<const runtime::Runtime*> require_runtime(const PythonChoice& choice);

}  // namespace pycache
