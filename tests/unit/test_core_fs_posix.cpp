// Directory: the real one (one descriptor, every name resolved relative to
// it, no symlink followed), the default probe (lstat, then read) that must
// agree with it, and the fake tests use.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "fake_fs.hpp"
#include "forwarding_directory.hpp"
#include "pycache/fs.hpp"
#include "pycache/remove.hpp"
#include "temp_dir.hpp"

namespace pycache {
namespace {

// A real directory behind Directory's default probe() (lstat, then read).
class DefaultProbe final : public test::ForwardingDirectory {
 public:
  using ForwardingDirectory::ForwardingDirectory;
};

// O_DIRECTORY | O_NOFOLLOW on a symlink: Linux says ENOTDIR, others ELOOP.
bool refused_link(int e) { return e == ENOTDIR || e == ELOOP; }

std::vector<std::string> names_of(std::vector<DirEntry> entries) {
  std::vector<std::string> out;
  for (auto& e : entries) out.push_back(e.name);
  std::sort(out.begin(), out.end());
  return out;
}

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

TEST(PosixDirectory, ReadsWholeFilesOfAnySizeAndStopsAtMax) {
  test::TempDir t;
  std::string big(300 * 1024 + 7, 'x');
  for (std::size_t i = 0; i < big.size(); i += 997) big[i] = static_cast<char>('a' + i % 26);
  test::write_file(t / "d/big.py", big);
  test::write_file(t / "d/empty.py", "");
  auto dir = real_fs().open_directory(t / "d");
  std::string out;
  ASSERT_EQ(dir->read("big.py", kWholeFile, out), 0);
  EXPECT_EQ(out, big) << "the buffer grows past its first 64 KiB";
  ASSERT_EQ(dir->read("big.py", big.size() + 1, out), 0);
  EXPECT_EQ(out, big);
  ASSERT_EQ(dir->read("big.py", 100 * 1024, out), 0);
  EXPECT_EQ(out, big.substr(0, 100 * 1024));
  ASSERT_EQ(dir->read("empty.py", kWholeFile, out), 0);
  EXPECT_EQ(out, "");
  ASSERT_EQ(::mkfifo((t / "d/fifo.py").c_str(), 0600), 0);
  EXPECT_EQ(dir->read("fifo.py", kWholeFile, out), 0) << "a FIFO never blocks the reader";
  EXPECT_EQ(out, "");
}

TEST(PosixDirectory, ListsAgainAndOpensSubdirectoriesButNeverThroughALink) {
  test::TempDir t;
  test::write_file(t / "d/a.py", "");
  test::write_file(t / "d/sub/b.py", "bb");
  ASSERT_EQ(::symlink("sub", (t / "d/alias").c_str()), 0);
  auto dir = real_fs().open_directory(t / "d");
  std::vector<DirEntry> entries;
  ASSERT_EQ(dir->list(entries), 0);
  const std::vector<std::string> expected{"a.py", "alias", "sub"};
  EXPECT_EQ(names_of(entries), expected);
  ASSERT_EQ(dir->list(entries), 0) << "a second listing starts over";
  EXPECT_EQ(names_of(entries), expected);

  auto sub = dir->open("sub");
  ASSERT_EQ(sub->list(entries), 0);
  EXPECT_EQ(names_of(entries), std::vector<std::string>{"b.py"});
  FileStat st, self;
  ASSERT_EQ(sub->lstat("b.py", st), 0);
  EXPECT_EQ(st.size, 2u);
  ASSERT_EQ(sub->stat_self(self), 0);
  EXPECT_EQ(self.type, FileType::Directory);

  auto alias = dir->open("alias");
  EXPECT_PRED1(refused_link, alias->list(entries));
  EXPECT_PRED1(refused_link, alias->lstat("b.py", st));
  EXPECT_PRED1(refused_link, alias->open("x")->lstat("y", st)) << "failures carry down";
  EXPECT_EQ(dir->open("a.py")->list(entries), ENOTDIR);
  EXPECT_EQ(dir->open("nowhere")->list(entries), ENOENT);
}

TEST(PosixDirectory, AMissingOrSymlinkedDirectoryFailsEveryCall) {
  test::TempDir t;
  test::write_file(t / "real/a.py", "x");
  ASSERT_EQ(::symlink("real", (t / "alias").c_str()), 0);
  FileStat st;
  std::string out;
  std::vector<DirEntry> entries;
  auto missing = real_fs().open_directory(t / "nowhere");
  EXPECT_EQ(missing->lstat("a.py", st), ENOENT);
  EXPECT_EQ(missing->read("a.py", 1, out), ENOENT);
  EXPECT_EQ(missing->list(entries), ENOENT);
  FileRemoval r{"a.py"};
  missing->remove(r, StatOnly::No);
  EXPECT_EQ(r.error, ENOENT);
  auto alias = real_fs().open_directory(t / "alias");
  EXPECT_PRED1(refused_link, alias->lstat("a.py", st));  // never through the link
  EXPECT_PRED1(refused_link, alias->read("a.py", 1, out));
  FileRemoval through{"a.py"};
  alias->remove(through, StatOnly::No);
  EXPECT_PRED1(refused_link, through.error);
  EXPECT_TRUE(fs::exists(t / "real/a.py"));
}

TEST(PosixDirectory, ASearchOnlyDirectoryServesLookupsButNotItsListing) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any directory: permissions can't be tested";
  test::TempDir t;
  test::write_file(t / "d/a.py", "abc");
  ASSERT_EQ(::chmod((t / "d").c_str(), 0100), 0);
  auto dir = real_fs().open_directory(t / "d");
  std::vector<DirEntry> entries;
  EXPECT_EQ(dir->list(entries), EACCES);
  FileStat st;
  EXPECT_EQ(dir->lstat("a.py", st), 0);
  std::string out;
  EXPECT_EQ(dir->read("a.py", 10, out), 0);
  EXPECT_EQ(out, "abc");
  ::chmod((t / "d").c_str(), 0700);
}

const char* const kProbeNames[] = {"a.pyc", "short.pyc", "src.py", "link.pyc", "sub", "fifo.pyc", "gone.pyc"};

std::vector<FileProbe> probes_for_all() {
  std::vector<FileProbe> probes(std::size(kProbeNames));
  for (std::size_t i = 0; i < probes.size(); ++i) {
    probes[i].name = kProbeNames[i];
    probes[i].head = i == 2 ? 0 : 16;
  }
  return probes;
}

TEST(PosixDirectory, ProbesStatAndReadTheHeadWithoutFollowingLinks) {
  test::TempDir t;
  test::write_file(t / "d/a.pyc", "0123456789abcdefTAIL");
  test::write_file(t / "d/short.pyc", "abc");
  test::write_file(t / "d/src.py", "x = 1\n");
  fs::create_symlink(t / "d/a.pyc", t / "d/link.pyc");
  fs::create_directory(t / "d/sub");
  ASSERT_EQ(::mkfifo((t / "d/fifo.pyc").c_str(), 0600), 0);

  auto probes = probes_for_all();
  probe_files(*real_fs().open_directory(t / "d"), probes);

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

  // The default (lstat + read) says the same.
  auto again = probes_for_all();
  DefaultProbe joined(real_fs().open_directory(t / "d"));
  for (std::size_t i = 0; i < again.size(); ++i) {
    if (i == 5) continue;  // the default would block opening a FIFO: it only reads regular files
    joined.probe(again[i]);
    EXPECT_EQ(again[i].error, probes[i].error) << kProbeNames[i];
    EXPECT_EQ(again[i].stat.type, probes[i].stat.type) << kProbeNames[i];
    EXPECT_EQ(again[i].data, probes[i].data) << kProbeNames[i];
  }
}

TEST(PosixDirectory, RemovesRegularFilesOnlyAndStatOnlyRemovesNothing) {
  test::TempDir t;
  test::write_file(t / "d/a.pyc", "12345");
  test::write_file(t / "d/target.pyc", "x");
  fs::create_symlink(t / "d/target.pyc", t / "d/link.pyc");
  fs::create_directory(t / "d/sub.pyc");
  auto dir = real_fs().open_directory(t / "d");

  std::vector<FileRemoval> batch{{"a.pyc"}, {"link.pyc"}, {"sub.pyc"}, {"gone.pyc"}};
  remove_files(*dir, batch, StatOnly::Yes);
  EXPECT_EQ(batch[0].error, 0);
  EXPECT_EQ(batch[0].size, 5u);
  EXPECT_TRUE(fs::exists(t / "d/a.pyc")) << "stat only";

  remove_files(*dir, batch, StatOnly::No);
  EXPECT_EQ(batch[0].error, 0);
  EXPECT_FALSE(fs::exists(t / "d/a.pyc"));
  EXPECT_TRUE(batch[1].not_regular);
  EXPECT_TRUE(fs::is_symlink(t / "d/link.pyc")) << "a symlink is never removed as a file";
  EXPECT_TRUE(fs::exists(t / "d/target.pyc"));
  EXPECT_TRUE(batch[2].not_regular);
  EXPECT_TRUE(fs::is_directory(t / "d/sub.pyc"));
  EXPECT_EQ(batch[3].error, ENOENT);
}

mode_t current_umask() {
  const mode_t m = ::umask(0);
  ::umask(m);
  return m;
}

// Every entry below `dir`, relative to it, sorted (no link followed).
std::vector<std::string> tree_of(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) out.push_back(e.path().lexically_relative(dir).native());
  std::sort(out.begin(), out.end());
  return out;
}

