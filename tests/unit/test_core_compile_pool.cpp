// The worker-process pool: real pycache workers, and fake ones (python
// scripts speaking the wire format) that crash or never start.
#include <gtest/gtest.h>

#include <unistd.h>

#include <map>
#include <mutex>

#include "process.hpp"
#include "pycache/compile.hpp"
#include "pycache/exit_code.hpp"
#include "temp_dir.hpp"

namespace pycache::compile {
namespace {

// Answers "written" for every task, except that it dies by SIGKILL on any
// source named crash.py.
constexpr const char* kFakeWorker = R"PY(
import os, signal, sys
inp, out = sys.stdin.buffer, sys.stdout.buffer
def exact(n):
    b = inp.read(n)
    if len(b) < n:
        sys.exit(0)
    return b
def field(buf, i):  # wire.hpp: LENGTH:BYTES
    colon = buf.index(b':', i)
    end = colon + 1 + int(buf[i:colon])
    return buf[colon + 1:end], end
def fields(*values):
    return b''.join(b'%d:%s' % (len(v), v) for v in values)
while True:
    frame = exact(int(exact(11)[:10]))
    count, i = field(frame, 0)
    for _ in range(int(count)):
        src, i = field(frame, i)
        mode, i = field(frame, i)
        outputs, i = field(frame, i)
        for _ in range(2 * int(outputs) + 4):  # each output's level and pyc; base, prefix, device, inode
            _, i = field(frame, i)
        if src.endswith(b'crash.py'):
            os.kill(os.getpid(), signal.SIGKILL)
        res = fields(b'0', outputs, b'0', b'0', b'', b'', b'0')  # no error, no warnings
        out.write(b'%010d:' % len(res) + res)
        out.flush()
)PY";

struct Collected {
  std::mutex mu;
  std::map<std::string, TaskResult> results;
  Executor::Sink sink() {
    return [this](const Task& t, const TaskResult& r) {
      std::lock_guard lock(mu);
      results[t.source.filename().native()] = r;
    };
  }
};

Task task(const fs::path& source) {
  Task t;
  t.source = source;
  t.display = source.filename().native();
  t.outputs.push_back(Task::Output{0, source.parent_path() / "__pycache__" / (source.stem().native() + ".test.pyc")});
  return t;
}

void finish(Executor& pool) {
  pool.close();
  for (int i = 0; i < 600 && !pool.wait(std::chrono::milliseconds(100)); ++i) {
  }
}

TEST(CompilePool, RealWorkersCompileAndWrite) {
  test::TempDir t;
  Collected c;
  auto pool =
      make_process_pool(PoolOptions{test::runtime_program(), {"compile-worker"}, 2, 4, "pycache-internal"}, c.sink());
  for (int i = 0; i < 40; ++i) {
    test::write_file(t / ("m" + std::to_string(i) + ".py"), "X = " + std::to_string(i) + "\n");
    pool->submit(task(t / ("m" + std::to_string(i) + ".py")));
  }
  test::write_file(t / "bad.py", "def (:\n");
  pool->submit(task(t / "bad.py"));
  finish(*pool);
  ASSERT_EQ(c.results.size(), 41u);
  for (int i = 0; i < 40; ++i) {
    const auto& r = c.results["m" + std::to_string(i) + ".py"];
    EXPECT_EQ(r.status, TaskResult::Status::Written) << i << ": " << r.message;
    EXPECT_TRUE(fs::exists(t / "__pycache__" / ("m" + std::to_string(i) + ".test.pyc")));
  }
  EXPECT_EQ(c.results["bad.py"].status, TaskResult::Status::CompileError);
  EXPECT_EQ(c.results["bad.py"].line, 1);
  EXPECT_GE(pool->workers_started(), 1u);
  EXPECT_LE(pool->workers_started(), 2u);
}

TEST(CompilePool, AWorkerThatDiesCostsOnlyItsCurrentFile) {
  test::TempDir t;
  test::write_file(t / "worker.py", kFakeWorker);
  Collected c;
  auto pool =
      make_process_pool(PoolOptions{test::reference_python(), {"-I", (t / "worker.py").native()}, 1, 64}, c.sink());
  for (const char* name : {"a.py", "b.py", "crash.py", "d.py", "e.py"}) pool->submit(task(t / name));
  finish(*pool);
  ASSERT_EQ(c.results.size(), 5u);
  for (const char* name : {"a.py", "b.py", "d.py", "e.py"})
    EXPECT_EQ(c.results[name].status, TaskResult::Status::Written) << name << ": " << c.results[name].message;
  EXPECT_EQ(c.results["crash.py"].status, TaskResult::Status::IoError);
  EXPECT_NE(c.results["crash.py"].message.find("killed by signal 9"), std::string::npos)
      << c.results["crash.py"].message;
  EXPECT_EQ(pool->workers_started(), 2u);  // replaced once
}

TEST(CompilePool, WorkersThatCannotStartStopTheRun) {
  Collected c;
  auto pool = make_process_pool(PoolOptions{"/bin/false", {}, 2, 4}, c.sink());
  for (int i = 0; i < 12; ++i) pool->submit(task("/nowhere/m" + std::to_string(i) + ".py"));
  finish(*pool);
  ASSERT_EQ(c.results.size(), 12u);
  int fatal = 0;
  for (auto& [name, r] : c.results)
    if (r.status == TaskResult::Status::Fatal) {
      ++fatal;
      EXPECT_NE(r.message.find("keep failing at start"), std::string::npos) << r.message;
    }
  EXPECT_GE(fatal, 6);

  Collected missing;
  auto none = make_process_pool(PoolOptions{"/nowhere/pycache", {}, 1, 4}, missing.sink());
  none->submit(task("/nowhere/x.py"));
  finish(*none);
  ASSERT_EQ(missing.results.size(), 1u);
  EXPECT_EQ(missing.results["x.py"].status, TaskResult::Status::Fatal);
  EXPECT_NE(missing.results["x.py"].message.find("cannot start '/nowhere/pycache'"), std::string::npos);
}

// The worker's exit status says why it stopped, by name.
TEST(CompilePool, AWorkerStopsWithANamedStatus) {
  auto worker = [](const std::string& input) {
    int in[2], out[2];
    EXPECT_EQ(::pipe(in), 0);
    EXPECT_EQ(::pipe(out), 0);
    EXPECT_EQ(::write(in[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
    ::close(in[1]);
    int status = worker_main(in[0], out[1], real_fs(), embedded_toolchain());
    ::close(in[0]);
    ::close(out[0]);
    ::close(out[1]);
    return status;
  };
  EXPECT_EQ(worker(""), kExitOk) << "no more batches: done";
  EXPECT_EQ(worker("0000000003:abc"), kExitInternal) << "a batch it cannot decode";
}

}  // namespace
}  // namespace pycache::compile
