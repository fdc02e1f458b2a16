#pragma once
// An in-memory FileSystem for unit tests: a map from absolute path to node,
// with failures that can be injected per path and operation. As the kernel
// does, a call by path follows the symbolic links among the directories
// leading to its last component, and a Directory is a handle: it keeps
// naming the same directory (by inode) when that is renamed, and a symlink
// put in its place is not followed through it.
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "pycache/fs.hpp"

namespace pycache::test {

class FakeFileSystem : public FileSystem {
 public:
  struct Node {
    FileType type = FileType::Regular;
    std::string content;  // files; symlink target for symlinks
    std::int64_t mtime_ns = 0;
    std::int64_t atime_ns = 0;
    std::uint64_t device = 1;
    std::uint32_t mode = 0644;
    std::uint64_t inode = 0;     // unique per node, given on creation
    std::uint64_t mount_id = 0;  // 0: the same as `device` (a bind mount sets another one)
    std::uint32_t owner = 0;
  };
  enum class Op { List, Lstat, Unlink, Rmdir, Read, MakeDir, Write, Stat, Access };

  // Builders: parents are created as directories.
  void add_dir(const fs::path& p, std::uint64_t device = 1);
  // A directory on the same device as its parent but in another mount (a bind mount).
  void add_mount(const fs::path& p, std::uint64_t mount_id);
  void add_file(const fs::path& p, std::string content = {}, std::int64_t mtime_ns = 0);
  void add_symlink(const fs::path& p, const fs::path& target);
  // A FIFO (FileType::Other): reading it fails the test (EDEADLK), as a real
  // one would block the reader.
  void add_fifo(const fs::path& p);
  // Sets the times lstat reports (e.g. an old atime for LRU tests).
  void set_times(const fs::path& p, std::int64_t mtime_ns, std::int64_t atime_ns);
  // Makes listings give `p` as `type` whatever it is: what a directory read
  // just before `p` was replaced shows (the race between listing and probe).
  void list_as(const fs::path& p, FileType type);
  // Makes `op` on `p` fail with `err` from now on.
  void fail(Op op, const fs::path& p, int err);
  // Calls `hook` once, right after the next read of `p` (by path or through
  // a Directory): the moment another process would swap what was read.
  void on_read(const fs::path& p, std::function<void()> hook);
  // rename(2): `from` and everything below it move to `to`, inodes kept.
  void rename(const fs::path& from, const fs::path& to);

  bool exists(const fs::path& p) const;
  const Node* node(const fs::path& p) const;
  std::set<fs::path> paths() const;  // every path, sorted
  // Calls made that changed the tree, in order: "unlink /a/b", "rmdir /a".
  std::vector<std::string> mutations() const;
  // Directory handles open now, and the most that were open at once.
  std::size_t open_handles() const { return open_handles_.load(); }
  std::size_t peak_open_handles() const { return peak_open_handles_.load(); }
  void handle_opened();
  void handle_closed() { --open_handles_; }

  // The directory's inode is held: each call on an entry joins its name to
  // wherever that directory is now (ENOENT once it is gone).
  std::unique_ptr<Directory> open_directory(const fs::path& dir, FollowLink follow = FollowLink::No) override;
  int list(const fs::path& dir, std::vector<DirEntry>& out) override;
  int lstat(const fs::path& path, FileStat& out) override;
  // Links followed; failures: Op::Stat, Op::Access on the path reached. The
  // fake knows no permissions: access() is 0 for anything that exists,
  // unless a failure (EACCES, EROFS) is injected.
  int stat(const fs::path& path, FileStat& out) override;
  int access(const fs::path& path, int mode) override;
  // What a Directory's unlink, remove_dir, make_dir and write_atomic do, by
  // path (also for tests that change the tree behind an engine's back): on
  // the last component, never through a link. Failures: Op::Unlink,
  // Op::Rmdir, Op::MakeDir, Op::Write on `path`.
  int unlink(const fs::path& path);
  int rmdir(const fs::path& path);
  int mkdir(const fs::path& path, std::uint32_t mode);
  int write(const fs::path& path, std::string_view data, std::uint32_t mode);
  int read(const fs::path& path, std::size_t max, std::string& out) override;

  // For FakeDirectory: where the directory of `inode` is now (`hint`: where
  // it was), or ENOENT.
  int locate(std::uint64_t inode, fs::path& hint) const;

 private:
  int failure(Op op, const fs::path& p) const;
  // `p` with the symbolic links among its directories followed (and its last
  // component too with `follow_last`); mu_ held.
  int resolve(const fs::path& p, bool follow_last, fs::path& out) const;
  // The stat of the node at the resolved path `p` (the caller holds mu_).
  int stat_node(const fs::path& p, FileStat& out) const;
  int parent_of(const fs::path& p, const Node*& parent) const;
  mutable std::mutex mu_;
  std::map<fs::path, Node> nodes_;
  std::map<std::pair<Op, fs::path>, int> failures_;
  std::map<fs::path, FileType> listed_types_;
  std::vector<std::string> mutations_;
  std::map<fs::path, std::function<void()>> read_hooks_;
  std::uint64_t next_inode_ = 1;
  std::atomic<std::size_t> open_handles_{0}, peak_open_handles_{0};
};

}  // namespace pycache::test
