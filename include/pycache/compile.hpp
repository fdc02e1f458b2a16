#pragma once
// `pycache compile`: the engine. The parent process walks the trees and
// decides, per pyc, whether it is up to date (a stat and a 16-byte header
// read; a source hash only for hash-based pycs); only stale sources reach an
// Executor, which compiles and writes them (in worker processes for real, in
// process for unit tests). Formatters return strings; the command prints.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pycache/embed.hpp"
#include "pycache/fs.hpp"
#include "pycache/pyc.hpp"
#include "pycache/walk.hpp"

namespace pycache::compile {

namespace fs = std::filesystem;

enum class Force { No, Yes };

// ---------------------------------------------------------------- decisions

// What an existing pyc is worth for a source, before any source hash.
enum class Freshness {
  UpToDate,   // keep it
  Stale,      // rewrite it
  CheckHash,  // a hash pyc of the requested mode: up to date iff its hash is the source's
};
// The up-to-date decision for one pyc. `header` holds the pyc's first bytes,
// or nullopt when there is no pyc (or it could not be read). Stale when the
// header is short or invalid, its magic is not `magic`, its invalidation mode
// is not `requested`, or (timestamp) its mtime/size are not the source's as
// importlib compares them; always Stale under Force::Yes.
Freshness freshness(const std::optional<std::string>& header, const FileStat& source, pyc::Invalidation requested,
                    std::uint16_t magic, Force force);

// --------------------------------------------------------------- the tasks

// One stale source: compile it once per level and write each pyc.
//
// Everything is reached by handle, as the walk reached it, so that a
// directory swapped for a symbolic link meanwhile is never followed: the
// source's directory is `base` opened as named (only its own last
// component must not be a link), then each directory below it opened on
// its own, none followed; it must still be the directory the walk listed
// (`dir_device`, `dir_inode`). The pycs go into its __pycache__, or, with a
// `prefix`, into the mirror below the prefix (the prefix opened as named,
// each directory below it made and opened on its own, none followed).
struct Task {
  fs::path source;      // absolute: it becomes co_filename, as at import
  std::string display;  // the path as the user's PATH spelled it, for messages
  pyc::Invalidation mode = pyc::Invalidation::Timestamp;
  struct Output {
    int optimize = 0;
    fs::path pyc;  // absolute: in source's __pycache__ or below `prefix`
  };
  std::vector<Output> outputs;
  fs::path base;                 // the walk's root directory; empty: the source's own directory
  fs::path prefix;               // the cache prefix; empty: __pycache__
  std::uint64_t dir_device = 0;  // the source's directory as the walk saw it (inode 0: not checked)
  std::uint64_t dir_inode = 0;
};

struct TaskResult {
  enum class Status : std::uint8_t {
    Written,       // every output written
    CompileError,  // the source does not compile (SyntaxError, ...); nothing written
    IoError,       // the source could not be read or a pyc not written
    Fatal,         // the interpreter could not start: stop everything
    Vanished,      // the source was deleted since the walk listed it: nothing to do
  };
  Status status = Status::Written;
  std::uint32_t written = 0;  // pycs written
  std::string error_type;     // CompileError: "SyntaxError", ...
  std::string message;
  int line = 0;
  int column = 0;
  // The compiler's warnings (SyntaxWarning, ...), each once however many
  // levels were compiled: the run shows them with the task's display path.
  std::vector<embed::CompileWarning> warnings;
};

// The interpreter as the engine sees it: the real one is the embedded
// CPython (start_tool_runtime, compile_source, source_hash); tests use fakes.
class Toolchain {
 public:
  virtual ~Toolchain() = default;
  // Starts the interpreter if needed; an Error stops the command (exit 3).
  virtual std::optional<Error> start() = 0;
  virtual embed::CompileOutcome compile(std::string_view source, const std::string& filename, int optimize) = 0;
  virtual std::array<std::uint8_t, 8> hash(std::string_view source) = 0;
  virtual std::uint16_t magic() = 0;
};
// The embedded interpreter, started on first use. Use it from one thread.
Toolchain& embedded_toolchain();
// A toolchain that only hashes, as the CPython of `magic` does
// (pyc::source_hash), without an interpreter: for checking another
// runtime's hash pycs. compile() fails.
std::unique_ptr<Toolchain> hashing_toolchain(std::uint16_t magic, bool siphash13);

// Reads the source (retrying if it changes under us), compiles it at each
// level and writes each pyc atomically, creating its directory, every step
// through directory handles (see Task): a directory on the way that is now
// a symbolic link, or another directory than the walk's, is an IoError and
// nothing is written. The header
// is built from what was read: mtime and size of the source (timestamp) or
// its hash (hash modes). The pyc's mode is the source's | 0200, as CPython's.
TaskResult run_task(FileSystem& fs, Toolchain& tools, const Task& task);

// ----------------------------------------------------------- the executors

// Runs tasks somewhere and reports each result through the sink it was made
// with (from any thread). submit() may be called from several threads.
class Executor {
 public:
  using Sink = std::function<void(const Task& task, const TaskResult& result)>;
  virtual ~Executor() = default;
  virtual void submit(Task task) = 0;
  // No more tasks will come.
  virtual void close() = 0;
  // Waits up to `timeout`; true once every submitted task has been reported.
  virtual bool wait(std::chrono::milliseconds timeout) = 0;
  // Worker processes started so far (0 for in-process executors).
  virtual unsigned workers_started() const { return 0; }
};

// Runs every task at once in the submitting thread (unit tests).
class InlineExecutor final : public Executor {
 public:
  InlineExecutor(FileSystem& fs, Toolchain& tools, Sink sink);
  void submit(Task task) override;
  void close() override {}
  bool wait(std::chrono::milliseconds) override { return true; }

