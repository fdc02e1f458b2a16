#include "pycache/walk.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <map>
#include <mutex>
#include <set>

#include "fake_fs.hpp"
#include "temp_dir.hpp"

namespace pycache {
namespace {

using test::FakeFileSystem;

struct Seen {
  std::mutex mu;
  std::set<std::string> dirs, files;
  std::vector<std::pair<std::string, int>> errors;
};

void walk(FakeFileSystem& f, std::vector<fs::path> roots, Seen& seen, WalkOptions o = {}) {
  Walker w(f, std::move(o));
  w.walk(
      roots,
      [&](WalkDir& d) {
        std::lock_guard lock(seen.mu);
        seen.dirs.insert(d.path.native());
        for (const auto& e : d.entries)
          if (e.type != FileType::Directory) seen.files.insert((d.path / e.name).native());
      },
      [&](const fs::path& p, int e) {
        std::lock_guard lock(seen.mu);
        seen.errors.emplace_back(p.native(), e);
      });
}

TEST(Walker, VisitsEveryDirectoryOnceWithManyThreads) {
  FakeFileSystem f;
  for (int i = 0; i < 50; ++i)
    for (int j = 0; j < 5; ++j) f.add_file("/r/p" + std::to_string(i) + "/s" + std::to_string(j) + "/m.py");
  Seen seen;
  walk(f, {"/r"}, seen, WalkOptions{{}, OneFileSystem::No, 4});
  EXPECT_EQ(seen.dirs.size(), 1u + 50 + 250);
  EXPECT_EQ(seen.files.size(), 250u);
  EXPECT_TRUE(seen.errors.empty());
}

// The real filesystem: subdirectories are opened relative to their parent's
// descriptor, from several threads at once; each must be the one named.
TEST(Walker, RealTreeEveryDirectoryIsOpenedByItsOwnName) {
  test::TempDir t;
  std::set<std::string> want_dirs{t.path().native()}, want_files;
  for (int i = 0; i < 150; ++i) {
    // Names of many lengths, so that a name mixed up between threads shows.
    const fs::path sub = t / ("d" + std::string(static_cast<std::size_t>(i % 37), 'x') + std::to_string(i));
    const fs::path inner = sub / "inner";
    test::write_file(inner / ("f" + std::to_string(i)), "");
    want_dirs.insert(sub.native());
    want_dirs.insert(inner.native());
    want_files.insert((inner / ("f" + std::to_string(i))).native());
  }
  for (int round = 0; round < 5; ++round) {
    Seen seen;
    Walker w(real_fs(), WalkOptions{{}, OneFileSystem::No, 4});
    w.walk(
        {t.path()},
        [&](WalkDir& d) {
          std::vector<DirEntry> listed;
          int e = d.dir->list(listed);
          std::lock_guard lock(seen.mu);
          seen.dirs.insert(d.path.native());
          EXPECT_EQ(e, 0) << d.path;
          EXPECT_EQ(listed.size(), d.entries.size()) << d.path << ": the handle is the directory visited";
          for (const auto& x : d.entries)
            if (x.type != FileType::Directory) seen.files.insert((d.path / x.name).native());
        },
        [&](const fs::path& p, int e) {
          std::lock_guard lock(seen.mu);
          seen.errors.emplace_back(p.native(), e);
        });
    EXPECT_EQ(seen.dirs, want_dirs);
    EXPECT_EQ(seen.files, want_files);
    EXPECT_TRUE(seen.errors.empty());
  }
}

TEST(Walker, AFileRootBehindADirectorySymlinkIsRefused) {
  test::TempDir t;
  test::write_file(t / "real/mod.py", "");
  fs::create_directory_symlink(t / "real", t / "link");
  Seen seen;
  Walker w(real_fs(), WalkOptions{});
  w.walk(
      {t / "link/mod.py"}, [&](WalkDir& d) { seen.dirs.insert(d.path.native()); },
      [&](const fs::path& p, int e) { seen.errors.emplace_back(p.native(), e); });
  EXPECT_TRUE(seen.dirs.empty()) << "never visited through the link";
  ASSERT_EQ(seen.errors.size(), 1u);
  EXPECT_EQ(seen.errors[0], std::make_pair((t / "link/mod.py").native(), ELOOP));
}

TEST(Walker, NeverFollowsSymlinksAndSkipsVcs) {
  FakeFileSystem f;
  f.add_file("/r/a/m.py");
  f.add_file("/outside/secret.pyc");
  f.add_symlink("/r/link", "/outside");
  f.add_symlink("/r/loop", "/r");
  f.add_file("/r/.git/objects/x.pyc");
  Seen seen;
  walk(f, {"/r"}, seen);
  EXPECT_EQ(seen.dirs, (std::set<std::string>{"/r", "/r/a"}));
  EXPECT_TRUE(seen.files.count("/r/link")) << "reported as an entry, not entered";
  EXPECT_FALSE(seen.files.count("/outside/secret.pyc"));
  Seen root_link;
  walk(f, {"/r/link"}, root_link);
  ASSERT_EQ(root_link.errors.size(), 1u);
  EXPECT_EQ(root_link.errors[0].second, ELOOP);
}

TEST(Walker, ExcludesNamesAndRelativePaths) {
  FakeFileSystem f;
  f.add_file("/r/keep/m.py");
  f.add_file("/r/build/m.py");
  f.add_file("/r/src/gen/m.py");
  f.add_file("/r/src/x.tmp");
  Seen seen;
  walk(f, {"/r"}, seen, WalkOptions{{"build", "src/gen", "*.tmp"}, OneFileSystem::No, 2});
  EXPECT_EQ(seen.files, (std::set<std::string>{"/r/keep/m.py"}));
}

// The walk of roots that carry skip rules (the default excludes).
std::set<std::string> files_with_rules(FakeFileSystem& f, const std::vector<fs::path>& roots,
                                       std::shared_ptr<const SkipRules> rules) {
  std::vector<WalkRoot> with;
  for (const auto& r : roots) with.push_back(WalkRoot{r, {}, rules});
  Walker w(f, WalkOptions{{}, OneFileSystem::No, 2});
  std::mutex mu;
  std::set<std::string> files;
  w.walk(
      with,
      [&](WalkDir& d) {
        std::lock_guard lock(mu);
        for (const auto& e : d.entries)
          if (e.type != FileType::Directory) files.insert((d.path / e.name).native());
      },
      [](const fs::path&, int) {});
  return files;
}

TEST(Walker, DefaultExcludesSkipVenvsToolDirsAndIgnoredDirsButNeverARoot) {
  FakeFileSystem f;
  f.add_file("/r/pkg/m.py");
  f.add_file("/r/env/pyvenv.cfg");  // a venv of any name
  f.add_file("/r/env/lib/dep.py");
  f.add_file("/r/node_modules/x/gen.py");
  f.add_file("/r/.nox/s/n.py");
  f.add_file("/r/out/lib/b.py");
  f.add_file("/r/docs/conf.py");
  auto rules = std::make_shared<SkipRules>();
  rules->excludes = {"docs"};
  rules->ignored = {"/r/out"};
  auto off = std::make_shared<SkipRules>(*rules);
  off->defaults = false;
  rules->defaults = true;
  EXPECT_EQ(files_with_rules(f, {"/r"}, rules), (std::set<std::string>{"/r/pkg/m.py"}));
  EXPECT_EQ(files_with_rules(f, {"/r/env"}, rules), (std::set<std::string>{"/r/env/pyvenv.cfg", "/r/env/lib/dep.py"}))
      << "a venv named as the root is walked";
  EXPECT_EQ(files_with_rules(f, {"/r"}, off).size(), 6u) << "all but the excluded docs";

  EXPECT_TRUE(skipped_below(f, *rules, "/r", "/r/env/lib"));
  EXPECT_TRUE(skipped_below(f, *rules, "/r", "/r/out"));
  EXPECT_TRUE(skipped_below(f, *rules, "/r", "/r/docs"));
  EXPECT_FALSE(skipped_below(f, *rules, "/r", "/r/pkg"));
  EXPECT_FALSE(skipped_below(f, *rules, "/r", "/r"));
  EXPECT_FALSE(skipped_below(f, *off, "/r", "/r/env/lib"));
}

TEST(Walker, ReportsUnreadableDirsAndGoesOn) {
  FakeFileSystem f;
  f.add_file("/r/ok/m.py");
  f.add_file("/r/locked/m.py");
  f.fail(FakeFileSystem::Op::List, "/r/locked", EACCES);
  Seen seen;
  walk(f, {"/r"}, seen);
  EXPECT_TRUE(seen.files.count("/r/ok/m.py"));
  ASSERT_EQ(seen.errors.size(), 1u);
  EXPECT_EQ(seen.errors[0], std::make_pair(std::string("/r/locked"), EACCES));
}

TEST(Walker, VanishedDirectoriesAreNotErrors) {
  FakeFileSystem f;
  f.add_file("/r/gone/m.py");
  f.fail(FakeFileSystem::Op::List, "/r/gone", ENOENT);
  Seen seen;
  walk(f, {"/r"}, seen);
  EXPECT_TRUE(seen.errors.empty());
}

// -j 256 under a low open-file limit: the threads are cut to fit, and the
// directories held open (waiting to be left) stay within the budget, with a
// leaver that keeps every directory open until its subtree is done.
TEST(Walker, DirectoriesHeldOpenStayWithinTheDescriptorBudget) {
  FakeFileSystem f;
  for (int i = 0; i < 40; ++i)
    for (int j = 0; j < 6; ++j) f.add_file("/r/p" + std::to_string(i) + "/s" + std::to_string(j) + "/t/m.py");
  WalkOptions o{{}, OneFileSystem::No, 256};
  o.max_open = 40;
  Walker w(f, o);
  EXPECT_EQ(w.thread_count(), 2u) << "40 descriptors: half of them for the threads, 8 each";
  std::atomic<int> visits{0}, leaves{0};
  w.walk(
      std::vector<fs::path>{"/r"}, [&](WalkDir&) { ++visits; }, [&](const fs::path&, int) { ADD_FAILURE(); },
      [&](WalkDir&) {
        ++leaves;
        return false;
      });
  EXPECT_EQ(visits, 1 + 40 + 240 + 240);
  EXPECT_EQ(leaves, visits.load());
  EXPECT_LE(f.peak_open_handles(), 40u);
  EXPECT_EQ(f.open_handles(), 0u);
}

// Deep branches, one per thread: each thread would hold its whole way down
// (4 x 20 directories). Within a budget of 32 held directories, the threads
// wait for each other, and only the one going on alone may pass it, by its
// own way down.
TEST(Walker, DeepBranchesWaitForTheBudgetInsteadOfHoldingEveryLevel) {
  FakeFileSystem f;
  for (int b = 0; b < 4; ++b) {
    std::string dir = "/r/b" + std::to_string(b);
    for (int depth = 0; depth < 20; ++depth) dir += "/d";
    f.add_file(dir + "/m.py");
  }
  WalkOptions o{{}, OneFileSystem::No, 256};
  o.max_open = 64;
  Walker w(f, o);
  ASSERT_EQ(w.thread_count(), 4u);
  std::atomic<int> visits{0};
  w.walk(
      std::vector<fs::path>{"/r"}, [&](WalkDir&) { ++visits; }, [&](const fs::path&, int) { ADD_FAILURE(); },
      [&](WalkDir&) { return false; });
  EXPECT_EQ(visits, 1 + 4 * 21);
  EXPECT_LE(f.peak_open_handles(), 32u + 22u) << "every thread held its whole way down";
  EXPECT_EQ(f.open_handles(), 0u);
}

// A budget too small for even one way down: one thread goes on alone, deeper
// than the budget, rather than stopping.
TEST(Walker, ATinyBudgetStillWalksEverything) {
  FakeFileSystem f;
  f.add_file("/r/a/b/c/d/e/f/g/h/m.py");
  f.add_file("/r/x/y/m.py");
  WalkOptions o{{}, OneFileSystem::No, 8};
  o.max_open = 1;
  Seen seen;
  walk(f, {"/r"}, seen, o);
  EXPECT_EQ(seen.files.size(), 2u);
  EXPECT_TRUE(seen.errors.empty());
}

TEST(Walker, OneFileSystemStopsAtMountPoints) {
  FakeFileSystem f;
  f.add_file("/r/a/m.py");
  f.add_dir("/r/mnt", 2);
  f.add_file("/r/mnt/m.py");
  Seen seen;
  walk(f, {"/r"}, seen, WalkOptions{{}, OneFileSystem::Yes, 2});
  EXPECT_FALSE(seen.dirs.count("/r/mnt"));
  Seen all;
  walk(f, {"/r"}, all);
  EXPECT_TRUE(all.dirs.count("/r/mnt"));
}

TEST(Walker, FileRootIsVisitedAlone) {
  FakeFileSystem f;
  f.add_file("/r/a.py");
  f.add_file("/r/b.py");
  Seen seen;
  walk(f, {"/r/a.py"}, seen);
  EXPECT_EQ(seen.files, (std::set<std::string>{"/r/a.py"}));
}

TEST(Walker, VisitorCanPruneSubdirectories) {
  FakeFileSystem f;
  f.add_file("/r/__pycache__/m.cpython-311.pyc");
  f.add_file("/r/sub/m.py");
  Walker w(f, {});
  std::set<std::string> dirs;
  std::mutex mu;
  w.walk(
      {"/r"},
      [&](WalkDir& d) {
        std::lock_guard lock(mu);
        dirs.insert(d.path.native());
        for (auto& e : d.entries)
          if (e.name == "__pycache__") e.descend = false;
      },
      [](const fs::path&, int) {});
  EXPECT_EQ(dirs, (std::set<std::string>{"/r", "/r/sub"}));
}

// leave(): after every subdirectory, with the parent's handle, from many
// threads; what a subdirectory's leave() returns is what its parent sees.
TEST(Walker, LeaveComesAfterEverySubdirectoryAndCountsThoseStillThere) {
  FakeFileSystem f;
  for (int i = 0; i < 20; ++i)
    for (int j = 0; j < 4; ++j) f.add_file("/r/p" + std::to_string(i) + "/s" + std::to_string(j) + "/m.py");
  f.add_dir("/r/empty");
  std::mutex mu;
  std::map<std::string, int> order;  // path -> the rank of its leave()
  std::map<std::string, std::uint64_t> left_of;
  std::set<std::string> visited;
  int rank = 0;
  Walker w(f, WalkOptions{{}, OneFileSystem::No, 4});
  w.walk(
      {"/r"},
      [&](WalkDir& d) {
        std::lock_guard lock(mu);
        visited.insert(d.path.native());
        d.state = d.path.filename() == "s0" ? 1 : 0;  // the s0 directories "go" in leave()
      },
      [](const fs::path&, int) {},
      [&](WalkDir& d) {
        std::lock_guard lock(mu);
        EXPECT_TRUE(visited.count(d.path.native())) << d.path;
        EXPECT_TRUE(d.entries.empty());
        EXPECT_NE(d.parent, nullptr) << d.path;
        FileStat st;
        EXPECT_EQ(d.parent->lstat(d.path.filename().native(), st), 0) << "the parent handle holds " << d.path;
        order[d.path.native()] = rank++;
        left_of[d.path.native()] = d.subdirs_left;
        return d.state == 1;
      });
  ASSERT_EQ(order.size(), 1u + 1 + 20 + 80);
  for (const auto& [path, r] : order) {
    if (path == "/r") continue;
    EXPECT_LT(r, order.at(fs::path(path).parent_path().native())) << path << " left after its parent";
  }
  EXPECT_EQ(left_of.at("/r/p3"), 3u) << "s0 went, s1-s3 stay";
  EXPECT_EQ(left_of.at("/r"), 21u);
  EXPECT_EQ(left_of.at("/r/empty"), 0u);
}

TEST(Walker, ARootBeneathATrustedDirectoryIsOpenedWithoutFollowingLinks) {
  test::TempDir t;
  test::write_file(t / "victim/x/m.py", "");
  test::write_file(t / "pfx/real/x/m.py", "");
  fs::create_directory_symlink(t / "victim", t / "pfx/link");
  Seen seen;
  Walker w(real_fs(), WalkOptions{});
  auto visit = [&](WalkDir& d) { seen.dirs.insert(d.path.native()); };
  auto error = [&](const fs::path& p, int e) { seen.errors.emplace_back(p.native(), e); };
  w.walk(std::vector<WalkRoot>{{t / "pfx/link/x", t / "pfx"}, {t / "pfx/real/x", t / "pfx"}}, visit, error);
  EXPECT_EQ(seen.dirs, (std::set<std::string>{(t / "pfx/real/x").native()}));
  ASSERT_EQ(seen.errors.size(), 1u);
  EXPECT_EQ(seen.errors[0], std::make_pair((t / "pfx/link/x").native(), ELOOP));
  // Outside `beneath`, links on the way are the user's own: followed.
  Seen plain;
  Walker w2(real_fs(), WalkOptions{});
  w2.walk(
      std::vector<fs::path>{t / "pfx/link/x"}, [&](WalkDir& d) { plain.dirs.insert(d.path.native()); },
      [&](const fs::path& p, int e) { plain.errors.emplace_back(p.native(), e); });
  EXPECT_EQ(plain.dirs.size(), 1u);
}

TEST(Walker, OneFileSystemTellsABindMountByItsMountId) {
  FakeFileSystem f;
  f.add_file("/r/a/m.py");
  f.add_mount("/r/bind", 9);  // same device, another mount
  f.add_file("/r/bind/m.py");
  Seen seen;
  walk(f, {"/r"}, seen, WalkOptions{{}, OneFileSystem::Yes, 2});
  EXPECT_EQ(seen.dirs, (std::set<std::string>{"/r", "/r/a"}));
  Seen all;
  walk(f, {"/r"}, all, WalkOptions{{}, OneFileSystem::No, 2});
  EXPECT_EQ(all.dirs.size(), 3u);
}

}  // namespace
}  // namespace pycache
