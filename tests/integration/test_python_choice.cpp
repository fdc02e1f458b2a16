// Which Python runs a project (python_choice.cpp), on the built binary:
// requires-python read as PEP 440 reads it, a request that contradicts it
// refused, a request nothing answers named with what was found, a venv run
// on its own interpreter, and status, which runs no Python, checking the
// tree when no Python answers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include <unistd.h>

#include <cstdlib>

#include "process.hpp"
#include "python_layouts.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

// The version of this build's default runtime ("3.11.2") and its major.minor.
struct Default {
  std::string version;
  std::string major_minor;
};
Default default_runtime() {
  auto o = run({{pycache_bin().native(), "run", "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"},
                std::nullopt,
                clean_env("/"),
                "/"});
  std::string v = o.out.substr(0, o.out.find('\n'));
  return {v, v.substr(0, v.rfind('.'))};
}

class PythonChoice : public ::testing::Test {
 protected:
  TempDir t;
  Env env = isolated_env(t.path());
  fs::path proj = t / "proj";
  fs::path prefix = t / "pfx";
  Default ours = default_runtime();

  void SetUp() override {
    if (std::getenv("PYCACHE_TEST_RUNTIME")) GTEST_SKIP() << "runtime independent: run with the default runtime";
    write_file(proj / "mod.py", "X = 1\n");
  }
  void requires_python(const std::string& toml_value) {
    write_file(proj / "pyproject.toml", "[project]\nname = \"p\"\nrequires-python = " + toml_value +
                                            "\n\n[tool.pycache]\ncache-prefix = \"../pfx\"\n");
  }
  Outcome pycache(std::vector<std::string> args) {
    args.insert(args.begin(), pycache_bin().native());
    return run({args, std::nullopt, env, proj});
  }
};

