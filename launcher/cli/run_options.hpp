#pragma once
// pycache's own options of `run`: the options each key's row gives `run`,
// the control options, their help and their parsing.
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pycache/error.hpp"
#include "pycache/run_options.hpp"

namespace pycache::cli {

struct RunOptionInfo {
  std::string_view name;
  std::string_view metavar;  // empty for flags
  std::string_view help;
};
// The options of `pycache run` that set no policy key: --policy, --no-policy,
// --explain, --log-level.
std::span<const RunOptionInfo> run_control_options();
// Every option of `pycache run`, as its help lists them: the keys' own
// (KeyInfo::options parsed by run, in key order), then the control options.
std::vector<RunOptionInfo> run_options();

// Parses pycache's options at the front of `args`; returns the index of the
// first argument that belongs to python. Relative paths resolve against cwd.
// A key's option is read from its KeyOption row; a bad value is, for every
// one, "option '--optimize': expected 0, 1 or 2, got '7'" (kExitUsage).
Result<std::size_t> parse_run_options(std::span<const std::string> args, const fs::path& cwd, RunOptions& out);

}  // namespace pycache::cli
