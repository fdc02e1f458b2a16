// `pycache run` / pycache-python on fixture projects, against the embedded
// interpreter's own python run the same way.
#include <gtest/gtest.h>
#include <signal.h>

#include "process.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

class Run : public ::testing::Test {
 protected:
  TempDir t;
  fs::path proj = t / "proj";
  Env env = isolated_env(t.path());

  void SetUp() override {
    write_file(proj / "pkg/__init__.py", "VALUE = 1\n");
    write_file(proj / "pkg/mod.py", "def f():\n    assert False, 'asserts on'\n    return 'ok'\n");
    write_file(proj / "main.py",
               "import sys, pkg, pkg.mod\n"
               "print(sys.flags.optimize, sys.dont_write_bytecode, sys.pycache_prefix)\n");
  }
  void policy(const std::string& body) {
    write_file(proj / "pyproject.toml", "[project]\nname = \"p\"\n\n[tool.pycache]\n" + body);
  }
  Outcome pycache(std::vector<std::string> args, const fs::path& cwd = {}) {
    args.insert(args.begin(), {pycache_bin().native(), "run"});
    return run({args, std::nullopt, env, cwd.empty() ? proj : cwd});
  }
  Outcome python(std::vector<std::string> args, const fs::path& cwd = {}) {
    args.insert(args.begin(), reference_python().native());
    return run({args, std::nullopt, env, cwd.empty() ? proj : cwd});
  }
  std::vector<fs::path> pycs(const fs::path& root) { return find_files(root, ".pyc"); }
};

