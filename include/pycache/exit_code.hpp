#pragma once
// Named exit statuses of pycache's own commands. `pycache run` and
// pycache-python return the Python program's own status instead, unchanged.
#include <string_view>

namespace pycache {

enum ExitCode : int {
  kExitOk = 0,  // done, nothing to report
  kExitFailure =
      1,  // the command ran but found or met problems (files it could not remove, --check findings, syntax errors)
  kExitUsage = 2,        // bad command line or bad policy file: nothing was done (python's own usage status)
  kExitEnvironment = 3,  // the environment can't be used: stdlib missing, a venv of another version, a venv or
                         // cache prefix someone else controls
  kExitInternal = 70,    // a bug in pycache (sysexits' EX_SOFTWARE): one line says what, please report it
};
// A command stopped by a signal (Ctrl-C) dies of it, as other tools do: the
// shell reports 128 + the signal. There is no status of ours for it.

// The table the man page and the reference are made from, one row per status.
struct ExitStatusDoc {
  int code;
  std::string_view meaning;
};
inline constexpr ExitStatusDoc kExitStatuses[] = {
    {kExitOk,
     "the command succeeded, or had nothing to do (clean's kept directories and status's report are no "
     "failure)"},
    {kExitFailure,
     "the command ran but met or found problems: clean could not read or remove something (reported, "
     "the rest was done), compile met syntax errors, status --check found problems, show could not "
     "decode a file"},
    {kExitUsage,
     "a bad command line (unknown option, a bad or empty value), a bad policy file (invalid TOML, unknown "
     "key, wrong value, not a regular file, over 1 MiB), a missing or refused PATH, a cache prefix of / "
     "or the home directory: nothing was done"},
    {kExitEnvironment,
     "the environment can't be used: the standard library is missing, nothing here runs the Python "
     "asked for, a venv of another Python, a venv or cache prefix someone else controls"},
    {kExitInternal, "a bug in pycache: one 'pycache: error: internal error' line"},
};

}  // namespace pycache
