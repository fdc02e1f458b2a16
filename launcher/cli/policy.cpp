// pycache policy [PATH] [--json]: the effective policy and the origin of each value.
#include <cstdio>

#include "cli11_support.hpp"
#include "prologue.hpp"
#include "pycache/flags_run.hpp"
#include "pycache/launch.hpp"
#include "pycache/log.hpp"
#include "pycache/paths.hpp"
#include "pycache/policy_report.hpp"
#include "pycache/python_choice.hpp"

namespace pycache::cli {
namespace {

struct PolicyOptions {
  std::string path;
  PolicyFlags policy;
  bool json = false;
  bool check = false;
  std::string python;
};

std::unique_ptr<CLI::App> policy_app(PolicyOptions& o) {
  auto app =
      make_app("policy", "Show the bytecode policy in force for a script or directory, and the origin of each value.");
  app->add_option("PATH", o.path, "a script or directory (default: the current directory)")->check(non_empty());
  add_policy_flags(*app, o.policy);
  app->add_flag("--json", o.json, "machine-readable output");
  add_python_option(*app, o.python, "as if the project asked for this Python (3.12, or a path)");
  app->add_flag("--check", o.check, "exit 3 when nothing here can run the project's Python");
  return app;
}

}  // namespace

int policy_main(Args args) {
  PolicyOptions o;
  auto app = policy_app(o);
  if (auto rc = parse(*app, args)) return *rc;

  auto prologue = start_command("policy", o.policy, {.python = o.python, .cache_prefix = {}, .default_excludes = true});
  if (!prologue) return fail(prologue.error());
  PythonArgs target;
  if (!o.path.empty()) {
    target.target = PythonTarget::Script;
    target.target_value = o.path;
    if (auto at = prologue->locate(o.path, Symlinks::Follow); !at) return fail(at.error());
  }
  // The policy, the Python that runs the project, and where that choice comes from.
  auto found = prologue->target(discovery_start(target, prologue->cwd));
  if (!found) return fail(found.error());
  // An interpreter pycache can't embed runs itself: the python key's origin says so, with its flags.
  flags_run::record_choice(found->resolution.policy, found->python);
  const PolicyResolution& resolved = found->resolution;
  const PythonChoice& choice = found->python;
  int status = kExitOk;
  if (!choice.runtime && !choice.interpreter) {
    // A check that fails exits non-zero and says error; without --check the same finding is a warning.
    const std::string finding = require_runtime(choice).error().message;
    if (o.check) {
      log().error("{}", finding);
      status = kExitEnvironment;
    } else {
      log().warn("{}", finding);
    }
  }
  std::string out = o.json ? format_policy_json(resolved) : format_policy(resolved);
  std::fputs(out.c_str(), stdout);
  return status;
}

CommandDoc policy_doc() {
  PolicyOptions o;
  return doc_from_app(*policy_app(o), "pycache policy [options] [PATH]");
}

}  // namespace pycache::cli
