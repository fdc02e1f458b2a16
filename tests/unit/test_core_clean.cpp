#include "pycache/clean.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <set>

#include "fake_fs.hpp"

namespace pycache::clean {
namespace {

using test::FakeFileSystem;
using Op = FakeFileSystem::Op;

constexpr const char* kTag = "cpython-311";

Options tree(const std::vector<std::string>& paths, const std::string& prefix = {}) {
  Options o;
  for (const auto& p : paths) o.targets.push_back(Target{p, prefix});
  o.current_tags = {kTag};
  o.walk.threads = 2;
  return o;
}

Options prefix_upkeep(const std::vector<std::string>& prefixes) {
  Options o;
  for (const auto& p : prefixes) o.prefixes.push_back(p);
  o.current_tags = {kTag};
  o.walk.threads = 2;
  o.now_ns = 1000LL * 86400 * 1'000'000'000;  // day 1000
  return o;
}

Summary clean(FakeFileSystem& f, Options o) { return Cleaner(f, std::move(o)).run(); }

std::set<std::string> paths_under(const FakeFileSystem& f, const std::string& root) {
  std::set<std::string> out;
  for (const auto& p : f.paths())
    if (p.native().rfind(root, 0) == 0) out.insert(p.native());
  return out;
}

std::uint64_t reason(const Summary& s, Reason r) { return s.by_reason[static_cast<std::size_t>(r)]; }

// Every mutation the run made removed something bytecode-shaped or a directory.
void expect_only_bytecode_removed(const FakeFileSystem& f) {
  for (const auto& m : f.mutations()) {
    if (m.rfind("rmdir ", 0) == 0) continue;
    ASSERT_EQ(m.rfind("unlink ", 0), 0u) << m;
    std::string name = fs::path(m.substr(7)).filename().native();
    EXPECT_FALSE(name.ends_with(".py")) << m;
    EXPECT_NE(name.find(".py"), std::string::npos) << m;
  }
}

class CleanTree : public ::testing::Test {
 protected:
  FakeFileSystem f;
  void SetUp() override {
    f.add_file("/r/pkg/__init__.py", "x");
    f.add_file("/r/pkg/m.py", "y");
    f.add_file("/r/pkg/__pycache__/__init__.cpython-311.pyc", std::string(100, 'a'));
    f.add_file("/r/pkg/__pycache__/m.cpython-311.pyc", std::string(200, 'b'));
    f.add_file("/r/pkg/__pycache__/m.cpython-311.opt-2.pyc", std::string(10, 'c'));
    f.add_file("/r/pkg/__pycache__/m.cpython-311-pytest-8.3.2.pyc", std::string(20, 'd'));
    f.add_file("/r/pkg/__pycache__/m.cpython-311.pyc.140234", std::string(5, 'e'));
    f.add_file("/r/pkg/old.pyc", std::string(7, 'f'));
    f.add_file("/r/pkg/older.pyo", std::string(3, 'g'));
    f.add_file("/r/pkg/data.txt", "keep");
    f.add_file("/r/setup.py", "s");
  }
};

TEST_F(CleanTree, RemovesEveryKindOfBytecodeThenTheEmptyPycache) {
  Summary s = clean(f, tree({"/r"}));
  EXPECT_EQ(paths_under(f, "/r"), (std::set<std::string>{"/r", "/r/pkg", "/r/pkg/__init__.py", "/r/pkg/data.txt",
                                                         "/r/pkg/m.py", "/r/setup.py"}));
  EXPECT_EQ(s.total.files, 7u);
  EXPECT_EQ(s.total.dirs, 1u);
  EXPECT_EQ(s.total.bytes, 100u + 200 + 10 + 20 + 5 + 7 + 3);
  EXPECT_EQ(reason(s, Reason::Bytecode), 3u);
  EXPECT_EQ(reason(s, Reason::PytestPyc), 1u);
  EXPECT_EQ(reason(s, Reason::TempFile), 1u);
  EXPECT_EQ(reason(s, Reason::Legacy), 2u);
  EXPECT_EQ(reason(s, Reason::EmptyDir), 1u);
  EXPECT_TRUE(s.problems.empty());
  EXPECT_TRUE(s.kept.empty());
  EXPECT_FALSE(s.failed());
  expect_only_bytecode_removed(f);
  // The directory goes after its files.
  auto m = f.mutations();
  EXPECT_EQ(m.back(), "rmdir /r/pkg/__pycache__");
}

TEST_F(CleanTree, DryRunChangesNothingAndCountsTheSame) {
  Options o = tree({"/r"});
  o.dry_run = DryRun::Yes;
  o.listing = Listing::Yes;
  Summary dry = clean(f, o);
  EXPECT_TRUE(f.mutations().empty());
  ASSERT_EQ(dry.removed.size(), 8u);
  EXPECT_EQ(dry.removed[0].path, "/r/pkg/__pycache__");
  EXPECT_TRUE(dry.removed[0].directory);
  EXPECT_TRUE(std::is_sorted(dry.removed.begin(), dry.removed.end(),
                             [](const Removal& a, const Removal& b) { return a.path < b.path; }));
  Summary real = clean(f, tree({"/r"}));
  EXPECT_EQ(dry.total.files, real.total.files);
  EXPECT_EQ(dry.total.dirs, real.total.dirs);
  EXPECT_EQ(dry.total.bytes, real.total.bytes);
  EXPECT_EQ(dry.by_reason, real.by_reason);
}

TEST_F(CleanTree, APycacheHoldingOtherFilesIsKeptAndReported) {
  f.add_file("/r/pkg/__pycache__/notes.txt");
  f.add_file("/r/pkg/__pycache__/m.pyc");  // no tag: not a name CPython writes there
  f.add_dir("/r/pkg/__pycache__/sub");
  f.add_file("/r/pkg/__pycache__/sub/x.cpython-311.pyc");
  Summary s = clean(f, tree({"/r"}));
  ASSERT_EQ(s.kept.size(), 1u);
  EXPECT_EQ(s.kept[0].path, "/r/pkg/__pycache__");
  EXPECT_EQ(s.kept[0].others, 3u);
  EXPECT_EQ(paths_under(f, "/r/pkg/__pycache__"),
            (std::set<std::string>{"/r/pkg/__pycache__", "/r/pkg/__pycache__/m.pyc", "/r/pkg/__pycache__/notes.txt",
                                   "/r/pkg/__pycache__/sub", "/r/pkg/__pycache__/sub/x.cpython-311.pyc"}));
  EXPECT_FALSE(s.failed()) << "kept is a report, not a failure";
  EXPECT_EQ(format_kept(s.kept[0]), "kept '/r/pkg/__pycache__': 3 entries not bytecode");
}

TEST(Clean, NeverRemovesAnythingThatIsNotBytecode) {
  FakeFileSystem f;
  const std::set<std::string> keep = {
      "/r/a.py",
      "/r/a.pyw",
      "/r/.pyc",
      "/r/b.pyc.txt",
      "/r/c.pycx",
      "/r/pyc",
      "/r/d.pyc.bak",
      "/r/__pycache__/a.py",
      "/r/__pycache__/x.txt",
      "/r/__pycache__/.cpython-311.pyc",
      "/r/__pycache__/a.cpython-311.pyc.tmp",
      "/r/__pycache__/a.cpython-311.opt-x.pyc",
      "/r/.coverage",
      "/r/.coveragerc",
  };
  for (const auto& k : keep) f.add_file(k, "data");
  f.add_dir("/r/dir.pyc");
  f.add_file("/outside/t.pyc");
  f.add_symlink("/r/link.pyc", "/outside/t.pyc");
  f.add_symlink("/r/__pycache__/b.cpython-311.pyc", "/outside/t.pyc");
  Summary s = clean(f, tree({"/r"}));
  for (const auto& k : keep) EXPECT_TRUE(f.exists(k)) << k;
  EXPECT_TRUE(f.exists("/r/dir.pyc"));
  EXPECT_TRUE(f.exists("/outside/t.pyc"));
  // Links bearing a pyc name are bytecode debris: the links go, never their target.
  EXPECT_EQ(s.total.files, 2u);
  auto m = f.mutations();
  std::sort(m.begin(), m.end());
  EXPECT_EQ(m, (std::vector<std::string>{"unlink /r/__pycache__/b.cpython-311.pyc", "unlink /r/link.pyc"}));
}

TEST(Clean, NeverFollowsSymlinksOutOfTheTree) {
  FakeFileSystem f;
  f.add_file("/outside/m.py");
  f.add_file("/outside/__pycache__/m.cpython-311.pyc");
  f.add_file("/outside/legacy.pyc");
  f.add_file("/r/m.py");
  f.add_file("/r/__pycache__/m.cpython-311.pyc");
  f.add_symlink("/r/link", "/outside");
  f.add_symlink("/r/loop", "/r");
  f.add_symlink("/r/sub/__pycache__", "/outside/__pycache__");
  Summary s = clean(f, tree({"/r"}));
  EXPECT_TRUE(f.exists("/outside/__pycache__/m.cpython-311.pyc"));
  EXPECT_TRUE(f.exists("/outside/legacy.pyc"));
  EXPECT_TRUE(f.exists("/r/link"));
  EXPECT_TRUE(f.exists("/r/loop"));
  EXPECT_TRUE(f.exists("/r/sub/__pycache__"));
  EXPECT_FALSE(f.exists("/r/__pycache__"));
  EXPECT_EQ(s.total.files, 1u);
  EXPECT_TRUE(s.problems.empty());
  for (const auto& m : f.mutations()) EXPECT_EQ(m.find("/outside"), std::string::npos) << m;
}

TEST(Clean, ASymlinkAsRootIsAProblemNotFollowed) {
  FakeFileSystem f;
  f.add_file("/outside/__pycache__/m.cpython-311.pyc");
  f.add_symlink("/link", "/outside");
  Summary s = clean(f, tree({"/link"}));
  ASSERT_EQ(s.problems.size(), 1u);
  EXPECT_EQ(s.problems[0].error, ELOOP);
  EXPECT_TRUE(f.exists("/outside/__pycache__/m.cpython-311.pyc"));
}

TEST(Clean, UnreadableDirsAndUnremovableFilesAreReportedAndTheRestGoesOn) {
  FakeFileSystem f;
  f.add_file("/r/a/__pycache__/m.cpython-311.pyc");
  f.add_file("/r/a/__pycache__/n.cpython-311.pyc");
  f.add_file("/r/locked/__pycache__/m.cpython-311.pyc");
  f.add_file("/r/b/__pycache__/m.cpython-311.pyc");
  f.fail(Op::List, "/r/locked", EACCES);
  f.fail(Op::Unlink, "/r/a/__pycache__/n.cpython-311.pyc", EPERM);
  Summary s = clean(f, tree({"/r"}));
  ASSERT_EQ(s.problems.size(), 2u);
  EXPECT_EQ(s.problems[0].path, "/r/a/__pycache__/n.cpython-311.pyc");
  EXPECT_EQ(s.problems[0].action, "remove");
  EXPECT_EQ(s.problems[0].error, EPERM);
  EXPECT_EQ(s.problems[1].path, "/r/locked");
  EXPECT_EQ(s.problems[1].action, "read");
  EXPECT_TRUE(s.failed());
  EXPECT_FALSE(f.exists("/r/b/__pycache__"));
  EXPECT_FALSE(f.exists("/r/a/__pycache__/m.cpython-311.pyc"));
  EXPECT_TRUE(f.exists("/r/a/__pycache__")) << "not emptied: not removed, and no second problem for it";
  EXPECT_EQ(format_problem(s.problems[0]),
            "cannot remove '/r/a/__pycache__/n.cpython-311.pyc': Operation not permitted");
  EXPECT_EQ(format_problem(s.problems[1]), "cannot read '/r/locked': Permission denied");
}

TEST(Clean, FilesVanishingMeanwhileAreNotProblems) {
  FakeFileSystem f;
  f.add_file("/r/a/__pycache__/m.cpython-311.pyc");
  f.add_file("/r/gone/__pycache__/m.cpython-311.pyc");
  f.add_file("/r/b/__pycache__/m.cpython-311.pyc");
  f.fail(Op::List, "/r/gone", ENOENT);
  f.fail(Op::Lstat, "/r/a/__pycache__/m.cpython-311.pyc", ENOENT);
  f.fail(Op::Rmdir, "/r/b/__pycache__", ENOTEMPTY);  // a concurrent writer put a new pyc in
  Summary s = clean(f, tree({"/r"}));
  EXPECT_TRUE(s.problems.empty());
  EXPECT_FALSE(s.failed());
  EXPECT_TRUE(f.exists("/r/b/__pycache__"));
  // The fake still holds the "vanished" file, so both rmdirs meet ENOTEMPTY:
  // kept, silently, like a directory a concurrent writer refilled.
  EXPECT_EQ(s.total.dirs, 0u);
  EXPECT_TRUE(s.kept.empty());
}

TEST(Clean, ExcludedNamesAndPathsAreLeftAlone) {
  FakeFileSystem f;
  f.add_file("/r/vendor/__pycache__/m.cpython-311.pyc");
  f.add_file("/r/src/gen/__pycache__/m.cpython-311.pyc");
  f.add_file("/r/src/ok/__pycache__/m.cpython-311.pyc");
  f.add_file("/r/src/ok/keep.pyc");
  f.add_file("/r/.git/objects/__pycache__/m.cpython-311.pyc");
  Options o = tree({"/r"});
  o.walk.excludes = {"vendor", "src/gen", "keep.pyc"};
  clean(f, o);
  EXPECT_TRUE(f.exists("/r/vendor/__pycache__/m.cpython-311.pyc"));
  EXPECT_TRUE(f.exists("/r/src/gen/__pycache__/m.cpython-311.pyc"));
  EXPECT_TRUE(f.exists("/r/src/ok/keep.pyc"));
  EXPECT_TRUE(f.exists("/r/.git/objects/__pycache__/m.cpython-311.pyc")) << "VCS internals are never entered";
  EXPECT_FALSE(f.exists("/r/src/ok/__pycache__"));
}

TEST(Clean, OneFileSystemStaysOnTheRootsDevice) {
  FakeFileSystem f;
  f.add_file("/r/__pycache__/m.cpython-311.pyc");
  f.add_dir("/r/mnt", 2);
  f.add_file("/r/mnt/__pycache__/m.cpython-311.pyc");
  Options o = tree({"/r"});
  o.walk.one_file_system = OneFileSystem::Yes;
  clean(f, o);
  EXPECT_FALSE(f.exists("/r/__pycache__"));
  EXPECT_TRUE(f.exists("/r/mnt/__pycache__/m.cpython-311.pyc"));
}

TEST(Clean, OneFileSystemLeavesBindMountsAndDebrisInsideThemAlone) {
  FakeFileSystem f;
  f.add_file("/r/__pycache__/m.cpython-311.pyc");
  f.add_mount("/r/bind", 5);
  f.add_file("/r/bind/__pycache__/m.cpython-311.pyc");
  f.add_file("/r/.pytest_cache/v/x");
  f.add_mount("/r/.pytest_cache/mnt", 6);
  f.add_file("/r/.pytest_cache/mnt/keep");
  Options o = tree({"/r"});
  o.walk.one_file_system = OneFileSystem::Yes;
  o.debris = kDebrisDefault;
  clean(f, o);
  EXPECT_FALSE(f.exists("/r/__pycache__"));
  EXPECT_TRUE(f.exists("/r/bind/__pycache__/m.cpython-311.pyc"));
  EXPECT_FALSE(f.exists("/r/.pytest_cache/v"));
  EXPECT_TRUE(f.exists("/r/.pytest_cache/mnt/keep")) << "a mount inside a tool cache is not emptied";
}

// A tool cache that is a mount point (a bind mount: same device, another
// mount ID) is another file system's data: never emptied, with or without
// --one-file-system, and reported as kept. So is a mount inside one.
TEST(Clean, ADebrisDirectoryThatIsAMountPointIsKeptWhateverTheOptions) {
  for (const auto x : {OneFileSystem::Yes, OneFileSystem::No}) {
    FakeFileSystem f;
    f.add_mount("/r/.mypy_cache", 7);
    f.add_file("/r/.mypy_cache/precious");
    f.add_file("/r/.pytest_cache/v/x");
    f.add_mount("/r/.pytest_cache/mnt", 8);
    f.add_file("/r/.pytest_cache/mnt/keep");
    Options o = tree({"/r"});
    o.walk.one_file_system = x;
    o.debris = kDebrisDefault;
    o.dry_run = DryRun::Yes;
    Summary dry = clean(f, o);
    o.dry_run = DryRun::No;
    Summary s = clean(f, o);
    EXPECT_TRUE(f.exists("/r/.mypy_cache/precious"));
    EXPECT_TRUE(f.exists("/r/.pytest_cache/mnt/keep"));
    EXPECT_FALSE(f.exists("/r/.pytest_cache/v"));
    EXPECT_FALSE(s.failed());
    for (const Summary* sum : {&dry, &s}) {
      ASSERT_EQ(sum->kept.size(), 2u);
      EXPECT_EQ(sum->kept[0].path, "/r/.mypy_cache");
      EXPECT_TRUE(sum->kept[0].mount_point);
      EXPECT_EQ(sum->kept[1].path, "/r/.pytest_cache/mnt");
      EXPECT_EQ(format_kept(sum->kept[0]), "kept '/r/.mypy_cache': a mount point");
    }
  }
}

// A pyc name held by a symlink or a FIFO is bytecode debris: the entry is
// unlinked, never opened, and what a link points to stays.
TEST(Clean, APycNameHeldByALinkOrAFifoIsUnlinkedNeverFollowed) {
  FakeFileSystem f;
  f.add_file("/etc/passwd", "root");
  f.add_file("/r/m.py");
  f.add_symlink("/r/__pycache__/m.cpython-311.pyc", "/etc/passwd");
  f.add_fifo("/r/__pycache__/n.cpython-311.pyc");
  f.add_fifo("/r/old.pyc");
  f.add_symlink("/r/__pycache__/notes.txt", "/etc/passwd");
  f.add_file("/r/__pycache__/m.cpython-311.opt-1.pyc");
  Options stale = tree({"/r"});
  stale.stale = Stale::Yes;
  Summary s = clean(f, stale);  // never usable, whatever --stale keeps
  EXPECT_TRUE(f.exists("/r/__pycache__/m.cpython-311.opt-1.pyc")) << "--stale keeps a pyc whose source is there";
  EXPECT_FALSE(f.exists("/r/__pycache__/m.cpython-311.pyc"));
  EXPECT_FALSE(f.exists("/r/__pycache__/n.cpython-311.pyc"));
  EXPECT_FALSE(f.exists("/r/old.pyc"));
  EXPECT_TRUE(f.exists("/r/__pycache__/notes.txt")) << "not a pyc name: not ours";
  EXPECT_TRUE(f.exists("/etc/passwd"));
  EXPECT_EQ(s.total.files, 3u);
}

TEST(Clean, NestedAndRepeatedPathsAreWalkedOnce) {
  FakeFileSystem f;
  f.add_file("/r/a/__pycache__/m.cpython-311.pyc", "12345");
  f.add_file("/r/b/__pycache__/m.cpython-311.pyc", "12345");
  Summary s = clean(f, tree({"/r/a", "/r", "/r/a", "/r/b/"}));
  EXPECT_EQ(s.total.files, 2u);
  EXPECT_EQ(s.total.dirs, 2u);
  EXPECT_EQ(s.total.bytes, 10u);
}

TEST(Clean, AFileAsPathIsJudgedAlone) {
  FakeFileSystem f;
  f.add_file("/r/pkg/m.py");
  f.add_file("/r/pkg/__pycache__/m.cpython-311.pyc");
  f.add_file("/r/pkg/__pycache__/n.cpython-311.pyc");
  f.add_file("/r/pkg/old.pyc");
  Summary s = clean(f, tree({"/r/pkg/__pycache__/m.cpython-311.pyc", "/r/pkg/m.py", "/r/pkg/old.pyc"}));
  EXPECT_FALSE(f.exists("/r/pkg/__pycache__/m.cpython-311.pyc"));
  EXPECT_FALSE(f.exists("/r/pkg/old.pyc"));
  EXPECT_TRUE(f.exists("/r/pkg/__pycache__/n.cpython-311.pyc")) << "its neighbours stay";
  EXPECT_TRUE(f.exists("/r/pkg/m.py"));
  EXPECT_EQ(s.total.files, 2u);
  EXPECT_EQ(s.total.dirs, 0u);
}

TEST(Clean, ManyThreadsRemoveEverythingExactlyOnce) {
  FakeFileSystem f;
  for (int i = 0; i < 40; ++i)
    for (int j = 0; j < 6; ++j) {
      std::string d = "/r/p" + std::to_string(i) + "/s" + std::to_string(j);
      f.add_file(d + "/m.py");
      f.add_file(d + "/__pycache__/m.cpython-311.pyc", "xy");
      f.add_file(d + "/__pycache__/__init__.cpython-311.pyc", "z");
    }
  Options o = tree({"/r"});
  o.walk.threads = 4;
  Summary s = clean(f, o);
  EXPECT_EQ(s.total.files, 480u);
  EXPECT_EQ(s.total.dirs, 240u);
  EXPECT_EQ(s.total.bytes, 240u * 3);
  for (const auto& p : f.paths()) EXPECT_EQ(p.native().find("pycache"), std::string::npos) << p;
}

TEST(Clean, EventsArriveForEveryRemovalAndProblem) {
  FakeFileSystem f;
  f.add_file("/r/__pycache__/m.cpython-311.pyc");
  f.add_file("/r/__pycache__/n.cpython-311.pyc");
  f.fail(Op::Unlink, "/r/__pycache__/n.cpython-311.pyc", EACCES);
  std::vector<std::string> seen;
  std::mutex mu;  // `removed` may come from several threads at once
  Events ev;
  ev.removed = [&](const Removal& r) {
    std::lock_guard lock(mu);
    seen.push_back("removed " + r.path.native());
  };
  ev.problem = [&](const Problem& p) {
    std::lock_guard lock(mu);
    seen.push_back("problem " + p.path.native());
  };
  Summary s = Cleaner(f, tree({"/r"}), ev).run();
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"problem /r/__pycache__/n.cpython-311.pyc",
                                            "removed /r/__pycache__/m.cpython-311.pyc"}));
  EXPECT_TRUE(s.removed.empty()) << "listing is off: the Summary keeps no paths";
}

