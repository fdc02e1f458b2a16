#pragma once
// `pycache show FILE`: what is in one pyc (header decoded, checked against its
// source), or where one source's pycs live under the policy. Over a
// FileSystem; the source hash of hash-based pycs comes through an injected
// function (the embedded interpreter's importlib.util.source_hash in the
// program, a fake in unit tests). Formatters return strings.
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pycache/error.hpp"
#include "pycache/fs.hpp"
#include "pycache/pyc.hpp"

namespace pycache::show {

namespace fs = std::filesystem;

using SourceHash = std::array<std::uint8_t, 8>;

struct Context {
  FileSystem* fs = nullptr;
  fs::path prefix;                          // the cache prefix in force ("" for none)
  std::string check_hash_pycs = "default";  // the policy's check-hash-based-pycs
  std::string tag;                          // the embedded interpreter's cache tag ("cpython-311")
  std::uint16_t magic = 0;                  // and its magic number
  // importlib.util.source_hash as the CPython of `magic` computes it;
  // nullopt (or no function): hash pycs are reported as unverifiable, the
  // error string saying why.
  std::function<std::optional<SourceHash>(std::string_view source, std::uint16_t magic, std::string& error)> hash;
};

// Whether a pyc is fresh for its source now.
enum class Freshness {
  Fresh,         // timestamp: mtime and size match; hash: the source's hash matches
  Stale,         // they differ
  Orphaned,      // the source it belongs to does not exist
  Unknown,       // which source it belongs to is not known (a prefix pyc, prefix not given)
  Unverifiable,  // hash pyc of another Python (its hash is keyed by that magic), or unreadable source
};
std::string_view to_string(Freshness f);  // "fresh", "stale", "orphaned", "unknown", "unverifiable"

struct PycReport {
  fs::path path;
  std::uint64_t size = 0;
  pyc::Header header;
  std::optional<std::uint32_t> flags;  // the raw flags word (PEP 552 layout, 3.7+)
  std::optional<std::string> python;   // "3.11" for the magic, if known
  bool loadable = false;               // the magic is the embedded interpreter's
  std::optional<fs::path> source;      // the source it belongs to
  Freshness freshness = Freshness::Unknown;
  std::string detail;                     // why, in words
  std::optional<SourceHash> actual_hash;  // hash pycs: the source's hash now, when computed
  bool checked_at_import = true;          // does the import system check it under the policy?
  std::string checked_why;
};

// Reads the header of `pyc` and checks it against its source. Errors
// (kExitFailure) for an unreadable, empty, truncated or garbage file, one line;
// kExitUsage when `pyc` does not exist or is a directory.
Result<PycReport> inspect_pyc(const Context& ctx, const fs::path& pyc);

struct LevelReport {
  int optimize = 0;
  fs::path path;  // where the policy puts the pyc of this level
  bool exists = false;
  int stat_error = 0;         // the lstat's errno when it does not exist or can't be stat'ed (ENOENT: absent)
  bool policy_level = false;  // the level the policy runs at
  std::optional<PycReport> report;
  std::string error;  // exists but could not be decoded
};

struct SourceReport {
  fs::path source;
  bool exists = false;
  int stat_error = 0;  // the lstat's errno when it does not exist or can't be stat'ed (ENOENT: absent)
  std::string tag;
  fs::path prefix;
  std::vector<LevelReport> levels;  // optimization levels 0, 1, 2
  std::vector<fs::path> others;     // other pycs of this source: other tags, the
                                    // location the policy does not use, legacy NAME.pyc
};

// Where the pycs of `source` (absolute) live under the policy, for each level,
// and the report of each that exists. A missing source is not an error (its
// pycs may be orphans worth seeing).
SourceReport inspect_source(const Context& ctx, const fs::path& source, int policy_optimize);

// "2024-05-01 12:00:00 UTC" for a pyc's 32-bit mtime field.
std::string format_time(std::uint32_t seconds);
std::string hex(const SourceHash& h);

std::string format_pyc(const PycReport& r);
std::string format_pyc_json(const PycReport& r, const std::optional<std::string>& disassembly);
std::string format_source(const SourceReport& r);
std::string format_source_json(const SourceReport& r, const std::optional<std::string>& disassembly);

}  // namespace pycache::show
