#pragma once
// `pycache clean`: the engine, over a FileSystem so that it is unit-tested on
// an in-memory fake. It walks with the parallel Walker, classifies every file
// by name (never by reading it) and removes only bytecode:
//   - inside __pycache__: NAME.TAG[.opt-N].pyc, pytest's NAME.TAG-pytest-X.Y.Z.pyc
//     and CPython's leftover temp files NAME.TAG.pyc.DIGITS;
//   - beside sources: legacy NAME.pyc / NAME.pyo;
//   - in a cache prefix: the same cache names, mirrored without __pycache__;
// then the __pycache__ directories (and prefix directories) left empty.
// Tool caches ("debris") are removed only when asked for. Symbolic links are
// never followed, a walk never leaves its roots, and a file that appears or
// vanishes meanwhile (ENOENT) is not an error. The engine never prints:
// formatters return strings, events go to callbacks.
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pycache/error.hpp"
#include "pycache/fs.hpp"
#include "pycache/walk.hpp"

namespace pycache::clean {

namespace fs = std::filesystem;

enum class DryRun { No, Yes };
enum class Stale { No, Yes };          // only bytecode that can no longer be used
enum class OtherVersions { No, Yes };  // also pycs whose tag is not one of the current tags
enum class Orphans { No, Yes };        // prefix: pycs whose source is gone
enum class Listing { No, Yes };        // keep each removal in the Summary (for --verbose, --dry-run, --json)

// Tool caches that --debris removes (a bit set).
enum Debris : unsigned {
  kDebrisPytest = 1u << 0,      // .pytest_cache/
  kDebrisMypy = 1u << 1,        // .mypy_cache/
  kDebrisRuff = 1u << 2,        // .ruff_cache/
  kDebrisHypothesis = 1u << 3,  // .hypothesis/
  kDebrisCoverage = 1u << 4,    // .coverage, .coverage.* (files)
  kDebrisTox = 1u << 5,         // .tox/ (only when named: it holds whole virtualenvs)
};
inline constexpr unsigned kDebrisDefault =
    kDebrisPytest | kDebrisMypy | kDebrisRuff | kDebrisHypothesis | kDebrisCoverage;
// "pytest,mypy,tox" -> bits; "" and "default" -> kDebrisDefault, "all" adds tox.
// Unknown names are usage errors.
Result<unsigned> parse_debris(std::string_view kinds);
// The debris kind a directory entry is, or 0. `directory`: the entry is one.
unsigned debris_kind(std::string_view name, bool directory);

// A PATH of the tree clean and the cache prefix in force for it.
struct Target {
  fs::path path;    // absolute, lexically normal
  fs::path prefix;  // absolute, "" when the policy has none
  // What the walk of the tree skips (excludes.hpp). The mirror in the prefix
  // is cleaned whole: what it holds is pycache's own.
  std::shared_ptr<const SkipRules> skip{};
};

struct Options {
  // Tree clean (the default): each PATH, and its mirror inside its prefix.
  std::vector<Target> targets;
  // Prefix upkeep (--prefix): whole prefix trees; `targets` is then unused.
  std::vector<fs::path> prefixes;

  DryRun dry_run = DryRun::No;
  Listing listing = Listing::No;
  Stale stale = Stale::No;
  OtherVersions other_versions = OtherVersions::No;
  std::vector<std::string> current_tags;  // tags that are not "other versions" ("cpython-311")
  unsigned debris = 0;                    // tree clean only

  // Prefix upkeep selectors. With none of them and no max_size, every pyc goes.
  Orphans orphans = Orphans::No;
  std::optional<std::int64_t> older_than_ns;  // last use (max of atime and mtime) older than now - this
  std::optional<std::uint64_t> max_size;      // then evict least recently used until the rest fits
  std::int64_t now_ns = 0;                    // the clock for older_than_ns

