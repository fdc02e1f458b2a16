// pycache policy [PATH] [--json]: the effective policy and the origin of each value.
#include <cstdio>

#include "cli11_support.hpp"
#include "pycache/launch.hpp"
#include "pycache/log.hpp"
#include "pycache/paths.hpp"
#include "pycache/policy_report.hpp"

namespace pycache::cli {
namespace {

struct PolicyOptions {
  std::string path;
  std::string policy_file;
  bool no_policy = false;
  bool json = false;
};

std::unique_ptr<CLI::App> policy_app(PolicyOptions& o) {
  auto app = make_app("policy", "Show the bytecode policy in force for a script or directory, and the origin of each value.");
  app->add_option("PATH", o.path, "a script or directory (default: the current directory)")->check(non_empty());
  app->add_option("--policy", o.policy_file, "use this policy file; no discovery")->type_name("FILE")->check(non_empty());
  app->add_flag("--no-policy", o.no_policy, "read no policy file");
  app->add_flag("--json", o.json, "machine-readable output");
  return app;
}

}  // namespace

int policy_main(Args args) {
  PolicyOptions o;
  auto app = policy_app(o);
  if (auto rc = parse(*app, args)) return *rc;

  const fs::path cwd = current_dir();
  RunOptions run;
  run.no_policy = o.no_policy;
  if (!o.policy_file.empty()) run.policy_file = absolute_from(o.policy_file, cwd);
  PythonArgs target;
  if (!o.path.empty()) {
    target.target = PythonTarget::Script;
    target.target_value = o.path;
    std::error_code ec;
    if (!fs::exists(absolute_from(o.path, cwd), ec)) {
      log().error("'{}': no such file or directory", o.path);
      return kExitUsage;
    }
  }
  PolicyQuery query{discovery_start(target, cwd), &run, Layer{}, true};
  auto resolved = resolve_policy(query, process_environment(), cwd);
  if (!resolved) {
    log().error("{}", resolved.error().message);
    return resolved.error().code;
  }
  std::string out = o.json ? format_policy_json(*resolved) : format_policy(*resolved);
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

std::string policy_help() {
  PolicyOptions o;
  return policy_app(o)->help();
}

}  // namespace pycache::cli
