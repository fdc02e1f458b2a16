#pragma once
// What an ELF file says about how it is loaded, read without starting it:
// the libraries it needs and where it asks the loader to look for them. A
// small reader of ELF64 little-endian files (Linux on x86-64, aarch64...),
// not a general one: every read is bounded by the file's size and by caps,
// so a truncated, corrupted or hostile file is "not an ELF file", never a
// crash, a hang or a large allocation.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pycache/error.hpp"

namespace pycache::elf {

namespace fs = std::filesystem;

// Larger files are refused without reading them (libpython with its debug
// information is about 30 MB).
inline constexpr std::uint64_t kMaxFileSize = std::uint64_t{1} << 30;

// A range of the file: where a section's bytes are.
struct Range {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

struct DynamicInfo {
  bool dynamic = false;              // has a PT_DYNAMIC segment: false for a static executable
  std::vector<std::string> needed;   // DT_NEEDED, in order
  std::vector<std::string> runpath;  // DT_RUNPATH's directories, $ORIGIN and ${ORIGIN} expanded
  std::vector<std::string> rpath;    // DT_RPATH's, the same (the loader ignores them when runpath is set)
  std::string soname;                // DT_SONAME, empty when none
  Range rodata;                      // the .rodata section (size 0 when there are no section headers)
  std::uint64_t file_size = 0;
};

// Reads `file`: a regular file (opened non-blocking, so a FIFO never hangs;
// with Links::DontFollow, a symbolic link is refused), at most kMaxFileSize,
// an ELF64 little-endian executable or shared object. `origin` is what
// $ORIGIN stands for: the directory of the file as the loader sees it (the
// real path's). The dynamic entries are read through PT_DYNAMIC and DT_STRTAB
// mapped through the PT_LOAD segments, as the loader reads them, so stripped
// section headers do not matter. Error (kExitEnvironment): "not an ELF file",
// "not an ELF file: truncated program headers", "not a regular file", or why
// it could not be opened.
enum class FollowLinks { Yes, No };
Result<DynamicInfo> read_dynamic(const fs::path& file, const fs::path& origin, FollowLinks links = FollowLinks::Yes);

// Whether the loader can map `file` (a shared object about to be dlopen'ed)
// without faulting: an ELF file (as read_dynamic reads it) whose PT_LOAD
// segments all lie within it. A file cut short (a partial copy, a full
// disk) maps pages past its end, and the loader's first touch of them is a
// SIGBUS. Error (kExitEnvironment): read_dynamic's, or "not an ELF file:
// truncated (...)".
std::optional<Error> check_segments(const fs::path& file);

// The directories of a DT_RUNPATH/DT_RPATH value ("$ORIGIN/../lib:/opt/lib"),
// with $ORIGIN and ${ORIGIN} replaced by `origin`; empty entries left out.
std::vector<std::string> split_search_path(std::string_view value, const fs::path& origin);

// The CPython version string compiled into `file` (a libpython, or a
// statically linked python): the one "MAJOR_MINOR.N" (with an optional
// pre-release "a1", "b2", "rc1" and "+") that ends with a NUL in its
// read-only data, where PY_VERSION is (the linker may have merged it into
// the end of a longer string, "/opt/python-3.12.1"). Empty when there is
// none, or several that disagree. Reads at most 64 MiB of `range`.
std::string scan_version(const fs::path& file, Range range, std::string_view major_minor);

}  // namespace pycache::elf
