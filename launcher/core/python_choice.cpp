#include "pycache/python_choice.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <utility>
#include <vector>

#include "pycache/embed_module.hpp"
#include "pycache/flags_run.hpp"
#include "pycache/handoff.hpp"
#include "pycache/log.hpp"
#include "pycache/paths.hpp"
#include "pycache/policy_sources.hpp"
#include "pycache/pyc.hpp"
#include "pycache/text.hpp"
#include "pycache/trust.hpp"
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

// Whether `in` answers the version request `request` ("3.12", "3.12.1", "3.13t").
bool answers(const interpreters::Interpreter& in, std::string_view request) {
  const bool t = request.ends_with('t');
  const std::string_view digits = t ? request.substr(0, request.size() - 1) : request;
  int parts = 0;
  if (!parse_version(digits, &parts) || in.free_threaded != t || in.major_minor != major_minor_of(digits, false))
    return false;
  return parts < 3 || in.version == digits;  // a patch release is that very one
}

// Takes `in` for `c` when pycache can run it: through its embedding module
// in pycache-embedded, else (a trusted one it can't embed) itself with the
// policy in python's flags; else records why not. True when taken.
bool take_interpreter(PythonChoice& c, interpreters::Interpreter in, const Trust& trust) {
  auto how = flags_run::decide(in, embed_module::default_modules_dir(), embedded_program(), trust);
  if (how.how == flags_run::How::Refused) {
    c.why_not = std::move(how.why);
    return false;
  }
  c.not_embedded = std::move(how.why);
  c.interpreter = std::move(in);
  c.cache_tag = pyc::cache_tag_of_version(c.interpreter->name());
  return true;
}

// No runtime answers `c`: the first interpreter discover() finds (every
// place, in uv's order) for which `wanted` holds, the refused passed over.
template <class Wanted>
void discover_interpreter(PythonChoice& c, const Trust& trust, std::string_view only, Wanted&& wanted) {
  const EnvLookup env = process_environment();
  interpreters::VersionCache cache(interpreters::VersionCache::default_file(env));
  for (auto& in : interpreters::discover(env, trust, &cache, only).found) {
    if (!wanted(in)) continue;
    if (in.refused) {
      if (c.why_not.empty())
        c.why_not =
            fmt::format("Python {} at '{}' is not used: {}", in.name(), printable(in.path.native()), *in.refused);
      continue;
    }
    take_interpreter(c, std::move(in), trust);
    return;
  }
}

// No runtime answers the version request of `c`: the venv's own base
// interpreter (`venv_home`/python3.X) when it has one, else discover()'s.
void find_machine_interpreter(PythonChoice& c, const fs::path& venv_home, const Trust& trust) {
  const bool t = c.request.ends_with('t');
  const std::string_view digits = std::string_view(c.request).substr(0, c.request.size() - (t ? 1 : 0));
  const std::string name = major_minor_of(digits, t);
  if (!venv_home.empty()) {
    std::error_code ec;
    if (fs::exists(venv_home / ("python" + name), ec)) {
      auto in = interpreters::inspect(venv_home / ("python" + name), trust, nullptr);
      if (!in) c.why_not = in.error().message;
      else if (!answers(*in, c.request))
        c.why_not = fmt::format("the venv's Python at '{}' is {}", printable(in->path.native()), in->version);
      else take_interpreter(c, std::move(*in), trust);
      return;
    }
  }
  int parts = 0;
  parse_version(digits, &parts);
  // A patch release may not be discover()'s first of its minor version: look at all.
  discover_interpreter(c, trust, parts < 3 ? std::string_view(name) : std::string_view(),
                       [&](const interpreters::Interpreter& in) { return answers(in, c.request); });
}

// `c`'s runtime passed over for the interpreter `in` (found, or given),
// embedded or run itself. One that can't be taken (another user's, in a
// directory others can write, unreadable) leaves `c` without a Python, and
// why: never the runtime in its place. True when taken.
bool prefer_interpreter(PythonChoice& c, Result<interpreters::Interpreter> in, const Trust& trust) {
  PythonChoice taken{c.request, c.origin};
  if (!in || !take_interpreter(taken, std::move(*in), trust)) {
    c.why_not = in ? taken.why_not : in.error().message;
    c.missing = "Python " + c.request;
    c.runtime = nullptr;
    return false;
  }
  c.interpreter = std::move(taken.interpreter);
  c.cache_tag = std::move(taken.cache_tag);
  c.runtime = nullptr;
  return true;
}

