#pragma once
// The commands, one file each. Every command takes the arguments after its
// name and returns the process exit status; help() returns its full help.
#include <span>
#include <string>
#include <string_view>

namespace pycache::cli {

using Args = std::span<const std::string>;

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*main)(Args args);
  std::string (*help)();
};

// The command table: `pycache help`, dispatch and did-you-mean come from it.
std::span<const Command> commands();

int run_main(Args args);
std::string run_help();
int policy_main(Args args);
std::string policy_help();
int clean_main(Args args);
std::string clean_help();
int status_main(Args args);
std::string status_help();
int show_main(Args args);
std::string show_help();
int compile_main(Args args);
std::string compile_help();

// Runs a CLI11 app over args with pycache's conventions: --help prints help
// and exits 0, parse errors are one `pycache: error:` line and kExitUsage.
// Returns -1 when parsing succeeded and the command should go on.
}  // namespace pycache::cli
