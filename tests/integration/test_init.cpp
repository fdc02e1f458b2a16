// pycache-python as PID 1 of a new PID namespace (unshare --pid --fork
// --mount-proc, as a container runtime starts an entrypoint), and `pycache
// run --init` as an ordinary process (a child subreaper). The apps report
// through files in their directory; every wait has a generous bound that
// only a broken init reaches: these tests check behaviour, never speed.
#include <gtest/gtest.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <sstream>

#include "process.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

// Written into each app: report our pid and parent pid, atomically, as the
// file "ready" (the test waits for it before it sends anything).
constexpr const char* kPrelude =
    "import os, signal, subprocess, sys, time\n"
    "def ready():\n"
    "    with open('ready.tmp', 'w') as f:\n"
    "        f.write(f'{os.getpid()} {os.getppid()}')\n"
    "    os.replace('ready.tmp', 'ready')\n";

fs::path unshare_program() {
  for (const char* p : {"/usr/bin/unshare", "/bin/unshare"})
    if (access(p, X_OK) == 0) return p;
  return {};
}

// Why PID namespaces cannot be used here, or empty when they can.
const std::string& namespace_problem() {
  static const std::string problem = [] {
    fs::path unshare = unshare_program();
    if (unshare.empty()) return std::string("no unshare program (util-linux)");
    TempDir t;
    Outcome o = run({{unshare.native(), "--pid", "--fork", "--mount-proc", "--kill-child", "true"},
                     std::nullopt,
                     clean_env(t.path()),
                     t.path(),
                     "",
                     30});
    if (o.exit_code == 0) return std::string();
    return "'unshare --pid --fork --mount-proc' failed (needs root or unprivileged user namespaces): " + o.err;
  }();
  return problem;
}

void sleep_ms(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1'000'000};
  nanosleep(&ts, nullptr);
}

// The parent pid of `pid` from /proc/PID/stat, or -1.
int parent_of(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return -1;
  auto close_paren = line.rfind(')');
  if (close_paren == std::string::npos) return -1;
  std::istringstream rest(line.substr(close_paren + 1));
  std::string state;
  int ppid = -1;
  rest >> state >> ppid;
  return ppid;
}

class Init : public ::testing::Test {
 protected:
  TempDir t;
  fs::path app_dir = t / "app";
  Env env = isolated_env(t.path());

  void SetUp() override { fs::create_directories(app_dir); }

  Process process(std::vector<std::string> argv) const {
    Process p;
    p.argv = std::move(argv);
    p.env = env;
    p.cwd = app_dir;
    return p;
  }
  void app(const std::string& body) { write_file(app_dir / "app.py", std::string(kPrelude) + body); }
  void policy(const std::string& body) { write_file(app_dir / "pycache.toml", body); }

  // `command` (pycache-python app.py by default) as PID 1 of a new PID
  // namespace. --kill-child: if the test gives up on unshare, the namespace
  // goes with it.
  Running start_as_pid1(std::vector<std::string> command = {}) {
    if (command.empty()) command = {pycache_python_bin().native(), "app.py"};
    std::vector<std::string> argv{unshare_program().native(), "--pid", "--fork", "--mount-proc", "--kill-child"};
    argv.insert(argv.end(), command.begin(), command.end());
    return start(process(std::move(argv)));
  }

  // What the app wrote into "ready" ("PID PPID" as it sees them), once it is
  // there; nullopt if it never comes (10 s).
  std::optional<std::string> wait_ready() {
    for (int i = 0; i < 1000; ++i) {
      if (fs::exists(app_dir / "ready")) return read_file(app_dir / "ready");
      sleep_ms(10);
    }
    return std::nullopt;
  }

  // The namespace's PID 1 as we see it: the child of the unshare process.
  static int namespace_init(int unshare_pid) {
    for (const auto& entry : fs::directory_iterator("/proc")) {
      const std::string name = entry.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      if (parent_of(std::stoi(name)) == unshare_pid) return std::stoi(name);
    }
    return -1;
  }

  // Starts the app as PID 1, waits until it is ready, sends `sig` to the
  // namespace's init and collects the outcome (5 s bound).
  Outcome signal_pid1(int sig, const std::string& expect_ids, std::vector<std::string> command = {}) {
    Running r = start_as_pid1(std::move(command));
    auto ids = wait_ready();
    EXPECT_TRUE(ids) << "the app never became ready";
    EXPECT_EQ(ids.value_or(""), expect_ids) << "pid and parent pid inside the namespace";
    const int init = namespace_init(r.pid);
    EXPECT_GT(init, 0);
    if (ids && init > 0) kill(init, sig);
    return finish(r, 5);
  }
};

