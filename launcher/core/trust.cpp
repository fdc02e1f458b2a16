#include "pycache/trust.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "pycache/paths.hpp"
#include "pycache/text.hpp"

namespace pycache {
namespace {

// The components of an absolute path, last first (a stack to pop from).
void push_components(const std::string& path, std::vector<std::string>& stack) {
  std::size_t end = path.size();
  while (end > 0) {
    const std::size_t slash = path.rfind('/', end - 1);
    const std::size_t at = slash == std::string::npos ? 0 : slash + 1;
    if (end > at) stack.emplace_back(path, at, end - at);
    if (slash == std::string::npos) break;
    end = slash;
  }
}

std::string owned_by(const std::string& what, std::uint32_t owner) {
  return fmt::format("{} is owned by {}, not by you or root", what, describe_user(owner));
}

// `dir` stops at `missing`, which does not exist: trusted only while no one
// else can make it in `parent`, the nearest directory that exists.
std::optional<std::string> distrust_absent(const fs::path& dir, const std::string& parent) {
  struct stat st {};
  if (::stat(parent.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || !(st.st_mode & S_IWOTH)) return std::nullopt;
  return fmt::format("'{}' does not exist, and anyone can make it first: '{}' is writable by everyone",
                     printable(dir.native()), printable(parent));
}

}  // namespace

Trust Trust::current(std::vector<std::string> safe) {
  return Trust{static_cast<std::uint32_t>(::geteuid()), std::move(safe)};
}

bool Trust::listed(const fs::path& path) const {
  for (const auto& s : safe)
    if (s == "*" || is_within(path.native(), s)) return true;
  return false;
}

std::string describe_user(std::uint32_t uid) {
  if (const passwd* pw = ::getpwuid(uid); pw && pw->pw_name) return fmt::format("{} (uid {})", pw->pw_name, uid);
  return fmt::format("uid {}", uid);
}

namespace {

// The entry `file` (owned by `owner`, as lstat tells) and the directory holding it.
std::optional<std::string> distrust_entry(const Trust& trust, const fs::path& file, std::uint32_t owner) {
  const fs::path dir = file.parent_path();
  if (trust.listed(dir)) return std::nullopt;
  if (!trust.trusted_owner(owner)) return owned_by("it", owner);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return std::nullopt;
  // Named only when refused, as in distrust_directory.
  auto holding = [&] { return fmt::format("the directory holding it ('{}')", printable(dir.native())); };
  if (!trust.trusted_owner(st.st_uid)) return owned_by(holding(), st.st_uid);
  // Anyone could put their own file (or link) there between a look and a read.
  if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) return holding() + " is writable by everyone";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> distrust_file(const Trust& trust, const fs::path& file) {
  struct stat st {};
  if (::lstat(file.c_str(), &st) != 0) return std::nullopt;
  return distrust_entry(trust, file, st.st_uid);
}

FoundFile read_found_file(const Trust& trust, const fs::path& file) {
  FoundFile out;
  struct stat st {};
  if (::lstat(file.c_str(), &st) != 0) {
    out.read.error = errno;
    out.read.status = errno == ENOENT || errno == ENOTDIR ? ConfigFile::Status::Absent : ConfigFile::Status::Unreadable;
    return out;
  }
  out.refused = distrust_entry(trust, file, st.st_uid);
  if (out.refused) {
    // Someone else's: a FIFO, a device or a link to one is never opened.
    if (S_ISREG(st.st_mode)) out.read = read_config_file(file, kConfigFileLimit, Links::DontFollow);
    else out.read.status = ConfigFile::Status::NotRegular;
    return out;
  }
  out.read = read_config_file(file);
  if (out.read.ok() && !trust.listed(file.parent_path()) && !trust.trusted_owner(out.read.owner))
    out.refused = owned_by(S_ISLNK(st.st_mode) ? "the file it links to" : "it", out.read.owner);
  return out;
}

std::optional<std::string> distrust_directory(const Trust& trust, const fs::path& dir, Exclusive exclusive) {
  if (trust.listed(dir)) return std::nullopt;
  std::vector<std::string> todo;
  todo.reserve(16);
  push_components(dir.native(), todo);
  std::string at = "/";
  int links = 0;
  const std::string private_name = exclusive == Exclusive::Yes ? private_prefix_name(trust.uid) : std::string();
  auto check = [&](const std::string& path, const struct stat& st) -> std::optional<std::string> {
    // Named only when refused: every start checks a dozen directories.
    auto what = [&] { return fmt::format("'{}'", printable(path)); };
    if (!trust.trusted_owner(st.st_uid)) return owned_by(what(), st.st_uid);
    if (!S_ISDIR(st.st_mode) || !(st.st_mode & S_IWOTH)) return std::nullopt;
    const bool last = todo.empty();
    // The shared directory holding the user's own part of a cache prefix.
    if (exclusive == Exclusive::Yes && todo.size() == 1 && todo.back() == private_name) return std::nullopt;
    if (!(st.st_mode & S_ISVTX)) return what() + " is writable by everyone";
    if (last && exclusive == Exclusive::Yes) return what() + " is writable by everyone (a cache prefix must not be)";
    return std::nullopt;
  };
  struct stat st {};
  if (::lstat("/", &st) == 0)
    if (auto why = check("/", st)) return why;
  while (!todo.empty()) {
    std::string name = std::move(todo.back());
    todo.pop_back();
    if (name == ".") continue;
    if (name == "..") {
      at = fs::path(at).parent_path().native();
      continue;
    }
    std::string next = child_path(at, name);
    if (::lstat(next.c_str(), &st) != 0) return distrust_absent(dir, at);
    if (S_ISLNK(st.st_mode)) {
      if (!trust.trusted_owner(st.st_uid))
        return owned_by(fmt::format("the symbolic link '{}'", printable(next)), st.st_uid);
      if (++links > 40) return fmt::format("'{}': too many levels of symbolic links", printable(dir.native()));
      char target[PATH_MAX];
      ssize_t n = ::readlink(next.c_str(), target, sizeof target - 1);
      if (n < 0) return std::nullopt;
      std::string t(target, static_cast<std::size_t>(n));
      if (!t.empty() && t[0] == '/') at.assign(1, '/');  // not = "/": GCC 12 -Wrestrict false positive
      push_components(t, todo);
      continue;
    }
    if (auto why = check(next, st)) return why;
    at = std::move(next);
  }
  return std::nullopt;
}

std::string private_prefix_name(std::uint32_t uid) { return fmt::format("pycache-{}", uid); }

bool shared_directory(const fs::path& dir) {
  struct stat st {};
  return ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & S_IWOTH);
}

std::optional<std::string> make_private_directory(const Trust& trust, const fs::path& dir, const std::string& name) {
  const std::string path = child_path(dir.native(), name);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return fmt::format("cannot open '{}': {}", printable(dir.native()), std::strerror(errno));
  std::optional<std::string> why;
  struct stat st {};
  if ((::mkdirat(fd, name.c_str(), 0700) != 0 && errno != EEXIST) ||
      ::fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    why = fmt::format("cannot make '{}': {}", printable(path), std::strerror(errno));
  else if (!S_ISDIR(st.st_mode)) why = fmt::format("'{}' is not a directory", printable(path));
  else if (st.st_uid != trust.uid)
    why = fmt::format("'{}' is owned by {}, not by you", printable(path), describe_user(st.st_uid));
  else if (st.st_mode & (S_IWGRP | S_IWOTH)) why = fmt::format("'{}' is writable by others", printable(path));
  ::close(fd);
  return why;
}

}  // namespace pycache
