#include "pycache/launch.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include <map>

#include "fake_fs.hpp"
#include "pycache/text.hpp"
#include "temp_dir.hpp"

namespace pycache {
namespace {

using test::TempDir;
using test::write_file;

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
  runtime::Runtime gone = *runtime::self();
  gone.prefix = "/nonexistent/prefix";
  gone.stdlib = "/nonexistent/prefix/lib/python3.99";
  auto plan = plan_launch(Policy{}, PythonArgs{}, {"py"}, "/bin/x", none, gone);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code, kExitEnvironment);
  EXPECT_NE(plan.error().message.find("/nonexistent/prefix/lib/python3.99/os.py"), std::string::npos)
      << plan.error().message;
  EXPECT_EQ(plan.error().message.find("rebuild"), std::string::npos) << "never a build: " << plan.error().message;
  EXPECT_EQ(plan.error().message.find("PYCACHE_PYTHONS"), std::string::npos) << plan.error().message;
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
                        "(3.11.2 (main, Mar 13 2023)) is older than the Python installed and lacks its fixes; upgrade "
                        "pycache");
  f.static_link = false;
  EXPECT_FALSE(stale_core_warning(f)) << "a shared libpython is the one installed";
  f.static_link = true;
  f.interpreter = t / "gone";
  EXPECT_FALSE(stale_core_warning(f));
}

}  // namespace
}  // namespace pycache

namespace pycache {
namespace {

Policy read_only_policy(const char* mode, const char* prefix = nullptr) {
  Layer l;
  l.set(Key::ReadOnly, std::string(mode), {});
  if (prefix) l.set(Key::CachePrefix, std::string(prefix), {});
  Layer layers[] = {l};
  return Policy::resolve(layers);
}

EnvLookup lookup(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(ReadOnly, AnUnwritableTreeFallsBackToTheUserCacheMadeThroughTheFileSystem) {
  test::FakeFileSystem files;
  files.add_dir("/p");
  files.add_dir("/xdg");
  files.fail(test::FakeFileSystem::Op::Access, "/p", EROFS);
  Policy p = read_only_policy("fallback");
  apply_read_only(p, "/p", lookup({{"XDG_CACHE_HOME", "/xdg"}}), files);
  EXPECT_EQ(p.cache_prefix(), "/xdg/pycache");
  EXPECT_EQ(p.get(Key::CachePrefix).origin.source, Source::Fallback);
  EXPECT_TRUE(p.write_bytecode());
  EXPECT_EQ(files.mutations(), std::vector<std::string>{"mkdir /xdg/pycache"});
}

TEST(ReadOnly, WithNoWritableFallbackOrUnderSkipNoBytecodeIsWritten) {
  test::FakeFileSystem files;
  files.add_dir("/p");
  files.add_dir("/xdg");
  files.add_dir("/tmp");
  files.fail(test::FakeFileSystem::Op::Access, "/p", EACCES);
  files.fail(test::FakeFileSystem::Op::MakeDir, "/xdg/pycache", EACCES);
  files.fail(test::FakeFileSystem::Op::MakeDir, "/tmp/pycache-" + std::to_string(::getuid()), EACCES);
  Policy fallback = read_only_policy("fallback");
  apply_read_only(fallback, "/p", lookup({{"XDG_CACHE_HOME", "/xdg"}}), files);
  EXPECT_FALSE(fallback.write_bytecode());
  EXPECT_EQ(fallback.cache_prefix(), "");
  Policy skip = read_only_policy("skip");
  apply_read_only(skip, "/p", lookup({{"XDG_CACHE_HOME", "/xdg"}}), files);
  EXPECT_FALSE(skip.write_bytecode());
  EXPECT_EQ(skip.get(Key::WriteBytecode).origin.source, Source::Fallback);
  EXPECT_TRUE(files.mutations().empty()) << "nothing was made";
}

TEST(ReadOnly, AWritablePrefixIsMadeAndKept) {
  test::FakeFileSystem files;
  files.add_dir("/p");
  files.add_dir("/cache");
  Policy p = read_only_policy("fallback", "/cache/a/b");
  apply_read_only(p, "/p", lookup({}), files);
  EXPECT_EQ(p.cache_prefix(), "/cache/a/b");
  EXPECT_TRUE(p.write_bytecode());
  EXPECT_EQ(files.mutations(), (std::vector<std::string>{"mkdir /cache/a", "mkdir /cache/a/b"}));
}

}  // namespace
}  // namespace pycache
