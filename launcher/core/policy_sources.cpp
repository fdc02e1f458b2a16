#include "pycache/policy_sources.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cstdlib>
#include <mutex>
#include <set>
#include <system_error>

#include "pycache/log.hpp"
#include "pycache/paths.hpp"
#include "pycache/pep440.hpp"
#include "pycache/text.hpp"
#include "pycache/toml_text.hpp"
#include "pycache/wire.hpp"
#include "toml.hpp"

namespace pycache {
namespace {

std::string location(const fs::path& file, const toml::source_region& where) { return toml_location(file, where); }

std::string_view toml_type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::table: return "a table";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time: return "a date or time";
    default: return "a value of another type";
  }
}

Result<Layer> read_table(const toml::table& table, const fs::path& file, Source source, std::string_view where) {
  Layer layer;
  const fs::path base = file.parent_path();
  for (const auto& [key, node] : table) {
    const KeyInfo* info = find_key(key.str());
    if (!info) {
      std::string msg =
          fmt::format("{}: unknown key '{}' in {}", location(file, key.source()), printable(key.str()), where);
      if (auto hint = suggest_key(key.str()); !hint.empty()) msg += did_you_mean(hint);
      else if (key.str() == "tool") msg += " (a pycache.toml holds the keys at top level, without [tool.pycache])";
      return Error{msg, kExitUsage};
    }
    if (info->scope == KeyScope::UserOnly && source == Source::ProjectFile)
      return Error{fmt::format("{}: '{}' is read only from the user or system file (a project may not decide whom "
                               "to trust)",
                               location(file, key.source()), info->name),
                   kExitUsage};
    Value raw;
    auto wrong_type = [&](const toml::node& n) {
      return Error{fmt::format("{}: '{}' must be {}, not {}", location(file, n.source()), info->name, info->expected,
                               toml_type_name(n)),
                   kExitUsage};
    };
    if (auto b = node.as_boolean()) raw = b->get();
    else if (auto i = node.as_integer()) raw = i->get();
    else if (auto s = node.as_string()) raw = s->get();
    else if (auto a = node.as_array(); a && info->type == ValueType::StringList) {
      std::vector<std::string> items;
      for (const auto& item : *a) {
        if (!item.is_string()) return wrong_type(item);
        items.push_back(item.as_string()->get());
      }
      raw = std::move(items);
    } else {
      return wrong_type(node);
    }
    auto value = normalize_value(info->key, raw, base);
    if (!value) return Error{fmt::format("{}: {}", location(file, node.source()), value.error().message), kExitUsage};
    layer.set(info->key, std::move(*value), Origin{source, location(file, node.source())});
  }
  return layer;
}

bool is_pyproject(const fs::path& file) { return file.filename() == "pyproject.toml"; }

}  // namespace

namespace {

constexpr std::array<std::string_view, 1> kToolName = {"pycache"};

// A name under [tool.*] close enough to "pycache" to be a typo of it.
bool misspells_pycache(std::string_view name) {
  return name != kToolName[0] && !closest_match(name, kToolName).empty();
}

// Does `text` write out "tool.NAME" with NAME "pycache" or a typo of it? Cheap
// beside parsing; a table written [tool."pycashe"] or tool = {...} goes unnoticed.
bool may_name_pycache_table(std::string_view text) {
  if (text.find("pycache") != std::string_view::npos) return true;
  for (auto at = text.find("tool."); at != std::string_view::npos; at = text.find("tool.", at + 1)) {
    auto name = text.substr(at + 5, 10);
    name = name.substr(0, std::min(name.size(), name.find_first_of(" \t.=]\n")));
    if (misspells_pycache(name)) return true;
  }
  return false;
}

// [tool.pycashe]: one warning per file in a process, which may read a file more than once.
void warn_misspelled_tables(const fs::path& file, const toml::table& tool) {
  static std::mutex mutex;
  static std::set<fs::path> warned;
  for (const auto& [key, node] : tool) {
    if (!misspells_pycache(key.str())) continue;
    const std::lock_guard lock(mutex);
    if (!warned.insert(file).second) return;
    log().warn("{}: unknown table [tool.{}]; did you mean [tool.pycache]?", location(file, node.source()),
               printable(key.str()));
    return;
  }
}

}  // namespace

