// `pycache run` on a Python this build has no runtime for: an interpreter of
// the machine (pyenv's 3.12 here) found when pycache runs, run through its
// embedding module by the pycache-embedded program (the hand-off). Skips
// when pyenv's 3.12.1 is absent, or when the build has a 3.12 runtime of its
// own (which then answers first).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>

#include "process.hpp"
#include "python_layouts.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

class EmbeddedRun : public ::testing::Test {
 protected:
  TempDir t;
  Env env = isolated_env(t.path());
  fs::path proj = t / "proj";
  fs::path prefix = t / "pfx";
  fs::path python = pyenv_root() / "versions/3.12.1/bin/python3.12";

  void SetUp() override {
    if (std::getenv("PYCACHE_TEST_RUNTIME")) GTEST_SKIP() << "runtime independent: run with the default runtime";
    if (!fs::exists(python)) GTEST_SKIP() << "needs pyenv's 3.12.1 (" << python << ")";
    auto v = run({{pycache_bin().native(), "--version"}, std::nullopt, clean_env("/"), "/"});
    if (v.out.find("pycache-python3.12 ") != std::string::npos)
      GTEST_SKIP() << "this build has a 3.12 runtime of its own";
    env["PYENV_ROOT"] = pyenv_root().native();
    write_file(proj / "pycache.toml", "cache-prefix = \"../pfx\"\n");
    write_file(proj / "mod.py", "X = 1\n");
  }
  Outcome pycache(std::vector<std::string> args) {
    args.insert(args.begin(), pycache_bin().native());
    return run({args, std::nullopt, env, proj});
  }
  Outcome direct(std::vector<std::string> args) {
    args.insert(args.begin(), python.native());
    return run({args, std::nullopt, env, proj});
  }
};

