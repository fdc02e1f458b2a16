#include "pycache/command_run.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>

#include "fake_fs.hpp"
#include "pycache/exit_code.hpp"
#include "temp_dir.hpp"

namespace pycache {
namespace {

using test::FakeFileSystem;
using test::TempDir;
using test::write_file;

EnvLookup lookup(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(ClassifyHead, APythonShebangIsPythonAnyOtherOrAnElfIsACommand) {
  for (const char* python :
       {"#!/usr/bin/python3\n", "#!/usr/bin/python\n", "#!/usr/bin/python3.12 -E\n", "#!/opt/venv/bin/python3.13t\n",
        "#! /usr/bin/env python3\n", "#!/usr/bin/env -S python3 -u\n", "#!/usr/bin/env PYTHONHASHSEED=0 python\n",
        "#!/usr/local/bin/pycache-python\n", "#!/usr/bin/pycache-python3.11\r\nprint()\n",
        "#!/bin/sh\n'''exec' \"/a/very/long/path/.venv/bin/python\" \"$0\" \"$@\"\n' '''\n"})
    EXPECT_EQ(classify_head(python), FileKind::Python) << python;
  for (const char* command : {"#!/bin/sh\necho python\n", "#!/usr/bin/env bash\n", "#!/usr/bin/python2\n",
                              "#!/usr/bin/pypy3\n", "#!/home/python-user/bin/tool\n", "#!/usr/bin/env pythonista\n",
                              "#!/usr/bin/python3.x\n", "#!", "#!/bin/sh\n'''exec' \"/usr/bin/ruby\" \"$0\"\n",
                              "\x7f"
                              "ELF\x02\x01\x01"})
    EXPECT_EQ(classify_head(command), FileKind::Command) << command;
  for (const char* other : {"", "import sys\n", "# !/usr/bin/python3\n", "PK\x03\x04"})
    EXPECT_EQ(classify_head(other), FileKind::Other) << other;
}

TEST(ReadHead, ABoundedReadOfARegularFileOnlyNeverAHang) {
  TempDir t;
  write_file(t / "big", "#!/bin/sh\n" + std::string(1 << 20, 'x'));
  auto head = read_head(t / "big");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->size(), kHeadLimit);
  fs::create_symlink(t / "big", t / "link");
  EXPECT_EQ(read_head(t / "link"), head) << "a link is resolved";
  fs::create_directories(t / "dir");
  EXPECT_EQ(read_head(t / "dir"), std::nullopt);
  ASSERT_EQ(::mkfifo((t / "fifo").c_str(), 0755), 0);
  EXPECT_EQ(read_head(t / "fifo"), std::nullopt) << "no writer: a blocking open would hang";
  fs::create_symlink("/dev/zero", t / "zero");
  EXPECT_EQ(read_head(t / "zero"), std::nullopt);
  EXPECT_EQ(read_head(t / "absent"), std::nullopt);
}

class Lookup : public ::testing::Test {
 protected:
  FakeFileSystem files;
  EnvLookup env = lookup({{"PATH", "relative:/tools:/more"}});
  Trust trust = Trust::current({});
  Result<RunTarget> resolve(const std::string& target, std::vector<std::string> before = {}) {
    return resolve_run_target(target, before, "/p", "/venv", env, trust, files);
  }
};

TEST_F(Lookup, OnlyAnExecutableRegularFileIsOneAndTheVenvComesFirst) {
  files.add_dir("/p");
  files.add_dir("/venv/bin/tool");  // a directory of that name is passed over
  files.add_fifo("/tools/tool");    // and a FIFO, never read
  files.add_file("/more/tool", "#!/usr/bin/python3\n");
  files.add_file("/relative/tool", "#!/bin/sh\n");
  auto found = resolve("tool");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->kind, RunTarget::Kind::PythonScript);
  EXPECT_EQ(found->path, "/more/tool");
  files.fail(FakeFileSystem::Op::Access, "/more/tool", EACCES);
  auto none = resolve("tool");
  ASSERT_FALSE(none) << "not executable";
  EXPECT_EQ(none.error().code, kExitUsage);
  EXPECT_EQ(none.error().message, "'tool' not found: no such file, and no command of that name in the venv or on PATH");
  files.add_file("/venv/bin/ruff",
                 "\x7f"
                 "ELF\x02");
  auto ruff = resolve("ruff");
  ASSERT_TRUE(ruff);
  EXPECT_EQ(ruff->kind, RunTarget::Kind::Command);
  EXPECT_EQ(ruff->path, "/venv/bin/ruff");
}

TEST_F(Lookup, AMisspelledNameGetsTheClosestProgramThatWouldRun) {
  files.add_dir("/p");
  files.add_file("/venv/bin/pytest", "#!/venv/bin/python\n");
  files.add_file("/tools/ruff",
                 "\x7f"
                 "ELF");
  files.add_dir("/tools/rufff");  // closer, but a directory
  auto e = resolve("pytset");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message,
            "'pytset' not found: no such file, and no command of that name in the venv or on PATH; did you mean "
            "'pytest'?");
  EXPECT_EQ(suggest_program("rufff", "/venv", env, trust, files), "ruff");
  files.fail(FakeFileSystem::Op::Access, "/tools/ruff", EACCES);
  EXPECT_EQ(suggest_program("ruf", "/venv", env, trust, files), "") << "not one that would run";
  EXPECT_EQ(suggest_program("pytst", "", env, trust, files), "") << "no venv";
}

