// The only file of pycache that handles signals. No handler is ever
// installed: the init blocks what it waits for and takes signals
// synchronously with sigwaitinfo, so nothing runs in async-signal context.
#include "pycache/init.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "pycache/exit_code.hpp"
#include "pycache/log.hpp"

namespace pycache {
namespace {

// Raised by the kernel for the process's own faults: blocking them would not
// stop them (the kernel forces a fatal one through), and forwarding them
// would be wrong. SIGABRT is abort()'s.
constexpr int kSynchronous[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT};

bool is_synchronous(int sig) {
  for (int s : kSynchronous)
    if (s == sig) return true;
  return false;
}

// Everything the init waits for. Blocked signals are never discarded, not
// even for a namespace's init whose dispositions are the default: that is
// what lets PID 1 receive SIGTERM here without installing a handler.
sigset_t waited_signals() {
  sigset_t set;
  sigfillset(&set);
  for (int s : kSynchronous) sigdelset(&set, s);
  return set;
}

const char* signal_name(int sig) {
  const char* name = sigabbrev_np(sig);
  return name ? name : "?";
}

// The descriptor of our controlling terminal when our process group is its
// foreground group: the child takes the foreground over from us.
int foreground_terminal() {
  for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO})
    if (isatty(fd) && tcgetpgrp(fd) == getpgrp()) return fd;
  return -1;
}

[[noreturn]] void supervise(pid_t child, SignalTarget target, int tty, const sigset_t& waited) {
  std::optional<int> child_status;
  while (!child_status) {
    siginfo_t info;
    int sig = sigwaitinfo(&waited, &info);
    if (sig > 0 && is_forwarded_signal(sig)) {
      // The group is gone if the program left it (setsid, setpgid): then the
      // program itself still gets the signal.
      const char* to = "process group";
      if (target != SignalTarget::ProcessGroup || kill(-child, sig) != 0) {
        to = "pid";
        if (kill(child, sig) != 0) to = nullptr;
      }
      if (to) log().debug("init: forwarded SIG{} to {} {}", signal_name(sig), to, child);
      else log().debug("init: cannot forward SIG{} to {}: {}", signal_name(sig), child, std::strerror(errno));
    }
    // SIGCHLD is not queued once per child: reap everything that has ended,
    // orphans reparented to us included.
    int status = 0;
    for (pid_t pid; (pid = waitpid(-1, &status, WNOHANG)) > 0;) {
      if (pid == child) child_status = status;
      else log().debug("init: reaped orphan {}", pid);
    }
  }
  // Back to the group that was in the foreground before us, unless the
  // program gave the terminal to someone else meanwhile.
  if (tty >= 0 && tcgetpgrp(tty) == child) tcsetpgrp(tty, getpgrp());
  std::fflush(nullptr);
  // _exit: the C++ runtime's state belongs to the child now (atexit, stdio
  // buffers, destructors must run once, there).
  _exit(exit_status_from_wait(*child_status));
}

}  // namespace

InitSettings init_settings(const Policy& policy) {
  InitSettings s;
  const std::string& mode = policy.init();
  s.mode = mode == "always" ? InitMode::Always : mode == "never" ? InitMode::Never : InitMode::Auto;
  s.target = policy.init_signals() == "group" ? SignalTarget::ProcessGroup : SignalTarget::Child;
  return s;
}

InitRole init_role(InitMode mode, pid_t pid) {
  switch (mode) {
    case InitMode::Never: return InitRole::None;
    case InitMode::Auto: return pid == 1 ? InitRole::Pid1 : InitRole::None;
    case InitMode::Always: return pid == 1 ? InitRole::Pid1 : InitRole::Subreaper;
  }
  return InitRole::None;
}

int exit_status_from_wait(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return kExitFailure;  // neither: not a status waitpid gives without WUNTRACED
}

bool is_forwarded_signal(int sig) {
  return sig > 0 && sig < NSIG && sig != SIGCHLD && sig != SIGKILL && sig != SIGSTOP && !is_synchronous(sig);
}

void start_init(InitRole role, SignalTarget target) {
  if (role == InitRole::None) return;

  // Block first: a signal or a child's exit between fork and the wait loop
  // stays pending instead of being lost or acted on.
  const sigset_t waited = waited_signals();
  sigset_t original_mask;
  sigprocmask(SIG_BLOCK, &waited, &original_mask);
  // An inherited SIGCHLD=SIG_IGN would have the kernel reap our child and
  // lose its status. The child gets the inherited disposition back.
  struct sigaction default_chld {
  }, original_chld{};
  default_chld.sa_handler = SIG_DFL;
  sigemptyset(&default_chld.sa_mask);
  sigaction(SIGCHLD, &default_chld, &original_chld);
  auto restore = [&] {
    sigaction(SIGCHLD, &original_chld, nullptr);
    sigprocmask(SIG_SETMASK, &original_mask, nullptr);
  };

  // Set before fork: orphans of the program's descendants come to us from
  // the start. The attribute is not inherited by the child.
  if (role == InitRole::Subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
    log().warn("init: cannot become a child subreaper ({}); orphans will not be reaped by pycache",
               std::strerror(errno));
  const int tty = foreground_terminal();
  std::fflush(nullptr);  // nothing buffered gets written twice

  const pid_t child = fork();
  if (child < 0) {
    int err = errno;
    if (role == InitRole::Subreaper) prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
    restore();
    log().warn("init: fork failed ({}); running without an init", std::strerror(err));
    return;
  }
  if (child == 0) {
    // A group of its own, always: a terminal's Ctrl-C then reaches the
    // program (and what it started) once, not again through the init, and
    // `init-signals = "group"` has a group to signal. The terminal's
    // foreground moves with it, or reading it would stop the program
    // (SIGTTIN). tcsetpgrp from what is now a background group would raise
    // SIGTTOU: it is still blocked here.
    setpgid(0, 0);
    if (tty >= 0) tcsetpgrp(tty, getpid());
    restore();
    return;
  }
  // Also from this side, so that no forwarded signal can find the group
  // missing (whichever of the two runs first wins; the other gets EACCES or
  // is a no-op).
  setpgid(child, child);
  log().debug("init: pid {} supervises pid {} (as {})", getpid(), child,
              role == InitRole::Pid1 ? "PID 1" : "child subreaper");
  supervise(child, target, tty, waited);
}

}  // namespace pycache
