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

// For `read`'s max: the whole file, whatever its size.
inline constexpr std::size_t kWholeFile = SIZE_MAX;

// One file of a removal (Directory::remove).
struct FileRemoval {
  std::string name;          // in: a name inside the directory, never a path
  int error = 0;             // out: 0 removed (or removable under StatOnly); else errno, ENOENT = vanished
  bool not_regular = false;  // out: it is not a regular file (any more): left alone, error stays 0
  std::uint64_t size = 0;    // out: its size, from the lstat before the unlink
};

enum class StatOnly { No, Yes };

// One file of a probe (Directory::probe).
struct FileProbe {
  std::string name;      // in: a name inside the directory, never a path
  std::size_t head = 0;  // in: bytes to read from the start if it is a regular file (0: only stat it)
  int error = 0;         // out: 0, or the errno of the stat (ENOENT: vanished) or of the read
  FileStat stat;         // out: the lstat, valid when error is 0 or the read failed
  std::string data;      // out: up to `head` bytes
};

// One directory, opened once for every call on its entries: the walk lists
// it, opens its subdirectories, and clean/compile/status stat, read, probe
// and unlink its entries through it. A real filesystem resolves each name in
// one step from an open descriptor, never the whole path again, and a
// directory swapped for a symlink mid-walk is refused, not followed. When
// the directory cannot be opened, every call returns why (ENOENT when it
// does not exist, ENOTDIR or ELOOP for a symlink, ENOTDIR for a file).
// Threads: open() may be called by several threads at once (the walk's
// children of one directory); the other calls by one thread at a time.
class Directory {
 public:
  virtual ~Directory() = default;
  // The entries ("." and ".." left out).
  virtual int list(std::vector<DirEntry>& out) = 0;
  // The directory's own stat (its device, for --one-file-system).
  virtual int stat_self(FileStat& out) = 0;
  // lstat(2) of an entry: the link itself, never its target.
  virtual int lstat(std::string_view name, FileStat& out) = 0;
  // Up to `max` bytes from the start of a regular file (no symlink followed);
  // kWholeFile: all of it.
  virtual int read(std::string_view name, std::size_t max, std::string& out) = 0;
  // A subdirectory, relative to this one, never through a symlink. Never
  // null: failures show in its calls.
  virtual std::unique_ptr<Directory> open(std::string_view name) = 0;
  // lstat `f.name` and read its first `f.head` bytes when it is a regular
  // file. The default is lstat + read; the real one opens the name once and
  // takes the stat from the open file (what status does for every pyc).
  virtual void probe(FileProbe& f);
  // lstat `f.name` and unlink it when it is a regular file (never anything
  // else) unless `stat_only`. The default is lstat + unlink.
  virtual void remove(FileRemoval& f, StatOnly stat_only);

 protected:
  virtual int unlink(std::string_view name) = 0;  // files and symlinks only
};

// Batches over one directory.
void probe_files(Directory& dir, std::span<FileProbe> files);
void remove_files(Directory& dir, std::span<FileRemoval> files, StatOnly stat_only);

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // `dir` for per-entry calls (see Directory). The default joins paths and
  // calls this FileSystem's own functions.
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
};

namespace detail {
// The default Directory: every call on the joined path, through the FileSystem.
class JoinedDirectory final : public Directory {
 public:
  JoinedDirectory(FileSystem& fs, fs::path dir) : fs_(fs), dir_(std::move(dir)) {}
  int list(std::vector<DirEntry>& out) override { return fs_.list(dir_, out); }
  int stat_self(FileStat& out) override { return fs_.lstat(dir_, out); }
  int lstat(std::string_view name, FileStat& out) override { return fs_.lstat(dir_ / name, out); }
  int read(std::string_view name, std::size_t max, std::string& out) override { return fs_.read(dir_ / name, max, out); }
  std::unique_ptr<Directory> open(std::string_view name) override {
    return std::make_unique<JoinedDirectory>(fs_, dir_ / name);
  }

 protected:
  int unlink(std::string_view name) override { return fs_.unlink(dir_ / name); }

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
