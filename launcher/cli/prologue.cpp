#include "prologue.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "pycache/paths.hpp"
#include "pycache/text.hpp"

namespace pycache::cli {
namespace {

Error usage(std::string message) { return Error{std::move(message), kExitUsage}; }

}  // namespace

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

Result<Located> locate_path(std::string_view command, const std::string& given, const fs::path& cwd,
                            Symlinks links) {
  Located at{absolute_from(given, cwd), {}};
  if (int e = real_fs().lstat(at.path, at.st)) return usage(fmt::format("'{}': {}", printable(given), std::strerror(e)));
  if (at.st.type != FileType::Symlink) return at;
  if (links == Symlinks::Refuse)
    return usage(fmt::format("'{}' is a symbolic link: pycache {} never follows one (pass the path it points to)",
                             printable(given), command));
  struct stat target {};
  if (::stat(at.path.c_str(), &target) != 0)
    return usage(fmt::format("'{}': {}", printable(given), std::strerror(errno)));
  at.st.type = S_ISDIR(target.st_mode) ? FileType::Directory : S_ISREG(target.st_mode) ? FileType::Regular : FileType::Other;
  return at;
}

}  // namespace pycache::cli
