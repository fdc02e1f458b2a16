// posix_spawn of a program found in PATH beforehand, and one poll loop: stdin is fed while stdout and stderr are
// drained, since a program like `git check-ignore --stdin` answers as it reads.
#include "pycache/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "pycache/paths.hpp"
#include "pycache/text.hpp"

extern char** environ;

namespace pycache {
namespace {

struct Pipe {
  int fd[2] = {-1, -1};
  ~Pipe() {
    for (int f : fd)
      if (f >= 0) ::close(f);
  }
  void close_end(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
};

// The child, its stdin, stdout and stderr the pipes' ends.
Result<pid_t> spawn(const std::vector<std::string>& argv, const fs::path& cwd, const fs::path& program, Pipe& in,
                    Pipe& out, Pipe& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  // A child must not inherit an ignored SIGPIPE or a blocked mask from us.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  // Never posix_spawnp: it searches PATH after the chdir, so a "." or empty
  // entry would find a program of the tree being walked.
  int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    return Error{fmt::format("could not run '{}': {}", program.native(), std::strerror(rc)), kExitEnvironment};
  return pid;
}

// Feeds `input` to the child's stdin while draining its stdout and stderr
// into `result`, until both are closed.
void pump(Pipe& in, Pipe& out, Pipe& err, std::string_view input, ProcessOutput& result) {
  std::size_t written = 0;
  if (input.empty()) in.close_end(1);
  else ::fcntl(in.fd[1], F_SETFL, ::fcntl(in.fd[1], F_GETFL) | O_NONBLOCK);
  char buffer[65536];
  while (out.fd[0] >= 0 || err.fd[0] >= 0) {
    pollfd fds[3];
    int n = 0;
    int which[3];
    if (in.fd[1] >= 0) fds[n] = {in.fd[1], POLLOUT, 0}, which[n++] = 0;
    if (out.fd[0] >= 0) fds[n] = {out.fd[0], POLLIN, 0}, which[n++] = 1;
    if (err.fd[0] >= 0) fds[n] = {err.fd[0], POLLIN, 0}, which[n++] = 2;
    if (::poll(fds, static_cast<nfds_t>(n), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (which[i] == 0) {
        ssize_t w = ::write(in.fd[1], input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) in.close_end(1);
        continue;
      }
      Pipe& p = which[i] == 1 ? out : err;
      ssize_t r = ::read(p.fd[0], buffer, sizeof buffer);
      if (r > 0) (which[i] == 1 ? result.out : result.err).append(buffer, static_cast<std::size_t>(r));
      else if (r == 0 || (errno != EAGAIN && errno != EINTR)) p.close_end(0);
    }
  }
  in.close_end(1);
}

}  // namespace

Result<fs::path> find_program(std::string_view name) {
  const char* path = std::getenv("PATH");
  if (!name.empty() && name.find('/') == std::string_view::npos) {
    for (const auto& dir : absolute_path_entries(path ? path : "")) {
      fs::path candidate = dir / std::string(name);
      struct stat st {};
      if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
        return candidate;
    }
  }
  return Error{fmt::format("could not run '{}': not found in PATH's absolute directories", printable(name)),
               kExitEnvironment};
}

Result<ProcessOutput> run_program(const std::vector<std::string>& argv, const fs::path& cwd, std::string_view input,
                                  const fs::path& program) {
  if (argv.empty()) return Error{"no program to run", kExitEnvironment};
  fs::path found = program;
  if (found.empty()) {
    auto in_path = find_program(argv[0]);
    if (!in_path) return in_path.error();
    found = std::move(*in_path);
  }
  Pipe in, out, err;
  if (::pipe2(in.fd, O_CLOEXEC) != 0 || ::pipe2(out.fd, O_CLOEXEC) != 0 || ::pipe2(err.fd, O_CLOEXEC) != 0)
    return Error{fmt::format("could not create a pipe: {}", std::strerror(errno)), kExitEnvironment};
  auto pid = spawn(argv, cwd, found, in, out, err);
  if (!pid) return pid.error();
  in.close_end(0);
  out.close_end(1);
  err.close_end(1);

  // Writing to a program that exited early must be an EPIPE, not our death.
  struct sigaction ignore {
  }, previous{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &previous);
  ProcessOutput result;
  pump(in, out, err, input, result);
  ::sigaction(SIGPIPE, &previous, nullptr);

  int status = 0;
  while (::waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace pycache