// Reading the file is cheap, parsing TOML is not: a pyproject.toml that never
// says "pycache" (or a typo of it after "tool.") cannot hold [tool.pycache].
Result<std::optional<Layer>> parse_policy_text(const fs::path& file, const std::string& text, Source source) {
  if (is_pyproject(file) && !may_name_pycache_table(text)) return std::optional<Layer>{};
  auto parsed = parse_toml(file, text);
  if (!parsed) return parsed.error();
  const toml::table& doc = *parsed;
  if (!is_pyproject(file)) {
    auto layer = read_table(doc, file, source, "the policy file");
    if (!layer) return layer.error();
    return std::optional<Layer>{std::move(*layer)};
  }
  const toml::node* tool = doc.get("tool");
  if (!tool) return std::optional<Layer>{};
  if (!tool->is_table())
    return Error{fmt::format("{}: 'tool' must be a table", location(file, tool->source())), kExitUsage};
  warn_misspelled_tables(file, *tool->as_table());
  const toml::node* section = tool->as_table()->get("pycache");
  if (!section) return std::optional<Layer>{};
  if (!section->is_table())
    return Error{fmt::format("{}: 'tool.pycache' must be a table", location(file, section->source())), kExitUsage};
  auto layer = read_table(*section->as_table(), file, source, "[tool.pycache]");
  if (!layer) return layer.error();
  return std::optional<Layer>{std::move(*layer)};
}

EnvLookup process_environment() {
  return [](const char* name) -> const char* { return std::getenv(name); };
}

namespace {
Error unreadable(const fs::path& file, const ConfigFile& read) {
  if (read.status == ConfigFile::Status::Absent || read.status == ConfigFile::Status::Unreadable)
    return Error{fmt::format("{}: cannot read policy file: {}", printable(file.native()), read.why()), kExitUsage};
  return Error{fmt::format("{}: {}", printable(file.native()), read.why()), kExitUsage};
}
}  // namespace

Result<std::optional<Layer>> load_policy_file(const fs::path& file, Source source, const Trust* trust,
                                              std::optional<Refusal>* refused) {
  if (!trust) {
    ConfigFile read = read_config_file(file);
    if (!read.ok()) return unreadable(file, read);
    return parse_policy_text(file, read.text, source);
  }
  FoundFile found = read_found_file(*trust, file);
  if (found.refused) {
    if (refused) *refused = Refusal{file, *found.refused};
    return std::optional<Layer>{};
  }
  if (!found.read.ok()) return unreadable(file, found.read);
  return parse_policy_text(file, found.read.text, source);
}

namespace {

void add_refusal(std::vector<Refusal>& refused, Refusal r) {
  for (const auto& known : refused)
    if (known.file == r.file) return;  // found again by a second walk: said once
  refused.push_back(std::move(r));
}

// Someone else's file, skipped by the walk: not even parsed for errors
// unless a regular file, and then only to tell whether it is worth a word
// (a broken file planted by someone else must not stop the user's
// programs). A policy, a broken file or anything but a regular file is named
// now; a pyproject.toml that would have been the project (`pending`) only
// if the walk ends without a policy that makes another directory the project.
void skip_refused(const fs::path& file, const FoundFile& found, bool would_be_project, std::vector<Refusal>& refused,
                  std::optional<Refusal>& pending) {
  bool policy = false, broken = !found.read.ok();
  if (found.read.ok()) {
    auto layer = parse_policy_text(file, found.read.text, Source::ProjectFile);
    broken = !layer;
    policy = layer && *layer;
  }
  const bool pyproject = is_pyproject(file);
  if (policy || (broken && !pyproject)) add_refusal(refused, Refusal{file, *found.refused});
  else if (broken) add_refusal(refused, Refusal{file, *found.refused, "the project file"});
  else if (would_be_project && !pending) pending = Refusal{file, *found.refused, "the project file"};
}

}  // namespace

