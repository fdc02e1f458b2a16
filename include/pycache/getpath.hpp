#pragma once
// Which standard library the embedded interpreter starts with. CPython's
// getpath searches up from the executable's directory for lib/pythonX.Y/os.py:
// from /usr/local/bin (or a build directory) it may find a foreign one, so
// pycache fixes the prefix. But PyConfig.home, the obvious way, also turns
// off what getpath does for python itself: ._pth files beside the
// executable, venvs, build trees. So pycache does what getpath would do and
// presets prefix and exec_prefix, to where getpath would look when that is
// this very build of Python, else to the embedded interpreter's own.
#include <cstdint>
#include <filesystem>
#include <string>

namespace pycache {

namespace fs = std::filesystem;

// Where the embedded Python's files are (baked in at build time).
struct PythonInstall {
  fs::path home;                         // sys.base_prefix of the interpreter built against
  fs::path stdlib;                       // its standard library directory
  fs::path exec_prefix;                  // sys.base_exec_prefix
  std::string lib_name;                  // "python3.11" (lib/python3.11)
  std::string zip_name;                  // "python311.zip" (lib/python311.zip)
  std::string sysconfigdata;             // "_sysconfigdata__x86_64-linux-gnu.py", in the stdlib
  std::uint64_t sysconfigdata_size = 0;  // its size: another build of the version differs
};

// PyConfig's path inputs: what to set (empty: leave it to CPython).
struct PathInputs {
  std::string home;
  std::string prefix;
  std::string exec_prefix;
};

// For an interpreter whose getpath starts from `search_dir` (the directory
// of the real executable, or a venv's `home`): nothing when PYTHONHOME applies
// (python takes it); `home` for a CPython build tree (only home turns build-tree
// detection off); else prefix and exec_prefix, each where getpath's landmark
// search finds this same build, or the embedded interpreter's own. A few stats.
PathInputs path_inputs(const PythonInstall& install, const fs::path& search_dir, bool python_home_applies);

}  // namespace pycache
