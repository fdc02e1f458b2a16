// status_check.cpp: git's answers about a root's bytecode (ask_git) and the
// --check findings (check), over the in-memory FileSystem and a fake git.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "fake_fs.hpp"
#include "pycache/status.hpp"
#include "status_fixtures.hpp"

namespace pycache::status {
namespace {

using test::compiled;
using test::FakeFileSystem;
using test::findings;
using test::k311;
using test::kTag;
using test::options_for;
using test::policy;
using test::timestamp_pyc;

class FakeGit : public git::Git {
 public:
  std::vector<fs::path> tracked;
  std::set<std::string> ignored_paths;  // absolute
  std::vector<fs::path> asked;
  std::string fail;
  Result<std::vector<fs::path>> ignored_directories(const fs::path&) override { return std::vector<fs::path>{}; }
  Result<std::vector<fs::path>> tracked_bytecode(const fs::path&) override {
    if (!fail.empty()) return Error{fail, kExitFailure};
    return tracked;
  }
  Result<std::vector<bool>> ignored(const fs::path&, const std::vector<fs::path>& paths) override {
    asked = paths;
    std::vector<bool> out;
    for (const auto& p : paths) {
      bool hit = ignored_paths.count(p.native()) > 0;
      // A "__pycache__/" rule: everything inside such a directory.
      if (ignored_paths.count("__pycache__/") && p.native().find("/__pycache__/") != std::string::npos) hit = true;
      out.push_back(hit);
    }
    return out;
  }
};

TEST(StatusCheck, GitTrackedBytecodeIsAFindingAndIgnoreCoverageIsTold) {
  FakeFileSystem f;
  f.add_dir("/p/.git");
  compiled(f, "/p", "a");
  f.add_file("/p/old.py", "");
  f.add_file("/p/old.pyc", timestamp_pyc(k311, 0, 0));
  FakeGit g;
  g.tracked = {"/p/__pycache__/a.cpython-311.pyc", "/p/deleted/__pycache__/d.cpython-311.pyc"};
  g.ignored_paths = {"__pycache__/"};
  Report rep = collect(f, options_for("/p"), &g);
  const RootStatus& r = rep.roots[0];
  ASSERT_TRUE(r.git);
  EXPECT_EQ(r.git->work_tree, "/p");
  EXPECT_TRUE(r.git->error.empty());
  EXPECT_EQ(r.git->tracked.size(), 2u);
  EXPECT_EQ(r.git->tracked_ignored.size(), 2u);
  EXPECT_EQ(r.git->unignored, (std::vector<fs::path>{"/p/old.pyc"}));
  EXPECT_TRUE(r.git->ignores_pycache);
  EXPECT_FALSE(r.git->ignores_legacy);
  EXPECT_EQ(findings(rep), (std::vector<std::pair<FindingKind, std::string>>{
                               {FindingKind::Tracked, "/p/__pycache__/a.cpython-311.pyc"},
                               {FindingKind::Tracked, "/p/deleted/__pycache__/d.cpython-311.pyc"}}));
  EXPECT_NE(rep.findings[0].detail.find("git rm --cached"), std::string::npos);
  // One batch: what is there, what is tracked, two probes.
  EXPECT_EQ(g.asked.size(), 2u + 2u + 2u);

  std::string human = format_human(rep, Color::No);
  EXPECT_NE(human.find("2 bytecode files tracked, 1 untracked ones not ignored"), std::string::npos) << human;
  EXPECT_NE(human.find("ignore rules cover __pycache__/: yes, legacy *.pyc: no"), std::string::npos) << human;
}

TEST(StatusCheck, GitErrorsAreReportedNotFatal) {
  FakeFileSystem f;
  f.add_file("/p/.git", "gitdir: /elsewhere\n");  // a worktree's .git file
  compiled(f, "/p/sub", "a");
  FakeGit g;
  g.fail = "git: detected dubious ownership in repository at '/p'";
  Report rep = collect(f, options_for("/p/sub"), &g);
  ASSERT_TRUE(rep.roots[0].git);
  EXPECT_EQ(rep.roots[0].git->work_tree, "/p");
  EXPECT_EQ(rep.roots[0].git->error, g.fail);
  EXPECT_TRUE(rep.findings.empty());
  // Outside a work tree git is not asked at all.
  FakeFileSystem bare;
  compiled(bare, "/q", "a");
  FakeGit unused;
  unused.fail = "must not be called";
  EXPECT_FALSE(collect(bare, options_for("/q"), &unused).roots[0].git);
}

TEST(StatusCheck, WriteBytecodeFalseMakesInTreeBytecodeAFinding) {
  FakeFileSystem f;
  compiled(f, "/p", "a");
  compiled(f, "/p/sub", "b");
  f.add_file("/p/sub/legacy.py", "");
  f.add_file("/p/sub/legacy.pyc", timestamp_pyc(k311, 0, 0));
  Report rep = collect(f, options_for("/p", policy("", false)), nullptr);
  EXPECT_EQ(findings(rep),
            (std::vector<std::pair<FindingKind, std::string>>{{FindingKind::BytecodeInTree, "/p/__pycache__"},
                                                              {FindingKind::BytecodeInTree, "/p/sub/__pycache__"},
                                                              {FindingKind::BytecodeInTree, "/p/sub/legacy.pyc"}}));
  EXPECT_NE(rep.findings[0].detail.find("1 file of bytecode; write-bytecode = false (/p/pycache.toml:2:1)"),
            std::string::npos)
      << rep.findings[0].detail;
  // The same tree under the default policy is clean.
  EXPECT_TRUE(collect(f, options_for("/p"), nullptr).findings.empty());
}

// A cache prefix in the work tree: git is asked about a pyc of the prefix's
// mirror of the root (which need not exist), and a miss is a finding.
TEST(StatusCheck, APrefixInTheWorkTreeThatGitDoesNotIgnoreIsAFinding) {
  FakeFileSystem f;
  f.add_dir("/p/.git");
  f.add_file("/p/a.py", "a = 1\n");
  FakeGit g;
  Report rep = collect(f, options_for("/p", policy("/p/.pyc")), &g);
  ASSERT_TRUE(rep.roots[0].git);
  EXPECT_EQ(g.asked.back(), "/p/.pyc/p/pycache-status-probe.cpython-311.pyc");
  EXPECT_EQ(rep.roots[0].git->ignores_prefix, false);
  EXPECT_EQ(findings(rep),
            (std::vector<std::pair<FindingKind, std::string>>{{FindingKind::PrefixNotIgnored, "/p/.pyc"}}));
  EXPECT_EQ(rep.findings[0].detail,
            "cache-prefix (/p/pycache.toml:1:1) is in the git work tree and the ignore rules miss its pycs: "
            "'git add .' would take them (ignore '/.pyc/' in .gitignore)");
  EXPECT_NE(format_human(rep, Color::No).find("legacy *.pyc: no, the cache prefix: no\n"), std::string::npos);

  g.ignored_paths = {"/p/.pyc/p/pycache-status-probe.cpython-311.pyc"};
  rep = collect(f, options_for("/p", policy("/p/.pyc")), &g);
  EXPECT_EQ(rep.roots[0].git->ignores_prefix, true);
  EXPECT_TRUE(rep.findings.empty());

  // A prefix outside the work tree is not git's business: not asked.
  rep = collect(f, options_for("/p", policy("/var/cache/pyc")), &g);
  EXPECT_FALSE(rep.roots[0].git->ignores_prefix);
  EXPECT_EQ(g.asked.size(), 2u);
  EXPECT_TRUE(rep.findings.empty());
  // Nor when git could not answer.
  g.fail = "git: not found";
  EXPECT_TRUE(collect(f, options_for("/p", policy("/p/.pyc")), &g).findings.empty());
}

// check() alone, on a report made by hand: the kinds in order, then paths.
TEST(StatusCheck, FindingsAreSortedByKindThenPath) {
  Report rep;
  RootStatus r;
  r.target.root = "/p";
  r.sourceless = {Notable{"/p/z.pyc", "Python 3.11"}, Notable{"/p/a.pyc", "Python 3.8"}};
  r.not_regular = {Notable{"/p/__pycache__/m.cpython-311.pyc", "a symbolic link"}};
  GitReport g;
  g.work_tree = "/p";
  g.tracked = {"/p/t.pyc"};
  g.tracked_ignored = {"/p/t.pyc"};
  r.git = g;
  rep.roots.push_back(r);
  rep.errors.push_back(WalkError{"/p/locked", EACCES});
  EXPECT_EQ(findings(Report{{}, {}, {}, check(rep)}), (std::vector<std::pair<FindingKind, std::string>>{
                                                          {FindingKind::Tracked, "/p/t.pyc"},
                                                          {FindingKind::Sourceless, "/p/a.pyc"},
                                                          {FindingKind::Sourceless, "/p/z.pyc"},
                                                          {FindingKind::NotRegular, "/p/__pycache__/m.cpython-311.pyc"},
                                                          {FindingKind::Unreadable, "/p/locked"}}));
  std::vector<Finding> f = check(rep);
  EXPECT_EQ(f[0].detail, "tracked by git although .gitignore covers it (git rm --cached)");
  EXPECT_EQ(f[1].detail, "no source: 'import' loads this Python 3.8 bytecode");
  EXPECT_EQ(to_string(FindingKind::BytecodeInTree), "bytecode-in-tree");
}

}  // namespace
}  // namespace pycache::status
