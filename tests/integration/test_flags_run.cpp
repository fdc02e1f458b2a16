// An interpreter of the machine pycache can't embed (here pyenv's 3.9, its
// module withheld from a copy of the build's bin/ and lib/pycache) still
// runs under the policy: pycache execs it, the policy in python's flags
// and variables. Skips when pyenv's 3.9 is absent or the build has a 3.9
// runtime of its own.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "process.hpp"
#include "python_layouts.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

// pyenv's newest 3.9.x, or empty.
fs::path pyenv_python39() {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(pyenv_root() / "versions", ec))
    if (e.path().filename().native().starts_with("3.9.") && fs::exists(e.path() / "bin/python3.9"))
      found.push_back(e.path() / "bin/python3.9");
  std::sort(found.begin(), found.end());
  return found.empty() ? fs::path() : found.back();
}

class FlagsRun : public ::testing::Test {
 protected:
  TempDir t;
  Env env = isolated_env(t.path());
  fs::path proj = t / "proj";
  fs::path prefix = t / "pfx";
  fs::path python = pyenv_python39();
  fs::path pycache_program = t / "install/bin/pycache";

  void SetUp() override {
    if (std::getenv("PYCACHE_TEST_RUNTIME")) GTEST_SKIP() << "runtime independent: run with the default runtime";
    if (python.empty()) GTEST_SKIP() << "needs a pyenv 3.9 (" << pyenv_root() << "/versions/3.9.*)";
    auto v = run({{pycache_bin().native(), "--version"}, std::nullopt, clean_env("/"), "/"});
    if (v.out.find("pycache-python3.9 ") != std::string::npos)
      GTEST_SKIP() << "this build has a 3.9 runtime of its own";
    copy_install(t / "install", "3.9");
    env["PYENV_ROOT"] = pyenv_root().native();
    write_file(proj / "pycache.toml", "cache-prefix = \"../pfx\"\n");
    write_file(proj / "mod.py", "X = 1\n");
  }
  Outcome pycache(std::vector<std::string> args) {
    args.insert(args.begin(), pycache_program.native());
    return run({args, std::nullopt, env, proj});
  }
  Outcome direct(std::vector<std::string> args) {
    args.insert(args.begin(), python.native());
    return run({args, std::nullopt, env, proj});
  }
  fs::path mirror() const { return prefix / proj.relative_path(); }
};

