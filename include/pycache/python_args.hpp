#pragma once
// A read-only scan of a python command line (python's own grammar, as in
// `python [option] ... [-c cmd | -m mod | file | -] [arg] ...`). CPython parses
// the real thing; pycache only needs the bytecode options and what is run.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pycache/policy.hpp"

namespace pycache {

enum class PythonTarget { Interactive, Script, Module, Command, Stdin, InfoOnly };

struct PythonArgs {
  PythonTarget target = PythonTarget::Interactive;
  std::string target_value;                    // the script path or module name
  bool ignore_environment = false;             // -E or -I
  bool isolated = false;                       // -I
  bool dont_write_bytecode = false;            // -B
  int optimize = 0;                            // number of -O
  std::optional<std::string> pycache_prefix;   // -X pycache_prefix=DIR (last one)
  std::optional<std::string> check_hash_pycs;  // --check-hash-based-pycs MODE
};

PythonArgs scan_python_args(std::span<const std::string> args);

// The python options as the highest policy layer (relative paths against cwd).
// An invalid --check-hash-based-pycs mode is left out: CPython reports it.
Layer python_options_layer(const PythonArgs& args, const std::filesystem::path& cwd);

// True if `arg` is one of python's own long options (--help, --version, ...).
bool is_python_long_option(std::string_view arg);

}  // namespace pycache
