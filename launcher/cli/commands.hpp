#pragma once
// The commands, one file each. Every command takes the arguments after its
// name and returns the process exit status; doc() describes its command line,
// from which one formatter makes its --help, the man page and the shell
// completions (help.hpp).
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pycache/launch.hpp"

namespace pycache::cli {

using Args = std::span<const std::string>;

// One option or positional argument of a command.
struct OptionDoc {
  std::vector<std::string> names;  // "-n", "--dry-run"; a positional's is its name ("PATH")
  std::string value;               // what it takes ("DIR", "N"); empty for a flag
  std::string help;
  bool positional = false;
  bool repeatable = false;
};

struct CommandDoc {
  std::string usage;        // "pycache clean [options] [PATH...]"
  std::string description;  // one paragraph
  std::vector<OptionDoc> options;
  std::string footer;  // a closing paragraph, or empty
};

// The command table's "when" column, as ninja's tool table has one: what the
// shared prologue (prologue.hpp, Prologue::target) prepares for each PATH of
// the command before the command's own work. A set of bits.
enum class Needs : unsigned {
  None = 0,
  Policy = 1U << 0U,        // the policy in force for the PATH
  Python = 1U << 1U,        // the Python that runs its project (choose_python)
  Runtime = 1U << 2U,       // a runtime of this build for that Python, else the command's error
  CacheTag = 1U << 3U,      // that Python's cache tag (known without a runtime too), else the error
  ReportPython = 1U << 4U,  // the choice recorded in the policy, for the command's report
  SkipRules = 1U << 5U,     // what a walk of the PATH skips (excludes.hpp)
};
constexpr Needs operator|(Needs a, Needs b) {
  return static_cast<Needs>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
constexpr Needs without(Needs set, Needs n) {
  return static_cast<Needs>(static_cast<unsigned>(set) & ~static_cast<unsigned>(n));
}
constexpr bool has(Needs set, Needs n) { return (static_cast<unsigned>(set) & static_cast<unsigned>(n)) != 0; }

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*main)(Args args);
  CommandDoc (*doc)();
  Needs needs = Needs::None;  // what the prologue prepares for it ("when")
};

// The command table: `pycache help`, dispatch, did-you-mean, the man page and
// the completions come from it.
std::span<const Command> commands();
const Command* find_command(std::string_view name);
// The path pycache was started by (argv[0], searched in PATH as a shell
// does), for the commands that need their siblings as the user sees them.
const std::string& invoked_path();
// `pycache --version`: the version, then one line per runtime.
std::string version_text();

// `pycache run` and pycache-python: prepare_run(), its --explain report on
// stderr, start_run(); an error is one line and its status.
int launch(std::string argv0, Args args, Personality personality, std::string executable);

int run_main(Args args);
CommandDoc run_doc();
int policy_main(Args args);
CommandDoc policy_doc();
int clean_main(Args args);
CommandDoc clean_doc();
int status_main(Args args);
CommandDoc status_doc();
int show_main(Args args);
CommandDoc show_doc();
int compile_main(Args args);
CommandDoc compile_doc();
int python_main(Args args);
CommandDoc python_doc();
int completions_main(Args args);
CommandDoc completions_doc();

}  // namespace pycache::cli
