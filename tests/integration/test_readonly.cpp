// #7: read-only trees and the read-through prefix.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "process.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

class ReadOnly : public ::testing::Test {
 protected:
  TempDir t;
  fs::path app = t / "app";
  fs::path home = t / "home";
  Env env = isolated_env(t.path());
  void SetUp() override {
    write_file(app / "pkg/__init__.py", "");
    write_file(app / "pkg/mod.py", "VALUE = 'fresh'\n");
    write_file(app / "main.py",
               "import sys, pkg.mod\nprint(pkg.mod.VALUE, sys.pycache_prefix, sys.dont_write_bytecode)\n");
  }
  // Runs as nobody on a tree nobody can't write: what a read-only root looks like to CPython.
  Outcome as_nobody(std::vector<std::string> args) {
    std::vector<std::string> argv = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                     pycache_python_bin().native()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run({argv, std::nullopt, env, app});
  }
  void lock_tree_for_nobody() {
    fs::create_directories(home);
    ASSERT_EQ(chown(home.c_str(), 65534, 65534), 0);
    // The temp dir is 0700 root: nobody must be able to traverse it.
    fs::permissions(t.path(), fs::perms::others_exec, fs::perm_options::add);
    for (auto& p : fs::recursive_directory_iterator(app))
      if (p.is_directory())
        fs::permissions(p.path(), fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  }
  bool nobody_works() { return pycache_runs_as_nobody(); }
};

TEST_F(ReadOnly, FallbackWritesToTheUserCacheOnceThenReadsIt) {
  if (!nobody_works())
    GTEST_SKIP() << "pycache-python cannot run as nobody here (needs root, setpriv, and a libpython nobody can read)";
  write_file(app / "pyproject.toml", "[tool.pycache]\nwrite-bytecode = true\n");
  lock_tree_for_nobody();
  auto o = as_nobody({"main.py"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  fs::path cache = home / ".cache/pycache";
  EXPECT_EQ(o.out, "fresh " + cache.native() + " False\n");
  EXPECT_EQ(o.err, "") << "the fallback is an info line, silent by default";
  fs::path pyc = cache / fs::path(app.native().substr(1)) / "pkg" / ("mod." + python_cache_tag() + ".pyc");
  ASSERT_TRUE(fs::exists(pyc));
  auto mtime = fs::last_write_time(pyc);
  auto again = as_nobody({"-v", "main.py"});
  EXPECT_NE(again.err.find(pyc.native() + " matches"), std::string::npos) << "warm: read, not compiled";
  EXPECT_EQ(fs::last_write_time(pyc), mtime);
  EXPECT_TRUE(find_pycache_dirs(app).empty());
}

TEST_F(ReadOnly, SkipWritesNothingAndIgnoreLeavesCPythonsBehaviour) {
  if (!nobody_works())
    GTEST_SKIP() << "pycache-python cannot run as nobody here (needs root, setpriv, and a libpython nobody can read)";
  write_file(app / "pyproject.toml", "[tool.pycache]\nwrite-bytecode = true\nread-only = \"skip\"\n");
  lock_tree_for_nobody();
  auto o = as_nobody({"main.py"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "fresh None True\n");
  EXPECT_NE(o.err.find("can't be written"), std::string::npos) << o.err;
  EXPECT_FALSE(fs::exists(home / ".cache"));
  write_file(app / "pyproject.toml", "[tool.pycache]\nwrite-bytecode = true\nread-only = \"ignore\"\n");
  auto i = as_nobody({"main.py"});
  EXPECT_EQ(i.out, "fresh None False\n");
  EXPECT_EQ(i.err, "");
}

TEST_F(ReadOnly, ReadThroughUsesValidPrecompiledPycsAndNeverStaleOnes) {
  auto c = run({{reference_python().native(), "-m", "compileall", "-q", app.native()}, std::nullopt, env, app});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  write_file(app / "pyproject.toml", "[tool.pycache]\ncache-prefix = \"" + (t / "pfx").native() + "\"\n");
  auto o = run({{pycache_python_bin().native(), "-v", "main.py"}, std::nullopt, env, app});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  fs::path in_tree = app / "pkg/__pycache__" / ("mod." + python_cache_tag() + ".pyc");
  EXPECT_NE(o.err.find(in_tree.native() + " matches"), std::string::npos) << o.err;
  fs::path mirror = t / "pfx" / fs::path(app.native().substr(1)) / "pkg";
  EXPECT_FALSE(fs::exists(mirror / ("mod." + python_cache_tag() + ".pyc"))) << "a hit is not copied to the prefix";

  // A stale in-tree pyc (source changed, other size) is never used.
  write_file(app / "pkg/mod.py", "VALUE = 'changed!'\n");
  auto s = run({{pycache_python_bin().native(), "main.py"}, std::nullopt, env, app});
  EXPECT_EQ(s.out, "changed! " + (t / "pfx").native() + " False\n") << s.err;
  EXPECT_TRUE(fs::exists(mirror / ("mod." + python_cache_tag() + ".pyc"))) << "the miss is written to the prefix";

  // Turned off: CPython's behaviour, the prefix only.
  fs::remove_all(t / "pfx");
  write_file(app / "pyproject.toml",
             "[tool.pycache]\ncache-prefix = \"" + (t / "pfx").native() + "\"\nread-through = false\n");
  auto off = run({{pycache_python_bin().native(), "-v", "main.py"}, std::nullopt, env, app});
  EXPECT_EQ(off.err.find(in_tree.native() + " matches"), std::string::npos);
  EXPECT_TRUE(fs::exists(mirror / ("__init__." + python_cache_tag() + ".pyc")));
}

TEST_F(ReadOnly, ReadThroughUnderOptimizeReadsTheOptPycsOnly) {
  auto c = run({{reference_python().native(), "-O", "-m", "compileall", "-q", app.native()}, std::nullopt, env, app});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  write_file(app / "pyproject.toml", "[tool.pycache]\ncache-prefix = \"" + (t / "pfx").native() + "\"\n");
  const fs::path opt1 = app / "pkg/__pycache__" / ("mod." + python_cache_tag() + ".opt-1.pyc");
  ASSERT_TRUE(fs::exists(opt1));
  auto o = run({{pycache_python_bin().native(), "-O", "-v", "main.py"}, std::nullopt, env, app});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.err.find(opt1.native() + " matches"), std::string::npos) << o.err;
  // Without -O the level-0 pyc is missing: nothing in the tree serves it.
  auto plain = run({{pycache_python_bin().native(), "-v", "main.py"}, std::nullopt, env, app});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.err.find("/pkg/__pycache__/mod." + python_cache_tag()), std::string::npos) << plain.err;
}

TEST_F(ReadOnly, ReadThroughHonoursHashModes) {
  write_file(app / "h.py", "X = 'old'\n");
  auto c = run({{reference_python().native(), "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash",
                 (app / "h.py").native()},
                std::nullopt,
                env,
                app});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  write_file(app / "h.py", "X = 'new'\n");
  const std::string code = "import h; print(h.X)";
  auto with = [&](const std::string& mode) {
    return run({{pycache_bin().native(), "run", "--cache-prefix", (t / "pfx").native(), "--no-write-bytecode",
                 "--check-hash-based-pycs", mode, "-c", code},
                std::nullopt,
                env,
                app})
        .out;
  };
  // As CPython: an unchecked-hash pyc is trusted unless told to always check.
  EXPECT_EQ(with("default"), "old\n");
  EXPECT_EQ(with("always"), "new\n");
}

}  // namespace
}  // namespace pycache::test
