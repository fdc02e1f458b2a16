// #3: the policy holds for the whole process tree, in the project's venv.
// Every test: a fixture project with a prefix policy and a clean tree; no
// __pycache__ may appear in the tree, and the children's pycs land in the prefix.
#include <gtest/gtest.h>

#include "process.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

class Children : public ::testing::Test {
 protected:
  TempDir t;
  fs::path proj = t / "proj";
  fs::path prefix = t / "pfx";
  Env env = isolated_env(t.path());

  void SetUp() override {
    fs::create_directories(t / "elsewhere");
    // The machine exports this; a policy must win over it in children too.
    env["PYTHONDONTWRITEBYTECODE"] = "1";
    write_file(proj / "pyproject.toml",
               "[project]\nname = \"p\"\n\n[tool.pycache]\nwrite-bytecode = true\n"
               "cache-prefix = \"../pfx\"\noptimize = 1\n");
    write_file(proj / "helper.py",
               "def work(x):\n    import sys\n    return (x * 2, sys.flags.optimize, sys.pycache_prefix)\n");
    write_file(proj / "childmod.py", "VALUE = 'child'\n");
  }
  Outcome pycache_python(const std::string& script, std::vector<std::string> args = {}) {
    write_file(proj / "main.py", script);
    std::vector<std::string> argv = {pycache_python_bin().native(), (proj / "main.py").native()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run({argv, std::nullopt, env, proj});
  }
  // The pyc of proj/NAME.py as the policy places it.
  fs::path prefix_pyc(const std::string& name) {
    return prefix / fs::path(proj.native().substr(1)) / (name + "." + python_cache_tag() + ".opt-1.pyc");
  }
  void expect_clean_tree() {
    for (const auto& d : find_pycache_dirs(proj)) ADD_FAILURE() << "__pycache__ in the tree: " << d;
    for (const auto& f : find_files(proj, ".pyc")) ADD_FAILURE() << "pyc in the tree: " << f;
  }
};

TEST_F(Children, SubprocessOfSysExecutableFromAnotherCwd) {
  auto o = pycache_python(
      "import subprocess, sys\n"
      "code = 'import sys; sys.path.insert(0, %r); import childmod; print(sys.flags.optimize, sys.pycache_prefix, "
      "sys.dont_write_bytecode)' % sys.argv[1]\n"
      "r = subprocess.run([sys.executable, '-c', code], cwd=sys.argv[2], capture_output=True, text=True)\n"
      "print(r.stdout, end=''); print(r.stderr, end='', file=sys.stderr); sys.exit(r.returncode)\n",
      {proj.native(), (t / "elsewhere").native()});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "1 " + prefix.native() + " False\n");
  EXPECT_TRUE(fs::exists(prefix_pyc("childmod")));
  expect_clean_tree();
}

// A program's own choice for its child is that child's, as under python:
// variables it changed count as flags; those it left alone keep the policy.
TEST_F(Children, VariablesTheProgramChangedForItsChildAreTheChildsOwn) {
  auto o = pycache_python(
      "import os, subprocess, sys\n"
      "code = 'import sys; print(sys.flags.optimize, sys.pycache_prefix, sys.dont_write_bytecode)'\n"
      "def child(**changes):\n"
      "    env = dict(os.environ)\n"
      "    for k, v in changes.items():\n"
      "        if v is None: env.pop(k, None)\n"
      "        else: env[k] = v\n"
      "    r = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True)\n"
      "    print(r.stdout.strip(), r.stderr.strip())\n"
      "child()\n"
      "child(PYTHONOPTIMIZE='2')\n"
      "child(PYTHONOPTIMIZE=None)\n"
      "child(PYTHONDONTWRITEBYTECODE='1')\n"
      "child(PYTHONPYCACHEPREFIX=sys.argv[1])\n"
      "child(PYTHONPYCACHEPREFIX=None)\n",
      {(t / "theirs").native()});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "1 " + prefix.native() + " False \n" +      // unchanged: the policy
                       "2 " + prefix.native() + " False \n" +  // PYTHONOPTIMIZE=2
                       "0 " + prefix.native() + " False \n" +  // removed: CPython's 0
                       "1 " + prefix.native() + " True \n" +   // -B as an environment variable
                       "1 " + (t / "theirs").native() + " False \n" + "1 None False \n");
  expect_clean_tree();
}

