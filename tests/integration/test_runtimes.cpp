// Several runtimes in one build, the Python chosen per project (runtime.cpp,
// python_choice.cpp): each test needs the runtimes it names beside
// pycache (a build with -DPYCACHE_PYTHONS=all) and skips without them.
#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "process.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

struct RuntimeInfo {
  fs::path program;      // bin/pycache-python3.12
  fs::path interpreter;  // the python it was built from
  std::string version;   // 3.12.1
};

// The runtimes installed beside pycache, from `pycache --version`.
std::map<std::string, RuntimeInfo> runtimes() {
  static const std::map<std::string, RuntimeInfo> found = [] {
    std::map<std::string, RuntimeInfo> out;
    auto o = run({{pycache_bin().native(), "--version"}, std::nullopt, clean_env("/"), "/"});
    // Every runtime's program is beside the default one: a runtime tested
    // from its own directory (build/runtimes/X.Y/pycache) is a link there.
    const fs::path bin = fs::canonical(pycache_bin()).parent_path();
    const std::regex line(R"(^  pycache-python(\S+) +CPython (\S+) of (\S+), (static|shared) libpython (\S+)$)");
    std::size_t at = 0;
    while (at < o.out.size()) {
      auto nl = o.out.find('\n', at);
      std::string l = o.out.substr(at, nl - at);
      at = nl == std::string::npos ? o.out.size() : nl + 1;
      std::smatch m;
      if (std::regex_match(l, m, line))
        out[m[1]] = RuntimeInfo{bin / ("pycache-python" + m[1].str()), m[3].str(), m[2].str()};
    }
    return out;
  }();
  return found;
}

class Runtimes : public ::testing::Test {
 protected:
  TempDir t;
  Env env = isolated_env(t.path());
  fs::path proj = t / "proj";
  fs::path prefix = t / "pfx";

  // The runtimes a test needs, or it skips.
  bool need(std::initializer_list<const char*> names) {
    for (const char* n : names)
      if (!runtimes().count(n) || !fs::exists(runtimes().at(n).program)) {
        skip_reason = std::string("needs the Python ") + n + " runtime beside pycache (-DPYCACHE_PYTHONS=all)";
        return false;
      }
    return true;
  }
  std::string skip_reason;
  Outcome pycache(std::vector<std::string> args, const fs::path& cwd = {}) {
    args.insert(args.begin(), pycache_bin().native());
    return run({args, std::nullopt, env, cwd.empty() ? proj : cwd});
  }
  void make_venv(const fs::path& dir, const fs::path& python) {
    auto o = run({{python.native(), "-m", "venv", "--without-pip", dir.native()}, std::nullopt, env, t.path()});
    ASSERT_EQ(o.exit_code, 0) << o.err;
  }
  void project(const std::string& policy = "cache-prefix = \"../pfx\"\n") {
    write_file(proj / "pycache.toml", policy);
    write_file(proj / "main.py",
               "import sys, mod\nprint('%d.%d' % sys.version_info[:2], sys.implementation.cache_tag, sys.prefix)\n");
    write_file(proj / "mod.py", "X = 1\n");
  }
  std::vector<fs::path> prefix_pycs(const std::string& tag) {
    std::vector<fs::path> out;
    for (const auto& p : find_files(prefix / proj.relative_path(), "." + tag + ".pyc")) out.push_back(p);
    return out;
  }
};

