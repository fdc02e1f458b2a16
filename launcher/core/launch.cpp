#include "pycache/launch.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include "pycache/fs.hpp"
#include "pycache/init.hpp"
#include "pycache/log.hpp"
#include "pycache/paths.hpp"
#include "pycache/policy_report.hpp"
#include "pycache/python_choice.hpp"
#include "pycache/runtime.hpp"
#include "pycache/text.hpp"
#include "pycache/trust.hpp"
#include "pycache/venv.hpp"

namespace pycache {
namespace {

constexpr std::array<RunOptionInfo, 4> kControlOptions{{
    {"--policy", "FILE", "use this policy file; no discovery"},
    {"--no-policy", "", "read no policy file (project, user or system), nor a parent's policy"},
    {"--explain", "", "print the resolved policy and where each value came from to stderr, then run"},
    {"--log-level", "LEVEL", "trace, debug, info, warning (default), error or off"},
}};

Error usage(std::string message) { return Error{std::move(message), kExitUsage}; }

// An option of `pycache run`: a key's (key and option set) or a control one (control set).
struct RunSpelling {
  const KeyInfo* key = nullptr;
  const KeyOption* option = nullptr;
  const RunOptionInfo* control = nullptr;
  std::string_view metavar() const { return option ? option->metavar : control->metavar; }
};

std::optional<RunSpelling> find_run_option(std::string_view name) {
  for (const auto& k : policy_keys())
    for (const auto& o : k.options)
      if (o.parsed_by.empty() && o.name == name) return RunSpelling{&k, &o, nullptr};
  for (const auto& c : kControlOptions)
    if (c.name == name) return RunSpelling{nullptr, nullptr, &c};
  return std::nullopt;
}

Error unknown_run_option(std::string_view name) {
  std::vector<RunOptionInfo> all = run_options();
  std::vector<std::string_view> names;
  names.reserve(all.size());
  for (const auto& o : all) names.push_back(o.name);
  std::string msg = fmt::format("unknown option '{}'", printable(name));
  return usage(msg + did_you_mean(closest_match(name, names)) + " (see 'pycache run --help')");
}

// " (or --in-tree)": the key's flags, for an option given an empty value.
std::string flag_hint(const KeyInfo& key) {
  std::string flags;
  for (const auto& o : key.options)
    if (o.parsed_by.empty() && o.metavar.empty()) flags += (flags.empty() ? "" : ", ") + std::string(o.name);
  return flags.empty() ? "" : " (or " + flags + ")";
}

// The value `text` gives `key` through `option`: read as the key's type, then
// normalize_value(); every error says what the key row expects.
Result<Value> option_value(const KeyInfo& key, const KeyOption& option, std::string_view text, const fs::path& cwd) {
  auto bad = [&] {
    return usage(fmt::format("option '{}': expected {}, got '{}'", option.name, key.expected, printable(text)));
  };
  if (!option.metavar.empty() && text.empty())
    return usage(fmt::format("option '{}' needs a value ({}){}", option.name, option.metavar, flag_hint(key)));
  Value raw;
  switch (key.type) {
    case ValueType::Bool:
      if (text != "true" && text != "false") return bad();
      raw = text == "true";
      break;
    case ValueType::Int: {
      std::int64_t n = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || end != text.data() + text.size()) return bad();
      raw = n;
      break;
    }
    case ValueType::String: raw = std::string(text); break;
    case ValueType::StringList: raw = std::vector<std::string>{std::string(text)}; break;
  }
  auto v = normalize_value(key.key, raw, cwd);
  if (!v) return bad();
  return v;
}

// --policy, --no-policy, --explain, --log-level.
std::optional<Error> apply_control(std::string_view name, const std::string& value, const fs::path& cwd,
                                   RunOptions& out) {
  if (name == "--policy") {
    out.policy_file = absolute_from(value, cwd);
    out.no_policy = false;
  } else if (name == "--no-policy") {
    out.no_policy = true;
    out.policy_file.reset();
  } else if (name == "--explain") {
    out.explain = true;
  } else if (name == "--log-level") {
    if (auto ok = set_log_level(value); !ok) return ok.error();
    out.log_level = value;
  }
  return std::nullopt;
}

}  // namespace

std::span<const RunOptionInfo> run_control_options() { return kControlOptions; }

std::vector<RunOptionInfo> run_options() {
  std::vector<RunOptionInfo> out;
  for (const auto& k : policy_keys())
    for (const auto& o : k.options)
      if (o.parsed_by.empty()) out.push_back(RunOptionInfo{o.name, o.metavar, o.help});
  out.insert(out.end(), kControlOptions.begin(), kControlOptions.end());
  return out;
}

