// pycache python list: the interpreters of the machine, found without
// starting any, in a temp HOME holding a pyenv-like tree and a PATH of
// directories the test controls.
#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>

#include "process.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

const fs::path kPyenv312 = "/root/.pyenv/versions/3.12.1";

class PythonList : public ::testing::Test {
 protected:
  TempDir t;
  Env env = isolated_env(t.path());
  fs::path home = t / "home";
  fs::path version = home / ".pyenv/versions/3.12.1";
  fs::path python = version / "bin/python3.12";

  void SetUp() override {
    if (!fs::exists(kPyenv312 / "bin/python3.12")) GTEST_SKIP() << kPyenv312 << " is not on this machine";
    // pyenv's layout: the binary, its libpython, the stdlib landmark, patchlevel.h.
    fs::create_directories(version / "bin");
    fs::copy_file(kPyenv312 / "bin/python3.12", python);
    fs::create_directories(version / "lib");
    fs::create_symlink(kPyenv312 / "lib/libpython3.12.so.1.0", version / "lib/libpython3.12.so.1.0");
    write_file(version / "lib/python3.12/os.py", "");
    write_file(version / "include/python3.12/patchlevel.h", "#define PY_VERSION \"3.12.1\"\n");
    env.erase("PYENV_ROOT");
    env["PATH"] = (t / "bin").native();
    fs::create_directories(t / "bin");
  }
  Outcome list(std::vector<std::string> more = {}) {
    std::vector<std::string> argv{pycache_bin().native(), "python", "list"};
    argv.insert(argv.end(), more.begin(), more.end());
    return run({argv, std::nullopt, env, t.path()});
  }
  // The line of the listing that shows `path`, or "".
  static std::string line_of(const std::string& out, const fs::path& path) {
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
      if (line.find("  " + path.native() + " ") != std::string::npos ||
          line.find("  " + path.native() + "  ") != std::string::npos)
        return line;
    return "";
  }
  // The element of the --json array whose path is `path`, printed by python as "key=value" lines.
  std::string json_element(const std::string& json, const fs::path& path) {
    const std::string code =
        "import json, sys\n"
        "a = json.load(sys.stdin)\n"
        "assert isinstance(a, list)\n"
        "for e in a:\n"
        "    if e['path'] == sys.argv[1]:\n"
        "        for k in sorted(e): print(f'{k}={e[k]}')\n";
    auto o = run({{reference_python().native(), "-I", "-c", code, path.native()}, std::nullopt, env, t.path(), json});
    EXPECT_EQ(o.exit_code, 0) << o.err << json;
    return o.out;
  }
};

TEST_F(PythonList, APyenvVersionIsListedWithItsVersionPathAndLibpython) {
  auto o = list();
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const std::string line = line_of(o.out, python);
  ASSERT_FALSE(line.empty()) << o.out;
  EXPECT_EQ(line.rfind("3.12.1 ", 0), 0U) << line;
  EXPECT_NE(line.find("libpython3.12.so.1.0"), std::string::npos) << line;
  EXPECT_NE(line.find("embed: "), std::string::npos) << line;
  EXPECT_NE(line.find("run: "), std::string::npos) << line;
  EXPECT_EQ(line.find("refused"), std::string::npos) << line;
}

TEST_F(PythonList, AliasesOfOneFileAreShownOnce) {
  fs::create_symlink(python, t / "bin/python3.12");
  fs::create_symlink(python, t / "bin/python3");
  auto o = list();
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const std::string line = line_of(o.out, python);
  ASSERT_FALSE(line.empty()) << o.out;
  EXPECT_NE(line.find("(also " + (t / "bin/python3.12").native() + ", " + (t / "bin/python3").native() + ")"),
            std::string::npos)
      << line;
  EXPECT_EQ(line_of(o.out, t / "bin/python3.12"), "") << "no line of its own:\n" << o.out;
}

