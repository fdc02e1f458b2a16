// `pycache run NAME` where NAME is a program that is not a Python script (a
// shell script, an ELF executable in the venv's bin/ or on PATH, a file named
// by its path), as `uv run`: it runs in pycache's place, with the venv's bin/
// first on PATH and VIRTUAL_ENV set, and the Pythons it starts follow the
// policy.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "process.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

class RunCommand : public ::testing::Test {
 protected:
  TempDir t;
  fs::path proj = t / "proj";
  fs::path venv = proj / ".venv";
  fs::path pfx = t / "pfx";
  Env env = isolated_env(t.path());
  // What a Python started by the command prints: its prefix, pycache prefix and executable.
  const std::string probe = "import sys, pkg; print(sys.prefix, sys.pycache_prefix, sys.dont_write_bytecode)";

  void SetUp() override {
    write_file(proj / "pyproject.toml", "[tool.pycache]\ncache-prefix = \"../pfx\"\n");
    write_file(proj / "pkg/__init__.py", "VALUE = 1\n");
  }
  // A venv made by `python`: the reference python's (a plain python), or
  // pycache-python's (its python is pycache-python).
  void make_venv(const fs::path& python) {
    auto made = run({{python.native(), "-m", "venv", "--without-pip", venv.native()}, std::nullopt, env, t.path()});
    ASSERT_EQ(made.exit_code, 0) << made.err;
  }
  static void executable(const fs::path& file, const std::string& text) {
    write_file(file, text);
    ASSERT_EQ(::chmod(file.c_str(), 0755), 0);
  }
  Outcome pycache(std::vector<std::string> args, const fs::path& cwd = {}) {
    args.insert(args.begin(), {pycache_bin().native(), "run"});
    return run({args, std::nullopt, env, cwd.empty() ? proj : cwd});
  }
  // The policy reached the Python the command started: pkg's pyc in the
  // prefix, no __pycache__ in the tree.
  void expect_policy_reached() {
    EXPECT_TRUE(find_pycache_dirs(proj).empty()) << "a __pycache__ in the tree";
    EXPECT_TRUE(fs::exists(pfx / proj.relative_path() / "pkg" / ("__init__." + python_cache_tag() + ".pyc")))
        << "pkg's pyc in the prefix";
  }
};

TEST_F(RunCommand, AShellScriptInTheVenvRunsWithTheVenvFirstOnPathAndItsOwnExitStatus) {
  make_venv(reference_python());
  executable(venv / "bin/tool",
             "#!/bin/sh\n"
             "echo \"PATH=$PATH\"\n"
             "echo \"VIRTUAL_ENV=$VIRTUAL_ENV\"\n"
             "echo \"args=$*\"\n"
             "python3 -c '" +
                 probe +
                 "'\n"
                 "exit 7\n");
  auto o = pycache({"tool", "a", "b c"});
  EXPECT_EQ(o.exit_code, 7) << o.err;
  EXPECT_EQ(o.err, "");
  EXPECT_EQ(o.out, "PATH=" + (venv / "bin").native() + ":" + env["PATH"] + "\nVIRTUAL_ENV=" + venv.native() +
                       "\nargs=a b c\n" + venv.native() + " " + pfx.native() + " False\n");
  expect_policy_reached();
}

// A plain python started by the command gets the policy through python's
// variables; write-bytecode = false reaches it as PYTHONDONTWRITEBYTECODE.
TEST_F(RunCommand, AnElfExecutableInTheVenvRunsAndItsPlainPythonFollowsThePolicy) {
  make_venv(reference_python());
  fs::copy_file("/usr/bin/env", venv / "bin/tool");
  auto o = pycache({"tool", "python3", "-c", probe});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, venv.native() + " " + pfx.native() + " False\n");
  expect_policy_reached();
  write_file(proj / "pyproject.toml", "[tool.pycache]\nwrite-bytecode = false\n");
  fs::remove_all(pfx);
  auto off = pycache({"tool", "python3", "-c", probe});
  EXPECT_EQ(off.out, venv.native() + " None True\n") << off.err;
  EXPECT_TRUE(find_pycache_dirs(proj).empty());
}

