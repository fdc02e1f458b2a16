#include "pycache/launch.hpp"

#include <unistd.h>

#include <array>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <system_error>

#include "pycache/build_config.hpp"
#include "pycache/init.hpp"
#include "pycache/log.hpp"
#include "pycache/paths.hpp"
#include "pycache/policy_report.hpp"
#include "pycache/text.hpp"

namespace pycache {
namespace {

constexpr std::array<RunOptionInfo, 12> kRunOptions{{
    {"--cache-prefix", "DIR", "write and read .pyc files under DIR, mirroring the source tree"},
    {"--in-tree", "", "no cache prefix: .pyc files go to __pycache__ beside the sources"},
    {"--write-bytecode", "", "write .pyc files on import"},
    {"--no-write-bytecode", "", "never write .pyc files (as python -B)"},
    {"--optimize", "N", "optimization level 0, 1 or 2 (as python -O / -OO, without stacking)"},
    {"--policy", "FILE", "use this policy file; no discovery"},
    {"--no-policy", "", "read no policy file (project, user or system)"},
    {"--init", "", "run a minimal init in front of python even when not PID 1 (forwards signals, reaps zombies)"},
    {"--no-init", "", "never run the init, not even as PID 1"},
    {"--init-signals", "WHERE", "where the init forwards signals: 'child' (default) or 'group' (its process group)"},
    {"--explain", "", "print the resolved policy and where each value came from to stderr, then run"},
    {"--log-level", "LEVEL", "trace, debug, info, warning (default), error or off"},
}};

const RunOptionInfo* find_run_option(std::string_view name) {
  for (const auto& o : kRunOptions)
    if (o.name == name) return &o;
  return nullptr;
}

Error usage(std::string message) { return Error{std::move(message), kExitUsage}; }

}  // namespace

std::span<const RunOptionInfo> run_options() { return kRunOptions; }

Result<std::size_t> parse_run_options(std::span<const std::string> args, const fs::path& cwd, RunOptions& out) {
  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (!arg.starts_with("--") || arg == "--" || is_python_long_option(arg)) break;
    std::string_view name = arg;
    std::optional<std::string> value;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = std::string(arg.substr(eq + 1));
    }
    const RunOptionInfo* opt = find_run_option(name);
    if (!opt) {
      std::vector<std::string_view> names;
      for (const auto& o : kRunOptions) names.push_back(o.name);
      std::string msg = fmt::format("unknown option '{}'", printable(name));
      if (auto hint = closest_match(name, names); !hint.empty()) msg += fmt::format("; did you mean '{}'?", hint);
      return usage(msg + " (see 'pycache help run')");
    }
    if (!opt->metavar.empty() && !value) {
      if (i + 1 >= args.size()) return usage(fmt::format("option '{}' needs a value ({})", name, opt->metavar));
      value = args[++i];
    } else if (opt->metavar.empty() && value) {
      return usage(fmt::format("option '{}' takes no value", name));
    }
    Origin origin{Source::CommandLine, std::string(name)};
    if (name == "--cache-prefix") {
      if (value->empty()) return usage("option '--cache-prefix' needs a directory (use --in-tree for none)");
      auto v = normalize_value(Key::CachePrefix, *value, cwd);
      if (!v) return usage(v.error().message);
      out.command_line.set(Key::CachePrefix, std::move(*v), origin);
    } else if (name == "--in-tree") {
      out.command_line.set(Key::CachePrefix, std::string(), origin);
    } else if (name == "--write-bytecode") {
      out.command_line.set(Key::WriteBytecode, true, origin);
    } else if (name == "--no-write-bytecode") {
      out.command_line.set(Key::WriteBytecode, false, origin);
    } else if (name == "--optimize") {
      std::int64_t n = -1;
      auto [p, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
      if (ec != std::errc() || p != value->data() + value->size() || n < 0 || n > 2)
        return usage(fmt::format("option '--optimize' must be 0, 1 or 2, not '{}'", printable(*value)));
      out.command_line.set(Key::Optimize, n, origin);
    } else if (name == "--init") {
      out.command_line.set(Key::Init, std::string("always"), origin);
    } else if (name == "--no-init") {
      out.command_line.set(Key::Init, std::string("never"), origin);
    } else if (name == "--init-signals") {
      auto v = normalize_value(Key::InitSignals, *value, cwd);
      if (!v) return usage(fmt::format("option '--init-signals' must be 'child' or 'group', not '{}'", printable(*value)));
      out.command_line.set(Key::InitSignals, std::move(*v), origin);
    } else if (name == "--policy") {
      out.policy_file = absolute_from(*value, cwd);
      out.no_policy = false;
    } else if (name == "--no-policy") {
      out.no_policy = true;
      out.policy_file.reset();
    } else if (name == "--explain") {
      out.explain = true;
    } else if (name == "--log-level") {
      if (auto ok = set_log_level(*value); !ok) return ok.error();
      out.log_level = *value;
    }
  }
  return i;
}