Result<std::optional<FoundPolicy>> discover_project_policy(const fs::path& start_dir, const Trust& trust,
                                                           std::vector<Refusal>& refused, fs::path* nearest_pyproject) {
  static constexpr const char* kNames[] = {"pycache.toml", "pyproject.toml"};
  std::optional<Refusal> pending;  // their pyproject.toml, which would have been the project
  for (fs::path dir = start_dir;; dir = dir.parent_path()) {
    for (const char* name : kNames) {
      fs::path file = dir / name;
      FoundFile found = read_found_file(trust, file);
      const ConfigFile& read = found.read;
      // Absent, or unreadable: python would not read it either.
      if (read.status == ConfigFile::Status::Absent || read.status == ConfigFile::Status::Unreadable) continue;
      const bool pyproject = std::string_view(name) == "pyproject.toml";
      const bool first_project = nearest_pyproject && nearest_pyproject->empty() && pyproject;
      if (found.refused) {
        skip_refused(file, found, first_project, refused, pending);
        continue;
      }
      if (first_project) *nearest_pyproject = dir;
      if (!read.ok()) return unreadable(file, read);
      auto layer = parse_policy_text(file, read.text, Source::ProjectFile);
      if (!layer) return layer.error();
      if (*layer) return std::optional<FoundPolicy>{FoundPolicy{file, std::move(**layer)}};
    }
    if (dir == dir.parent_path() || dir.empty()) break;
  }
  if (pending) add_refusal(refused, std::move(*pending));
  return std::optional<FoundPolicy>{};
}

namespace {

// requires-python of `pyproject`, read and judged as found; nullopt when the
// file, the table or the key is not there. Through parse_toml: its text
// once crashed toml++ ("[a.a.a...]" of 200,000 parts).
Result<std::optional<RequiresPython>> requires_python(const fs::path& pyproject, const Trust& trust,
                                                      std::vector<Refusal>& refused) {
  FoundFile found = read_found_file(trust, pyproject);
  if (found.refused) {
    if (found.read.ok() && found.read.text.find("requires-python") != std::string::npos)
      add_refusal(refused, Refusal{pyproject, *found.refused, "the project file"});
    return std::optional<RequiresPython>{};
  }
  // Not a regular file: the policy walk has said so already, or it is not the project's.
  if (!found.read.ok() || found.read.text.find("requires-python") == std::string::npos)
    return std::optional<RequiresPython>{};
  auto doc = parse_toml(pyproject, found.read.text);
  if (!doc) return doc.error();
  const toml::node* node = doc->at_path("project.requires-python").node();
  if (!node) return std::optional<RequiresPython>{};
  // Read as PEP 440 reads it: what is not a specifier set is the project's mistake, said where it is.
  const std::string where = location(pyproject, node->source());
  if (!node->is_string())
    return Error{fmt::format("{}: requires-python: {}, not a string (as \">=3.11\")", where, toml_type_name(*node)),
                 kExitUsage};
  const std::string& specifier = node->as_string()->get();
  if (auto wrong = specifier_problem(specifier))
    return Error{fmt::format("{}: requires-python \"{}\": {}", where, printable(specifier), *wrong), kExitUsage};
  return std::optional<RequiresPython>{RequiresPython{specifier, where}};
}

}  // namespace

Result<ProjectPython> read_project_python(const fs::path& project_dir, const Trust& trust,
                                          std::vector<Refusal>& refused) {
  ProjectPython out;
  const fs::path version_file = project_dir / ".python-version";
  FoundFile version = read_found_file(trust, version_file);
  if (version.refused) {
    add_refusal(refused, Refusal{version_file, *version.refused, "the .python-version file"});
  } else if (version.read.ok()) {
    out.version_file = version_file;
    out.version_text = std::move(version.read.text);
  }
  auto req = requires_python(project_dir / "pyproject.toml", trust, refused);
  if (!req) return req.error();
  out.requires_python = std::move(*req);
  return out;
}

