#include "pycache/python_choice.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <utility>
#include <vector>

#include "pycache/build_config.hpp"
#include "pycache/paths.hpp"
#include "pycache/policy_sources.hpp"
#include "pycache/pyc.hpp"
#include "pycache/text.hpp"
#include "pycache/venv.hpp"

namespace pycache {
namespace {

// Major, minor, micro, then a pre-release: its kind (0 a, 1 b, 2 rc, 3 for
// a final release, which sorts after them) and number.
using Version = std::array<int, 5>;
enum class Pre { No, Yes };

// A PEP 440 pre-release suffix ("a1", "b2", "rc1", and the spellings
// normalised to them) into v[3], v[4].
bool parse_pre(std::string_view s, Version& v) {
  static constexpr std::pair<std::string_view, int> kKinds[] = {{"alpha", 0}, {"a", 0}, {"beta", 1},    {"b", 1},
                                                                {"rc", 2},    {"c", 2}, {"preview", 2}, {"pre", 2}};
  for (auto [word, kind] : kKinds) {
    if (!s.starts_with(word)) continue;
    s.remove_prefix(word.size());
    v[3] = kind;
    if (s.empty()) return true;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v[4]);
    return ec == std::errc() && end == s.data() + s.size() && std::isdigit(static_cast<unsigned char>(s[0]));
  }
  return false;
}

// "3.12.1" -> {3, 12, 1, final}; missing parts are 0; with Pre::Yes a
// pre-release suffix ("3.13.0rc1") is read too; nullopt for anything else.
std::optional<Version> parse_version(std::string_view s, int* parts = nullptr, Pre pre = Pre::No) {
  Version v{0, 0, 0, 3, 0};
  int n = 0;
  while (n < 3) {
    if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) return std::nullopt;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v[n]);
    if (ec != std::errc()) return std::nullopt;
    ++n;
    s.remove_prefix(static_cast<std::size_t>(end - s.data()));
    if (s.empty()) break;
    if (pre == Pre::Yes && std::isalpha(static_cast<unsigned char>(s[0]))) {
      if (!parse_pre(s, v)) return std::nullopt;
      s = {};
      break;
    }
    if (s[0] != '.') return std::nullopt;
    s.remove_prefix(1);
  }
  if (!s.empty()) return std::nullopt;
  if (parts) *parts = n;
  return v;
}

// The runtime for a version request ("3.12", "3.12.1", "3.13t"): the one of
// that major.minor (and ABI), when its program is here.
const runtime::Runtime* runtime_for_version(std::string_view request) {
  const bool t = request.ends_with('t');
  std::string_view digits = t ? request.substr(0, request.size() - 1) : request;
  for (const auto& r : runtime::all()) {
    if (r.free_threaded != t) continue;
    if (r.major_minor == major_minor_of(digits, false) && runtime::program_path(r)) return &r;
  }
  return nullptr;
}

PythonChoice from_version(std::string request, Origin origin) {
  PythonChoice c{std::move(request), std::move(origin)};
  c.runtime = runtime_for_version(c.request);
  c.cache_tag = c.runtime ? std::string(c.runtime->cache_tag) : pyc::cache_tag_of_version(c.request);
  if (!c.runtime) c.missing = "Python " + c.request;
  return c;
}

