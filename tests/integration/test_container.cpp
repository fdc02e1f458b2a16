// #7: what examples/container/Dockerfile does, outside Docker (no engine runs
// here): lay out the image's files, precompile the app under its runtime
// policy, make the tree read-only for the user that runs it, run it as PID 1.
#include <gtest/gtest.h>
#include <unistd.h>

#include "process.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

TEST(Container, PrecompiledReadOnlyAppRunsAsPid1AndReadsItsPycs) {
  if (!pycache_runs_as_nobody())
    GTEST_SKIP() << "pycache-python cannot run as nobody here (needs root, setpriv, and a libpython nobody can read)";
  TempDir t;
  Env env = isolated_env(t.path());
  auto probe = run({{"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "/bin/true"}, std::nullopt, env, t.path()});
  if (probe.exit_code != 0) GTEST_SKIP() << "unshare --pid is not available here: " << probe.err;

  // COPY examples/container/app /srv/app
  fs::path app = t / "srv/app";
  fs::create_directories(app.parent_path());
  fs::copy(fs::path(PYCACHE_TEST_SOURCE_DIR) / "examples/container/app", app, fs::copy_options::recursive);
  // RUN pycache compile /srv/app (under the app's own policy: optimize = 1)
  auto c = run({{pycache_bin().native(), "compile", app.native()}, std::nullopt, env, app});
  ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
  fs::path pyc = app / "app/__pycache__" / ("work." + python_cache_tag() + ".opt-1.pyc");
  ASSERT_TRUE(fs::exists(pyc));
  auto compiled = find_files(app, ".pyc").size();

  // USER nobody on a read-only root: nobody can write neither the tree nor $HOME.
  fs::permissions(t.path(), fs::perms::others_exec, fs::perm_options::add);
  for (auto& p : fs::recursive_directory_iterator(t / "srv"))
    if (p.is_directory()) fs::permissions(p.path(), fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  fs::permissions(t / "srv", fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  fs::path cache = t / "tmpfs";
  fs::create_directories(cache);
  ASSERT_EQ(chown(cache.c_str(), 65534, 65534), 0);
  env["HOME"] = "/nonexistent";
  env["XDG_CACHE_HOME"] = cache.native();

  // ENTRYPOINT ["pycache-python", "-m", "app"], as PID 1 of a PID namespace.
  std::vector<std::string> argv = {"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "/usr/bin/setpriv",
                                   "--reuid=65534", "--regid=65534", "--clear-groups", pycache_python_bin().native(),
                                   "-v", "-c", "import os, runpy; print('parent', os.getppid(), flush=True); "
                                   "runpy.run_module('app', run_name='__main__')"};
  auto o = run({argv, std::nullopt, env, app});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  // pycache is PID 1 and runs the init there: the program is its child.
  EXPECT_NE(o.out.find("parent 1\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("\"ready\": true, \"result\": 285, \"optimize\": 1"), std::string::npos) << o.out;
  // The precompiled pyc was read, nothing was compiled into the tree, and no
  // write was even tried there.
  EXPECT_NE(o.err.find(pyc.native() + " matches"), std::string::npos) << o.err;
  EXPECT_EQ(find_files(app, ".pyc").size(), compiled);
  EXPECT_EQ(o.err.find("could not create"), std::string::npos) << o.err;
}

}  // namespace
}  // namespace pycache::test
