// pycache run [pycache options] [python options] (SCRIPT | -m MODULE | -c CMD | -) [ARGS...]
#include <fmt/format.h>

#include "commands.hpp"
#include "pycache/launch.hpp"
#include "pycache/log.hpp"
#include "pycache/paths.hpp"
#include "pycache/policy.hpp"

namespace pycache::cli {

int run_main(Args args) {
  // Children started through sys.executable must get python, whatever name
  // they are started under: the sibling pycache-python is that program.
  fs::path self = self_exe();
  fs::path python = self.parent_path() / "pycache-python";
  std::error_code ec;
  if (!fs::exists(python, ec)) {
    log().warn("'{}' is missing: programs that start sys.executable will fail (reinstall pycache)", python.native());
    python = self;
  }
  return run_command_line(python.native(), args, /*pycache_options=*/true, python.native());
}

std::string run_help() {
  std::string out =
      "usage: pycache run [pycache options] [python options] (SCRIPT | -m MODULE | -c CMD | -) [ARGS...]\n\n"
      "Runs python under the bytecode policy in force for SCRIPT (or the current directory\n"
      "for -m, -c and -). Everything from the first argument that is not a pycache option on\n"
      "is python's own command line, with python's exact behaviour; 'pycache-python ARGS'\n"
      "does the same as 'pycache run ARGS'.\n\npycache options:\n";
  for (const auto& o : run_options()) {
    std::string name = o.metavar.empty() ? std::string(o.name) : fmt::format("{} {}", o.name, o.metavar);
    out += fmt::format("  {:<24}{}\n", name, o.help);
  }
  out += "\npolicy keys ([tool.pycache] in pyproject.toml, or pycache.toml):\n";
  for (const auto& k : policy_keys()) out += fmt::format("  {:<24}{} ({})\n", k.name, k.help, k.expected);
  out +=
      "\nprecedence, highest first: command line (pycache's and python's options), the project's\n"
      "policy file, the user file, the system file, the environment (PYTHONDONTWRITEBYTECODE,\n"
      "PYTHONPYCACHEPREFIX, PYTHONOPTIMIZE), CPython's defaults.\n";
  return out;
}

}  // namespace pycache::cli
