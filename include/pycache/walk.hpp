#pragma once
// A parallel directory walk over a FileSystem. It never follows symbolic
// links, never leaves the roots, skips VCS internals (.git, .hg, .svn) and
// excluded names, and calls the visitor once per directory from several
// threads at once: the visitor does the per-file work (classify, unlink,
// compile) where the entries are, so no second pass is needed.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pycache/fs.hpp"

namespace pycache {

enum class OneFileSystem { No, Yes };

struct WalkOptions {
  std::vector<std::string> excludes;  // fnmatch globs, tried on each name and on the path relative to its root
  // Yes: never enter another mount, a bind mount of the same file system
  // included (told by mount ID, as find -xdev does).
  OneFileSystem one_file_system = OneFileSystem::No;
  unsigned threads = 0;  // 0: one per core, at most 8
  // Descriptors the walk may use: 0 for what RLIMIT_NOFILE leaves
  // (open_files_available()). The threads are cut to fit, and directories
  // are held open only within it (see Walker).
  std::size_t max_open = 0;
};

// Descriptors this process may still open: RLIMIT_NOFILE's soft limit less
// those open now, less a reserve for everything but a walk (pipes to
// helpers, logs, the files a visitor opens).
std::size_t open_files_available();

struct WalkEntry {
  std::string name;
  FileType type = FileType::Unknown;  // resolved: never Unknown when the visitor sees it
  bool descend = false;               // directories: walk into it afterwards (the visitor may clear it)
};

struct WalkDir {
  fs::path path;                   // the directory
  const fs::path* root = nullptr;  // the root it was reached from
  std::vector<WalkEntry> entries;  // excluded names already removed (empty again in leave())
  unsigned worker = 0;             // index of the calling thread, < thread_count()
  Directory* dir = nullptr;        // `path`, open: for the visitor's calls on its entries
  Directory* parent = nullptr;     // its parent, open (nullptr for "/"): to remove `path` by its name
  std::uint64_t state = 0;         // the visitor's own, handed on to leave()
  std::uint64_t subdirs_left = 0;  // in leave(): subdirectories walked into that are still there
  std::size_t root_index = 0;      // `root`'s index in the roots given to walk()
};

// What a walk skips below one root, besides WalkOptions::excludes (the
// roots are always walked: a PATH the user names is never skipped).
struct SkipRules {
  std::vector<std::string> excludes;  // the project's `exclude` globs, as WalkOptions::excludes
  // The default excludes: a virtual environment (a directory holding
  // pyvenv.cfg), .tox, .nox, node_modules (is_tool_dir) and `ignored`.
  bool defaults = false;
  std::vector<fs::path> ignored;  // gitignored directories: absolute, lexically normal, sorted
};

// A root of a walk. Symbolic links in the directories leading to `path` are
// followed (the user named it), except below `beneath`: from there on each
// component is opened on its own and a link is refused (ELOOP), never
// followed. A mirror inside a cache prefix is walked with beneath = the
// prefix, so that a link planted in the prefix is never a way out of it.
struct WalkRoot {
  fs::path path;
  fs::path beneath;                         // empty: only `path` itself must not be a link
  std::shared_ptr<const SkipRules> skip{};  // nullptr: nothing but WalkOptions::excludes
};

class Walker {
 public:
  using Visitor = std::function<void(WalkDir& dir)>;
  // Called after the visitor, once every subdirectory it walked into has been
  // left, from whichever thread finished last: returns whether the
  // directory itself is gone (the visitor's state in `d.state`).
  using Leaver = std::function<bool(WalkDir& d)>;
  // Called for a directory that could not be listed or an entry that could
  // not be stat'ed; vanished entries (ENOENT) are not reported.
  using ErrorHandler = std::function<void(const fs::path& path, int error)>;

  // The walk holds open the directory each thread visits and each directory
  // not yet left, and every thread may open a few more (a file it reads, a
  // tool cache it removes): the threads are cut so that each has
  // kDescriptorsPerThread of max_open, and the directories held open stay
  // within the rest (a thread waits for others to finish first, unless none
  // is running: one thread always goes on).
  static constexpr std::size_t kDescriptorsPerThread = 8;
  Walker(FileSystem& fs, WalkOptions options);
  // The threads the walk may use; fewer run if the system refuses to start them.
  unsigned thread_count() const { return threads_; }

  // Walks every root. A root that is a regular file is visited as its parent
  // directory holding only that entry; a root that is a symlink is an error
  // (ELOOP: not followed). Returns when all visitors (and leavers) have
  // returned. A directory stays open until it has been left, so that its
  // subdirectories can remove themselves by name from it.
  void walk(const std::vector<WalkRoot>& roots, const Visitor& visit, const ErrorHandler& on_error,
            const Leaver& leave = {});
  void walk(const std::vector<fs::path>& roots, const Visitor& visit, const ErrorHandler& on_error,
            const Leaver& leave = {});

  // Directories listed so far (for progress lines).
  std::uint64_t directories_seen() const { return dirs_seen_.load(std::memory_order_relaxed); }

 private:
  bool excluded(const std::string& name, const fs::path& dir, const fs::path& root, const SkipRules* skip) const;
  FileSystem& fs_;
  WalkOptions options_;
  unsigned threads_;
  std::size_t held_budget_;  // directories held open at most (beyond one thread's way down)
  std::atomic<std::uint64_t> dirs_seen_{0};
};

// True for the names no walk enters: .git, .hg, .svn.
bool is_vcs_dir(std::string_view name);
// True for the directories the default excludes skip by name: .tox, .nox,
// node_modules (and the VCS ones).
bool is_tool_dir(std::string_view name);

// Whether a walk from `root` with `rules` would skip `path` (below `root`)
// or one of the directories leading to it: for a PATH named inside another.
bool skipped_below(FileSystem& fs, const SkipRules& rules, const fs::path& root, const fs::path& path);

// Whether `st` (of `path`) lies in another mount than `root` (of the walk's
// root): another device, or another mount ID where the kernel gives one
// (else /proc/self/mountinfo says whether `path` is a mount point).
bool crosses_mount(const FileStat& root, const FileStat& st, const fs::path& path);

}  // namespace pycache
