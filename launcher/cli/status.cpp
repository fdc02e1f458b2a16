// pycache status [PATH...] [--json] [--check]: what bytecode a tree has.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cli11_support.hpp"
#include "prologue.hpp"
#include "pycache/fs.hpp"
#include "pycache/git.hpp"
#include "pycache/launch.hpp"
#include "pycache/log.hpp"
#include "pycache/paths.hpp"
#include "pycache/python_choice.hpp"
#include "pycache/runtime.hpp"
#include "pycache/status.hpp"
#include "pycache/text.hpp"

namespace pycache::cli {
namespace {

struct StatusOptions {
  std::vector<std::string> paths;
  ExcludeOptions excludes;
  std::string color = "auto";
  PolicyFlags policy;
  bool no_git = false;
  unsigned jobs = 0;
  bool json = false;
  bool check = false;
  bool strict = false;
  std::string python;
};

std::unique_ptr<CLI::App> status_app(StatusOptions& o) {
  auto app = make_app("status",
                      "Report the bytecode of a tree: sources, pycs per location, cache tag and optimization level, "
                      "fresh/stale/orphaned/sourceless, invalidation modes, sizes, git tracking, the policy in force. "
                      "Reads pyc headers and stats only; never imports or runs anything.");
  app->add_option("PATH", o.paths, "directories to report on (default: the current directory)")->check(non_empty());
  app->add_flag("--json", o.json, "machine-readable output (schema: docs/reference/json.md)");
  app->add_flag("--check", o.check,
                "list the problems a CI should fail on (tracked bytecode, importable sourceless pycs, bytecode in "
                "the tree against the policy, unreadable paths); exit 1 if there is any");
  app->add_flag("--strict", o.strict,
                "with --check: in-tree bytecode against the policy counts even when git ignores it and does not "
                "track it");
  add_excludes(*app, o.excludes);
  add_color(*app, o.color);
  add_policy_flags(*app, o.policy);
  app->add_flag("--no-git", o.no_git, "do not ask git what is tracked or ignored");
  add_jobs(*app, o.jobs, "threads walking the tree (default: one per core, at most 8)");
  add_python_option(*app, o.python, "judge the pycs of this Python (3.12, or a path) instead of each project's");
  return app;
}

// Each PATH (once) with its policy and the one cache tag they share.
Result<status::Options> status_targets(StatusOptions& o, const Prologue& prologue) {
  status::Options options;
  options.strict = o.strict ? status::Strict::Yes : status::Strict::No;
  options.walk.excludes = o.excludes.globs;
  options.walk.threads = o.jobs;
  if (o.paths.empty()) o.paths.push_back(".");
  for (const auto& path : o.paths) {
    auto at = prologue.locate(path, Symlinks::Refuse);
    if (!at) return at.error();
    const fs::path root = at->path;
    if (at->st.type != FileType::Directory)
      return Error{fmt::format("'{}' is not a directory (for one file, see 'pycache show')", printable(path)),
                   kExitUsage};
    bool seen = false;
    for (const auto& t : options.targets) seen |= t.root == root;
    if (seen) continue;
    // The tag of the project's Python (known without a runtime for it): one per run.
    auto found = prologue.target(root);
    if (!found) return found.error();
    const PythonChoice& choice = found->python;
    if (options.current_tag.empty()) {
      options.current_tag = choice.cache_tag;
    } else if (options.current_tag != choice.cache_tag) {
      return Error{
          fmt::format("'{}' is a project of {} ({}), the PATHs before it of {}: one Python per status run "
                      "(or --python)",
                      printable(path), choice.cache_tag, printable(choice.origin.describe()), options.current_tag),
          kExitUsage};
    }
    status::Target target{root, std::move(found->resolution), std::nullopt, std::move(found->skip)};
    target.prefix_max_size = status::prefix_max_size(target.policy.policy);
    options.targets.push_back(std::move(target));
  }
  return options;
}

}  // namespace

int status_main(Args args) {
  StatusOptions o;
  auto app = status_app(o);
  if (auto rc = parse(*app, args)) return *rc;

  auto prologue = start_command("status", o.policy,
                                {.python = o.python, .cache_prefix = {}, .default_excludes = !o.excludes.no_defaults});
  if (!prologue) return fail(prologue.error());
  auto targets = status_targets(o, *prologue);
  if (!targets) return fail(targets.error());
  const status::Options options = std::move(*targets);
  const fs::path& cwd = prologue->cwd;

  std::unique_ptr<git::Git> git = o.no_git ? nullptr : git::git_program();
  status::Report report = status::collect(real_fs(), options, git.get());

  for (const auto& e : report.errors)
    log().warn("cannot read '{}': {}", printable(e.path.native()), std::strerror(e.error));
  for (const auto& r : report.roots)
    if (r.git && !r.git->error.empty()) log().warn("{}", r.git->error);

  const auto color = colour_wanted(o.color, STDOUT_FILENO) ? status::Color::Yes : status::Color::No;
  std::string out;
  if (o.json) out = status::format_json(report);
  else if (o.check) out = status::format_findings(report, cwd, color);
  else out = status::format_human(report, color);
  std::fputs(out.c_str(), stdout);
  return o.check && !report.findings.empty() ? kExitFailure : kExitOk;
}

CommandDoc status_doc() {
  StatusOptions o;
  return doc_from_app(*status_app(o), "pycache status [options] [PATH...]");
}

}  // namespace pycache::cli
