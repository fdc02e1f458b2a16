#include "pycache/trust.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "temp_dir.hpp"

namespace pycache {
namespace {

using test::TempDir;
using test::write_file;

// Gives `p` (a link itself, not its target) to nobody (uid 65534): only root can.
bool give_to_nobody(const fs::path& p) { return ::geteuid() == 0 && ::lchown(p.c_str(), 65534, 65534) == 0; }

const std::string kByNobody = "it is owned by nobody (uid 65534), not by you or root";

TEST(DistrustFile, NothingThereIsNothingToDistrust) {
  TempDir t;
  EXPECT_FALSE(distrust_file(Trust::current(), t / "absent"));
  write_file(t / "pycache.toml", "optimize = 1\n");
  EXPECT_FALSE(distrust_file(Trust::current(), t / "pycache.toml")) << "our own file";
}

TEST(DistrustFile, TheirsIsRefusedWhateverItIs) {
  TempDir t;
  fs::create_directories(t / "dir");
  ASSERT_EQ(::mkfifo((t / "fifo").c_str(), 0644), 0);
  write_file(t / "file", "x = 1\n");
  fs::create_symlink("/etc/passwd", t / "link");  // root's file, through a link of theirs
  fs::create_symlink(t / "absent", t / "dangling");
  for (const char* name : {"dir", "fifo", "file", "link", "dangling"}) {
    if (!give_to_nobody(t / name)) GTEST_SKIP() << "needs root to give a file to nobody";
    auto why = distrust_file(Trust::current(), t / name);
    ASSERT_TRUE(why) << name;
    EXPECT_EQ(*why, kByNobody) << name;
  }
}

TEST(DistrustFile, ADirectoryEveryoneCanWriteWithoutTheStickyBitHoldsNothingToTrust) {
  TempDir t;
  write_file(t / "open/pycache.toml", "optimize = 1\n");
  ::chmod((t / "open").c_str(), 0777);
  auto why = distrust_file(Trust::current(), t / "open/pycache.toml");
  ASSERT_TRUE(why) << "anyone could swap our file for theirs between the look and the read";
  EXPECT_EQ(*why, "the directory holding it ('" + (t / "open").native() + "') is writable by everyone");
  ::chmod((t / "open").c_str(), 01777);
  EXPECT_FALSE(distrust_file(Trust::current(), t / "open/pycache.toml")) << "sticky: only we may replace ours";
}

TEST(DistrustFile, OurLinkIsJudgedByItsOwnOwner) {
  TempDir t;
  write_file(t / "theirs.toml", "x = 1\n");
  fs::create_symlink(t / "theirs.toml", t / "pycache.toml");
  if (!give_to_nobody(t / "theirs.toml")) GTEST_SKIP() << "needs root to give a file to nobody";
  EXPECT_FALSE(distrust_file(Trust::current(), t / "pycache.toml")) << "the entry found is ours";
  // Reading it is another matter: the text is theirs.
  FoundFile found = read_found_file(Trust::current(), t / "pycache.toml");
  ASSERT_TRUE(found.refused);
  EXPECT_EQ(*found.refused, "the file it links to is owned by nobody (uid 65534), not by you or root");
}

TEST(DistrustFile, TheDirectoryHoldingItCountsAndSafeDirectoriesListBoth) {
  TempDir t;
  write_file(t / "d/.python-version", "3.12\n");
  if (!give_to_nobody(t / "d")) GTEST_SKIP() << "needs root to give a directory to nobody";
  auto why = distrust_file(Trust::current(), t / "d/.python-version");
  ASSERT_TRUE(why);
  EXPECT_EQ(*why, "the directory holding it ('" + (t / "d").native() +
                      "') is owned by nobody (uid 65534), not by you or root");
  ASSERT_TRUE(give_to_nobody(t / "d/.python-version"));
  EXPECT_EQ(distrust_file(Trust::current(), t / "d/.python-version"), kByNobody) << "the file's own owner first";
  EXPECT_FALSE(distrust_file(Trust::current({(t / "d").native()}), t / "d/.python-version"));
  EXPECT_FALSE(distrust_file(Trust::current({"*"}), t / "d/.python-version"));
}

TEST(ReadFoundFile, OursIsReadAsAnyConfigFile) {
  TempDir t;
  write_file(t / "f", "3.12\n");
  FoundFile f = read_found_file(Trust::current(), t / "f");
  EXPECT_FALSE(f.refused);
  ASSERT_TRUE(f.read.ok());
  EXPECT_EQ(f.read.text, "3.12\n");
  EXPECT_EQ(read_found_file(Trust::current(), t / "absent").read.status, ConfigFile::Status::Absent);
  fs::create_directories(t / "dir");
  FoundFile dir = read_found_file(Trust::current(), t / "dir");
  EXPECT_FALSE(dir.refused);
  EXPECT_EQ(dir.read.status, ConfigFile::Status::NotRegular) << "ours: an error for the caller";
}

TEST(ReadFoundFile, TheirsIsNeverOpenedUnlessARegularFile) {
  TempDir t;
  ASSERT_EQ(::mkfifo((t / "fifo").c_str(), 0644), 0);
  fs::create_symlink("/dev/zero", t / "zero");
  write_file(t / "file", "[tool.pycache]\noptimize = 1\n");
  if (!give_to_nobody(t / "fifo") || !give_to_nobody(t / "zero") || !give_to_nobody(t / "file"))
    GTEST_SKIP() << "needs root to give a file to nobody";
  for (const char* name : {"fifo", "zero"}) {
    FoundFile f = read_found_file(Trust::current(), t / name);  // a FIFO opened would block a writer's end
    EXPECT_EQ(f.refused, kByNobody) << name;
    EXPECT_EQ(f.read.status, ConfigFile::Status::NotRegular) << name;
  }
  // Their regular file is read (never through a link), only to tell whether it is worth a word.
  FoundFile file = read_found_file(Trust::current(), t / "file");
  EXPECT_EQ(file.refused, kByNobody);
  EXPECT_TRUE(file.read.ok());
}

}  // namespace
}  // namespace pycache