fs::path user_policy_path(const EnvLookup& env) {
  if (const char* xdg = env("XDG_CONFIG_HOME"); xdg && *xdg && fs::path(xdg).is_absolute())
    return joined_path(xdg, "pycache/config.toml");
  fs::path home;
  if (const char* h = env("HOME"); h && *h) home = h;
  else home = home_dir();
  return home.empty() ? fs::path() : fs::path(joined_path(home.native(), ".config/pycache/config.toml"));
}

fs::path system_policy_path(const EnvLookup& env) {
  if (const char* p = env("PYCACHE_SYSTEM_CONFIG"); p && *p) return p;
  return "/etc/pycache.toml";
}

namespace {
// CPython's _Py_get_env_flag: an integer, or 1 for anything else non-empty.
int env_flag(const char* value) {
  int n = 0;
  const char* end = value + std::char_traits<char>::length(value);
  auto [ptr, ec] = std::from_chars(value, end, n);
  if (ec != std::errc() || ptr != end || n < 0) return 1;
  return n;
}
}  // namespace

namespace {
constexpr std::string_view kRecheckRecord = "recheck";
// The format and its version: parent and child are the same pycache.
constexpr std::string_view kInheritTag = "policy/2";
bool list_has(std::string_view list, std::string_view item) {
  while (!list.empty()) {
    auto comma = list.find(',');
    if (list.substr(0, comma) == item) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}
}  // namespace

// A record per key, each three fields (key, value, origin) of wire.hpp's
// framing: anything but NUL, which no value or path holds, survives the
// environment.
std::string encode_inherited(const Policy& policy) {
  wire::Writer out(kInheritTag);
  auto field = [&](std::string_view key, std::string_view value, std::string_view origin) {
    out.field(key).field(value).field(origin);
  };
  // The directories a policy file named: the child checks them again, as a
  // venv or prefix made since the parent looked may be someone else's. First,
  // so that the keys after it are read knowing it; an older child skips it.
  std::string recheck;
  const Trust listed{0, policy.safe_directories()};  // what the user trusts on purpose needs no second look
  for (Key key : {Key::Venv, Key::CachePrefix})
    if (const Setting& s = policy.get(key);
        s.origin.named_by_file() && !listed.listed(fs::path(std::get<std::string>(s.value)))) {
      if (!recheck.empty()) recheck += ',';
      recheck += key_info(key).name;
    }
  field(kRecheckRecord, recheck, "");
  for (const auto& k : policy_keys()) {
    // The init is this process's duty, not its children's: a child of an
    // `--init` run must not fork an init of its own.
    if (k.key == Key::Init || k.key == Key::InitSignals) continue;
    // Trust decides which files are read; a child reads none.
    if (k.scope == KeyScope::UserOnly) continue;
    const Setting& s = policy.get(k.key);
    std::string value =
        std::holds_alternative<std::string>(s.value) ? std::get<std::string>(s.value) : format_value(s.value);
    // A value inherited from a grandparent keeps its first origin.
    std::string origin = s.origin.source == Source::Parent ? s.origin.where : s.origin.describe();
    field(k.name, value, origin);
  }
  field("policy-file", policy.project_file.native(), "");
  return out.take();
}

std::vector<std::pair<std::string, std::optional<std::string>>> policy_environment(const Policy& policy) {
  auto set = [](std::string v) { return std::optional<std::string>(std::move(v)); };
  std::vector<std::pair<std::string, std::optional<std::string>>> out;
  out.emplace_back("PYTHONDONTWRITEBYTECODE", policy.write_bytecode() ? std::nullopt : set("1"));
  out.emplace_back("PYTHONOPTIMIZE", policy.optimize() > 0 ? set(std::to_string(policy.optimize())) : std::nullopt);
  out.emplace_back("PYTHONPYCACHEPREFIX", policy.cache_prefix().empty() ? std::nullopt : set(policy.cache_prefix()));
  out.emplace_back(kInheritVariable, policy.propagate_to_children() ? set(encode_inherited(policy)) : std::nullopt);
  return out;
}

Result<Inherited> decode_inherited(std::string_view text) {
  auto bad = [](std::string_view why) {
    return Error{fmt::format("{}: a malformed value in the environment ({}); pycache sets it only for the "
                             "programs it starts: unset it",
                             kInheritVariable, why),
                 kExitUsage};
  };
  wire::Reader in(text);
  if (!in.tag(kInheritTag)) return bad("unknown version");
  Inherited out;
  std::size_t seen = 0;
  std::string_view recheck;  // "venv,cache-prefix"
  while (!in.at_end()) {
    std::string_view key, value, origin;
    if (!in.field(key) || !in.field(value) || !in.field(origin)) return bad("a record cut short");
    if (key == "policy-file") {
      out.policy_file = std::string(value);
      continue;
    }
    if (key == kRecheckRecord) {
      recheck = value;
      continue;
    }
    const KeyInfo* info = find_key(key);
    if (!info) continue;  // a newer parent's key: not ours to apply
    Value raw;
    switch (info->type) {
      case ValueType::Bool:
        if (value != "true" && value != "false") return bad(std::string(key));
        raw = value == "true";
        break;
      case ValueType::Int: {
        std::int64_t n = 0;
        auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec != std::errc() || p != value.data() + value.size()) return bad(std::string(key));
        raw = n;
        break;
      }
      case ValueType::String: raw = std::string(value); break;
      case ValueType::StringList: continue;  // lists (safe-directories, exclude) are no child's business
    }
    auto v = normalize_value(info->key, raw, "/");
    if (!v) return bad(v.error().message);
    Origin from{Source::Parent, std::string(origin)};
    from.recheck = list_has(recheck, key);
    out.layer.set(info->key, std::move(*v), std::move(from));
    ++seen;
  }
  if (seen == 0) return bad("no values");
  return out;
}

