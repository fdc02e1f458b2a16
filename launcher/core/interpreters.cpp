#include "pycache/interpreters.hpp"

#include <dirent.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "pycache/paths.hpp"
#include "pycache/text.hpp"

namespace pycache::interpreters {
namespace {

// Where Debian puts the shared libraries of /usr: /usr/lib/<triplet>.
#if defined(__x86_64__)
constexpr const char* kMultiarch = "x86_64-linux-gnu";
#elif defined(__aarch64__)
constexpr const char* kMultiarch = "aarch64-linux-gnu";
#elif defined(__i386__)
constexpr const char* kMultiarch = "i386-linux-gnu";
#else
constexpr const char* kMultiarch = "";
#endif

bool digit(char c) { return c >= '0' && c <= '9'; }

bool present(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

// The digits at `s[at]` (at least one), `at` moved past them.
std::optional<std::string_view> digits(std::string_view s, std::size_t& at) {
  const std::size_t start = at;
  while (at < s.size() && digit(s[at])) ++at;
  if (at == start) return std::nullopt;
  return s.substr(start, at - start);
}

struct Minor {
  std::string major_minor;  // "3.12"
  bool free_threaded = false;
};

// "3.12" then the ABI flags of `s` from `at` ("t", "m", "d"), with `rest` after them.
std::optional<Minor> minor_then(std::string_view s, std::size_t at, std::string_view rest) {
  if (s.compare(at, 2, "3.") != 0) return std::nullopt;
  at += 2;
  auto n = digits(s, at);
  if (!n) return std::nullopt;
  Minor m{"3." + std::string(*n)};
  while (at < s.size() && (s[at] == 't' || s[at] == 'm' || s[at] == 'd')) m.free_threaded |= s[at++] == 't';
  if (s.substr(at) != rest) return std::nullopt;
  return m;
}

// "python3.12", "python3.13t", "python3.7m".
std::optional<Minor> minor_of_program(std::string_view name) {
  if (name.substr(0, 6) != "python") return std::nullopt;
  return minor_then(name, 6, "");
}

// "libpython3.12.so.1.0", "libpython3.13t.so", "libpython3.7m.so.1.0"; not the stable ABI's libpython3.so.
std::optional<Minor> minor_of_library(std::string_view name) {
  if (name.substr(0, 9) != "libpython") return std::nullopt;
  const std::size_t so = name.find(".so", 9);
  if (so == std::string_view::npos) return std::nullopt;
  return minor_then(name.substr(0, so), 9, "");
}

// A release "3.12.1" or "3.13.0rc1" at the start of `s`, its length in `len`.
std::optional<std::string_view> release_prefix(std::string_view s) {
  std::size_t at = 0;
  for (int part = 0; part < 3; ++part) {
    if (part > 0 && (at >= s.size() || s[at++] != '.')) return std::nullopt;
    if (!digits(s, at)) return std::nullopt;
  }
  for (std::string_view pre : {"rc", "a", "b"}) {
    if (s.substr(at, pre.size()) != pre) continue;
    std::size_t after = at + pre.size();
    if (digits(s, after)) at = after;
    break;
  }
  return s.substr(0, at);
}

// The numbers of a version, for newest-first ordering; empty when `s` does not start with one.
std::vector<int> version_key(std::string_view s) {
  std::vector<int> key;
  std::size_t at = 0;
  while (auto n = digits(s, at)) {
    key.push_back(std::atoi(std::string(*n).c_str()));
    if (at >= s.size() || s[at] != '.') break;
    ++at;
  }
  return key;
}

// The names to try for the install's files: "python3.13t", "python3.12", "python3.7m".
std::vector<std::string> abi_names(const Minor& m) {
  const std::string base = "python" + m.major_minor;
  if (m.free_threaded) return {base + "t"};
  const int minor = std::atoi(m.major_minor.c_str() + 2);
  if (minor <= 7) return {base, base + "m"};
  return {base};
}

// getpath's landmark search, from `dir` up to (not into) "/".
fs::path search_prefix(const fs::path& dir, const Minor& m, fs::path& stdlib) {
  const std::string lib = abi_names(m).front();
  for (fs::path d = dir; !d.empty() && d != d.root_path(); d = d.parent_path()) {
    const std::string candidate = joined_path(d.native(), "lib/" + lib);
    if (present(candidate + "/os.py") || present(candidate + "/os.pyc")) {
      stdlib = candidate;
      return d;
    }
  }
  return {};
}

// The one lib/python3.X[t] with an os.py under `root`, for a python3 that says no more.
std::optional<Minor> minor_of_layout(const fs::path& root) {
  std::error_code ec;
  std::optional<Minor> found;
  for (fs::directory_iterator it(root / "lib", ec), end; !ec && it != end; it.increment(ec)) {
    auto m = minor_of_program(it->path().filename().native());
    if (!m || !present(joined_path(it->path().native(), "os.py"))) continue;
    if (found) return std::nullopt;
    found = m;
  }
  return found;
}

FileId id_of(const struct stat& st) {
  return FileId{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
                static_cast<std::uint64_t>(st.st_size),
                static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

}  // namespace

std::optional<FileId> file_id(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return std::nullopt;
  return id_of(st);
}

std::string_view place_name(Place place) {
  switch (place) {
    case Place::Given: return "given";
    case Place::Uv: return "uv";
    case Place::Pyenv: return "pyenv";
    case Place::Path: return "PATH";
    case Place::UsrLocal: return "/usr/local/bin";
    case Place::Usr: return "/usr/bin";
  }
  return "";
}

std::string found_text(const Interpreter& in) {
  if (in.place == Place::Given) return "Python " + in.version;
  return fmt::format("Python {} found in {}", in.version, place_name(in.place));
}

std::string_view version_source_name(VersionSource source) {
  switch (source) {
    case VersionSource::Header: return "patchlevel.h";
    case VersionSource::DirectoryName: return "directory name";
    case VersionSource::Binary: return "binary";
    case VersionSource::MinorOnly: return "name";
  }
  return "";
}

namespace {

// PY_VERSION of PREFIX/include/python3.X[t]/patchlevel.h, when it is this minor's.
std::optional<std::string> header_version(const fs::path& prefix, const Minor& m) {
  for (const auto& name : abi_names(m)) {
    const ConfigFile f = read_config_file(joined_path(prefix.native(), "include/" + name + "/patchlevel.h"), 64 << 10);
    if (!f.ok()) continue;
    const std::string_view text = f.text;
    const std::size_t define = text.find("#define PY_VERSION ");
    if (define == std::string_view::npos) continue;
    const std::size_t open = text.find('"', define);
    const std::size_t close = open == std::string_view::npos ? open : text.find('"', open + 1);
    if (close == std::string_view::npos) continue;
    const std::string_view v = text.substr(open + 1, close - open - 1);
    if (auto r = release_prefix(v); r && v.substr(0, m.major_minor.size() + 1) == m.major_minor + ".")
      return std::string(v);
  }
  return std::nullopt;
}

// The version in the name of the install's directory: pyenv's "3.12.1"
// ("3.13.0t"), uv's "cpython-3.12.1-linux-x86_64-gnu" ("cpython-3.13.0+freethreaded-...").
std::optional<std::string> directory_version(const fs::path& root, const Minor& m) {
  const fs::path base = root.filename();
  std::string_view name = base.native();
  if (name.substr(0, 8) == "cpython-") name.remove_prefix(8);
  auto v = release_prefix(name);
  if (!v || v->substr(0, m.major_minor.size() + 1) != m.major_minor + ".") return std::nullopt;
  const std::string_view rest = name.substr(v->size());
  if (!rest.empty() && rest[0] != '-' && rest[0] != '+' && rest != "t") return std::nullopt;
  return std::string(*v);
}

// The directories the loader searches for the binary's own libraries, in its order.
std::vector<std::string> search_dirs(const elf::DynamicInfo& info) {
  return info.runpath.empty() ? info.rpath : info.runpath;
}

// The install's shared libpython, and whether the binary links it.
fs::path find_libpython(const Interpreter& in, const Minor& m, Link& link) {
  link = Link::Static;
  for (const auto& needed : in.elf.needed) {
    if (!minor_of_library(needed)) continue;
    link = Link::Shared;
    for (const auto& dir : search_dirs(in.elf))
      if (fs::path lib = fs::path(dir) / needed; lib.is_absolute() && present(lib)) return lib;
    if (!in.prefix.empty() && present(in.prefix / "lib" / needed)) return in.prefix / "lib" / needed;
    if (!in.prefix.empty() && *kMultiarch && present(in.prefix / "lib" / kMultiarch / needed))
      return in.prefix / "lib" / kMultiarch / needed;
    return {};
  }
  if (in.prefix.empty()) return {};
  for (const auto& name : abi_names(m)) {
    const std::string file = "lib" + name + ".so.1.0";
    if (present(in.prefix / "lib" / file)) return in.prefix / "lib" / file;
    if (*kMultiarch && present(in.prefix / "lib" / kMultiarch / file)) return in.prefix / "lib" / kMultiarch / file;
  }
  return {};
}

// The minor version of the interpreter whose real binary is `real`.
std::optional<Minor> find_minor(const fs::path& path, const fs::path& real, const elf::DynamicInfo& info) {
  if (auto m = minor_of_program(real.filename().native())) return m;
  if (auto m = minor_of_program(path.filename().native())) return m;
  for (const auto& needed : info.needed)
    if (auto m = minor_of_library(needed)) return m;
  return minor_of_layout(real.parent_path().parent_path());
}

// PY_VERSION out of the libpython the binary links, or out of the (static)
// binary itself: read once per pair of files, then cached.
std::string scan_binary(const Interpreter& in, const Minor& m, VersionCache* cache) {
  const bool library = in.link == Link::Shared && !in.libpython.empty();
  const fs::path file = library ? in.libpython : in.real;
  const auto id = file_id(file);
  if (!id) return {};
  if (cache)
    if (auto v = cache->find(in.id, *id)) return *v;
  elf::Range range = in.elf.rodata;
  if (library) {
    auto info = elf::read_dynamic(file, file.parent_path());
    range = info ? info->rodata : elf::Range{};
  }
  if (range.size == 0) range = elf::Range{0, id->size};  // no section headers: the whole file
  std::string version = elf::scan_version(file, range, m.major_minor);
  if (cache) {
    ++cache->scans;
    cache->remember(in.id, *id, version);
  }
  return version;
}

// The full version, learnt as cheaply as it can be.
void find_version(Interpreter& in, const Minor& m, VersionCache* cache) {
  in.version = m.major_minor;
  in.version_source = VersionSource::MinorOnly;
  const fs::path root = in.prefix.empty() ? in.real.parent_path().parent_path() : in.prefix;
  if (auto v = in.prefix.empty() ? std::nullopt : header_version(in.prefix, m)) {
    in.version = *v;
    in.version_source = VersionSource::Header;
  } else if (auto d = directory_version(root, m)) {
    in.version = *d;
    in.version_source = VersionSource::DirectoryName;
  } else if (auto b = scan_binary(in, m, cache); !b.empty()) {
    in.version = b;
    in.version_source = VersionSource::Binary;
  }
}

// "'PATH': WHY" for a refusal about another file than the one found.
std::string about(const fs::path& file, const std::string& what, const std::string& why) {
  return fmt::format("{} '{}': {}", what, printable(file.native()), why);
}

std::optional<std::string> judge_file(const Trust& trust, const fs::path& file, const std::string& what) {
  auto why = distrust_file(trust, file);
  if (!why) why = distrust_directory(trust, file.parent_path(), Exclusive::No);
  if (!why) return std::nullopt;
  return what.empty() ? *why : about(file, what, *why);
}

// Why the interpreter must not be used: the path found, its real file, its
// libpython and its standard library, each with the directories on its way.
std::optional<std::string> judge(const Trust& trust, const Interpreter& in) {
  if (auto why = judge_file(trust, in.path, "")) return why;
  if (in.real != in.path)
    if (auto why = judge_file(trust, in.real, "its real file")) return why;
  if (!in.libpython.empty()) {
    std::error_code ec;
    const fs::path lib = fs::canonical(in.libpython, ec);
    if (auto why = judge_file(trust, ec ? in.libpython : lib, "its libpython")) return why;
  }
  if (!in.stdlib.empty())
    if (auto why = distrust_directory(trust, in.stdlib, Exclusive::No))
      return about(in.stdlib, "its standard library", *why);
  return std::nullopt;
}

Result<Interpreter> inspect_one(const fs::path& given, const Trust& trust, VersionCache* cache) {
  Interpreter in;
  in.path = given.is_absolute() ? given : absolute_from(given, current_dir());
  auto fail = [&](const std::string& why) {
    return Error{fmt::format("'{}': {}", printable(in.path.native()), why), kExitEnvironment};
  };
  char* real = ::realpath(in.path.c_str(), nullptr);
  if (!real) return fail(std::strerror(errno));
  in.real = real;
  std::free(real);  // NOLINT(cppcoreguidelines-no-malloc): realpath's buffer
  struct stat st {};
  if (::stat(in.real.c_str(), &st) != 0) return fail(std::strerror(errno));
  in.owner = st.st_uid;
  in.id = id_of(st);
  auto info = elf::read_dynamic(in.real, in.real.parent_path(), elf::FollowLinks::No);
  if (!info) return fail(info.error().message);
  in.elf = std::move(*info);
  // A venv's python3.X linked to pycache-python, found on PATH: pycache, not a CPython.
  if (in.elf.soname == kProgramSoname) return fail("a pycache program, not a CPython interpreter");
  auto m = find_minor(in.path, in.real, in.elf);
  if (!m) return fail("no CPython 3 interpreter whose version its name, libpython or layout tells");
  in.major_minor = m->major_minor;
  in.free_threaded = m->free_threaded;
  in.prefix = search_prefix(in.real.parent_path(), *m, in.stdlib);
  in.libpython = find_libpython(in, *m, in.link);
  find_version(in, *m, cache);
  in.refused = judge(trust, in);
  return in;
}

}  // namespace

Result<Interpreter> inspect(const fs::path& path, const Trust& trust, VersionCache* cache) {
  auto found = inspect_one(path, trust, cache);
  if (cache) cache->save();
  return found;
}

namespace {

// A directory named by an environment variable, when it is set to an absolute path.
fs::path env_dir(const EnvLookup& env, const char* name) {
  const char* v = env(name);
  if (!v || !*v || !fs::path(v).is_absolute()) return {};
  return v;
}

fs::path uv_root(const EnvLookup& env) {
  if (auto dir = env_dir(env, "UV_PYTHON_INSTALL_DIR"); !dir.empty()) return dir;
  if (auto dir = env_dir(env, "XDG_DATA_HOME"); !dir.empty()) return dir / "uv" / "python";
  if (auto home = env_dir(env, "HOME"); !home.empty()) return home / ".local" / "share" / "uv" / "python";
  return {};
}

fs::path pyenv_root(const EnvLookup& env) {
  if (auto dir = env_dir(env, "PYENV_ROOT"); !dir.empty()) return dir;
  if (auto home = env_dir(env, "HOME"); !home.empty()) return home / ".pyenv";
  return {};
}

// Newest first by the version at the start of the name (after `skip` bytes), then by name.
void sort_newest_first(std::vector<std::string>& names, std::size_t skip) {
  auto key = [&](const std::string& n) { return version_key(std::string_view(n).substr(std::min(skip, n.size()))); };
  std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
    const auto ka = key(a), kb = key(b);
    return ka != kb ? ka > kb : a < b;
  });
}

// The names in `dir` starting with `prefix` that `keep` accepts, newest first
// (by the version after the prefix). readdir, not directory_iterator: /usr/bin
// has a thousand names, and only a few are looked at.
template <class Keep>
std::vector<std::string> names_in(const fs::path& dir, std::string_view prefix, Keep keep) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return names;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (name.starts_with(prefix) && name != "." && name != ".." && keep(name)) names.emplace_back(name);
  }
  ::closedir(d);
  sort_newest_first(names, prefix.size());
  return names;
}

// python3.X[t] in `dir`, newest first, and then python3 when `plain`. With
// `only` ("3.12"), python3.12 without listing the directory.
std::vector<fs::path> programs_in(const fs::path& dir, bool plain, std::string_view only) {
  std::vector<fs::path> out;
  if (!only.empty()) out.push_back(dir / ("python" + std::string(only)));
  else
    for (const auto& n : names_in(dir, "python3.", [](std::string_view n) { return minor_of_program(n).has_value(); }))
      out.push_back(dir / n);
  if (plain) out.push_back(dir / "python3");
  return out;
}

struct Candidate {
  fs::path path;
  Place place;
};

std::vector<Candidate> candidates(const EnvLookup& env, std::string_view only) {
  std::vector<Candidate> out;
  auto add = [&](const std::vector<fs::path>& paths, Place place) {
    for (const auto& p : paths) out.push_back({p, place});
  };
  if (fs::path uv = uv_root(env); !uv.empty())
    for (const auto& n : names_in(uv, "cpython-", [](std::string_view) { return true; }))
      add(programs_in(uv / n / "bin", false, only), Place::Uv);
  if (fs::path pyenv = pyenv_root(env); !pyenv.empty())
    for (const auto& n : names_in(pyenv / "versions", "", [](std::string_view n) { return n[0] != '.'; }))
      add(programs_in(pyenv / "versions" / n / "bin", false, only), Place::Pyenv);
  const char* path = env("PATH");
  for (const auto& dir : absolute_path_entries(path ? path : "")) add(programs_in(dir, true, only), Place::Path);
  add(programs_in("/usr/local/bin", true, only), Place::UsrLocal);
  add(programs_in("/usr/bin", true, only), Place::Usr);
  return out;
}

}  // namespace

