#pragma once
// A parallel directory walk over a FileSystem. It never follows symbolic
// links, never leaves the roots, skips VCS internals (.git, .hg, .svn) and
// excluded names, and calls the visitor once per directory from several
// threads at once: the visitor does the per-file work (classify, unlink,
// compile) where the entries are, so no second pass is needed.
#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "pycache/fs.hpp"

namespace pycache {

enum class OneFileSystem { No, Yes };

struct WalkOptions {
  std::vector<std::string> excludes;  // fnmatch globs, tried on each name and on the path relative to its root
  OneFileSystem one_file_system = OneFileSystem::No;
  unsigned threads = 0;  // 0: one per core, at most 8
};

struct WalkEntry {
  std::string name;
  FileType type = FileType::Unknown;  // resolved: never Unknown when the visitor sees it
  bool descend = false;               // directories: walk into it afterwards (the visitor may clear it)
};

struct WalkDir {
  fs::path path;                   // the directory
  const fs::path* root = nullptr;  // the root it was reached from
  std::vector<WalkEntry> entries;  // excluded names already removed
  unsigned worker = 0;             // index of the calling thread, < thread_count()
  Directory* dir = nullptr;        // `path`, open: for the visitor's calls on its entries
};

class Walker {
 public:
  using Visitor = std::function<void(WalkDir& dir)>;
  // Called for a directory that could not be listed or an entry that could
  // not be stat'ed; vanished entries (ENOENT) are not reported.
  using ErrorHandler = std::function<void(const fs::path& path, int error)>;

  Walker(FileSystem& fs, WalkOptions options);
  unsigned thread_count() const { return threads_; }

  // Walks every root. A root that is a regular file is visited as its parent
  // directory holding only that entry; a root that is a symlink is an error
  // (ELOOP: not followed). Returns when all visitors have returned.
  void walk(const std::vector<fs::path>& roots, const Visitor& visit, const ErrorHandler& on_error);

  // Directories listed so far (for progress lines).
  std::uint64_t directories_seen() const { return dirs_seen_.load(std::memory_order_relaxed); }

 private:
  bool excluded(const std::string& name, const fs::path& dir, const fs::path& root) const;
  FileSystem& fs_;
  WalkOptions options_;
  unsigned threads_;
  std::atomic<std::uint64_t> dirs_seen_{0};
};

// True for the names no walk enters: .git, .hg, .svn.
bool is_vcs_dir(std::string_view name);

}  // namespace pycache
