#pragma once
// Named exit statuses of pycache's own commands. `pycache run` and
// pycache-python return the Python program's own status instead, unchanged.
namespace pycache {

enum ExitCode : int {
  kExitOk = 0,           // done, nothing to report
  kExitFailure = 1,      // the command ran but found or met problems (files it could not remove, --check findings, syntax errors)
  kExitUsage = 2,        // bad command line or bad policy file: nothing was done (python's own usage status)
  kExitEnvironment = 3,  // the environment can't be used: stdlib missing, a venv of another version, a venv or
                         // cache prefix someone else controls
  kExitInternal = 70,    // a bug in pycache (sysexits' EX_SOFTWARE): one line says what, please report it
  kExitInterrupted = 130 // stopped by SIGINT
};

}  // namespace pycache
