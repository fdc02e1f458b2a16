#pragma once
// Running a helper program (git) and collecting what it prints. Never a
// shell: argv is passed as is, the program is looked up in PATH's absolute
// directories only.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "pycache/error.hpp"

namespace pycache {

namespace fs = std::filesystem;

struct ProcessOutput {
  int exit_code = -1;  // the program's exit status, or 128 + signal when a signal ended it
  std::string out;     // everything it wrote to stdout
  std::string err;     // everything it wrote to stderr
};

// The program `name` (no '/') as the first executable regular file of that
// name in PATH's absolute directories (absolute_path_entries): never through
// an empty or relative entry, which would be resolved in whatever directory
// the program is started in. An Error (kExitEnvironment) when none is.
Result<fs::path> find_program(std::string_view name);

// Runs argv[0] (find_program) with `argv` in `cwd`, feeding `input` to
// its stdin (then closing it) while reading stdout and stderr, so that large
// inputs and outputs never deadlock. The environment is the process's own.
// An Error (kExitEnvironment) only when the program could not be started.
// With `program`, that file is run (no PATH search) and argv[0] is only its name.
Result<ProcessOutput> run_program(const std::vector<std::string>& argv, const fs::path& cwd,
                                  std::string_view input = {}, const fs::path& program = {});

}  // namespace pycache
