#include "pycache/resolve.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <system_error>

#include "pycache/fs.hpp"
#include "pycache/log.hpp"
#include "pycache/paths.hpp"
#include "pycache/text.hpp"

namespace pycache {
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
  // With the python key set too: a request that contradicts requires-python is refused.
  if (q.project_python && !r.project_dir.empty()) {
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

}  // namespace pycache