Result<std::size_t> parse_run_options(std::span<const std::string> args, const fs::path& cwd, RunOptions& out) {
  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (!arg.starts_with("--") || arg == "--" || is_python_long_option(arg)) break;
    const auto eq = arg.find('=');
    const std::string_view name = arg.substr(0, eq);
    std::optional<std::string> value;
    if (eq != std::string_view::npos) value = std::string(arg.substr(eq + 1));
    const auto found = find_run_option(name);
    if (!found) return unknown_run_option(name);
    if (!found->metavar().empty() && !value) {
      if (i + 1 >= args.size()) return usage(fmt::format("option '{}' needs a value ({})", name, found->metavar()));
      value = args[++i];
    } else if (found->metavar().empty() && value) {
      return usage(fmt::format("option '{}' takes no value", name));
    }
    if (found->control) {
      if (auto e = apply_control(name, value.value_or(""), cwd, out)) return *e;
      continue;
    }
    const std::string text = value ? *value : std::string(found->option->fixed);
    auto v = option_value(*found->key, *found->option, text, cwd);
    if (!v) return v.error();
    out.command_line.set(found->key->key, std::move(*v), Origin{Source::CommandLine, std::string(name)});
  }
  return i;
}

fs::path discovery_start(const PythonArgs& args, const fs::path& cwd) {
  if (args.target != PythonTarget::Script) return cwd;
  // Relative to a current directory that has gone: python can't open it either.
  if (cwd.empty() && !fs::path(args.target_value).is_absolute()) return {};
  fs::path script = absolute_from(args.target_value, cwd);
  std::error_code ec;
  if (fs::is_directory(script, ec)) return script;  // a directory with __main__.py: sys.path[0] as given
  // python imports beside the real script: sys.path[0] is the directory of
  // its real path (a bin/tool.py linked to ../src/tool.py imports from src/).
  fs::path real = fs::canonical(script, ec);
  return (ec ? script : real).parent_path();
}

namespace {

// A child of a pycache interpreter runs under exactly its parent's policy:
// its layers when PYCACHE_POLICY holds one (and r.inherited set). An empty
// or malformed one is bad input (kExitUsage): pycache never sets one so, and
// ignoring it would run the child under another policy than its parent's.
std::optional<Error> inherited_layers(const PolicyQuery& q, const EnvLookup& env, const fs::path& cwd,
                                      PolicyResolution& r, std::vector<Layer>& layers, fs::path& project_file) {
  const char* parent = env(kInheritVariable);
  if (!parent) return std::nullopt;
  auto in = decode_inherited(parent);
  if (!in) return in.error();
  r.inherited = true;
  project_file = in->policy_file;
  // What the parent exported is a function of its policy; what the
  // program changed since then is its own choice for this child.
  const Policy parent_policy = Policy::resolve(std::span<const Layer>(&in->layer, 1));
  Layer changed;
  if (q.use_environment) changed = changed_environment_layer(policy_environment(parent_policy), env, cwd);
  layers.push_back(std::move(in->layer));
  layers.push_back(std::move(changed));
  return std::nullopt;
}

// The system and user files (optional: absent is fine, broken is an error),
// then the project's, found from q.start_dir (else q.fallback_dir). Adds to
// `trust` the safe-directories they name.
std::optional<Error> file_layers(const PolicyQuery& q, const EnvLookup& env, PolicyResolution& r,
                                 std::vector<Layer>& layers, fs::path& project_file, Trust& trust) {
  const std::pair<fs::path, Source> defaults[] = {{system_policy_path(env), Source::SystemFile},
                                                  {user_policy_path(env), Source::UserFile}};
  std::vector<const Setting*> safe;
  for (const auto& [file, source] : defaults) {
    if (file.empty() || access(file.c_str(), F_OK) != 0) continue;
    std::optional<Refusal> refused;
    // These files decide whom to trust: only the user's own or root's count.
    const Trust owners_only = Trust::current();
    auto layer = load_policy_file(file, source, &owners_only, &refused);
    if (!layer) return layer.error();
    if (refused) r.refused.push_back(std::move(*refused));
    if (!*layer) continue;
    r.files.push_back(file);
    if (const auto& s = (*layer)->get(Key::SafeDirectories)) {
      for (const auto& d : std::get<std::vector<std::string>>(s->value)) trust.safe.push_back(d);
      safe.push_back(&*s);
    }
    layers.push_back(std::move(**layer));
  }
  auto found = discover_project_policy(q.start_dir, trust, r.refused, &r.project_dir);
  if (!found) return found.error();
  r.discovered_from = q.start_dir;
  if (!*found && r.project_dir.empty() && !q.fallback_dir.empty() && q.fallback_dir != q.start_dir) {
    found = discover_project_policy(q.fallback_dir, trust, r.refused, &r.project_dir);
    if (!found) return found.error();
    r.discovered_from = q.fallback_dir;
    r.fell_back = true;
  }
  if (*found) {
    project_file = (*found)->file;
    r.files.push_back(project_file);
    layers.push_back(std::move((*found)->layer));
  }
  if (safe.size() > 1) {  // the system's trusted directories and the user's: both count
    Layer both;
    both.set(Key::SafeDirectories, trust.safe,
             Origin{Source::UserFile, safe[0]->origin.describe() + ", " + safe[1]->origin.describe()});
    layers.push_back(std::move(both));
  }
  return std::nullopt;
}

// No venv named by a file or an option: the .venv beside the policy file
// (for `pycache run`, beside the project's pyproject.toml too), when it has
// one; it wins over an activated VIRTUAL_ENV of another directory.
void project_venv(const PolicyQuery& q, const fs::path& project_file, const Trust& trust, PolicyResolution& r) {
  const fs::path project_home = !project_file.empty() ? project_file.parent_path()
                                : q.project_venv      ? r.project_dir
                                                      : fs::path();
  const Setting& venv_setting = r.policy.get(Key::Venv);
  const bool activated = venv_setting.origin.source == Source::Environment;
  if (r.inherited || !(r.policy.venv().empty() || activated) || project_home.empty()) return;
  fs::path dot_venv = project_home / ".venv";
  if (access((dot_venv / "pyvenv.cfg").c_str(), F_OK) != 0) return;
  // Found, not named: someone else's is skipped (one warning), as a policy file is.
  auto why = distrust_file(trust, dot_venv);
  if (!why) why = distrust_directory(trust, dot_venv, Exclusive::No);
  if (why) {
    r.refused.push_back(Refusal{dot_venv, *why, "the virtual environment"});
    return;
  }
  if (activated && !r.policy.venv().empty()) {
    std::error_code ec;
    if (!fs::equivalent(dot_venv, r.policy.venv(), ec))
      log().warn("ignoring the activated virtual environment '{}' (VIRTUAL_ENV): the project's is '{}'",
                 printable(r.policy.venv()), printable(dot_venv.native()));
  }
  r.policy.override(Key::Venv, dot_venv.native(),
                    Origin{Source::Default, ".venv of the project in " + project_home.native()});
}

}  // namespace

