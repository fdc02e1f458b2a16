#pragma once
// The filesystem behind a narrow interface, so that the tree-walking commands
// (clean, compile, status) are unit-tested over an in-memory fake
// (tests/support/fake_fs.hpp) as ninja tests its cleaner. Calls never throw
// and never follow a symbolic link unless they say so; failures are errno
// values (0 = success).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pycache {

namespace fs = std::filesystem;

enum class FileType : std::uint8_t { Unknown, Regular, Directory, Symlink, Other };

struct DirEntry {
  std::string name;
  FileType type = FileType::Unknown;  // from readdir; Unknown means "lstat it"
};

struct FileStat {
  FileType type = FileType::Unknown;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t atime_ns = 0;
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint32_t mode = 0;  // permission bits
};

// One file of a batch removal (FileSystem::remove_files).
struct FileRemoval {
  std::string name;          // in: a name inside the directory, never a path
  int error = 0;             // out: 0 removed (or removable under StatOnly); else errno, ENOENT = vanished
  bool not_regular = false;  // out: it is not a regular file (any more): left alone, error stays 0
  std::uint64_t size = 0;    // out: its size, from the lstat before the unlink
};

enum class StatOnly { No, Yes };

// One file of a batch probe (FileSystem::probe_files).
struct FileProbe {
  std::string name;      // in: a name inside the directory, never a path
  std::size_t head = 0;  // in: bytes to read from the start if it is a regular file (0: only stat it)
  int error = 0;         // out: 0, or the errno of the stat (ENOENT: vanished) or of the read
  FileStat stat;         // out: the lstat, valid when error is 0 or the read failed
  std::string data;      // out: up to `head` bytes
};

// One directory opened once, for a walk's calls on many of its entries: a
// real filesystem resolves the directory's path once, not at every call.
// Same contracts as FileSystem's calls, by entry name.
class Directory {
 public:
  virtual ~Directory() = default;
  virtual int lstat(std::string_view name, FileStat& out) = 0;
  virtual int read(std::string_view name, std::size_t max, std::string& out) = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // `dir` for per-entry calls. Never null: when `dir` cannot be opened,
  // every call returns why (ENOENT when it does not exist). The default
  // joins paths and calls this FileSystem's own functions.
  virtual std::unique_ptr<Directory> open_directory(const fs::path& dir);
  // The entries of `dir` ("." and ".." left out). `dir` itself must be a
  // directory, not a symlink to one (ENOTDIR/ELOOP otherwise).
  virtual int list(const fs::path& dir, std::vector<DirEntry>& out) = 0;
  // lstat(2): the link itself, never its target.
  virtual int lstat(const fs::path& path, FileStat& out) = 0;
  virtual int unlink(const fs::path& path) = 0;  // files and symlinks only
  virtual int rmdir(const fs::path& path) = 0;   // empty directories only
  // Up to `max` bytes from the start of a regular file (no symlink followed).
  virtual int read(const fs::path& path, std::size_t max, std::string& out) = 0;
  // Creates `dir` and missing parents (mode 0777 & ~umask, as CPython).
  virtual int make_dirs(const fs::path& dir) = 0;
  // Writes `data` to a unique temp file beside `path`, then renames it over
  // `path`: readers see the old file or the new one, never a part. On any
  // failure the temp file is removed. `mode` as for open(2), umask applies.
  virtual int write_atomic(const fs::path& path, std::string_view data, std::uint32_t mode) = 0;
  // For each of `files` in `dir`: lstat it, and unlink it when it is a
  // regular file (never anything else) unless `stat_only`. The outcome is in
  // each FileRemoval. The default does lstat + unlink on joined paths; the
  // real filesystem resolves `dir` once (O_NOFOLLOW) and works relative to it,
  // which also means a `dir` swapped for a symlink is refused, not followed.
  virtual void remove_files(const fs::path& dir, std::span<FileRemoval> files, StatOnly stat_only);
  // For each of `files` in `dir`: lstat it, and read its first `head` bytes
  // when it is a regular file (no symlink followed). The default does lstat +
  // read on joined paths; the real filesystem resolves `dir` once (O_NOFOLLOW)
  // and opens each name relative to it, taking the stat from the open file:
  // what `status` does for every pyc, at a fraction of the path lookups.
  virtual void probe_files(const fs::path& dir, std::span<FileProbe> files);
};

namespace detail {
class JoinedDirectory final : public Directory {
 public:
  JoinedDirectory(FileSystem& fs, fs::path dir) : fs_(fs), dir_(std::move(dir)) {}
  int lstat(std::string_view name, FileStat& out) override { return fs_.lstat(dir_ / name, out); }
  int read(std::string_view name, std::size_t max, std::string& out) override { return fs_.read(dir_ / name, max, out); }

 private:
  FileSystem& fs_;
  fs::path dir_;
};
}  // namespace detail

inline std::unique_ptr<Directory> FileSystem::open_directory(const fs::path& dir) {
  return std::make_unique<detail::JoinedDirectory>(*this, dir);
}

// The real filesystem (POSIX calls; O_NOFOLLOW everywhere it applies).
FileSystem& real_fs();

}  // namespace pycache
