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
  std::uint64_t mount_id = 0;  // the mount it lies in (statx STATX_MNT_ID); 0 when the kernel can't say
  std::uint32_t mode = 0;      // permission bits
  std::uint32_t owner = 0;     // uid
};

// For `read`'s max: the whole file, whatever its size.
inline constexpr std::size_t kWholeFile = SIZE_MAX;

// One file of a removal (Directory::remove).
struct FileRemoval {
  std::string name;  // in: a name inside the directory, never a path
  // in: also unlink it when it is a symlink, FIFO, socket or device (the
  // entry itself, never what a link points to); a directory is never touched.
  bool any_type = false;
  int error = 0;             // out: 0 removed (or removable under StatOnly); else errno, ENOENT = vanished
  bool not_regular = false;  // out: it is not a regular file (any more, or a directory with any_type): left alone
  std::uint64_t size = 0;    // out: its size, from the lstat before the unlink
};

enum class StatOnly { No, Yes };
enum class FollowLink { No, Yes };

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
  // lstat `f.name` and unlink it when it is a regular file (or, with
  // f.any_type, anything but a directory) unless `stat_only`. The default is
  // lstat + unlink.
  virtual void remove(FileRemoval& f, StatOnly stat_only);
  // unlink(2) of an entry that is not a directory (a file, a symlink, a FIFO).
  virtual int unlink(std::string_view name) = 0;
  // rmdir(2) of an empty subdirectory, relative to this one (never a path, so
  // never through a symlink and never too long).
  virtual int remove_dir(std::string_view name) = 0;
  // mkdir(2) of a subdirectory, relative to this one (`mode` under the
  // umask). EEXIST when the name is taken, by a directory or anything else.
  virtual int make_dir(std::string_view name, std::uint32_t mode) = 0;
  // Writes `data` to a unique temp file in this directory (NAME.DIGITS,
  // created O_EXCL, never through a symlink), then renames it over `name`
  // in this directory: readers see the old file or the new one, never a
  // part. On any failure the temp file is removed. `mode` as for open(2),
  // under the umask.
  virtual int write_atomic(std::string_view name, std::string_view data, std::uint32_t mode) = 0;
};

// Batches over one directory.
void probe_files(Directory& dir, std::span<FileProbe> files);

// Removals and writes go through a Directory (unlink, remove_dir, remove,
// make_dir, write_atomic): a path is never resolved again to remove or
// create what it names, so nothing is ever written through a directory
// swapped for a symlink.
class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // `dir` for per-entry calls (see Directory). Symbolic links in the
  // directories leading to it are followed (the user named it); `dir` itself
  // must not be one, unless FollowLink::Yes (the directory holding a root).
  virtual std::unique_ptr<Directory> open_directory(const fs::path& dir, FollowLink follow = FollowLink::No) = 0;
  // The entries of `dir` ("." and ".." left out). `dir` itself must be a
  // directory, not a symlink to one (ENOTDIR/ELOOP otherwise).
  virtual int list(const fs::path& dir, std::vector<DirEntry>& out) = 0;
  // lstat(2): the link itself, never its target.
  virtual int lstat(const fs::path& path, FileStat& out) = 0;
  // Up to `max` bytes from the start of a regular file (no symlink followed).
  virtual int read(const fs::path& path, std::size_t max, std::string& out) = 0;
  // stat(2): what `path` leads to, links followed.
  virtual int stat(const fs::path& path, FileStat& out) = 0;
  // access(2): 0 when this process may `mode` (R_OK, W_OK, X_OK, F_OK)
  // `path`, links followed, else why not. A look before choosing (a
  // fallback, a program to run), never instead of the real call's error.
  virtual int access(const fs::path& path, int mode) = 0;
};

// A directory that could not be opened: every call fails with `error`.
class FailedDirectory final : public Directory {
 public:
  explicit FailedDirectory(int error) : error_(error) {}
  int list(std::vector<DirEntry>&) override { return error_; }
  int stat_self(FileStat&) override { return error_; }
  int lstat(std::string_view, FileStat&) override { return error_; }
  int read(std::string_view, std::size_t, std::string&) override { return error_; }
  std::unique_ptr<Directory> open(std::string_view) override { return std::make_unique<FailedDirectory>(error_); }
  int unlink(std::string_view) override { return error_; }
  int remove_dir(std::string_view) override { return error_; }
  int make_dir(std::string_view, std::uint32_t) override { return error_; }
  int write_atomic(std::string_view, std::string_view, std::uint32_t) override { return error_; }

 private:
  int error_;
};

// `below` inside the open directory `base`, one component at a time, none of
// them followed if it is a symbolic link: what a cache prefix's mirror is
// opened with, so that a link planted inside the prefix is never a way out
// of it. `below` is relative; "" gives `base` itself again, and a ".."
// (which would climb out of `base`) fails with EPERM.
std::unique_ptr<Directory> open_beneath(Directory& base, const fs::path& below);

// As open_beneath, making each missing component first (make_dir, `mode`
// under the umask) and opening it on its own: a component that is a
// symbolic link, already or by the time it is opened, fails the call (ELOOP
// or ENOTDIR), never followed. How compile makes __pycache__ and a prefix's
// mirror.
std::unique_ptr<Directory> make_beneath(Directory& base, const fs::path& below, std::uint32_t mode = 0777);

// The directory `dir`, made with its missing parents as importlib makes
// them (`mode` under the umask). The part that exists is opened as named
// (symbolic links in it followed: the user named it); each part made below
// it is then made and opened as make_beneath does.
std::unique_ptr<Directory> make_directories(FileSystem& fs, const fs::path& dir, std::uint32_t mode = 0777);

// Why `path` must never be a root of removals or a cache prefix: it is / or
// `home` (also when reached through another spelling: compared by device and
// inode). nullopt when it may be.
std::optional<std::string> protected_directory(FileSystem& fs, const fs::path& path, const fs::path& home);

// The real filesystem (POSIX calls; O_NOFOLLOW everywhere it applies).
FileSystem& real_fs();

}  // namespace pycache
