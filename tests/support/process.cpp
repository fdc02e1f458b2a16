#include "process.hpp"

#include "pycache/runtime.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace pycache::test {

Running start(const Process& p) {
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  if (!p.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, p.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The child starts with default signal dispositions and an empty mask, as
  // from a shell, whatever gtest or ctest left in ours.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> argv;
  for (const auto& a : p.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : p.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  const std::string program = p.program ? *p.program : p.argv.at(0);
  pid_t pid;
  int rc = posix_spawn(&pid, program.c_str(), &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (rc != 0) {
    close(in[1]);
    close(out[0]);
    close(err[0]);
    throw std::runtime_error("posix_spawn " + program + ": " + std::strerror(rc));
  }
  return Running{pid, in[1], out[0], err[0], p.input};
}

Outcome finish(Running& r, int timeout_seconds) {
  const pid_t pid = r.pid;
  int in[2] = {-1, r.in}, out[2] = {r.out, -1}, err[2] = {r.err, -1};

  Outcome o;
  std::size_t written = 0;
  if (r.input.empty()) {
    close(in[1]);
    in[1] = -1;
  }
  fcntl(in[1], F_SETFL, O_NONBLOCK);
  timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  bool out_open = true, err_open = true;
  char buf[65536];
  while (out_open || err_open) {
    pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {in[1], POLLOUT, 0}};
    int n = poll(fds, in[1] >= 0 ? 3 : 2, 200);
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec - start.tv_sec > timeout_seconds) {
      kill(pid, SIGKILL);
      o.timed_out = true;
      break;
    }
    if (n <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) (i == 0 ? o.out : o.err).append(buf, static_cast<std::size_t>(got));
      else if (got == 0 || errno != EINTR) (i == 0 ? out_open : err_open) = false;
    }
    if (in[1] >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = write(in[1], r.input.data() + written, r.input.size() - written);
      if (w > 0) written += static_cast<std::size_t>(w);
      if (w < 0 || written == r.input.size()) {
        close(in[1]);
        in[1] = -1;
      }
    }
  }
  if (in[1] >= 0) close(in[1]);
  close(out[0]);
  close(err[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) o.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) o.signal = WTERMSIG(status);
  r = Running{};
  return o;
}

Outcome run(const Process& p) {
  Running r = start(p);
  return finish(r, p.timeout_seconds);
}

Env clean_env(const fs::path& home) {
  return {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"HOME", home.native()}, {"LANG", "C.UTF-8"}};
}

Env isolated_env(const fs::path& dir) {
  fs::create_directories(dir / "home");
  Env env = clean_env(dir / "home");
  env["PYCACHE_SYSTEM_CONFIG"] = (dir / "no-system.toml").native();
  return env;
}

void add_git_identity(Env& env) {
  env["GIT_CONFIG_NOSYSTEM"] = "1";
  env["GIT_AUTHOR_NAME"] = env["GIT_COMMITTER_NAME"] = "Test";
  env["GIT_AUTHOR_EMAIL"] = env["GIT_COMMITTER_EMAIL"] = "test@example.com";
}

bool pycache_runs_as_nobody() {
  static const bool ok = [] {
    if (getuid() != 0 || access("/usr/bin/setpriv", X_OK) != 0) return false;
    // Through env: a program setpriv starts directly is found with setpriv's
    // own leftover privileges, one started by another program (prlimit, a
    // shell) is not, and a build under a 0700 directory is out of nobody's reach.
    auto o = run({{"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/env",
                   pycache_python_bin().native(), "-c", "pass"},
                  std::nullopt,
                  clean_env("/nonexistent"),
                  "/"});
    return o.exit_code == 0;
  }();
  return ok;
}

bool marshal_is_deterministic() {
  const std::string tag = python_cache_tag();  // cpython-3NN
  return tag.size() >= 11 && std::stoi(tag.substr(9)) >= 11;
}

namespace {

// $PYCACHE_TEST_RUNTIME ("3.12"): the runtime the suite runs on, as CTest
// sets it for every runtime but the default; nullptr for the default.
const runtime::Runtime* tested_runtime() {
  const char* name = std::getenv("PYCACHE_TEST_RUNTIME");
  return name && *name ? runtime::find(name) : nullptr;
}

}  // namespace

std::vector<std::vector<std::string>> every_policy_command(WithPython with_python) {
  std::vector<std::vector<std::string>> out;
  if (with_python == WithPython::Yes) out.push_back({pycache_python_bin().native(), "-c", "print(1)"});
  const std::string bin = pycache_bin().native();
  for (std::vector<std::string> args :
       {std::vector<std::string>{"run", "-c", "print(1)"}, {"policy"}, {"status"}, {"clean", "-n"}, {"compile"}}) {
    args.insert(args.begin(), bin);
    out.push_back(std::move(args));
  }
  return out;
}

fs::path pycache_bin() {
  // Another build's binaries (an older one, to see a new test fail on it).
  if (const char* other = std::getenv("PYCACHE_TEST_BIN"); other && *other) return other;
  // Another runtime: its own directory, where it is pycache and pycache-python.
  if (const auto* r = tested_runtime()) return fs::path(PYCACHE_TEST_RUNTIMES_DIR) / std::string(r->name) / "pycache";
  return PYCACHE_TEST_BIN;
}
fs::path runtime_program() {
  const std::string tag = python_cache_tag();  // "cpython-311"
  return fs::canonical(pycache_bin()).parent_path() / ("pycache-python" + tag.substr(8, 1) + "." + tag.substr(9));
}

void copy_install(const fs::path& root, const std::string& withheld) {
  const fs::path bin = fs::canonical(pycache_bin()).parent_path();
  auto place = [](const fs::path& from, const fs::path& to) {
    std::error_code ec;
    if (fs::is_symlink(from)) fs::copy_symlink(from, to);
    else if (fs::create_hard_link(from, to, ec); ec) fs::copy_file(from, to);
  };
  fs::create_directories(root / "bin");
  fs::create_directories(root / "lib/pycache");
  for (const auto& e : fs::directory_iterator(bin))
    if (e.path().filename().native().starts_with("pycache")) place(e.path(), root / "bin" / e.path().filename());
  for (const auto& e : fs::directory_iterator(bin.parent_path() / "lib/pycache"))
    if (e.path().filename() != "pycache-embed-" + withheld + ".so")
      place(e.path(), root / "lib/pycache" / e.path().filename());
}

fs::path pycache_python_bin() { return pycache_bin().parent_path() / "pycache-python"; }
fs::path reference_python() {
  if (const auto* r = tested_runtime()) return std::string(r->interpreter);
  return PYCACHE_TEST_REFERENCE_PYTHON;
}
std::string python_cache_tag() {
  if (const auto* r = tested_runtime()) return std::string(r->cache_tag);
  return PYCACHE_TEST_CACHE_TAG;
}

}  // namespace pycache::test
