#include "pycache/paths.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <pwd.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <system_error>

namespace pycache {

fs::path home_dir() {
  if (const char* home = std::getenv("HOME"); home && *home) return home;
  if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir) return pw->pw_dir;
  return {};
}

fs::path expand_user(const fs::path& p) {
  const std::string& s = p.native();
  if (s == "~") return home_dir();
  if (s.starts_with("~/")) return home_dir() / s.substr(2);
  return p;
}

fs::path absolute_from(const fs::path& p, const fs::path& base) {
  fs::path joined = p.is_absolute() ? p : base / p;
  fs::path normal = joined.lexically_normal();
  // lexically_normal keeps a trailing separator ("a/b/"); CPython does not.
  std::string s = normal.native();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

namespace {

std::string_view without_trailing_slashes(std::string_view s) {
  while (s.size() > 1 && s.back() == '/') s.remove_suffix(1);
  return s;
}

}  // namespace

bool is_within(std::string_view path, std::string_view dir) {
  dir = without_trailing_slashes(dir);
  if (dir.empty() || !path.starts_with(dir)) return false;
  return path.size() == dir.size() || dir == "/" || path[dir.size()] == '/';
}

bool is_below(std::string_view path, std::string_view dir) {
  path = without_trailing_slashes(path);
  return is_within(path, dir) && path.size() > without_trailing_slashes(dir).size();
}

std::string child_path(std::string_view dir, std::string_view name) {
  std::string out;
  out.reserve(dir.size() + 1 + name.size());
  out += dir;
  if (out != "/") out += '/';
  out += name;
  return out;
}

std::string joined_path(std::string_view dir, std::string_view relative) {
  std::string out;
  out.reserve(dir.size() + 1 + relative.size());
  out += dir;
  if (!out.empty() && out.back() != '/') out += '/';
  out += relative;
  return out;
}

fs::path current_dir() {
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  return ec ? fs::path() : cwd;
}

std::vector<std::string> path_entries(std::string_view path_variable) {
  std::vector<std::string> out;
  while (true) {
    const auto colon = path_variable.find(':');
    out.emplace_back(path_variable.substr(0, colon));
    if (colon == std::string_view::npos) break;
    path_variable.remove_prefix(colon + 1);
  }
  return out;
}

std::vector<fs::path> absolute_path_entries(std::string_view path_variable) {
  std::vector<fs::path> out;
  for (auto& dir : path_entries(path_variable))
    if (!dir.empty() && dir.front() == '/') out.emplace_back(std::move(dir));
  return out;
}

const fs::path& self_exe() {
  // The program does not change while it runs (an exec starts afresh): one
  // readlink, where a start asked for it five times.
  static const fs::path exe = [] {
    std::error_code ec;
    fs::path p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : p;
  }();
  return exe;
}

std::string self_exe_dir(int levels) {
  std::string_view dir = self_exe().native();
  for (int i = 0; i < levels && !dir.empty(); ++i) {
    const std::size_t slash = dir.rfind('/');
    dir = slash == std::string_view::npos ? std::string_view() : dir.substr(0, slash == 0 ? 1 : slash);
  }
  return std::string(dir);
}

fs::path started_program() {
  fs::path self = self_exe();
  // The auxiliary vector holds the path execve was given, as an address.
  const char* started = reinterpret_cast<const char*>(::getauxval(AT_EXECFN));  // NOLINT(performance-no-int-to-ptr)
  if (!started || !*started) return self;
  const fs::path cwd = *started == '/' ? fs::path("/") : current_dir();
  if (cwd.empty()) return self;
  fs::path path = absolute_from(started, cwd).lexically_normal();
  std::error_code ec;
  return fs::equivalent(path, self, ec) && !ec ? path : self;
}

bool same_program(const fs::path& path, const fs::path& self) {
  std::error_code ec;
  if (fs::equivalent(path, self, ec) && !ec) return true;
  // ~/.local/bin/pycache-python, uv tool's link to its venv's copy: where it leads.
  const fs::path real = fs::canonical(path, ec);
  if (ec || real.parent_path() != self.parent_path()) return false;
  struct stat a {
  }, b{};
  return ::stat(path.c_str(), &a) == 0 && ::stat(self.c_str(), &b) == 0 && S_ISREG(a.st_mode) && S_ISREG(b.st_mode) &&
         a.st_uid == b.st_uid && a.st_size == b.st_size;
}

std::string ConfigFile::why() const {
  switch (status) {
    case Status::Ok: return "read";
    case Status::NotRegular: return "not a regular file";
    case Status::TooLarge: return fmt::format("larger than {} MiB", kConfigFileLimit >> 20);
    case Status::Absent:
    case Status::Unreadable: break;
  }
  return std::generic_category().message(error);
}

ConfigFile read_config_file(const std::string& p, std::size_t limit, Links links) {
  ConfigFile out;
  auto failed = [&](int e) {
    out.status = e == ENOENT || e == ENOTDIR ? ConfigFile::Status::Absent : ConfigFile::Status::Unreadable;
    out.error = e;
    return out;
  };
  const int nofollow = links == Links::DontFollow ? O_NOFOLLOW : 0;
  int fd = ::open(p.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | nofollow);
  if (fd < 0) {
    // A directory can't be opened for writing, but can for reading: only
    // the fstat below tells; ENXIO is a socket, or a FIFO with no writer.
    if (errno == ENXIO) {
      out.status = ConfigFile::Status::NotRegular;
      return out;
    }
    return failed(errno);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return failed(e);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    out.status = ConfigFile::Status::NotRegular;
    return out;
  }
  // One byte past the limit tells a file that is too large (or still growing).
  std::string data;
  data.resize(std::min<std::uint64_t>(static_cast<std::uint64_t>(st.st_size), limit) + 1);
  std::size_t done = 0;
  while (true) {
    if (done == data.size()) {
      if (done > limit) break;
      data.resize(std::min(data.size() * 2, limit + 1));
    }
    ssize_t r = ::read(fd, data.data() + done, data.size() - done);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int e = errno;
      ::close(fd);
      return failed(e);
    }
    if (r == 0) break;
    done += static_cast<std::size_t>(r);
  }
  ::close(fd);
  if (done > limit) {
    out.status = ConfigFile::Status::TooLarge;
    return out;
  }
  data.resize(done);
  out.status = ConfigFile::Status::Ok;
  out.text = std::move(data);
  out.owner = st.st_uid;
  return out;
}

}  // namespace pycache
