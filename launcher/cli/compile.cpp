// pycache compile [options] [PATH...]: precompile under the policy in force,
// incrementally, in worker processes.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "cli11_support.hpp"
#include "progress.hpp"
#include "prologue.hpp"
#include "pycache/compile.hpp"
#include "pycache/handoff.hpp"
#include "pycache/interpreters.hpp"
#include "pycache/launch.hpp"
#include "pycache/log.hpp"
#include "pycache/paths.hpp"
#include "pycache/python_choice.hpp"
#include "pycache/runtime.hpp"
#include "pycache/text.hpp"

namespace pycache::cli {
namespace {

struct CompileOptions {
  std::vector<std::string> paths;
  std::vector<int> optimize;
  std::string invalidation_mode;
  bool force = false;
  unsigned jobs = 0;
  ExcludeOptions excludes;
  bool quiet = false;
  bool json = false;
  PolicyFlags policy;
  std::string python;
};

// The roots that one Python compiles, and how: in workers of its runtime,
// or of pycache-embedded loading the interpreter's module.
struct Group {
  std::string key;  // the runtime's name, or the interpreter's path: one pool each
  fs::path program;
  std::vector<std::string> worker_args;
  std::string cache_tag;
  std::uint16_t magic = 0;
  std::string version;
  std::vector<compile::Root> roots;
};

// The Group (without roots) for the Python of `target`.
Result<Group> group_for(const Target& target) {
  if (const runtime::Runtime* rt = target.runtime)
    return Group{.key = std::string(rt->name),
                 .program = *runtime::program_path(*rt),
                 .worker_args = {"compile-worker"},
                 .cache_tag = std::string(rt->cache_tag),
                 .magic = rt->magic,
                 .version = std::string(rt->version),
                 .roots = {}};
  const interpreters::Interpreter& in = *target.python.interpreter;
  // Its compiler is the embedded interpreter's: one pycache can't embed has none here.
  if (!target.python.not_embedded.empty())
    return Error{fmt::format("Python {} ('{}') can't be embedded ({}): pycache compile can't compile for it; "
                             "'pycache run -m compileall' compiles with it, under the policy",
                             in.version, printable(in.path.native()), target.python.not_embedded),
                 kExitEnvironment};
  auto magic = pyc::magic_of_version(in.major_minor);
  if (!magic)
    return Error{fmt::format("pycache does not know the magic number of Python {} ('{}') to compile for it", in.version,
                             printable(in.path.native())),
                 kExitEnvironment};
  return Group{.key = in.path.native(),
               .program = embedded_program(),
               .worker_args = {"compile-worker", in.path.native()},
               .cache_tag = target.python.cache_tag,
               .magic = *magic,
               .version = in.version,
               .roots = {}};
}

// More workers than this cost more in start-up and memory than they gain.
constexpr unsigned kDefaultMaxJobs = 16;

std::unique_ptr<CLI::App> compile_app(CompileOptions& o) {
  auto app = make_app("compile",
                      "Compile every .py under each PATH to the pyc the policy in force says the interpreter reads "
                      "(cache prefix or __pycache__, optimization level), skipping pycs already up to date.");
  app->add_option("PATH", o.paths, "directories or .py files (default: the current directory)")->check(non_empty());
  add_repeatable(*app, "--optimize", o.optimize, "optimization levels to write, e.g. 0,1,2 (default: the policy's)")
      ->delimiter(',')
      ->check(CLI::Validator(
          [](std::string& v) {
            return v == "0" || v == "1" || v == "2" ? std::string() : "expected 0, 1 or 2, got '" + printable(v) + "'";
          },
          ""))
      ->type_name("LEVELS");
  app->add_option("--invalidation-mode", o.invalidation_mode,
                  "timestamp, checked-hash or unchecked-hash (default: checked-hash when SOURCE_DATE_EPOCH is set, "
                  "else timestamp)")
      ->check(one_of({"timestamp", "checked-hash", "unchecked-hash"}))
      ->type_name("MODE");
  app->add_flag("--force", o.force, "rewrite every pyc, up to date or not");
  add_jobs(*app, o.jobs, "compiler processes (default: the number of cores, at most 16)");
  add_excludes(*app, o.excludes);
  app->add_flag("-q,--quiet", o.quiet, "print errors only");
  app->add_flag("--json", o.json, "print the summary as JSON");
  add_policy_flags(*app, o.policy);
  add_python_option(*app, o.python,
                    "compile for this Python (3.12, or an interpreter's path) instead of each project's");
  return app;
}

// Resolves each PATH to a root with its policy and its Python, grouped by
// runtime.
Result<std::vector<Group>> make_roots(const CompileOptions& o, const Prologue& prologue) {
  std::vector<std::string> paths = o.paths.empty() ? std::vector<std::string>{"."} : o.paths;
  std::vector<compile::Root> roots;
  std::vector<Group> groups;
  for (const auto& p : paths) {
    auto at = prologue.locate(p, Symlinks::Refuse);
    if (!at) return at.error();
    compile::Root root;
    root.path = at->path;
    root.display = p;
    const bool is_dir = at->st.type == FileType::Directory;
    if (!is_dir && !(at->st.type == FileType::Regular && root.path.native().ends_with(".py")))
      return Error{fmt::format("'{}': not a directory or a .py file", printable(p)), kExitUsage};
    if (std::any_of(roots.begin(), roots.end(), [&](const compile::Root& r) { return r.path == root.path; })) continue;
    auto target = prologue.target(is_dir ? root.path : root.path.parent_path(), root.path);
    if (!target) return target.error();
    const Policy& policy = target->resolution.policy;
    auto group = group_for(*target);
    if (!group) return group.error();
    root.cache_prefix = policy.cache_prefix();
    root.levels = o.optimize.empty() ? std::vector<int>{policy.optimize()} : o.optimize;
    std::sort(root.levels.begin(), root.levels.end());
    root.levels.erase(std::unique(root.levels.begin(), root.levels.end()), root.levels.end());
    root.write_bytecode = policy.write_bytecode();
    root.skip = target->skip;
    if (!root.write_bytecode && !o.quiet &&
        std::none_of(roots.begin(), roots.end(), [](const compile::Root& r) { return !r.write_bytecode; })) {
      // Said once: precompiling for runs that won't write is the point.
      log().warn("the policy for '{}' says write-bytecode = false ({}); writing the pycs anyway: runs will read them",
                 printable(p), policy.get(Key::WriteBytecode).origin.describe());
    }
    roots.push_back(root);
    auto g = std::find_if(groups.begin(), groups.end(), [&](const Group& x) { return x.key == group->key; });
    if (g == groups.end()) g = groups.insert(groups.end(), std::move(*group));
    g->roots.push_back(std::move(root));
  }
  return groups;
}

// Compiles one Python's roots, in worker processes for that Python; prints
// its failures and summary. Returns the exit status.
int compile_group(const CompileOptions& o, const Group& group, compile::Options options) {
  options.roots = group.roots;
  options.cache_tag = group.cache_tag;
  options.magic = group.magic;

  unsigned jobs = o.jobs ? o.jobs : std::clamp(std::thread::hardware_concurrency(), 1u, kDefaultMaxJobs);
  compile::PoolOptions pool{group.program, group.worker_args, jobs, 128, kInternalArgv0};
  auto make_executor = [&](compile::Executor::Sink sink) { return compile::make_process_pool(pool, std::move(sink)); };
  // Up-to-date checks of hash pycs hash here, as that Python's importlib would.
  auto hasher = compile::hashing_toolchain(group.magic, pyc::uses_siphash13(group.version));

  ProgressLine line(!o.quiet && isatty(STDERR_FILENO));
  auto progress = [&](const compile::Progress& p) { line.show(compile::format_progress(p)); };
  compile::Summary summary =
      compile::compile_tree(real_fs(), options, *hasher, make_executor,
                            line.enabled() ? std::function<void(const compile::Progress&)>(progress)
                                           : std::function<void(const compile::Progress&)>());
  line.clear();

  for (const auto& w : summary.warnings) std::fprintf(stderr, "%s\n", compile::format_failure(w).c_str());
  for (const auto& f : summary.failures) {
    if (f.error_type.empty()) log().error("{}", compile::format_failure(f));
    else std::fprintf(stderr, "%s\n", compile::format_failure(f).c_str());
  }
  if (summary.fatal) log().error("{}", *summary.fatal);

  if (o.json) std::fputs(compile::format_summary_json(summary, options).c_str(), stdout);
  else if (!o.quiet) std::fputs(compile::format_summary(summary, options).c_str(), stdout);
  std::fflush(stdout);

  if (summary.fatal) return kExitEnvironment;
  return summary.failures.empty() ? kExitOk : kExitFailure;
}

}  // namespace

int compile_main(Args args) {
  CompileOptions o;
  auto app = compile_app(o);
  if (auto rc = parse(*app, args)) return *rc;

  auto prologue = start_command("compile", o.policy,
                                {.python = o.python, .cache_prefix = {}, .default_excludes = !o.excludes.no_defaults});
  if (!prologue) return fail(prologue.error());
  auto groups = make_roots(o, *prologue);
  if (!groups) return fail(groups.error());
  int rc = kExitOk;

  compile::Options options;
  if (!o.invalidation_mode.empty()) {
    options.mode = *pyc::parse_invalidation(o.invalidation_mode);
  } else {
    // As py_compile: reproducible builds get hash-based pycs.
    const char* epoch = std::getenv("SOURCE_DATE_EPOCH");
    options.mode = epoch && *epoch ? pyc::Invalidation::CheckedHash : pyc::Invalidation::Timestamp;
  }
  options.force = o.force ? compile::Force::Yes : compile::Force::No;
  options.excludes = o.excludes.globs;
  // One pool per Python: a project of 3.12 gets 3.12's pycs from 3.12's compiler.
  for (const auto& group : *groups) rc = std::max(rc, compile_group(o, group, options));
  return rc;
}

CommandDoc compile_doc() {
  CompileOptions o;
  return doc_from_app(*compile_app(o), "pycache compile [options] [PATH...]");
}

}  // namespace pycache::cli
