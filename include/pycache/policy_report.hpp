#pragma once
// Formatting a resolved policy for people (`--explain`, `pycache policy`) and
// machines (`pycache policy --json`). Formatters return strings; only the
// command layer prints.
#include <string>

#include "pycache/resolve.hpp"

namespace pycache {

// TOML-shaped lines, each with its origin as a comment:
//   write-bytecode = false  # /p/pyproject.toml:3:18
std::string format_policy(const PolicyResolution& resolution);
std::string format_policy_json(const PolicyResolution& resolution);

}  // namespace pycache
