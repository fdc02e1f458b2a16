#pragma once
// `pycache run NAME ARGS` where NAME is a program, as `uv run` runs one: a
// Python script still runs embedded; anything else (a shell script, an ELF
// such as ruff, a pyenv shim) runs in pycache's place, with the venv's bin/
// first on PATH, VIRTUAL_ENV set and the policy in python's variables, so
// that every Python it starts follows the policy.
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pycache/error.hpp"
#include "pycache/fs.hpp"
#include "pycache/policy.hpp"
#include "pycache/policy_sources.hpp"
#include "pycache/trust.hpp"

namespace pycache {

namespace fs = std::filesystem;

// What a file's first bytes say it is. Python: a `#!` line whose program is
// a python (python, python3, python3.X, pycache-python, pycache-python3.X,
// directly or through `env`), or pip's `#!/bin/sh` wrapper for a python path
// too long for a `#!` line ('''exec' "/path/bin/python" "$0" "$@"). Command:
// any other `#!` line, or an ELF file. Other: neither (python reads it as
// source).
enum class FileKind { Python, Command, Other };
FileKind classify_head(std::string_view head);
// How much of a file classify_head reads: Linux's own `#!` limit (256) and
// pip's wrapper line after it.
inline constexpr std::size_t kHeadLimit = 512;
// The first kHeadLimit bytes of the regular file `file` (a symbolic link is
// resolved first, then the real file opened without following any, non-
// blocking), or nullopt when it is not a regular file or can't be read: a
// directory, a FIFO, /dev/zero never hang nor grow memory.
std::optional<std::string> read_head(const fs::path& file, FileSystem& files = real_fs());

// The program NAME names, the first executable regular file of that name in
// the venv's bin/ (`venv` empty or "none": no venv), else in PATH's absolute
// directories (absolute_path_entries). A directory or a FIFO of that name is
// passed over; so is one that `trust` does not allow (distrust_directory: it,
// a link or a directory on the way is another user's, or a directory on the
// way is writable by everyone without the sticky bit), with one warning.
// nullopt when there is none.
std::optional<fs::path> find_program(const std::string& name, const std::string& venv, const EnvLookup& env,
                                     const Trust& trust, FileSystem& files = real_fs());
// The name closest to `name` (closest_match) among the files of the venv's
// bin/ and PATH's absolute directories that find_program would find, or
// empty: for "did you mean".
std::string suggest_program(const std::string& name, const std::string& venv, const EnvLookup& env, const Trust& trust,
                            FileSystem& files = real_fs());

// A program to run in pycache's place.
struct CommandRun {
  fs::path program;               // the file executed
  std::vector<std::string> argv;  // argv[0] as the user wrote it, then the arguments
};

// What `pycache run` does with its SCRIPT operand `target`, which comes
// after python's options `before` (usually none).
struct RunTarget {
  enum class Kind { Python, PythonScript, Command };
  Kind kind = Kind::Python;  // Python: python runs `target` as given
  fs::path path;             // PythonScript, Command: the file to run
};
// A name with no `/` that is no file in `cwd` is looked up (find_program):
// a Python script there runs as that script (PythonScript), anything else
// as a Command; nothing found is an Error (kExitUsage) with a did-you-mean.
// A file named by its path (or in `cwd` by its name) stays python's unless
// it is an executable regular file whose name does not end in .py and whose
// head says Command: then it is one (its path as written), unless
// distrust_directory refuses it (an Error, kExitEnvironment). A Command
// after python's options is an Error (kExitUsage): they can't apply to it.
Result<RunTarget> resolve_run_target(const std::string& target, std::span<const std::string> before,
                                     const fs::path& cwd, const std::string& venv, const EnvLookup& env,
                                     const Trust& trust, FileSystem& files = real_fs());

// The environment a command runs in: the policy's, as for python
// (policy_environment: python's variables, PYCACHE_POLICY), and as `uv run`
// sets it: with a venv (the policy's, a directory), VIRTUAL_ENV names it and
// its bin/ comes first on PATH (unless first already); without one,
// VIRTUAL_ENV is unset.
std::vector<std::pair<std::string, std::optional<std::string>>> command_environment(const Policy& policy,
                                                                                    const EnvLookup& env,
                                                                                    FileSystem& files = real_fs());

// Replaces this process with the command (execv): its exit status and the
// signals that end it are its own. A file with no `#!` line the kernel
// won't run (ENOEXEC) runs under /bin/sh, as a shell and execvp run it.
// Returns only when it could not be run: one error line logged, the status
// to exit with (kExitEnvironment).
int exec_command(const CommandRun& command);

}  // namespace pycache
