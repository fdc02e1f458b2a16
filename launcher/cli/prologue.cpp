#include "prologue.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "pycache/log.hpp"
#include "pycache/paths.hpp"
#include "pycache/text.hpp"

namespace pycache::cli {
void add_policy_flags(CLI::App& app, PolicyFlags& into) {
  app.add_option("--policy", into.policy_file, "use this policy file; no discovery")
      ->type_name("FILE")
      ->check(non_empty());
  app.add_flag("--no-policy", into.no_policy, "read no policy file (project, user or system), nor a parent's policy");
  app.add_flag("--ignore-environment", into.ignore_environment,
               "ignore PYTHONDONTWRITEBYTECODE, PYTHONPYCACHEPREFIX and PYTHONOPTIMIZE: the environment is no "
               "policy source (reproducible checks)");
}

Result<RunOptions> policy_run_options(const PolicyFlags& flags, const fs::path& cwd) {
  if (!flags.policy_file.empty() && flags.no_policy) return usage("--policy and --no-policy contradict each other");
  RunOptions run;
  run.no_policy = flags.no_policy;
  if (!flags.policy_file.empty()) run.policy_file = absolute_from(flags.policy_file, cwd);
  return run;
}

void add_python_option(CLI::App& app, std::string& into, const std::string& help) {
  const KeyOption& k = key_option(Key::Python, "--python");
  app.add_option(std::string(k.name), into, help)->type_name(std::string(k.metavar))->check(non_empty());
}

void add_cache_prefix_option(CLI::App& app, std::string& into, const std::string& help) {
  const KeyOption& k = key_option(Key::CachePrefix, "--cache-prefix");
  app.add_option(std::string(k.name), into, help)->type_name(std::string(k.metavar))->check(non_empty());
}

Result<PolicyResolution> Prologue::resolve(const fs::path& start_dir) const {
  return resolve_policy(PolicyQuery{start_dir, &run, Layer{}, use_environment}, process_environment(), cwd);
}

Result<Target> Prologue::target(const fs::path& start_dir, const fs::path& walk_root) const {
  auto resolved = resolve(start_dir);
  if (!resolved) return resolved.error();
  Target t{std::move(*resolved)};
  if (has(needs, Needs::Python)) {
    t.python = choose_python(t.resolution);
    // An interpreter of the machine needs no runtime: pycache-embedded runs it.
    if (has(needs, Needs::Runtime) && !t.python.interpreter) {
      auto rt = require_runtime(t.python);
      if (!rt) return rt.error();
      t.runtime = *rt;
    }
    if (has(needs, Needs::CacheTag) && t.python.cache_tag.empty())
      if (auto rt = require_runtime(t.python); !rt) return rt.error();
    if (has(needs, Needs::ReportPython)) record_python_choice(t.resolution.policy, t.python);
  }
  if (has(needs, Needs::SkipRules))
    t.skip = skip_rules->rules_for(walk_root.empty() ? start_dir : walk_root, t.resolution.policy.exclude(),
                                   default_excludes);
  return t;
}

Result<Located> Prologue::locate(const std::string& given, Symlinks links, Missing missing) const {
  return locate_path(command, given, cwd, links, missing);
}

Result<Prologue> start_command(std::string_view command, const PolicyFlags& flags, const PrologueFlags& more) {
  Prologue p;
  p.command = command;
  if (const Command* c = find_command(command)) p.needs = c->needs;
  p.default_excludes = more.default_excludes;
  p.skip_rules = std::make_shared<SkipRulesMaker>(
      real_fs(), [] { return git::git_program(); }, [](const std::string& w) { log().warn("{}", w); });
  p.cwd = current_dir();
  // Its PATHs, --policy and policy discovery start from it: "/" in its
  // place would clean or walk the whole machine.
  if (p.cwd.empty()) return usage(kNoCurrentDirectory);
  auto run = policy_run_options(flags, p.cwd);
  if (!run) return run.error();
  p.run = std::move(*run);
  p.use_environment = !flags.ignore_environment;
  if (!more.python.empty())
    if (auto e = set_option(p, Key::Python, "--python", more.python)) return *e;
  if (!more.cache_prefix.empty())
    if (auto e = set_option(p, Key::CachePrefix, "--cache-prefix", more.cache_prefix)) return *e;
  return p;
}

std::optional<Error> set_option(Prologue& prologue, Key key, std::string_view name, const std::string& value) {
  auto v = normalize_value(key, value, prologue.cwd);
  if (!v) return usage(fmt::format("{}: {}", name, v.error().message));
  prologue.run.command_line.set(key, std::move(*v), Origin{Source::CommandLine, std::string(name)});
  return std::nullopt;
}

int fail(const Error& error) {
  log().error("{}", error.message);
  return error.code;
}

Result<Located> locate_path(std::string_view command, const std::string& given, const fs::path& cwd, Symlinks links,
                            Missing missing) {
  Located at{absolute_from(given, cwd), {}};
  int e = real_fs().lstat(at.path, at.st);
  if (e != 0 && missing == Missing::AllowSource && (e != ENOENT || at.path.extension() == ".py")) return at;
  if (e != 0) return usage(fmt::format("'{}': {}", printable(given), std::strerror(e)));
  if (at.st.type != FileType::Symlink) return at;
  if (links == Symlinks::Refuse)
    return usage(fmt::format("'{}' is a symbolic link: pycache {} never follows one (pass the path it points to)",
                             printable(given), command));
  std::error_code ec;
  fs::path target = fs::canonical(at.path, ec);
  if (ec) return usage(fmt::format("'{}': {}", printable(given), ec.message()));
  at.path = std::move(target);
  if (int te = real_fs().lstat(at.path, at.st))
    return usage(fmt::format("'{}': {}", printable(given), std::strerror(te)));
  return at;
}

}  // namespace pycache::cli