Discovery discover(const EnvLookup& env, const Trust& trust, VersionCache* cache, std::string_view only) {
  Discovery d;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> seen;  // device and inode of every file looked at
  std::vector<std::size_t> index;                             // its entry in d.found, or npos
  for (const auto& c : candidates(env, only)) {
    const auto id = file_id(c.path);
    if (!id) continue;  // not there, or a dangling link
    const auto at = std::find(seen.begin(), seen.end(), std::pair(id->dev, id->ino));
    if (at != seen.end()) {
      const std::size_t i = index[static_cast<std::size_t>(at - seen.begin())];
      if (i == std::string::npos) continue;
      auto& aliases = d.found[i].aliases;
      if (d.found[i].path != c.path && std::find(aliases.begin(), aliases.end(), c.path) == aliases.end())
        aliases.push_back(c.path);
      continue;
    }
    seen.emplace_back(id->dev, id->ino);
    auto found = inspect_one(c.path, trust, cache);
    if (!found) {
      index.push_back(std::string::npos);
      d.skipped.push_back(found.error().message);
      continue;
    }
    if (!only.empty() && found->name() != only) {  // a python3 of another version
      index.push_back(std::string::npos);
      continue;
    }
    found->place = c.place;
    index.push_back(d.found.size());
    d.found.push_back(std::move(*found));
    if (!only.empty() && !d.found.back().refused) break;
  }
  if (cache) cache->save();
  return d;
}

namespace {

// The first _sysconfigdata_*.py of `stdlib`, and its size.
void find_sysconfigdata(const fs::path& stdlib, PythonInstall& install) {
  DIR* d = ::opendir(stdlib.c_str());
  if (!d) return;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (!name.starts_with("_sysconfigdata_") || !name.ends_with(".py")) continue;
    struct stat st {};
    if (::stat((stdlib / name).c_str(), &st) != 0) continue;
    install.sysconfigdata = std::string(name);
    install.sysconfigdata_size = static_cast<std::uint64_t>(st.st_size);
    break;
  }
  ::closedir(d);
}

}  // namespace

PythonInstall install_of(const Interpreter& in) {
  PythonInstall install;
  install.home = in.prefix;
  install.exec_prefix = in.prefix;
  install.stdlib = in.stdlib;
  install.lib_name = "python" + in.name();
  std::string digits = in.major_minor;
  if (auto dot = digits.find('.'); dot != std::string::npos) digits.erase(dot, 1);
  install.zip_name = "python" + digits + ".zip";
  find_sysconfigdata(in.stdlib, install);
  return install;
}

}  // namespace pycache::interpreters
