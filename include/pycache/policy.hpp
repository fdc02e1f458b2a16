#pragma once
// The bytecode policy: one table of keys drives parsing, validation, the
// `pycache policy` report, the docs and did-you-mean suggestions. Every
// resolved value remembers where it came from.
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pycache/error.hpp"

namespace pycache {

enum class Key {
  WriteBytecode,
  CachePrefix,
  Optimize,
  CheckHashBasedPycs,
  Propagate,
  Venv,
  ReadOnly,
  ReadThrough,
  Init,         // run as a minimal init (PID 1 duties): "auto", "always", "never"
  InitSignals,  // where that init forwards signals: "child" or "group"
  PrefixMaxSize,
  SafeDirectories,  // user and system files only: directories whose policy files, venvs and prefixes are trusted
  Python,           // the interpreter that runs the project: "3.12", or a path ("": chosen as uv chooses)
  Exclude,          // globs that status, clean and compile skip in the project
};
inline constexpr std::size_t kKeyCount = 14;

enum class ValueType { Bool, Int, String, StringList };

// Where a key may be written. A project file is anyone's who can write the
// project; what decides whose files are trusted is the user's own.
enum class KeyScope { AnyFile, UserOnly };

// One command-line spelling of a key. `pycache run` parses those with an
// empty `parsed_by` (cli/run_options.cpp, parse_run_options): an option with a
// metavar takes a value, a flag sets `fixed`; either is read as the key's
// type (true/false, an integer, the string) and goes through
// normalize_value(). The others are documented with the key only.
struct KeyOption {
  std::string_view name;     // "--cache-prefix"
  std::string_view metavar;  // "DIR"; empty for a flag
  std::string_view fixed;    // a flag's value as text: "" (--in-tree), "none", "always", "false"
  std::string_view help;     // one line for `pycache run --help` and the man page
  // "" for `pycache run`; else who parses it, and, when it starts with
  // "pycache ", what key_options_text() writes before it:
  // "python" (python's own option), "pycache clean --prefix".
  std::string_view parsed_by = {};
};

struct KeyInfo {
  Key key;
  std::string_view name;  // as written in a policy file
  ValueType type;
  KeyScope scope;
  std::string_view default_value;             // CPython's behaviour, as TOML writes it: true, 0, "fallback", []
  std::span<const std::string_view> choices;  // the only strings allowed, when they are a closed set
  std::string_view expected;                  // what a valid value looks like, for error messages
  std::span<const KeyOption> options;         // its command-line spellings (key_options_text)
  std::string_view help;                      // one line for docs and `pycache help`
};

// The key table, in the order the keys are reported.
std::span<const KeyInfo> policy_keys();
const KeyInfo& key_info(Key key);
const KeyInfo* find_key(std::string_view name);
// The row of option `name` (a KeyOption's name) of `key`: a command that
// parses an option the key table declares takes its name, value and help
// from there. Aborts when there is none (a programming error).
const KeyOption& key_option(Key key, std::string_view name);
// The commands that parse `option`, from its parsed_by: {"run"} for "",
// {"clean"} for "pycache clean --prefix", {"status", "clean", "compile"} for
// "status, clean and compile"; none for "python" (python's own option).
std::vector<std::string_view> option_commands(const KeyOption& option);
// The known key closest to `name` (for "did you mean"), or empty.
std::string_view suggest_key(std::string_view name);
// The command-line spellings of `key` as one string, for the docs (the man
// page, the reference): "--cache-prefix DIR / --in-tree",
// "pycache clean --prefix --max-size SIZE"; "" when none sets it. In place of
// the free-text option string KeyInfo once had.
std::string key_options_text(const KeyInfo& key);

using Value = std::variant<bool, std::int64_t, std::string, std::vector<std::string>>;

// Where a value came from, lowest precedence first.
enum class Source { Default, Environment, SystemFile, UserFile, ProjectFile, Parent, CommandLine, Fallback };
// Fallback: pycache changed a value at start-up (e.g. an unwritable prefix), `where` says why.

struct Origin {
  Source source = Source::Default;
  std::string where;  // "FILE:LINE:COL", "PYTHONOPTIMIZE", "-O", "--cache-prefix"; empty for defaults
  // Source::Parent only: a policy file named the value in an ancestor, so this
  // process checks whose directory it is again (see named_by_file).
  bool recheck = false;
  // "default", "environment PYTHONOPTIMIZE", "command line -O", "/p/pyproject.toml:3:1".
  std::string describe() const;
  // A policy file chose the value (here, or in a parent process; or the
  // project's .venv beside one): the directory it names is someone's to
  // trust (trust.hpp). The command line and the environment are the user's
  // own choice, as they are for python.
  bool named_by_file() const;
};

struct Setting {
  Value value;
  Origin origin;
};

// What one source sets: any subset of the keys.
class Layer {
 public:
  void set(Key key, Value value, Origin origin);
  const std::optional<Setting>& get(Key key) const { return values_[static_cast<std::size_t>(key)]; }
  bool empty() const;

