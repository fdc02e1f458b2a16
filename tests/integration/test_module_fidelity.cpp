// Fidelity of a module run (pycache-embedded loading an interpreter's own
// libpython through its embedding module): in a venv made by one of pyenv's
// Pythons, `pycache run ARGS` and the venv's own `python ARGS` give the same
// stdout, stderr and exit status; only sys.executable differs (pycache-python,
// so that children stay under the policy). One instance per pyenv version;
// an absent one skips.
#include <gtest/gtest.h>

#include <cstdlib>

#include "process.hpp"
#include "python_layouts.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

struct Case {
  std::vector<std::string> args;
  std::string input;
  Env extra_env;
};

// What a module run must not change: the paths, the prefixes, what a venv made from it links to.
const std::string kPaths =
    "import sys; print(sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, sys._base_executable, "
    "sys.path[1:])";
const std::string kFlags =
    "import sys; print(tuple(sys.flags), sorted(sys._xoptions.items()), sys.warnoptions, sys.argv, sys.orig_argv[1:])";

std::vector<Case> cases() {
  return {
      {{"-c", kPaths}},
      {{"-c", kFlags, "a", "-O"}},
      {{"-O", "-c", kFlags}},
      {{"-I", "-c", kPaths}},
      {{"-E", "-c", kPaths}, "", {{"PYTHONPATH", "/nonexistent-a"}}},
      {{"-s", "-c", kPaths}},
      {{"-S", "-c", kPaths}},
      {{"-c", kPaths}, "", {{"PYTHONPATH", "/nonexistent-a:/nonexistent-b"}}},
      {{"-X", "dev", "-X", "custom=1", "-c", kFlags}},
      {{"-c", "import inside; print(inside.WHERE)"}},
      {{"-m", "mod", "x", "-c"}},
      {{"-"}, "import sys\nprint('stdin', sys.argv)\nsys.exit(3)\n"},
      {{"-c", "import sys; print(sys.stdin.read().upper())"}, "piped\n"},
      {{"-c", "raise SystemExit(7)"}},
      {{"-c", "raise RuntimeError('uncaught')"}},
      {{"-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"}},
  };
}

class ModuleFidelity : public ::testing::TestWithParam<std::string> {
 protected:
  TempDir t;
  fs::path proj = t / "proj";
  fs::path interpreter;
  std::string minor;

  void SetUp() override {
    if (std::getenv("PYCACHE_TEST_RUNTIME")) GTEST_SKIP() << "runtime independent: run with the default runtime";
    const std::string& version = GetParam();
    minor = version.substr(0, version.rfind('.'));
    interpreter = pyenv_root() / "versions" / version / "bin" / ("python" + minor);
    if (!fs::exists(interpreter)) GTEST_SKIP() << "needs pyenv's " << version << " (" << interpreter << ")";
    auto v = run({{pycache_bin().native(), "--version"}, std::nullopt, clean_env("/"), "/"});
    if (v.out.find("CPython " + version + " ") != std::string::npos)
      GTEST_SKIP() << "this build has a runtime of " << version << " itself";
    write_file(proj / "pycache.toml", "cache-prefix = \"../pfx\"\n");
    write_file(proj / "mod.py", "import sys\nprint('mod', sys.argv, __name__)\n");
    auto made = run({{interpreter.native(), "-m", "venv", "--without-pip", (proj / ".venv").native()},
                     std::nullopt,
                     isolated_env(t.path()),
                     proj});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    write_file(proj / (".venv/lib/python" + minor + "/site-packages/inside.py"), "WHERE = 'site-packages'\n");
  }
};

TEST_P(ModuleFidelity, PycacheRunMatchesTheVenvsOwnPython) {
  int compared = 0;
  for (const auto& c : cases()) {
    Env env = isolated_env(t.path());
    for (const auto& [k, v] : c.extra_env) env[k] = v;
    std::vector<std::string> a = {(proj / ".venv/bin/python").native()}, b = {pycache_bin().native(), "run"};
    a.insert(a.end(), c.args.begin(), c.args.end());
    b.insert(b.end(), c.args.begin(), c.args.end());
    auto x = run({a, std::nullopt, env, proj, c.input});
    auto y = run({b, std::nullopt, env, proj, c.input});
    // 3.10's getpath makes sys._base_executable of a venv's python the venv's
    // own link (3.11 fixed it); a module run gives the interpreter, as 3.11+.
    const std::string venv_python = " " + (proj / ".venv/bin/python").native() + " [";
    if (auto at = x.out.find(venv_python); minor == "3.10" && at != std::string::npos)
      x.out.replace(at, venv_python.size(), " " + interpreter.native() + " [");
    const std::string label = c.args[0] + (c.args.size() > 1 ? " " + c.args[1] : "");
    EXPECT_EQ(y.exit_code, x.exit_code) << label << ": " << y.err;
    EXPECT_EQ(y.signal, x.signal) << label;
    EXPECT_EQ(y.out, x.out) << label;
    EXPECT_EQ(y.err, x.err) << label;
    ++compared;
  }
  EXPECT_EQ(compared, static_cast<int>(cases().size()));
}