// In a venv pycache-python made, the command's python is pycache-python:
// embedded, under the whole policy (PYCACHE_POLICY), the venv's.
TEST_F(RunCommand, InAVenvOfPycachePythonTheCommandsPythonIsPycachePython) {
  make_venv(pycache_python_bin());
  fs::copy_file("/usr/bin/env", venv / "bin/tool");
  auto o = pycache({"tool", "python", "-c", probe + "; import os; print(os.path.realpath(sys.executable))"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out,
            venv.native() + " " + pfx.native() + " False\n" + fs::canonical(pycache_python_bin()).native() + "\n");
  expect_policy_reached();
}

TEST_F(RunCommand, ACommandOnPathRunsAndWithoutAVenvNoVirtualEnvIsSet) {
  executable(t / "tools/tool", "#!/bin/sh\necho \"[$VIRTUAL_ENV]\" \"$0\"\nexec " + reference_python().native() +
                                   " -c '" + probe + "'\n");
  env["PATH"] = (t / "tools").native() + ":" + env["PATH"];
  auto o = pycache({"tool"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  std::string base =
      run({{reference_python().native(), "-c", "import sys; print(sys.prefix)"}, std::nullopt, env, proj}).out;
  base.pop_back();
  EXPECT_EQ(o.out, "[] " + (t / "tools/tool").native() + "\n" + base + " " + pfx.native() + " False\n");
  expect_policy_reached();
  // No #! line: /bin/sh runs it, as a shell and execvp do.
  executable(t / "tools/nosh", "echo \"no #! line\" \"$@\"\n");
  auto nosh = pycache({"nosh", "x"});
  EXPECT_EQ(nosh.exit_code, 0) << nosh.err;
  EXPECT_EQ(nosh.out, "no #! line x\n");
}

// A command killed by a signal dies of it, as a python pycache runs does
// (the shell reports 128 + n): pycache has become the command.
TEST_F(RunCommand, ACommandKilledByASignalDiesOfIt) {
  executable(proj / "bin/die", "#!/bin/sh\nkill -TERM $$\nsleep 5\n");
  env["PATH"] = (proj / "bin").native() + ":" + env["PATH"];
  auto o = pycache({"die"});
  EXPECT_EQ(o.signal, SIGTERM) << o.exit_code << o.err;
  auto py = pycache({"-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"});
  EXPECT_EQ(py.signal, SIGTERM);
}

// A file named by its path: a .py, a file with no #! line or with python's,
// or one that is not executable, is python's to run (as before); an
// executable with another #! line, or an ELF, is a command.
TEST_F(RunCommand, AFileNamedByItsPathIsACommandWhenExecutableAndNotPython) {
  executable(proj / "build.sh",
             "#!/bin/sh\necho built \"$@\"\nexec " + reference_python().native() + " -c '" + probe + "'\n");
  auto o = pycache({"./build.sh", "x"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out.substr(0, 8), "built x\n") << o.out;
  expect_policy_reached();
  auto bare = pycache({"build.sh", "y"});  // a file of the current directory, by its name
  EXPECT_EQ(bare.out.substr(0, 8), "built y\n") << bare.err;
  fs::copy_file("/usr/bin/env", proj / "env-copy");
  auto elf = pycache({(proj / "env-copy").native(), "sh", "-c", "echo elf $VIRTUAL_ENV"});
  EXPECT_EQ(elf.out, "elf\n") << elf.err;
  // python's, as before.
  executable(proj / "script", "print('python ran me')\n");
  executable(proj / "shebang", "#!/usr/bin/env python3\nprint('python ran me too')\n");
  write_file(proj / "plain.sh", "print('not executable: python')\n");
  executable(proj / "bash.py", "#!/bin/bash\nprint('a .py is python')\n");
  EXPECT_EQ(pycache({"./script"}).out, "python ran me\n");
  EXPECT_EQ(pycache({"./shebang"}).out, "python ran me too\n");
  EXPECT_EQ(pycache({"./plain.sh"}).out, "not executable: python\n");
  EXPECT_EQ(pycache({"./bash.py"}).out, "a .py is python\n");
}

// A command named by its path runs in the current directory's project (its
// policy, its venv), as `uv run` runs it, not in the project of the file's
// directory: it is no script python imports beside.
TEST_F(RunCommand, ACommandNamedByItsPathRunsInTheCurrentDirectorysProject) {
  make_venv(reference_python());
  write_file(t / "elsewhere/pyproject.toml", "[tool.pycache]\nwrite-bytecode = false\n");
  executable(t / "elsewhere/tool.sh", "#!/bin/sh\necho \"$VIRTUAL_ENV\"\nexec python3 -c '" + probe + "'\n");
  auto o = pycache({(t / "elsewhere/tool.sh").native()});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, venv.native() + "\n" + venv.native() + " " + pfx.native() + " False\n");
  expect_policy_reached();
}

TEST_F(RunCommand, PythonsOptionsBeforeACommandAreRefused) {
  executable(proj / "bin/tool", "#!/bin/sh\necho ran\n");
  env["PATH"] = (proj / "bin").native() + ":" + env["PATH"];
  auto o = pycache({"-O", "tool"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err, "pycache: error: '" + (proj / "bin/tool").native() +
                       "' is not a Python script: python's options before it ('-O') can't apply to it; pycache's "
                       "own options can (pycache run --help)\n");
}

TEST_F(RunCommand, AMisspelledNameGetsADidYouMean) {
  make_venv(reference_python());
  executable(venv / "bin/pytest", "#!/bin/sh\necho pytest\n");
  auto o = pycache({"pytset", "-x"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err,
            "pycache: error: 'pytset' not found: no such file, and no command of that name in the venv or on PATH; "
            "did you mean 'pytest'?\n");
  // Nothing close: no hint.
  auto none = pycache({"no-such-tool-xyz"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_EQ(none.err,
            "pycache: error: 'no-such-tool-xyz' not found: no such file, and no command of that name in the venv or "
            "on PATH\n");
}

// Another user's executable in a directory everyone can write, named by its
// path, is never run as a command.
TEST_F(RunCommand, AnotherUsersExecutableInASharedDirectoryIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to leave files owned by nobody";
  fs::create_directories(t / "shared");
  ASSERT_EQ(::chmod((t / "shared").c_str(), 01777), 0);
  executable(t / "shared/tool.sh", "#!/bin/sh\necho planted\n");
  ASSERT_EQ(::lchown((t / "shared/tool.sh").c_str(), 65534, 65534), 0);
  auto o = pycache({(t / "shared/tool.sh").native()});
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err, "pycache: error: refusing to run '" + (t / "shared/tool.sh").native() + "': '" +
                       (t / "shared/tool.sh").native() +
                       "' is owned by nobody (uid 65534), not by you or root; to trust it, add \"" +
                       (t / "shared").native() + "\" to safe-directories in " +
                       (t / "home/.config/pycache/config.toml").native() + "\n");
}

}  // namespace
}  // namespace pycache::test
