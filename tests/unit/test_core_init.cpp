#include "pycache/init.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <string>

namespace pycache {
namespace {

TEST(InitRole, AutoOnlyAsPid1AlwaysEverywhereNeverNowhere) {
  EXPECT_EQ(init_role(InitMode::Auto, 1), InitRole::Pid1);
  EXPECT_EQ(init_role(InitMode::Auto, 2), InitRole::None);
  EXPECT_EQ(init_role(InitMode::Auto, 4242), InitRole::None);
  EXPECT_EQ(init_role(InitMode::Always, 1), InitRole::Pid1);
  EXPECT_EQ(init_role(InitMode::Always, 4242), InitRole::Subreaper);
  EXPECT_EQ(init_role(InitMode::Never, 1), InitRole::None);
  EXPECT_EQ(init_role(InitMode::Never, 4242), InitRole::None);
}

TEST(InitSettings, FromThePolicyKeys) {
  Policy p;
  InitSettings d = init_settings(p);
  EXPECT_EQ(d.mode, InitMode::Auto);
  EXPECT_EQ(d.target, SignalTarget::Child);
  p.override(Key::Init, std::string("always"), {});
  p.override(Key::InitSignals, std::string("group"), {});
  EXPECT_EQ(init_settings(p).mode, InitMode::Always);
  EXPECT_EQ(init_settings(p).target, SignalTarget::ProcessGroup);
  p.override(Key::Init, std::string("never"), {});
  EXPECT_EQ(init_settings(p).mode, InitMode::Never);
}

TEST(ExitStatusFromWait, ExitCodeOr128PlusSignal) {
  EXPECT_EQ(exit_status_from_wait(W_EXITCODE(0, 0)), 0);
  EXPECT_EQ(exit_status_from_wait(W_EXITCODE(3, 0)), 3);
  EXPECT_EQ(exit_status_from_wait(W_EXITCODE(255, 0)), 255);
  EXPECT_EQ(exit_status_from_wait(W_EXITCODE(0, SIGTERM)), 143);
  EXPECT_EQ(exit_status_from_wait(W_EXITCODE(0, SIGINT)), 130);
  EXPECT_EQ(exit_status_from_wait(W_EXITCODE(0, SIGKILL)), 137);
  EXPECT_EQ(exit_status_from_wait(W_EXITCODE(0, SIGSEGV) | WCOREFLAG), 139);
}

TEST(ExitStatusFromWait, AgreesWithRealProcesses) {
  auto status_of = [](const std::function<void()>& body) {
    pid_t pid = fork();
    if (pid == 0) {
      body();
      _exit(99);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return exit_status_from_wait(status);
  };
  EXPECT_EQ(status_of([] { _exit(42); }), 42);
  EXPECT_EQ(status_of([] {
              signal(SIGTERM, SIG_DFL);
              sigset_t s;
              sigemptyset(&s);
              sigprocmask(SIG_SETMASK, &s, nullptr);
              raise(SIGTERM);
            }),
            143);
}

TEST(ForwardedSignals, TheTerminatingAndTerminalOnesButNotChildOrFaults) {
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGALRM, SIGCONT, SIGTSTP})
    EXPECT_TRUE(is_forwarded_signal(s)) << sigabbrev_np(s);
  EXPECT_TRUE(is_forwarded_signal(SIGRTMIN));
  for (int s : {SIGCHLD, SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT})
    EXPECT_FALSE(is_forwarded_signal(s)) << sigabbrev_np(s);
  EXPECT_FALSE(is_forwarded_signal(0));
  EXPECT_FALSE(is_forwarded_signal(NSIG));
}

// start_init itself, without a PID namespace: a test child becomes the init
// as a child subreaper, its child runs `program`. Needs no privileges; the
// PID 1 case is covered by tests/integration/test_init.cpp.
class StartInit : public ::testing::Test {
 protected:
  int report[2] = {-1, -1};  // the program writes numbers here
  pid_t init = -1;
  pid_t program = -1;  // the init's child, leader of its own process group

  void SetUp() override { ASSERT_EQ(pipe(report), 0); }
  void TearDown() override {
    if (report[0] >= 0) close(report[0]);
    if (report[1] >= 0) close(report[1]);
    // A test that failed may leave the program and its workers behind: they
    // are all in the program's process group.
    if (program > 0) kill(-program, SIGKILL);
    if (init > 0 && !reaped_) {
      kill(init, SIGKILL);
      waitpid(init, nullptr, 0);
    }
  }

  void start(SignalTarget target, const std::function<void(int)>& body) {
    init = fork();
    ASSERT_GE(init, 0);
    if (init == 0) {
      close(report[0]);
      start_init(InitRole::Subreaper, target);
      say(report[1], getpid());  // only the init's child gets here
      body(report[1]);
      _exit(0);
    }
    close(report[1]);
    report[1] = -1;
    auto pid = next_report();
    ASSERT_TRUE(pid) << "the program did not start";
    program = static_cast<pid_t>(*pid);
  }

  // The next number the program reported, or nullopt at end of file.
  std::optional<long> next_report() {
    std::string line;
    char c;
    while (read(report[0], &c, 1) == 1) {
      if (c == '\n') return std::stol(line);
      line += c;
    }
    return std::nullopt;
  }

