#pragma once
// Virtual environments: which one a run uses, whether it fits the embedded
// Python, and how the interpreter is made to run inside it.
#include <filesystem>
#include <optional>
#include <string>

#include "pycache/error.hpp"

namespace pycache {

namespace fs = std::filesystem;

struct VenvInfo {
  fs::path dir;
  std::string version;         // pyvenv.cfg `version` or `version_info`, e.g. "3.11.2"
  bool free_threaded = false;  // made for a free-threaded (t ABI) Python
  std::string home{};          // pyvenv.cfg `home`: the base interpreter's directory
};

// Reads DIR/pyvenv.cfg. Errors: not a venv (no pyvenv.cfg), unreadable.
Result<VenvInfo> inspect_venv(const fs::path& dir);

// A venv made for another Python (major.minor or the t ABI) is refused,
// naming both versions: CPython would silently lose its site-packages.
// "3.12" of a version string ("3.12.1", "3.12.1.final.0", "3.13t"), with
// a "t" added for a free-threaded build (kept when the version has one).
std::string major_minor_of(std::string_view version, bool free_threaded);
std::optional<Error> check_venv_compatible(const VenvInfo& venv, std::string_view major_minor, bool free_threaded);

// The venv an executable path lies in (its bin/ dir or the dir itself holds a
// pyvenv.cfg), as CPython's getpath and site look for it; nullopt if none.
std::optional<fs::path> venv_of_executable(const fs::path& executable);

// The program children should start: DIR/bin/pycache-python, a symlink to
// `python` (pycache-python) made on first use. nullopt when it can't be made.
std::optional<fs::path> venv_launcher(const fs::path& venv_dir, const fs::path& python);

// pycache started from inside a venv of its own (uvx's, a venv's bin/pycache
// run by its path) running a project that has no venv: the program children
// should start, outside every venv, since CPython's site makes the venv that
// sys.executable lies in sys.prefix. CACHE/programs/HASH/pycache-python, a
// symlink to `python`'s real path (HASH of that path, so that two installs
// never share a link), in the user's cache directory `cache_dir`, made on
// first use; nullopt when it can't be made, or its directory is not the
// user's alone (trust.md).
std::optional<fs::path> program_link(const fs::path& cache_dir, const fs::path& python);

}  // namespace pycache
