// interpreters::VersionCache: the versions read out of binaries, kept between runs.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>

#include "pycache/interpreters.hpp"
#include "pycache/paths.hpp"

namespace pycache::interpreters {
namespace {

constexpr std::size_t kCacheLimit = 256 << 10;
constexpr std::size_t kMaxEntries = 256;
constexpr const char* kHeader = "pycache-interpreters 1";

std::ostream& operator<<(std::ostream& out, const FileId& id) {
  return out << id.dev << ' ' << id.ino << ' ' << id.size << ' ' << id.mtime_ns;
}

bool parse_id(std::istream& in, FileId& id) {
  return static_cast<bool>(in >> id.dev >> id.ino >> id.size >> id.mtime_ns);
}

bool write_all(int fd, const std::string& text) {
  std::size_t at = 0;
  while (at < text.size()) {
    const ssize_t n = ::write(fd, text.data() + at, text.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    at += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

VersionCache::VersionCache(fs::path file) : file_(std::move(file)) {}

fs::path VersionCache::default_file(const EnvLookup& env) {
  const char* name = "interpreters-v1";
  if (const char* xdg = env("XDG_CACHE_HOME"); xdg && *xdg && fs::path(xdg).is_absolute())
    return fs::path(xdg) / "pycache" / name;
  if (const char* home = env("HOME"); home && *home && fs::path(home).is_absolute())
    return fs::path(home) / ".cache" / "pycache" / name;
  return {};
}

// One entry per line: the binary's identity, the scanned file's, the version ("-": none found).
void VersionCache::load() {
  loaded_ = true;
  if (file_.empty()) return;
  const ConfigFile f = read_config_file(file_, kCacheLimit, Links::DontFollow);
  if (!f.ok() || f.owner != ::geteuid()) return;
  std::istringstream text(f.text);
  std::string line;
  if (!std::getline(text, line) || line != kHeader) return;
  while (std::getline(text, line) && entries_.size() < kMaxEntries) {
    std::istringstream fields(line);
    Entry e;
    std::string rest;
    if (!parse_id(fields, e.binary) || !parse_id(fields, e.scanned) || !(fields >> e.version) || (fields >> rest))
      continue;
    if (e.version == "-") e.version.clear();
    entries_.push_back(std::move(e));
  }
}

std::optional<std::string> VersionCache::find(const FileId& binary, const FileId& scanned) {
  if (!loaded_) load();
  for (const auto& e : entries_)
    if (e.binary == binary && e.scanned == scanned) return e.version;
  return std::nullopt;
}

void VersionCache::remember(const FileId& binary, const FileId& scanned, const std::string& version) {
  if (!loaded_) load();
  // The same files changed since: their old entry is stale for good.
  std::erase_if(entries_, [&](const Entry& e) {
    return e.binary.dev == binary.dev && e.binary.ino == binary.ino && e.scanned.dev == scanned.dev &&
           e.scanned.ino == scanned.ino;
  });
  if (entries_.size() >= kMaxEntries) entries_.erase(entries_.begin());
  entries_.push_back(Entry{binary, scanned, version});
  dirty_ = true;
}

bool VersionCache::save() {
  if (!dirty_ || file_.empty()) return true;
  const fs::path dir = file_.parent_path();
  std::error_code ec;
  fs::create_directories(dir.parent_path(), ec);
  ::mkdir(dir.c_str(), 0700);
  std::ostringstream text;
  text << kHeader << '\n';
  for (const auto& e : entries_)
    text << e.binary << ' ' << e.scanned << ' ' << (e.version.empty() ? "-" : e.version) << '\n';
  std::string tmp = (dir / ("." + file_.filename().native() + ".XXXXXX")).native();
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) return false;
  const bool written = ::fchmod(fd, 0600) == 0 && write_all(fd, text.str());
  if (::close(fd) != 0 || !written || ::rename(tmp.c_str(), file_.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return false;
  }
  dirty_ = false;
  return true;
}

}  // namespace pycache::interpreters