TEST_F(EmbeddedRun, DotPythonVersionRunsOnThatInterpreterUnderThePolicy) {
  write_file(proj / ".python-version", "3.12\n");
  auto o = pycache({"run", "-c", "import sys, mod; print(sys.version_info[:2], sys.executable)"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  // sys.executable is pycache-python (pycache-embedded), which children start again.
  EXPECT_EQ(o.out, "(3, 12) " + pycache_python_bin().native() + "\n");
  EXPECT_EQ(o.err, "");
  EXPECT_EQ(find_files(prefix / proj.relative_path(), ".cpython-312.pyc").size(), 1u) << "mod's pyc, for 3.12";
  EXPECT_TRUE(find_pycache_dirs(proj).empty()) << "nothing in the tree";
  // A child started as sys.executable: the same Python, the same policy.
  write_file(proj / "child.py",
             "import subprocess, sys\n"
             "print(subprocess.run([sys.executable, '-c', 'import sys, json; "
             "print(sys.version_info[:2], sys.pycache_prefix)'], capture_output=True, text=True).stdout, end='')\n");
  auto c = pycache({"run", "child.py"});
  EXPECT_EQ(c.out, "(3, 12) " + prefix.native() + "\n") << c.err;
  // Which interpreter, and how it runs.
  auto p = pycache({"policy"});
  EXPECT_NE(p.out.find(python.native()), std::string::npos) << p.out;
  auto x = pycache({"run", "--explain", "-c", "pass"});
  EXPECT_NE(x.err.find("embedding module"), std::string::npos) << x.err;
}

TEST_F(EmbeddedRun, UnderPropagateNoneChildrenStillRunOnThatInterpreter) {
  write_file(proj / "pycache.toml", "cache-prefix = \"../pfx\"\npropagate = \"none\"\n");
  write_file(proj / ".python-version", "3.12\n");
  write_file(proj / "child.py",
             "import subprocess, sys\n"
             "print(subprocess.run([sys.executable, '-c', 'import sys; print(sys.version_info[:2], "
             "sys.pycache_prefix)'], capture_output=True, text=True), end='')\n");
  auto c = pycache({"run", "child.py"});
  // Nothing inherited: as any pycache-python, the child finds the project's policy itself.
  EXPECT_NE(c.out.find("stdout='(3, 12) " + prefix.native() + "\\n'"), std::string::npos)
      << "the child: " << c.out << c.err;
}

TEST_F(EmbeddedRun, AVenvMadeByThatPythonRunsAndImportsFromItsSitePackages) {
  auto made = direct({"-m", "venv", "--without-pip", (proj / ".venv").native()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  write_file(proj / ".venv/lib/python3.12/site-packages/inside.py", "WHERE = 'site-packages'\n");
  auto o = pycache({"run", "-c", "import sys, inside; print(sys.version_info[:3], sys.prefix, inside.WHERE)"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "(3, 12, 1) " + (proj / ".venv").native() + " site-packages\n");
  auto own = run({{(proj / ".venv/bin/python").native(), "-c", "import sys; print(sys.prefix, sys.base_prefix)"},
                  std::nullopt,
                  env,
                  proj});
  EXPECT_EQ(pycache({"run", "-c", "import sys; print(sys.prefix, sys.base_prefix)"}).out, own.out);
  write_file(proj / "child.py",
             "import subprocess, sys\n"
             "print(subprocess.run([sys.executable, '-c', 'import sys, inside; print(sys.version_info[:2], "
             "sys.prefix)'], capture_output=True, text=True).stdout, end='')\n");
  auto c = pycache({"run", "child.py"});
  EXPECT_EQ(c.out, "(3, 12) " + (proj / ".venv").native() + "\n") << c.err;
}

TEST_F(EmbeddedRun, AnExactVersionMustBeThatOneAndExitStatusIsPythons) {
  auto ok = pycache({"run", "--python", "3.12.1", "-c", "import sys; print(sys.version_info[:3])"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "(3, 12, 1)\n");
  auto no = pycache({"run", "--python", "3.12.9", "-c", "pass"});
  EXPECT_EQ(no.exit_code, 3);
  EXPECT_EQ(no.out, "");
  EXPECT_EQ(no.err.rfind("pycache: error: ", 0), 0u) << no.err;
  EXPECT_NE(no.err.find("3.12.9"), std::string::npos) << no.err;
  EXPECT_EQ(no.err.find('\n'), no.err.size() - 1) << no.err;
  EXPECT_EQ(no.err.find("cmake"), std::string::npos) << "no rebuild hint: " << no.err;
  const std::vector<std::string> exit7{"-c", "import sys; print('out'); raise SystemExit(7)"};
  std::vector<std::string> args{"run", "--python", "3.12"};
  args.insert(args.end(), exit7.begin(), exit7.end());
  auto via = pycache(args);
  auto own = direct(exit7);
  EXPECT_EQ(via.exit_code, 7) << via.err;
  EXPECT_EQ(via.exit_code, own.exit_code);
  EXPECT_EQ(via.out, own.out);
}

TEST_F(EmbeddedRun, RequiresPythonNoRuntimeSatisfiesTakesAnInterpreterThatDoes) {
  write_file(proj / "pyproject.toml", "[project]\nname = \"p\"\nrequires-python = \">=3.12,<3.13\"\n");
  auto o = pycache({"run", "-c", "import sys; print(sys.version_info[:2])"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "(3, 12)\n");
}

TEST_F(EmbeddedRun, AVenvWhoseHomeIsAnotherUsersIsRefusedNeverAnotherPython) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a directory to nobody";
  // The venv's home: a directory of nobody's holding a link to pyenv's 3.12.
  const fs::path theirs = t / "theirs";
  fs::create_directories(theirs);
  fs::create_symlink(python, theirs / "python3.12");
  ASSERT_EQ(::lchown((theirs / "python3.12").c_str(), 65534, 65534), 0);
  ASSERT_EQ(::chown(theirs.c_str(), 65534, 65534), 0);
  fs::create_directories(proj / ".venv/bin");
  write_file(proj / ".venv/pyvenv.cfg", "home = " + theirs.native() + "\nversion = 3.12.1\n");
  auto o = pycache({"run", "-c", "print('ran')"});
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_EQ(o.out, "") << "not run on pyenv's 3.12 found elsewhere either";
  EXPECT_EQ(o.err.rfind("pycache: error: nothing here runs Python 3.12 (default (the venv ", 0), 0u) << o.err;
  EXPECT_NE(o.err.find("nobody"), std::string::npos) << "why: " << o.err;
  EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << o.err;
}

// pycache-embedded by its own name is python, on the Python it chooses as
// pycache-python does (here the default).
TEST_F(EmbeddedRun, TheEmbeddingProgramStartedByHandIsPython) {
  const fs::path program = fs::canonical(pycache_bin()).parent_path() / "pycache-embedded";
  auto o = run({{program.native(), "-c", "print('ran')"}, std::nullopt, env, proj});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "ran\n");
  EXPECT_EQ(o.err, "");
  // A hand-off naming an interpreter that can't be used is refused, not run.
  Env forged = env;
  forged["PYCACHE_HANDOFF"] = "garbage";
  EXPECT_EQ(run({{program.native(), "-c", "print('ran')"}, std::nullopt, forged, proj}).out, "");
}

// compile, status and show on an interpreter of the machine: its pycs,
// written by its own compiler (workers of pycache-embedded loading its
// module), which it then reads without rewriting.
TEST_F(EmbeddedRun, CompileStatusAndShowUseTheInterpreterFound) {
  write_file(proj / ".python-version", "3.12\n");
  auto c = pycache({"compile", "."});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const auto pycs = find_files(prefix / proj.relative_path(), ".cpython-312.pyc");
  ASSERT_EQ(pycs.size(), 1u) << c.out;
  EXPECT_TRUE(find_pycache_dirs(proj).empty()) << "nothing in the tree";
  const auto before = fs::last_write_time(pycs[0]);
  auto imported = direct({"-X", "pycache_prefix=" + prefix.native(), "-c", "import mod; print(mod.X)"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(fs::last_write_time(pycs[0]), before) << "3.12 took the pyc as its own";
  EXPECT_EQ(pycache({"status", "--check"}).exit_code, 0);
  auto s = pycache({"status"});
  EXPECT_NE(s.out.find("cpython-312 opt 0 in the prefix: 1 compiled (1 fresh)"), std::string::npos) << s.out;
  auto d = pycache({"show", "--dis", "mod.py"});
  EXPECT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.out.find("magic   3531: Python 3.12"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("\ndisassembly:\n"), std::string::npos) << d.out;
}

}  // namespace
}  // namespace pycache::test