// Whether `r`'s interpreter is the file it was built from: the same mtime and size.
bool unchanged(const runtime::Runtime& r) {
  struct stat st {};
  return ::stat(std::string(r.interpreter_real).c_str(), &st) == 0 && st.st_mtime == r.interpreter_mtime &&
         st.st_size == r.interpreter_size;
}

// The interpreter chosen, run by a static runtime of this install built from
// that very file, unchanged since: the same Python, faster to start
// (pythons.md). Discovery chooses; a runtime never answers in its place.
void take_static_runtime(PythonChoice& c) {
  for (const auto& r : runtime::all()) {
    if (c.interpreter->real != fs::path(r.interpreter_real) || !runtime::program_path(r) || !unchanged(r)) continue;
    c.runtime = &r;
    c.cache_tag = std::string(r.cache_tag);
    c.interpreter.reset();
    c.not_embedded.clear();
    return;
  }
}

// A version request ("3.12", "3.12.1", "3.13t"): the venv's own base, else
// the first interpreter found that answers it (find_machine_interpreter); a
// static runtime when it is that interpreter, or when nothing was found nor
// refused and the runtime's own interpreter (somewhere discovery does not
// look) is still there.
PythonChoice from_version(std::string request, Origin origin, const Trust& trust, const fs::path& venv_home = {}) {
  PythonChoice c{std::move(request), std::move(origin)};
  c.missing = "Python " + c.request;
  c.cache_tag = pyc::cache_tag_of_version(c.request);
  find_machine_interpreter(c, venv_home, trust);
  if (c.interpreter) {
    take_static_runtime(c);
  } else if (c.why_not.empty()) {
    const runtime::Runtime* r = runtime_for_version(c.request);
    if (r && unchanged(*r)) {
      c.runtime = r;
      c.cache_tag = std::string(r->cache_tag);
    }
  }
  return c;
}

// A path: one of the runtimes' interpreters, or a venv's python.
PythonChoice from_path(std::string request, Origin origin, const Trust& trust) {
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
      return from_version(major_minor_of(info->version, info->free_threaded), std::move(origin), trust, info->home);
  }
  PythonChoice c{request, std::move(origin)};
  c.missing = "the Python '" + printable(request) + "'";
  // An interpreter of the machine, run through its embedding module.
  if (auto in = interpreters::inspect(request, trust, nullptr)) take_interpreter(c, std::move(*in), trust);
  else c.why_not = in.error().message;
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

