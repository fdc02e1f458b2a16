#include "pycache/policy_sources.hpp"

#include <gtest/gtest.h>

#include <map>

#include "temp_dir.hpp"

namespace pycache {
namespace {

using test::TempDir;
using test::write_file;

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

std::string error_of(const fs::path& file, const std::string& content) {
  write_file(file, content);
  auto r = load_policy_file(file, Source::ProjectFile);
  return r ? std::string() : r.error().message;
}

TEST(LoadPolicyFile, ReadsToolPycacheFromPyproject) {
  TempDir t;
  write_file(t / "pyproject.toml",
             "[project]\nname = \"x\"\n\n[tool.pycache]\nwrite-bytecode = false\ncache-prefix = \"pyc\"\noptimize = 2\n"
             "check-hash-based-pycs = \"always\"\n");
  auto r = load_policy_file(t / "pyproject.toml", Source::ProjectFile);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(*r);
  const Layer& l = **r;
  EXPECT_EQ(std::get<bool>(l.get(Key::WriteBytecode)->value), false);
  EXPECT_EQ(std::get<std::string>(l.get(Key::CachePrefix)->value), (t / "pyc").native());
  EXPECT_EQ(std::get<std::int64_t>(l.get(Key::Optimize)->value), 2);
  EXPECT_EQ(std::get<std::string>(l.get(Key::CheckHashBasedPycs)->value), "always");
  EXPECT_EQ(l.get(Key::Optimize)->origin.where, (t / "pyproject.toml").native() + ":7:12");
  EXPECT_EQ(l.get(Key::Optimize)->origin.source, Source::ProjectFile);
}

TEST(LoadPolicyFile, PrefixMaxSizeAsSizeStringOrInteger) {
  TempDir t;
  write_file(t / "pycache.toml", "prefix-max-size = \"2G\"\n");
  auto r = load_policy_file(t / "pycache.toml", Source::ProjectFile);
  ASSERT_TRUE(r && *r) << (r ? "" : r.error().message);
  EXPECT_EQ(std::get<std::int64_t>((**r).get(Key::PrefixMaxSize)->value), 2'000'000'000);
  write_file(t / "pycache.toml", "prefix-max-size = 1000\n");
  r = load_policy_file(t / "pycache.toml", Source::ProjectFile);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(std::get<std::int64_t>((**r).get(Key::PrefixMaxSize)->value), 1000);
  const std::string p = (t / "pycache.toml").native();
  EXPECT_EQ(error_of(p, "prefix-max-size = \"big\"\n").rfind(p + ":1:19: 'prefix-max-size' must be a size", 0), 0u)
      << error_of(p, "prefix-max-size = \"big\"\n");
}

TEST(LoadPolicyFile, PyprojectWithoutTheTableHasNoLayer) {
  TempDir t;
  write_file(t / "pyproject.toml", "[project]\nname = \"x\"\n[tool.black]\nline-length = 88\n");
  auto r = load_policy_file(t / "pyproject.toml", Source::ProjectFile);
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
}

TEST(LoadPolicyFile, PycacheTomlKeysAreTopLevel) {
  TempDir t;
  write_file(t / "pycache.toml", "optimize = 1\n");
  auto r = load_policy_file(t / "pycache.toml", Source::ProjectFile);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(std::get<std::int64_t>((**r).get(Key::Optimize)->value), 1);
}

TEST(LoadPolicyFile, EveryKindOfBadFileIsOneLineWithFileLineColumn) {
  TempDir t;
  const std::string f = (t / "pyproject.toml").native();
  const std::string p = (t / "pycache.toml").native();
  struct Case {
    std::string file, content, expected;
  } cases[] = {
      {f, "[tool.pycache]\noptimize = [\n", f + ":2:"},
      {f, "[tool.pycache]\nwrite_bytecode = false\n", f + ":2:1: unknown key 'write_bytecode' in [tool.pycache]; did you mean 'write-bytecode'?"},
      {f, "[tool.pycache]\nwrite-bytecode = \"no\"\n", f + ":2:18: 'write-bytecode' must be true or false, not a string"},
      {f, "[tool.pycache]\noptimize = 3\n", f + ":2:12: 'optimize' must be 0, 1 or 2, not 3"},
      {f, "[tool.pycache]\noptimize = 1.0\n", f + ":2:12: 'optimize' must be 0, 1 or 2, not a float"},
      {f, "[tool.pycache]\ncheck-hash-based-pycs = \"sometimes\"\n", f + ":2:25: 'check-hash-based-pycs' must be \"default\", \"always\" or \"never\", not \"sometimes\""},
      {f, "[tool]\npycache = 3\n", f + ":2:11: 'tool.pycache' must be a table"},
      {p, "[tool.pycache]\noptimize = 1\n", p + ":1:2: unknown key 'tool' in the policy file (a pycache.toml holds the keys at top level"},
      {p, "optimise = 1\n", p + ":1:1: unknown key 'optimise' in the policy file; did you mean 'optimize'?"},
  };
  for (const auto& c : cases) {
    std::string msg = error_of(c.file, c.content);
    EXPECT_EQ(msg.rfind(c.expected, 0), 0u) << "content:\n" << c.content << "message: " << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(LoadPolicyFile, UnreadableFileIsAnError) {
  TempDir t;
  auto r = load_policy_file(t / "missing.toml", Source::ProjectFile);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("cannot read policy file"), std::string::npos);
}

TEST(Discovery, NearestPolicyWins) {
  TempDir t;
  write_file(t / "pyproject.toml", "[tool.pycache]\noptimize = 1\n");
  write_file(t / "a/pyproject.toml", "[tool.pycache]\noptimize = 2\n");
  fs::create_directories(t / "a/b/c");
  auto r = discover_project_policy(t / "a/b/c");
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->file, t / "a/pyproject.toml");
  EXPECT_EQ(std::get<std::int64_t>((*r)->layer.get(Key::Optimize)->value), 2);
}

TEST(Discovery, PycacheTomlBeatsPyprojectInTheSameDirectory) {
  TempDir t;
  write_file(t / "pyproject.toml", "[tool.pycache]\noptimize = 1\n");
  write_file(t / "pycache.toml", "optimize = 2\n");
  auto r = discover_project_policy(t.path());
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->file, t / "pycache.toml");
}

TEST(Discovery, PyprojectWithoutTableDoesNotStopTheWalk) {
  TempDir t;
  write_file(t / "pyproject.toml", "[tool.pycache]\noptimize = 1\n");
  write_file(t / "sub/pyproject.toml", "[project]\nname = \"sub\"\n");
  write_file(t / "sub/other/pyproject.toml", "[tool.ruff]\nline-length = 100  # pycache is not here\n");
  auto r = discover_project_policy(t / "sub/other");
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->file, t / "pyproject.toml");
}

TEST(Discovery, NothingFoundIsNotAnError) {
  TempDir t;
  fs::create_directories(t / "x");
  auto r = discover_project_policy(t / "x");
  ASSERT_TRUE(r);
  // Nothing above the temp dir should define a policy on a test machine; if
  // one does, it must at least be outside the temp dir.
  if (*r) {
    EXPECT_EQ((*r)->file.native().rfind(t.path().native(), 0), std::string::npos);
  }
}

TEST(Discovery, ABadFileOnTheWayIsAnError) {
  TempDir t;
  write_file(t / "pyproject.toml", "[tool.pycache]\noptimize = 1\n");
  write_file(t / "sub/pyproject.toml", "[tool.pycache\n");
  auto r = discover_project_policy(t / "sub");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find((t / "sub/pyproject.toml").native() + ":1:"), std::string::npos);
}