 private:
  FileSystem& fs_;
  Toolchain& tools_;
  Sink sink_;
  std::mutex mu_;
};

// Worker processes: `program --worker-args...` started with posix_spawn on
// demand (none for a run with nothing to compile), at most `max_workers`,
// each fed batches of tasks over a pipe by one thread of the parent, and
// answering one result per task. A worker that dies is replaced; the task
// it was on is reported as an error, the rest of its batch re-queued.
struct PoolOptions {
  fs::path program;               // the program a worker runs (a runtime's pycache-pythonX.Y)
  std::vector<std::string> args;  // its arguments, after argv[0]
  unsigned max_workers = 1;
  std::size_t max_batch = 128;  // tasks sent at once to a worker
  std::string argv0;            // its argv[0] ("pycache-internal"); empty: `program`
};
std::unique_ptr<Executor> make_process_pool(PoolOptions options, Executor::Sink sink);

// The worker side: reads batches from `in_fd`, runs them with `tools` over
// `fs`, writes one result frame per task to `out_fd`, until end of input.
// Returns the process exit status: kExitOk, kExitFailure when the parent has
// gone, kExitInternal for a batch it cannot decode.
int worker_main(int in_fd, int out_fd, FileSystem& fs, Toolchain& tools);

// The messages between the two, in wire.hpp's framing, each sent as a
// wire::frame (exposed for tests).
std::string encode_batch(const std::vector<Task>& tasks);
bool decode_batch(std::string_view frame, std::vector<Task>& out);
std::string encode_result(const TaskResult& result);
bool decode_result(std::string_view frame, TaskResult& out);

// ---------------------------------------------------------------- the run

// One PATH of the command line, with what its policy says.
struct Root {
  fs::path path;                            // absolute, lexically normal
  std::string display;                      // as given by the user
  fs::path cache_prefix;                    // absolute, or empty for __pycache__
  std::vector<int> levels;                  // optimization levels, ascending, no duplicates
  bool write_bytecode = true;               // what the policy says (compile writes anyway)
  std::shared_ptr<const SkipRules> skip{};  // what the walk skips below path (excludes.hpp)
};

struct Options {
  std::vector<Root> roots;
  pyc::Invalidation mode = pyc::Invalidation::Timestamp;
  Force force = Force::No;
  std::vector<std::string> excludes;  // fnmatch globs (see WalkOptions)
  unsigned walk_threads = 0;          // 0: the walker's default
  std::string cache_tag;              // "cpython-311"
  std::uint16_t magic = 0;            // the magic number pycs must carry
};

struct Failure {
  std::string path;        // display path
  std::string error_type;  // "SyntaxError", ... ; empty for I/O errors
  std::string message;
  int line = 0;
  int column = 0;
};

struct Progress {
  std::uint64_t sources = 0;     // .py files found so far
  std::uint64_t up_to_date = 0;  // pycs found up to date
  std::uint64_t queued = 0;      // sources sent to compile
  std::uint64_t done = 0;        // of those, finished
};

struct Summary {
  std::uint64_t sources = 0;           // .py files found
  std::uint64_t up_to_date = 0;        // pycs left alone
  std::uint64_t written = 0;           // pycs written
  std::uint64_t compiled = 0;          // sources compiled (each at every stale level)
  std::uint64_t hashed = 0;            // sources hashed to check a hash pyc
  std::uint64_t skipped_symlinks = 0;  // *.py symlinks: not followed, not compiled
  unsigned workers = 0;
  double seconds = 0;
  std::vector<Failure> failures;     // compile errors then I/O errors, sorted by path
  std::vector<Failure> warnings;     // the compiler's warnings (error_type "SyntaxWarning", ...), sorted by path
  std::optional<std::string> fatal;  // the interpreter could not start
  std::uint64_t compile_errors() const;
};

using ExecutorFactory = std::function<std::unique_ptr<Executor>(Executor::Sink sink)>;

// Walks every root, checks every pyc, hands stale sources to an executor made
// by `make_executor`, and waits for it. Hash checks run in the calling thread
// through `parent_tools` (whose interpreter starts only if a hash pyc has to
// be checked). `progress`, if set, is called from the calling thread about
// every `tick`.
Summary compile_tree(FileSystem& fs, const Options& options, Toolchain& parent_tools,
                     const ExecutorFactory& make_executor, const std::function<void(const Progress&)>& progress = {},
                     std::chrono::milliseconds tick = std::chrono::milliseconds(100));

// ------------------------------------------------------------- formatters

// "FILE:LINE:COL: SyntaxError: msg" (no LINE:COL when unknown, no COL when
// only the line is known, as a warning's "FILE:LINE: SyntaxWarning: msg");
// I/O errors: "FILE: msg" (the command logs them as errors).
std::string format_failure(const Failure& failure);
// The one-paragraph human report (stdout).
std::string format_summary(const Summary& summary, const Options& options);
// The --json report.
std::string format_summary_json(const Summary& summary, const Options& options);
// The progress line (no newline; the caller adds \r and clears it).
std::string format_progress(const Progress& progress);

}  // namespace pycache::compile
