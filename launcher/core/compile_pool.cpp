// Worker processes for `pycache compile`. Why processes: one interpreter per
// process has one GIL, sub-interpreters with their own GIL need 3.12+, and
// fork() after Py_Initialize (or with the walk's threads running) is unsafe.
// posix_spawn of pycache itself is safe from a threaded parent, happens only
// when there is something to compile, and lets a crashed worker be replaced.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <system_error>
#include <thread>

#include "pycache/compile.hpp"
#include "pycache/exit_code.hpp"
#include "pycache/wire.hpp"

extern char** environ;

namespace pycache::compile {
namespace {

bool write_all(int fd, std::string_view data, bool socket) {
  while (!data.empty()) {
    // send(MSG_NOSIGNAL): a dead worker is an EPIPE here, not a SIGPIPE.
    ssize_t n = socket ? ::send(fd, data.data(), data.size(), MSG_NOSIGNAL) : ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool read_all(int fd, char* out, std::size_t size) {
  std::size_t got = 0;
  while (got < size) {
    ssize_t n = ::read(fd, out + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<std::size_t>(n);
  }
  return true;
}

// One message, framed as wire.hpp says.
bool write_frame(int fd, std::string_view payload, bool socket) { return write_all(fd, wire::frame(payload), socket); }

bool read_frame(int fd, std::string& out) {
  char header[wire::kFrameHeader];
  if (!read_all(fd, header, sizeof header)) return false;
  auto n = wire::frame_length(std::string_view(header, sizeof header), UINT32_MAX);
  if (!n) return false;
  out.resize(*n);
  return *n == 0 || read_all(fd, out.data(), *n);
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status))
    return fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  return "ended";
}

struct Worker {
  pid_t pid = -1;
  int fd = -1;                 // our end of the socket pair
  std::uint64_t answered = 0;  // results received over its lifetime

  bool running() const { return pid > 0; }

  std::string start(const PoolOptions& o) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
      return fmt::format("socketpair: {}", std::strerror(errno));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    // The worker reads tasks on stdin and answers on stdout; stderr is ours.
    posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
    posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t deflt;
    sigemptyset(&deflt);
    sigaddset(&deflt, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &deflt);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
    std::vector<std::string> args{o.argv0.empty() ? o.program.native() : o.argv0};
    args.insert(args.end(), o.args.begin(), o.args.end());
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid, o.program.c_str(), &fa, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ::close(sv[1]);
    if (rc != 0) {
      ::close(sv[0]);
      pid = -1;
      return fmt::format("cannot start '{}': {}", o.program.native(), std::strerror(rc));
    }
    fd = sv[0];
    answered = 0;
    return {};
  }

  // Closes our end (the worker sees end of input) and reaps it.
  std::string stop() {
    if (fd >= 0) ::close(fd);
    fd = -1;
    int status = 0;
    std::string how;
    if (pid > 0) {
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      how = describe_status(status);
    }
    pid = -1;
    return how;
  }
};

class ProcessPool final : public Executor {
 public:
  ProcessPool(PoolOptions options, Sink sink) : opt_(std::move(options)), sink_(std::move(sink)) {
    opt_.max_workers = std::max(1u, opt_.max_workers);
    opt_.max_batch = std::max<std::size_t>(1, opt_.max_batch);
  }
  ~ProcessPool() override {
    close();
    join();
  }

  void submit(Task task) override {
    std::unique_lock lock(mu_);
    queue_.push_back(std::move(task));
    ++submitted_;
    // Another worker only when the backlog would keep it busy: starting an
    // interpreter costs about as much as compiling a dozen files.
    if (threads_.size() < opt_.max_workers && (threads_.empty() || queue_.size() > threads_.size() * kSpawnBacklog)) {
      try {
        threads_.emplace_back([this] { dispatch(); });
      } catch (const std::system_error& e) {
        // Fewer workers will do; none at all fails the task rather than wait forever.
        if (threads_.empty()) {
          Task lost = std::move(queue_.back());
          queue_.pop_back();
          lock.unlock();
          set_fatal(fmt::format("cannot start a thread: {}", e.what()));
          TaskResult r;
          r.status = TaskResult::Status::Fatal;
          r.message = fatal_message();
          report(lost, r);
          return;
        }
      }
    }
    cv_.notify_one();
  }

  void close() override {
    std::lock_guard lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }

  bool wait(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mu_);
    if (!done_cv_.wait_for(lock, timeout, [&] { return closed_ && reported_ == submitted_; })) return false;
    lock.unlock();
    join();
    return true;
  }

  unsigned workers_started() const override { return started_.load(); }

 private:
  static constexpr std::size_t kSpawnBacklog = 16;
  static constexpr unsigned kMaxStartFailures = 3;