TEST(UserAndSystemFiles, FollowXdgAndHome) {
  EXPECT_EQ(user_policy_path(fake_env({{"XDG_CONFIG_HOME", "/xdg"}, {"HOME", "/h"}})), "/xdg/pycache/config.toml");
  EXPECT_EQ(user_policy_path(fake_env({{"HOME", "/h"}})), "/h/.config/pycache/config.toml");
  EXPECT_EQ(user_policy_path(fake_env({{"XDG_CONFIG_HOME", "relative"}, {"HOME", "/h"}})),
            "/h/.config/pycache/config.toml");
  EXPECT_EQ(system_policy_path(fake_env({})), "/etc/pycache.toml");
  EXPECT_EQ(system_policy_path(fake_env({{"PYCACHE_SYSTEM_CONFIG", "/x.toml"}})), "/x.toml");
}

TEST(EnvironmentLayer, ReadsVariablesAsCPythonDoes) {
  auto l = environment_layer(
      fake_env({{"PYTHONDONTWRITEBYTECODE", "1"}, {"PYTHONOPTIMIZE", "2"}, {"PYTHONPYCACHEPREFIX", "rel/pfx"}}), "/cwd");
  EXPECT_EQ(std::get<bool>(l.get(Key::WriteBytecode)->value), false);
  EXPECT_EQ(l.get(Key::WriteBytecode)->origin.describe(), "environment PYTHONDONTWRITEBYTECODE");
  EXPECT_EQ(std::get<std::int64_t>(l.get(Key::Optimize)->value), 2);
  EXPECT_EQ(std::get<std::string>(l.get(Key::CachePrefix)->value), "/cwd/rel/pfx");
}

