#include "prologue.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

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
  app.add_option("--python", into, help)->type_name("VERSION|PATH")->check(non_empty());
}

Result<PolicyResolution> Prologue::resolve(const fs::path& start_dir) const {
  return resolve_policy(PolicyQuery{start_dir, &run, Layer{}, use_environment}, process_environment(), cwd);
}

Result<Prologue> start_command(const PolicyFlags& flags, const std::string& python) {
  Prologue p;
  p.cwd = current_dir();
  // Its PATHs, --policy and policy discovery start from it: "/" in its
  // place would clean or walk the whole machine.
  if (p.cwd.empty()) return usage(kNoCurrentDirectory);
  auto run = policy_run_options(flags, p.cwd);
  if (!run) return run.error();
  p.run = std::move(*run);
  p.use_environment = !flags.ignore_environment;
  if (!python.empty())
    if (auto e = set_option(p, Key::Python, "--python", python)) return *e;
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

Result<Located> locate_path(std::string_view command, const std::string& given, const fs::path& cwd, Symlinks links) {
  Located at{absolute_from(given, cwd), {}};
  if (int e = real_fs().lstat(at.path, at.st))
    return usage(fmt::format("'{}': {}", printable(given), std::strerror(e)));
  if (at.st.type != FileType::Symlink) return at;
  if (links == Symlinks::Refuse)
    return usage(fmt::format("'{}' is a symbolic link: pycache {} never follows one (pass the path it points to)",
                             printable(given), command));
  struct stat target {};
  if (::stat(at.path.c_str(), &target) != 0)
    return usage(fmt::format("'{}': {}", printable(given), std::strerror(errno)));
  at.st.type = S_ISDIR(target.st_mode)   ? FileType::Directory
               : S_ISREG(target.st_mode) ? FileType::Regular
                                         : FileType::Other;
  return at;
}

}  // namespace pycache::cli
