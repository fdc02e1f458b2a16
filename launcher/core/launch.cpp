#include "pycache/launch.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include "pycache/command_run.hpp"
#include "pycache/flags_run.hpp"
#include "pycache/fs.hpp"
#include "pycache/handoff.hpp"
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

// Whether `dir` (made first, with its parents, when `create`) can be written;
// else `why` not.
bool writable_dir(FileSystem& files, const fs::path& dir, bool create, std::string& why) {
  FileStat st;
  int e = create ? make_directories(files, dir)->stat_self(st) : 0;
  if (e == 0) e = files.access(dir, W_OK);
  if (e == 0) return true;
  why = std::generic_category().message(e);
  return false;
}

}  // namespace

fs::path fallback_cache_dir(const EnvLookup& env, FileSystem& files) {
  std::string why;
  if (const char* xdg = env("XDG_CACHE_HOME"); xdg && *xdg && fs::path(xdg).is_absolute()) {
    fs::path dir = fs::path(xdg) / "pycache";
    if (writable_dir(files, dir, true, why)) return dir;
  }
  if (const char* home = env("HOME"); home && *home && fs::path(home).is_absolute()) {
    fs::path dir = fs::path(home) / ".cache" / "pycache";
    if (writable_dir(files, dir, true, why)) return dir;
  }
  // A private directory: ours, not a symlink, not writable by others.
  fs::path dir = fs::path("/tmp") / ("pycache-" + std::to_string(getuid()));
  files.open_directory("/tmp", FollowLink::Yes)->make_dir(dir.filename().native(), 0700);
  FileStat st;
  if (files.lstat(dir, st) == 0 && st.type == FileType::Directory && st.owner == getuid() && (st.mode & 077) == 0 &&
      files.access(dir, W_OK) == 0)
    return dir;
  return {};
}

