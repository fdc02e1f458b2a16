#pragma once
// What pycache's own options of `run` (and the policy flags of the other
// commands) ask of the policy resolution. Parsing them is the command line's
// business: launcher/cli/run_options.* for `run`, prologue.* for the others.
#include <filesystem>
#include <optional>
#include <string>

#include "pycache/policy.hpp"

namespace pycache {

namespace fs = std::filesystem;

// pycache's own options of `run` (and `policy`), long only, before python's.
struct RunOptions {
  Layer command_line;                   // --cache-prefix, --optimize, ...
  std::optional<fs::path> policy_file;  // --policy FILE: this file, no discovery
  bool no_policy = false;               // --no-policy: no policy files at all
  bool explain = false;                 // --explain
  std::optional<std::string> log_level;
};

}  // namespace pycache