TEST_F(PythonChoice, RequiresPythonIsReadAsPep440ReadsIt) {
  // Every spec below admits every runtime: the newest static runtime of the build answers.
  auto v = pycache({"--version"});
  int newest = 0;
  for (std::size_t at = v.out.find("pycache-python3."); at != std::string::npos;
       at = v.out.find("pycache-python3.", at + 1))
    newest = std::max(newest, std::atoi(v.out.c_str() + at + 16));
  ASSERT_GT(newest, 0) << v.out;
  for (const char* spec : {">=3.10.0a1", "~=3.8", "==3.*", "!=3.13.0", " >= 3.8 , < 4 ", ">=3.8, <4"}) {
    requires_python(std::string("\"") + spec + "\"");
    auto o = pycache({"run", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"});
    EXPECT_EQ(o.exit_code, 0) << spec << ": " << o.err;
    // "!=3.13.0" rules out a 3.13.0 runtime, the only 3.13 here.
    if (std::string(spec) == "!=3.13.0" && newest == 13) continue;
    EXPECT_EQ(o.out, "3." + std::to_string(newest) + "\n") << spec;
  }
}

TEST_F(PythonChoice, AnInvalidRequiresPythonIsOneUsageErrorAtItsPosition) {
  const std::string file = (proj / "pyproject.toml").native();
  struct Case {
    std::string value;
    std::string line;
  };
  const Case cases[] = {
      {"\"3.11\"", file + ":3:19: requires-python \"3.11\": '3.11' has no operator (as \">=3.11\" or \"==3.11.*\")"},
      {"\">=3.x\"", file + ":3:19: requires-python \">=3.x\": '>=3.x' is not a PEP 440 version specifier"},
      {"\"\"", file + ":3:19: requires-python \"\": empty (a specifier set, as \">=3.11\")"},
      {"3", file + ":3:19: requires-python: an integer, not a string (as \">=3.11\")"},
  };
  for (const auto& c : cases) {
    requires_python(c.value);
    for (const char* command : {"run", "status", "policy", "compile"}) {
      auto o = command == std::string("run") ? pycache({"run", "-c", "pass"}) : pycache({command});
      EXPECT_EQ(o.exit_code, 2) << command << " " << c.value << ": " << o.err;
      EXPECT_EQ(o.err, "pycache: error: " + c.line + "\n") << command;
    }
  }
}

TEST_F(PythonChoice, ARequestThatContradictsRequiresPythonIsRefusedAsUvRefusesIt) {
  requires_python("\">=3.99\"");
  const std::string where = (proj / "pyproject.toml").native() + ":3:19";
  auto tail = [&](const std::string& asked, const std::string& from) {
    return "pycache: error: Python " + asked + " (" + from + ") resolved to Python " + ours.version +
           ", which does not satisfy requires-python \">=3.99\" (" + where +
           "): ask for a Python that does, or change requires-python\n";
  };
  auto flag = pycache({"run", "--python", ours.major_minor, "-c", "print('ran')"});
  EXPECT_EQ(flag.exit_code, 2) << flag.err;
  EXPECT_EQ(flag.out, "");
  EXPECT_EQ(flag.err, tail(ours.major_minor, "command line --python"));

  write_file(proj / ".python-version", ours.major_minor + "\n");
  auto file = pycache({"run", "-c", "print('ran')"});
  EXPECT_EQ(file.exit_code, 2) << file.err;
  EXPECT_EQ(file.err, tail(ours.major_minor, (proj / ".python-version").native()));
  fs::remove(proj / ".python-version");

  write_file(proj / "pycache.toml", "python = \"" + ours.major_minor + "\"\n");
  auto key = pycache({"run", "-c", "print('ran')"});
  EXPECT_EQ(key.exit_code, 2) << key.err;
  EXPECT_NE(key.err.find("(" + (proj / "pycache.toml").native() + ":1:10) resolved to Python " + ours.version),
            std::string::npos)
      << key.err;
  fs::remove(proj / "pycache.toml");

  // A path, once its version is known.
  auto path = pycache({"run", "--python", "/usr/bin/python" + ours.major_minor, "-c", "print('ran')"});
  EXPECT_EQ(path.exit_code, 2) << path.err;
  EXPECT_NE(path.err.find("does not satisfy requires-python \">=3.99\""), std::string::npos) << path.err;
}

TEST_F(PythonChoice, ARequestNothingAnswersNamesWhatWasFoundNeverABuild) {
  auto o = pycache({"run", "--python", "3.98", "-c", "pass"});
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_EQ(o.err.find("pycache: error: nothing here runs Python 3.98 (command line --python)"), 0u) << o.err;
  EXPECT_NE(o.err.find("found on this machine: "), std::string::npos) << o.err;
  EXPECT_NE(o.err.find(ours.version), std::string::npos) << "the versions found: " << o.err;
  EXPECT_NE(o.err.find("'pycache python list'"), std::string::npos) << o.err;
  for (const char* never : {"cmake", "rebuild", "PYCACHE_PYTHONS", "-S "})
    EXPECT_EQ(o.err.find(never), std::string::npos) << never << ": " << o.err;
  EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << "one line";
}

TEST_F(PythonChoice, StatusRunsNoPythonAndChecksTheTreeWhenNoPythonSatisfiesRequiresPython) {
  requires_python("\">=3.99\"");
  auto o = pycache({"status", "--check"});
  EXPECT_NE(o.exit_code, 3) << o.err;
  EXPECT_EQ(o.err.find("no runtime"), std::string::npos) << o.err;
  auto j = pycache({"status", "--json"});
  EXPECT_EQ(j.exit_code, 0) << j.err;
  EXPECT_NE(j.out.find("\"cache_tag\":\"cpython-399\""), std::string::npos) << "the oldest it allows: " << j.out;
  // The same tree checked: a stray pyc in __pycache__ is found.
  write_file(proj / "__pycache__/mod.cpython-399.pyc", "garbage");
  auto bad = pycache({"status", "--check"});
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
}

// A venv made by pyenv's 3.11.7 runs on 3.11.7, not on this build's 3.11
// runtime when that is another interpreter (Debian's 3.11.2 here): its
// children too.
TEST_F(PythonChoice, AVenvRunsOnItsOwnInterpreterNotAnotherOfItsMinorVersion) {
  const fs::path python = pyenv_root() / "versions/3.11.7/bin/python3.11";
  if (!fs::exists(python)) GTEST_SKIP() << "needs pyenv's 3.11.7 (" << python << ")";
  if (ours.major_minor != "3.11" || ours.version == "3.11.7")
    GTEST_SKIP() << "needs a 3.11 runtime of this build other than 3.11.7 (it is " << ours.version << ")";
  write_file(proj / "pycache.toml", "cache-prefix = \"../pfx\"\n");
  auto v = run({{python.native(), "-m", "venv", "--without-pip", (proj / ".venv").native()}, std::nullopt, env, proj});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  write_file(proj / "child.py",
             "import subprocess, sys\n"
             "print(sys.version.split()[0])\n"
             "print(subprocess.run([sys.executable, '-c', 'import sys, mod; print(sys.version.split()[0], "
             "sys.prefix)'], capture_output=True, text=True).stdout, end='')\n");
  auto o = pycache({"run", "child.py"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "3.11.7\n3.11.7 " + (proj / ".venv").native() + "\n") << o.err;
  EXPECT_EQ(find_files(prefix / proj.relative_path(), ".cpython-311.pyc").size(), 1u) << "mod's pyc, in the prefix";
  EXPECT_TRUE(find_pycache_dirs(proj).empty()) << "nothing in the tree";
  auto p = pycache({"policy"});
  EXPECT_NE(p.out.find(python.parent_path().native()), std::string::npos) << "says which: " << p.out;
  // compile and status: the pycs of 3.11, which the runtime of 3.11 makes.
  auto c = pycache({"compile"});
  EXPECT_EQ(c.exit_code, 0) << c.err;
  auto s = pycache({"status", "--check"});
  EXPECT_EQ(s.exit_code, 0) << s.out << s.err;
}

// A venv whose home is another user's is refused in one line, even where a
// runtime of its minor version would run it: never another Python.
TEST_F(PythonChoice, AVenvWhoseHomeIsAnotherUsersIsRefusedNotRunOnTheRuntime) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a directory to nobody";
  const fs::path python =
      pyenv_root() / ("versions/" + std::string(ours.major_minor) + ".7/bin/python" + std::string(ours.major_minor));
  if (!fs::exists(python)) GTEST_SKIP() << "needs pyenv's " << python;
  const fs::path theirs = t / "theirs";
  fs::create_directories(theirs);
  fs::create_symlink(python, theirs / ("python" + std::string(ours.major_minor)));
  ASSERT_EQ(::lchown((theirs / ("python" + std::string(ours.major_minor))).c_str(), 65534, 65534), 0);
  ASSERT_EQ(::chown(theirs.c_str(), 65534, 65534), 0);
  write_file(proj / "pycache.toml", "cache-prefix = \"../pfx\"\n");
  fs::create_directories(proj / ".venv/bin");
  write_file(proj / ".venv/pyvenv.cfg",
             "home = " + theirs.native() + "\nversion = " + std::string(ours.major_minor) + ".7\n");
  auto o = pycache({"run", "-c", "print('ran')"});
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_EQ(o.out, "") << "not run on the runtime " << ours.version;
  EXPECT_NE(o.err.find("nobody"), std::string::npos) << "why: " << o.err;
  EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << o.err;
}

}  // namespace
}  // namespace pycache::test