  void join() {
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

  void report(const Task& task, const TaskResult& r) {
    if (r.status == TaskResult::Status::Fatal) fatal_.store(true);
    sink_(task, r);
    std::lock_guard lock(mu_);
    ++reported_;
    if (closed_ && reported_ == submitted_) done_cv_.notify_all();
  }

  void report_all(const std::vector<Task>& batch, std::size_t from, TaskResult::Status status, const std::string& msg) {
    for (std::size_t i = from; i < batch.size(); ++i) {
      TaskResult r;
      r.status = status;
      r.message = msg;
      report(batch[i], r);
    }
  }

  void dispatch() {
    Worker w;
    std::vector<Task> batch;
    while (true) {
      batch.clear();
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !queue_.empty() || closed_; });
        if (queue_.empty()) break;
        // Share the backlog between the workers, in batches large enough
        // that the round trip is noise, small enough to balance the end.
        std::size_t n = std::clamp<std::size_t>(queue_.size() / threads_.size(), 1, opt_.max_batch);
        for (std::size_t i = 0; i < n; ++i) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      if (fatal_.load()) {
        report_all(batch, 0, TaskResult::Status::Fatal, fatal_message());
        continue;
      }
      if (!w.running()) {
        if (std::string err = w.start(opt_); !err.empty()) {
          set_fatal(err);
          report_all(batch, 0, TaskResult::Status::Fatal, err);
          continue;
        }
        started_.fetch_add(1);
      }
      std::size_t got = 0;
      std::string frame;
      if (write_frame(w.fd, encode_batch(batch), true)) {
        for (; got < batch.size(); ++got) {
          TaskResult r;
          if (!read_frame(w.fd, frame)) break;
          if (!decode_result(frame, r)) {
            r = TaskResult{};
            r.status = TaskResult::Status::IoError;
            r.message = "garbled answer from a compiler process";
          }
          ++w.answered;
          report(batch[got], r);
        }
      }
      if (got == batch.size()) continue;

      // The worker died (or stopped answering) on batch[got].
      const bool never_answered = w.answered == 0;
      std::string how = w.stop();
      TaskResult r;
      r.status = TaskResult::Status::IoError;
      r.message = fmt::format("the compiler process {} while compiling this file", how);
      if (never_answered && ++start_failures_ >= kMaxStartFailures) {
        std::string msg =
            fmt::format("compiler processes keep failing at start ({}); is '{}' runnable?", how, opt_.program.native());
        set_fatal(msg);
        report_all(batch, got, TaskResult::Status::Fatal, msg);
        continue;
      }
      report(batch[got], r);
      // The rest of the batch goes back to the front, for any worker.
      std::lock_guard lock(mu_);
      for (std::size_t i = batch.size(); i > got + 1; --i) queue_.push_front(std::move(batch[i - 1]));
      cv_.notify_all();
    }
    if (w.running()) w.stop();
  }

  void set_fatal(const std::string& msg) {
    std::lock_guard lock(mu_);
    if (fatal_message_.empty()) fatal_message_ = msg;
    fatal_.store(true);
  }
  std::string fatal_message() {
    std::lock_guard lock(mu_);
    return fatal_message_.empty() ? std::string("stopped after a fatal error") : fatal_message_;
  }

  PoolOptions opt_;
  Sink sink_;
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  std::deque<Task> queue_;
  std::vector<std::thread> threads_;
  bool closed_ = false;
  std::uint64_t submitted_ = 0, reported_ = 0;
  std::atomic<unsigned> started_{0};
  std::atomic<bool> fatal_{false};
  std::string fatal_message_;
  std::atomic<unsigned> start_failures_{0};  // workers that died before their first answer
};

}  // namespace

std::unique_ptr<Executor> make_process_pool(PoolOptions options, Executor::Sink sink) {
  return std::make_unique<ProcessPool>(std::move(options), std::move(sink));
}

int worker_main(int in_fd, int out_fd, FileSystem& fs, Toolchain& tools) {
  std::string frame;
  std::vector<Task> batch;
  std::optional<std::string> fatal;
  bool started = false;
  while (read_frame(in_fd, frame)) {
    if (!decode_batch(frame, batch)) return kExitInternal;  // our own parent sent what it can't have
    for (const auto& task : batch) {
      if (!started && !fatal) {
        // The interpreter starts with the first task, never for nothing.
        auto failed = tools.start();
        started = !failed;
        if (failed) fatal = failed->message;
      }
      TaskResult r;
      if (fatal) {
        r.status = TaskResult::Status::Fatal;
        r.message = *fatal;
      } else {
        r = run_task(fs, tools, task);
      }
      if (!write_frame(out_fd, encode_result(r), false)) return kExitFailure;  // the parent has gone
    }
  }
  return kExitOk;
}

}  // namespace pycache::compile