TEST_F(Runtimes, AVenvOfThreeTwelveRunsOnThreeTwelveUnderItsPolicy) {
  if (!need({"3.12"})) GTEST_SKIP() << skip_reason;
  project();
  make_venv(proj / ".venv", runtimes().at("3.12").interpreter);
  auto o = pycache({"run", "main.py"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "3.12 cpython-312 " + (proj / ".venv").native() + "\n");
  EXPECT_EQ(o.err, "");
  EXPECT_EQ(prefix_pycs("cpython-312").size(), 1u) << "mod's pyc in the prefix, for 3.12";
  EXPECT_TRUE(find_pycache_dirs(proj).empty()) << "nothing in the tree";
  // Children of the program run on 3.12 too, in the venv.
  write_file(proj / "child.py",
             "import subprocess, sys\n"
             "print(subprocess.run([sys.executable, '-c', 'import sys; print(sys.version_info[:2], sys.prefix)'],"
             " capture_output=True, text=True).stdout, end='')\n");
  auto c = pycache({"run", "child.py"});
  EXPECT_EQ(c.out, "(3, 12) " + (proj / ".venv").native() + "\n") << c.err;
  // The policy says so, and why.
  auto p = pycache({"policy"});
  EXPECT_NE(p.out.find("python = \"3.12\""), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("made for Python 3.12"), std::string::npos) << p.out;
  // The venv's own python and pycache-python3.12 agree on where they are.
  auto own = run({{(proj / ".venv/bin/python").native(), "-c", "import sys; print(sys.prefix, sys.base_prefix)"},
                  std::nullopt,
                  env,
                  proj});
  auto ours = pycache({"run", "-c", "import sys; print(sys.prefix, sys.base_prefix)"});
  EXPECT_EQ(ours.out, own.out);
}

TEST_F(Runtimes, PythonOptionAndKeyBeatTheVenvAndDotPythonVersion) {
  if (!need({"3.12", "3.13"})) GTEST_SKIP() << skip_reason;
  project();
  write_file(proj / ".python-version", "3.12\n");
  EXPECT_EQ(pycache({"run", "main.py"}).out.substr(0, 4), "3.12") << ".python-version";
  auto o = pycache({"run", "--python", "3.13", "main.py"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out.substr(0, 16), "3.13 cpython-313");
  EXPECT_EQ(prefix_pycs("cpython-313").size(), 1u);
  project("cache-prefix = \"../pfx\"\npython = \"3.13\"\n");
  EXPECT_EQ(pycache({"run", "main.py"}).out.substr(0, 4), "3.13") << "the key beats .python-version";
  auto path = pycache({"run", "--python", runtimes().at("3.12").interpreter.native(), "main.py"});
  EXPECT_EQ(path.out.substr(0, 4), "3.12") << "an interpreter's path: " << path.err;
}

TEST_F(Runtimes, RequiresPythonPicksTheNewestRuntimeThatSatisfiesIt) {
  if (!need({"3.12", "3.13"})) GTEST_SKIP() << skip_reason;
  project();
  fs::remove(proj / "pycache.toml");
  write_file(proj / "pyproject.toml",
             "[project]\nname = \"p\"\nrequires-python = \">=3.12\"\n\n[tool.pycache]\ncache-prefix = \"../pfx\"\n");
  auto o = pycache({"run", "main.py"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out.substr(0, 4), "3.13");
  write_file(proj / "pyproject.toml", "[project]\nname = \"p\"\nrequires-python = \">=3.12,<3.13\"\n");
  EXPECT_EQ(pycache({"run", "main.py"}).out.substr(0, 4), "3.12") << "without [tool.pycache] too";
  write_file(proj / "pyproject.toml", "[project]\nname = \"p\"\nrequires-python = \">=3.99\"\n");
  auto none = pycache({"run", "main.py"});
  EXPECT_EQ(none.exit_code, 3);
  EXPECT_EQ(none.out, "");
  EXPECT_EQ(none.err.rfind("pycache: error: nothing here runs a Python that satisfies requires-python \">=3.99\" (" +
                               (proj / "pyproject.toml").native() + ":3:19 (requires-python)): ",
                           0),
            0u)
      << none.err;
}

TEST_F(Runtimes, AVenvForAVersionWithoutARuntimeIsOneLineNeverAnotherPython) {
  if (!need({"3.12"})) GTEST_SKIP() << skip_reason;
  project();
  fs::create_directories(proj / ".venv/bin");
  write_file(proj / ".venv/pyvenv.cfg", "home = /opt/python3.99/bin\nversion = 3.99.1\n");
  auto o = pycache({"run", "main.py"});
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err.rfind("pycache: error: nothing here runs Python 3.99 (default (the venv " +
                            (proj / ".venv").native() + ", made for Python 3.99.1)): ",
                        0),
            0u)
      << o.err;
  EXPECT_EQ(o.err.find('\n'), o.err.size() - 1);
  auto p = pycache({"policy", "--check"});
  EXPECT_EQ(p.exit_code, 3);
  EXPECT_NE(p.err.find("nothing here runs Python 3.99"), std::string::npos) << p.err;
  // A check that fails says error; without --check the same finding is a warning.
  EXPECT_EQ(p.err.rfind("pycache: error: nothing here runs Python 3.99", 0), 0u) << p.err;
  auto q = pycache({"policy"});
  EXPECT_EQ(q.exit_code, 0);
  EXPECT_EQ(q.err.rfind("pycache: warning: nothing here runs Python 3.99", 0), 0u) << q.err;
}

TEST_F(Runtimes, CompileStatusAndShowUseTheProjectsPython) {
  if (!need({"3.12"})) GTEST_SKIP() << skip_reason;
  project("python = \"3.12\"\n");
  for (const char* mode : {"timestamp", "checked-hash"}) {
    auto c = pycache({"compile", "--invalidation-mode", mode});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    const fs::path pyc = proj / "__pycache__/mod.cpython-312.pyc";
    ASSERT_TRUE(fs::exists(pyc)) << c.out;
    // 3.12's own importlib takes it as its own, bytes and all.
    auto check = run({{runtimes().at("3.12").interpreter.native(), "-c",
                       "import importlib.util, sys; d = open(sys.argv[1], 'rb').read(); "
                       "print(d[:4] == importlib.util.MAGIC_NUMBER)",
                       pyc.native()},
                      std::nullopt,
                      env,
                      proj});
    EXPECT_EQ(check.out, "True\n") << mode;
    auto again = pycache({"compile", "--invalidation-mode", mode});
    EXPECT_NE(again.out.find("0 pycs written, 2 up to date"), std::string::npos) << mode << ": " << again.out;
  }
  auto s = pycache({"status", "--json"});
  EXPECT_NE(s.out.find("\"cache_tag\":\"cpython-312\""), std::string::npos) << s.out;
  auto show = pycache({"show", (proj / "mod.py").native()});
  EXPECT_NE(show.out.find("mod.cpython-312.pyc"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("fresh"), std::string::npos) << show.out;
  auto dis = pycache({"show", "--dis", (proj / "__pycache__/mod.cpython-312.pyc").native()});
  EXPECT_EQ(dis.exit_code, 0) << dis.err;
  EXPECT_NE(dis.out.find("STORE_NAME"), std::string::npos) << "disassembled by 3.12: " << dis.out;
}

TEST_F(Runtimes, EveryRuntimeIsAPythonOfItsOwnSideBySide) {
  if (runtimes().size() < 2) GTEST_SKIP() << "needs two runtimes or more beside pycache";
  for (const auto& [name, r] : runtimes()) {
    auto o = run({{r.program.native(), "-c", "import sys; print('%d.%d' % sys.version_info[:2], sys.executable)"},
                  std::nullopt,
                  env,
                  t.path()});
    EXPECT_EQ(o.exit_code, 0) << name << ": " << o.err;
    EXPECT_EQ(o.out, r.version.substr(0, name.size()) + " " + r.program.native() + "\n") << name;
    // pycache-pythonX.Y -m venv makes a venv whose python is that runtime.
    make_venv(t / ("venv" + name), r.program);
    auto v = run({{(t / ("venv" + name) / "bin/python").native(), "-c",
                   "import sys, os; print('%d.%d' % sys.version_info[:2], os.path.realpath(sys.executable))"},
                  std::nullopt,
                  env,
                  t.path()});
    EXPECT_EQ(v.out, r.version.substr(0, name.size()) + " " + fs::canonical(r.program).native() + "\n") << name;
  }
}

}  // namespace
}  // namespace pycache::test
