// The real FileSystem. Every open uses O_NOFOLLOW so that a path component
// swapped for a symlink mid-walk is refused rather than followed.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

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
  out.mode = st.st_mode & 07777;
}

// Up to `max` bytes of `name` relative to `dirfd` (AT_FDCWD: a path).
int read_at(int dirfd, const char* name, std::size_t max, std::string& out) {
  int fd = ::openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno;
  out.resize(max);
  std::size_t got = 0;
  while (got < max) {
    ssize_t r = ::read(fd, out.data() + got, max - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int e = errno;
      ::close(fd);
      return e;
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  out.resize(got);
  ::close(fd);
  return 0;
}

// An O_PATH descriptor: lookups relative to it walk one component.
class PosixDirectory final : public Directory {
 public:
  explicit PosixDirectory(const fs::path& dir) {
    fd_ = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    error_ = fd_ < 0 ? errno : 0;
  }
  ~PosixDirectory() override {
    if (fd_ >= 0) ::close(fd_);
  }
  PosixDirectory(const PosixDirectory&) = delete;
  PosixDirectory& operator=(const PosixDirectory&) = delete;

  int lstat(std::string_view name, FileStat& out) override {
    if (error_) return error_;
    name_.assign(name);
    struct stat st;
    if (::fstatat(fd_, name_.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno;
    fill_stat(st, out);
    return 0;
  }
  int read(std::string_view name, std::size_t max, std::string& out) override {
    if (error_) return error_;
    name_.assign(name);
    return read_at(fd_, name_.c_str(), max, out);
  }

 private:
  int fd_ = -1;
  int error_ = 0;
  std::string name_;  // NUL-terminated copy of the last name
};

FileType type_from_dirent(unsigned char t) {
  switch (t) {
    case DT_REG: return FileType::Regular;
    case DT_DIR: return FileType::Directory;
    case DT_LNK: return FileType::Symlink;
    case DT_UNKNOWN: return FileType::Unknown;
    default: return FileType::Other;
  }
}

class PosixFileSystem final : public FileSystem {
 public:
  int list(const fs::path& dir, std::vector<DirEntry>& out) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno;
    DIR* d = ::fdopendir(fd);
    if (!d) {
      int e = errno;
      ::close(fd);
      return e;
    }
    out.clear();
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

  int lstat(const fs::path& path, FileStat& out) override {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) return errno;
    fill_stat(st, out);
    return 0;
  }

  int unlink(const fs::path& path) override { return ::unlink(path.c_str()) == 0 ? 0 : errno; }
  int rmdir(const fs::path& path) override { return ::rmdir(path.c_str()) == 0 ? 0 : errno; }

  int read(const fs::path& path, std::size_t max, std::string& out) override {
    return read_at(AT_FDCWD, path.c_str(), max, out);
  }

  std::unique_ptr<Directory> open_directory(const fs::path& dir) override;

  int make_dirs(const fs::path& dir) override {
    if (::mkdir(dir.c_str(), 0777) == 0 || errno == EEXIST) return dir_or_error(dir);
    if (errno != ENOENT) return errno;
    fs::path parent = dir.parent_path();
    if (parent == dir || parent.empty()) return ENOENT;
    if (int e = make_dirs(parent)) return e;
    if (::mkdir(dir.c_str(), 0777) == 0 || errno == EEXIST) return dir_or_error(dir);
    return errno;
  }

  int write_atomic(const fs::path& path, std::string_view data, std::uint32_t mode) override {
    static std::atomic<unsigned> counter{0};
    // NAME.pyc.DIGITS, the shape of CPython's own temp files, so that a
    // leftover (after SIGKILL) is recognised and cleaned like theirs. O_EXCL
    // makes a collision with a concurrent writer a retry, never a share.
    std::string tmp;
    int fd = -1;
    for (int attempt = 0; fd < 0 && attempt < 100; ++attempt) {
      tmp = path.native() + "." + std::to_string(::getpid()) +
            std::to_string(1000000 + counter.fetch_add(1, std::memory_order_relaxed) % 1000000);
      fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
      if (fd < 0 && errno != EEXIST) return errno;
    }
    if (fd < 0) return EEXIST;
    std::size_t done = 0;
    int err = 0;
    while (done < data.size()) {
      ssize_t w = ::write(fd, data.data() + done, data.size() - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        err = w < 0 ? errno : EIO;
        break;
      }
      done += static_cast<std::size_t>(w);
    }
    if (::close(fd) != 0 && err == 0) err = errno;
    if (err == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
    if (err != 0) ::unlink(tmp.c_str());
    return err;
  }

 private:
  static int dir_or_error(const fs::path& dir) {
    struct stat st;
    if (::lstat(dir.c_str(), &st) != 0) return errno;
    return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
  }
};

std::unique_ptr<Directory> PosixFileSystem::open_directory(const fs::path& dir) {
  return std::make_unique<PosixDirectory>(dir);
}

}  // namespace

FileSystem& real_fs() {
  static PosixFileSystem fs;
  return fs;
}

}  // namespace pycache