#define REQUIRE_PID_NAMESPACES()           \
  do {                                     \
    if (!namespace_problem().empty()) {    \
      GTEST_SKIP() << namespace_problem(); \
    }                                      \
  } while (0)

// pycache-python as PID 1 with its init, so python is PID 2 with parent 1.
constexpr const char* kUnderInit = "2 1";

TEST_F(Init, WithoutInitPid1PythonIgnoresSigterm) {
  // The baseline this module exists for: CPython as a namespace's init.
  REQUIRE_PID_NAMESPACES();
  policy("init = \"never\"\n");
  app("ready()\n"
      "for _ in range(1000):\n"  // until the test says SIGTERM was sent
      "    if os.path.exists('sent'): break\n"
      "    time.sleep(0.01)\n"
      "time.sleep(0.2)\n"
      "print('survived', flush=True)\n");
  Running r = start_as_pid1();
  auto ids = wait_ready();
  ASSERT_TRUE(ids);
  EXPECT_EQ(*ids, "1 0") << "python itself is PID 1";
  ASSERT_EQ(kill(namespace_init(r.pid), SIGTERM), 0);
  write_file(app_dir / "sent", "");
  Outcome o = finish(r, 20);
  EXPECT_FALSE(o.timed_out);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "survived\n") << "the kernel dropped SIGTERM: python has no handler for it";
}

TEST_F(Init, SigtermEndsAnAppWithoutHandlerWith143) {
  REQUIRE_PID_NAMESPACES();
  app("ready()\ntime.sleep(30)\nprint('survived')\n");
  Outcome o = signal_pid1(SIGTERM, kUnderInit);
  EXPECT_FALSE(o.timed_out) << "SIGTERM did not end the app";
  EXPECT_EQ(o.exit_code, 143) << o.err;
  EXPECT_EQ(o.out, "");
}

TEST_F(Init, TheAppsSigtermHandlerRunsAndItsExitCodeComesBack) {
  REQUIRE_PID_NAMESPACES();
  app("def on_term(signum, frame):\n"
      "    print('handler', signum, flush=True)\n"
      "    sys.exit(42)\n"
      "signal.signal(signal.SIGTERM, on_term)\n"
      "try:\n"
      "    ready()\n"  // inside: the signal may come before ready() returns
      "    time.sleep(30)\n"
      "finally:\n"
      "    print('finally', flush=True)\n");
  Outcome o = signal_pid1(SIGTERM, kUnderInit);
  EXPECT_FALSE(o.timed_out);
  EXPECT_EQ(o.exit_code, 42) << o.err;
  EXPECT_EQ(o.out, "handler 15\nfinally\n");
}

TEST_F(Init, SigintRaisesKeyboardInterrupt) {
  REQUIRE_PID_NAMESPACES();
  app("try:\n"
      "    ready()\n"
      "    time.sleep(30)\n"
      "except KeyboardInterrupt:\n"
      "    print('KeyboardInterrupt', flush=True)\n"
      "    sys.exit(3)\n");
  Outcome o = signal_pid1(SIGINT, kUnderInit);
  EXPECT_FALSE(o.timed_out);
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_EQ(o.out, "KeyboardInterrupt\n");
}

TEST_F(Init, UncaughtKeyboardInterruptEndsWith130) {
  // CPython re-raises SIGINT on itself after the traceback (so a shell sees
  // death by SIGINT); the init reports that as 128+2.
  REQUIRE_PID_NAMESPACES();
  app("ready()\ntime.sleep(30)\n");
  Outcome o = signal_pid1(SIGINT, kUnderInit);
  EXPECT_FALSE(o.timed_out);
  EXPECT_EQ(o.exit_code, 130) << o.err;
  EXPECT_NE(o.err.find("KeyboardInterrupt"), std::string::npos) << o.err;
}

TEST_F(Init, GroupForwardingReachesTheAppsChildrenToo) {
  // Through pycache run and its option; the app outlives SIGTERM (handler)
  // and waits for a child that only a signal to the group can end.
  REQUIRE_PID_NAMESPACES();
  app("got = []\n"
      "signal.signal(signal.SIGTERM, lambda s, f: got.append(s))\n"
      "child = subprocess.Popen(['sleep', '30'])\n"
      "ready()\n"
      "print('sleep', child.wait(), got, flush=True)\n");
  Outcome o = signal_pid1(SIGTERM, kUnderInit, {pycache_bin().native(), "run", "--init-signals", "group", "app.py"});
  EXPECT_FALSE(o.timed_out) << "the app's child did not get SIGTERM";
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "sleep -15 [15]\n");
}

