#include "run_options.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <map>

#include "pycache/text.hpp"

namespace pycache::cli {
namespace {

RunOptions parse_ok(std::vector<std::string> args, std::size_t expected_first) {
  RunOptions o;
  auto r = parse_run_options(args, "/cwd", o);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  if (r) {
    EXPECT_EQ(*r, expected_first);
  }
  return o;
}

std::string parse_error(std::vector<std::string> args) {
  RunOptions o;
  auto r = parse_run_options(args, "/cwd", o);
  return r ? std::string() : r.error().message;
}

TEST(RunOptions, StopAtTheFirstPythonArgument) {
  auto o = parse_ok({"--cache-prefix", "pfx", "--optimize=1", "--no-write-bytecode", "-B", "--cache-prefix", "x"}, 4);
  EXPECT_EQ(std::get<std::string>(o.command_line.get(Key::CachePrefix)->value), "/cwd/pfx");
  EXPECT_EQ(std::get<std::int64_t>(o.command_line.get(Key::Optimize)->value), 1);
  EXPECT_EQ(std::get<bool>(o.command_line.get(Key::WriteBytecode)->value), false);
  parse_ok({"--explain", "script.py", "--explain"}, 1);
  parse_ok({"--check-hash-based-pycs", "always", "x.py"}, 0);
  parse_ok({"--version"}, 0);
  parse_ok({"--in-tree", "--", "x.py"}, 1);
  auto p = parse_ok({"--policy", "p.toml", "-c", "pass"}, 2);
  EXPECT_EQ(*p.policy_file, "/cwd/p.toml");
  EXPECT_TRUE(parse_ok({"--policy", "p.toml", "--no-policy"}, 3).no_policy);
}

TEST(RunOptions, InitOptionsSetTheInitKeys) {
  auto o = parse_ok({"--init", "--init-signals", "group", "app.py"}, 3);
  EXPECT_EQ(std::get<std::string>(o.command_line.get(Key::Init)->value), "always");
  EXPECT_EQ(o.command_line.get(Key::Init)->origin.describe(), "command line --init");
  EXPECT_EQ(std::get<std::string>(o.command_line.get(Key::InitSignals)->value), "group");
  auto n = parse_ok({"--init", "--no-init", "app.py"}, 2);
  EXPECT_EQ(std::get<std::string>(n.command_line.get(Key::Init)->value), "never") << "the last one wins";
  EXPECT_FALSE(parse_ok({"app.py"}, 0).command_line.get(Key::Init));
  EXPECT_EQ(parse_error({"--init-signals", "all"}),
            "option '--init-signals': expected \"child\" or \"group\", got 'all'");
  EXPECT_NE(parse_error({"--init=yes"}).find("takes no value"), std::string::npos);
}

TEST(RunOptions, UsageErrors) {
  EXPECT_EQ(parse_error({"--cache-prefx", "x"}),
            "unknown option '--cache-prefx'; did you mean '--cache-prefix'? (see 'pycache run --help')");
  EXPECT_EQ(parse_error({"--optimize", "3"}), "option '--optimize': expected 0, 1 or 2, got '3'");
  EXPECT_NE(parse_error({"--optimize"}).find("needs a value"), std::string::npos);
  EXPECT_NE(parse_error({"--explain=yes"}).find("takes no value"), std::string::npos);
  EXPECT_NE(parse_error({"--log-level", "loud"}).find("unknown log level"), std::string::npos);
  EXPECT_NE(parse_error({"--cache-prefix="}).find("--in-tree"), std::string::npos);
}

// A valid value and an invalid one for each option of `pycache run` that
// takes a value, by key: a new option fails here until it has its cases.
struct OptionCase {
  std::string good;
  Value expected;  // what `good` sets
  std::string bad;
};
const std::map<Key, OptionCase>& option_cases() {
  static const std::map<Key, OptionCase> cases = {
      {Key::CachePrefix, {"pfx", std::string("/cwd/pfx"), std::string("a\0b", 3)}},
      {Key::Optimize, {"2", std::int64_t{2}, "7"}},
      {Key::Propagate, {"none", std::string("none"), "all"}},
      {Key::Venv, {"v", std::string("/cwd/v"), std::string("v\0", 2)}},
      {Key::ReadOnly, {"skip", std::string("skip"), "maybe"}},
      {Key::InitSignals, {"group", std::string("group"), "all"}},
      {Key::Python, {"3.12", std::string("3.12"), "banana"}},
  };
  return cases;
}

TEST(RunOptions, EveryKeyOptionParsesAndSetsItsKey) {
  std::size_t seen = 0;
  for (const auto& key : policy_keys()) {
    for (const auto& option : key.options) {
      if (!option.parsed_by.empty()) continue;
      ++seen;
      const std::string name(option.name);
      std::vector<std::vector<std::string>> spellings;
      Value expected;
      if (option.metavar.empty()) {
        spellings = {{name}};
        Value fixed = std::string(option.fixed);
        if (key.type == ValueType::Bool) fixed = option.fixed == "true";
        auto v = normalize_value(key.key, fixed, "/cwd");
        ASSERT_TRUE(v) << name;
        expected = *v;
      } else {
        auto c = option_cases().find(key.key);
        ASSERT_NE(c, option_cases().end()) << name << ": no case for this option's key";
        spellings = {{name, c->second.good}, {name + "=" + c->second.good}};
        expected = c->second.expected;
      }
      for (auto args : spellings) {
        const std::size_t first = args.size();
        args.push_back("app.py");
        RunOptions o = parse_ok(args, first);
        const auto& set = o.command_line.get(key.key);
        ASSERT_TRUE(set) << name << " sets " << key.name;
        EXPECT_EQ(set->value, expected) << name;
        EXPECT_EQ(set->origin.describe(), "command line " + name);
      }
    }
  }
  EXPECT_EQ(seen + run_control_options().size(), run_options().size());
}

TEST(RunOptions, EveryBadValueSaysWhatTheKeyExpectsWithUsageStatus) {
  for (const auto& key : policy_keys()) {
    for (const auto& option : key.options) {
      if (!option.parsed_by.empty()) continue;
      const std::string name(option.name);
      RunOptions o;
      if (option.metavar.empty()) {
        std::vector<std::string> args = {name + "=x"};
        auto r = parse_run_options(args, "/cwd", o);
        ASSERT_FALSE(r) << name;
        EXPECT_EQ(r.error().message, "option '" + name + "' takes no value");
        EXPECT_EQ(r.error().code, kExitUsage);
        continue;
      }
      const auto& c = option_cases().at(key.key);
      std::vector<std::string> args = {name, c.bad, "app.py"};
      auto r = parse_run_options(args, "/cwd", o);
      ASSERT_FALSE(r) << name << " " << c.bad;
      EXPECT_EQ(r.error().message,
                fmt::format("option '{}': expected {}, got '{}'", name, key.expected, printable(c.bad)));
      EXPECT_EQ(r.error().code, kExitUsage) << name;
      std::vector<std::string> empty = {name + "="};
      auto e = parse_run_options(empty, "/cwd", o);
      ASSERT_FALSE(e) << name << "=";
      EXPECT_EQ(e.error().message.rfind("option '" + name + "' needs a value (" + std::string(option.metavar) + ")", 0),
                0u)
          << e.error().message;
      EXPECT_EQ(e.error().code, kExitUsage);
      std::vector<std::string> missing = {name};
      EXPECT_EQ(parse_error(missing), "option '" + name + "' needs a value (" + std::string(option.metavar) + ")");
    }
  }
}

TEST(RunOptions, KeyOptionsTextRendersEachKeysSpellings) {
  EXPECT_EQ(key_options_text(key_info(Key::CachePrefix)), "--cache-prefix DIR / --in-tree");
  EXPECT_EQ(key_options_text(key_info(Key::WriteBytecode)), "--write-bytecode / --no-write-bytecode");
  EXPECT_EQ(key_options_text(key_info(Key::PrefixMaxSize)), "pycache clean --prefix --max-size SIZE");
  EXPECT_EQ(key_options_text(key_info(Key::SafeDirectories)), "");
  for (const auto& o : run_options()) EXPECT_FALSE(o.help.empty()) << o.name;
}

}  // namespace
}  // namespace pycache::cli