TEST_F(PythonList, AnotherUsersInterpreterIsShownRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file to nobody";
  fs::create_directories(t / "theirs");
  fs::copy_file(python, t / "theirs/python3.12");
  ASSERT_EQ(::chown((t / "theirs/python3.12").c_str(), 65534, 65534), 0);
  env["PATH"] = (t / "theirs").native();
  auto o = list();
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const std::string line = line_of(o.out, t / "theirs/python3.12");
  ASSERT_FALSE(line.empty()) << o.out;
  EXPECT_NE(line.find("refused: it is owned by nobody (uid 65534), not by you or root"), std::string::npos) << line;
  EXPECT_NE(line.find("embed: no"), std::string::npos) << line;
  auto j = list({"--json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const std::string e = json_element(j.out, t / "theirs/python3.12");
  EXPECT_NE(e.find("run=not run\n"), std::string::npos) << e;
  EXPECT_NE(e.find("run_reason=Python 3.12 at '" + (t / "theirs/python3.12").native() +
                   "' is not used: it is owned by nobody (uid 65534), not by you or root\n"),
            std::string::npos)
      << e;
}

TEST_F(PythonList, JsonSaysAnInterpreterWithNoModuleRunsItselfAndWhy) {
  if (std::getenv("PYCACHE_TEST_RUNTIME")) GTEST_SKIP() << "runtime independent: run with the default runtime";
  auto v = run({{pycache_bin().native(), "--version"}, std::nullopt, clean_env("/"), "/"});
  if (v.out.find("pycache-python3.12 ") != std::string::npos) GTEST_SKIP() << "this build has a 3.12 runtime";
  copy_install(t / "install", "3.12");  // this build without its 3.12 module
  auto o = run({{(t / "install/bin/pycache").native(), "python", "list", "--json"}, std::nullopt, env, t.path()});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const std::string e = json_element(o.out, python);
  EXPECT_NE(e.find("embeddable=False\n"), std::string::npos) << e;
  EXPECT_NE(e.find("run=itself\n"), std::string::npos) << e;
  EXPECT_NE(e.find("run_reason=no embedding module for Python 3.12: "), std::string::npos) << e;
}

TEST_F(PythonList, JsonIsAnArrayOfTheInterpretersFields) {
  fs::create_symlink(python, t / "bin/python3");
  auto o = list({"--json"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const std::string e = json_element(o.out, python);
  EXPECT_NE(e.find("name=3.12\n"), std::string::npos) << e;
  EXPECT_NE(e.find("version=3.12.1\n"), std::string::npos) << e;
  EXPECT_NE(e.find("place=pyenv\n"), std::string::npos) << e;
  EXPECT_NE(e.find("aliases=['" + (t / "bin/python3").native() + "']\n"), std::string::npos) << e;
  EXPECT_NE(e.find("libpython=/"), std::string::npos) << e;
  EXPECT_NE(e.find("libpython3.12.so.1.0\n"), std::string::npos) << e;
  EXPECT_NE(e.find("link=shared\n"), std::string::npos) << e;
  EXPECT_NE(e.find("refused=None\n"), std::string::npos) << e;
  EXPECT_NE(e.find("embeddable="), std::string::npos) << e;
  EXPECT_NE(e.find("not_embeddable="), std::string::npos) << e;
  EXPECT_NE(e.find("run_runtime="), std::string::npos) << e;
  // Embeddable when this build's modules are beside it (bin/../lib/pycache), as the default build has them.
  if (fs::exists(pycache_bin().parent_path().parent_path() / "lib/pycache/pycache-embed-3.12.so")) {
    EXPECT_NE(e.find("embeddable=True\n"), std::string::npos) << e;
    EXPECT_NE(e.find("not_embeddable=None\n"), std::string::npos) << e;
    // A build with a static runtime of this very interpreter runs it there.
    const bool runtime_here = e.find("run_runtime=3.12\n") != std::string::npos;
    EXPECT_NE(e.find(runtime_here ? "run=runtime\n" : "run=embedded\n"), std::string::npos) << e;
    EXPECT_NE(e.find("run_reason=None\n"), std::string::npos) << e;
  }
}

TEST_F(PythonList, ARelativePathEntryIsIgnored) {
  fs::create_directories(t / "rel");
  fs::copy_file(python, t / "rel/python3.12");
  env["PATH"] = "rel:" + (t / "bin").native();
  auto o = list();
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out.find(t / "rel"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("rel/python3.12"), std::string::npos) << o.out;
  EXPECT_FALSE(line_of(o.out, python).empty()) << o.out;
}

TEST_F(PythonList, ACacheThatCannotBeWrittenIsAWarningNotAFailure) {
  // An install whose version neither patchlevel.h nor its directory's name
  // tells: it is read out of its libpython, and cached.
  fs::create_directories(t / "plain/bin");
  fs::copy_file(python, t / "plain/bin/python3.12");
  write_file(t / "plain/lib/python3.12/os.py", "");
  env["PATH"] = (t / "plain/bin").native();
  write_file(t / "not-a-dir", "");
  env["XDG_CACHE_HOME"] = (t / "not-a-dir").native();
  auto o = list();
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(line_of(o.out, t / "plain/bin/python3.12").rfind("3.12.1 ", 0), 0U) << o.out;
  EXPECT_NE(o.err.find("pycache: warning: the interpreter cache '" +
                       (t / "not-a-dir/pycache/interpreters-v1").native() + "' could not be written"),
            std::string::npos)
      << o.err;
}

TEST(PythonListHelp, IsACommandWithAListSubcommand) {
  TempDir t;
  auto o = run({{pycache_bin().native(), "python", "--help"}, std::nullopt, isolated_env(t.path()), t.path()});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("pycache python list"), std::string::npos) << o.out;
  auto bad = run({{pycache_bin().native(), "python", "lst"}, std::nullopt, isolated_env(t.path()), t.path()});
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_NE(bad.err.find("pycache: error: "), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace pycache::test