std::optional<std::string> specifier_problem(std::string_view specifiers) {
  if (trim(specifiers).empty()) return std::string("empty (a specifier set, as \">=3.11\")");
  if (satisfies("3.0.0", specifiers)) return std::nullopt;
  // The first clause that is not one.
  std::string_view rest = specifiers;
  while (true) {
    const auto comma = rest.find(',');
    const std::string_view clause = trim(rest.substr(0, comma));
    if (!clause.empty() && !satisfies("3.0.0", clause)) {
      if (std::isdigit(static_cast<unsigned char>(clause[0])))
        return fmt::format("'{0}' has no operator (as \">={0}\" or \"=={0}.*\")", printable(clause));
      return fmt::format("'{}' is not a PEP 440 version specifier", printable(clause));
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return fmt::format("'{}' is not a PEP 440 specifier set", printable(specifiers));
}

namespace {

// requires-python that no runtime satisfies: the first interpreter of the
// machine that does.
void satisfy_with_interpreter(PythonChoice& c, const std::string& specifier, const Trust& trust) {
  discover_interpreter(c, trust, {}, [&](const interpreters::Interpreter& in) {
    return satisfies(in.version, specifier).value_or(false);
  });
}

// The tag of the oldest Python 3 minor version `specifier` allows
// ("cpython-312" for ">=3.12"): the Python a project that nothing here
// satisfies is for, to the commands that run none (status, clean).
std::string oldest_allowed_tag(std::string_view specifier) {
  for (int minor = 0; minor < 100; ++minor)
    for (int micro : {0, 999})
      if (satisfies(fmt::format("3.{}.{}", minor, micro), specifier).value_or(false))
        return pyc::cache_tag_of_version(fmt::format("3.{}", minor));
  return {};
}

// The newest runtime that satisfies requires-python, else an interpreter of the machine.
PythonChoice from_requires_python(const RequiresPython& req, const Trust& trust) {
  PythonChoice c{req.specifier, Origin{Source::ProjectFile, req.where + " (requires-python)"}};
  for (const auto& rt : runtime::all()) {
    auto ok = satisfies(rt.version, req.specifier);
    if (!ok) {
      c.missing = fmt::format("requires-python \"{}\" (which pycache can't read)", printable(req.specifier));
      return c;
    }
    if (*ok && runtime::program_path(rt) &&
        (!c.runtime || parse_version(rt.version) > parse_version(c.runtime->version)))
      c.runtime = &rt;
  }
  if (c.runtime) {
    c.cache_tag = std::string(c.runtime->cache_tag);
  } else {
    c.missing = fmt::format("a Python that satisfies requires-python \"{}\"", printable(req.specifier));
    satisfy_with_interpreter(c, req.specifier, trust);
    if (c.cache_tag.empty()) c.cache_tag = oldest_allowed_tag(req.specifier);
  }
  return c;
}

// A request (the python key, .python-version) that resolved to a Python
// requires-python rules out is refused, as uv refuses it. Unresolved, a
// patch release asked for is judged itself.
void check_requires_python(PythonChoice& c, const std::optional<RequiresPython>& req) {
  if (!req) return;
  std::string version = c.runtime ? std::string(c.runtime->version) : c.interpreter ? c.interpreter->version : "";
  int parts = 0;
  if (!parse_version(version, &parts) || parts < 3) {
    const std::string_view digits = c.request.ends_with('t')
                                        ? std::string_view(c.request).substr(0, c.request.size() - 1)
                                        : std::string_view(c.request);
    if (c.runtime || c.interpreter || !parse_version(digits, &parts) || parts < 3) return;
    version = std::string(digits);
  }
  if (satisfies(version, req->specifier).value_or(true)) return;
  const bool path = c.request.find('/') != std::string::npos;
  c.contradiction = fmt::format(
      "{} ({}) resolved to Python {}, which does not satisfy requires-python \"{}\" ({}): ask for a Python that "
      "does, or change requires-python",
      path ? "the Python '" + printable(c.request) + "'" : "Python " + printable(c.request),
      printable(c.origin.describe()), version, printable(req->specifier), printable(req->where));
  c.runtime = nullptr;
  c.interpreter.reset();
}

// The venv's Python (its pyvenv.cfg version), with its own base interpreter.
std::optional<PythonChoice> from_venv(const std::string& venv, const Trust& trust) {
  auto info = inspect_venv(venv);
  if (!info || info->version.empty()) return std::nullopt;
  std::string digits = info->version.substr(0, info->version.find_first_not_of("0123456789."));
  while (!digits.empty() && digits.back() == '.') digits.pop_back();
  auto v = parse_version(digits);
  const std::string made = v ? fmt::format("{}.{}.{}", (*v)[0], (*v)[1], (*v)[2]) : info->version;
  Origin origin{Source::Default, fmt::format("the venv {}, made for Python {}", venv, made)};
  return from_version(major_minor_of(info->version, info->free_threaded), std::move(origin), trust, info->home);
}

// The choice before a stale runtime is passed over.
// Nothing asked: the default static runtime where its interpreter is here
// (a source build's); else that minor version found on the machine (a
// source build whose runtime program is gone); else the first Python found,
// in uv's order: every package's default, as they carry no runtime (an
// image whose only Python is /usr/local/bin/python3.12).
PythonChoice default_python(const Trust& trust) {
  if (const runtime::Runtime* d = runtime::self()) {
    if (runtime::program_path(*d) && ::access(std::string(d->interpreter_real).c_str(), X_OK) == 0)
      return PythonChoice{"", Origin{Source::Default, "pycache's default runtime"}, d, std::string(d->cache_tag)};
    PythonChoice c = from_version(std::string(d->name), Origin{Source::Default, "pycache's default Python"}, trust);
    if (c.runtime || c.interpreter || !c.why_not.empty()) return c;
  }
  PythonChoice first{"", Origin{Source::Default, "pycache's default: the first Python found"}};
  first.missing = "a Python";
  discover_interpreter(first, trust, {}, [](const interpreters::Interpreter&) { return true; });
  return first;
}

PythonChoice choose(const PolicyResolution& r, const Trust& trust) {
  const ProjectPython& project = r.project_python;  // read, and judged, with the policy (read_project_python)
  if (!r.policy.python().empty()) {
    const std::string& v = r.policy.python();
    const Origin& origin = r.policy.get(Key::Python).origin;
    PythonChoice c = v.find('/') != std::string::npos ? from_path(v, origin, trust) : from_version(v, origin, trust);
    check_requires_python(c, project.requires_python);
    return c;
  }
  const std::string& venv = r.policy.venv();
  if (!venv.empty() && venv != "none")
    if (auto c = from_venv(venv, trust)) return std::move(*c);
  if (!project.version_file.empty()) {
    if (auto v = python_version_request(project.version_text)) {
      PythonChoice c = from_version(*v, Origin{Source::ProjectFile, project.version_file.native()}, trust);
      check_requires_python(c, project.requires_python);
      return c;
    }
  }
  if (project.requires_python) return from_requires_python(*project.requires_python, trust);
  return default_python(trust);
}

}  // namespace

void pass_over_stale_runtime(PythonChoice& c, const Trust& trust) {
  if (!c.runtime || c.runtime->link != "static") return;
  const fs::path real(c.runtime->interpreter_real);
  struct stat st {};
  if (::stat(real.c_str(), &st) != 0) return;
  if (st.st_mtime == c.runtime->interpreter_mtime && st.st_size == c.runtime->interpreter_size) return;
  prefer_interpreter(c, interpreters::inspect(real, trust, nullptr), trust);
}

PythonChoice choose_python(const PolicyResolution& r) {
  const Trust trust = Trust::current(r.policy.safe_directories());
  PythonChoice c = choose(r, trust);
  pass_over_stale_runtime(c, trust);
  return c;
}

void record_python_choice(Policy& policy, const PythonChoice& choice) {
  if (!choice.runtime && choice.interpreter) {
    const auto& in = *choice.interpreter;
    Origin origin = choice.origin;
    origin.where += fmt::format("; {}, run through its embedding module {}", interpreters::found_text(in),
                                embed_module::module_file_name(in));
    policy.override(Key::Python, in.path.native(), origin);
    return;
  }
  policy.override(Key::Python, choice.runtime ? std::string(choice.runtime->name) : choice.request, choice.origin);
}

namespace {

// The versions discover() finds on this machine, newest first, short:
// "3.13.0, 3.12.1, 3.11.2", or "none".
std::string found_versions() {
  const EnvLookup env = process_environment();
  interpreters::VersionCache cache(interpreters::VersionCache::default_file(env));
  std::vector<std::string> versions;
  for (const auto& in : interpreters::discover(env, Trust::current(), &cache, {}).found) {
    std::string v = in.version + (in.free_threaded ? "t" : "");
    if (std::find(versions.begin(), versions.end(), v) == versions.end()) versions.push_back(std::move(v));
  }
  // Newest first: the ones a request most likely meant.
  std::stable_sort(versions.begin(), versions.end(), [](const std::string& a, const std::string& b) {
    return parse_version(a.substr(0, a.find_first_not_of("0123456789."))) >
           parse_version(b.substr(0, b.find_first_not_of("0123456789.")));
  });
  constexpr std::size_t kShown = 8;
  std::string out;
  for (std::size_t i = 0; i < versions.size() && i < kShown; ++i) out += (i ? ", " : "") + versions[i];
  if (versions.size() > kShown) out += ", ...";
  return out.empty() ? "none" : out;
}

}  // namespace

Result<const runtime::Runtime*> require_runtime(const PythonChoice& c) {
  if (c.runtime) return c.runtime;
  if (!c.contradiction.empty()) return Error{c.contradiction, kExitUsage};
  // A runtime of the interpreter's minor version (passed over for it: a
  // venv's own, a stale runtime's) makes the same pycs: compile uses it.
  if (c.interpreter)
    if (const auto* rt = runtime_for_version(c.interpreter->major_minor + (c.interpreter->free_threaded ? "t" : "")))
      return rt;
  // What was found and why it can't run, else what the machine has.
  std::string how;
  if (c.interpreter)
    how = fmt::format("Python {} at '{}' has no static runtime in this install", c.interpreter->version,
                      printable(c.interpreter->path.native()));
  else if (!c.why_not.empty()) how = c.why_not + " ('pycache python list' shows every Python found)";
  else {
    const bool version = !c.request.empty() && std::isdigit(static_cast<unsigned char>(c.request[0])) &&
                         c.request.find_first_of("<>=!~,") == std::string::npos;
    how = fmt::format(
        "found on this machine: {}; install {} ('pycache python list' shows every "
        "Python found)",
        found_versions(), version ? "Python " + c.request : std::string("that Python"));
  }
  return Error{fmt::format("nothing here runs {} ({}): {}", c.missing, printable(c.origin.describe()), how),
               kExitEnvironment};
}

}  // namespace pycache
