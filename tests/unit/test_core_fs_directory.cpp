// The real filesystem's per-directory calls (FileSystem::open_directory),
// and the default ones every other FileSystem gets.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>

#include "fake_fs.hpp"
#include "pycache/fs.hpp"
#include "temp_dir.hpp"

namespace pycache {
namespace {

TEST(PosixDirectory, StatsAndReadsEntriesWithoutFollowingLinks) {
  test::TempDir t;
  test::write_file(t / "d/a.py", "hello world");
  ASSERT_EQ(::symlink("a.py", (t / "d/link.py").c_str()), 0);
  auto dir = real_fs().open_directory(t / "d");
  FileStat st;
  ASSERT_EQ(dir->lstat("a.py", st), 0);
  EXPECT_EQ(st.type, FileType::Regular);
  EXPECT_EQ(st.size, 11u);
  FileStat direct;
  ASSERT_EQ(real_fs().lstat(t / "d/a.py", direct), 0);
  EXPECT_EQ(st.mtime_ns, direct.mtime_ns);
  EXPECT_EQ(st.inode, direct.inode);
  std::string out;
  ASSERT_EQ(dir->read("a.py", 5, out), 0);
  EXPECT_EQ(out, "hello");
  ASSERT_EQ(dir->read("a.py", 100, out), 0);
  EXPECT_EQ(out, "hello world");
  ASSERT_EQ(dir->lstat("link.py", st), 0);
  EXPECT_EQ(st.type, FileType::Symlink);
  EXPECT_EQ(dir->read("link.py", 100, out), ELOOP);
  EXPECT_EQ(dir->lstat("missing.py", st), ENOENT);
}

TEST(PosixDirectory, AMissingOrSymlinkedDirectoryFailsEveryCall) {
  test::TempDir t;
  test::write_file(t / "real/a.py", "x");
  ASSERT_EQ(::symlink("real", (t / "alias").c_str()), 0);
  FileStat st;
  std::string out;
  auto missing = real_fs().open_directory(t / "nowhere");
  EXPECT_EQ(missing->lstat("a.py", st), ENOENT);
  EXPECT_EQ(missing->read("a.py", 1, out), ENOENT);
  auto alias = real_fs().open_directory(t / "alias");
  EXPECT_NE(alias->lstat("a.py", st), 0);  // never through the link
  EXPECT_NE(alias->read("a.py", 1, out), 0);
}

TEST(JoinedDirectory, IsTheDefaultForOtherFileSystems) {
  test::FakeFileSystem f;
  f.add_file("/d/a.py", "abc", 7);
  auto dir = f.open_directory("/d");
  FileStat st;
  ASSERT_EQ(dir->lstat("a.py", st), 0);
  EXPECT_EQ(st.mtime_ns, 7);
  std::string out;
  ASSERT_EQ(dir->read("a.py", 2, out), 0);
  EXPECT_EQ(out, "ab");
  EXPECT_EQ(f.open_directory("/none")->lstat("a.py", st), ENOENT);
}

}  // namespace
}  // namespace pycache