// Another process moves the directory away and puts a link to another one
// in its place: what is made and written through the handle lands in the
// directory the handle was opened on, never in the link's target.
TEST(PosixDirectory, MakesAndWritesInTheDirectoryItHoldsNeverThroughALinkSwappedIn) {
  test::TempDir t;
  fs::create_directories(t / "d");
  fs::create_directories(t / "other");
  auto dir = real_fs().open_directory(t / "d");
  fs::rename(t / "d", t / "moved");
  fs::create_directory_symlink(t / "other", t / "d");
  EXPECT_EQ(dir->make_dir("__pycache__", 0777), 0);
  auto sub = dir->open("__pycache__");
  EXPECT_EQ(sub->write_atomic("a.pyc", "bytes", 0644), 0);
  EXPECT_EQ(dir->write_atomic("b.pyc", "more", 0600), 0);
  EXPECT_EQ(test::read_file(t / "moved/__pycache__/a.pyc"), "bytes");
  EXPECT_EQ(test::read_file(t / "moved/b.pyc"), "more");
  struct stat st {};
  ASSERT_EQ(::stat((t / "moved/b.pyc").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u & ~current_umask());
  EXPECT_EQ(tree_of(t / "other"), std::vector<std::string>{});
  EXPECT_EQ(dir->make_dir("__pycache__", 0777), EEXIST);
  EXPECT_EQ(dir->write_atomic("x/y.pyc", "", 0644), EINVAL) << "a name, never a path";
}

TEST(PosixDirectory, AFailedWriteLeavesNoTempFileAndAFailedDirectoryWritesNothing) {
  test::TempDir t;
  test::write_file(t / "d/taken/keep", "");
  auto dir = real_fs().open_directory(t / "d");
  EXPECT_NE(dir->write_atomic("taken", "data", 0644), 0) << "a directory is not replaced";
  EXPECT_EQ(tree_of(t / "d"), (std::vector<std::string>{"taken", "taken/keep"})) << "the temp file is gone";
  ASSERT_EQ(::symlink((t / "d").c_str(), (t / "link").c_str()), 0);
  auto link = real_fs().open_directory(t / "link");
  EXPECT_EQ(link->write_atomic("a.pyc", "data", 0644), ELOOP);
  EXPECT_EQ(link->make_dir("sub", 0777), ELOOP);
  EXPECT_EQ(tree_of(t / "d"), (std::vector<std::string>{"taken", "taken/keep"}));
}

// make_beneath makes what is missing and opens each part on its own: a
// part that is a link fails it, whether it was there before or not.
TEST(MakeBeneath, MakesMissingPartsAndRefusesALinkOnTheWay) {
  test::TempDir t;
  fs::create_directories(t / "pfx/a");
  fs::create_directories(t / "victim");
  fs::create_directory_symlink(t / "victim", t / "pfx/a/link");
  auto prefix = real_fs().open_directory(t / "pfx");
  auto made = make_beneath(*prefix, "a/b/c");
  EXPECT_EQ(made->write_atomic("x.pyc", "x", 0644), 0);
  EXPECT_EQ(test::read_file(t / "pfx/a/b/c/x.pyc"), "x");
  auto through = make_beneath(*prefix, "a/link/c");
  EXPECT_TRUE(refused_link(through->write_atomic("x.pyc", "x", 0644)));
  EXPECT_EQ(make_beneath(*prefix, "a/../../x")->make_dir("y", 0777), EPERM);
  EXPECT_EQ(tree_of(t / "victim"), std::vector<std::string>{});
}

// make_directories opens the part that exists as named (a cache prefix the
// user names may be reached through a link) and makes the rest beneath it.
TEST(MakeDirectories, OpensTheExistingPartAsNamedAndMakesTheRestBeneathIt) {
  test::TempDir t;
  fs::create_directories(t / "real");
  fs::create_directory_symlink(t / "real", t / "named");
  auto whole = make_directories(real_fs(), t / "named/one/two");
  EXPECT_EQ(whole->write_atomic("z.pyc", "z", 0644), 0);
  EXPECT_EQ(test::read_file(t / "real/one/two/z.pyc"), "z");
  test::write_file(t / "file", "");
  EXPECT_EQ(make_directories(real_fs(), t / "file/sub")->make_dir("q", 0777), ENOTDIR);
}

TEST(FakeDirectory, IsAHandleThatMakesAndWritesWhereItsDirectoryIsNow) {
  test::FakeFileSystem f;
  f.add_dir("/d");
  f.add_dir("/other");
  auto dir = f.open_directory("/d");
  f.rename("/d", "/moved");
  f.add_symlink("/d", "/other");
  EXPECT_EQ(dir->make_dir("sub", 0777), 0);
  EXPECT_EQ(dir->open("sub")->write_atomic("a.pyc", "x", 0644), 0);
  EXPECT_TRUE(f.exists("/moved/sub/a.pyc"));
  EXPECT_EQ(f.open_directory("/d")->write_atomic("b.pyc", "x", 0644), ELOOP);
  FileStat st;
  EXPECT_EQ(f.lstat("/d/sub", st), ENOENT) << "by path, the link is followed to /other";
  f.fail(test::FakeFileSystem::Op::Write, "/moved/c.pyc", EDQUOT);
  EXPECT_EQ(dir->write_atomic("c.pyc", "x", 0644), EDQUOT);
  f.fail(test::FakeFileSystem::Op::MakeDir, "/moved/e", EACCES);
  EXPECT_EQ(dir->make_dir("e", 0777), EACCES);
  EXPECT_FALSE(f.exists("/other/sub"));
}

TEST(FakeDirectory, ServesEveryCallOnItsJoinedPaths) {
  test::FakeFileSystem f;
  f.add_file("/d/a.py", "abc", 7);
  f.add_file("/d/sub/b.pyc", "bytes", 9);
  auto dir = f.open_directory("/d");
  FileStat st;
  ASSERT_EQ(dir->lstat("a.py", st), 0);
  EXPECT_EQ(st.mtime_ns, 7);
  std::string out;
  ASSERT_EQ(dir->read("a.py", 2, out), 0);
  EXPECT_EQ(out, "ab");
  std::vector<DirEntry> entries;
  ASSERT_EQ(dir->list(entries), 0);
  EXPECT_EQ(names_of(entries), (std::vector<std::string>{"a.py", "sub"}));
  auto sub = dir->open("sub");
  FileRemoval r{"b.pyc"};
  sub->remove(r, StatOnly::No);
  EXPECT_EQ(r.error, 0);
  EXPECT_EQ(r.size, 5u);
  EXPECT_FALSE(f.exists("/d/sub/b.pyc"));
  EXPECT_EQ(f.open_directory("/none")->lstat("a.py", st), ENOENT);
}

}  // namespace
}  // namespace pycache
