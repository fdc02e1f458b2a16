#include "pycache/excludes.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "fake_fs.hpp"

namespace pycache {
namespace {

namespace fs = std::filesystem;

// Git answering ignored_directories from a table, recording where it was asked.
class TableGit : public git::Git {
 public:
  std::optional<std::vector<fs::path>> dirs;  // nullopt: fails
  std::vector<fs::path> asked;
  Result<std::vector<fs::path>> tracked_bytecode(const fs::path&) override { return std::vector<fs::path>{}; }
  Result<std::vector<bool>> ignored(const fs::path&, const std::vector<fs::path>& p) override {
    return std::vector<bool>(p.size(), false);
  }
  Result<std::vector<fs::path>> ignored_directories(const fs::path& dir) override {
    asked.push_back(dir);
    if (!dirs) return Error{"fatal: detected dubious ownership", kExitEnvironment};
    return *dirs;
  }
};

// A project /p (a git work tree) with a venv, tool directories and sources.
struct Project {
  test::FakeFileSystem f;
  Project() {
    f.add_dir("/p/.git");
    f.add_file("/p/src/pkg/mod.py", "");
    f.add_file("/p/src/pkg/gen/out.py", "");
    f.add_file("/p/build/lib/m.py", "");
    f.add_file("/p/.venv/pyvenv.cfg", "home = /usr/bin\n");
    f.add_file("/p/.venv/lib/site.py", "");
    f.add_file("/p/env2/pyvenv.cfg", "");
    f.add_file("/p/.tox/py311/x.py", "");
    f.add_file("/p/.nox/s/x.py", "");
    f.add_file("/p/web/node_modules/m/x.py", "");
    f.add_file("/p/.hidden/x.py", "");
    f.add_file("/p/tests/test_a.py", "");
    f.add_file("/p/docs/conf.py", "");
    f.add_file("/p/dist/__pycache__/m.cpython-311.pyc", "");
  }
};

struct Case {
  std::vector<std::string> excludes;
  bool defaults;
  const char* path;  // under /p
  bool skipped;
};

TEST(Excludes, GlobsMatchNamesAndPathsRelativeToTheRoot) {
  const Case cases[] = {
      // A glob without a slash: any name at any depth.
      {{"gen"}, false, "src/pkg/gen/out.py", true},
      {{"gen"}, false, "src/pkg/mod.py", false},
      {{"*.py"}, false, "src/pkg/mod.py", true},
      {{"test_*"}, false, "tests/test_a.py", true},
      {{"test_*"}, false, "tests", false},
      {{"tests"}, false, "tests/test_a.py", true},
      {{"m?d.py"}, false, "src/pkg/mod.py", true},
      {{"[bd]uild"}, false, "build/lib/m.py", true},
      {{"[!b]uild"}, false, "build/lib/m.py", false},
      {{".*"}, false, ".hidden/x.py", true},
      {{".h*"}, false, "src/pkg/mod.py", false},
      // A glob with a slash: the path from the root, whole.
      {{"src/pkg"}, false, "src/pkg/mod.py", true},
      {{"pkg/gen"}, false, "src/pkg/gen/out.py", false},
      {{"src/*/gen"}, false, "src/pkg/gen/out.py", true},
      {{"build/lib/m.py"}, false, "build/lib/m.py", true},
      {{"/p/build"}, false, "build/lib/m.py", false},
      {{"docs", "build"}, false, "build/lib/m.py", true},
      {{"docs", "build"}, false, "src/pkg/mod.py", false},
      {{}, false, "src/pkg/mod.py", false},
  };
  Project p;
  for (const auto& c : cases) {
    auto found = find_skip_rules(p.f, nullptr, "/p", c.excludes, c.defaults);
    ASSERT_TRUE(found.rules);
    EXPECT_EQ(found.rules->excludes, c.excludes);
    EXPECT_EQ(skipped_below(p.f, *found.rules, "/p", fs::path("/p") / c.path), c.skipped)
        << (c.excludes.empty() ? "" : c.excludes[0]) << " on " << c.path;
  }
}

TEST(Excludes, DefaultsSkipVenvsToolAndVcsDirectoriesButOnlyWhenOn) {
  const Case cases[] = {
      {{}, true, ".venv/lib/site.py", true},  // holds pyvenv.cfg
      {{}, true, "env2/pyvenv.cfg", true},    // whatever its name
      {{}, true, ".tox/py311/x.py", true},
      {{}, true, ".nox/s/x.py", true},
      {{}, true, "web/node_modules/m/x.py", true},
      {{}, true, ".git/config", true},
      {{}, true, "src/pkg/mod.py", false},
      {{}, true, ".hidden/x.py", false},
      {{}, true, "dist/__pycache__/m.cpython-311.pyc", false},
      {{}, false, ".venv/lib/site.py", false},
      {{}, false, ".tox/py311/x.py", false},
      {{}, false, "web/node_modules/m/x.py", false},
      {{"src"}, true, "src/pkg/mod.py", true},
  };
  Project p;
  for (const auto& c : cases) {
    auto found = find_skip_rules(p.f, nullptr, "/p", c.excludes, c.defaults);
    EXPECT_EQ(found.rules->defaults, c.defaults);
    EXPECT_TRUE(found.warning.empty());
    EXPECT_EQ(skipped_below(p.f, *found.rules, "/p", fs::path("/p") / c.path), c.skipped)
        << c.path << (c.defaults ? " with defaults" : " without");
  }
}

TEST(Excludes, PathsOutsideTheRootAreNeverSkipped) {
  Project p;
  auto found = find_skip_rules(p.f, nullptr, "/p/src", {"*"}, true);
  EXPECT_FALSE(skipped_below(p.f, *found.rules, "/p/src", "/p/build/lib/m.py"));
  EXPECT_FALSE(skipped_below(p.f, *found.rules, "/p/src", "/p"));
  EXPECT_TRUE(skipped_below(p.f, *found.rules, "/p/src", "/p/src/pkg"));
}

// The root is not below itself: `pycache clean .venv .venv` (or any PATH
// named twice with an exclude matching ".") walked it twice, counting every
// removal twice, because "." was taken for a name the rules skip.
TEST(Excludes, TheRootItselfIsNeverSkipped) {
  Project p;
  auto venv = find_skip_rules(p.f, nullptr, "/p/.venv", {}, true);
  EXPECT_FALSE(skipped_below(p.f, *venv.rules, "/p/.venv", "/p/.venv"));
  EXPECT_FALSE(skipped_below(p.f, *venv.rules, "/p/.venv", "/p/.venv/"));
  EXPECT_TRUE(skipped_below(p.f, *venv.rules, "/p", "/p/.venv"));
  for (const char* glob : {"*", ".", "?"}) {
    auto all = find_skip_rules(p.f, nullptr, "/p/src", {glob}, false);
    EXPECT_FALSE(skipped_below(p.f, *all.rules, "/p/src", "/p/src")) << glob;
    EXPECT_FALSE(skipped_below(p.f, *all.rules, "/p/src", "/p/src/")) << glob;
  }
}

TEST(Excludes, GitIgnoredDirectoriesAreSkippedExceptPycache) {
  Project p;
  TableGit git;
  git.dirs = std::vector<fs::path>{"/p/build", "/p/dist/__pycache__", "/p/src/pkg/__pycache__", "/p/web"};
  auto found = find_skip_rules(p.f, &git, "/p", {}, true);
  EXPECT_TRUE(found.warning.empty()) << found.warning;
  EXPECT_EQ(git.asked, std::vector<fs::path>{"/p"});
  EXPECT_EQ(found.rules->ignored, (std::vector<fs::path>{"/p/build", "/p/web"}));
  EXPECT_TRUE(skipped_below(p.f, *found.rules, "/p", "/p/build/lib/m.py"));
  EXPECT_FALSE(skipped_below(p.f, *found.rules, "/p", "/p/dist/__pycache__/m.cpython-311.pyc"));
  EXPECT_FALSE(skipped_below(p.f, *found.rules, "/p", "/p/src/pkg/mod.py"));
}

TEST(Excludes, GitIsAskedOnlyWithDefaultsInsideAWorkTree) {
  Project p;
  p.f.add_file("/elsewhere/a.py", "");
  TableGit git;
  git.dirs = std::vector<fs::path>{"/p/build"};
  EXPECT_TRUE(find_skip_rules(p.f, &git, "/p", {}, false).rules->ignored.empty());
  EXPECT_TRUE(find_skip_rules(p.f, &git, "/elsewhere", {}, true).rules->ignored.empty());
  EXPECT_TRUE(git.asked.empty());
  // A file root: git is asked about its directory.
  auto file = find_skip_rules(p.f, &git, "/p/src/pkg/mod.py", {}, true);
  EXPECT_EQ(git.asked, std::vector<fs::path>{"/p/src/pkg"});
  EXPECT_EQ(file.rules->ignored, std::vector<fs::path>{"/p/build"});
}

TEST(Excludes, AFailingGitIsOneWarningAndNoIgnoredDirectories) {
  Project p;
  TableGit git;
  auto found = find_skip_rules(p.f, &git, "/p", {"docs"}, true);
  EXPECT_EQ(found.warning,
            "can't ask git what it ignores under '/p' (fatal: detected dubious ownership): walking ignored directories "
            "too");
  EXPECT_TRUE(found.rules->ignored.empty());
  EXPECT_TRUE(found.rules->defaults);
  EXPECT_TRUE(skipped_below(p.f, *found.rules, "/p", "/p/docs/conf.py"));
  EXPECT_TRUE(skipped_below(p.f, *found.rules, "/p", "/p/.venv/lib/site.py"));
}

TEST(SkipRulesMaker, OneGitForEveryRootMadeOnlyWhenTheDefaultsNeedIt) {
  Project p;
  int made = 0;
  TableGit* made_git = nullptr;
  SkipRulesMaker maker(
      p.f,
      [&]() -> std::unique_ptr<git::Git> {
        ++made;
        auto g = std::make_unique<TableGit>();
        g->dirs = std::vector<fs::path>{"/p/build"};
        made_git = g.get();
        return g;
      },
      nullptr);
  EXPECT_TRUE(maker.rules_for("/p", {"docs"}, false)->ignored.empty());
  EXPECT_EQ(made, 0);  // --no-default-excludes: git is never looked for
  EXPECT_EQ(maker.rules_for("/p", {}, true)->ignored, std::vector<fs::path>{"/p/build"});
  EXPECT_EQ(maker.rules_for("/p/src", {}, true)->ignored, std::vector<fs::path>{"/p/build"});
  EXPECT_EQ(made, 1);
  ASSERT_NE(made_git, nullptr);
  EXPECT_EQ(made_git->asked, (std::vector<fs::path>{"/p", "/p/src"}));
}

TEST(SkipRulesMaker, AFailingGitIsOneWarningForAllRoots) {
  Project p;
  std::vector<std::string> warnings;
  SkipRulesMaker maker(
      p.f, [] { return std::make_unique<TableGit>(); }, [&](const std::string& w) { warnings.push_back(w); });
  auto first = maker.rules_for("/p", {}, true);
  auto second = maker.rules_for("/p/src", {"gen"}, true);
  EXPECT_TRUE(first->ignored.empty());
  EXPECT_EQ(second->excludes, std::vector<std::string>{"gen"});
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_EQ(warnings[0],
            "can't ask git what it ignores under '/p' (fatal: detected dubious ownership): walking ignored directories "
            "too");
}

TEST(SkipRulesMaker, NoGitProgramIsNoIgnoredDirectoriesAndNoWarning) {
  Project p;
  int warned = 0;
  SkipRulesMaker maker(
      p.f, [] { return std::unique_ptr<git::Git>(); }, [&](const std::string&) { ++warned; });
  auto rules = maker.rules_for("/p", {}, true);
  EXPECT_TRUE(rules->ignored.empty());
  EXPECT_TRUE(rules->defaults);
  EXPECT_EQ(warned, 0);
}

}  // namespace
}  // namespace pycache
