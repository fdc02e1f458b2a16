#include "run_options.hpp"

#include <fmt/format.h>
#include <array>
#include <charconv>
#include <system_error>

#include "pycache/exit_code.hpp"
#include "pycache/log.hpp"
#include "pycache/paths.hpp"
#include "pycache/policy.hpp"
#include "pycache/python_args.hpp"
#include "pycache/text.hpp"

namespace pycache::cli {
namespace {

constexpr std::array<RunOptionInfo, 4> kControlOptions{{
    {"--policy", "FILE", "use this policy file; no discovery"},
    {"--no-policy", "", "read no policy file (project, user or system), nor a parent's policy"},
    {"--explain", "", "print the resolved policy and where each value came from to stderr, then run"},
    {"--log-level", "LEVEL", "trace, debug, info, warning (default), error or off"},
}};

// An option of `pycache run`: a key's (key and option set) or a control one (control set).
struct RunSpelling {
  const KeyInfo* key = nullptr;
  const KeyOption* option = nullptr;
  const RunOptionInfo* control = nullptr;
  std::string_view metavar() const { return option ? option->metavar : control->metavar; }
};

std::optional<RunSpelling> find_run_option(std::string_view name) {
  for (const auto& k : policy_keys())
    for (const auto& o : k.options)
      if (o.parsed_by.empty() && o.name == name) return RunSpelling{&k, &o, nullptr};
  for (const auto& c : kControlOptions)
    if (c.name == name) return RunSpelling{nullptr, nullptr, &c};
  return std::nullopt;
}

Error unknown_run_option(std::string_view name) {
  std::vector<RunOptionInfo> all = run_options();
  std::vector<std::string_view> names;
  names.reserve(all.size());
  for (const auto& o : all) names.push_back(o.name);
  std::string msg = fmt::format("unknown option '{}'", printable(name));
  return usage(msg + did_you_mean(closest_match(name, names)) + " (see 'pycache run --help')");
}

// " (or --in-tree)": the key's flags, for an option given an empty value.
std::string flag_hint(const KeyInfo& key) {
  std::string flags;
  for (const auto& o : key.options)
    if (o.parsed_by.empty() && o.metavar.empty()) flags += (flags.empty() ? "" : ", ") + std::string(o.name);
  return flags.empty() ? "" : " (or " + flags + ")";
}

// The value `text` gives `key` through `option`: read as the key's type, then
// normalize_value(); every error says what the key row expects.
Result<Value> option_value(const KeyInfo& key, const KeyOption& option, std::string_view text, const fs::path& cwd) {
  auto bad = [&] {
    return usage(fmt::format("option '{}': expected {}, got '{}'", option.name, key.expected, printable(text)));
  };
  if (!option.metavar.empty() && text.empty())
    return usage(fmt::format("option '{}' needs a value ({}){}", option.name, option.metavar, flag_hint(key)));
  Value raw;
  switch (key.type) {
    case ValueType::Bool:
      if (text != "true" && text != "false") return bad();
      raw = text == "true";
      break;
    case ValueType::Int: {
      std::int64_t n = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || end != text.data() + text.size()) return bad();
      raw = n;
      break;
    }
    case ValueType::String: raw = std::string(text); break;
    case ValueType::StringList: raw = std::vector<std::string>{std::string(text)}; break;
  }
  auto v = normalize_value(key.key, raw, cwd);
  if (!v) return bad();
  return v;
}

// --policy, --no-policy, --explain, --log-level.
std::optional<Error> apply_control(std::string_view name, const std::string& value, const fs::path& cwd,
                                   RunOptions& out) {
  if (name == "--policy") {
    out.policy_file = absolute_from(value, cwd);
    out.no_policy = false;
  } else if (name == "--no-policy") {
    out.no_policy = true;
    out.policy_file.reset();
  } else if (name == "--explain") {
    out.explain = true;
  } else if (name == "--log-level") {
    if (auto e = set_log_level(value)) return e;
    out.log_level = value;
  }
  return std::nullopt;
}

}  // namespace

std::span<const RunOptionInfo> run_control_options() { return kControlOptions; }

std::vector<RunOptionInfo> run_options() {
  std::vector<RunOptionInfo> out;
  for (const auto& k : policy_keys())
    for (const auto& o : k.options)
      if (o.parsed_by.empty()) out.push_back(RunOptionInfo{o.name, o.metavar, o.help});
  out.insert(out.end(), kControlOptions.begin(), kControlOptions.end());
  return out;
}

Result<std::size_t> parse_run_options(std::span<const std::string> args, const fs::path& cwd, RunOptions& out) {
  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (!arg.starts_with("--") || arg == "--" || is_python_long_option(arg)) break;
    const auto eq = arg.find('=');
    const std::string_view name = arg.substr(0, eq);
    std::optional<std::string> value;
    if (eq != std::string_view::npos) value = std::string(arg.substr(eq + 1));
    const auto found = find_run_option(name);
    if (!found) return unknown_run_option(name);
    if (!found->metavar().empty() && !value) {
      if (i + 1 >= args.size()) return usage(fmt::format("option '{}' needs a value ({})", name, found->metavar()));
      value = args[++i];
    } else if (found->metavar().empty() && value) {
      return usage(fmt::format("option '{}' takes no value", name));
    }
    if (found->control) {
      if (auto e = apply_control(name, value.value_or(""), cwd, out)) return *e;
      continue;
    }
    const std::string text = value ? *value : std::string(found->option->fixed);
    auto v = option_value(*found->key, *found->option, text, cwd);
    if (!v) return v.error();
    out.command_line.set(found->key->key, std::move(*v), Origin{Source::CommandLine, std::string(name)});
  }
  return i;
}

}  // namespace pycache::cli
