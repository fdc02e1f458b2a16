// remove.cpp on the real filesystem: removal through handles, so that a
// directory swapped for a symlink in the middle of a removal is never
// followed, and depth is no limit.
#include "pycache/remove.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

#include "forwarding_directory.hpp"
#include "temp_dir.hpp"

namespace pycache {
namespace {

// A real directory that runs `hook(path)` right after listing itself: the
// moment a concurrent process would swap what the listing saw.
class Hooked final : public test::ForwardingDirectory {
 public:
  using Hook = std::function<void(const fs::path&)>;
  Hooked(std::unique_ptr<Directory> real, fs::path path, Hook hook)
      : ForwardingDirectory(std::move(real)), path_(std::move(path)), hook_(std::move(hook)) {}
  int list(std::vector<DirEntry>& out) override {
    int e = real().list(out);
    hook_(path_);
    return e;
  }
  std::unique_ptr<Directory> open(std::string_view name) override {
    return std::make_unique<Hooked>(real().open(name), path_ / name, hook_);
  }
  void remove(FileRemoval& f, StatOnly stat_only) override { real().remove(f, stat_only); }

 private:
  fs::path path_;
  Hook hook_;
};

struct Problems {
  std::vector<std::string> seen;
  RemovalProblem fn() {
    return [this](const fs::path& p, std::string_view action, int e) {
      seen.push_back(std::string(action) + " " + p.native() + ": " + std::to_string(e));
    };
  }
};

TEST(RemoveTree, EverythingGoesLinksAreUnlinkedNeverFollowed) {
  test::TempDir t;
  test::write_file(t / "outside/keep.txt", "mine");
  test::write_file(t / "top/.pytest_cache/v/cache/lastfailed", "{}");
  test::write_file(t / "top/.pytest_cache/README.md", "12345");
  fs::create_directory_symlink(t / "outside", t / "top/.pytest_cache/v/link");
  ::mkfifo((t / "top/.pytest_cache/fifo").c_str(), 0644);
  Problems p;
  auto parent = real_fs().open_directory(t / "top");
  auto dry = remove_tree(*parent, ".pytest_cache", t / "top/.pytest_cache", StatOnly::Yes, p.fn());
  EXPECT_TRUE(fs::exists(t / "top/.pytest_cache/README.md")) << "a dry run removes nothing";
  auto r = remove_tree(*parent, ".pytest_cache", t / "top/.pytest_cache", StatOnly::No, p.fn());
  EXPECT_TRUE(p.seen.empty()) << p.seen.front();
  EXPECT_TRUE(r.gone);
  EXPECT_EQ(r.files, 4u);  // two files, the link, the FIFO
  EXPECT_EQ(r.dirs, 3u);
  EXPECT_EQ(r.bytes, 7u);
  EXPECT_EQ(dry.files, r.files);
  EXPECT_EQ(dry.dirs, r.dirs);
  EXPECT_FALSE(fs::exists(t / "top/.pytest_cache"));
  EXPECT_EQ(test::read_file(t / "outside/keep.txt"), "mine");
}

// The race a removal by path loses: `a` is listed, then swapped for a link
// to a victim tree of the same shape before its subdirectory is emptied.
TEST(RemoveTree, ADirectorySwappedForALinkMidwayIsNeverFollowed) {
  test::TempDir t;
  test::write_file(t / "top/cache/a/b/file", "ours");
  test::write_file(t / "victim/b/file", "theirs");
  bool swapped = false;
  auto hook = [&](const fs::path& listed) {
    if (swapped || listed != t / "top/cache/a") return;
    swapped = true;
    fs::rename(t / "top/cache/a", t / "top/cache/a-moved");
    fs::create_directory_symlink(t / "victim", t / "top/cache/a");
  };
  Hooked parent(real_fs().open_directory(t / "top"), t / "top", hook);
  Problems p;
  auto r = remove_tree(parent, "cache", t / "top/cache", StatOnly::No, p.fn());
  ASSERT_TRUE(swapped) << "the test swapped nothing: it proved nothing";
  EXPECT_EQ(test::read_file(t / "victim/b/file"), "theirs") << "followed the swapped link";
  EXPECT_FALSE(fs::exists(t / "top/cache/a-moved/b/file")) << "the directory it listed is the one it empties";
  EXPECT_FALSE(r.gone) << "the link now in its place keeps the top directory";
}

TEST(RemoveTree, DepthIsNoLimit) {
  test::TempDir t;
  const std::string name(200, 'x');
  int fd = ::open(t.path().c_str(), O_RDONLY | O_DIRECTORY);
  ::mkdirat(fd, "cache", 0755);
  int at = ::openat(fd, "cache", O_RDONLY | O_DIRECTORY);
  for (int i = 0; i < 30; ++i) {  // 6,000 bytes of path: past PATH_MAX
    ::mkdirat(at, name.c_str(), 0755);
    int next = ::openat(at, name.c_str(), O_RDONLY | O_DIRECTORY);
    ::close(at);
    at = next;
  }
  ::close(::openat(at, "f", O_WRONLY | O_CREAT, 0644));
  ::close(at);
  Problems p;
  auto parent = real_fs().open_directory(t.path());
  auto r = remove_tree(*parent, "cache", t / "cache", StatOnly::No, p.fn());
  EXPECT_TRUE(p.seen.empty()) << p.seen.front();
  EXPECT_TRUE(r.gone);
  EXPECT_EQ(r.dirs, 31u);
  struct stat st {};
  EXPECT_NE(::fstatat(fd, "cache", &st, AT_SYMLINK_NOFOLLOW), 0);
  ::close(fd);
}

TEST(RemoveTree, SomethingThatCantBeRemovedKeepsItsDirectoriesAndIsReported) {
  if (::geteuid() == 0) GTEST_SKIP() << "root removes from read-only directories";
  test::TempDir t;
  test::write_file(t / "cache/ro/f", "x");
  test::write_file(t / "cache/other", "y");
  ::chmod((t / "cache/ro").c_str(), 0555);
  Problems p;
  auto parent = real_fs().open_directory(t.path());
  auto r = remove_tree(*parent, "cache", t / "cache", StatOnly::No, p.fn());
  ::chmod((t / "cache/ro").c_str(), 0755);
  EXPECT_FALSE(r.gone);
  ASSERT_EQ(p.seen.size(), 1u);
  EXPECT_EQ(p.seen[0], "remove " + (t / "cache/ro/f").native() + ": " + std::to_string(EACCES));
  EXPECT_TRUE(fs::exists(t / "cache/ro/f"));
  EXPECT_FALSE(fs::exists(t / "cache/other"));
}

}  // namespace
}  // namespace pycache
