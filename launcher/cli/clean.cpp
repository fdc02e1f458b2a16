// pycache clean [options] [PATH...]: remove bytecode under PATHs and their
// mirrors in the cache prefix, or keep the prefix itself in bounds (--prefix).
// Setup and output only: the work is pycache::clean::Cleaner.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>

#include "cli11_support.hpp"
#include "progress.hpp"
#include "prologue.hpp"
#include "pycache/clean.hpp"
#include "pycache/clean_plan.hpp"
#include "pycache/launch.hpp"
#include "pycache/log.hpp"
#include "pycache/paths.hpp"
#include "pycache/python_choice.hpp"
#include "pycache/runtime.hpp"
#include "pycache/text.hpp"
#include "pycache/units.hpp"

namespace pycache::cli {
namespace {

struct CleanOptions {
  std::vector<std::string> paths;
  bool dry_run = false;
  bool verbose = false;
  bool quiet = false;
  bool json = false;
  ExcludeOptions excludes;
  std::vector<std::string> debris;
  bool stale = false;
  bool other_versions = false;
  std::vector<std::string> tags;
  bool prefix = false;
  bool orphans = false;
  std::optional<std::string> older_than;
  std::optional<std::string> max_size;
  bool one_file_system = false;
  bool force = false;
  unsigned jobs = 0;
  PolicyFlags policy;
  std::string cache_prefix;
};

constexpr const char* kDebrisDefaultToken = "default";  // what a bare --debris means

std::unique_ptr<CLI::App> clean_app(CleanOptions& o) {
  auto app = make_app("clean",
                      "Remove Python bytecode under each PATH (default: the current directory): pycs in "
                      "__pycache__, legacy *.pyc/*.pyo beside sources, then the __pycache__ directories left "
                      "empty; and the mirror of each PATH in the cache prefix of the policy in force for it. "
                      "Symbolic links are never followed and nothing but bytecode is removed.");
  app->add_option("PATH", o.paths, "directories (or files) to clean")->check(non_empty());
  app->add_flag("-n,--dry-run", o.dry_run, "list what would be removed; change nothing");
  app->add_flag("-v,--verbose", o.verbose, "list each removal");
  app->add_flag("-q,--quiet", o.quiet, "print nothing but errors");
  app->add_flag("--json", o.json, "print a machine-readable summary (removals too with --verbose or --dry-run)");
  add_excludes(*app, o.excludes);
  // A bare --debris is rewritten to --debris=default before parsing (see
  // clean_main): an optional value would otherwise swallow the next PATH.
  app->add_option("--debris", o.debris,
                  "also remove tool caches: KINDS is a comma list of pytest, mypy, ruff, hypothesis, coverage, "
                  "tox, default (all but tox), all; --debris alone is --debris=default (repeatable)")
      ->type_name("[=KINDS]")
      ->allow_extra_args(false);
  app->add_flag("--stale", o.stale,
                "remove only bytecode that can't be used: pycs whose source is gone, leftover temp files, "
                "sourceless legacy pycs");
  app->add_flag("--other-versions", o.other_versions,
                "with --stale (implied) or --prefix: also pycs of other interpreters' tags");
  app->add_option("--tag", o.tags,
                  "the interpreter tag(s) that are current for --other-versions (default: the tag of each "
                  "project's Python, e.g. cpython-312)")
      ->type_name("TAG")
      ->allow_extra_args(false)
      ->check(non_empty());
  app->add_flag("--prefix", o.prefix,
                "work on the whole cache prefix instead of PATHs (used only to find the policy): with no "
                "selection and no size limit it is emptied");
  app->add_flag("--orphans", o.orphans, "--prefix: remove pycs whose source is gone");
  app->add_option_function<std::string>(
         "--older-than", [&o](const std::string& v) { o.older_than = v; },
         "--prefix: remove pycs not used for DURATION (30d, 12h, 90m, 2w)")
      ->type_name("DURATION");
  const KeyOption& max_size = key_option(Key::PrefixMaxSize, "--max-size");
  app->add_option_function<std::string>(
         std::string(max_size.name), [&o](const std::string& v) { o.max_size = v; },
         fmt::format("--prefix: {} (500M, 2G; default: the policy's prefix-max-size)", max_size.help))
      ->type_name(std::string(max_size.metavar));
  app->add_flag("-x,--one-file-system", o.one_file_system, "do not cross into other file systems");
  app->add_flag("--force", o.force, "allow / and the home directory as PATH or prefix");
  add_jobs(*app, o.jobs, "walking threads (default: one per core, at most 8)");
  add_policy_flags(*app, o.policy);
  add_cache_prefix_option(*app, o.cache_prefix, "the cache prefix, whatever the policy says");
  app->footer(
      "Exit status: 0 done (or nothing to do); 1 something could not be read or removed (reported, the rest "
      "was done); 2 bad command line, bad policy, missing PATH, or a refused PATH (/ or home without --force): "
      "nothing was done.");
  return app;
}

// The engine's options from the flags (all but the targets), or the error
// that stops the command first.
Result<clean::Options> plan_flags(const CleanOptions& c, std::optional<std::uint64_t>& max_size) {
  clean::Options o;
  if (!c.prefix) {
    if (c.orphans) return usage("--orphans needs --prefix");
    if (c.older_than) return usage("--older-than needs --prefix");
    if (c.max_size) return usage("--max-size needs --prefix");
  } else if (!c.debris.empty()) {
    return usage("--debris works on PATHs, not with --prefix");
  }
  if (c.quiet && c.verbose) return usage("--quiet and --verbose contradict each other");

  o.dry_run = c.dry_run ? clean::DryRun::Yes : clean::DryRun::No;
  o.listing = c.json && (c.verbose || c.dry_run) ? clean::Listing::Yes : clean::Listing::No;
  o.stale = c.stale || (c.other_versions && !c.prefix) ? clean::Stale::Yes : clean::Stale::No;
  o.other_versions = c.other_versions ? clean::OtherVersions::Yes : clean::OtherVersions::No;
  o.current_tags = c.tags;  // else each PATH's Python's, below
  for (const auto& kinds : c.debris) {
    auto bits = clean::parse_debris(kinds);
    if (!bits) return bits.error();
    o.debris |= *bits;
  }
  o.orphans = c.orphans || (c.prefix && c.stale) ? clean::Orphans::Yes : clean::Orphans::No;
  if (c.older_than) {
    auto d = parse_duration(*c.older_than);
    if (!d) return usage("--older-than: " + d.error().message);
    o.older_than_ns = *d * 1'000'000'000;
  }
  if (c.max_size) {
    auto s = parse_size(*c.max_size);
    if (!s) return usage("--max-size: " + s.error().message);
    max_size = static_cast<std::uint64_t>(*s);
  }
  o.now_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  o.walk.excludes = c.excludes.globs;
  o.walk.one_file_system = c.one_file_system ? OneFileSystem::Yes : OneFileSystem::No;
  o.walk.threads = c.jobs;
  return o;
}

// The options for the engine, or the error that stops the command first.
Result<clean::Options> plan(const CleanOptions& c) {
  std::optional<std::uint64_t> max_size;
  auto flags = plan_flags(c, max_size);
  if (!flags) return flags.error();
  clean::Options o = std::move(*flags);
  if (c.prefix) o.max_size = max_size;
  auto prologue = start_command(
      "clean", c.policy, {.python = {}, .cache_prefix = c.cache_prefix, .default_excludes = !c.excludes.no_defaults});
  if (!prologue) return prologue.error();
  // --tag names the current tags; --prefix walks no PATH.
  if (!c.tags.empty()) prologue->needs = without(prologue->needs, Needs::Python);
  if (c.prefix) prologue->needs = without(prologue->needs, Needs::SkipRules);

  FileSystem& fs = real_fs();
  const clean::Guard guard{home_dir(), c.force};
  std::vector<std::string> paths = c.paths.empty() ? std::vector<std::string>{"."} : c.paths;
  for (const auto& given : paths) {
    auto at = prologue->locate(given, Symlinks::Refuse);
    if (!at) return at.error();
    const fs::path p = at->path;
    if (!c.prefix)
      if (auto e = clean::refused(fs, guard, p, "path")) return *e;
    auto target = prologue->target(at->st.type == FileType::Directory ? p : p.parent_path(), p);
    if (!target) return target.error();
    const Policy& policy = target->resolution.policy;
    if (c.tags.empty()) {
      const runtime::Runtime* own = runtime::self();
      // No Python here to say which version is current: nothing is "other".
      if (target->python.cache_tag.empty() && !own && c.other_versions)
        return usage(fmt::format(
            "--other-versions: no Python found for '{}' to tell its version by; name it with --tag", printable(given)));
      clean::add_current_tag(o, target->python.cache_tag, own ? own->cache_tag : std::string_view());
    }
    if (!c.prefix) {
      o.targets.push_back(clean::Target{p, policy.cache_prefix(), target->skip});
      continue;
    }
    if (auto e = clean::add_prefix(fs, guard, o, {policy.cache_prefix(), policy.prefix_max_size(), given})) return *e;
  }
  return o;
}

}  // namespace

int clean_main(Args given) {
  std::vector<std::string> args(given.begin(), given.end());
  for (auto& a : args) {
    if (a == "--") break;
    if (a == "--debris" || a == "--debris=") a = std::string("--debris=") + kDebrisDefaultToken;
  }
  CleanOptions c;
  auto app = clean_app(c);
  if (auto rc = parse(*app, args)) return *rc;

  auto planned = plan(c);
  if (!planned) return fail(planned.error());
  clean::Options options = std::move(*planned);
  const clean::DryRun dry_run = options.dry_run;

  std::mutex out_mu;
  PolledProgressLine* progress = nullptr;
  const bool list_lines = !c.json && !c.quiet && (c.verbose || c.dry_run);
  clean::Events events;
  if (list_lines)
    events.removed = [&](const clean::Removal& r) {
      const std::string line = clean::format_removal(r, dry_run);  // outside the lock: walkers run in parallel
      std::lock_guard lock(out_mu);
      if (progress) progress->clear();
      std::fwrite(line.data(), 1, line.size(), stdout);
    };
  events.problem = [&](const clean::Problem& p) {
    std::lock_guard lock(out_mu);
    if (progress) progress->clear();
    log().error("{}", clean::format_problem(p));
  };

  const bool prefix_mode = !options.prefixes.empty() || c.prefix;
  clean::Cleaner cleaner(real_fs(), options, events);
  clean::Summary summary;
  if (prefix_mode && options.prefixes.empty()) {
    summary = clean::Summary{};  // every prefix named is still absent: nothing cached, nothing to do
  } else {
    const bool tty_progress = !c.quiet && isatty(STDERR_FILENO) && !(list_lines && isatty(STDOUT_FILENO));
    // Only once the clean has taken more than half a second.
    PolledProgressLine line(
        [&] { return clean::format_progress(cleaner.progress(), cleaner.directories_seen(), dry_run); }, out_mu,
        tty_progress);
    progress = &line;
    summary = cleaner.run();
    {
      std::lock_guard lock(out_mu);
      progress = nullptr;
    }
    line.stop();
  }

  if (c.json) {
    std::fputs(clean::format_json(summary, options).c_str(), stdout);
  } else if (!c.quiet) {
    std::fputs(clean::format_summary(summary, options).c_str(), stdout);
  }
  std::fflush(stdout);
  return summary.failed() ? kExitFailure : kExitOk;
}

CommandDoc clean_doc() {
  CleanOptions c;
  return doc_from_app(*clean_app(c), "pycache clean [options] [PATH...]");
}

}  // namespace pycache::cli