// With no policy anywhere, a child gets exactly what python would give it.
TEST_F(Children, WithoutAPolicyAChildGetsWhatPythonGivesIt) {
  fs::remove(proj / "pyproject.toml");
  const std::string script =
      "import os, subprocess, sys\n"
      "env = dict(os.environ, PYTHONOPTIMIZE='2', PYTHONPYCACHEPREFIX=sys.argv[1])\n"
      "env.pop('PYTHONDONTWRITEBYTECODE', None)\n"
      "r = subprocess.run([sys.executable, '-c', 'import sys; print(sys.flags.optimize, sys.pycache_prefix, "
      "sys.dont_write_bytecode)'], env=env, capture_output=True, text=True)\n"
      "print(r.stdout, end='')\n";
  auto ours = pycache_python(script, {(t / "p2").native()});
  auto theirs =
      run({{reference_python().native(), (proj / "main.py").native(), (t / "p2").native()}, std::nullopt, env, proj});
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, theirs.out);
  EXPECT_EQ(ours.out, "2 " + (t / "p2").native() + " False\n");
}

TEST_F(Children, ChildOptionsApplyOnTopAndOptimizeDoesNotStack) {
  auto o = pycache_python(
      "import subprocess, sys\n"
      "p = 'import sys; print(sys.flags.optimize, sys.dont_write_bytecode)'\n"
      "for extra in ([], ['-O'], ['-OO'], ['-B']):\n"
      "    subprocess.run([sys.executable] + extra + ['-c', p], check=True)\n");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "1 False\n1 False\n2 False\n1 True\n");
}

TEST_F(Children, MultiprocessingSpawnAndForkserver) {
  for (std::string method : {"spawn", "forkserver"}) {
    fs::remove_all(prefix);
    auto o = pycache_python(
        "import multiprocessing as mp, sys\n"
        "import helper\n"
        "if __name__ == '__main__':\n"
        "    ctx = mp.get_context(sys.argv[1])\n"
        "    with ctx.Pool(2) as pool:\n"
        "        print(sorted(set(pool.map(helper.work, [1, 2, 3]))))\n",
        {method});
    ASSERT_EQ(o.exit_code, 0) << method << ": " << o.err;
    EXPECT_EQ(o.out, "[(2, 1, '" + prefix.native() + "'), (4, 1, '" + prefix.native() + "'), (6, 1, '" +
                         prefix.native() + "')]\n")
        << method;
    EXPECT_TRUE(fs::exists(prefix_pyc("helper"))) << method;
    expect_clean_tree();
  }
}

TEST_F(Children, ProcessPoolExecutor) {
  auto o = pycache_python(
      "import concurrent.futures as cf, multiprocessing as mp\n"
      "import helper\n"
      "if __name__ == '__main__':\n"
      "    with cf.ProcessPoolExecutor(2, mp_context=mp.get_context('spawn')) as ex:\n"
      "        print(list(ex.map(helper.work, [5])))\n");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "[(10, 1, '" + prefix.native() + "')]\n");
  EXPECT_TRUE(fs::exists(prefix_pyc("helper")));
  expect_clean_tree();
}

TEST_F(Children, PlainPythonChildFollowsThePolicyUnderTree) {
  // A plain python of the embedded version, found on PATH by name.
  env["PATH"] = reference_python().parent_path().native() + ":" + env["PATH"];
  auto o = pycache_python(
      "import subprocess, sys\n"
      "subprocess.run([sys.argv[2], '-c', 'import sys; sys.path.insert(0, %r); import childmod; "
      "print(sys.flags.optimize, sys.pycache_prefix, sys.dont_write_bytecode)' % sys.argv[1]], cwd='/', check=True)\n",
      {proj.native(), reference_python().filename().native()});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "1 " + prefix.native() + " False\n");
  EXPECT_TRUE(fs::exists(prefix_pyc("childmod")));
  expect_clean_tree();
}

TEST_F(Children, PropagateNoneKeepsChildrenOutOfIt) {
  write_file(proj / "pyproject.toml",
             "[tool.pycache]\nwrite-bytecode = true\ncache-prefix = \"../pfx\"\npropagate = \"none\"\n");
  auto o = pycache_python(
      "import os, subprocess, sys\n"
      "print(sys.pycache_prefix, sys.dont_write_bytecode, os.environ.get('PYTHONDONTWRITEBYTECODE'), "
      "os.environ.get('PYCACHE_POLICY'), flush=True)\n"
      "subprocess.run([sys.executable, '-c', 'import sys; print(sys.pycache_prefix, sys.dont_write_bytecode)'], "
      "cwd='/', check=True)\n");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, prefix.native() + " False 1 None\nNone True\n");
}

