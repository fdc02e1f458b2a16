#pragma once
// Named exit statuses of pycache's own commands. `pycache run` and
// pycache-python return the Python program's own status instead, unchanged.
namespace pycache {

enum ExitCode : int {
  kExitOk = 0,           // done, nothing to report
  kExitFailure = 1,      // the command ran but found or met problems (files it could not remove, --check findings, syntax errors)
  kExitUsage = 2,        // bad command line or bad policy file: nothing was done (python's own usage status)
  kExitEnvironment = 3,  // Python cannot start here: stdlib missing, venv of another version
  kExitInterrupted = 130 // stopped by SIGINT
};

}  // namespace pycache
