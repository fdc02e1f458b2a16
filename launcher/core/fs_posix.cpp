// The real FileSystem. Every open uses O_NOFOLLOW so that a path component
// swapped for a symlink mid-walk is refused rather than followed.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "pycache/fs.hpp"

namespace pycache {
namespace {

FileType type_from_mode(mode_t m) {
  if (S_ISREG(m)) return FileType::Regular;
  if (S_ISDIR(m)) return FileType::Directory;
  if (S_ISLNK(m)) return FileType::Symlink;
  return FileType::Other;
}

void fill_stat(const struct stat& st, FileStat& out) {
  out.type = type_from_mode(st.st_mode);
  out.size = static_cast<std::uint64_t>(st.st_size);
  out.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  out.atime_ns = static_cast<std::int64_t>(st.st_atim.tv_sec) * 1'000'000'000 + st.st_atim.tv_nsec;
  out.device = st.st_dev;
  out.inode = st.st_ino;
  out.mount_id = 0;
  out.mode = st.st_mode & 07777;
  out.owner = st.st_uid;
}

// statx(2) of `name` relative to `dirfd` (AT_EMPTY_PATH with "": the
// descriptor itself), never following a link: the same fields as lstat, and
// the mount ID, which tells a bind mount of the same file system from a
// plain directory (st_dev can't).
int statx_at(int dirfd, const char* name, int flags, FileStat& out) {
  struct statx sx {};
  if (::statx(dirfd, name, flags | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_BASIC_STATS | STATX_MNT_ID, &sx) != 0)
    return errno;
  out.type = type_from_mode(sx.stx_mode);
  out.size = sx.stx_size;
  out.mtime_ns = static_cast<std::int64_t>(sx.stx_mtime.tv_sec) * 1'000'000'000 + sx.stx_mtime.tv_nsec;
  out.atime_ns = static_cast<std::int64_t>(sx.stx_atime.tv_sec) * 1'000'000'000 + sx.stx_atime.tv_nsec;
  out.device = makedev(sx.stx_dev_major, sx.stx_dev_minor);
  out.inode = sx.stx_ino;
  out.mount_id = (sx.stx_mask & STATX_MNT_ID) ? sx.stx_mnt_id : 0;
  out.mode = sx.stx_mode & 07777;
  out.owner = sx.stx_uid;
  return 0;
}

// Up to `max` bytes from the start of the regular file `fd`. A short read is
// the end of the file (what read(2) guarantees for regular files), so a whole
// source costs one read, not a second one for EOF. Reads go through a
// per-thread scratch buffer that is never zero-filled, and only the bytes
// read are copied out: `max` may be kWholeFile at no cost.
int read_fd(int fd, std::size_t max, std::string& out) {
  constexpr std::size_t kScratch = std::size_t{64} * 1024;
  thread_local const std::unique_ptr<char[]> scratch(new char[kScratch]);
  out.clear();
  while (out.size() < max) {
    const std::size_t want = std::min(max - out.size(), kScratch);
    ssize_t r = ::read(fd, scratch.get(), want);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return errno;
    out.append(scratch.get(), static_cast<std::size_t>(r));
    if (static_cast<std::size_t>(r) < want) break;  // end of file (r == 0 included)
  }
  return 0;
}

// Up to `max` bytes of `name` relative to `dirfd` (AT_FDCWD: a path).
int read_at(int dirfd, const char* name, std::size_t max, std::string& out) {
  // O_NONBLOCK: a FIFO put in a file's place must not hang the caller.
  int fd = ::openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return errno;
  int e = read_fd(fd, max, out);
  ::close(fd);
  return e;
}

FileType type_from_dirent(unsigned char t) {
  switch (t) {
    case DT_REG: return FileType::Regular;
    case DT_DIR: return FileType::Directory;
    case DT_LNK: return FileType::Symlink;
    case DT_UNKNOWN: return FileType::Unknown;
    default: return FileType::Other;
  }
}

#ifdef __linux__
// getdents64 straight into a stack buffer: readdir() would add an fstat and
// an fcntl per directory (fdopendir) and a heap buffer, which is a third of
// the syscalls of a walk over small directories.
// linux_dirent64's fixed part; the NUL-terminated name follows it.
struct LinuxDirent64 {
  ino64_t d_ino;
  off64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
};
constexpr std::size_t kDirentNameOffset = 19;  // offsetof(struct linux_dirent64, d_name)
static_assert(offsetof(LinuxDirent64, d_type) + 1 == kDirentNameOffset);

int read_entries(int fd, std::vector<DirEntry>& out) {
  alignas(8) char buf[32768];
  while (true) {
    long n = ::syscall(SYS_getdents64, fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return 0;
    for (long at = 0; at < n;) {
      const auto* e = reinterpret_cast<const LinuxDirent64*>(buf + at);
      const char* name = buf + at + kDirentNameOffset;
      at += e->d_reclen;
      if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
      out.push_back(DirEntry{name, type_from_dirent(e->d_type)});
    }
  }
}
#else
int read_entries(int fd, std::vector<DirEntry>& out) {
  DIR* d = ::fdopendir(::dup(fd));
  if (!d) return errno;
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    const char* n = e->d_name;
    if (n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0))) continue;
    out.push_back(DirEntry{n, type_from_dirent(e->d_type)});
  }
  int err = errno;
  ::closedir(d);
  return err;
}
#endif

