#include "pycache/launch.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include <map>

#include "pycache/text.hpp"
#include "temp_dir.hpp"

namespace pycache {
namespace {

using test::TempDir;
using test::write_file;

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

// Each source of a value, in precedence order (lowest first), and how a test
// makes it say "optimize = N".
enum class Layer_ { System, User, Project, Environment, PycacheOption, PythonOption };
constexpr Layer_ kAll[] = {Layer_::System,      Layer_::User,          Layer_::Project,
                           Layer_::Environment, Layer_::PycacheOption, Layer_::PythonOption};
// The environment is the lowest layer of all, below the system file.
int rank(Layer_ l) { return l == Layer_::Environment ? -1 : static_cast<int>(l); }

struct Fixture {
  TempDir t;
  std::map<std::string, std::string> env;
  RunOptions options;
  Layer python;
  Fixture() {
    env["HOME"] = (t / "home").native();
    env["PYCACHE_SYSTEM_CONFIG"] = (t / "etc/pycache.toml").native();
    fs::create_directories(t / "proj");
  }
  void set(Layer_ l, int n) {
    std::string line = "optimize = " + std::to_string(n) + "\n";
    switch (l) {
      case Layer_::System: write_file(t / "etc/pycache.toml", line); break;
      case Layer_::User: write_file(t / "home/.config/pycache/config.toml", line); break;
      case Layer_::Project: write_file(t / "proj/pyproject.toml", "[tool.pycache]\n" + line); break;
      case Layer_::Environment: env["PYTHONOPTIMIZE"] = std::to_string(n); break;
      case Layer_::PycacheOption:
        options.command_line.set(Key::Optimize, std::int64_t{n}, {Source::CommandLine, "--optimize"});
        break;
      case Layer_::PythonOption: python.set(Key::Optimize, std::int64_t{n}, {Source::CommandLine, "-O"}); break;
    }
  }
  Result<PolicyResolution> resolve(bool use_environment = true) {
    EnvLookup lookup = [this](const char* name) -> const char* {
      auto it = env.find(name);
      return it == env.end() ? nullptr : it->second.c_str();
    };
    PolicyQuery q{t / "proj", &options, python, use_environment};
    return resolve_policy(q, lookup, t / "proj");
  }
};

TEST(ResolvePolicy, EveryLayerBeatsEveryLowerOne) {
  for (Layer_ low : kAll) {
    for (Layer_ high : kAll) {
      if (rank(low) >= rank(high)) continue;
      Fixture f;
      f.set(low, 1);
      f.set(high, 2);
      auto r = f.resolve();
      ASSERT_TRUE(r) << r.error().message;
      EXPECT_EQ(r->policy.optimize(), 2) << "low " << int(low) << " high " << int(high);
      Source expected = high == Layer_::System        ? Source::SystemFile
                        : high == Layer_::User        ? Source::UserFile
                        : high == Layer_::Project     ? Source::ProjectFile
                        : high == Layer_::Environment ? Source::Environment
                                                      : Source::CommandLine;
      EXPECT_EQ(r->policy.get(Key::Optimize).origin.source, expected) << int(low) << " " << int(high);
    }
  }
}

TEST(ResolvePolicy, IgnoreEnvironmentDropsOnlyTheEnvironment) {
  Fixture f;
  f.set(Layer_::Environment, 2);
  f.env["PYTHONDONTWRITEBYTECODE"] = "1";
  auto r = f.resolve(/*use_environment=*/false);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->policy.optimize(), 0);
  EXPECT_TRUE(r->policy.write_bytecode());
  f.set(Layer_::User, 1);
  EXPECT_EQ(f.resolve(false)->policy.optimize(), 1);
}

TEST(ResolvePolicy, ExplicitPolicyFileSkipsDiscoveryAndUserFiles) {
  Fixture f;
  f.set(Layer_::Project, 2);
  f.set(Layer_::User, 1);
  write_file(f.t / "other.toml", "write-bytecode = false\n");
  f.options.policy_file = f.t / "other.toml";
  auto r = f.resolve();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->policy.optimize(), 0);
  EXPECT_FALSE(r->policy.write_bytecode());
  EXPECT_EQ(r->policy.project_file, f.t / "other.toml");
}

TEST(ResolvePolicy, NoPolicyReadsNoFile) {
  Fixture f;
  f.set(Layer_::Project, 2);
  f.set(Layer_::System, 1);
  f.options.no_policy = true;
  auto r = f.resolve();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->policy.optimize(), 0);
  EXPECT_TRUE(r->files.empty());
}