TEST_F(Children, PytestWithXdistWorkers) {
  // No optimize here: pytest does not rewrite asserts under -O.
  write_file(proj / "pyproject.toml", "[tool.pycache]\nwrite-bytecode = true\ncache-prefix = \"../pfx\"\n");
  write_file(proj / "tests/test_a.py", "import helper\ndef test_a():\n    assert helper.work(1)[0] == 2\n");
  write_file(proj / "tests/test_b.py", "def test_b():\n    assert 1 + 1 == 2\n");
  auto probe = run({{pycache_python_bin().native(), "-c", "import xdist, pytest"}, std::nullopt, env, proj});
  if (probe.exit_code != 0)
    GTEST_SKIP() << "pytest-xdist is not importable by this interpreter (Debian's python3-pytest-xdist serves "
                    "/usr/bin/python3 only)";
  auto o = run({{pycache_bin().native(), "run", "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider", "tests"},
                std::nullopt,
                env,
                proj,
                "",
                300});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("2 passed"), std::string::npos) << o.out;
  expect_clean_tree();
  // pytest's own rewritten test modules land in the prefix too.
  auto rewritten = find_files(prefix / fs::path(proj.native().substr(1)) / "tests", ".pyc");
  ASSERT_FALSE(rewritten.empty());
  bool pytest_pyc = false;
  for (const auto& f : rewritten) pytest_pyc |= f.filename().native().find("-pytest-") != std::string::npos;
  EXPECT_TRUE(pytest_pyc);
  EXPECT_TRUE(fs::exists(prefix / fs::path(proj.native().substr(1)) / ("helper." + python_cache_tag() + ".pyc")));
}

TEST_F(Children, PythonexecutableDoesNotRedirect) {
  env["PYTHONEXECUTABLE"] = "/usr/bin/false";
  env["__PYVENV_LAUNCHER__"] = "/usr/bin/false";
  auto o = pycache_python("import sys, os\nprint(sys.executable, 'PYTHONEXECUTABLE' in os.environ)\n");
  EXPECT_EQ(o.out, pycache_python_bin().native() + " False\n") << o.err;
}

class Venvs : public Children {
 protected:
  void make_venv(const fs::path& dir, const fs::path& python) {
    auto o = run({{python.native(), "-m", "venv", "--without-pip", dir.native()}, std::nullopt, env, t.path()});
    ASSERT_EQ(o.exit_code, 0) << o.err;
  }
  std::string show =
      "import sys, subprocess\n"
      "sp = [p for p in sys.path if p.endswith('site-packages')]\n"
      "print(sys.prefix, sys.base_prefix != sys.prefix, sp, flush=True)\n"
      "subprocess.run([sys.executable, '-c', 'import sys; print(sys.prefix)'], cwd='/', check=True)\n";
};

TEST_F(Venvs, DotVenvBesideThePolicyFileIsUsedAndChildrenStayInIt) {
  make_venv(proj / ".venv", reference_python());
  auto o = pycache_python(show);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  auto venv = (proj / ".venv").native();
  std::string mm = python_cache_tag().substr(8, 1) + "." + python_cache_tag().substr(9);
  EXPECT_EQ(o.out, venv + " True ['" + venv + "/lib/python" + mm + "/site-packages']\n" + venv + "\n");
  // The same as running the venv's own python.
  auto own = run({{(proj / ".venv/bin/python").native(), "-c", "import sys; print(sys.prefix, sys.base_prefix)"},
                  std::nullopt,
                  env,
                  proj});
  auto ours = run({{pycache_python_bin().native(), "-c", "import sys; print(sys.prefix, sys.base_prefix)"},
                   std::nullopt,
                   env,
                   proj});
  EXPECT_EQ(ours.out, own.out);
}

// python ignores VIRTUAL_ENV; a stale one (its venv deleted) must not stop anything.
TEST_F(Venvs, AStaleVirtualEnvIsIgnoredAsPythonIgnoresIt) {
  Env stale = env;
  stale["VIRTUAL_ENV"] = (t / "deleted").native();
  auto o = run({{pycache_python_bin().native(), "-c", "print(1)"}, std::nullopt, stale, t / "elsewhere"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "1\n");
  EXPECT_EQ(o.err, "");
}

// venv = ".venv" before there is one: pycache-python -m venv makes it, then it is used.
TEST_F(Venvs, APolicyVenvThatDoesNotExistYetCanBeMadeWithPycachePython) {
  write_file(proj / "pyproject.toml", "[tool.pycache]\nvenv = \".venv\"\ncache-prefix = \"../pfx\"\n");
  auto made = run({{pycache_python_bin().native(), "-m", "venv", "--without-pip", ".venv"}, std::nullopt, env, proj});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_EQ(made.err, "pycache: warning: the virtual environment '" + (proj / ".venv").native() + "' (" +
                          (proj / "pyproject.toml").native() +
                          ":2:8) does not exist: running in the base interpreter\n");
  auto o = run({{pycache_python_bin().native(), "-c", "import sys; print(sys.prefix)"}, std::nullopt, env, proj});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, (proj / ".venv").native() + "\n");
  // --venv on the command line is explicit: a missing one is an error.
  auto missing =
      run({{pycache_bin().native(), "run", "--venv", (t / "nope").native(), "-c", "pass"}, std::nullopt, env, proj});
  EXPECT_EQ(missing.exit_code, 3) << missing.err;
}

