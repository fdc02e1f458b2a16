#include "pycache/policy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <initializer_list>
#include <vector>

#include "pycache/paths.hpp"
#include "pycache/text.hpp"
#include "pycache/units.hpp"

namespace pycache {
namespace {

constexpr std::string_view kHashModes[] = {"default", "always", "never"};
constexpr std::string_view kPropagateModes[] = {"tree", "none"};
constexpr std::string_view kReadOnlyModes[] = {"fallback", "skip", "ignore"};
constexpr std::string_view kInitModes[] = {"auto", "always", "never"};
constexpr std::string_view kInitTargets[] = {"child", "group"};

// Each key's command-line spellings; `pycache run --help` and the man page
// are made from these rows, parse_run_options reads them.
constexpr KeyOption kWriteBytecodeOptions[] = {
    {"--write-bytecode", "", "true", "write .pyc files on import"},
    {"--no-write-bytecode", "", "false", "never write .pyc files (as python -B)"},
};
constexpr KeyOption kCachePrefixOptions[] = {
    {"--cache-prefix", "DIR", "", "write and read .pyc files under DIR, mirroring the source tree"},
    {"--in-tree", "", "", "no cache prefix: .pyc files go to __pycache__ beside the sources"},
};
constexpr KeyOption kOptimizeOptions[] = {
    {"--optimize", "N", "", "optimization level 0, 1 or 2 (as python -O / -OO, without stacking)"},
};
constexpr KeyOption kCheckHashOptions[] = {
    {"--check-hash-based-pycs", "MODE", "", "python's own option, as python takes it", "python"},
};
constexpr KeyOption kPropagateOptions[] = {
    {"--propagate", "MODE", "", "tree: child interpreters follow the policy (default); none: only this process"},
};
constexpr KeyOption kVenvOptions[] = {
    {"--venv", "DIR", "", "run in this virtual environment"},
    {"--no-venv", "", "none", "run in the base interpreter, whatever the policy or VIRTUAL_ENV say"},
};
constexpr KeyOption kReadOnlyOptions[] = {
    {"--read-only", "MODE", "", "when bytecode can't be written: fallback (a per-user cache), skip, or ignore"},
};
constexpr KeyOption kReadThroughOptions[] = {
    {"--read-through", "", "true", "with a cache prefix, also read valid pycs from __pycache__ (default)"},
    {"--no-read-through", "", "false", "with a cache prefix, read pycs from the prefix only (as CPython)"},
};
constexpr KeyOption kInitOptions[] = {
    {"--init", "", "always",
     "run a minimal init in front of python even when not PID 1 (forwards signals, reaps "
     "zombies)"},
    {"--no-init", "", "never", "never run the init, not even as PID 1"},
};
constexpr KeyOption kInitSignalsOptions[] = {
    {"--init-signals", "WHERE", "",
     "where the init forwards signals: 'child' (default) or 'group' (its process "
     "group)"},
};
constexpr KeyOption kPrefixMaxSizeOptions[] = {
    {"--max-size", "SIZE", "", "evict least recently used pycs until the prefix holds at most SIZE",
     "pycache clean --prefix"},
};
constexpr KeyOption kPythonOptions[] = {
    {"--python", "VERSION|PATH", "",
     "run on this Python (3.12, 3.13t, or an interpreter's path) instead of the "
     "project's"},
};
constexpr KeyOption kExcludeOptions[] = {
    {"--exclude", "GLOB", "",
     "skip names or paths relative to PATH matching GLOB, besides the policy's exclude key (repeatable)",
     "status, clean and compile"},
};

// One row per key: its name, type, where it may be written, CPython's
// default, the allowed words, and how the docs and messages describe it;
// kept as a table, one row per key (not reflowed by clang-format).
// clang-format off
constexpr std::array<KeyInfo, kKeyCount> kKeys{{
    {Key::WriteBytecode, "write-bytecode", ValueType::Bool, KeyScope::AnyFile, "true", {}, "true or false",
     kWriteBytecodeOptions, "write .pyc files when modules are imported"},
    {Key::CachePrefix, "cache-prefix", ValueType::String, KeyScope::AnyFile, "\"\"", {},
     "a directory path, or \"\" for __pycache__ beside the sources", kCachePrefixOptions,
     "directory mirroring the source tree that holds the .pyc files"},
    {Key::Optimize, "optimize", ValueType::Int, KeyScope::AnyFile, "0", {}, "0, 1 or 2", kOptimizeOptions,
     "optimization level: 1 strips asserts, 2 also docstrings (.opt-N.pyc)"},
    {Key::CheckHashBasedPycs, "check-hash-based-pycs", ValueType::String, KeyScope::AnyFile, "\"default\"", kHashModes,
     "\"default\", \"always\" or \"never\"", kCheckHashOptions,
     "whether hash-based .pyc files are checked against their source"},
    {Key::Propagate, "propagate", ValueType::String, KeyScope::AnyFile, "\"tree\"", kPropagateModes,
     "\"tree\" or \"none\"", kPropagateOptions,
     "\"tree\": child interpreters follow the policy too; \"none\": only this process"},
    {Key::Venv, "venv", ValueType::String, KeyScope::AnyFile, "\"\"", {},
     "a directory path, or \"none\" for the base interpreter", kVenvOptions,
     "virtual environment to run in (default: .venv beside the policy file, else an activated VIRTUAL_ENV)"},
    {Key::ReadOnly, "read-only", ValueType::String, KeyScope::AnyFile, "\"fallback\"", kReadOnlyModes,
     "\"fallback\", \"skip\" or \"ignore\"", kReadOnlyOptions,
     "when bytecode can't be written where the policy says: use a per-user cache, write nothing, or do as CPython"},
    {Key::ReadThrough, "read-through", ValueType::Bool, KeyScope::AnyFile, "true", {}, "true or false",
     kReadThroughOptions,
     "with a cache prefix, also use valid .pyc files from the sources' __pycache__ (precompiled images)"},
    {Key::Init, "init", ValueType::String, KeyScope::AnyFile, "\"auto\"", kInitModes,
     "\"auto\", \"always\" or \"never\"", kInitOptions,
     "fork a minimal init that forwards signals and reaps zombies (auto: only as PID 1)"},
    {Key::InitSignals, "init-signals", ValueType::String, KeyScope::AnyFile, "\"child\"", kInitTargets,
     "\"child\" or \"group\"", kInitSignalsOptions,
     "where that init forwards signals: the program, or its whole process group"},
    {Key::PrefixMaxSize, "prefix-max-size", ValueType::Int, KeyScope::AnyFile, "0", {},
     "a size such as \"2G\" or \"500M\", or an integer number of bytes (0: no limit)",
     kPrefixMaxSizeOptions,
     "how much the cache prefix may hold: `pycache clean --prefix` evicts least recently used pycs beyond it"},
    {Key::SafeDirectories, "safe-directories", ValueType::StringList, KeyScope::UserOnly, "[]", {},
     "a list of directory paths, or [\"*\"] for every directory", {},
     "trust policy files, venvs and cache prefixes in these directories (and below) whoever owns them "
     "(user and system files only)"},
    {Key::Python, "python", ValueType::String, KeyScope::AnyFile, "\"\"", {},
     "a version such as \"3.12\", or the path of a python", kPythonOptions,
     "the Python that runs the project (default: its venv's, .python-version, requires-python, else pycache's "
     "default runtime)"},
    {Key::Exclude, "exclude", ValueType::StringList, KeyScope::AnyFile, "[]", {},
     "a list of globs, matched on names and on paths relative to the PATH walked", kExcludeOptions,
     "what status, clean and compile skip, besides the default excludes (virtual environments, .tox, .nox, "
     "node_modules, gitignored directories; --no-default-excludes walks them)"},
}};
// clang-format on

// CPython's own defaults, from the table.
Setting default_setting(const KeyInfo& k) {
  std::string_view d = k.default_value;
  switch (k.type) {
    case ValueType::Bool: return {d == "true", {}};
    case ValueType::Int: return {std::int64_t{std::stoll(std::string(d))}, {}};
    case ValueType::String: return {std::string(d.substr(1, d.size() - 2)), {}};
    case ValueType::StringList: return {std::vector<std::string>{}, {}};
  }
  return {};
}

const char* type_name(const Value& v) {
  switch (v.index()) {
    case 0: return "a boolean";
    case 1: return "an integer";
    case 2: return "a string";
    default: return "a list";
  }
}

// "" stays ""; anything else is expanded (~) and made absolute.
Result<std::string> directory_value(const KeyInfo& info, const std::string& s, const fs::path& base_dir) {
  if (s.find('\0') != std::string::npos)
    return Error{fmt::format("'{}' must not contain a NUL byte", info.name), kExitUsage};
  return absolute_from(expand_user(s), base_dir).native();
}

}  // namespace

std::span<const KeyInfo> policy_keys() { return kKeys; }

const KeyInfo& key_info(Key key) { return kKeys[static_cast<std::size_t>(key)]; }

const KeyOption& key_option(Key key, std::string_view name) {
  for (const auto& o : key_info(key).options)
    if (o.name == name) return o;
  std::abort();  // a programming error: the key table has no such option
}

std::vector<std::string_view> option_commands(const KeyOption& option) {
  std::string_view by = option.parsed_by;
  if (by.empty()) return {"run"};
  if (by == "python") return {};  // python's own: pycache passes it on
  if (by.starts_with("pycache ")) {
    by.remove_prefix(8);
    return {by.substr(0, by.find(' '))};
  }
  // "status, clean and compile"
  std::vector<std::string_view> out;
  while (!by.empty()) {
    std::size_t end = std::min(by.find(", "), by.find(" and "));
    out.push_back(by.substr(0, end));
    if (end == std::string_view::npos) break;
    by.remove_prefix(end + (by.compare(end, 2, ", ") == 0 ? 2 : 5));
  }
  return out;
}

const KeyInfo* find_key(std::string_view name) {
  for (const auto& k : kKeys)
    if (k.name == name) return &k;
  return nullptr;
}

std::string_view suggest_key(std::string_view name) {
  std::vector<std::string_view> names;
  names.reserve(kKeys.size());
  for (const auto& k : kKeys) names.push_back(k.name);
  // Accept the spellings people carry over from elsewhere: underscores, PyConfig names.
  std::string dashed(name);
  for (char& c : dashed)
    if (c == '_') c = '-';
  if (find_key(dashed)) return find_key(dashed)->name;
  if (dashed == "pycache-prefix") return "cache-prefix";
  if (dashed == "optimization-level" || dashed == "optimize-level") return "optimize";
  if (dashed == "check-hash-pycs-mode" || dashed == "check-hash-pycs") return "check-hash-based-pycs";
  if (dashed == "max-size" || dashed == "cache-max-size" || dashed == "prefix-size") return "prefix-max-size";
  return closest_match(dashed, names);
}

std::string key_options_text(const KeyInfo& key) {
  std::string out;
  for (const auto& o : key.options) {
    if (!out.empty()) out += " / ";
    if (o.parsed_by.starts_with("pycache ")) out += std::string(o.parsed_by) + " ";
    out += o.name;
    if (!o.metavar.empty()) out += " " + std::string(o.metavar);
  }
  return out;
}

std::string Origin::describe() const {
  switch (source) {
    case Source::Default: return where.empty() ? "default" : "default (" + where + ")";
    case Source::Environment: return "environment " + where;
    case Source::CommandLine: return "command line " + where;
    case Source::Parent: return "parent process (" + where + ")";
    case Source::Fallback: return "fallback: " + where;
    case Source::SystemFile:
    case Source::UserFile:
    case Source::ProjectFile: return where;
  }
  return where;
}

bool Origin::named_by_file() const {
  switch (source) {
    case Source::SystemFile:
    case Source::UserFile:
    case Source::ProjectFile: return true;
    case Source::Default: return !where.empty();  // the .venv beside the policy file
    case Source::Parent: return recheck;
    case Source::Environment:
    case Source::CommandLine:
    case Source::Fallback: return false;
  }
  return false;
}

void Layer::set(Key key, Value value, Origin origin) {
  values_[static_cast<std::size_t>(key)] = Setting{std::move(value), std::move(origin)};
}

bool Layer::empty() const {
  for (const auto& v : values_)
    if (v) return false;
  return true;
}

Result<Value> normalize_value(Key key, const Value& raw, const fs::path& base_dir) {
  const KeyInfo& info = key_info(key);
  auto wrong = [&]() -> Error {
    return Error{fmt::format("'{}' must be {}, not {}", info.name, info.expected, type_name(raw)), kExitUsage};
  };
  switch (info.type) {
    case ValueType::Bool:
      if (!std::holds_alternative<bool>(raw)) return wrong();
      return raw;
    case ValueType::Int: {
      if (key == Key::PrefixMaxSize && std::holds_alternative<std::string>(raw)) {
        auto bytes = parse_size(std::get<std::string>(raw));
        if (!bytes)
          return Error{fmt::format("'{}' must be {}, not \"{}\"", info.name, info.expected,
                                   printable(std::get<std::string>(raw))),
                       kExitUsage};
        return Value{*bytes};
      }
      if (!std::holds_alternative<std::int64_t>(raw)) return wrong();
      auto n = std::get<std::int64_t>(raw);
      const bool in_range = key == Key::Optimize ? (n >= 0 && n <= 2) : n >= 0;
      if (!in_range) return Error{fmt::format("'{}' must be {}, not {}", info.name, info.expected, n), kExitUsage};
      return raw;
    }
    case ValueType::StringList: {
      if (!std::holds_alternative<std::vector<std::string>>(raw)) return wrong();
      std::vector<std::string> out;
      for (const auto& item : std::get<std::vector<std::string>>(raw)) {
        if (item.empty()) return Error{fmt::format("'{}' must not hold an empty string", info.name), kExitUsage};
        if (key == Key::Exclude) {  // globs, as --exclude takes them
          if (item.find('\0') != std::string::npos)
            return Error{fmt::format("'{}' must not contain a NUL byte", info.name), kExitUsage};
          out.push_back(item);
          continue;
        }
        if (key == Key::SafeDirectories && item == "*") {
          out.push_back(item);
          continue;
        }
        auto dir = directory_value(info, item, base_dir);
        if (!dir) return dir.error();
        out.push_back(std::move(*dir));
      }
      return Value{std::move(out)};
    }
    case ValueType::String: break;
  }
  if (!std::holds_alternative<std::string>(raw)) return wrong();
  const auto& s = std::get<std::string>(raw);
  if (!info.choices.empty()) {
    for (auto c : info.choices)
      if (s == c) return raw;
    return Error{fmt::format("'{}' must be {}, not \"{}\"", info.name, info.expected, printable(s)), kExitUsage};
  }
  if (key == Key::Venv && (s == "none" || s.empty())) return raw;  // empty: automatic (.venv, else VIRTUAL_ENV)
  if (key == Key::Python) {
    if (s.empty()) return raw;  // automatic
    if (s.find('/') == std::string::npos && s != "~") {
      // A version: 3.12, 3.12.1, 3.13t (uv's and pyenv's spellings).
      bool ok = !s.empty() && std::isdigit(static_cast<unsigned char>(s[0]));
      int dots = 0;
      for (std::size_t i = 0; ok && i < s.size(); ++i) {
        const char c = s[i];
        if (c == '.') ok = ++dots <= 2 && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]));
        else if (c == 't') ok = i + 1 == s.size() && dots >= 1;
        else ok = std::isdigit(static_cast<unsigned char>(c));
      }
      if (!ok || dots == 0)
        return Error{fmt::format("'{}' must be {}, not \"{}\"", info.name, info.expected, printable(s)), kExitUsage};
      return raw;
    }
  }
  if (key == Key::CachePrefix && s.empty()) return raw;
  auto dir = directory_value(info, s, base_dir);
  if (!dir) return dir.error();
  return Value{std::move(*dir)};
}

Policy::Policy() {
  for (const auto& info : kKeys) settings_[static_cast<std::size_t>(info.key)] = default_setting(info);
}

Policy Policy::resolve(std::span<const Layer> layers) {
  Policy p;
  for (const Layer& layer : layers)
    for (const auto& info : kKeys)
      if (const auto& s = layer.get(info.key)) p.settings_[static_cast<std::size_t>(info.key)] = *s;
  return p;
}

void Policy::override(Key key, Value value, Origin origin) {
  settings_[static_cast<std::size_t>(key)] = Setting{std::move(value), std::move(origin)};
}

std::string format_value(const Value& value) {
  switch (value.index()) {
    case 0: return std::get<bool>(value) ? "true" : "false";
    case 1: return std::to_string(std::get<std::int64_t>(value));
    case 2: {
      std::string out = "\"";
      for (char c : std::get<std::string>(value)) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      return printable(out + "\"");
    }
    default: {
      std::string out = "[";
      for (const auto& item : std::get<std::vector<std::string>>(value)) {
        if (out.size() > 1) out += ", ";
        out += format_value(Value{item});
      }
      return out + "]";
    }
  }
}

}  // namespace pycache