class PosixFileSystem final : public FileSystem {
 public:
  int list(const fs::path& dir, std::vector<DirEntry>& out) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno;
    out.clear();
    int err = read_entries(fd, out);
    ::close(fd);
    return err;
  }

  int lstat(const fs::path& path, FileStat& out) override { return statx_at(AT_FDCWD, path.c_str(), 0, out); }

  int stat(const fs::path& path, FileStat& out) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return errno;
    fill_stat(st, out);
    return 0;
  }

  int access(const fs::path& path, int mode) override { return ::access(path.c_str(), mode) == 0 ? 0 : errno; }

  int read(const fs::path& path, std::size_t max, std::string& out) override {
    return read_at(AT_FDCWD, path.c_str(), max, out);
  }

  std::unique_ptr<Directory> open_directory(const fs::path& dir, FollowLink follow) override;
};

// All of `data` to `fd`.
int write_fd(int fd, std::string_view data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t w = ::write(fd, data.data() + done, data.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return w < 0 ? errno : EIO;
    done += static_cast<std::size_t>(w);
  }
  return 0;
}

// A name of one component: never a path, which openat would resolve.
bool one_component(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos;
}

// A NUL-terminated copy of an entry name, on the stack: a Directory is
// shared by the threads opening its subdirectories, so no member buffer.
class CName {
 public:
  explicit CName(std::string_view name) {
    const std::size_t n = std::min(name.size(), sizeof buf_ - 1);  // still longer than NAME_MAX: ENAMETOOLONG
    std::memcpy(buf_, name.data(), n);
    buf_[n] = 0;
  }
  operator const char*() const { return buf_; }

 private:
  char buf_[NAME_MAX + 2];
};

