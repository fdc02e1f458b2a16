#pragma once
// The .pyc format and naming, as CPython's importlib defines them
// (Lib/importlib/_bootstrap_external.py, PEP 3147, PEP 488, PEP 552).
// Pure functions: no I/O, no interpreter.
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "pycache/error.hpp"

namespace pycache::pyc {

namespace fs = std::filesystem;

inline constexpr std::size_t kHeaderSize = 16;

enum class Invalidation { Timestamp, CheckedHash, UncheckedHash };
std::string_view to_string(Invalidation mode);  // "timestamp", "checked-hash", "unchecked-hash"
std::optional<Invalidation> parse_invalidation(std::string_view text);

struct Header {
  std::uint16_t magic = 0;  // the magic number (e.g. 3495 for 3.11); bytes 2-3 are always \r\n
  Invalidation mode = Invalidation::Timestamp;
  std::uint32_t source_mtime = 0;             // timestamp pycs: source mtime (seconds, truncated to 32 bits)
  std::uint32_t source_size = 0;              // timestamp pycs: source size (truncated to 32 bits)
  std::array<std::uint8_t, 8> source_hash{};  // hash pycs: importlib.util.source_hash(source)

  bool operator==(const Header&) const = default;
};

// The mtime field of a timestamp pyc for a source modified at `mtime_ns`:
// importlib's int(st_mtime) & 0xFFFFFFFF, where st_mtime is the double
// seconds + nanoseconds * 1e-9 (which can round up to the next second).
std::uint32_t header_mtime(std::int64_t mtime_ns);

// Decodes the first 16 bytes of a pyc. Fewer bytes, a magic not followed by
// \r\n, or unknown flag bits are errors (messages say which).
Result<Header> parse_header(std::string_view bytes);
// The 16 bytes CPython writes for `header`.
std::string format_header(const Header& header);

// importlib.util.source_hash(source) of the CPython whose magic number is
// `magic`: SipHash keyed by the 4-byte magic (\r\n included), SipHash-1-3
// from 3.11 on (`siphash13` true), SipHash-2-4 before; the 8 bytes little-endian.
// No interpreter needed, so any runtime's hash pycs can be checked.
std::array<std::uint8_t, 8> source_hash(std::string_view source, std::uint16_t magic, bool siphash13);
// Whether the CPython of `version` ("3.12.1") hashes sources with SipHash-1-3.
bool uses_siphash13(std::string_view version);

// Whether a header of `magic` records the source's size: from 3.3 on
// (3190), not for Python 2's magic numbers (20000 and up).
bool header_has_size(std::uint16_t magic);

// "3.11" for 3495 and the other final magic numbers of CPython 3.0-3.14
// (and the range of alphas/betas leading to them); nullopt if unknown.
std::optional<std::string> python_version_for_magic(std::uint16_t magic);
// The magic number of the final releases of `major_minor` ("3.12": 3531),
// for 3.8 to 3.13; nullopt for another.
std::optional<std::uint16_t> magic_of_version(std::string_view major_minor);
// The one conversion between versions and cache tags (sys.implementation.cache_tag):
// "cpython-311" for "3.11", "3.11.2" or "3.13t" (a free-threaded build keeps
// its GIL build's tag); empty for what is no X.Y version.
std::string cache_tag_of_version(std::string_view version);
// "3.11" for "cpython-311"; empty for another implementation's tag.
std::string version_of_cache_tag(std::string_view tag);
// The tag of the CPython whose magic number is `magic` ("cpython-38" for a
// legacy pyc, which carries no tag in its name), else "magic-N".
std::string cache_tag_of_magic(std::uint16_t magic);

// What a file name inside a __pycache__ directory is.
enum class CacheKind {
  Pyc,        // NAME.TAG[.opt-N].pyc
  PytestPyc,  // NAME.TAG-pytest-X.Y.Z.pyc (pytest's assertion rewriting)
  TempFile,   // NAME.TAG[.opt-N].pyc.DIGITS (CPython's _write_atomic leftovers)
};
struct CacheName {
  CacheKind kind = CacheKind::Pyc;
  std::string module;  // source stem: "mod" for mod.py
  std::string tag;     // "cpython-311"
  int optimize = 0;    // 0, or N of .opt-N
};
// Parses a file name found in __pycache__; nullopt when it is not bytecode.
std::optional<CacheName> parse_cache_name(std::string_view filename);
// A legacy pyc beside its source (Python 2 style, compileall -b): *.pyc, *.pyo.
bool is_legacy_name(std::string_view filename);

// The file name part of cache_from_source: "mod.cpython-311.opt-1.pyc" for
// "mod.py", with importlib's rules for odd names too ("noext" ->
// "noextcpython-311.pyc", ".hidden" -> "hidden.cpython-311.pyc").
std::string cache_file_name(std::string_view source_name, std::string_view tag, int optimize);

// importlib.util.cache_from_source for an absolute `source` path: the pyc
// under `prefix` mirroring the source's directory, or in __pycache__ beside it
// when `prefix` is empty. Level 0 has no .opt- part.
fs::path cache_from_source(const fs::path& source, std::string_view tag, int optimize, const fs::path& prefix = {});

// The source a pyc belongs to: DIR/__pycache__/NAME.TAG[...].pyc -> DIR/NAME.py,
// PREFIX/abs/dir/NAME.TAG[...].pyc -> /abs/dir/NAME.py (when `prefix` is given
// and contains the pyc); legacy DIR/NAME.pyc -> DIR/NAME.py. nullopt otherwise.
std::optional<fs::path> source_from_cache(const fs::path& pyc, const fs::path& prefix = {});

}  // namespace pycache::pyc
