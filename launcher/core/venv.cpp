#include "pycache/venv.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <system_error>

#include "pycache/paths.hpp"
#include "pycache/text.hpp"
#include "pycache/trust.hpp"

namespace pycache {

std::string major_minor_of(std::string_view version, bool free_threaded) {
  auto first = version.find('.');
  auto second = first == std::string_view::npos ? first : version.find('.', first + 1);
  std::string out(version.substr(0, second));
  if (free_threaded && !out.ends_with('t')) out += 't';
  return out;
}

Result<VenvInfo> inspect_venv(const fs::path& dir) {
  const std::string file = joined_path(dir.native(), "pyvenv.cfg");
  ConfigFile cfg = read_config_file(file);
  if (cfg.status == ConfigFile::Status::Absent)
    return Error{fmt::format("'{}' is not a virtual environment (no pyvenv.cfg)", printable(dir.native())),
                 kExitEnvironment};
  if (!cfg.ok()) return Error{fmt::format("{}: {}", printable(file), cfg.why()), kExitUsage};
  VenvInfo info{dir, {}, false};
  std::string_view text = cfg.text;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    // venv writes `version`, virtualenv and uv `version_info` (3.11.2.final.0).
    if ((key == "version" || key == "version_info") && info.version.empty()) info.version = std::string(value);
    if (key == "version_info") info.version = std::string(value);
    // getpath reads the key case-insensitively.
    std::string lower(key);
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (lower == "home") info.home = std::string(value);
  }
  struct stat st {};
  if (!info.version.empty() &&
      ::stat(joined_path(dir.native(), "lib/python" + major_minor_of(info.version, false) + "t").c_str(), &st) == 0 &&
      S_ISDIR(st.st_mode))
    info.free_threaded = true;
  return info;
}

std::optional<Error> check_venv_compatible(const VenvInfo& venv, std::string_view ours, bool free_threaded) {
  if (venv.version.empty()) return std::nullopt;  // nothing to compare: let site.py decide
  std::string theirs = major_minor_of(venv.version, false);
  if (theirs != ours || venv.free_threaded != free_threaded) {
    return Error{fmt::format("the virtual environment '{}' was made for Python {}{}, but pycache embeds Python {}{}; "
                             "recreate it with 'pycache-python -m venv', or run it with 'pycache run', which "
                             "finds its Python on this machine",
                             printable(venv.dir.native()), theirs, venv.free_threaded ? " (free-threaded)" : "", ours,
                             free_threaded ? " (free-threaded)" : ""),
                 kExitEnvironment};
  }
  return std::nullopt;
}

std::optional<fs::path> venv_of_executable(const fs::path& executable) {
  fs::path bin = executable.parent_path();
  fs::path above = bin.parent_path();
  for (fs::path* dir : {&above, &bin}) {
    if (!dir->empty() && access(joined_path(dir->native(), "pyvenv.cfg").c_str(), F_OK) == 0) return std::move(*dir);
  }
  return std::nullopt;
}

namespace {

// `link`, a symlink to `python`, made (or made again, atomically, when it
// leads elsewhere) unless it already leads there.
std::optional<fs::path> linked(const fs::path& link, const fs::path& python) {
  std::error_code ec;
  if (fs::equivalent(link, python, ec) && !ec) return link;
  // Absent (or stale, after pycache moved): make it point at this pycache.
  fs::path tmp = link.native() + ".tmp" + std::to_string(getpid());
  fs::remove(tmp, ec);
  fs::create_symlink(python, tmp, ec);
  if (ec) return std::nullopt;
  fs::rename(tmp, link, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return std::nullopt;
  }
  return link;
}

}  // namespace

std::optional<fs::path> venv_launcher(const fs::path& venv_dir, const fs::path& python) {
  return linked(venv_dir / "bin" / "pycache-python", python);
}

std::optional<fs::path> program_link(const fs::path& cache_dir, const fs::path& python) {
  if (cache_dir.empty()) return std::nullopt;
  std::error_code ec;
  const fs::path real = fs::canonical(python, ec);
  if (ec) return std::nullopt;
  std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a: the same name for the same program, release after release
  for (const unsigned char c : real.native()) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  const fs::path dir = cache_dir / "programs" / fmt::format("{:016x}", hash);
  fs::create_directories(dir, ec);
  if (ec || distrust_directory(Trust::current(), dir, Exclusive::Yes)) return std::nullopt;
  return linked(dir / "pycache-python", real);
}

}  // namespace pycache