Result<PolicyResolution> resolve_policy(const PolicyQuery& q, const EnvLookup& env, const fs::path& cwd) {
  PolicyResolution r;
  std::vector<Layer> layers;  // lowest precedence first
  const RunOptions* opts = q.options;
  const bool read_files = !(opts && opts->no_policy);
  const bool explicit_file = opts && opts->policy_file;
  fs::path project_file;

  if (read_files && !explicit_file)
    if (auto e = inherited_layers(q, env, cwd, r, layers, project_file)) return *e;
  if (!r.inherited) {
    if (q.use_environment) layers.push_back(environment_layer(env, cwd));
    // VIRTUAL_ENV is not a PYTHON* variable: -E does not hide it. Python
    // itself ignores it, so a stale one (the venv deleted) is ignored too.
    if (const char* venv = env("VIRTUAL_ENV");
        venv && *venv && fs::path(venv).is_absolute() && access((fs::path(venv) / "pyvenv.cfg").c_str(), F_OK) == 0) {
      Layer activated;
      activated.set(Key::Venv, absolute_from(venv, cwd).native(), Origin{Source::Environment, "VIRTUAL_ENV"});
      layers.push_back(std::move(activated));
    }
  }
  Trust trust = Trust::current();
  if (read_files && !explicit_file && !r.inherited) {
    if (auto e = file_layers(q, env, r, layers, project_file, trust)) return *e;
  } else if (explicit_file) {
    auto layer = load_policy_file(*opts->policy_file, Source::ProjectFile);
    if (!layer) return layer.error();
    if (!*layer) return usage(fmt::format("{}: no [tool.pycache] table", printable(opts->policy_file->native())));
    project_file = *opts->policy_file;
    r.files.push_back(project_file);
    layers.push_back(std::move(**layer));
  }
  if (opts) layers.push_back(opts->command_line);
  layers.push_back(q.python_options);
  r.policy = Policy::resolve(layers);
  r.policy.project_file = project_file;
  if (!project_file.empty()) r.project_dir = project_file.parent_path();
  project_venv(q, project_file, trust, r);
  std::optional<Error> broken;
  if (q.project_python && !r.project_dir.empty() && r.policy.python().empty()) {
    auto asked = read_project_python(r.project_dir, trust, r.refused);
    if (asked) r.project_python = std::move(*asked);
    else broken = asked.error();
  }
  for (const auto& refusal : r.refused) log().warn("{}", describe_refusal(refusal, env));
  if (broken) return *broken;
  use_private_prefix(r.policy, trust);
  if (auto refused = check_policy_directories(r.policy, trust, Absent::Allowed)) return *refused;
  return r;
}

