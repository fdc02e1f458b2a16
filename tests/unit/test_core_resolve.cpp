#include "pycache/resolve.hpp"

#include <gtest/gtest.h>

#include <map>

#include "temp_dir.hpp"

namespace pycache {
namespace {

using test::TempDir;
using test::write_file;

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

}  // namespace
}  // namespace pycache