Layer environment_layer(const EnvLookup& env, const fs::path& cwd) {
  Layer layer;
  if (const char* v = env("PYTHONDONTWRITEBYTECODE"); v && *v && env_flag(v) > 0)
    layer.set(Key::WriteBytecode, false, Origin{Source::Environment, "PYTHONDONTWRITEBYTECODE"});
  if (const char* v = env("PYTHONOPTIMIZE"); v && *v && env_flag(v) > 0)
    layer.set(Key::Optimize, std::int64_t{std::min(env_flag(v), 2)}, Origin{Source::Environment, "PYTHONOPTIMIZE"});
  if (const char* v = env("PYTHONPYCACHEPREFIX"); v && *v)
    layer.set(Key::CachePrefix, absolute_from(v, cwd).native(), Origin{Source::Environment, "PYTHONPYCACHEPREFIX"});
  return layer;
}

Layer changed_environment_layer(const std::vector<std::pair<std::string, std::optional<std::string>>>& exported,
                                const EnvLookup& env, const fs::path& cwd) {
  Layer all = environment_layer(env, cwd);
  Layer out;
  for (const auto& [name, value] : exported) {
    Key key;
    if (name == "PYTHONDONTWRITEBYTECODE") key = Key::WriteBytecode;
    else if (name == "PYTHONOPTIMIZE") key = Key::Optimize;
    else if (name == "PYTHONPYCACHEPREFIX") key = Key::CachePrefix;
    else continue;
    // CPython reads an empty value as unset.
    const char* now = env(name.c_str());
    const std::string current = now ? now : "";
    const std::string before = value ? *value : "";
    if (current == before) continue;
    Origin origin{Source::Environment, name + " (set for this process by its parent program)"};
    if (const auto& s = all.get(key)) out.set(key, s->value, origin);
    else out.set(key, Policy().get(key).value, origin);  // removed: CPython's default again
  }
  return out;
}

}  // namespace pycache