  WalkOptions walk;  // excludes, one file system, threads
};

// Why a file or directory went.
enum class Reason : std::uint8_t {
  Bytecode,      // a cache pyc (tree clean, mirror, or emptied prefix)
  PytestPyc,     // pytest's rewritten pyc
  TempFile,      // NAME.pyc.DIGITS left by an interrupted write
  Legacy,        // NAME.pyc / NAME.pyo beside the sources
  Orphaned,      // its source is gone
  OtherVersion,  // another interpreter's tag
  Sourceless,    // legacy pyc without NAME.py: would be imported in its place
  Unused,        // not used for longer than --older-than
  Evicted,       // least recently used beyond --max-size
  Debris,        // a tool cache (file, or a directory with everything in it)
  EmptyDir,      // a __pycache__ or prefix directory left empty
};
inline constexpr std::size_t kReasonCount = 11;
std::string_view to_string(Reason reason);  // "bytecode", "pytest", "temp", ...

struct Removal {
  fs::path path;
  Reason reason = Reason::Bytecode;
  bool directory = false;
  std::uint64_t bytes = 0;  // file size; for a debris directory, everything in it
};

struct Problem {
  fs::path path;
  std::string action;  // "read", "remove", "stat"
  int error = 0;       // errno
};

// A directory kept because it holds entries that are not bytecode, or
// because it is a mount point: clean never empties another mount's tool cache
// nor removes a mount point.
struct Kept {
  fs::path path;
  std::uint64_t others = 0;  // entries that are not bytecode (files, links, directories)
  bool mount_point = false;
};

struct Counts {
  std::uint64_t files = 0;  // files removed (or that would be)
  std::uint64_t dirs = 0;   // directories removed (or that would be)
  std::uint64_t bytes = 0;  // bytes freed (apparent sizes)
};

struct Summary {
  Counts total;
  std::array<std::uint64_t, kReasonCount> by_reason{};  // files and dirs per Reason
  std::vector<Removal> removed;                         // with Listing::Yes, sorted by path
  std::vector<Kept> kept;                               // sorted by path
  std::vector<Problem> problems;                        // sorted by path
  std::uint64_t kept_bytecode = 0;                      // bytecode files left in place (--stale, prefix upkeep)
  std::uint64_t prefix_bytes_left = 0;                  // prefix upkeep: bytes of bytecode still in the prefixes
  double seconds = 0;
  bool failed() const { return !problems.empty(); }
};

// Called as things happen, from the walking threads. `problem` and `kept`
// come one call at a time (the engine serialises them); `removed`, the hot
// one, may be called from several threads at once, so that formatting a
// listing does not serialise the walk: the callee synchronises its output.
// Any of them may be empty.
struct Events {
  std::function<void(const Removal&)> removed;
  std::function<void(const Problem&)> problem;
  std::function<void(const Kept&)> kept;
};

class Cleaner {
 public:
  Cleaner(FileSystem& fs, Options options, Events events = {});
  ~Cleaner();
  Cleaner(const Cleaner&) = delete;
  Cleaner& operator=(const Cleaner&) = delete;

  // Does the whole clean (or dry run), once per Cleaner. Problems are in the
  // Summary; the walk goes on past them.
  Summary run();
  // Counts so far, from any thread (for a progress line).
  Counts progress() const;
  std::uint64_t directories_seen() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The mirror of `path` inside `prefix`: prefix/path-without-leading-slash.
fs::path mirror_of(const fs::path& path, const fs::path& prefix);

// Output. `verbose` lines: "removed PATH" / "would remove PATH", with a
// trailing "/" for directories and unprintable bytes escaped.
std::string format_removal(const Removal& removal, DryRun dry_run);
std::string format_problem(const Problem& problem);  // "cannot remove 'PATH': Permission denied"
// "kept 'DIR': 2 entries not bytecode", "kept 'DIR': a mount point"
std::string format_kept(const Kept& kept);
// The human summary: what went (files, dirs, bytes, time), what was kept.
std::string format_summary(const Summary& summary, const Options& options);
// One JSON object (and a newline): counts, reasons, kept, problems, removals if listed.
std::string format_json(const Summary& summary, const Options& options);
// One progress line, without newline: "cleaning: 1,234 dirs, 5,678 files, 12.3 MB".
std::string format_progress(const Counts& counts, std::uint64_t dirs_seen, DryRun dry_run);

}  // namespace pycache::clean
