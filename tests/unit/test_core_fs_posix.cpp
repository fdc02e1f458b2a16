// The real filesystem's batch probe (status reads every pyc header through it).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>

#include "pycache/fs.hpp"
#include "temp_dir.hpp"

namespace pycache {
namespace {

TEST(PosixProbe, StatsAndReadsRelativeToOneDirectoryWithoutFollowingLinks) {
  test::TempDir t;
  test::write_file(t / "d/a.pyc", "0123456789abcdefTAIL");
  test::write_file(t / "d/short.pyc", "abc");
  test::write_file(t / "d/src.py", "x = 1\n");
  fs::create_symlink(t / "d/a.pyc", t / "d/link.pyc");
  fs::create_directory(t / "d/sub");
  ASSERT_EQ(::mkfifo((t / "d/fifo.pyc").c_str(), 0600), 0);

  std::vector<FileProbe> probes(7);
  const char* names[] = {"a.pyc", "short.pyc", "src.py", "link.pyc", "sub", "fifo.pyc", "gone.pyc"};
  for (std::size_t i = 0; i < probes.size(); ++i) {
    probes[i].name = names[i];
    probes[i].head = i == 2 ? 0 : 16;
  }
  real_fs().probe_files(t / "d", probes);

  EXPECT_EQ(probes[0].error, 0);
  EXPECT_EQ(probes[0].stat.type, FileType::Regular);
  EXPECT_EQ(probes[0].stat.size, 20u);
  EXPECT_EQ(probes[0].data, "0123456789abcdef");
  EXPECT_EQ(probes[1].data, "abc");
  EXPECT_EQ(probes[2].error, 0);
  EXPECT_EQ(probes[2].stat.size, 6u);
  EXPECT_EQ(probes[2].data, "") << "head 0: stat only";
  EXPECT_EQ(probes[3].error, 0);
  EXPECT_EQ(probes[3].stat.type, FileType::Symlink) << "the link itself, never its target";
  EXPECT_EQ(probes[3].data, "");
  EXPECT_EQ(probes[4].stat.type, FileType::Directory);
  EXPECT_EQ(probes[5].stat.type, FileType::Other) << "a FIFO is opened without blocking, never read";
  EXPECT_EQ(probes[5].data, "");
  EXPECT_EQ(probes[6].error, ENOENT);
  EXPECT_EQ(probes[6].stat.type, FileType::Unknown);

  // The same through the FileSystem's default (lstat + read on joined paths).
  std::vector<FileProbe> again(probes.size());
  for (std::size_t i = 0; i < again.size(); ++i) {
    again[i].name = names[i];
    again[i].head = probes[i].head;
  }
  real_fs().FileSystem::probe_files(t / "d", again);
  for (std::size_t i = 0; i < again.size(); ++i) {
    if (i == 5) continue;  // the default would block opening a FIFO: it only reads regular files
    EXPECT_EQ(again[i].error, probes[i].error) << names[i];
    EXPECT_EQ(again[i].stat.type, probes[i].stat.type) << names[i];
    EXPECT_EQ(again[i].data, probes[i].data) << names[i];
  }
}

TEST(PosixProbe, MissingDirectoryFailsEveryProbe) {
  std::vector<FileProbe> probes(2);
  probes[0].name = "a";
  probes[1].name = "b";
  real_fs().probe_files("/nonexistent-pycache-dir", probes);
  for (const auto& p : probes) EXPECT_EQ(p.error, ENOENT);
}

}  // namespace
}  // namespace pycache
