// pycache run [pycache options] [python options] (SCRIPT | -m MODULE | -c CMD | -) [ARGS...]
// pycache run [pycache options] PROGRAM [ARGS...]
#include <fmt/format.h>

#include <cstdio>

#include "commands.hpp"
#include "help.hpp"
#include "prologue.hpp"
#include "pycache/exit_code.hpp"
#include "pycache/launch.hpp"
#include "pycache/log.hpp"
#include "pycache/paths.hpp"
#include "pycache/policy.hpp"
#include "run_options.hpp"

namespace pycache::cli {

int launch(std::string argv0, Args args, Personality personality, std::string executable) {
  RunOptions options;
  std::size_t first = 0;
  if (personality == Personality::PycacheRun) {
    auto parsed = parse_run_options(args, current_dir(), options);
    if (!parsed) return fail(parsed.error());
    first = *parsed;
  }
  auto prepared = prepare_run(std::move(argv0), options, args.subspan(first), personality, std::move(executable));
  if (!prepared) return fail(prepared.error());
  if (!prepared->explanation.empty()) {
    std::fputs(prepared->explanation.c_str(), stderr);
    std::fflush(stderr);
  }
  return start_run(*prepared);
}

int run_main(Args args) {
  // pycache's own help; python's is 'pycache-python --help' ('pycache run -- --help' is python's too).
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::fputs(format_help(*find_command("run")).c_str(), stdout);
    return kExitOk;
  }
  // Children started through sys.executable must get python, whatever name
  // they are started under: the pycache-python beside the pycache started,
  // when it is this same program (a link to it, or in a wheel, which has no
  // links, a copy of it beside it), else this program by its own name.
  const fs::path& self = self_exe();
  fs::path python = fs::path(invoked_path()).parent_path() / "pycache-python";
  if (!same_program(python, self)) python = self;
  return launch(python.native(), args, Personality::PycacheRun, python.native());
}

CommandDoc run_doc() {
  CommandDoc doc;
  doc.usage = "pycache run [pycache options] [python options] (SCRIPT | -m MODULE | -c CMD | -) [ARGS...]";
  doc.description =
      "Runs python under the bytecode policy in force for SCRIPT (or the current directory for -m, -c and -), on "
      "the project's Python. Everything from the first argument that is not a pycache option on is python's own "
      "command line, with python's exact behaviour: see 'pycache-python --help' for python's options. "
      "A SCRIPT that is a name, no file, is a program of the venv's bin/ or PATH, as for 'uv run': a Python script "
      "runs as that script, any other program (ruff, make, a shell script) in pycache's place, with the venv's bin/ "
      "first on PATH, VIRTUAL_ENV set and the policy in python's variables. "
      "'pycache-python ARGS' runs the default Python as 'pycache run' would, without pycache's options.";
  for (const auto& o : run_options())
    doc.options.push_back(OptionDoc{{std::string(o.name)}, std::string(o.metavar), std::string(o.help)});
  doc.footer =
      "Precedence, highest first: the command line (pycache's and python's options), the project's policy file, "
      "the user file, the system file, the environment (PYTHONDONTWRITEBYTECODE, PYTHONPYCACHEPREFIX, "
      "PYTHONOPTIMIZE), CPython's defaults.";
  return doc;
}

}  // namespace pycache::cli
