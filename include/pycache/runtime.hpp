#pragma once
// The runtimes of this build: one pycache-pythonX.Y program per CPython it
// embeds, side by side in one bin/ directory. Every program carries the whole
// table (from the configure) and knows which runtime it is itself.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "pycache/getpath.hpp"

namespace pycache::runtime {

namespace fs = std::filesystem;

struct Runtime {
  std::string_view name;         // "3.12", "3.13t": what --python takes and the program's name ends with
  std::string_view version;      // "3.12.1" at build time
  std::string_view major_minor;  // "3.12"
  bool free_threaded;
  std::string_view cache_tag;         // "cpython-312"
  std::uint16_t magic;                // 3531
  std::string_view interpreter;       // the python it was built from, as configured
  std::string_view interpreter_real;  // its real path
  long long interpreter_mtime;        // that binary's mtime (s) and size at build time
  long long interpreter_size;
  std::string_view build_version;  // its sys.version
  std::string_view link;           // "static" or "shared"
  std::string_view libpython;      // the library it links
  std::string_view prefix, exec_prefix, stdlib;
  std::string_view lib_name, zip_name, sysconfigdata;
  std::uint64_t sysconfigdata_size;

  // "pycache-python3.12": the program, in the same directory as every other.
  std::string program() const;
  PythonInstall install() const;
};

// Every runtime of this build, the default one first; none in a build of
// pycache-embedded alone (PYCACHE_PYTHONS=none: the packages').
std::span<const Runtime> all();
// The runtime this program embeds; for pycache-embedded, which embeds none
// (embed::has_builtin_runtime), the default runtime's row, for what needs a
// row (the default choice, the --version text); nullptr when the build has
// no runtime.
const Runtime* self();
// Whether this program is `r`'s own: false for every runtime in pycache-embedded.
bool is_self(const Runtime& r);

// The runtime for a request: "3.12", "3.12.1" (that version's runtime, which
// must be that patch release), "3.13t"; nullptr when there is none.
const Runtime* find(std::string_view request);

// Where `r`'s program is: this program itself for self(), else its sibling
// in this program's directory; nullopt when it is not installed there.
std::optional<fs::path> program_path(const Runtime& r);

// "3.10, 3.11, 3.12 and 3.13": the runtimes present, for messages.
std::string available_names();

}  // namespace pycache::runtime