std::string describe_refusal(const Refusal& refusal, const EnvLookup& env) {
  return fmt::format("ignoring {} '{}': {}; to trust it, add \"{}\" to safe-directories in {}", refusal.what,
                     printable(refusal.file.native()), refusal.why, printable(refusal.file.parent_path().native()),
                     printable(user_policy_path(env).native()));
}

namespace {

Error refusing(std::string_view what, const std::string& dir, const Setting& named, const std::string& why) {
  return Error{fmt::format("refusing the {} '{}' ({}): {}; to trust it, add it to safe-directories in the user "
                           "policy file",
                           what, printable(dir), named.origin.describe(), why),
               kExitEnvironment};
}

}  // namespace

std::optional<Error> check_policy_directories(const Policy& policy, const Trust& trust, Absent absent_prefix) {
  // / or the home directory as a prefix would put pycs beside every source
  // of the machine (or of the user). Python's own -X and environment may,
  // as under python; nothing pycache reads or is told may.
  const Setting& named = policy.get(Key::CachePrefix);
  const bool pythons_own = named.origin.source == Source::Environment ||
                           (named.origin.source == Source::CommandLine && named.origin.where == "-X pycache_prefix");
  if (!policy.cache_prefix().empty() && !pythons_own && named.origin.source != Source::Parent) {
    if (auto why = protected_directory(real_fs(), policy.cache_prefix(), home_dir()))
      return Error{fmt::format("the cache prefix '{}' ({}) is refused: {}", printable(policy.cache_prefix()),
                               named.origin.describe(), *why),
                   kExitUsage};
  }
  const Setting& venv = policy.get(Key::Venv);
  if (venv.origin.named_by_file() && !policy.venv().empty() && policy.venv() != "none") {
    if (auto why = distrust_directory(trust, policy.venv(), Exclusive::No))
      return refusing("virtual environment", policy.venv(), venv, *why);
  }
  const Setting& prefix = policy.get(Key::CachePrefix);
  if (prefix.origin.named_by_file() && !policy.cache_prefix().empty()) {
    struct stat st {};
    if (absent_prefix == Absent::Allowed && ::lstat(policy.cache_prefix().c_str(), &st) != 0 && errno == ENOENT)
      return std::nullopt;
    if (auto why = distrust_directory(trust, policy.cache_prefix(), Exclusive::Yes))
      return refusing("cache prefix", policy.cache_prefix(), prefix, *why);
  }
  return std::nullopt;
}

void use_private_prefix(Policy& policy, const Trust& trust) {
  const Setting& prefix = policy.get(Key::CachePrefix);
  if (!prefix.origin.named_by_file() || policy.cache_prefix().empty() || trust.listed(policy.cache_prefix())) return;
  if (!shared_directory(policy.cache_prefix())) return;
  Origin origin = prefix.origin;
  policy.override(Key::CachePrefix, child_path(policy.cache_prefix(), private_prefix_name(trust.uid)),
                  std::move(origin));
}

std::optional<Error> make_private_prefix(const Policy& policy, const Trust& trust) {
  const Setting& prefix = policy.get(Key::CachePrefix);
  const fs::path dir = policy.cache_prefix();
  if (!prefix.origin.named_by_file() || dir.empty() || dir.filename() != private_prefix_name(trust.uid) ||
      !shared_directory(dir.parent_path()))
    return std::nullopt;
  if (auto why = make_private_directory(trust, dir.parent_path(), dir.filename()))
    return refusing("cache prefix", dir.native(), prefix, *why);
  return std::nullopt;
}

namespace {

bool writable_dir(const fs::path& dir, bool create, std::string& why) {
  std::error_code ec;
  if (create) fs::create_directories(dir, ec);
  if (!ec && access(dir.c_str(), W_OK) == 0) return true;
  why = ec ? ec.message() : std::generic_category().message(errno);
  return false;
}

}  // namespace