fs::path discovery_start(const PythonArgs& args, const fs::path& cwd) {
  if (args.target != PythonTarget::Script) return cwd;
  fs::path script = absolute_from(args.target_value, cwd);
  std::error_code ec;
  if (fs::is_directory(script, ec)) return script;  // a directory with __main__.py
  return script.parent_path();
}

Result<PolicyResolution> resolve_policy(const PolicyQuery& q, const EnvLookup& env, const fs::path& cwd) {
  PolicyResolution r;
  std::vector<Layer> layers;  // lowest precedence first
  if (q.use_environment) layers.push_back(environment_layer(env, cwd));
  const RunOptions* opts = q.options;
  const bool read_files = !(opts && opts->no_policy);
  const bool explicit_file = opts && opts->policy_file;
  fs::path project_file;
  if (read_files && !explicit_file) {
    // System and user files are optional: absent is fine, broken is an error.
    const std::pair<fs::path, Source> defaults[] = {{system_policy_path(env), Source::SystemFile},
                                                    {user_policy_path(env), Source::UserFile}};
    for (const auto& [file, source] : defaults) {
      if (file.empty() || access(file.c_str(), F_OK) != 0) continue;
      auto layer = load_policy_file(file, source);
      if (!layer) return layer.error();
      r.files.push_back(file);
      if (*layer) layers.push_back(std::move(**layer));
    }
    auto found = discover_project_policy(q.start_dir);
    if (!found) return found.error();
    if (*found) {
      project_file = (*found)->file;
      r.files.push_back(project_file);
      layers.push_back(std::move((*found)->layer));
    }
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
  return r;
}

namespace {

// Fail open: an unusable prefix must not stop the program, only the writing.
void check_prefix_writable(Policy& policy) {
  const std::string& prefix = policy.cache_prefix();
  if (prefix.empty() || !policy.write_bytecode()) return;
  std::error_code ec;
  fs::create_directories(prefix, ec);
  if (!ec && access(prefix.c_str(), W_OK) == 0) return;
  std::string why = ec ? ec.message() : std::generic_category().message(errno);
  log().warn("cache prefix '{}' can't be written ({}); running without writing bytecode", printable(prefix), why);
  policy.override(Key::WriteBytecode, false, Origin{Source::Fallback, "cache prefix not writable"});
}

}  // namespace

PythonInstall PythonInstall::built_in() { return {build::kPythonHome, build::kPythonStdlib}; }

Result<LaunchPlan> plan_launch(const Policy& policy, const PythonArgs& scanned, std::vector<std::string> argv,
                               std::string executable, const EnvLookup& env, const PythonInstall& install) {
  LaunchPlan plan;
  auto& in = plan.interpreter;
  in.argv = std::move(argv);
  in.executable = std::move(executable);
  const char* python_home = scanned.ignore_environment ? nullptr : env("PYTHONHOME");
  if (!python_home || !*python_home) {
    // Our own stdlib, never one that merely sits nearer the launcher.
    in.home = install.home.native();
    fs::path landmark = install.stdlib / "os.py";
    if (access(landmark.c_str(), R_OK) != 0)
      return Error{fmt::format("the Python {} standard library is missing: looked for {} (pycache was built for {}); "
                               "reinstall that Python or rebuild pycache with -DPYCACHE_PYTHON=...",
                               build::kPythonMajorMinor, landmark.native(), build::kPythonExecutable),
                   kExitEnvironment};
  }
  in.write_bytecode = policy.write_bytecode();
  in.optimization_level = policy.optimize();
  in.pycache_prefix = policy.cache_prefix();
  in.check_hash_pycs_mode = policy.check_hash_pycs();

  // CPython re-reads these during initialisation and they only ever lower
  // write_bytecode or raise the optimization level, so the environment has to
  // say what the policy says. Children that are plain pythons follow it too.
  auto& e = plan.environment;
  e.emplace_back("PYTHONDONTWRITEBYTECODE", policy.write_bytecode() ? std::nullopt : std::optional<std::string>("1"));
  e.emplace_back("PYTHONOPTIMIZE", policy.optimize() > 0 ? std::optional<std::string>(std::to_string(policy.optimize()))
                                                         : std::nullopt);
  e.emplace_back("PYTHONPYCACHEPREFIX",
                 policy.cache_prefix().empty() ? std::nullopt : std::optional<std::string>(policy.cache_prefix()));
  // On 3.11+ these override config.executable, even under -E.
  e.emplace_back("PYTHONEXECUTABLE", std::nullopt);
  e.emplace_back("__PYVENV_LAUNCHER__", std::nullopt);
  return plan;
}

int run_command_line(std::string argv0, std::span<const std::string> args, bool pycache_options,
                     std::string executable) {
  const fs::path cwd = current_dir();
  const EnvLookup env = process_environment();
  RunOptions opts;
  std::size_t first = 0;
  if (pycache_options) {
    auto parsed = parse_run_options(args, cwd, opts);
    if (!parsed) {
      log().error("{}", parsed.error().message);
      return parsed.error().code;
    }
    first = *parsed;
  }
  std::span<const std::string> python_args = args.subspan(first);
  PythonArgs scanned = scan_python_args(python_args);

  PolicyResolution resolution;
  if (scanned.target != PythonTarget::InfoOnly) {
    PolicyQuery query{discovery_start(scanned, cwd), &opts, python_options_layer(scanned, cwd), !scanned.ignore_environment};
    auto resolved = resolve_policy(query, env, cwd);
    if (!resolved) {
      log().error("{}", resolved.error().message);
      return resolved.error().code;
    }
    resolution = std::move(*resolved);
    check_prefix_writable(resolution.policy);
  }

  std::vector<std::string> argv;
  argv.reserve(python_args.size() + 1);
  argv.push_back(std::move(argv0));
  argv.insert(argv.end(), python_args.begin(), python_args.end());
  auto plan = plan_launch(resolution.policy, scanned, std::move(argv), std::move(executable), env);
  if (!plan) {
    log().error("{}", plan.error().message);
    return plan.error().code;
  }
  if (opts.explain) {
    std::string report = format_policy(resolution);
    std::fputs(report.c_str(), stderr);
    std::fflush(stderr);
  }
  if (scanned.target != PythonTarget::InfoOnly) {
    for (const auto& [name, value] : plan->environment) {
      if (value) setenv(name.c_str(), value->c_str(), 1);
      else unsetenv(name.c_str());
    }
  }
  // Last thing before Python, which must never be forked once initialised.
  // In the init's process start_init never returns.
  const InitSettings init = init_settings(resolution.policy);
  start_init(init_role(init.mode, getpid()), init.target);
  return embed::run_python(plan->interpreter);
}

}  // namespace pycache