// A directory descriptor: every name resolves in one step from it.
// O_NOFOLLOW refuses a directory swapped for a symlink. A directory that may
// be searched but not read (mode --x) still serves lookups, through O_PATH;
// only its listing fails.
class PosixDirectory final : public Directory {
 public:
  PosixDirectory(int at, const char* path, FollowLink follow = FollowLink::No) {
    const int nofollow = follow == FollowLink::Yes ? 0 : O_NOFOLLOW;
    fd_ = ::openat(at, path, O_RDONLY | O_DIRECTORY | nofollow | O_CLOEXEC);
    if (fd_ < 0 && errno == EACCES) {
      fd_ = ::openat(at, path, O_PATH | O_DIRECTORY | nofollow | O_CLOEXEC);
      if (fd_ >= 0) list_error_ = EACCES;
    }
    if (fd_ < 0) {
      error_ = list_error_ = errno;
      // O_DIRECTORY may win over O_NOFOLLOW: a symlink is ELOOP, always.
      struct stat st;
      if (error_ == ENOTDIR && ::fstatat(at, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
        error_ = list_error_ = ELOOP;
    }
  }
  ~PosixDirectory() override {
    if (fd_ >= 0) ::close(fd_);
  }
  PosixDirectory(const PosixDirectory&) = delete;
  PosixDirectory& operator=(const PosixDirectory&) = delete;

  int list(std::vector<DirEntry>& out) override {
    out.clear();
    if (list_error_) return list_error_;
    // The descriptor keeps its offset: a second listing starts over.
    if (listed_ && ::lseek(fd_, 0, SEEK_SET) < 0) return errno;
    listed_ = true;
    return read_entries(fd_, out);
  }
  int stat_self(FileStat& out) override {
    if (error_) return error_;
    return statx_at(fd_, "", AT_EMPTY_PATH, out);
  }
  int lstat(std::string_view name, FileStat& out) override {
    if (error_) return error_;
    return statx_at(fd_, CName(name), 0, out);
  }
  int read(std::string_view name, std::size_t max, std::string& out) override {
    if (error_) return error_;
    return read_at(fd_, CName(name), max, out);
  }
  std::unique_ptr<Directory> open(std::string_view name) override {
    if (error_) return std::make_unique<PosixDirectory>(error_);
    return std::make_unique<PosixDirectory>(fd_, CName(name));
  }
  void probe(FileProbe& f) override;
  void remove(FileRemoval& f, StatOnly stat_only) override;

  int unlink(std::string_view name) override {
    if (error_) return error_;
    return ::unlinkat(fd_, CName(name), 0) == 0 ? 0 : errno;
  }
  int remove_dir(std::string_view name) override {
    if (error_) return error_;
    return ::unlinkat(fd_, CName(name), AT_REMOVEDIR) == 0 ? 0 : errno;
  }
  int make_dir(std::string_view name, std::uint32_t mode) override {
    if (error_) return error_;
    if (!one_component(name)) return EINVAL;
    return ::mkdirat(fd_, CName(name), static_cast<mode_t>(mode)) == 0 ? 0 : errno;
  }
  int write_atomic(std::string_view name, std::string_view data, std::uint32_t mode) override;

  explicit PosixDirectory(int error) : error_(error), list_error_(error) {}

 private:
  int fd_ = -1;
  int error_ = 0;
  int list_error_ = 0;
  bool listed_ = false;
};

void PosixDirectory::probe(FileProbe& f) {
  f.error = 0;
  f.stat = FileStat{};
  f.data.clear();
  if (error_) {
    f.error = error_;
    return;
  }
  struct stat st;
  if (f.head == 0) {
    if (::fstatat(fd_, f.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) f.error = errno;
    else fill_stat(st, f.stat);
    return;
  }
  // Open first and stat the open file: one lookup instead of two. O_NONBLOCK:
  // a FIFO swapped in meanwhile must not hang the walk.
  int fd = ::openat(fd_, f.name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    int e = errno;
    // A symlink (ELOOP) or an unreadable file: still say what it is.
    if (::fstatat(fd_, f.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      f.error = errno;
    } else {
      fill_stat(st, f.stat);
      if (f.stat.type == FileType::Regular) f.error = e;
    }
    return;
  }
  if (::fstat(fd, &st) != 0) {
    f.error = errno;
  } else {
    fill_stat(st, f.stat);
    if (f.stat.type == FileType::Regular) f.error = read_fd(fd, f.head, f.data);
  }
  ::close(fd);
}

int PosixDirectory::write_atomic(std::string_view name, std::string_view data, std::uint32_t mode) {
  if (error_) return error_;
  if (!one_component(name)) return EINVAL;
  static std::atomic<unsigned> counter{0};
  // NAME.pyc.DIGITS, the shape of CPython's own temp files, so that a
  // leftover (after SIGKILL) is recognised and cleaned like theirs. O_EXCL
  // makes a collision with a concurrent writer a retry, never a share.
  const std::string target(name);
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; fd < 0 && attempt < 100; ++attempt) {
    tmp = target + "." + std::to_string(::getpid()) +
          std::to_string(1000000 + counter.fetch_add(1, std::memory_order_relaxed) % 1000000);
    if (tmp.size() > NAME_MAX) return ENAMETOOLONG;
    fd = ::openat(fd_, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd < 0 && errno != EEXIST) return errno;
  }
  if (fd < 0) return EEXIST;
  int err = write_fd(fd, data);
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && ::renameat(fd_, tmp.c_str(), fd_, target.c_str()) != 0) err = errno;
  if (err != 0) ::unlinkat(fd_, tmp.c_str(), 0);
  return err;
}

void PosixDirectory::remove(FileRemoval& f, StatOnly stat_only) {
  f.error = 0;
  f.not_regular = false;
  if (error_) {
    f.error = error_;
    return;
  }
  struct stat st;
  if (::fstatat(fd_, f.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    f.error = errno;
    return;
  }
  f.size = static_cast<std::uint64_t>(st.st_size);
  if (!S_ISREG(st.st_mode) && (!f.any_type || S_ISDIR(st.st_mode))) {
    f.not_regular = true;
    return;
  }
  if (stat_only == StatOnly::No && ::unlinkat(fd_, f.name.c_str(), 0) != 0) f.error = errno;
}

std::unique_ptr<Directory> PosixFileSystem::open_directory(const fs::path& dir, FollowLink follow) {
  return std::make_unique<PosixDirectory>(AT_FDCWD, dir.c_str(), follow);
}

}  // namespace

void Directory::probe(FileProbe& f) {
  f.stat = FileStat{};
  f.data.clear();
  f.error = lstat(f.name, f.stat);
  if (f.error == 0 && f.head > 0 && f.stat.type == FileType::Regular) f.error = read(f.name, f.head, f.data);
}

void Directory::remove(FileRemoval& f, StatOnly stat_only) {
  f.not_regular = false;
  FileStat st;
  if ((f.error = lstat(f.name, st)) != 0) return;
  f.size = st.size;
  if (st.type != FileType::Regular && (!f.any_type || st.type == FileType::Directory)) {
    f.not_regular = true;
    return;
  }
  if (stat_only == StatOnly::No) f.error = unlink(f.name);
}

void probe_files(Directory& dir, std::span<FileProbe> files) {
  for (auto& f : files) dir.probe(f);
}

std::unique_ptr<Directory> open_beneath(Directory& base, const fs::path& below) {
  std::unique_ptr<Directory> dir;
  for (const auto& part : below) {
    const std::string& name = part.native();
    if (name.empty() || name == ".") continue;
    if (name == "..") return std::make_unique<FailedDirectory>(EPERM);
    dir = (dir ? *dir : base).open(name);
  }
  return dir ? std::move(dir) : base.open(".");
}

std::unique_ptr<Directory> make_beneath(Directory& base, const fs::path& below, std::uint32_t mode) {
  std::unique_ptr<Directory> dir;
  for (const auto& part : below) {
    const std::string& name = part.native();
    if (name.empty() || name == ".") continue;
    if (name == "..") return std::make_unique<FailedDirectory>(EPERM);
    Directory& at = dir ? *dir : base;
    // Made, then opened by name: whatever holds the name by then (a link
    // put there meanwhile included) is opened as a directory or refused.
    if (int e = at.make_dir(name, mode); e != 0 && e != EEXIST) return std::make_unique<FailedDirectory>(e);
    dir = at.open(name);
  }
  return dir ? std::move(dir) : base.open(".");
}

std::unique_ptr<Directory> make_directories(FileSystem& fs, const fs::path& dir, std::uint32_t mode) {
  for (fs::path existing = dir;; existing = existing.parent_path()) {
    auto at = fs.open_directory(existing, FollowLink::Yes);
    FileStat st;
    const int e = at->stat_self(st);
    if (e == 0) return make_beneath(*at, dir.lexically_relative(existing), mode);
    if (e != ENOENT || existing == existing.parent_path() || existing.parent_path().empty()) return at;
  }
}

std::optional<std::string> protected_directory(FileSystem& fs, const fs::path& path, const fs::path& home) {
  if (path == "/") return "it is the root directory";
  fs::path h = home.lexically_normal();
  while (h.native().size() > 1 && h.native().back() == '/') h = h.native().substr(0, h.native().size() - 1);
  if (!h.empty() && path == h) return "it is the home directory";
  FileStat target;
  if (fs.lstat(path, target) != 0 || target.type != FileType::Directory) return std::nullopt;
  auto same = [&](const fs::path& other) {
    FileStat st;
    return fs.lstat(other, st) == 0 && st.type == FileType::Directory && st.device == target.device &&
           st.inode == target.inode;
  };
  if (same("/")) return "it is the root directory";
  if (!h.empty() && same(h)) return "it is the home directory";
  return std::nullopt;
}

FileSystem& real_fs() {
  static PosixFileSystem fs;
  return fs;
}

}  // namespace pycache