void apply_read_only(Policy& policy, const fs::path& tree_dir, const EnvLookup& env, FileSystem& files) {
  if (!policy.write_bytecode() || policy.read_only() == "ignore") return;
  const bool prefixed = !policy.cache_prefix().empty();
  const fs::path target = prefixed ? fs::path(policy.cache_prefix()) : tree_dir;
  // No tree: `-c` in a current directory that has gone, where python imports nothing.
  if (target.empty()) return;
  std::string why;
  // One check at start (the prefix is created if need be), not one per import.
  if (writable_dir(files, target, prefixed, why)) return;
  if (policy.read_only() == "fallback") {
    fs::path fallback = fallback_cache_dir(env, files);
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

namespace {

// The venv: the one the executable already lies in (a venv's bin/python
// that is pycache-python: getpath makes sys._base_executable of it, as for
// python), else the policy's, entered through a pycache-python link in its
// bin/ so that children stay in it (sys._base_executable the real program,
// so that `-m venv` from there links to it, never to another venv's link).
// Sets `search_dir` to where getpath starts: the venv's home, else the real
// executable's directory.
// `pycache run` of a project with no venv by a pycache that lies in a venv
// of its own (uvx's): sys.executable a link outside it (program_link), or
// CPython's site would make that venv sys.prefix.
void leave_own_venv(const EnvLookup& env, FileSystem& files, embed::InterpreterConfig& in, const fs::path& program) {
  if (!venv_of_executable(program)) return;
  auto link = program_link(fallback_cache_dir(env, files), program);
  if (!link) {
    log().debug("no link to '{}' outside its venv: sys.prefix will be that venv", printable(program.native()));
    return;
  }
  if (!in.argv.empty() && in.argv[0] == in.executable) in.argv[0] = link->native();
  in.executable = link->native();
}

std::optional<Error> enter_venv(const Policy& policy, const PythonFacts& rt, FileSystem& files,
                                embed::InterpreterConfig& in, fs::path& search_dir, Personality personality,
                                const EnvLookup& env) {
  // An argv[0] that names no file leaves sys.executable '' (as python
  // does); the program is still this one: where the stdlib is searched
  // from, and a venv's link target.
  const fs::path program = in.executable.empty() ? started_program() : fs::path(in.executable);
  std::error_code real_ec;
  const fs::path real = fs::canonical(program, real_ec);
  std::optional<fs::path> venv;
  if (personality == Personality::Python) venv = venv_of_executable(in.executable);
  // A child of a `pycache run` that stayed out of the venv pycache is
  // installed in (pipx's, uv tool's): its sys.executable lies there, and it
  // stays out too, as its parent's policy says.
  const Setting& named = policy.get(Key::Venv);
  if (venv && named.origin.source == Source::Parent && policy.venv() != venv->native() &&
      venv == venv_of_executable(self_exe()))
    venv.reset();
  if (!venv && !policy.venv().empty() && policy.venv() != "none") venv = fs::path(policy.venv());
  // A venv named by a policy file that does not exist yet is not an error:
  // `pycache-python -m venv .venv` must be able to make it. Only --venv is.
  FileStat st;
  if (venv && files.stat(*venv, st) != 0 && named.origin.source != Source::CommandLine) {
    log().warn("the virtual environment '{}' ({}) does not exist: running in the base interpreter",
               printable(venv->native()), named.origin.describe());
    venv.reset();
  }
  search_dir = (real_ec ? program : real).parent_path();
  if (!venv) {
    if (personality == Personality::PycacheRun && !in.executable.empty()) leave_own_venv(env, files, in, program);
    return std::nullopt;
  }
  auto info = inspect_venv(*venv);
  if (!info) return info.error();
  if (!info->home.empty()) search_dir = info->home;
  if (auto e = check_venv_compatible(*info, rt.major_minor, rt.free_threaded)) return e;
  if (venv_of_executable(in.executable) == venv) return std::nullopt;
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

PythonFacts facts_of(const runtime::Runtime& rt) {
  return {rt.install(),
          std::string(rt.major_minor),
          rt.free_threaded,
          std::string(rt.version),
          std::string(rt.interpreter),
          {}};
}

PythonFacts facts_of(const interpreters::Interpreter& in) {
  return {interpreters::install_of(in), in.major_minor, in.free_threaded, in.version, {}, in.path.native()};
}

Result<LaunchPlan> plan_launch(const Policy& policy, const PythonArgs& scanned, std::vector<std::string> argv,
                               std::string executable, const EnvLookup& env, const runtime::Runtime& rt,
                               FileSystem& files) {
  return plan_launch(policy, scanned, std::move(argv), std::move(executable), env, facts_of(rt), files);
}

namespace {

std::optional<Error> check_stdlib(const PythonFacts& rt, FileSystem& files) {
  const fs::path landmark = rt.install.stdlib / "os.py";
  if (files.access(landmark, R_OK) == 0) return std::nullopt;
  if (!rt.found_at.empty())
    return Error{fmt::format("the Python {} standard library is missing: looked for {} (of the Python at {})",
                             rt.major_minor, landmark.native(), rt.found_at),
                 kExitEnvironment};
  return Error{fmt::format("the Python {} standard library is missing: looked for {} (of the Python {}); "
                           "reinstall that Python",
                           rt.major_minor, landmark.native(), rt.built_for),
               kExitEnvironment};
}

}  // namespace

Result<LaunchPlan> plan_launch(const Policy& policy, const PythonArgs& scanned, std::vector<std::string> argv,
                               std::string executable, const EnvLookup& env, const PythonFacts& rt, FileSystem& files,
                               Personality personality) {
  const PythonInstall& install = rt.install;
  LaunchPlan plan;
  auto& in = plan.interpreter;
  in.argv = std::move(argv);
  in.executable = std::move(executable);
  const char* python_home = scanned.ignore_environment ? nullptr : env("PYTHONHOME");
  const bool python_home_applies = python_home && *python_home;
  if (!python_home_applies)
    if (auto e = check_stdlib(rt, files)) return *e;
  fs::path search_dir;
  if (auto e = enter_venv(policy, rt, files, in, search_dir, personality, env)) return *e;
  // An interpreter of the machine (a module run): sys._base_executable is
  // that interpreter, as under its own python, so that `-m venv` links the
  // new venv to it; pycache-embedded links no Python a venv could run on.
  if (!rt.found_at.empty()) in.base_executable = rt.found_at;

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
  const runtime::Runtime* r = runtime::self();
  // pycache-embedded links no core: nothing of it can be stale.
  if (!r || !embed::has_builtin_runtime()) return {"", 0, 0, false, embed::runtime_build()};
  return {std::string(r->interpreter_real), r->interpreter_mtime, r->interpreter_size, r->link == "static",
          embed::runtime_build()};
}

std::optional<std::string> stale_core_warning(const CoreFacts& f, FileSystem& files) {
  if (!f.static_link) return std::nullopt;  // a shared libpython follows upgrades
  FileStat st;
  if (files.stat(f.interpreter, st) != 0) return std::nullopt;  // gone: the stdlib check says more
  if (st.mtime_ns / 1'000'000'000 == f.mtime && static_cast<long long>(st.size) == f.size) return std::nullopt;
  return fmt::format(
      "{} has changed since pycache was built: the C core pycache embeds ({}) is older than the "
      "Python installed and lacks its fixes; upgrade pycache",
      printable(f.interpreter.native()), f.core);
}

namespace {

// `pycache run NAME`: a name that is no file is a program, as for `uv run`
// (the venv's, else one on PATH); a Python script runs as that script, in
// `python_args` (and `scanned`), anything else as `command`. A file named
// by its path that is a program but not Python is a `command` too.
std::optional<Error> resolve_console_script(const Policy& policy, const fs::path& cwd, const EnvLookup& env,
                                            std::vector<std::string>& python_args, PythonArgs& scanned,
                                            std::optional<CommandRun>& command) {
  if (scanned.target != PythonTarget::Script) return std::nullopt;
  auto at = std::find(python_args.begin(), python_args.end(), scanned.target_value);
  if (at == python_args.end()) return std::nullopt;
  auto target = resolve_run_target(*at, std::span(python_args.begin(), at), cwd, policy.venv(), env,
                                   Trust::current(policy.safe_directories()));
  if (!target) return target.error();
  if (target->kind == RunTarget::Kind::Command) {
    command = CommandRun{target->path, {at, python_args.end()}};
  } else if (target->kind == RunTarget::Kind::PythonScript) {
    *at = target->path.native();
    scanned = scan_python_args(python_args);
  }
  return std::nullopt;
}

// The policy a run is under: resolved from where the program is, its read-only
// fallback applied and the directories checked again.
Result<PolicyResolution> run_policy(const RunOptions& opts, Personality personality, const fs::path& cwd,
                                    const EnvLookup& env, std::vector<std::string>& python_args, PythonArgs& scanned,
                                    std::optional<CommandRun>& command) {
  const bool pycache_run = personality == Personality::PycacheRun;
  PolicyQuery query{discovery_start(scanned, cwd), &opts, python_options_layer(scanned, cwd),
                    !scanned.ignore_environment};
  query.fallback_dir = cwd;
  query.project_venv = pycache_run;
  query.project_python = pycache_run;
  auto resolved = resolve_policy(query, env, cwd);
  if (!resolved) return resolved.error();
  PolicyResolution resolution = std::move(*resolved);
  // `pycache run pytest`, `pycache run ruff check .`: as `uv run`.
  if (pycache_run)
    if (auto e = resolve_console_script(resolution.policy, cwd, env, python_args, scanned, command)) return *e;
  // A command named by its path runs in the current directory's project, as
  // `uv run` runs it: python imports nothing beside it.
  if (command && query.start_dir != cwd) {
    query.start_dir = cwd;
    resolved = resolve_policy(query, env, cwd);
    if (!resolved) return resolved.error();
    resolution = std::move(*resolved);
  }
  // Where the program's own bytecode goes without a prefix: the project it runs in.
  const fs::path tree_dir = resolution.discovered_from.empty() ? query.start_dir : resolution.discovered_from;
  const Trust trust = Trust::current(resolution.policy.safe_directories());
  if (auto refused = make_private_prefix(resolution.policy, trust)) return *refused;
  apply_read_only(resolution.policy, tree_dir, env);
  // Again now that the prefix may have been created: someone else may have
  // made it first. One that does not exist must be one no one else can make.
  if (auto refused = check_policy_directories(resolution.policy, trust, Absent::Checked)) return *refused;
  return resolution;
}

// The Python of a run (choose_python) into `run`: a runtime of this build,
// else an interpreter of the machine. Another program than this one runs
// it, and is sys.executable (a venv's link leads to it): that runtime's
// program, or pycache-embedded.
// `through_flags`: that interpreter runs itself (flags_run.hpp).
std::optional<Error> choose_run_python(PolicyResolution& resolution, PreparedRun& run, Personality personality,
                                       std::string& executable, std::string& argv0, bool& through_flags) {
  // pycache-embedded started as python by a program it ran, with no policy inherited.
  if (!embed::has_builtin_runtime() && resolution.policy.python().empty())
    if (const char* path = std::getenv(kEmbeddedPythonVariable); path && *path)
      resolution.policy.override(Key::Python, std::string(path), Origin{Source::Environment, kEmbeddedPythonVariable});
  // A venv's pycache-python is that venv's Python wherever it is started
  // from, as its python is (enter_venv enters it): no project need name it.
  // Not `pycache run`: pycache installed in a venv (pip, pipx, uv tool) is a
  // tool there, and runs each project on the project's own Python.
  if (personality == Personality::Python && resolution.policy.python().empty())
    if (auto venv = venv_of_executable(executable.empty() ? started_program() : fs::path(executable));
        venv && venv->native() != resolution.policy.venv())
      resolution.policy.override(Key::Venv, venv->native(), Origin{Source::Default, "the venv of the program started"});
  PythonChoice choice = choose_python(resolution);
  if (!choice.runtime && choice.interpreter) {
    record_python_choice(resolution.policy, choice);
    flags_run::record_choice(resolution.policy, choice);
    through_flags = !choice.not_embedded.empty();
    run.interpreter = std::move(choice.interpreter);
    run.runtime = nullptr;
    if (embed::has_builtin_runtime()) {
      executable = embedded_program().native();
      argv0 = executable;
    }
    return std::nullopt;
  }
  auto chosen = require_runtime(choice);
  if (!chosen) return chosen.error();
  run.runtime = *chosen;
  resolution.policy.override(Key::Python, std::string(run.runtime->name), choice.origin);
  // A runtime program is its runs' sys.executable; pycache-embedded stays
  // its own (children come back to it and make the same choice), and keeps
  // python's argv[0].
  if (!runtime::is_self(*run.runtime) && embed::has_builtin_runtime()) {
    executable = runtime::program_path(*run.runtime)->native();
    argv0 = executable;
  }
  return std::nullopt;
}

}  // namespace

Result<PreparedRun> prepare_run(std::string argv0, const RunOptions& opts, std::span<const std::string> args,
                                Personality personality, std::string executable) {
  const fs::path cwd = current_dir();
  const EnvLookup env = process_environment();
  std::vector<std::string> python_args(args.begin(), args.end());
  PythonArgs scanned = scan_python_args(python_args);
  PreparedRun run;
  run.sets_environment = scanned.target != PythonTarget::InfoOnly;
  PolicyResolution resolution;
  if (run.sets_environment) {
    auto resolved = run_policy(opts, personality, cwd, env, python_args, scanned, run.command);
    if (!resolved) return resolved.error();
    resolution = std::move(*resolved);
  }
  // A program that is not Python runs in pycache's place, in the policy's environment.
  if (run.command) {
    run.runtime = nullptr;
    run.plan.environment = command_environment(resolution.policy, env);
    if (opts.explain) run.explanation = format_policy(resolution);
    run.init = init_settings(resolution.policy);
    return run;
  }
  // `pycache run` runs on the project's Python; pycache-pythonX.Y is X.Y;
  // pycache-embedded, which embeds none, on the Python it chooses as python
  // (a venv's, the one its inherited policy names, the default), even for
  // `--version`.
  run.runtime = runtime::self();
  bool through_flags = false;
  if (!embed::has_builtin_runtime() || (personality == Personality::PycacheRun && run.sets_environment))
    if (auto e = choose_run_python(resolution, run, personality, executable, argv0, through_flags)) return *e;
  std::vector<std::string> argv;
  argv.reserve(python_args.size() + 1);
  argv.push_back(std::move(argv0));
  argv.insert(argv.end(), python_args.begin(), python_args.end());
  const PythonFacts python = run.interpreter ? facts_of(*run.interpreter) : facts_of(*run.runtime);
  auto plan = plan_launch(resolution.policy, scanned, std::move(argv), std::move(executable), env, python, real_fs(),
                          personality);
  if (!plan) return plan.error();
  run.plan = std::move(*plan);
  if (run.interpreter) run.plan.environment.emplace_back(kEmbeddedPythonVariable, run.interpreter->path.native());
  if (through_flags)
    run.flags_run = flags_run::command(flags_run::program_for(*run.interpreter, resolution.policy),
                                       run.plan.interpreter, run.plan.environment, scanned);
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
  if (run.runtime && runtime::is_self(*run.runtime))
    if (auto stale = stale_core_warning()) log().warn("{}", *stale);
  // Last thing before Python, which must never be forked once initialised.
  // In the init's process start_init never returns.
  start_init(init_role(run.init.mode, getpid()), run.init.target);
  // An interpreter pycache can't embed: exec'd itself, the policy in its flags.
  if (run.flags_run) return flags_run::exec(*run.flags_run);
  if (run.command) return exec_command(*run.command);
  if (run.interpreter) {
    const std::string& path = run.interpreter->path.native();
    if (embed::has_builtin_runtime()) return hand_off_embedded(path, run.plan.interpreter);
    if (auto failed = embed::use_interpreter(*run.interpreter)) {
      log().error("{}", failed->message);
      return failed->code;
    }
  } else if (run.runtime && !runtime::is_self(*run.runtime)) {
    return hand_off(*run.runtime, run.plan.interpreter);
  }
  return embed::run_python(run.plan.interpreter);
}

}  // namespace pycache