TEST(EnvironmentLayer, EmptyZeroAndGarbageValues) {
  // Empty means unset; "0" is a zero flag; text counts as 1 (_Py_get_env_flag).
  EXPECT_TRUE(environment_layer(fake_env({{"PYTHONDONTWRITEBYTECODE", ""}, {"PYTHONPYCACHEPREFIX", ""}}), "/").empty());
  EXPECT_TRUE(environment_layer(fake_env({{"PYTHONDONTWRITEBYTECODE", "0"}, {"PYTHONOPTIMIZE", "0"}}), "/").empty());
  auto l = environment_layer(fake_env({{"PYTHONDONTWRITEBYTECODE", "yes"}, {"PYTHONOPTIMIZE", "7"}}), "/");
  EXPECT_EQ(std::get<bool>(l.get(Key::WriteBytecode)->value), false);
  EXPECT_EQ(std::get<std::int64_t>(l.get(Key::Optimize)->value), 2);
}

}  // namespace
}  // namespace pycache

namespace pycache {
namespace {

TEST(Inheritance, RoundTripsEveryValueWithItsOrigin) {
  Layer l;
  l.set(Key::WriteBytecode, false, {Source::ProjectFile, "/p/pyproject.toml:3:18"});
  l.set(Key::CachePrefix, std::string("/pfx with space"), {Source::CommandLine, "--cache-prefix"});
  l.set(Key::Optimize, std::int64_t{2}, {Source::Environment, "PYTHONOPTIMIZE"});
  l.set(Key::Init, std::string("always"), {Source::CommandLine, "--init"});
  Layer layers[] = {l};
  Policy p = Policy::resolve(layers);
  p.project_file = "/p/pyproject.toml";
  auto back = decode_inherited(encode_inherited(p));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->policy_file, "/p/pyproject.toml");
  EXPECT_EQ(std::get<bool>(back->layer.get(Key::WriteBytecode)->value), false);
  EXPECT_EQ(std::get<std::string>(back->layer.get(Key::CachePrefix)->value), "/pfx with space");
  EXPECT_EQ(std::get<std::int64_t>(back->layer.get(Key::Optimize)->value), 2);
  EXPECT_EQ(back->layer.get(Key::Optimize)->origin.describe(), "parent process (environment PYTHONOPTIMIZE)");
  EXPECT_EQ(back->layer.get(Key::WriteBytecode)->origin.describe(), "parent process (/p/pyproject.toml:3:18)");
  EXPECT_FALSE(back->layer.get(Key::Init)) << "the init is not inherited";
  // A grandchild keeps the first origin, not "parent process (parent process (...))".
  Layer again[] = {back->layer};
  Policy child = Policy::resolve(again);
  auto grand = decode_inherited(encode_inherited(child));
  ASSERT_TRUE(grand);
  EXPECT_EQ(grand->layer.get(Key::Optimize)->origin.describe(), "parent process (environment PYTHONOPTIMIZE)");
}

TEST(Inheritance, MalformedValuesAreRefused) {
  EXPECT_FALSE(decode_inherited(""));
  EXPECT_FALSE(decode_inherited("v2\x1eoptimize\x1f" "1\x1fx"));
  EXPECT_FALSE(decode_inherited("v1\x1eoptimize\x1f" "7\x1fx"));
  EXPECT_FALSE(decode_inherited("v1\x1ewrite-bytecode\x1fyes\x1fx"));
  EXPECT_FALSE(decode_inherited("v1\x1eoptimize"));
  auto future = decode_inherited("v1\x1e" "future-key\x1f" "1\x1fx\x1eoptimize\x1f" "1\x1fy");
  ASSERT_TRUE(future) << "unknown keys from a newer parent are skipped";
}

}  // namespace
}  // namespace pycache
