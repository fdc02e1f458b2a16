// Where `pycache compile` writes, in a tree another user owns: never through
// a directory they swap for a symbolic link, before or during the compile.
// The race is held open deterministically: a fanotify permission event stops
// the compiler's open of the source until the swap is done (root only, as
// is leaving files to nobody; the tests skip without it).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <functional>
#include <thread>

#include "process.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

void chown_tree(const fs::path& root, uid_t uid) {
  ASSERT_EQ(::lchown(root.c_str(), uid, uid), 0) << root;
  for (const auto& e : fs::recursive_directory_iterator(root)) ASSERT_EQ(::lchown(e.path().c_str(), uid, uid), 0);
}

// Runs `swap` at the first open of `file` by anyone, while that open waits
// (FAN_OPEN_PERM): the open has resolved its path, and nothing after it in
// the opening process has happened yet.
class OpenGate {
 public:
  OpenGate(const fs::path& file, std::function<void()> swap) : swap_(std::move(swap)) {
    fd_ = ::fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY | O_LARGEFILE | O_CLOEXEC);
    if (fd_ < 0) {
      error_ = std::string("fanotify_init: ") + std::strerror(errno);
      return;
    }
    if (::fanotify_mark(fd_, FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD, file.c_str()) != 0) {
      error_ = std::string("fanotify_mark: ") + std::strerror(errno);
      return;
    }
    thread_ = std::thread([this] { listen(); });
  }
  ~OpenGate() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
  }
  OpenGate(const OpenGate&) = delete;
  OpenGate& operator=(const OpenGate&) = delete;
  const std::string& error() const { return error_; }
  bool fired() const { return fired_; }

 private:
  void listen() {
    alignas(fanotify_event_metadata) char buf[4096];
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) continue;
      auto* md = reinterpret_cast<fanotify_event_metadata*>(buf);
      for (; FAN_EVENT_OK(md, n); md = FAN_EVENT_NEXT(md, n)) {
        if (md->fd < 0) continue;
        if ((md->mask & FAN_OPEN_PERM) && !fired_.exchange(true)) swap_();
        fanotify_response r{md->fd, FAN_ALLOW};
        (void)!::write(fd_, &r, sizeof r);
        ::close(md->fd);
      }
    }
  }
  std::function<void()> swap_;
  int fd_ = -1;
  std::string error_;
  std::thread thread_;
  std::atomic<bool> stop_{false}, fired_{false};
};

class TrustWrites : public ::testing::Test {
 protected:
  TempDir t;
  Env env = isolated_env(t.path());
  fs::path tree = t / "tree";      // nobody's: root compiles it
  fs::path victim = t / "victim";  // root's: `import vmod` there must run root's vmod.py
  const std::string tag = python_cache_tag();

  void SetUp() override {
    if (::geteuid() != 0 || access("/usr/bin/setpriv", X_OK) != 0)
      GTEST_SKIP() << "needs root (and setpriv) to leave a tree to nobody";
    ::chmod(t.path().c_str(), 0755);
    // The same size and mtime: through the link the source looks unchanged.
    write_file(tree / "pkg/vmod.py", "WHO = 'nobody'\n");
    write_file(victim / "vmod.py", "WHO = 'rooted'\n");
    const auto when = fs::last_write_time(victim / "vmod.py");
    fs::last_write_time(tree / "pkg/vmod.py", when);
    chown_tree(tree, 65534);
  }

  Outcome compile(std::vector<std::string> args) {
    args.insert(args.begin(), {pycache_bin().native(), "compile", "--invalidation-mode", "unchecked-hash"});
    return run({args, std::nullopt, env, t.path()});
  }
  // What nobody does in their tree: `mv pkg old && ln -s ../victim pkg`.
  void swap_as_nobody() {
    auto o = run({{"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c",
                   "mv pkg old && ln -s ../victim pkg"},
                  std::nullopt,
                  env,
                  tree});
    EXPECT_EQ(o.exit_code, 0) << o.err;
  }
  std::vector<fs::path> written_in_victim() const {
    std::vector<fs::path> out;
    for (const auto& e : fs::recursive_directory_iterator(victim))
      if (e.path() != victim / "vmod.py") out.push_back(e.path());
    return out;
  }
};

TEST_F(TrustWrites, ADirectoryAlreadyALinkIsNotFollowed) {
  swap_as_nobody();
  auto o = compile({tree.native()});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(written_in_victim(), std::vector<fs::path>{});
}

// The reproduction: nobody swaps t/pkg for a link while root's
// compiler reads t/pkg/vmod.py. The pyc goes where the source was read (the
// directory nobody moved away), never into victim.
TEST_F(TrustWrites, ADirectorySwappedForALinkWhileItsSourceIsReadIsNotWrittenThrough) {
  OpenGate gate(tree / "pkg/vmod.py", [&] { swap_as_nobody(); });
  if (!gate.error().empty()) GTEST_SKIP() << "no fanotify permission events here: " << gate.error();
  auto o = compile({tree.native()});
  ASSERT_TRUE(gate.fired()) << "the compiler never opened the source";
  EXPECT_TRUE(o.exit_code == 0 || o.exit_code == 1) << o.exit_code << o.err;
  EXPECT_EQ(written_in_victim(), std::vector<fs::path>{}) << o.err;
  EXPECT_FALSE(fs::exists(victim / "__pycache__")) << "root's `import vmod` in victim would run nobody's code";
  if (o.exit_code == 0) {
    EXPECT_TRUE(fs::exists(tree / "old/__pycache__" / ("vmod." + tag + ".pyc"))) << "where it was read from";
  }
}

// A mirror directory in the cache prefix that is a link (the tree's own,
// above the pkg/ a pyc goes into): the prefix is opened as named, and
// nothing below it is followed.
TEST_F(TrustWrites, ALinkInsideTheCachePrefixIsNotFollowed) {
  const fs::path prefix = t / "pfx";
  env["PYTHONPYCACHEPREFIX"] = prefix.native();
  const fs::path mirror = prefix / tree.relative_path();
  fs::create_directories(mirror.parent_path());
  ASSERT_EQ(::symlink(victim.c_str(), mirror.c_str()), 0);
  auto o = compile({tree.native()});
  EXPECT_EQ(o.exit_code, 1) << o.err;
  EXPECT_EQ(o.err, "pycache: error: " + (tree / "pkg/vmod.py").native() + ": cannot write '" +
                       (mirror / "pkg" / ("vmod." + tag + ".pyc")).native() +
                       "': a symbolic link is on the way: not followed\n");
  EXPECT_EQ(written_in_victim(), std::vector<fs::path>{}) << o.err;
}

}  // namespace
}  // namespace pycache::test