TEST_F(Lookup, AFileNamedByItsPathIsPythonsUnlessAnExecutableCommand) {
  files.add_file("/p/build.sh", "#!/bin/sh\n");
  files.add_file("/p/tool.py", "#!/bin/bash\n");
  files.add_file("/p/script", "print(1)\n");
  files.add_file("/p/zipapp", "#!/usr/bin/env python3\nPK");
  files.add_file("/p/noexec.sh", "#!/bin/sh\n");
  files.fail(FakeFileSystem::Op::Access, "/p/noexec.sh", EACCES);
  files.add_fifo("/p/fifo");
  files.add_dir("/p/dir");
  for (const char* target : {"./build.sh", "build.sh", "/p/build.sh"}) {
    auto r = resolve(target);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->kind, RunTarget::Kind::Command) << target;
    EXPECT_EQ(r->path, target) << "as written";
  }
  for (const char* target : {"./tool.py", "./script", "zipapp", "noexec.sh", "./fifo", "dir", "./missing"}) {
    auto r = resolve(target);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->kind, RunTarget::Kind::Python) << target;
  }
  auto opts = resolve("./build.sh", {"-O", "-X", "dev"});
  ASSERT_FALSE(opts);
  EXPECT_EQ(opts.error().code, kExitUsage);
  EXPECT_EQ(opts.error().message,
            "'/p/build.sh' is not a Python script: python's options before it ('-O -X dev') can't apply to it; "
            "pycache's own options can (pycache run --help)");
}

Policy venv_policy(const std::string& venv) {
  Layer l;
  l.set(Key::Venv, venv, {});
  l.set(Key::CachePrefix, std::string("/pfx"), {});
  Layer layers[] = {l};
  return Policy::resolve(layers);
}

TEST(CommandEnvironment, TheVenvFirstOnPathAndVirtualEnvAsUvRunSetsThem) {
  FakeFileSystem files;
  files.add_dir("/venv/bin");
  using Env = std::map<std::string, std::optional<std::string>>;
  auto of = [&](const Policy& p, std::map<std::string, std::string> vars) {
    auto e = command_environment(p, lookup(std::move(vars)), files);
    return Env(e.begin(), e.end());
  };
  Env with = of(venv_policy("/venv"), {{"PATH", "/usr/bin:/bin"}, {"VIRTUAL_ENV", "/other"}});
  EXPECT_EQ(with["PATH"], "/venv/bin:/usr/bin:/bin");
  EXPECT_EQ(with["VIRTUAL_ENV"], "/venv");
  EXPECT_EQ(with["PYTHONPYCACHEPREFIX"], "/pfx");
  EXPECT_TRUE(with.contains("PYCACHE_POLICY"));
  EXPECT_FALSE(of(venv_policy("/venv"), {{"PATH", "/venv/bin:/bin"}}).contains("PATH")) << "first already";
  EXPECT_EQ(of(venv_policy("/venv"), {})["PATH"], "/venv/bin");
  for (const char* none : {"none", "", "/absent"}) {
    Env without = of(venv_policy(none), {{"PATH", "/usr/bin"}, {"VIRTUAL_ENV", "/other"}});
    EXPECT_FALSE(without.contains("PATH")) << none;
    ASSERT_TRUE(without.contains("VIRTUAL_ENV")) << none;
    EXPECT_EQ(without["VIRTUAL_ENV"], std::nullopt) << "unset: no venv";
  }
}

}  // namespace
}  // namespace pycache
