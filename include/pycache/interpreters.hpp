#pragma once
// The CPython interpreters of this machine, found when pycache runs, as uv
// finds them, and described without starting any: a start costs as much as
// the program it would run. What the files say is enough: the name, the
// layout beside the binary (the prefix getpath would find, patchlevel.h),
// the binary's ELF dynamic section (does it link libpython, and which). What
// must be computed (a version read out of a libpython) is cached, keyed by
// the files' identity.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pycache/elf.hpp"
#include "pycache/error.hpp"
#include "pycache/getpath.hpp"
#include "pycache/policy_sources.hpp"
#include "pycache/trust.hpp"

namespace pycache::interpreters {

// The DT_SONAME pycache's own programs carry (pycache-embedded and the
// static runtimes, launcher/CMakeLists.txt): a file that has it is no
// interpreter, whatever its name (a venv's python3.X linked to pycache-python).
inline constexpr std::string_view kProgramSoname = "pycache.program";

namespace fs = std::filesystem;

// A file's identity: the same bytes while all four agree.
struct FileId {
  std::uint64_t dev = 0, ino = 0, size = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileId&) const = default;
};
// The identity of `file` (links followed); nullopt when it can't be stat'ed.
std::optional<FileId> file_id(const fs::path& file);

// Where discover() found an interpreter, in its order.
enum class Place { Given, Uv, Pyenv, Path, UsrLocal, Usr };
// "uv", "pyenv", "PATH", "/usr/local/bin", "/usr/bin"; "given" for inspect().
std::string_view place_name(Place place);

// How the full version was learnt: the install's include/python3.X/patchlevel.h,
// its directory's name (pyenv's versions/3.12.1, uv's cpython-3.12.1-...),
// the PY_VERSION string compiled into its libpython (or its static binary),
// or not at all (only "3.12" is known).
enum class VersionSource { Header, DirectoryName, Binary, MinorOnly };
std::string_view version_source_name(VersionSource source);  // "patchlevel.h", "directory name", "binary", "name"

// How the interpreter holds CPython: Shared links libpython (DT_NEEDED),
// Static has it linked in.
enum class Link { Static, Shared };

struct Interpreter {
  fs::path path;                  // as found (or given): /usr/bin/python3
  fs::path real;                  // its real path: /usr/bin/python3.11
  std::vector<fs::path> aliases;  // other paths found that are the same file (discover)
  Place place = Place::Given;
  std::string major_minor;  // "3.12" ("3.13" for a free-threaded 3.13t)
  bool free_threaded = false;
  std::string version;  // "3.12.1", or major_minor when it can't be known without running it
  VersionSource version_source = VersionSource::MinorOnly;
  fs::path prefix;       // where getpath finds lib/python3.X[t]/os.py searching up from real's directory; empty: none
  fs::path stdlib;       // prefix/lib/python3.X[t]; empty with prefix
  elf::DynamicInfo elf;  // the binary's dynamic section
  Link link = Link::Static;
  // The install's shared libpython, absolute: the DT_NEEDED libpython through
  // DT_RUNPATH (or DT_RPATH), else PREFIX/lib/libpython3.X[t].so.1.0, else
  // PREFIX/lib/<multiarch>/ (Debian's /usr/lib/x86_64-linux-gnu). Empty: none.
  fs::path libpython;
  FileId id;                // the real binary's identity
  std::uint32_t owner = 0;  // the real binary's owner
  // Why pycache must never load or run it ("it is owned by nobody (uid
  // 65534), not by you or root", "its libpython '...': ..."): the binary, the
  // link found, the directories on the way, its libpython or its standard
  // library belong to another user than you and root, or sit in a directory
  // anyone can write. nullopt: it may be used.
  std::optional<std::string> refused;

  // "3.12", "3.13t": what --python takes.
  std::string name() const { return major_minor + (free_threaded ? "t" : ""); }
};

// "Python 3.12.1 found in pyenv"; "Python 3.12.1" for one given by its path
// (--python PATH, a venv's home), for the reports.
std::string found_text(const Interpreter& in);

// The versions read out of binaries, kept in one file keyed by the
// identities of the binary and of the file scanned. The file is read only
// when it is a regular file of the user's, at most 256 KiB; an entry that
// does not parse, or whose identities differ, is ignored. save() writes it
// atomically (a temp file renamed), mode 0600, when something was added.
class VersionCache {
 public:
  // An empty path keeps nothing between runs.
  explicit VersionCache(fs::path file = {});
  // $XDG_CACHE_HOME/pycache/interpreters-v1, else $HOME/.cache/pycache/...;
  // empty when neither is an absolute path.
  static fs::path default_file(const EnvLookup& env);
  std::optional<std::string> find(const FileId& binary, const FileId& scanned);
  void remember(const FileId& binary, const FileId& scanned, const std::string& version);
  // Writes the file if something was remembered; false when that failed.
  bool save();
  // How many binaries were scanned for their version (the misses), for tests.
  std::size_t scans = 0;

 private:
  void load();
  struct Entry {
    FileId binary, scanned;
    std::string version;
  };
  fs::path file_;
  bool loaded_ = false, dirty_ = false;
  std::vector<Entry> entries_;
};

// Describes the interpreter at `path` (a symbolic link is followed, and
// judged too). Error (kExitEnvironment) when it is no CPython 3 interpreter
// this can describe: "'/x/python3': not an ELF file" (a shell script such as
// pyenv's shims), not a regular file, a python3 whose minor version neither
// its real name, its libpython nor its layout tells. `cache` may be null.
Result<Interpreter> inspect(const fs::path& path, const Trust& trust, VersionCache* cache);

struct Discovery {
  std::vector<Interpreter> found;  // in discover()'s order, one per file
  // Candidates that are not interpreters, and why ("'/root/.pyenv/shims/python3.12': not an ELF file").
  std::vector<std::string> skipped;
};

// Every interpreter of the machine, in uv's order of places (a project's
// venv aside): uv's managed Pythons ($UV_PYTHON_INSTALL_DIR, else
// $XDG_DATA_HOME/uv/python, else $HOME/.local/share/uv/python: each
// cpython-* directory's bin/python3.X[t]), pyenv's ($PYENV_ROOT, else
// $HOME/.pyenv: versions/*/bin/python3.X[t]), the absolute directories of
// PATH (python3.X[t], then python3), /usr/local/bin, /usr/bin. Newest
// version first within a directory. One entry per file (device and inode of the
// real file), at the first place it was found; its other paths are its
// aliases. Refused interpreters are listed, with why. The cache is saved.
// With `only` ("3.12", "3.13t"), for a run that needs one: only files that
// can be that interpreter are looked at (python3.12 and python3 in each
// directory, none listed), only that interpreter is kept, and the search
// stops at the first that may be used (after the refused ones before it).
Discovery discover(const EnvLookup& env, const Trust& trust, VersionCache* cache, std::string_view only = {});

// What getpath.cpp's path_inputs() needs of `interpreter`'s install: its
// prefix and standard library, their names for its version, and its
// _sysconfigdata_*.py (the first in the stdlib) with its size. A few reads.
PythonInstall install_of(const Interpreter& interpreter);

}  // namespace pycache::interpreters
