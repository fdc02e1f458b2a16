#pragma once
// Where policy layers come from: policy files (project, user, system) and the
// environment variables CPython itself reads.
#include <filesystem>
#include <functional>
#include <optional>

#include "pycache/error.hpp"
#include "pycache/policy.hpp"

namespace pycache {

namespace fs = std::filesystem;

// Reads an environment variable; nullptr when unset. Tests pass a fake.
using EnvLookup = std::function<const char*(const char*)>;
EnvLookup process_environment();

// Loads a policy file. A pyproject.toml contributes its [tool.pycache] table
// (nullopt when it has none); any other file its top-level keys. Every value
// is validated; errors read "FILE:LINE:COL: message".
Result<std::optional<Layer>> load_policy_file(const fs::path& file, Source source);

struct FoundPolicy {
  fs::path file;
  Layer layer;
};

// The project policy for `start_dir`: walking up to /, nearest directory
// first, a pycache.toml, else a pyproject.toml holding [tool.pycache]. A
// pyproject.toml without the table does not stop the walk.
Result<std::optional<FoundPolicy>> discover_project_policy(const fs::path& start_dir);

// $XDG_CONFIG_HOME/pycache/config.toml, else ~/.config/pycache/config.toml.
fs::path user_policy_path(const EnvLookup& env);
// /etc/pycache.toml ($PYCACHE_SYSTEM_CONFIG overrides it, for packagers and tests).
fs::path system_policy_path(const EnvLookup& env);

// What a pycache interpreter hands its children: the resolved policy, each
// value with its origin, and the policy file, in the environment variable
// PYCACHE_POLICY. A child started with it runs under exactly that policy,
// whatever its cwd, with only its own command line on top.
inline constexpr const char* kInheritVariable = "PYCACHE_POLICY";
struct Inherited {
  Layer layer;          // every key, Source::Parent
  fs::path policy_file; // the parent's project policy file, or empty
};
std::string encode_inherited(const Policy& policy);
Result<Inherited> decode_inherited(std::string_view text);

// PYTHONDONTWRITEBYTECODE, PYTHONPYCACHEPREFIX and PYTHONOPTIMIZE read the way
// CPython reads them (empty means unset; a relative prefix is relative to cwd).
Layer environment_layer(const EnvLookup& env, const fs::path& cwd);

}  // namespace pycache
