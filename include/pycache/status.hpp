#pragma once
// `pycache status`: what bytecode a tree has. The engine walks each root (and
// the cache prefix mirroring it) with the parallel Walker over a FileSystem,
// reads only the 16-byte header and the lstat of each pyc and the lstat of
// each source: it never imports, runs or hashes anything, and never starts
// the interpreter. Formatters return strings; only the command layer prints.
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pycache/fs.hpp"
#include "pycache/git.hpp"
#include "pycache/pyc.hpp"
#include "pycache/resolve.hpp"
#include "pycache/walk.hpp"

namespace pycache::status {

namespace fs = std::filesystem;

// Where a pyc is.
enum class Location {
  PycacheDir,  // DIR/__pycache__/NAME.TAG[.opt-N].pyc, beside its source
  Legacy,      // DIR/NAME.pyc or NAME.pyo, in place of its source (Python 2, compileall -b)
  Prefix,      // PREFIX/abs/source/dir/NAME.TAG[.opt-N].pyc (cache-prefix mirror)
};
inline constexpr std::size_t kLocationCount = 3;
std::string_view to_string(Location location);  // "__pycache__", "legacy", "prefix"

// What a pyc is worth, from its header and the lstat of its source.
enum class State {
  Fresh,       // timestamp pyc: the source's mtime and size match the header
  Stale,       // timestamp pyc: they differ (the source changed since)
  Unverified,  // source present but not compared: a hash pyc (status does not hash
               // sources; `pycache show` does), or a source that is a symlink
  Orphaned,    // the source is gone, and the import system will not load the pyc
  Sourceless,  // legacy NAME.pyc with no NAME.py, no package NAME/ and no extension
               // NAME*.so beside it: `import NAME` loads it (a deleted module lives on)
  Invalid,     // not a pyc (empty, truncated, garbage) or a magic number foreign to its tag
};
inline constexpr std::size_t kStateCount = 6;
std::string_view to_string(State state);  // "fresh", "stale", "unverified", "orphaned", "sourceless", "invalid"

inline constexpr std::size_t kModeCount = 3;  // pyc::Invalidation values

// One PATH of `pycache status` and the policy in force for it.
struct Target {
  fs::path root;                                 // absolute, lexically normal directory
  PolicyResolution policy;                       // cache-prefix, write-bytecode, optimize come from here
  std::optional<std::uint64_t> prefix_max_size;  // the prefix's size limit, when the policy sets one
  std::shared_ptr<const SkipRules> skip{};       // what the walk skips below root (excludes.hpp)
};

enum class Strict { No, Yes };

struct Options {
  std::vector<Target> targets;
  std::string current_tag;  // the project's Python's cache tag ("cpython-311")
  WalkOptions walk;         // excludes, threads
  // No: in-tree bytecode against the policy that git ignores and does not
  // track (what any plain `python` run leaves) is no finding; Yes: it is.
  Strict strict = Strict::No;
};

// Pycs counted together: one row of the table.
struct GroupKey {
  Location location = Location::PycacheDir;
  std::string tag;   // "cpython-311"; legacy pycs (whose name has no tag): from the magic, "cpython-38", or "magic-N"
  int optimize = 0;  // N of .opt-N (legacy .pyo: 1)
  bool pytest = false;  // pytest's rewritten NAME.TAG-pytest-X.Y.Z.pyc
  // clang-tidy 14 takes the 0 its defaulted <=> compares with for a null pointer.
  // NOLINTNEXTLINE(modernize-use-nullptr)
  auto operator<=>(const GroupKey&) const = default;
};
struct Group {
  GroupKey key;
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
  std::array<std::uint64_t, kStateCount> states{};
  std::array<std::uint64_t, kModeCount> modes{};  // by pyc::Invalidation, for pycs with a valid header
};

// A pyc worth naming in the report.
struct Notable {
  fs::path path;
  std::string detail;  // "Python 3.8", "truncated pyc: ..."
};

// The sources of the root against the pycs this policy would use.
struct Expected {
  Location location = Location::PycacheDir;  // PycacheDir, or Prefix when the policy sets one
  std::string tag;
  int optimize = 0;
  std::uint64_t sources = 0;   // .py files in the tree
  std::uint64_t compiled = 0;  // of them, with a pyc where the policy puts it
  // Of the others, those whose only pyc there is pytest's rewritten
  // NAME.TAG-pytest-X.Y.Z.pyc of this tag: test modules only pytest imported
  // (pytest's cache, not a missing pyc). Missing: sources - compiled - pytest_only.
  std::uint64_t pytest_only = 0;
  std::array<std::uint64_t, kStateCount> states{};  // states of those pycs
};

struct PrefixUsage {
  fs::path path;
  bool exists = false;
  std::uint64_t files = 0;  // every regular file in the prefix, ours or not
  std::uint64_t bytes = 0;
  std::optional<std::uint64_t> max_size;
};

struct GitReport {
  fs::path work_tree;
  std::string error;                      // git could not answer (not installed, dubious ownership, ...)
  std::vector<fs::path> tracked;          // bytecode in the index under the root
  std::vector<fs::path> tracked_ignored;  // of them, covered by the ignore rules (still tracked: `git rm --cached`)
  std::vector<fs::path> unignored;        // untracked in-tree bytecode the ignore rules miss (`git add .` takes it)
  bool ignores_pycache = false;           // a new ROOT/__pycache__/NAME.TAG.pyc would be ignored
  bool ignores_legacy = false;            // a new ROOT/NAME.pyc would be ignored
  // When the cache prefix lies in the work tree: whether a new pyc in its
  // mirror of ROOT would be ignored (`git add .` takes it if not).
  std::optional<bool> ignores_prefix;
};

struct RootStatus {
  Target target;
  std::vector<Group> groups;  // sorted: location, current tag first, then tag, optimize
  Expected expected;
  std::uint64_t temp_files = 0;  // CPython's NAME.pyc.DIGITS leftovers (in __pycache__ or the prefix mirror)
  std::uint64_t temp_bytes = 0;
  std::vector<Notable> sourceless;     // importable legacy pycs without a source
  std::vector<Notable> invalid;        // unreadable or foreign headers
  std::vector<Notable> bytecode_dirs;  // in-tree __pycache__ dirs holding bytecode; detail: "N files"
  std::vector<Notable> legacy;         // every legacy pyc in the tree
  // Names `import` would open as a pyc held by a symlink, a FIFO, a socket or
  // a device (never opened by status): import can block on it or never end
  // reading it. Detail: what it is.
  std::vector<Notable> not_regular;
  std::optional<PrefixUsage> prefix;  // when the policy sets a cache prefix
  std::optional<GitReport> git;       // when the root is in a git work tree
};

// What `--check` fails on.
enum class FindingKind {
  Tracked,           // bytecode tracked by git
  Sourceless,        // an importable legacy pyc whose source is gone
  BytecodeInTree,    // in-tree bytecode although the policy writes none there
  PrefixNotIgnored,  // the cache prefix is in the git work tree and the ignore rules miss its pycs
  NotRegular,        // a pyc name held by a symlink, FIFO, socket or device (RootStatus::not_regular)
  Unreadable,        // part of the tree could not be read: findings may be missing
};
// "tracked", "sourceless", "bytecode-in-tree", "prefix-not-ignored", "not-regular", "unreadable"
std::string_view to_string(FindingKind kind);

struct Finding {
  FindingKind kind;
  fs::path path;
  std::string detail;
};

struct WalkError {
  fs::path path;
  int error = 0;  // errno
};

struct Report {
  std::string current_tag;  // Options::current_tag
  std::vector<RootStatus> roots;
  std::vector<WalkError> errors;
  std::vector<Finding> findings;  // check(*this), sorted by kind then path
};

// Walks and classifies. `git` may be null (no git questions asked).
Report collect(FileSystem& fs, const Options& options, git::Git* git);

// Git's answers for one root of the work tree `work_tree`: the bytecode
// it tracks under the root, which of `in_tree` (the bytecode the walk found
// in the tree) the ignore rules miss, and whether they cover new bytecode in
// a __pycache__, beside the sources and, when the root's cache prefix lies
// in the work tree, in the prefix's mirror of the root. One
// `tracked_bytecode` and one `ignored` batch; git's failure is
// GitReport::error.
GitReport ask_git(git::Git& git, const fs::path& work_tree, const RootStatus& root, std::vector<fs::path> in_tree,
                  std::string_view current_tag);

// ---- what --check fails on (launcher/core/status_check.cpp) ----

// The --check findings of a report:
//  - tracked: every bytecode file in git's index under a root;
//  - sourceless: every State::Sourceless legacy pyc;
//  - bytecode-in-tree: when a root's policy sets a cache prefix (the import
//    system then never reads __pycache__) or write-bytecode = false, each
//    __pycache__ directory holding bytecode and each legacy pyc in the tree;
//  - prefix-not-ignored: a cache prefix in the work tree whose pycs the
//    ignore rules miss (GitReport::ignores_prefix false);
//  - not-regular: every RootStatus::not_regular entry;
//  - unreadable: each directory or file the walk could not read.
std::vector<Finding> check(const Report& report, Strict strict = Strict::No);

// ---- formatters (launcher/core/status_format.cpp) ----

enum class Color { No, Yes };
// A compact table per root, the policy with its origins, git and the prefix.
std::string format_human(const Report& report, Color color);
// The findings, one line each: "KIND  PATH: DETAIL", paths relative to
// `base` when under it; then one summary line.
std::string format_findings(const Report& report, const fs::path& base, Color color);
// The whole report as JSON, findings included (docs/reference/json.md, "schema": 1).
std::string format_json(const Report& report);

// The size limit of the prefix from the policy, if prefix-max-size is set
// (> 0); nullopt otherwise.
std::optional<std::uint64_t> prefix_max_size(const Policy& policy);

// Bytes as people read them: "512 B", "1.5 kB", "173.2 MB" (powers of 1000).
std::string format_bytes(std::uint64_t bytes);

}  // namespace pycache::status