// `python -m venv` in a module run links the new venv to what
// sys._base_executable names: the interpreter itself, so that the venv runs
// on it, directly and under `pycache run` (pycache-embedded, which links no
// Python, left the venv to whichever Python of its minor version was found
// again: Debian's 3.11.2 for pyenv's 3.11.7, none for 3.12 outside pyenv).
TEST_P(ModuleFidelity, AVenvMadeInAModuleRunRunsOnTheSameInterpreter) {
  const fs::path made = t / "made";
  auto o = run({{pycache_bin().native(), "run", "-m", "venv", "--without-pip", made.native()},
                std::nullopt,
                isolated_env(t.path()),
                proj});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  // That very interpreter (its patch version), never another of its minor version.
  const std::string code = "import sys; print('.'.join(map(str, sys.version_info[:3])), sys.prefix)";
  const std::string expected = GetParam() + " " + made.native() + "\n";
  auto direct = run({{(made / "bin/python").native(), "-c", code}, std::nullopt, isolated_env(t.path()), t.path()});
  EXPECT_EQ(direct.exit_code, 0) << direct.err;
  EXPECT_EQ(direct.out, expected);
  write_file(t / "other/pycache.toml", "venv = \"../made\"\ncache-prefix = \"../pfx\"\n");
  auto via = run({{pycache_bin().native(), "run", "-c", code}, std::nullopt, isolated_env(t.path()), t / "other"});
  EXPECT_EQ(via.exit_code, 0) << via.err;
  EXPECT_EQ(via.out, expected);
}

// The venv's pycache-python (a run's sys.executable, a link to
// pycache-embedded) is that venv's Python wherever it is started from, as
// the venv's python is: from a directory of no project, and under an
// argv[0] that names no file or another program (CPython's test_sys starts
// sys.executable so); never the default Python.
TEST_P(ModuleFidelity, TheVenvsPycachePythonRunsOnItsInterpreterFromAnywhere) {
  auto made = run({{pycache_bin().native(), "run", "-c", "pass"}, std::nullopt, isolated_env(t.path()), proj});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const fs::path link = proj / ".venv/bin/pycache-python";
  ASSERT_TRUE(fs::is_symlink(link));
  const std::string code = "import sys; print(sys.version_info[:3])";
  fs::create_directories(t / "elsewhere");
  for (const std::string argv0 : {link.native(), std::string(), std::string("nonexistent"), std::string("ls")}) {
    auto own =
        run({{argv0, "-c", code}, (proj / ".venv/bin/python").native(), isolated_env(t.path()), t / "elsewhere"});
    auto ours = run({{argv0, "-c", code}, link.native(), isolated_env(t.path()), t / "elsewhere"});
    EXPECT_EQ(ours.exit_code, 0) << "argv[0] '" << argv0 << "': " << ours.err;
    EXPECT_EQ(ours.out, own.out) << "argv[0] '" << argv0 << "'";
  }
  auto prefix = run(
      {{link.native(), "-c", "import sys; print(sys.prefix)"}, std::nullopt, isolated_env(t.path()), t / "elsewhere"});
  EXPECT_EQ(prefix.out, (proj / ".venv").native() + "\n") << prefix.err;
}

INSTANTIATE_TEST_SUITE_P(Pyenv, ModuleFidelity, ::testing::Values("3.10.13", "3.11.7", "3.12.1", "3.13.0"),
                         [](const auto& info) {
                           std::string name = "Python" + info.param;
                           for (char& ch : name)
                             if (ch == '.') ch = '_';
                           return name;
                         });

}  // namespace
}  // namespace pycache::test
