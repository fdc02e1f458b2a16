// What status, clean and compile walk in a project (excludes.cpp, walk.cpp):
// not its virtual environments, tool directories or what git ignores, unless
// asked; never skipping a PATH named on the command line.
#include <gtest/gtest.h>
#include <unistd.h>

#include "process.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

class Excludes : public ::testing::Test {
 protected:
  TempDir t;
  fs::path proj = t / "proj";
  Env env = isolated_env(t.path());
  // Where a source of each kind lives; pkg is the project's own.
  const std::vector<std::string> skipped = {".venv/lib/dep/__init__.py", "node_modules/tool/gen.py", ".tox/py/lib/t.py",
                                            "build/lib/b.py"};

  void SetUp() override {
    add_git_identity(env);
    write_file(proj / "pyproject.toml", "[tool.pycache]\nexclude = [\"docs\"]\n");
    write_file(proj / "pkg/__init__.py", "");
    write_file(proj / "pkg/mod.py", "X = 1\n");
    write_file(proj / "docs/conf.py", "project = 'p'\n");
    write_file(proj / ".venv/pyvenv.cfg", "home = /usr/bin\nversion = 3.11.2\n");
    for (const auto& s : skipped) write_file(proj / s, "Y = 2\n");
    write_file(proj / ".gitignore", "build/\n__pycache__/\n");
    auto g = run({{"/usr/bin/git", "init", "-q", "."}, std::nullopt, env, proj});
    ASSERT_EQ(g.exit_code, 0) << g.err;
  }
  Outcome pycache(std::vector<std::string> args) {
    args.insert(args.begin(), pycache_bin().native());
    return run({args, std::nullopt, env, proj});
  }
  bool has_pycs(const std::string& source) {
    return !find_files((proj / source).parent_path() / "__pycache__", ".pyc").empty();
  }
};

TEST_F(Excludes, CompileSkipsVenvsToolDirsGitignoredAndExcludedUnlessAsked) {
  if (access("/usr/bin/git", X_OK) != 0) GTEST_SKIP() << "needs git";
  auto o = pycache({"compile"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(has_pycs("pkg/mod.py"));
  for (const auto& s : skipped) EXPECT_FALSE(has_pycs(s)) << s;
  EXPECT_FALSE(has_pycs("docs/conf.py")) << "the exclude key";

  // A PATH named is always walked.
  auto venv = pycache({"compile", ".venv"});
  ASSERT_EQ(venv.exit_code, 0) << venv.err;
  EXPECT_TRUE(has_pycs(".venv/lib/dep/__init__.py"));

  auto all = pycache({"compile", "--no-default-excludes"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  for (const auto& s : skipped) EXPECT_TRUE(has_pycs(s)) << s;
  EXPECT_FALSE(has_pycs("docs/conf.py")) << "the exclude key holds with --no-default-excludes";
}

TEST_F(Excludes, CleanKeepsTheVenvsBytecodeButCleansGitignoredPycache) {
  if (access("/usr/bin/git", X_OK) != 0) GTEST_SKIP() << "needs git";
  auto c = pycache({"compile", "--no-default-excludes", "--exclude", "nothing"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  ASSERT_TRUE(has_pycs("pkg/mod.py"));
  auto dry = pycache({"clean", "-n"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(dry.out.find(".venv"), std::string::npos) << dry.out;
  auto o = pycache({"clean"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_FALSE(has_pycs("pkg/mod.py")) << "__pycache__ is gitignored, and still cleaned";
  for (const auto& s : skipped) EXPECT_TRUE(has_pycs(s)) << s;

  // Named, inside a PATH that skips it: walked.
  auto venv = pycache({"clean", ".", ".venv"});
  ASSERT_EQ(venv.exit_code, 0) << venv.err;
  EXPECT_FALSE(has_pycs(".venv/lib/dep/__init__.py"));
  EXPECT_TRUE(has_pycs("build/lib/b.py"));

  auto all = pycache({"clean", "--no-default-excludes"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  for (const auto& s : skipped) EXPECT_FALSE(has_pycs(s)) << s;
}

// A venv named twice is one PATH: it was walked twice (the root taken for a
// venv below itself), each pyc listed and counted twice.
TEST_F(Excludes, AVenvNamedTwiceIsCleanedOnce) {
  auto c = pycache({"compile", ".venv"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto once = pycache({"clean", "-n", "--json", ".venv"});
  auto twice = pycache({"clean", "-n", "--json", ".venv", ".venv"});
  ASSERT_EQ(once.exit_code, 0) << once.err;
  ASSERT_EQ(twice.exit_code, 0) << twice.err;
  EXPECT_NE(once.out.find("\"files\":1,"), std::string::npos) << once.out;
  EXPECT_NE(twice.out.find("\"files\":1,"), std::string::npos) << twice.out;
  const std::string pyc = "/.venv/lib/dep/__pycache__/__init__.";
  EXPECT_EQ(twice.out.find(pyc), twice.out.rfind(pyc)) << "listed once: " << twice.out;
}

TEST_F(Excludes, StatusCheckIgnoresWhatIsInTheVenv) {
  if (access("/usr/bin/git", X_OK) != 0) GTEST_SKIP() << "needs git";
  // An importable sourceless pyc is a --check failure, wherever it is walked.
  auto py = run({{reference_python().native(), "-c",
                  "import py_compile; py_compile.compile('pkg/mod.py', cfile='.venv/lib/dep/gone.pyc')"},
                 std::nullopt,
                 env,
                 proj});
  ASSERT_EQ(py.exit_code, 0) << py.err;
  auto o = pycache({"status", "--check"});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_EQ(o.out.find(".venv"), std::string::npos) << o.out;
  auto all = pycache({"status", "--check", "--no-default-excludes"});
  EXPECT_EQ(all.exit_code, 1) << all.out << all.err;
  EXPECT_NE(all.out.find(".venv/lib/dep/gone.pyc"), std::string::npos) << all.out;
  auto named = pycache({"status", "--check", ".venv"});
  EXPECT_EQ(named.exit_code, 1) << named.out << named.err;
}

}  // namespace
}  // namespace pycache::test