TEST(ResolvePolicy, BadUserFileIsAnError) {
  Fixture f;
  write_file(f.t / "home/.config/pycache/config.toml", "optimize = \"two\"\n");
  auto r = f.resolve();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("config.toml:1:12"), std::string::npos) << r.error().message;
}

TEST(PlanLaunch, EnvironmentAgreesWithThePolicy) {
  Layer l;
  l.set(Key::WriteBytecode, false, {});
  l.set(Key::Optimize, std::int64_t{1}, {});
  l.set(Key::CachePrefix, std::string("/pfx"), {});
  Layer layers[] = {l};
  Policy p = Policy::resolve(layers);
  EnvLookup none = [](const char*) -> const char* { return nullptr; };
  auto plan = plan_launch(p, PythonArgs{}, {"py", "-c", "pass"}, "/bin/x", none);
  ASSERT_TRUE(plan) << plan.error().message;
  std::map<std::string, std::optional<std::string>> env(plan->environment.begin(), plan->environment.end());
  EXPECT_EQ(env["PYTHONDONTWRITEBYTECODE"], "1");
  EXPECT_EQ(env["PYTHONOPTIMIZE"], "1");
  EXPECT_EQ(env["PYTHONPYCACHEPREFIX"], "/pfx");
  EXPECT_EQ(env["PYTHONEXECUTABLE"], std::nullopt);
  EXPECT_EQ(plan->interpreter.pycache_prefix, "/pfx");
  EXPECT_EQ(plan->interpreter.optimization_level, 1);
  EXPECT_FALSE(plan->interpreter.write_bytecode);

  auto plan2 = plan_launch(Policy{}, PythonArgs{}, {"py"}, "/bin/x", none);
  std::map<std::string, std::optional<std::string>> env2(plan2->environment.begin(), plan2->environment.end());
  EXPECT_EQ(env2["PYTHONDONTWRITEBYTECODE"], std::nullopt) << "removed: the policy writes";
  EXPECT_EQ(env2["PYTHONOPTIMIZE"], std::nullopt);
  EXPECT_EQ(env2["PYTHONPYCACHEPREFIX"], std::nullopt);
}

}  // namespace
}  // namespace pycache

namespace pycache {
namespace {

TEST(PlanLaunch, MissingStdlibIsAClearErrorNamingWhatWasLookedFor) {
  EnvLookup none = [](const char*) -> const char* { return nullptr; };
  runtime::Runtime gone = runtime::self();
  gone.prefix = "/nonexistent/prefix";
  gone.stdlib = "/nonexistent/prefix/lib/python3.99";
  auto plan = plan_launch(Policy{}, PythonArgs{}, {"py"}, "/bin/x", none, gone);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code, kExitEnvironment);
  EXPECT_NE(plan.error().message.find("/nonexistent/prefix/lib/python3.99/os.py"), std::string::npos)
      << plan.error().message;
  // PYTHONHOME means CPython searches itself, as python does.
  EnvLookup home = [](const char* n) -> const char* { return std::string_view(n) == "PYTHONHOME" ? "/h" : nullptr; };
  auto with_home = plan_launch(Policy{}, PythonArgs{}, {"py"}, "/bin/x", home, gone);
  ASSERT_TRUE(with_home);
  EXPECT_EQ(with_home->interpreter.home, "");
  EXPECT_EQ(with_home->interpreter.prefix, "");
}

}  // namespace
}  // namespace pycache

namespace pycache {
namespace {

TEST(StaleCore, OnlyAStaticCoreWhoseInterpreterChangedIsStale) {
  test::TempDir t;
  test::write_file(t / "python3.11", "binary");
  struct stat st {};
  ASSERT_EQ(::stat((t / "python3.11").c_str(), &st), 0);
  CoreFacts f{t / "python3.11", static_cast<long long>(st.st_mtime), 6, true, "3.11.2 (main, Mar 13 2023)"};
  EXPECT_FALSE(stale_core_warning(f)) << "unchanged";
  test::write_file(t / "python3.11", "binary, upgraded");
  auto stale = stale_core_warning(f);
  ASSERT_TRUE(stale);
  EXPECT_EQ(*stale, (t / "python3.11").native() +
                        " has changed since pycache was built: the C core pycache embeds "
                        "(3.11.2 (main, Mar 13 2023)) is older than the Python installed and lacks its fixes; rebuild "
                        "pycache (or upgrade its package)");
  f.static_link = false;
  EXPECT_FALSE(stale_core_warning(f)) << "a shared libpython is the one installed";
  f.static_link = true;
  f.interpreter = t / "gone";
  EXPECT_FALSE(stale_core_warning(f));
}

}  // namespace
}  // namespace pycache
