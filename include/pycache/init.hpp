#pragma once
// PID 1 duties. CPython run as a PID namespace's init ignores SIGTERM (the
// kernel drops signals whose action is the default when they are sent to a
// namespace's init) and never reaps the orphans reparented to it. Before
// Python is initialised, pycache can fork: the parent stays behind as a
// minimal init (as tini or dumb-init would), the child goes on to run Python.
// All signal handling of pycache lives in launcher/core/init.cpp.
#include <sys/types.h>

#include "pycache/policy.hpp"

namespace pycache {

// The policy key `init`: "auto" runs the init only when pycache is PID 1.
enum class InitMode { Auto, Always, Never };
// The policy key `init-signals`: where the init forwards the signals it gets.
enum class SignalTarget { Child, ProcessGroup };

struct InitSettings {
  InitMode mode = InitMode::Auto;
  SignalTarget target = SignalTarget::Child;
};

// The init settings of a resolved policy (its keys are validated, so every
// value maps).
InitSettings init_settings(const Policy& policy);

// What the process does for `mode` when its pid is `pid`:
// - None: no init, Python runs in this process.
// - Pid1: fork; this process is the namespace's init and reaps every orphan.
// - Subreaper: fork; this process marks itself a child subreaper
//   (PR_SET_CHILD_SUBREAPER) so the program's orphans are reparented to it.
enum class InitRole { None, Pid1, Subreaper };
InitRole init_role(InitMode mode, pid_t pid);

// The status the init exits with for its child's wait status: the child's
// exit code, or 128+N when signal N killed it (as shells and tini report).
int exit_status_from_wait(int wait_status);

// Whether the init passes signal `sig` on: every signal it can receive except
// SIGCHLD (its own business: reaping) and the synchronous fault signals
// (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT), which are left
// unblocked and keep their default action. This includes SIGTERM, SIGINT,
// SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH.
bool is_forwarded_signal(int sig);

// For `role` None, returns at once. Otherwise forks:
// - In the child, returns, with the signal mask pycache started with and the
//   dispositions it inherited (the init changes none), in a new process group
//   of its own that is the terminal's foreground group when the init's group
//   was. Python starts there and sees signals as it would without the init.
// - The parent never returns: it forwards signals to the child (or to the
//   child's process group for SignalTarget::ProcessGroup), reaps every child
//   that exits (waitpid(-1)), and when the first child ends it hands the
//   terminal back to its own group and exits with exit_status_from_wait().
// If fork fails, logs a warning and returns without an init (fail open).
// Call it before Python is initialised and before any thread is started.
void start_init(InitRole role, SignalTarget target);

}  // namespace pycache