// The app orphans a `sleep` (its shell parent exits at once), waits until the
// sleep has ended, and reports the orphan's parent and what became of it:
// "gone" once reaped, "Z" while it stays a zombie (2 s after it ended).
constexpr const char* kOrphanApp =
    "def stat(pid):\n"
    "    try:\n"
    "        return open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()\n"
    "    except FileNotFoundError:\n"
    "        return None\n"
    "pid = int(subprocess.run(['sh', '-c', 'sleep 0.5 >/dev/null 2>&1 & echo $!'],\n"
    "                         capture_output=True, text=True).stdout)\n"
    "print('parent', stat(pid)[1], 'mine', os.getpid())\n"
    "zombie_since = None\n"
    "for _ in range(1000):\n"
    "    s = stat(pid)\n"
    "    if s is None:\n"
    "        print('gone')\n"
    "        break\n"
    "    if s[0] == 'Z':\n"
    "        zombie_since = zombie_since or time.monotonic()\n"
    "        if time.monotonic() - zombie_since > 2:\n"
    "            print('Z')\n"
    "            break\n"
    "    time.sleep(0.01)\n";

TEST_F(Init, AnOrphanedGrandchildIsReaped) {
  REQUIRE_PID_NAMESPACES();
  app(kOrphanApp);
  Running r = start_as_pid1();
  Outcome o = finish(r, 20);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "parent 1 mine 2\ngone\n") << "reparented to the init (PID 1), which reaped it";
}

TEST_F(Init, WithoutInitTheOrphanStaysAZombie) {
  // Proves the test above can fail: python as PID 1 never waits for orphans.
  REQUIRE_PID_NAMESPACES();
  policy("init = \"never\"\n");
  app(kOrphanApp);
  Running r = start_as_pid1();
  Outcome o = finish(r, 20);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "parent 1 mine 1\nZ\n");
}

TEST_F(Init, ExitStatusesAreUnchanged) {
  REQUIRE_PID_NAMESPACES();
  struct Case {
    std::string body;
    int status;
  };
  const Case cases[] = {
      {"print('hi')\n", 0},
      {"sys.exit(7)\n", 7},
      {"sys.exit(300)\n", 300 & 0xff},
      {"sys.exit('message')\n", 1},
      {"raise ValueError('boom')\n", 1},
      {"os.kill(os.getpid(), signal.SIGUSR1)\ntime.sleep(5)\n", 128 + SIGUSR1},
  };
  for (const auto& c : cases) {
    app("ready()\n" + c.body);
    fs::remove(app_dir / "ready");
    Running r = start_as_pid1();
    Outcome o = finish(r, 20);
    EXPECT_EQ(o.exit_code, c.status) << c.body << o.err;
    EXPECT_EQ(read_file(app_dir / "ready"), kUnderInit) << c.body;
  }
}

TEST_F(Init, ExplicitInitOutsideANamespaceIsASubreaperThatForwards) {
  // No namespace needed: `pycache run --init` is the init, python its child,
  // and orphans of the app come to the init instead of the system's.
  app("pid = int(subprocess.run(['sh', '-c', 'sleep 1 >/dev/null 2>&1 & echo $!'],\n"
      "                         capture_output=True, text=True).stdout)\n"
      "parent = int(open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[1])\n"
      "print('orphan adopted by my parent:', parent == os.getppid(), flush=True)\n"
      "ready()\n"
      "time.sleep(30)\n");
  Running r = start(process({pycache_bin().native(), "run", "--init", "app.py"}));
  auto ids = wait_ready();
  ASSERT_TRUE(ids) << "the app never became ready";
  EXPECT_EQ(ids->substr(ids->find(' ') + 1), std::to_string(r.pid)) << "python's parent is the pycache we started";
  EXPECT_NE(ids->substr(0, ids->find(' ')), std::to_string(r.pid));
  ASSERT_EQ(kill(r.pid, SIGTERM), 0);
  Outcome o = finish(r, 5);
  EXPECT_FALSE(o.timed_out) << "SIGTERM was not forwarded";
  EXPECT_EQ(o.exit_code, 143) << o.err;
  EXPECT_EQ(o.out, "orphan adopted by my parent: True\n");
}

}  // namespace
}  // namespace pycache::test