fs::path fallback_cache_dir(const EnvLookup& env) {
  std::string why;
  if (const char* xdg = env("XDG_CACHE_HOME"); xdg && *xdg && fs::path(xdg).is_absolute()) {
    fs::path dir = fs::path(xdg) / "pycache";
    if (writable_dir(dir, true, why)) return dir;
  }
  if (const char* home = env("HOME"); home && *home && fs::path(home).is_absolute()) {
    fs::path dir = fs::path(home) / ".cache" / "pycache";
    if (writable_dir(dir, true, why)) return dir;
  }
  // A private directory: ours, not a symlink, not writable by others.
  fs::path dir = fs::path("/tmp") / ("pycache-" + std::to_string(getuid()));
  mkdir(dir.c_str(), 0700);
  struct stat st;
  if (lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid() && (st.st_mode & 077) == 0 &&
      access(dir.c_str(), W_OK) == 0)
    return dir;
  return {};
}

void apply_read_only(Policy& policy, const fs::path& tree_dir, const EnvLookup& env) {
  if (!policy.write_bytecode() || policy.read_only() == "ignore") return;
  const bool prefixed = !policy.cache_prefix().empty();
  const fs::path target = prefixed ? fs::path(policy.cache_prefix()) : tree_dir;
  // No tree: `-c` in a current directory that has gone, where python imports nothing.
  if (target.empty()) return;
  std::string why;
  // One check at start (the prefix is created if need be), not one per import.
  if (writable_dir(target, prefixed, why)) return;
  if (policy.read_only() == "fallback") {
    fs::path fallback = fallback_cache_dir(env);
    if (!fallback.empty()) {
      log().info("'{}' can't be written ({}); bytecode goes to '{}'", printable(target.native()), why,
                 printable(fallback.native()));
      policy.override(Key::CachePrefix, fallback.native(),
                      Origin{Source::Fallback, "'" + target.native() + "' not writable (read-only = \"fallback\")"});
      return;
    }
  }
  log().warn("{} '{}' can't be written ({}); running without writing bytecode", prefixed ? "cache prefix" : "directory",
             printable(target.native()), why);
  policy.override(
      Key::WriteBytecode, false,
      Origin{Source::Fallback, "'" + target.native() + "' not writable (read-only = \"" + policy.read_only() + "\")"});
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

namespace {

// The venv: the one the executable already lies in (a venv's bin/python
// that is pycache-python: getpath makes sys._base_executable of it, as for
// python), else the policy's, entered through a pycache-python link in its
// bin/ so that children stay in it (sys._base_executable the real program,
// so that `-m venv` from there links to it, never to another venv's link).
// Sets `search_dir` to where getpath starts: the venv's home, else the real
// executable's directory.
std::optional<Error> enter_venv(const Policy& policy, const runtime::Runtime& rt, embed::InterpreterConfig& in,
                                fs::path& search_dir) {
  // An argv[0] that names no file leaves sys.executable '' (as python
  // does); the program is still this one: where the stdlib is searched
  // from, and a venv's link target.
  const fs::path program = in.executable.empty() ? self_exe() : fs::path(in.executable);
  std::error_code real_ec;
  const fs::path real = fs::canonical(program, real_ec);
  std::optional<fs::path> venv = venv_of_executable(in.executable);
  if (!venv && !policy.venv().empty() && policy.venv() != "none") venv = fs::path(policy.venv());
  // A venv named by a policy file that does not exist yet is not an error:
  // `pycache-python -m venv .venv` must be able to make it. Only --venv is.
  const Setting& named = policy.get(Key::Venv);
  std::error_code ec;
  if (venv && !fs::exists(*venv, ec) && named.origin.source != Source::CommandLine) {
    log().warn("the virtual environment '{}' ({}) does not exist: running in the base interpreter",
               printable(venv->native()), named.origin.describe());
    venv.reset();
  }
  search_dir = (real_ec ? program : real).parent_path();
  if (!venv) return std::nullopt;
  auto info = inspect_venv(*venv);
  if (!info) return info.error();
  if (!info->home.empty()) search_dir = info->home;
  if (auto ok = check_venv_compatible(*info, rt.major_minor, rt.free_threaded); !ok) return ok.error();
  if (venv_of_executable(in.executable)) return std::nullopt;
  auto link = venv_launcher(*venv, program);
  if (!link)
    return Error{fmt::format("cannot use the virtual environment '{}': {}/bin is not writable for the "
                             "pycache-python link children need",
                             printable(venv->native()), printable(venv->native())),
                 kExitEnvironment};
  if (!in.argv.empty() && in.argv[0] == in.executable) in.argv[0] = link->native();
  if (!real_ec) in.base_executable = real.native();
  in.executable = link->native();
  return std::nullopt;
}

// CPython re-reads these during initialisation and they only ever lower
// write_bytecode or raise the optimization level, so the environment has to
// say what the policy says. Under "tree" children keep them, so that even
// plain pythons follow the policy as far as CPython allows, and pycache
// children get the whole policy through PYCACHE_POLICY; under "none" the
// program sees the environment it was started with once CPython has read it.
void plan_environment(const Policy& policy, const EnvLookup& env, LaunchPlan& plan) {
  auto& e = plan.environment;
  for (auto& [name, value] : policy_environment(policy)) {
    if (!policy.propagate_to_children() && name != kInheritVariable) {
      const char* original = env(name.c_str());
      plan.interpreter.environment_after_init.emplace_back(
          name, original ? std::optional<std::string>(original) : std::nullopt);
    }
    e.emplace_back(std::move(name), std::move(value));
  }
  // On 3.11+ these override config.executable, even under -E.
  e.emplace_back("PYTHONEXECUTABLE", std::nullopt);
  e.emplace_back("__PYVENV_LAUNCHER__", std::nullopt);
}

}  // namespace

Result<LaunchPlan> plan_launch(const Policy& policy, const PythonArgs& scanned, std::vector<std::string> argv,
                               std::string executable, const EnvLookup& env, const runtime::Runtime& rt) {
  const PythonInstall install = rt.install();
  LaunchPlan plan;
  auto& in = plan.interpreter;
  in.argv = std::move(argv);
  in.executable = std::move(executable);
  const char* python_home = scanned.ignore_environment ? nullptr : env("PYTHONHOME");
  const bool python_home_applies = python_home && *python_home;
  if (!python_home_applies) {
    fs::path landmark = install.stdlib / "os.py";
    if (access(landmark.c_str(), R_OK) != 0)
      return Error{fmt::format("the Python {} standard library is missing: looked for {} (pycache was built for {}); "
                               "reinstall that Python, or rebuild pycache for another (-DPYCACHE_PYTHONS=...)",
                               rt.major_minor, landmark.native(), rt.interpreter),
                   kExitEnvironment};
  }
  fs::path search_dir;
  if (auto e = enter_venv(policy, rt, in, search_dir)) return *e;

  PathInputs paths = path_inputs(install, search_dir, python_home_applies);
  in.home = std::move(paths.home);
  in.prefix = std::move(paths.prefix);
  in.exec_prefix = std::move(paths.exec_prefix);

  in.write_bytecode = policy.write_bytecode();
  in.optimization_level = policy.optimize();
  in.pycache_prefix = policy.cache_prefix();
  in.check_hash_pycs_mode = policy.check_hash_pycs();
  in.read_through = policy.read_through();
  plan_environment(policy, env, plan);
  return plan;
}

CoreFacts CoreFacts::built_in() {
  const runtime::Runtime& r = runtime::self();
  return {std::string(r.interpreter_real), r.interpreter_mtime, r.interpreter_size, r.link == "static",
          embed::runtime_build()};
}

std::optional<std::string> stale_core_warning(const CoreFacts& f) {
  if (!f.static_link) return std::nullopt;  // a shared libpython follows upgrades
  struct stat st {};
  if (::stat(f.interpreter.c_str(), &st) != 0) return std::nullopt;  // gone: the stdlib check says more
  if (st.st_mtime == f.mtime && st.st_size == f.size) return std::nullopt;
  return fmt::format(
      "{} has changed since pycache was built: the C core pycache embeds ({}) is older than the "
      "Python installed and lacks its fixes; rebuild pycache (or upgrade its package)",
      printable(f.interpreter.native()), f.core);
}

namespace {

// Why the console script `candidate` must not run: it, a symbolic link or a
// directory on the way to it is another user's, or a directory on the way
// is writable by everyone without the sticky bit (the trust rule of venvs).
std::optional<std::string> distrust_console_script(const Trust& trust, const fs::path& candidate,
                                                   const EnvLookup& env) {
  auto why = distrust_directory(trust, candidate, Exclusive::No);
  if (!why) return std::nullopt;
  return fmt::format("ignoring the console script '{}': {}; to trust it, add \"{}\" to safe-directories in {}",
                     printable(candidate.native()), *why, printable(candidate.parent_path().native()),
                     printable(user_policy_path(env).native()));
}

}  // namespace

Result<fs::path> find_console_script(const std::string& name, const std::string& venv, const EnvLookup& env,
                                     const Trust& trust) {
  std::vector<fs::path> dirs;
  if (!venv.empty() && venv != "none") dirs.push_back(fs::path(venv) / "bin");
  const char* path = env("PATH");
  for (auto& dir : absolute_path_entries(path ? path : "")) dirs.push_back(std::move(dir));
  for (const auto& dir : dirs) {
    const fs::path candidate = dir / name;
    // A directory or a FIFO of that name is no program: the search goes on, as a shell's does.
    struct stat st {};
    if (::stat(candidate.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || ::access(candidate.c_str(), X_OK) != 0) continue;
    if (auto why = distrust_console_script(trust, candidate, env)) {
      log().warn("{}", *why);
      continue;
    }
    // A Python script: its first line says so (#!/usr/bin/python3, #!/usr/bin/env python).
    ConfigFile head = read_config_file(candidate, kConfigFileLimit);
    std::string_view first = head.ok() ? std::string_view(head.text).substr(0, head.text.find('\n')) : "";
    if (first.starts_with("#!") && first.find("python") != std::string_view::npos) return candidate;
    return Error{fmt::format("'{}' is not a Python script (its first line: '{}'): pycache run runs Python",
                             printable(candidate.native()), printable(first.substr(0, 80))),
                 kExitUsage};
  }
  return Error{fmt::format("'{}': no such file, and no console script of that name in {}", printable(name),
                           !venv.empty() && venv != "none" ? "the venv or on PATH" : "PATH"),
               kExitUsage};
}

namespace {

// `pycache run NAME` where NAME is no file: NAME becomes the console script
// it names in `python_args` (and `scanned`).
std::optional<Error> resolve_console_script(const Policy& policy, const fs::path& cwd, const EnvLookup& env,
                                            std::vector<std::string>& python_args, PythonArgs& scanned) {
  if (scanned.target != PythonTarget::Script || fs::path(scanned.target_value).has_parent_path()) return std::nullopt;
  std::error_code ec;
  if (fs::exists(cwd / scanned.target_value, ec)) return std::nullopt;
  auto script =
      find_console_script(scanned.target_value, policy.venv(), env, Trust::current(policy.safe_directories()));
  if (!script) return script.error();
  for (auto& a : python_args)
    if (a == scanned.target_value) {
      a = script->native();
      break;
    }
  scanned = scan_python_args(python_args);
  return std::nullopt;
}

// The policy a run is under: resolved from where the program is, its read-only
// fallback applied and the directories checked again.
Result<PolicyResolution> run_policy(const RunOptions& opts, bool pycache_options, const fs::path& cwd,
                                    const EnvLookup& env, std::vector<std::string>& python_args, PythonArgs& scanned) {
  PolicyQuery query{discovery_start(scanned, cwd), &opts, python_options_layer(scanned, cwd),
                    !scanned.ignore_environment};
  query.fallback_dir = cwd;
  query.project_venv = pycache_options;
  query.project_python = pycache_options;
  auto resolved = resolve_policy(query, env, cwd);
  if (!resolved) return resolved.error();
  PolicyResolution resolution = std::move(*resolved);
  // Where the program's own bytecode goes without a prefix: the project it runs in.
  const fs::path tree_dir = resolution.discovered_from.empty() ? query.start_dir : resolution.discovered_from;
  // `pycache run pytest`: a name that is no file is a console script, as
  // for `uv run`: the venv's, else one on PATH, run as that script.
  if (pycache_options)
    if (auto e = resolve_console_script(resolution.policy, cwd, env, python_args, scanned)) return *e;
  const Trust trust = Trust::current(resolution.policy.safe_directories());
  if (auto refused = make_private_prefix(resolution.policy, trust)) return *refused;
  apply_read_only(resolution.policy, tree_dir, env);
  // Again now that the prefix may have been created: someone else may have
  // made it first. One that does not exist must be one no one else can make.
  if (auto refused = check_policy_directories(resolution.policy, trust, Absent::Checked)) return *refused;
  return resolution;
}

}  // namespace

Result<PreparedRun> prepare_run(std::string argv0, std::span<const std::string> args, bool pycache_options,
                                std::string executable) {
  const fs::path cwd = current_dir();
  const EnvLookup env = process_environment();
  RunOptions opts;
  std::size_t first = 0;
  if (pycache_options) {
    auto parsed = parse_run_options(args, cwd, opts);
    if (!parsed) return parsed.error();
    first = *parsed;
  }
  std::vector<std::string> python_args(args.begin() + static_cast<std::ptrdiff_t>(first), args.end());
  PythonArgs scanned = scan_python_args(python_args);
  PreparedRun run;
  run.sets_environment = scanned.target != PythonTarget::InfoOnly;
  PolicyResolution resolution;
  if (run.sets_environment) {
    auto resolved = run_policy(opts, pycache_options, cwd, env, python_args, scanned);
    if (!resolved) return resolved.error();
    resolution = std::move(*resolved);
  }
  // `pycache run` runs on the project's Python; pycache-pythonX.Y is X.Y.
  run.runtime = &runtime::self();
  if (pycache_options && run.sets_environment) {
    PythonChoice choice = choose_python(resolution);
    auto chosen = require_runtime(choice);
    if (!chosen) return chosen.error();
    run.runtime = *chosen;
    resolution.policy.override(Key::Python, std::string(run.runtime->name), choice.origin);
    if (run.runtime != &runtime::self()) {
      executable = runtime::program_path(*run.runtime)->native();
      argv0 = executable;
    }
  }
  std::vector<std::string> argv;
  argv.reserve(python_args.size() + 1);
  argv.push_back(std::move(argv0));
  argv.insert(argv.end(), python_args.begin(), python_args.end());
  auto plan = plan_launch(resolution.policy, scanned, std::move(argv), std::move(executable), env, *run.runtime);
  if (!plan) return plan.error();
  run.plan = std::move(*plan);
  if (opts.explain) run.explanation = format_policy(resolution);
  run.init = init_settings(resolution.policy);
  return run;
}

int start_run(const PreparedRun& run) {
  if (run.sets_environment) {
    for (const auto& [name, value] : run.plan.environment) {
      if (value) setenv(name.c_str(), value->c_str(), 1);
      else unsetenv(name.c_str());
    }
  }
  if (run.runtime == &runtime::self())
    if (auto stale = stale_core_warning()) log().warn("{}", *stale);
  // Last thing before Python, which must never be forked once initialised.
  // In the init's process start_init never returns.
  start_init(init_role(run.init.mode, getpid()), run.init.target);
  if (run.runtime != &runtime::self()) return hand_off(*run.runtime, run.plan.interpreter);
  return embed::run_python(run.plan.interpreter);
}

namespace {

// Length-prefixed fields: "7:/a/path" for a string, the count first for a list.
void put(std::string& out, std::string_view s) {
  out += std::to_string(s.size());
  out += ':';
  out += s;
}

bool take(std::string_view& in, std::string& out) {
  auto colon = in.find(':');
  std::size_t n = 0;
  if (colon == std::string_view::npos) return false;
  auto [end, ec] = std::from_chars(in.data(), in.data() + colon, n);
  if (ec != std::errc() || end != in.data() + colon || n > in.size() - colon - 1) return false;
  out.assign(in.substr(colon + 1, n));
  in.remove_prefix(colon + 1 + n);
  return true;
}

}  // namespace

std::string encode_handoff(const embed::InterpreterConfig& c) {
  std::string out = "1;";
  for (const std::string* s : {&c.executable, &c.base_executable, &c.home, &c.prefix, &c.exec_prefix, &c.pycache_prefix,
                               &c.check_hash_pycs_mode})
    put(out, *s);
  put(out, c.write_bytecode ? "1" : "0");
  put(out, std::to_string(c.optimization_level));
  put(out, c.read_through ? "1" : "0");
  put(out, std::to_string(c.environment_after_init.size()));
  for (const auto& [name, value] : c.environment_after_init) {
    put(out, name);
    put(out, value ? "1" + *value : "0");
  }
  return out;
}

std::optional<embed::InterpreterConfig> decode_handoff(std::string_view in) {
  if (!in.starts_with("1;")) return std::nullopt;
  in.remove_prefix(2);
  embed::InterpreterConfig c;
  for (std::string* s : {&c.executable, &c.base_executable, &c.home, &c.prefix, &c.exec_prefix, &c.pycache_prefix,
                         &c.check_hash_pycs_mode})
    if (!take(in, *s)) return std::nullopt;
  std::string write, level, through, count;
  if (!take(in, write) || !take(in, level) || !take(in, through) || !take(in, count)) return std::nullopt;
  c.write_bytecode = write == "1";
  c.read_through = through == "1";
  if (level.size() != 1 || level[0] < '0' || level[0] > '2') return std::nullopt;
  c.optimization_level = level[0] - '0';
  std::size_t n = 0;
  if (std::from_chars(count.data(), count.data() + count.size(), n).ec != std::errc() || n > 64) return std::nullopt;
  for (std::size_t i = 0; i < n; ++i) {
    std::string name, value;
    if (!take(in, name) || !take(in, value) || value.empty()) return std::nullopt;
    c.environment_after_init.emplace_back(name,
                                          value[0] == '1' ? std::optional<std::string>(value.substr(1)) : std::nullopt);
  }
  if (!in.empty()) return std::nullopt;
  return c;
}

int hand_off(const runtime::Runtime& rt, const embed::InterpreterConfig& config) {
  const std::string program = runtime::program_path(rt)->native();
  setenv(kHandoffVariable, encode_handoff(config).c_str(), 1);
  std::vector<char*> argv;
  for (const auto& a : config.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(program.c_str(), argv.data());
  const int e = errno;
  unsetenv(kHandoffVariable);
  log().error("cannot start the Python {} runtime '{}': {}", rt.name, printable(program), std::strerror(e));
  return kExitEnvironment;
}

}  // namespace pycache