// --- debris ---------------------------------------------------------------

TEST(Debris, ParsesKinds) {
  EXPECT_EQ(*parse_debris(""), kDebrisDefault);
  EXPECT_EQ(*parse_debris("default"), kDebrisDefault);
  EXPECT_EQ(*parse_debris("all"), kDebrisDefault | kDebrisTox);
  EXPECT_EQ(*parse_debris("pytest,tox"), kDebrisPytest | kDebrisTox);
  EXPECT_EQ(kDebrisDefault & kDebrisTox, 0u) << "tox only when named";
  auto bad = parse_debris("pytset");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("did you mean 'pytest'?"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(parse_debris("pytest,"));
}

TEST(Debris, KindsByName) {
  EXPECT_EQ(debris_kind(".pytest_cache", true), kDebrisPytest);
  EXPECT_EQ(debris_kind(".mypy_cache", true), kDebrisMypy);
  EXPECT_EQ(debris_kind(".ruff_cache", true), kDebrisRuff);
  EXPECT_EQ(debris_kind(".hypothesis", true), kDebrisHypothesis);
  EXPECT_EQ(debris_kind(".tox", true), kDebrisTox);
  EXPECT_EQ(debris_kind(".coverage", false), kDebrisCoverage);
  EXPECT_EQ(debris_kind(".coverage.host.1234.567", false), kDebrisCoverage);
  EXPECT_EQ(debris_kind(".coveragerc", false), 0u);
  EXPECT_EQ(debris_kind(".coverage.", false), 0u);
  EXPECT_EQ(debris_kind(".coverage", true), 0u) << "a directory named so is not coverage data";
  EXPECT_EQ(debris_kind(".pytest_cache", false), 0u);
  EXPECT_EQ(debris_kind("pytest_cache", true), 0u);
}

TEST(Debris, RemovesToolCachesWholeWithoutFollowingLinks) {
  FakeFileSystem f;
  f.add_file("/outside/precious.txt");
  f.add_file("/r/.pytest_cache/v/cache/lastfailed", "12");
  f.add_file("/r/.pytest_cache/README.md", "123");
  f.add_symlink("/r/.pytest_cache/escape", "/outside");
  f.add_file("/r/sub/.mypy_cache/3.11/x.json", "1");
  f.add_file("/r/.ruff_cache/0.4/x");
  f.add_file("/r/.hypothesis/examples/x");
  f.add_file("/r/.coverage", "c");
  f.add_file("/r/.coverage.host.1.2", "c");
  f.add_file("/r/.coveragerc", "keep");
  f.add_file("/r/.tox/py311/bin/python");
  f.add_file("/r/__pycache__/m.cpython-311.pyc");
  Options o = tree({"/r"});
  o.debris = kDebrisDefault;
  o.listing = Listing::Yes;
  Summary s = clean(f, o);
  EXPECT_EQ(paths_under(f, "/r"), (std::set<std::string>{"/r", "/r/.coveragerc", "/r/.tox", "/r/.tox/py311",
                                                         "/r/.tox/py311/bin", "/r/.tox/py311/bin/python", "/r/sub"}));
  EXPECT_TRUE(f.exists("/outside/precious.txt"));
  EXPECT_FALSE(s.failed());
  // Listed as the cache directories, not every file in them.
  std::vector<std::string> listed;
  for (const auto& r : s.removed)
    if (r.reason == Reason::Debris) listed.push_back(r.path.native());
  EXPECT_EQ(listed, (std::vector<std::string>{"/r/.coverage", "/r/.coverage.host.1.2", "/r/.hypothesis",
                                              "/r/.pytest_cache", "/r/.ruff_cache", "/r/sub/.mypy_cache"}));
  o.debris = kDebrisTox;
  clean(f, o);
  EXPECT_FALSE(f.exists("/r/.tox"));
}

TEST(Debris, AnUnremovableFileKeepsItsDirectoriesAndIsReportedOnce) {
  FakeFileSystem f;
  f.add_file("/r/.mypy_cache/a/b/locked.json");
  f.add_file("/r/.mypy_cache/a/free.json");
  f.fail(Op::Unlink, "/r/.mypy_cache/a/b/locked.json", EACCES);
  Options o = tree({"/r"});
  o.debris = kDebrisMypy;
  Summary s = clean(f, o);
  ASSERT_EQ(s.problems.size(), 1u);
  EXPECT_EQ(s.problems[0].path, "/r/.mypy_cache/a/b/locked.json");
  EXPECT_FALSE(f.exists("/r/.mypy_cache/a/free.json"));
  EXPECT_TRUE(f.exists("/r/.mypy_cache/a/b/locked.json"));
}

TEST(Debris, DryRunCountsEverythingAndTouchesNothing) {
  FakeFileSystem f;
  f.add_file("/r/.pytest_cache/a", "12");
  f.add_file("/r/.pytest_cache/d/b", "345");
  Options o = tree({"/r"});
  o.debris = kDebrisPytest;
  o.dry_run = DryRun::Yes;
  Summary s = clean(f, o);
  EXPECT_TRUE(f.mutations().empty());
  EXPECT_EQ(s.total.files, 2u);
  EXPECT_EQ(s.total.dirs, 2u);
  EXPECT_EQ(s.total.bytes, 5u);
}

// --- --stale -----------------------------------------------------------------

TEST(Stale, RemovesOnlyWhatCanNoLongerBeUsed) {
  FakeFileSystem f;
  f.add_file("/r/pkg/__init__.py");
  f.add_file("/r/pkg/live.py");
  f.add_file("/r/pkg/__pycache__/__init__.cpython-311.pyc");
  f.add_file("/r/pkg/__pycache__/live.cpython-311.pyc");
  f.add_file("/r/pkg/__pycache__/live.cpython-311-pytest-8.3.2.pyc");
  f.add_file("/r/pkg/__pycache__/live.cpython-39.pyc");
  f.add_file("/r/pkg/__pycache__/gone.cpython-311.pyc");
  f.add_file("/r/pkg/__pycache__/gone.cpython-311-pytest-8.3.2.pyc");
  f.add_file("/r/pkg/__pycache__/live.cpython-311.pyc.99");
  f.add_file("/r/pkg/withsource.pyc");
  f.add_file("/r/pkg/withsource.py");
  f.add_file("/r/pkg/deleted.pyc");  // import deleted would still find it
  f.add_file("/r/old/__pycache__/x.cpython-311.pyc");
  Options o = tree({"/r"});
  o.stale = Stale::Yes;
  Summary s = clean(f, o);
  EXPECT_EQ(
      paths_under(f, "/r/pkg/__pycache__"),
      (std::set<std::string>{"/r/pkg/__pycache__", "/r/pkg/__pycache__/__init__.cpython-311.pyc",
                             "/r/pkg/__pycache__/live.cpython-311-pytest-8.3.2.pyc",
                             "/r/pkg/__pycache__/live.cpython-311.pyc", "/r/pkg/__pycache__/live.cpython-39.pyc"}));
  EXPECT_TRUE(f.exists("/r/pkg/withsource.pyc"));
  EXPECT_FALSE(f.exists("/r/pkg/deleted.pyc"));
  EXPECT_FALSE(f.exists("/r/old/__pycache__")) << "emptied by --stale: removed";
  EXPECT_EQ(reason(s, Reason::Orphaned), 3u);
  EXPECT_EQ(reason(s, Reason::TempFile), 1u);
  EXPECT_EQ(reason(s, Reason::Sourceless), 1u);
  EXPECT_EQ(reason(s, Reason::EmptyDir), 1u);
  EXPECT_EQ(s.kept_bytecode, 5u);
  EXPECT_TRUE(s.kept.empty()) << "pycs in use are not 'other files'";

  o.other_versions = OtherVersions::Yes;
  Summary other = clean(f, o);
  EXPECT_FALSE(f.exists("/r/pkg/__pycache__/live.cpython-39.pyc"));
  EXPECT_TRUE(f.exists("/r/pkg/__pycache__/live.cpython-311.pyc"));
  EXPECT_EQ(reason(other, Reason::OtherVersion), 1u);
}

TEST(Stale, CurrentTagsAreConfigurable) {
  FakeFileSystem f;
  f.add_file("/r/m.py");
  f.add_file("/r/__pycache__/m.cpython-311.pyc");
  f.add_file("/r/__pycache__/m.cpython-312.pyc");
  f.add_file("/r/__pycache__/m.pypy39.pyc");
  Options o = tree({"/r"});
  o.stale = Stale::Yes;
  o.other_versions = OtherVersions::Yes;
  o.current_tags = {"cpython-312", "pypy39"};
  clean(f, o);
  EXPECT_FALSE(f.exists("/r/__pycache__/m.cpython-311.pyc"));
  EXPECT_TRUE(f.exists("/r/__pycache__/m.cpython-312.pyc"));
  EXPECT_TRUE(f.exists("/r/__pycache__/m.pypy39.pyc"));
}

// --- mirrors in the cache prefix --------------------------------------------

TEST(Mirror, RemovesThePathsMirrorAndItsEmptyDirectoriesOnly) {
  FakeFileSystem f;
  f.add_file("/home/u/proj/pkg/m.py");
  f.add_file("/pfx/home/u/proj/pkg/m.cpython-311.pyc", "1234");
  f.add_file("/pfx/home/u/proj/top.cpython-311.pyc.7", "1");
  f.add_file("/pfx/home/u/proj/keep/README", "not ours");
  f.add_file("/pfx/home/u/other/x.cpython-311.pyc");
  Summary s = clean(f, tree({"/home/u/proj"}, "/pfx"));
  EXPECT_EQ(paths_under(f, "/pfx"), (std::set<std::string>{"/pfx", "/pfx/home", "/pfx/home/u", "/pfx/home/u/other",
                                                           "/pfx/home/u/other/x.cpython-311.pyc", "/pfx/home/u/proj",
                                                           "/pfx/home/u/proj/keep", "/pfx/home/u/proj/keep/README"}));
  EXPECT_TRUE(f.exists("/home/u/proj/pkg/m.py"));
  EXPECT_EQ(s.total.files, 2u);
  EXPECT_EQ(s.total.dirs, 1u);  // pfx/home/u/proj/pkg
  EXPECT_EQ(s.total.bytes, 5u);
  EXPECT_FALSE(s.failed());
}

TEST(Mirror, AnEmptiedMirrorGoesEntirely) {
  FakeFileSystem f;
  f.add_file("/home/u/proj/m.py");
  f.add_file("/pfx/home/u/proj/a/b/m.cpython-311.pyc");
  f.add_file("/pfx/home/u/proj/m.cpython-311.pyc");
  Options o = tree({"/home/u/proj"}, "/pfx");
  o.dry_run = DryRun::Yes;
  Summary dry = clean(f, o);
  EXPECT_EQ(dry.total.dirs, 3u);
  Summary s = clean(f, tree({"/home/u/proj"}, "/pfx"));
  EXPECT_EQ(s.total.dirs, 3u);
  EXPECT_EQ(paths_under(f, "/pfx"), (std::set<std::string>{"/pfx", "/pfx/home", "/pfx/home/u"}));
}

TEST(Mirror, StaleChecksTheSourcesInTheTree) {
  FakeFileSystem f;
  f.add_file("/proj/live.py");
  f.add_file("/pfx/proj/live.cpython-311.pyc");
  f.add_file("/pfx/proj/gone.cpython-311.pyc");
  Options o = tree({"/proj"}, "/pfx");
  o.stale = Stale::Yes;
  Summary s = clean(f, o);
  EXPECT_TRUE(f.exists("/pfx/proj/live.cpython-311.pyc"));
  EXPECT_FALSE(f.exists("/pfx/proj/gone.cpython-311.pyc"));
  EXPECT_EQ(reason(s, Reason::Orphaned), 1u);
}

TEST(Mirror, APrefixInsideTheTreeIsLeftToTheMirrorWalk) {
  FakeFileSystem f;
  f.add_file("/proj/m.py");
  f.add_file("/proj/.pyc/proj/m.cpython-311.pyc");
  f.add_file("/proj/.pyc/elsewhere/x.cpython-311.pyc");
  Options o = tree({"/proj"}, "/proj/.pyc");
  o.stale = Stale::Yes;
  clean(f, o);
  EXPECT_TRUE(f.exists("/proj/.pyc/proj/m.cpython-311.pyc")) << "its source is there: not 'sourceless legacy'";
  EXPECT_TRUE(f.exists("/proj/.pyc/elsewhere/x.cpython-311.pyc")) << "another tree's mirror";
  clean(f, tree({"/proj"}, "/proj/.pyc"));
  EXPECT_FALSE(f.exists("/proj/.pyc/proj"));
  EXPECT_TRUE(f.exists("/proj/.pyc/elsewhere/x.cpython-311.pyc"));
}

TEST(Mirror, APrefixOfRootIsNeverTheTreeItself) {
  FakeFileSystem f;
  f.add_file("/proj/m.py");
  f.add_dir("/proj/empty");
  Summary s = clean(f, tree({"/proj"}, "/"));
  EXPECT_TRUE(f.exists("/proj/empty")) << "a user's empty directory is not a mirror directory";
  EXPECT_EQ(s.total.dirs, 0u);
}

TEST(Mirror, MirrorOf) {
  EXPECT_EQ(mirror_of("/home/u/p", "/pfx"), "/pfx/home/u/p");
  EXPECT_EQ(mirror_of("/", "/pfx"), "/pfx");
}

// --- --prefix upkeep --------------------------------------------------------

class Prefix : public ::testing::Test {
 protected:
  FakeFileSystem f;
  static constexpr std::int64_t kDay = 86400LL * 1'000'000'000;
  void pyc(const std::string& path, std::size_t size, int day_used) {
    f.add_file(path, std::string(size, 'x'));
    f.set_times(path, day_used * kDay, day_used * kDay);
  }
  void SetUp() override {
    f.add_file("/src/a.py");
    f.add_file("/src/b.py");
    pyc("/pfx/src/a.cpython-311.pyc", 100, 999);
    pyc("/pfx/src/b.cpython-311.pyc", 100, 990);
    pyc("/pfx/src/b.cpython-39.pyc", 100, 998);
    pyc("/pfx/gone/c.cpython-311.pyc", 100, 999);
    pyc("/pfx/gone/d.cpython-311.pyc.123", 10, 999);
    f.add_file("/pfx/README", "mine");
  }
};

TEST_F(Prefix, WithNoSelectionEverythingGoesButThePrefixItself) {
  Summary s = clean(f, prefix_upkeep({"/pfx"}));
  EXPECT_EQ(paths_under(f, "/pfx"), (std::set<std::string>{"/pfx", "/pfx/README"}));
  EXPECT_EQ(s.total.files, 5u);
  EXPECT_EQ(s.total.dirs, 2u);
}

TEST_F(Prefix, OrphansAreThoseWhoseSourceIsGone) {
  Options o = prefix_upkeep({"/pfx"});
  o.orphans = Orphans::Yes;
  Summary s = clean(f, o);
  EXPECT_EQ(paths_under(f, "/pfx"),
            (std::set<std::string>{"/pfx", "/pfx/README", "/pfx/src", "/pfx/src/a.cpython-311.pyc",
                                   "/pfx/src/b.cpython-311.pyc", "/pfx/src/b.cpython-39.pyc"}));
  EXPECT_EQ(reason(s, Reason::Orphaned), 1u);
  EXPECT_EQ(reason(s, Reason::TempFile), 1u);
  EXPECT_EQ(s.kept_bytecode, 3u);
}

TEST_F(Prefix, OlderThanUsesTheLaterOfAtimeAndMtime) {
  f.set_times("/pfx/src/a.cpython-311.pyc", 900 * kDay, 999 * kDay);  // written long ago, read yesterday
  f.set_times("/pfx/src/b.cpython-39.pyc", 999 * kDay, 100 * kDay);   // noatime mount: mtime counts
  Options o = prefix_upkeep({"/pfx"});
  o.older_than_ns = 5 * kDay;
  Summary s = clean(f, o);
  EXPECT_TRUE(f.exists("/pfx/src/a.cpython-311.pyc"));
  EXPECT_TRUE(f.exists("/pfx/src/b.cpython-39.pyc"));
  EXPECT_FALSE(f.exists("/pfx/src/b.cpython-311.pyc")) << "unused for 10 days";
  EXPECT_EQ(reason(s, Reason::Unused), 1u);
}

TEST_F(Prefix, MaxSizeEvictsLeastRecentlyUsedFirst) {
  Options o = prefix_upkeep({"/pfx"});
  o.max_size = 250;
  o.listing = Listing::Yes;
  Summary s = clean(f, o);
  // 410 bytes of bytecode; the temp file always goes; then b-311 (day 990), then b-39 (day 998).
  EXPECT_FALSE(f.exists("/pfx/src/b.cpython-311.pyc"));
  EXPECT_FALSE(f.exists("/pfx/src/b.cpython-39.pyc"));
  EXPECT_TRUE(f.exists("/pfx/src/a.cpython-311.pyc"));
  EXPECT_TRUE(f.exists("/pfx/gone/c.cpython-311.pyc"));
  EXPECT_EQ(reason(s, Reason::Evicted), 2u);
  EXPECT_EQ(s.prefix_bytes_left, 200u);
  EXPECT_EQ(s.kept_bytecode, 2u);
  o.max_size = 0;
  Summary all = clean(f, o);
  EXPECT_EQ(paths_under(f, "/pfx"), (std::set<std::string>{"/pfx", "/pfx/README"}));
  EXPECT_EQ(all.prefix_bytes_left, 0u);
}

TEST_F(Prefix, DirectoriesGoOnlyWhenCleanEmptiedThem) {
  f.add_dir("/pfx/was/empty");
  Options o = prefix_upkeep({"/pfx"});
  o.older_than_ns = 100000 * kDay;  // nothing is that old
  Summary none = clean(f, o);
  EXPECT_EQ(none.total.files, 1u) << "only the temp file";
  EXPECT_TRUE(f.exists("/pfx/was/empty")) << "already empty: not emptied by clean";
  EXPECT_TRUE(f.exists("/pfx/src"));
  o.older_than_ns.reset();
  o.orphans = Orphans::Yes;  // takes gone/c: gone/ is emptied by clean, was/empty is not
  Summary orphans = clean(f, o);
  EXPECT_FALSE(f.exists("/pfx/gone"));
  EXPECT_TRUE(f.exists("/pfx/was/empty"));
  EXPECT_EQ(orphans.total.dirs, 1u);
  Summary wipe = clean(f, prefix_upkeep({"/pfx"}));
  EXPECT_FALSE(f.exists("/pfx/was")) << "no selection: the whole prefix is emptied";
  EXPECT_EQ(paths_under(f, "/pfx"), (std::set<std::string>{"/pfx", "/pfx/README"}));
}

TEST_F(Prefix, MaxSizeDryRunPredictsTheSame) {
  Options o = prefix_upkeep({"/pfx"});
  o.max_size = 250;
  o.dry_run = DryRun::Yes;
  Summary dry = clean(f, o);
  EXPECT_TRUE(f.mutations().empty());
  o.dry_run = DryRun::No;
  Summary real = clean(f, o);
  EXPECT_EQ(dry.total.files, real.total.files);
  EXPECT_EQ(dry.total.dirs, real.total.dirs);
  EXPECT_EQ(dry.prefix_bytes_left, real.prefix_bytes_left);
}

TEST_F(Prefix, OtherVersionsSelectsOtherTags) {
  Options o = prefix_upkeep({"/pfx"});
  o.other_versions = OtherVersions::Yes;
  clean(f, o);
  EXPECT_FALSE(f.exists("/pfx/src/b.cpython-39.pyc"));
  EXPECT_TRUE(f.exists("/pfx/src/b.cpython-311.pyc"));
  EXPECT_TRUE(f.exists("/pfx/gone/c.cpython-311.pyc"));
}

// --- refusal ---------------------------------------------------------------------

TEST(Refusal, RootAndHomeUnlessElsewhere) {
  FakeFileSystem f;
  f.add_dir("/home/u/proj");
  EXPECT_EQ(protected_directory(f, "/", "/home/u"), "it is the root directory");
  EXPECT_EQ(protected_directory(f, "/home/u", "/home/u"), "it is the home directory");
  EXPECT_EQ(protected_directory(f, "/home/u", "/home/u/"), "it is the home directory");
  EXPECT_EQ(protected_directory(f, "/home/u/proj", "/home/u"), std::nullopt);
  EXPECT_EQ(protected_directory(f, "/home", "/home/u"), std::nullopt);
  EXPECT_EQ(protected_directory(f, "/home/u/proj", ""), std::nullopt);
}

}  // namespace
}  // namespace pycache::clean