// An interpreter of `major_minor` ("3.14", "3.13t") on this machine, as
// PYCACHE_PYTHONS=all would find it; empty when there is none.
std::string find_interpreter(const std::string& major_minor) {
  const std::string name = "python" + major_minor;
  std::vector<fs::path> candidates{fs::path("/usr/bin") / name};
  const char* pyenv = std::getenv("PYENV_ROOT");
  const fs::path versions = (pyenv && *pyenv ? fs::path(pyenv) : home_dir() / ".pyenv") / "versions";
  std::error_code ec;
  std::vector<fs::path> found;
  for (auto it = fs::directory_iterator(versions, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    if (it->path().filename().native().starts_with(
            major_minor.substr(0, major_minor.size() - major_minor.ends_with('t'))))
      found.push_back(it->path() / "bin" / name);
  std::sort(found.rbegin(), found.rend());
  candidates.insert(candidates.end(), found.begin(), found.end());
  for (const auto& c : candidates)
    if (::access(c.c_str(), X_OK) == 0) return c.native();
  return {};
}

// A path: one of the runtimes' interpreters, or a venv's python.
PythonChoice from_path(std::string request, Origin origin) {
  std::error_code ec;
  const fs::path real = fs::canonical(request, ec);
  for (const auto& r : runtime::all()) {
    if (!ec && (real == fs::path(r.interpreter_real) || real == fs::path(r.interpreter)) && runtime::program_path(r)) {
      PythonChoice c{std::move(request), std::move(origin), &r, std::string(r.cache_tag)};
      return c;
    }
  }
  if (auto venv = venv_of_executable(request)) {
    if (auto info = inspect_venv(*venv); info && !info->version.empty())
      return from_version(major_minor_of(info->version, info->free_threaded), std::move(origin));
  }
  PythonChoice c{request, std::move(origin)};
  c.missing = "the Python '" + printable(request) + "'";
  return c;
}

// .python-version: its first line that is not a comment ("3.12", "3.12.1",
// "cpython-3.12"); "system" (pyenv's) and anything else means no request.
std::optional<std::string> python_version_request(std::string_view text) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line[0] == '#') continue;
    if (line.starts_with("cpython-")) line.remove_prefix(8);
    else if (line.starts_with("python")) line.remove_prefix(6);
    std::string_view digits = line.ends_with('t') ? line.substr(0, line.size() - 1) : line;
    if (parse_version(digits)) return std::string(line);
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::optional<bool> satisfies(std::string_view version, std::string_view specifiers) {
  auto have = parse_version(version);
  if (!have) return std::nullopt;
  bool all = true;
  while (true) {
    auto comma = specifiers.find(',');
    std::string_view clause = trim(specifiers.substr(0, comma));
    if (!clause.empty()) {
      std::string_view op;
      for (std::string_view o : {"===", "~=", "==", "!=", ">=", "<=", ">", "<"})
        if (clause.starts_with(o)) {
          op = o;
          break;
        }
      if (op.empty()) return std::nullopt;
      std::string_view rest = trim(clause.substr(op.size()));
      const bool wildcard = rest.ends_with(".*");
      if (wildcard) rest.remove_suffix(2);
      int parts = 0;
      auto want = parse_version(rest, &parts, Pre::Yes);
      if (!want) return std::nullopt;
      // A wildcard only after == or != and a release ("==3.12.*").
      if (wildcard && ((op != "==" && op != "!=") || (*want)[3] != 3)) return std::nullopt;
      // Compared on the parts written: ==3.12.* is the 3.12 series.
      auto prefix_equal = [&] {
        for (int i = 0; i < parts; ++i)
          if ((*have)[i] != (*want)[i]) return false;
        return true;
      };
      bool ok = false;
      if (op == "==" || op == "===") ok = wildcard ? prefix_equal() : *have == *want;
      else if (op == "!=") ok = wildcard ? !prefix_equal() : *have != *want;
      else if (op == ">=") ok = *have >= *want;
      else if (op == "<=") ok = *have <= *want;
      else if (op == ">") ok = *have > *want;
      else if (op == "<") ok = *have < *want;
      else if (op == "~=") {
        if (parts < 2) return std::nullopt;
        Version upper = *want;
        upper[parts - 2] += 1;
        for (int i = parts - 1; i < 5; ++i) upper[i] = 0;  // below the next series' first pre-release
        ok = *have >= *want && *have < upper;
      }
      all = all && ok;
    }
    if (comma == std::string_view::npos) break;
    specifiers.remove_prefix(comma + 1);
  }
  return all;
}

PythonChoice choose_python(const PolicyResolution& r) {
  const Setting& asked = r.policy.get(Key::Python);
  if (!r.policy.python().empty()) {
    const std::string& v = r.policy.python();
    return v.find('/') != std::string::npos ? from_path(v, asked.origin) : from_version(v, asked.origin);
  }
  const std::string& venv = r.policy.venv();
  if (!venv.empty() && venv != "none") {
    if (auto info = inspect_venv(venv); info && !info->version.empty()) {
      std::string digits = info->version.substr(0, info->version.find_first_not_of("0123456789."));
      while (!digits.empty() && digits.back() == '.') digits.pop_back();
      auto v = parse_version(digits);
      const std::string made = v ? fmt::format("{}.{}.{}", (*v)[0], (*v)[1], (*v)[2]) : info->version;
      Origin origin{Source::Default, fmt::format("the venv {}, made for Python {}", venv, made)};
      return from_version(major_minor_of(info->version, info->free_threaded), std::move(origin));
    }
  }
  // Read, and judged, with the policy (read_project_python).
  const ProjectPython& project = r.project_python;
  if (!project.version_file.empty()) {
    if (auto v = python_version_request(project.version_text))
      return from_version(*v, Origin{Source::ProjectFile, project.version_file.native()});
  }
  if (const auto& req = project.requires_python) {
    PythonChoice c{req->specifier, Origin{Source::ProjectFile, req->where + " (requires-python)"}};
    for (const auto& rt : runtime::all()) {
      auto ok = satisfies(rt.version, req->specifier);
      if (!ok) {
        c.missing = fmt::format("requires-python \"{}\" (which pycache can't read)", printable(req->specifier));
        return c;
      }
      if (*ok && runtime::program_path(rt) &&
          (!c.runtime || parse_version(rt.version) > parse_version(c.runtime->version)))
        c.runtime = &rt;
    }
    if (c.runtime) c.cache_tag = std::string(c.runtime->cache_tag);
    else c.missing = fmt::format("a Python that satisfies requires-python \"{}\"", printable(req->specifier));
    return c;
  }
  const runtime::Runtime& d = runtime::self();
  return PythonChoice{"", Origin{Source::Default, "pycache's default runtime"}, &d, std::string(d.cache_tag)};
}

void record_python_choice(Policy& policy, const PythonChoice& choice) {
  policy.override(Key::Python, choice.runtime ? std::string(choice.runtime->name) : choice.request, choice.origin);
}

Result<const runtime::Runtime*> require_runtime(const PythonChoice& c) {
  if (c.runtime) return c.runtime;
  std::string configured;
  for (const auto& r : runtime::all()) {
    if (!configured.empty()) configured += ';';
    configured += r.interpreter;
  }
  // The exact command when the machine has that Python; else what to install.
  const bool version = !c.request.empty() && std::isdigit(static_cast<unsigned char>(c.request[0])) &&
                       c.request.find_first_of("<>=!~,") == std::string::npos;
  const std::string wanted = version ? major_minor_of(c.request, c.request.ends_with('t')) : std::string();
  std::string interpreter = version ? find_interpreter(wanted) : std::string();
  std::string how =
      interpreter.empty()
          ? fmt::format(
                "install {} and add it to PYCACHE_PYTHONS: cmake -S {} -B {} -DPYCACHE_PYTHONS='{};/path/to/"
                "python{}' && cmake --build {}",
                version ? "Python " + wanted : std::string("that Python"), build::kSourceDir, build::kBinaryDir,
                configured, version ? wanted : std::string("3.X"), build::kBinaryDir)
          : fmt::format("build it with: cmake -S {} -B {} -DPYCACHE_PYTHONS='{};{}' && cmake --build {}",
                        build::kSourceDir, build::kBinaryDir, configured, interpreter, build::kBinaryDir);
  return Error{fmt::format("no runtime for {} ({}): this pycache has {}; {}", c.missing, printable(c.origin.describe()),
                           runtime::available_names(), how),
               kExitEnvironment};
}

}  // namespace pycache