 private:
  std::array<std::optional<Setting>, kKeyCount> values_;
};

// Checks a raw value for `key` and puts it in canonical form. A cache prefix
// is expanded (~), made absolute against `base_dir` and normalised ("" stays
// "": no prefix); a prefix-max-size given as a string ("2G", see
// parse_size) becomes its integer number of bytes. Errors say what was
// expected, e.g. "expected 0, 1 or 2".
Result<Value> normalize_value(Key key, const Value& raw, const std::filesystem::path& base_dir);

// The fully resolved policy.
class Policy {
 public:
  Policy();  // CPython's defaults
  const Setting& get(Key key) const { return settings_[static_cast<std::size_t>(key)]; }
  bool write_bytecode() const { return std::get<bool>(get(Key::WriteBytecode).value); }
  const std::string& cache_prefix() const { return std::get<std::string>(get(Key::CachePrefix).value); }
  int optimize() const { return static_cast<int>(std::get<std::int64_t>(get(Key::Optimize).value)); }
  const std::string& check_hash_pycs() const { return std::get<std::string>(get(Key::CheckHashBasedPycs).value); }
  // "tree" (children follow the policy) or "none".
  bool propagate_to_children() const { return std::get<std::string>(get(Key::Propagate).value) == "tree"; }
  // The virtual environment: an absolute directory, "none", or "" (none found).
  const std::string& venv() const { return std::get<std::string>(get(Key::Venv).value); }
  // What to do when the place bytecode goes can't be written: "fallback", "skip", "ignore".
  const std::string& read_only() const { return std::get<std::string>(get(Key::ReadOnly).value); }
  // With a prefix: also read valid pycs from the sources' __pycache__.
  bool read_through() const { return std::get<bool>(get(Key::ReadThrough).value); }
  const std::string& init() const { return std::get<std::string>(get(Key::Init).value); }
  const std::string& init_signals() const { return std::get<std::string>(get(Key::InitSignals).value); }
  // Bytes the cache prefix may hold (`pycache clean --prefix` evicts the least
  // recently used pycs beyond it); 0 = no limit.
  std::int64_t prefix_max_size() const { return std::get<std::int64_t>(get(Key::PrefixMaxSize).value); }
  // Directories (absolute; "*" for all) whose policy files, venvs and
  // prefixes are trusted whoever owns them.
  const std::vector<std::string>& safe_directories() const {
    return std::get<std::vector<std::string>>(get(Key::SafeDirectories).value);
  }
  // The Python asked for: "3.12", "3.12.1", "3.13t" or an absolute path; "" for none.
  const std::string& python() const { return std::get<std::string>(get(Key::Python).value); }
  // Names or relative paths (fnmatch globs) that status, clean and compile skip.
  const std::vector<std::string>& exclude() const {
    return std::get<std::vector<std::string>>(get(Key::Exclude).value);
  }

  // The project policy file in force, or empty when there is none.
  std::filesystem::path project_file;

  // Applies `layers` lowest precedence first over CPython's defaults.
  static Policy resolve(std::span<const Layer> layers);
  // Replaces one value (e.g. fail-open decisions), recording why.
  void override(Key key, Value value, Origin origin);

 private:
  std::array<Setting, kKeyCount> settings_;
};

// A value as TOML would write it: true, 2, "/abs/dir", ["/a", "/b"].
std::string format_value(const Value& value);

}  // namespace pycache
