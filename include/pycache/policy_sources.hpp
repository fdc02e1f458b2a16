#pragma once
// Where policy layers come from: policy files (project, user, system) and the
// environment variables CPython itself reads.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pycache/error.hpp"
#include "pycache/policy.hpp"
#include "pycache/trust.hpp"

namespace pycache {

namespace fs = std::filesystem;

// Reads an environment variable; nullptr when unset. Tests pass a fake.
using EnvLookup = std::function<const char*(const char*)>;
EnvLookup process_environment();

// Parses the text of a policy file. A pyproject.toml contributes its
// [tool.pycache] table (nullopt when it has none); any other file its
// top-level keys. Every value is validated; a user-only key
// (safe-directories) is an error in a project file. Errors read
// "FILE:LINE:COL: message".
Result<std::optional<Layer>> parse_policy_text(const fs::path& file, const std::string& text, Source source);

// A file found but not honoured (someone else's), what it is and why: "the
// policy file", "it is owned by nobody (uid 65534), ...".
struct Refusal {
  fs::path file;
  std::string why;
  std::string what = "the policy file";  // "the project file", "the .python-version file", "the virtual environment"
};

// Loads a policy file (read with read_config_file: a regular file of at most
// 1 MiB). Errors: "FILE: not a regular file", "FILE: larger than 1 MiB",
// "FILE: cannot read policy file: WHY", or a parse error. With `trust`, it is
// read with read_found_file: a file someone else owns is not loaded, whatever
// it is (nullopt, and `refused` says why).
Result<std::optional<Layer>> load_policy_file(const fs::path& file, Source source, const Trust* trust = nullptr,
                                              std::optional<Refusal>* refused = nullptr);

struct FoundPolicy {
  fs::path file;
  Layer layer;
};

// The project policy for `start_dir`: walking up to /, nearest directory
// first, a pycache.toml, else a pyproject.toml holding [tool.pycache]. A
// pyproject.toml without the table does not stop the walk, and neither does
// a file `trust` refuses (read_found_file: someone else's, whatever it is):
// it is skipped, and added to `refused` when it would have counted (a
// policy, a broken file, anything but a regular file, or the project below).
// An unreadable file (EACCES) is skipped; one of ours that is not a regular
// file or is over 1 MiB is an error.
// `nearest_pyproject`, when given, gets the nearest directory holding a
// pyproject.toml that `trust` honours, policy or not (the project, as uv
// finds it).
Result<std::optional<FoundPolicy>> discover_project_policy(const fs::path& start_dir, const Trust& trust,
                                                           std::vector<Refusal>& refused,
                                                           fs::path* nearest_pyproject = nullptr);

// [project] requires-python of a pyproject.toml, with its "FILE:LINE:COL".
struct RequiresPython {
  std::string specifier;  // ">=3.11,<3.14"
  std::string where;
};
// What a project asks of the interpreter in its own files, each read only
// when `trust` honours it (read_found_file; a refused one is added to
// `refused` and the choice goes on without it): PROJECT/.python-version's
// text, and PROJECT/pyproject.toml's requires-python. Errors: a
// pyproject.toml of ours naming requires-python that is not valid TOML
// ("FILE:LINE:COL: invalid TOML: ...").
struct ProjectPython {
  fs::path version_file;     // .python-version, when there and honoured
  std::string version_text;  // its text
  std::optional<RequiresPython> requires_python{};
};
Result<ProjectPython> read_project_python(const fs::path& project_dir, const Trust& trust,
                                          std::vector<Refusal>& refused);

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
  Layer layer;           // every key, Source::Parent
  fs::path policy_file;  // the parent's project policy file, or empty
};
std::string encode_inherited(const Policy& policy);
Result<Inherited> decode_inherited(std::string_view text);

// The environment the process tree gets under `policy`: the PYTHON* bytecode
// variables agreeing with it (nullopt: removed) and PYCACHE_POLICY ("tree").
std::vector<std::pair<std::string, std::optional<std::string>>> policy_environment(const Policy& policy);

// PYTHONDONTWRITEBYTECODE, PYTHONPYCACHEPREFIX and PYTHONOPTIMIZE read the way
// CPython reads them (empty means unset; a relative prefix is relative to cwd).
Layer environment_layer(const EnvLookup& env, const fs::path& cwd);

// In a child of a pycache interpreter: those of the three variables that the
// program changed for it, i.e. that differ from what the parent exported for
// `exported` (policy_environment of the inherited policy). A program that sets
// PYTHONOPTIMIZE=2 (or removes PYTHONDONTWRITEBYTECODE) for its child means
// it as much as a command-line flag: each changed one is set, an unset one
// to CPython's default. Unchanged ones are not in the layer.
Layer changed_environment_layer(const std::vector<std::pair<std::string, std::optional<std::string>>>& exported,
                                const EnvLookup& env, const fs::path& cwd);

}  // namespace pycache