  // The init's exit status, or nullopt if it is still running after 10 s (a
  // correctness bound, not a speed measurement).
  std::optional<int> wait_init() {
    for (int i = 0; i < 1000; ++i) {
      int status = 0;
      if (waitpid(init, &status, WNOHANG) == init) {
        reaped_ = true;
        if (!WIFEXITED(status)) return -WTERMSIG(status);
        return WEXITSTATUS(status);
      }
      timespec ten_ms{0, 10'000'000};
      nanosleep(&ten_ms, nullptr);
    }
    return std::nullopt;
  }

  static void say(int fd, long n) {
    std::string s = std::to_string(n) + "\n";
    if (write(fd, s.data(), s.size()) < 0) _exit(90);
  }

 private:
  bool reaped_ = false;
};

TEST_F(StartInit, ExitsWithTheProgramsExitCode) {
  start(SignalTarget::Child, [](int) { _exit(7); });
  EXPECT_EQ(wait_init(), 7);
}

TEST_F(StartInit, ProgramRunsInItsOwnGroupWithTheMaskRestoredAndSigchldAsInherited) {
  sigset_t before;
  sigprocmask(SIG_SETMASK, nullptr, &before);
  start(SignalTarget::Child, [](int fd) {
    say(fd, getpgrp() == getpid() && getpgrp() != getpgid(getppid()));
    sigset_t now;
    sigprocmask(SIG_SETMASK, nullptr, &now);
    say(fd, sigismember(&now, SIGTERM) + 2 * sigismember(&now, SIGCHLD));
    struct sigaction chld {};
    sigaction(SIGCHLD, nullptr, &chld);
    say(fd, chld.sa_handler == SIG_DFL);
  });
  EXPECT_EQ(next_report(), 1) << "own process group";
  EXPECT_EQ(next_report(), sigismember(&before, SIGTERM) + 2 * sigismember(&before, SIGCHLD)) << "mask as before";
  EXPECT_EQ(next_report(), 1);
  EXPECT_EQ(wait_init(), 0);
}

TEST_F(StartInit, ForwardsSigtermAndReportsDeathBySignalAs143) {
  start(SignalTarget::Child, [](int) {
    for (;;) pause();
  });
  EXPECT_NE(program, init);
  ASSERT_EQ(kill(init, SIGTERM), 0);
  EXPECT_EQ(wait_init(), 143);
}

TEST_F(StartInit, ForwardsToTheWholeGroupWhenAsked) {
  // The program ignores SIGTERM and waits for a worker of its group that
  // does not: only a signal to the group ends the worker.
  start(SignalTarget::ProcessGroup, [](int fd) {
    signal(SIGTERM, SIG_IGN);
    pid_t worker = fork();
    if (worker == 0) {
      signal(SIGTERM, SIG_DFL);
      say(fd, getpid());  // only now: until here it ignored SIGTERM too
      for (;;) pause();
    }
    int status = 0;
    waitpid(worker, &status, 0);
    _exit(WIFSIGNALED(status) ? 100 + WTERMSIG(status) : 1);
  });
  auto worker = next_report();
  ASSERT_TRUE(worker);
  ASSERT_EQ(kill(init, SIGTERM), 0);
  EXPECT_EQ(wait_init(), 100 + SIGTERM);
}

TEST_F(StartInit, OrphansComeToTheSubreaperAndAreReaped) {
  // program -> middle -> orphan; the middle exits at once, so the orphan is
  // reparented: to the init, which marked itself a child subreaper. The
  // program outlives the orphan (so the init is there to reap it) and then
  // reports whether it is gone from /proc: an unreaped orphan would stay a
  // zombie as long as the init lives.
  start(SignalTarget::Child, [](int fd) {
    int orphan_pid[2];
    if (pipe(orphan_pid) != 0) _exit(91);
    pid_t middle = fork();
    if (middle == 0) {
      const pid_t self = getpid();
      if (fork() == 0) {
        close(orphan_pid[0]);
        while (getppid() == self) usleep(1000);
        say(fd, getppid());
        say(orphan_pid[1], getpid());
        _exit(0);
      }
      _exit(0);
    }
    close(orphan_pid[1]);
    waitpid(middle, nullptr, 0);
    std::string digits;
    char c;
    while (read(orphan_pid[0], &c, 1) > 0)  // to end of file: the orphan has exited
      if (c != '\n') digits += c;
    const std::string stat = "/proc/" + digits + "/stat";
    for (int i = 0; i < 500; ++i) {  // 5 s: a bound, not a measurement
      if (access(stat.c_str(), F_OK) != 0) _exit(0);
      usleep(10'000);
    }
    std::ifstream in(stat);
    std::string fields;
    std::getline(in, fields);
    auto close_paren = fields.rfind(')');
    say(fd, close_paren != std::string::npos && fields.substr(close_paren + 2, 1) == "Z" ? -1 : -2);
    _exit(3);
  });
  auto parent = next_report();
  ASSERT_TRUE(parent);
  EXPECT_EQ(*parent, init) << "the orphan's new parent";
  EXPECT_EQ(wait_init(), 0) << "the orphan was not reaped (" << next_report().value_or(0) << ": -1 means zombie)";
}

}  // namespace
}  // namespace pycache
