// pycache python list [--json]: the CPython interpreters of this machine, as
// discover() finds them, and whether and how pycache can run each.
#include <cstdio>

#include "cli11_support.hpp"
#include "pycache/embed_module.hpp"
#include "pycache/interpreters.hpp"
#include "pycache/log.hpp"
#include "pycache/policy_sources.hpp"
#include "pycache/python_list.hpp"
#include "pycache/runtime.hpp"
#include "pycache/text.hpp"

namespace pycache::cli {
namespace {

struct PythonOptions {
  std::string command;
  bool json = false;
};

std::unique_ptr<CLI::App> python_app(PythonOptions& o) {
  auto app = make_app("python",
                      "The CPython interpreters of this machine. 'list' shows every one found, without starting any: "
                      "uv's managed Pythons, pyenv's versions, the directories of PATH, /usr/local/bin and /usr/bin, "
                      "in that order; each with its version, its path, its libpython, whether pycache can embed it, "
                      "and what 'pycache run' does with its version today.");
  app->add_option("COMMAND", o.command, "list: every interpreter found, one line each")
      ->required()
      ->check(one_of({"list"}));
  app->add_flag("--json", o.json, "machine-readable output: an array, one object per interpreter");
  app->footer(
      "An interpreter refused (owned by another user, or in a directory anyone can write) is listed with why, and "
      "is never loaded or run. 'pycache run' uses a runtime of this build for its versions, and an interpreter of the "
      "machine through its embedding module for the others.");
  return app;
}

// A static runtime of this install (its program here) for that minor version.
const runtime::Runtime* runtime_for(std::string_view name) {
  const runtime::Runtime* r = runtime::find(name);
  return r && runtime::program_path(*r) ? r : nullptr;
}

}  // namespace

int python_main(Args args) {
  PythonOptions o;
  auto app = python_app(o);
  if (auto rc = parse(*app, args)) return *rc;

  const EnvLookup env = process_environment();
  const Trust trust = Trust::current();
  interpreters::VersionCache cache(interpreters::VersionCache::default_file(env));
  const interpreters::Discovery found = interpreters::discover(env, trust, &cache);
  // A file named python3.X that is no interpreter (pyenv's shims, a wrapper
  // script) is not a problem of the machine's: not listed, and no warning.
  for (const auto& why : found.skipped) log().info("not listed: {}", why);
  // discover() saved the cache; a failure stays pending, and is said here.
  if (!cache.save())
    log().warn(
        "the interpreter cache '{}' could not be written: versions read out of binaries are read again next "
        "time",
        printable(interpreters::VersionCache::default_file(env).native()));
  const auto rows = python_list::rows(found.found, embed_module::default_modules_dir(), trust, runtime_for);
  const std::string out = o.json ? python_list::format_list_json(rows) : python_list::format_list(rows);
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

CommandDoc python_doc() {
  PythonOptions o;
  return doc_from_app(*python_app(o), "pycache python list [--json]");
}

}  // namespace pycache::cli