TEST_F(FlagsRun, APythonWithNoModuleRunsItselfWithThePolicyInItsFlags) {
  auto o = pycache({"run", "--python", "3.9", "-c",
                    "import json, mod, sys; print(sys.version_info[:2], sys.executable, sys.flags.dont_write_bytecode, "
                    "sys.pycache_prefix)"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "(3, 9) " + python.native() + " 0 " + prefix.native() + "\n");
  EXPECT_EQ(o.err, "");
  EXPECT_EQ(find_files(mirror(), ".cpython-39.pyc").size(), 1u) << "mod's pyc, for 3.9, in the prefix";
  const fs::path json = python.parent_path().parent_path() / "lib/python3.9/json";
  EXPECT_FALSE(find_files(prefix / json.relative_path(), "__init__.cpython-39.pyc").empty())
      << "the standard library's pycs in the prefix too";
  EXPECT_TRUE(find_pycache_dirs(proj).empty()) << "nothing in the tree";
}

// compile's compiler is an embedded interpreter's: for one that can't be
// embedded, one line saying so and what does compile with it.
TEST_F(FlagsRun, CompileForAPythonItCantEmbedIsOneLine) {
  auto o = pycache({"compile", "--python", "3.9", "."});
  EXPECT_EQ(o.exit_code, 3) << o.out << o.err;
  EXPECT_NE(o.err.find("can't be embedded"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("pycache run -m compileall"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << o.err;
  EXPECT_TRUE(find_files(prefix, ".pyc").empty()) << "nothing written";
}

TEST_F(FlagsRun, ArgumentsOutputExitStatusAndSignalsAreTheInterpretersOwn) {
  const std::vector<std::string> exit7{
      "-c", "import sys; print('out', sys.argv); print('err', file=sys.stderr); raise SystemExit(7)", "a", "-O", "b"};
  std::vector<std::string> args{"run", "--python", "3.9"};
  args.insert(args.end(), exit7.begin(), exit7.end());
  auto via = pycache(args);
  auto own = direct(exit7);
  EXPECT_EQ(own.exit_code, 7);
  EXPECT_EQ(via.exit_code, own.exit_code) << via.err;
  EXPECT_EQ(via.out, own.out);
  EXPECT_EQ(via.out, "out ['-c', 'a', '-O', 'b']\n");
  EXPECT_EQ(via.err, own.err);
  auto killed = pycache({"run", "--python", "3.9", "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"});
  EXPECT_EQ(killed.signal, 9) << "exec'd, not a child: " << killed.exit_code << " " << killed.err;
}

TEST_F(FlagsRun, AChildStartedAsSysExecutableFollowsThePolicyThroughTheEnvironment) {
  write_file(proj / "mod2.py", "Y = 2\n");
  write_file(proj / "child.py",
             "import subprocess, sys\n"
             "print(subprocess.run([sys.executable, '-c', 'import sys, mod2; print(sys.version_info[:2], "
             "sys.pycache_prefix)'], capture_output=True, text=True).stdout, end='')\n");
  auto c = pycache({"run", "--python", "3.9", "child.py"});
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, "(3, 9) " + prefix.native() + "\n") << c.err;
  EXPECT_EQ(find_files(mirror(), "mod2.cpython-39.pyc").size(), 1u) << "the child's pyc in the prefix";
  EXPECT_TRUE(find_pycache_dirs(proj).empty()) << "nothing in the tree";
}

TEST_F(FlagsRun, OptimizeAndNoBytecodeBecomeItsFlags) {
  write_file(proj / "pycache.toml", "cache-prefix = \"../pfx\"\noptimize = 1\n");
  auto o = pycache({"run", "--python", "3.9", "-c", "import sys, mod; print(sys.flags.optimize)"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "1\n");
  EXPECT_EQ(find_files(mirror(), "mod.cpython-39.opt-1.pyc").size(), 1u);
  // The user's own -O counts: level 1, not 2.
  auto user = pycache({"run", "--python", "3.9", "-O", "-c", "import sys; print(sys.flags.optimize)"});
  EXPECT_EQ(user.out, "1\n") << user.err;
  fs::remove_all(prefix);
  write_file(proj / "pycache.toml", "write-bytecode = false\n");
  write_file(proj / "child.py",
             "import subprocess, sys, mod\n"
             "subprocess.run([sys.executable, '-c', 'import mod2'])\n"
             "print(sys.flags.dont_write_bytecode)\n");
  write_file(proj / "mod2.py", "Y = 2\n");
  auto b = pycache({"run", "--python", "3.9", "child.py"});
  EXPECT_EQ(b.out, "1\n") << b.err;
  EXPECT_TRUE(find_pycache_dirs(proj).empty()) << "no bytecode written, by it or its child";
  EXPECT_FALSE(fs::exists(prefix));
}

TEST_F(FlagsRun, ExplainAndPolicySayItOnceWithTheFlags) {
  auto x = pycache({"run", "--explain", "--python", "3.9", "-c", "pass"});
  EXPECT_EQ(x.exit_code, 0) << x.err;
  const auto at = x.err.find("not embedded");
  ASSERT_NE(at, std::string::npos) << x.err;
  EXPECT_EQ(x.err.find("not embedded", at + 1), std::string::npos) << "once: " << x.err;
  EXPECT_NE(x.err.find("pycache-embed-3.9.so"), std::string::npos) << "why: " << x.err;
  EXPECT_NE(x.err.find("-X pycache_prefix=" + prefix.native()), std::string::npos) << "which flags: " << x.err;
  auto p = pycache({"policy", "--python", "3.9"});
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find(python.native()), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("not embedded"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("python's flags -X pycache_prefix=" + prefix.native()), std::string::npos) << p.out;
}

TEST_F(FlagsRun, AVenvMadeByThatPythonRunsAsItsOwnPython) {
  auto made = direct({"-m", "venv", "--without-pip", (proj / ".venv").native()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  write_file(proj / ".venv/lib/python3.9/site-packages/inside.py", "WHERE = 'site-packages'\n");
  const std::string show = "import sys, inside; print(sys.prefix, sys.base_prefix, inside.WHERE, sys.pycache_prefix)";
  auto o = pycache({"run", "-c", show});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  auto own = run({{(proj / ".venv/bin/python").native(), "-c", show}, std::nullopt, env, proj});
  EXPECT_EQ(o.out, own.out.substr(0, own.out.rfind(' ')) + " " + prefix.native() + "\n") << "the venv's own python";
  EXPECT_EQ(o.out.rfind((proj / ".venv").native() + " ", 0), 0u) << o.out;
}

TEST_F(FlagsRun, AnUntrustedInterpreterIsStillRefusedNeverRun) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a directory to nobody";
  const fs::path theirs = t / "theirs";
  fs::create_directories(theirs);
  fs::create_symlink(python, theirs / "python3.9");
  ASSERT_EQ(::lchown((theirs / "python3.9").c_str(), 65534, 65534), 0);
  ASSERT_EQ(::chown(theirs.c_str(), 65534, 65534), 0);
  fs::create_directories(proj / ".venv/bin");
  write_file(proj / ".venv/pyvenv.cfg", "home = " + theirs.native() + "\nversion = 3.9.18\n");
  auto o = pycache({"run", "-c", "print('ran')"});
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_EQ(o.out, "") << "not run, through flags or otherwise";
  EXPECT_NE(o.err.find("nobody"), std::string::npos) << "why: " << o.err;
  EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << o.err;
}

}  // namespace
}  // namespace pycache::test