TEST_F(Run, WriteBytecodeFalseLeavesNoPycacheAnywhere) {
  policy("write-bytecode = false\n");
  auto o = pycache({"main.py"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "0 True None\n");
  EXPECT_TRUE(find_pycache_dirs(proj).empty());
  // The same run under plain python writes them: the fixture can fail.
  auto p = python({"main.py"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_FALSE(find_pycache_dirs(proj).empty());
}

TEST_F(Run, PolicyBeatsPythondontwritebytecodeInTheEnvironment) {
  policy("write-bytecode = true\n");
  env["PYTHONDONTWRITEBYTECODE"] = "1";
  auto o = pycache({"main.py"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "0 False None\n");
  EXPECT_EQ(pycs(proj / "pkg").size(), 2u);
}

TEST_F(Run, EnvironmentAppliesWithoutPolicyAndNotUnderE) {
  env["PYTHONDONTWRITEBYTECODE"] = "1";
  auto o = pycache({"main.py"});
  EXPECT_EQ(o.out, "0 True None\n");
  EXPECT_TRUE(find_pycache_dirs(proj).empty());
  auto e = pycache({"-E", "main.py"});
  EXPECT_EQ(e.out, "0 False None\n") << e.err;
  EXPECT_EQ(pycs(proj / "pkg").size(), 2u);
}

TEST_F(Run, CachePrefixMirrorsAbsoluteSourcePathsAsCPythonDoes) {
  policy("cache-prefix = \".pyc-cache\"\n");
  auto o = pycache({(proj / "main.py").native()}, t.path());  // from another cwd: relative to the policy file
  ASSERT_EQ(o.exit_code, 0) << o.err;
  fs::path prefix = proj / ".pyc-cache";
  EXPECT_EQ(o.out, "0 False " + prefix.native() + "\n");
  std::string tag = python_cache_tag();
  EXPECT_TRUE(fs::exists(prefix / fs::path(proj.native().substr(1)) / "pkg" / ("__init__." + tag + ".pyc")));
  EXPECT_TRUE(fs::exists(prefix / fs::path(proj.native().substr(1)) / "pkg" / ("mod." + tag + ".pyc")));
  for (const auto& d : find_pycache_dirs(proj)) ADD_FAILURE() << "pycache dir in tree: " << d;

  // Same layout as CPython's own prefix handling.
  TempDir ref;
  auto p = python({"-X", "pycache_prefix=" + ref.path().native(), "main.py"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_TRUE(fs::exists(ref / fs::path(proj.native().substr(1)) / "pkg" / ("mod." + tag + ".pyc")));
}

TEST_F(Run, PrefixStaysAbsoluteAfterChdir) {
  policy("cache-prefix = \"pfx\"\n");
  std::string script = "import os, sys\nos.chdir('/')\nsys.path.insert(0, '" + proj.native() +
                       "')\nimport pkg.mod\nprint(pkg.mod.__cached__)\n";
  write_file(proj / "chdir.py", script);
  auto o = pycache({"chdir.py"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out.rfind((proj / "pfx").native(), 0), 0u) << o.out;
  EXPECT_TRUE(fs::exists(fs::path(o.out.substr(0, o.out.size() - 1))));
}

TEST_F(Run, OptimizeNamesAndNoStacking) {
  policy("optimize = 1\n");
  auto o = pycache({"-O", "-c", "import sys, pkg.mod; print(sys.flags.optimize, pkg.mod.f())"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "1 ok\n") << "policy 1 plus -O stays 1";
  EXPECT_TRUE(fs::exists(proj / "pkg/__pycache__" / ("mod." + python_cache_tag() + ".opt-1.pyc")));
  policy("optimize = 2\n");
  auto o2 = pycache({"-c", "import sys, pkg.mod; print(sys.flags.optimize, pkg.mod.f.__doc__)"});
  EXPECT_EQ(o2.out, "2 None\n") << o2.err;
  EXPECT_TRUE(fs::exists(proj / "pkg/__pycache__" / ("mod." + python_cache_tag() + ".opt-2.pyc")));
  auto o3 = pycache({"--optimize", "0", "-c", "import sys; print(sys.flags.optimize)"});
  EXPECT_EQ(o3.out, "0\n");
}

TEST_F(Run, HashBasedPycsCheckedPerMode) {
  write_file(proj / "h.py", "X = 'old'\n");
  auto c = python(
      {"-c",
       "import py_compile; py_compile.compile('h.py', invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  write_file(proj / "h.py", "X = 'new'\n");
  policy("write-bytecode = false\ncheck-hash-based-pycs = \"never\"\n");
  EXPECT_EQ(pycache({"-c", "import h; print(h.X)"}).out, "old\n");
  policy("write-bytecode = false\ncheck-hash-based-pycs = \"default\"\n");
  EXPECT_EQ(pycache({"-c", "import h; print(h.X)"}).out, "new\n");
  // The command line beats the policy.
  EXPECT_EQ(pycache({"--check-hash-based-pycs", "never", "-c", "import h; print(h.X)"}).out, "old\n");
}

TEST_F(Run, ExitStatusesMatchPython) {
  const std::vector<std::vector<std::string>> cases = {
      {"-c", "pass"},
      {"-c", "import sys; sys.exit(7)"},
      {"-c", "import sys; sys.exit(300)"},
      {"-c", "import sys; sys.exit('message')"},
      {"-c", "raise ValueError('x')"},
      {"missing.py"},
      {"-m", "no_such_module"},
      {"-c", "import sys; sys.stdout.flush(); sys.stdout.close(); print('x')"},
  };
  for (const auto& args : cases) {
    auto a = pycache(args);
    auto b = python(args);
    EXPECT_EQ(a.exit_code, b.exit_code) << args.back();
    EXPECT_EQ(a.signal, b.signal) << args.back();
    EXPECT_EQ(a.out, b.out) << args.back();
  }
  auto m = pycache({"-m", "no_such_module"});
  EXPECT_EQ(m.exit_code, 1);
  EXPECT_NE(m.err.find("No module named no_such_module"), std::string::npos) << m.err;
}

TEST_F(Run, KeyboardInterruptEndsTheProcessBySigint) {
  auto a = pycache({"-c", "raise KeyboardInterrupt"});
  auto b = python({"-c", "raise KeyboardInterrupt"});
  EXPECT_EQ(b.signal, SIGINT);
  EXPECT_EQ(a.signal, b.signal);
  EXPECT_EQ(a.exit_code, b.exit_code);
}

TEST_F(Run, ArgvByteForByteIncludingNonUtf8) {
  const std::string show =
      "import os, sys; print([os.fsencode(a) for a in sys.argv]); print([os.fsencode(a) for a in sys.orig_argv[1:]])";
  std::vector<std::string> args = {"-c", show, "plain", "sp ace", "caf\xc3\xa9", "bad\xff\xfe", "", "-O", "--x"};
  auto a = pycache(args);
  auto b = python(args);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out.find("bad\\xff\\xfe"), std::string::npos) << a.out;
  // And under pycache-python, orig_argv[0] is what it was started as.
  auto c = run(
      {{pycache_python_bin().native(), "-c", "import sys; print(sys.orig_argv[0] == sys.argv[0] or sys.orig_argv[0])"},
       std::nullopt,
       env,
       proj});
  EXPECT_EQ(c.out, pycache_python_bin().native() + "\n");
}

TEST_F(Run, ScriptOnStdin) {
  Process p{{pycache_bin().native(), "run", "-", "arg1"},
            std::nullopt,
            env,
            proj,
            "import sys\nprint(sys.argv)\nraise SystemExit(3)\n"};
  auto a = run(p);
  p.argv = {reference_python().native(), "-", "arg1"};
  auto b = run(p);
  EXPECT_EQ(a.out, "['-', 'arg1']\n");
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.exit_code, 3);
}

TEST_F(Run, UnwritablePrefixWarnsOnceAndStillRuns) {
  write_file(proj / "blocker", "a file, not a directory\n");
  policy("cache-prefix = \"blocker/pfx\"\nread-only = \"skip\"\n");
  auto o = pycache({"main.py"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "0 True " + (proj / "blocker/pfx").native() + "\n");
  EXPECT_EQ(o.err.rfind("pycache: warning: cache prefix '", 0), 0u) << o.err;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1);
  EXPECT_TRUE(find_pycache_dirs(proj).empty());
}

TEST_F(Run, UnwritablePrefixFallsBackToTheUserCacheByDefault) {
  write_file(proj / "blocker", "a file, not a directory\n");
  policy("cache-prefix = \"blocker/pfx\"\n");
  env["XDG_CACHE_HOME"] = (t / "xdg").native();
  auto o = pycache({"--log-level", "info", "main.py"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  fs::path fallback = t / "xdg/pycache";
  EXPECT_EQ(o.out, "0 False " + fallback.native() + "\n");
  EXPECT_EQ(o.err.rfind("pycache: info: '" + (proj / "blocker/pfx").native() + "' can't be written", 0), 0u) << o.err;
  EXPECT_TRUE(
      fs::exists(fallback / fs::path(proj.native().substr(1)) / "pkg" / ("mod." + python_cache_tag() + ".pyc")));
  EXPECT_TRUE(find_pycache_dirs(proj).empty());
  // Quiet at the default level.
  EXPECT_EQ(pycache({"main.py"}).err, "");
}

TEST_F(Run, BadPolicyStopsBeforePythonStarts) {
  policy("optimize = \"high\"\n");
  write_file(proj / "side_effect.py", "open('ran', 'w').write('x')\n");
  auto o = pycache({"side_effect.py"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err, "pycache: error: " + (proj / "pyproject.toml").native() +
                       ":5:12: 'optimize' must be 0, 1 or 2, not a string\n");
  EXPECT_FALSE(fs::exists(proj / "ran"));
}

TEST_F(Run, ExplainPrintsSettingsWithOriginsToStderr) {
  policy("optimize = 1\n");
  auto o = pycache({"--explain", "--cache-prefix", "/tmp/x-prefix", "-B", "-c", "print('hi')"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "hi\n");
  EXPECT_NE(o.err.find("optimize = 1"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find((proj / "pyproject.toml").native() + ":5:12"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("cache-prefix = \"/tmp/x-prefix\""), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("command line --cache-prefix"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("write-bytecode = false"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("command line -B"), std::string::npos) << o.err;
}

TEST_F(Run, PolicyIsFoundFromTheScriptNotTheCwd) {
  policy("write-bytecode = false\n");
  fs::create_directories(t / "elsewhere");
  auto o = pycache({(proj / "main.py").native()}, t / "elsewhere");
  EXPECT_EQ(o.out, "0 True None\n");
  // -c looks from the cwd: no policy there.
  auto c = pycache({"-c", "import sys; print(sys.dont_write_bytecode)"}, t / "elsewhere");
  EXPECT_EQ(c.out, "False\n");
}

// A launcher outside the project (a console script in /usr/bin or a venv, a
// runpy wrapper) runs under the policy of where the user stands.
TEST_F(Run, AScriptOutsideEveryProjectRunsUnderThePolicyOfTheCurrentDirectory) {
  policy("cache-prefix = \"../pfx\"\n");
  write_file(t / "tools/bin/tool", "#!/usr/bin/env python3\nimport sys, pkg.mod\nprint(sys.pycache_prefix)\n");
  fs::permissions(t / "tools/bin/tool", fs::perms::owner_all, fs::perm_options::add);
  env["PYTHONPATH"] = proj.native();
  auto o = pycache({"--explain", (t / "tools/bin/tool").native()});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, (t / "pfx").native() + "\n");
  EXPECT_NE(o.err.find("# found from the current directory " + proj.native() + " (the script lies in no project)"),
            std::string::npos)
      << o.err;
  EXPECT_TRUE(find_pycache_dirs(proj).empty()) << "pkg's pycs go to the prefix";
  // A script inside another project keeps that project's policy.
  write_file(t / "other/pycache.toml", "write-bytecode = false\n");
  write_file(t / "other/tool.py", "import sys\nprint(sys.dont_write_bytecode, sys.pycache_prefix)\n");
  EXPECT_EQ(pycache({(t / "other/tool.py").native()}).out, "True None\n");
}

// python imports beside the real script (sys.path[0] is the directory of its
// real path): a script run through a symbolic link is under that project's
// policy, not the link's.
TEST_F(Run, AScriptRunThroughASymlinkIsUnderThePolicyOfItsRealDirectory) {
  write_file(t / "links/pycache.toml", "write-bytecode = false\n");
  write_file(t / "real/pycache.toml", "cache-prefix = \"pfx\"\n");
  write_file(t / "real/src/helper.py", "WHERE = 'real'\n");
  write_file(t / "real/src/tool.py",
             "import sys, helper\nprint(helper.WHERE, sys.path[0], sys.dont_write_bytecode, sys.pycache_prefix)\n");
  fs::create_directories(t / "links/bin");
  fs::create_symlink("../../real/src/tool.py", t / "links/bin/tool.py");
  const std::string expected = "real " + (t / "real/src").native() + " False " + (t / "real/pfx").native() + "\n";
  auto relative = pycache({"links/bin/tool.py"}, t.path());
  ASSERT_EQ(relative.exit_code, 0) << relative.err;
  EXPECT_EQ(relative.out, expected);
  for (const fs::path& cwd : {t / "links", t.path()}) {
    auto o = pycache({(t / "links/bin/tool.py").native()}, cwd);
    EXPECT_EQ(o.out, expected) << cwd << ": " << o.err;
    auto py = run({{pycache_python_bin().native(), (t / "links/bin/tool.py").native()}, std::nullopt, env, cwd});
    EXPECT_EQ(py.out, expected) << cwd << ": " << py.err;
    // python's own sys.path[0], for the record.
    auto ref = python({(t / "links/bin/tool.py").native()}, cwd);
    EXPECT_EQ(ref.out.substr(0, ref.out.find(" False")), "real " + (t / "real/src").native()) << ref.err;
  }
  EXPECT_TRUE(fs::exists(t / "real/pfx" / (t / "real/src").relative_path() / ("helper." + python_cache_tag() + ".pyc")))
      << "helper's pyc in real's prefix";
  auto policy =
      run({{pycache_bin().native(), "policy", (t / "links/bin/tool.py").native()}, std::nullopt, env, t.path()});
  EXPECT_NE(policy.out.find("# policy file: " + (t / "real/pycache.toml").native()), std::string::npos) << policy.out;
}

TEST_F(Run, AConsoleScriptByItsNameFromTheVenvThenPath) {
  policy("cache-prefix = \"../pfx\"\n");
  write_file(t / "tools/bin/tool", "#!/usr/bin/python3\nimport sys\nprint('tool', sys.argv[1:], sys.pycache_prefix)\n");
  fs::permissions(t / "tools/bin/tool", fs::perms::owner_all, fs::perm_options::add);
  env["PATH"] = (t / "tools/bin").native() + ":" + env["PATH"];
  auto o = pycache({"tool", "-x", "y"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "tool ['-x', 'y'] " + (t / "pfx").native() + "\n");
  // The project's venv first.
  auto v = python({"-m", "venv", "--without-pip", (proj / ".venv").native()});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  write_file(proj / ".venv/bin/tool", "#!/usr/bin/env python\nimport sys\nprint('venv tool', sys.prefix)\n");
  fs::permissions(proj / ".venv/bin/tool", fs::perms::owner_all, fs::perm_options::add);
  EXPECT_EQ(pycache({"tool"}).out, "venv tool " + (proj / ".venv").native() + "\n");
  // Not Python: run as a command (test_run_command.cpp). Not there: one line.
  write_file(t / "tools/bin/shell-tool", "#!/bin/sh\necho hi\n");
  fs::permissions(t / "tools/bin/shell-tool", fs::perms::owner_all, fs::perm_options::add);
  auto sh = pycache({"shell-tool"});
  EXPECT_EQ(sh.exit_code, 0) << sh.err;
  EXPECT_EQ(sh.out, "hi\n");
  auto none = pycache({"no-such-tool-xyz"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_EQ(none.err,
            "pycache: error: 'no-such-tool-xyz' not found: no such file, and no command of that name in the venv or "
            "on PATH\n");
}

// `pycache run pytest` as `uv run pytest`: the real console script, its
// rewritten test modules and everything it imports under the policy.
TEST_F(Run, PytestByItsNameLeavesTheTreeClean) {
  if (reference_python() != fs::path("/usr/bin/python3") && fs::canonical(reference_python()) != "/usr/bin/python3.11")
    GTEST_SKIP() << "Debian's pytest runs on Debian's python only";
  if (access("/usr/bin/pytest", X_OK) != 0) GTEST_SKIP() << "needs python3-pytest";
  policy("cache-prefix = \"../pfx\"\n");
  write_file(proj / "tests/helper.py", "VALUE = 1\n");
  write_file(proj / "tests/test_it.py", "import helper\n\ndef test_value():\n    assert helper.VALUE == 1\n");
  auto o = pycache({"pytest", "-q", "-p", "no:cacheprovider", "tests"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("1 passed"), std::string::npos) << o.out;
  EXPECT_TRUE(find_pycache_dirs(proj).empty()) << "pytest's rewrites and helper's pycs went to the prefix";
  EXPECT_FALSE(pycs(t / "pfx").empty());
}

// tox with basepython = pycache-python: tox asks virtualenv, which queries the
// interpreter and makes the env from it; the env's python is pycache-python,
// and the commands tox runs follow the project's policy.
TEST_F(Run, ToxWithBasepythonPycachePythonRunsUnderThePolicy) {
  if (reference_python() != fs::path("/usr/bin/python3") && fs::canonical(reference_python()) != "/usr/bin/python3.11")
    GTEST_SKIP() << "Debian's virtualenv seeds envs offline for Debian's python only";
  if (access("/usr/bin/tox", X_OK) != 0) GTEST_SKIP() << "needs tox (Debian package)";
  policy("cache-prefix = \"" + (t / "pfx").native() + "\"\n");
  write_file(proj / "mod.py", "X = 1\n");
  write_file(proj / "tox.ini",
             "[tox]\nenvlist = py\nskipsdist = true\n[testenv]\nbasepython = " + pycache_python_bin().native() +
                 "\nskip_install = true\ncommands = python -c \"import sys, mod; print('prefix', sys.pycache_prefix); "
                 "print('exe', sys.executable)\"\n");
  auto o = run({{"/usr/bin/tox", "-q"}, std::nullopt, env, proj});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("prefix " + (t / "pfx").native() + "\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("exe " + (proj / ".tox/py/bin/python").native() + "\n"), std::string::npos) << o.out;
  EXPECT_TRUE(fs::exists(proj / ".tox/py/pyvenv.cfg"));
  EXPECT_FALSE(fs::exists(proj / "__pycache__")) << "mod's pyc went to the prefix";
  EXPECT_FALSE(pycs(t / "pfx").empty());
}

}  // namespace
}  // namespace pycache::test