TEST_F(Venvs, OptionsKeyAndVirtualEnvPrecedence) {
  make_venv(proj / ".venv", reference_python());
  make_venv(t / "activated", reference_python());
  make_venv(t / "chosen", reference_python());
  const std::string code = "import sys; print(sys.prefix)";
  auto base = run({{reference_python().native(), "-c", code}, std::nullopt, env, proj}).out;
  auto go = [&](std::vector<std::string> opts) {
    std::vector<std::string> argv = {pycache_bin().native(), "run"};
    argv.insert(argv.end(), opts.begin(), opts.end());
    argv.insert(argv.end(), {"-c", code});
    return run({argv, std::nullopt, env, proj});
  };
  EXPECT_EQ(go({}).out, (proj / ".venv").native() + "\n");
  EXPECT_EQ(go({"--no-venv"}).out, base);
  EXPECT_EQ(go({"--venv", (t / "chosen").native()}).out, (t / "chosen").native() + "\n");
  // As uv: the project's .venv wins over an activated venv of another directory, said once.
  env["VIRTUAL_ENV"] = (t / "activated").native();
  auto activated = go({});
  EXPECT_EQ(activated.out, (proj / ".venv").native() + "\n");
  EXPECT_EQ(activated.err, "pycache: warning: ignoring the activated virtual environment '" +
                               (t / "activated").native() + "' (VIRTUAL_ENV): the project's is '" +
                               (proj / ".venv").native() + "'\n");
  env["VIRTUAL_ENV"] = (proj / ".venv").native();
  auto same = go({});
  EXPECT_EQ(same.out, (proj / ".venv").native() + "\n");
  EXPECT_EQ(same.err, "") << "VIRTUAL_ENV is the project's venv: nothing to say";
  env["VIRTUAL_ENV"] = (t / "activated").native();
  fs::remove_all(proj / ".venv");
  EXPECT_EQ(go({}).out, (t / "activated").native() + "\n") << "no .venv: the activated one";
  write_file(proj / "pyproject.toml", "[tool.pycache]\nvenv = \"../chosen\"\n");
  EXPECT_EQ(go({}).out, (t / "chosen").native() + "\n") << "the policy beats VIRTUAL_ENV";
  write_file(proj / "pyproject.toml", "[tool.pycache]\nvenv = \"none\"\n");
  EXPECT_EQ(go({}).out, base);
}

TEST_F(Venvs, AVenvOfAnotherVersionIsRefusedBeforePythonStarts) {
  fs::create_directories(t / "other/bin");
  write_file(t / "other/pyvenv.cfg", "home = /opt/python/bin\nversion_info = 3.4.10.final.0\n");
  auto o = run({{pycache_bin().native(), "run", "--venv", (t / "other").native(), "-c", "print('ran')"},
                std::nullopt,
                env,
                proj});
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err.rfind("pycache: error: nothing here runs Python 3.4 (default (the venv " + (t / "other").native() +
                            ", made for Python 3.4.10)): ",
                        0),
            0u)
      << o.err;
  EXPECT_NE(o.err.find("install Python 3.4"), std::string::npos) << "what to install: " << o.err;
  EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << "one line";
  auto not_venv = run(
      {{pycache_bin().native(), "run", "--venv", (t / "elsewhere").native(), "-c", "pass"}, std::nullopt, env, proj});
  EXPECT_EQ(not_venv.exit_code, 3);
  EXPECT_NE(not_venv.err.find("no pyvenv.cfg"), std::string::npos);
}

TEST_F(Venvs, PycachePythonMakesVenvsThatWork) {
  make_venv(t / "made", pycache_python_bin());
  write_file(t / "made/lib/probe.py", "");
  auto o = run({{(t / "made/bin/python").native(), "-c", show}, std::nullopt, env, t / "elsewhere"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out.rfind((t / "made").native() + " True ['" + (t / "made").native() + "/lib/python", 0), 0u) << o.out;
  auto real = run({{"/usr/bin/readlink", "-f", (t / "made/bin/python").native()}, std::nullopt, env, t.path()});
  EXPECT_EQ(real.out, fs::canonical(pycache_python_bin()).native() + "\n");
}

}  // namespace
}  // namespace pycache::test
