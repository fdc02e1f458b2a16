// The compile engine: decisions, one task, the walk-and-dispatch driver and
// the wire format. Worker processes are in compile_pool.cpp, the formatters in
// compile_format.cpp.
#include "pycache/compile.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <thread>
#include <tuple>

#include "pycache/paths.hpp"
#include "pycache/walk.hpp"
#include "pycache/wire.hpp"

namespace pycache::compile {

using pyc::Invalidation;

// ----------------------------------------------------------------- decisions

Freshness freshness(const std::optional<std::string>& header, const FileStat& source, Invalidation requested,
                    std::uint16_t magic, Force force) {
  if (force == Force::Yes || !header || header->size() < pyc::kHeaderSize) return Freshness::Stale;
  auto h = pyc::parse_header(*header);
  if (!h || h->magic != magic || h->mode != requested) return Freshness::Stale;
  if (requested != Invalidation::Timestamp) return Freshness::CheckHash;
  // importlib's _validate_timestamp_pyc, field by field.
  bool same = h->source_mtime == pyc::header_mtime(source.mtime_ns) &&
              h->source_size == static_cast<std::uint32_t>(source.size & 0xFFFFFFFFu);
  return same ? Freshness::UpToDate : Freshness::Stale;
}

// ------------------------------------------------------------------ one task

namespace {

class EmbeddedToolchain final : public Toolchain {
 public:
  std::optional<Error> start() override { return embed::start_tool_runtime(); }
  embed::CompileOutcome compile(std::string_view source, const std::string& filename, int optimize) override {
    return embed::compile_source(source, filename, optimize);
  }
  std::array<std::uint8_t, 8> hash(std::string_view source) override { return embed::source_hash(source); }
  std::uint16_t magic() override { return embed::magic_number(); }
};

TaskResult io_error(std::string message) {
  TaskResult r;
  r.status = TaskResult::Status::IoError;
  r.message = std::move(message);
  return r;
}

}  // namespace

Toolchain& embedded_toolchain() {
  static EmbeddedToolchain tools;
  return tools;
}

namespace {
class HashingToolchain final : public Toolchain {
 public:
  HashingToolchain(std::uint16_t magic, bool siphash13) : magic_(magic), siphash13_(siphash13) {}
  std::optional<Error> start() override { return std::nullopt; }
  embed::CompileOutcome compile(std::string_view, const std::string&, int) override {
    embed::CompileOutcome out;
    out.error_type = "RuntimeError";
    out.message = "this process hashes only (compiling is the workers' job)";
    return out;
  }
  std::array<std::uint8_t, 8> hash(std::string_view source) override {
    return pyc::source_hash(source, magic_, siphash13_);
  }
  std::uint16_t magic() override { return magic_; }

 private:
  std::uint16_t magic_;
  bool siphash13_;
};
}  // namespace

std::unique_ptr<Toolchain> hashing_toolchain(std::uint16_t magic, bool siphash13) {
  return std::make_unique<HashingToolchain>(magic, siphash13);
}

namespace {

TaskResult vanished() {
  TaskResult gone;
  gone.status = TaskResult::Status::Vanished;
  return gone;
}

// Why a directory could not be opened or made, for a message.
std::string why_not(int err) {
  return err == ELOOP ? std::string("a symbolic link is on the way: not followed") : std::string(std::strerror(err));
}

// The source's directory, by handle (see Task); nullopt when it is open.
std::optional<TaskResult> open_source_dir(FileSystem& fs, const Task& task, std::unique_ptr<Directory>& dir) {
  const fs::path parent = task.source.parent_path();
  const fs::path& base = task.base.empty() ? parent : task.base;
  dir = open_beneath(*fs.open_directory(base), parent.lexically_relative(base));
  FileStat self;
  if (int e = dir->stat_self(self)) {
    if (e == ENOENT) return vanished();  // removed since the walk, with its sources
    return io_error(fmt::format("cannot open its directory: {}", why_not(e)));
  }
  if (task.dir_inode != 0 && (self.device != task.dir_device || self.inode != task.dir_inode))
    return io_error("its directory was replaced during the compile: nothing written");
  return std::nullopt;
}

// The header must describe the bytes compiled: read between two stats that
// agree, or try again (an editor may be saving the file right now).
std::optional<TaskResult> read_source(Directory& dir, const std::string& name, FileStat& st, std::string& source) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (int e = dir.lstat(name, st)) {
      if (e == ENOENT && attempt == 0) return vanished();  // deleted since the walk listed it
      return io_error(fmt::format("cannot read source: {}", std::strerror(e)));
    }
    if (st.type != FileType::Regular) return io_error("not a regular file");
    if (int e = dir.read(name, static_cast<std::size_t>(st.size) + 1, source))
      return io_error(fmt::format("cannot read source: {}", std::strerror(e)));
    FileStat after;
    if (int e = dir.lstat(name, after)) return io_error(fmt::format("cannot read source: {}", std::strerror(e)));
    if (source.size() == st.size && after.size == st.size && after.mtime_ns == st.mtime_ns) return std::nullopt;
  }
  return io_error("the source kept changing while being read");
}

// The directory a pyc goes into, made as needed: __pycache__ in the
// source's directory, or the mirror below the prefix.
std::unique_ptr<Directory> pyc_directory(FileSystem& fs, const Task& task, Directory& source_dir, const fs::path& dir) {
  if (task.prefix.empty()) return make_beneath(source_dir, dir.lexically_relative(task.source.parent_path()));
  return make_beneath(*make_directories(fs, task.prefix), dir.lexically_relative(task.prefix));
}

}  // namespace

TaskResult run_task(FileSystem& fs, Toolchain& tools, const Task& task) {
  std::unique_ptr<Directory> source_dir;
  if (auto failed = open_source_dir(fs, task, source_dir)) return *failed;
  FileStat st;
  std::string source;
  if (auto failed = read_source(*source_dir, task.source.filename().native(), st, source)) return *failed;

  pyc::Header header;
  header.magic = tools.magic();
  header.mode = task.mode;
  if (task.mode == Invalidation::Timestamp) {
    header.source_mtime = pyc::header_mtime(st.mtime_ns);
    header.source_size = static_cast<std::uint32_t>(st.size & 0xFFFFFFFFu);
  } else {
    header.source_hash = tools.hash(source);
  }
  const std::string head = pyc::format_header(header);
  // importlib's _calc_mode: the source's mode, writable by the owner.
  const std::uint32_t mode = (st.mode | 0200u) & 0666u;

  TaskResult r;
  std::unique_ptr<Directory> out_dir;
  fs::path out_dir_path;
  for (const auto& out : task.outputs) {
    auto code = tools.compile(source, task.source.native(), out.optimize);
    for (auto& w : code.warnings)
      if (std::none_of(r.warnings.begin(), r.warnings.end(), [&](const embed::CompileWarning& seen) {
            return seen.line == w.line && seen.category == w.category && seen.message == w.message;
          }))
        r.warnings.push_back(std::move(w));
    if (!code.ok) {
      r.status = TaskResult::Status::CompileError;
      r.error_type = std::move(code.error_type);
      r.message = std::move(code.message);
      r.line = code.line;
      r.column = code.column;
      return r;
    }
    if (!out_dir || out.pyc.parent_path() != out_dir_path) {
      out_dir_path = out.pyc.parent_path();
      out_dir = pyc_directory(fs, task, *source_dir, out_dir_path);
    }
    if (int e = out_dir->write_atomic(out.pyc.filename().native(), head + code.code, mode)) {
      TaskResult err = io_error(fmt::format("cannot write '{}': {}", out.pyc.native(), why_not(e)));
      err.written = r.written;
      err.warnings = std::move(r.warnings);
      return err;
    }
    ++r.written;
  }
  return r;
}

InlineExecutor::InlineExecutor(FileSystem& fs, Toolchain& tools, Sink sink)
    : fs_(fs), tools_(tools), sink_(std::move(sink)) {}

void InlineExecutor::submit(Task task) {
  std::lock_guard lock(mu_);
  if (auto failed = tools_.start()) {
    TaskResult r;
    r.status = TaskResult::Status::Fatal;
    r.message = failed->message;
    sink_(task, r);
    return;
  }
  sink_(task, run_task(fs_, tools_, task));
}

// ---------------------------------------------------------------- wire format

// A batch: the number of tasks, then each task's fields; a result: its
// fields. The framing is wire.hpp's, shared with the hand-off.

std::string encode_batch(const std::vector<Task>& tasks) {
  wire::Writer w;
  w.number(tasks.size());
  for (const auto& t : tasks) {
    w.field(t.source.native()).number(static_cast<int>(t.mode)).number(t.outputs.size());
    for (const auto& o : t.outputs) w.number(o.optimize).field(o.pyc.native());
    w.field(t.base.native()).field(t.prefix.native()).number(t.dir_device).number(t.dir_inode);
  }
  return w.take();
}

namespace {

bool decode_task(wire::Reader& r, Task& t) {
  std::string source, base, prefix;
  int mode = 0;
  std::size_t outputs = 0;
  if (!r.field(source) || !r.number(mode) || !r.number(outputs)) return false;
  if (mode < 0 || mode > static_cast<int>(Invalidation::UncheckedHash)) return false;
  t.source = std::move(source);
  t.mode = static_cast<Invalidation>(mode);
  for (std::size_t j = 0; j < outputs; ++j) {
    Task::Output o;
    std::string pyc;
    if (!r.number(o.optimize) || !r.field(pyc)) return false;
    o.pyc = std::move(pyc);
    t.outputs.push_back(std::move(o));
  }
  if (!r.field(base) || !r.field(prefix) || !r.number(t.dir_device) || !r.number(t.dir_inode)) return false;
  t.base = std::move(base);
  t.prefix = std::move(prefix);
  return true;
}

}  // namespace

bool decode_batch(std::string_view frame, std::vector<Task>& out) {
  wire::Reader r(frame);
  out.clear();
  std::size_t n = 0;
  if (!r.number(n)) return false;
  for (std::size_t i = 0; i < n; ++i) {
    Task t;
    if (!decode_task(r, t)) return false;
    out.push_back(std::move(t));
  }
  return r.done();
}

std::string encode_result(const TaskResult& res) {
  wire::Writer w;
  w.number(static_cast<int>(res.status)).number(res.written).number(res.line).number(res.column);
  w.field(res.error_type).field(res.message);
  w.number(res.warnings.size());
  for (const auto& warning : res.warnings) w.field(warning.category).field(warning.message).number(warning.line);
  return w.take();
}

bool decode_result(std::string_view frame, TaskResult& out) {
  wire::Reader r(frame);
  int status = 0;
  if (!r.number(status) || status < 0 || status > static_cast<int>(TaskResult::Status::Vanished)) return false;
  out.status = static_cast<TaskResult::Status>(status);
  // The reader fails for good at the first bad field: done() says whether all were read.
  r.number(out.written);
  r.number(out.line);
  r.number(out.column);
  r.field(out.error_type);
  r.field(out.message);
  std::size_t warnings = 0;
  out.warnings.clear();
  if (!r.number(warnings) || warnings > 4096) return false;
  for (std::size_t i = 0; i < warnings; ++i) {
    embed::CompileWarning w;
    r.field(w.category);
    r.field(w.message);
    if (!r.number(w.line)) return false;
    out.warnings.push_back(std::move(w));
  }
  return r.done();
}

// -------------------------------------------------------------------- the run

namespace {

// Hash checks handed to the interpreter's thread at once (see compile_tree).
constexpr std::size_t kHashBatch = 64;

bool is_source_name(std::string_view name) { return name.size() > 3 && name.ends_with(".py"); }

// A source whose hash pyc(s) must be checked before deciding. Paths are
// built only if something turns out stale.
struct HashJob {
  const Root* root = nullptr;
  std::string dir, name;
  FileStat dir_stat{};                                             // the directory as the walk saw it
  std::vector<int> stale;                                          // levels already known to be stale
  std::vector<std::pair<int, std::array<std::uint8_t, 8>>> check;  // level, hash in its pyc
  std::string source;
};

std::string display_path(const Root& root, const fs::path& path) {
  const std::string& r = root.path.native();
  const std::string& p = path.native();
  if (p == r) return root.display;
  if (is_below(p, r)) {
    std::string rest = p.substr(r == "/" ? 1 : r.size() + 1);
    if (root.display == ".") return rest;
    return root.display.ends_with('/') ? root.display + rest : root.display + "/" + rest;
  }
  return p;
}

// `dir` is the source's directory as the walk saw it: the worker writes
// only there (see Task).
Task make_task(const Root& root, const fs::path& src, const FileStat& dir, std::vector<int> levels,
               const Options& options) {
  Task task;
  task.source = src;
  task.mode = options.mode;
  task.display = display_path(root, src);
  // A file root's directory is its own base: it was opened as named.
  task.base = is_within(src.parent_path().native(), root.path.native()) ? root.path : src.parent_path();
  task.prefix = root.cache_prefix;
  task.dir_device = dir.device;
  task.dir_inode = dir.inode;
  std::sort(levels.begin(), levels.end());
  for (int level : levels)
    task.outputs.push_back(
        Task::Output{level, pyc::cache_from_source(src, options.cache_tag, level, root.cache_prefix)});
  return task;
}

// One compile_tree run, in three threads of control: the walk (its threads
// plan each source: up to date, stale, or a hash pyc to check), this thread
// (the parent's interpreter: hash checks, progress) and the executor's
// workers (compiling; results come back through collect()).
class TreeCompiler {
 public:
  TreeCompiler(FileSystem& fs, const Options& options, Toolchain& parent_tools,
               const std::function<void(const Progress&)>& progress, std::chrono::milliseconds tick)
      : fs_(fs),
        options_(options),
        parent_tools_(parent_tools),
        progress_(progress),
        tick_(tick),
        walker_(fs, WalkOptions{options.excludes, OneFileSystem::No, options.walk_threads}) {}

  Summary run(const ExecutorFactory& make_executor) {
    const auto started_at = std::chrono::steady_clock::now();
    executor_ = make_executor([this](const Task& task, const TaskResult& r) { collect(task, r); });
    std::thread walk_thread([this] { walk(); });
    check_hashes();
    walk_thread.join();
    executor_->close();
    while (!executor_->wait(tick_)) maybe_progress();
    finish();
    summary_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at).count();
    return std::move(summary_);
  }

 private:
  // A directory being planned: every source is stat'ed through the walk's
  // handle, and all their pycs (every level) live in one directory, opened
  // on first use. Paths are built only for sources that need work: a no-op
  // run builds none.
  struct DirPlan {
    WalkDir& d;
    const Root& root;
    std::unique_ptr<Directory> pyc_dir{};
    fs::path pyc_dir_path{};
    std::string header{}, pyc_name{};
    std::optional<FileStat> self{};  // d's own stat, taken for the first task
  };

  // --- results (the executor's threads) -----------------------------------

  // Each task carries its display path; results come back with the task.
  void collect(const Task& task, const TaskResult& r) {
    std::lock_guard lock(mu_);
    summary_.written += r.written;
    for (const auto& w : r.warnings)
      summary_.warnings.push_back(Failure{task.display, w.category, w.message, w.line, 0});
    switch (r.status) {
      case TaskResult::Status::Written: ++summary_.compiled; break;
      case TaskResult::Status::CompileError:
        summary_.failures.push_back(Failure{task.display, r.error_type, r.message, r.line, r.column});
        break;
      case TaskResult::Status::IoError: summary_.failures.push_back(Failure{task.display, "", r.message, 0, 0}); break;
      case TaskResult::Status::Fatal:
        if (!summary_.fatal) summary_.fatal = r.message;
        break;
      case TaskResult::Status::Vanished: sources_.fetch_sub(1, std::memory_order_relaxed); break;
    }
    done_.fetch_add(1, std::memory_order_relaxed);
  }

  void submit(Task&& task) {
    queued_.fetch_add(1, std::memory_order_relaxed);
    executor_->submit(std::move(task));
  }

  void fail(std::string path, std::string message) {
    std::lock_guard lock(mu_);
    summary_.failures.push_back(Failure{std::move(path), "", std::move(message), 0, 0});
  }

  // --- planning (the walk's threads) --------------------------------------

  void walk() {
    std::vector<WalkRoot> paths;
    for (const auto& r : options_.roots) {
      paths.push_back(WalkRoot{r.path, {}, r.skip});
      // Opened once, as named; its mirror only ever beneath it (see Task).
      prefix_dirs_.push_back(r.cache_prefix.empty() ? nullptr : fs_.open_directory(r.cache_prefix, FollowLink::Yes));
    }
    walker_.walk(
        paths, [this](WalkDir& d) { visit(d); }, [this](const fs::path& p, int e) { walk_error(p, e); });
    std::lock_guard lock(hq_mu_);
    walk_done_ = true;
    hq_cv_.notify_all();
  }

  void walk_error(const fs::path& path, int err) {
    // Shown from the deepest PATH holding it ("/p/ab/x" is not under "/p/a").
    const Root* root = nullptr;
    for (const auto& r : options_.roots)
      if (is_within(path.native(), r.path.native()) && (!root || r.path.native().size() > root->path.native().size()))
        root = &r;
    fail(root ? display_path(*root, path) : path.native(), err == ELOOP
                                                               ? std::string("is a symbolic link: not followed")
                                                               : fmt::format("cannot read: {}", std::strerror(err)));
  }

  void visit(WalkDir& d) {
    DirPlan plan{d, options_.roots[d.root_index]};
    for (auto& e : d.entries) {
      if (e.type == FileType::Directory) {
        // Cache directories hold no sources: never walk them.
        if (e.name == "__pycache__" || (!plan.root.cache_prefix.empty() && d.path / e.name == plan.root.cache_prefix))
          e.descend = false;
        continue;
      }
      if (!is_source_name(e.name)) continue;
      if (e.type == FileType::Symlink) {
        symlinks_.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      if (e.type == FileType::Regular) plan_source(plan, e.name);
    }
  }

  // One source: its levels up to date, stale, or to check by hash.
  void plan_source(DirPlan& plan, const std::string& name) {
    WalkDir& d = plan.d;
    // Only the timestamp check looks at the source's stat: hash modes
    // compare its bytes, and --force rebuilds whatever it says.
    FileStat st;
    if (options_.mode == Invalidation::Timestamp && options_.force == Force::No) {
      if (int err = d.dir->lstat(name, st)) {
        if (err != ENOENT)
          fail(display_path(plan.root, d.path / name), fmt::format("cannot stat: {}", std::strerror(err)));
        return;
      }
    }
    sources_.fetch_add(1, std::memory_order_relaxed);
    HashJob job = check_levels(plan, name, st);
    if (job.check.empty() && job.stale.empty()) return;
    const int read_error = job.check.empty() ? 0 : d.dir->read(name, kWholeFile, job.source);
    if (read_error == ENOENT) {  // vanished since the listing: nothing to compile
      sources_.fetch_sub(1, std::memory_order_relaxed);
      return;
    }
    if (!job.check.empty() && read_error == 0) {
      // Read here, in the walk's threads; hashed in the interpreter's,
      // woken once per batch rather than once per file.
      job.root = &plan.root;
      job.dir = d.path.native();
      job.name = name;
      job.dir_stat = self_of(plan);
      std::lock_guard lock(hq_mu_);
      hash_queue_.push_back(std::move(job));
      if (hash_queue_.size() == kHashBatch) hq_cv_.notify_one();
      return;
    }
    // Stale, or unreadable for the hash check (then the task reports why).
    for (const auto& [level, _] : job.check) job.stale.push_back(level);
    submit(make_task(plan.root, d.path / name, self_of(plan), std::move(job.stale), options_));
  }

  // The directory's own stat (device, inode), taken once.
  static const FileStat& self_of(DirPlan& plan) {
    if (!plan.self) {
      plan.self.emplace();
      if (plan.d.dir->stat_self(*plan.self) != 0) *plan.self = FileStat{};  // inode 0: the worker just opens it
    }
    return *plan.self;
  }

  // What each of the root's levels needs for this source, from its pyc's header.
  HashJob check_levels(DirPlan& plan, const std::string& name, const FileStat& st) {
    if (plan.pyc_dir_path.empty())
      plan.pyc_dir_path =
          pyc::cache_from_source(plan.d.path / name, options_.cache_tag, 0, plan.root.cache_prefix).parent_path();
    HashJob job;
    for (int level : plan.root.levels) {
      std::optional<std::string> existing;
      if (options_.force == Force::No) {
        if (!plan.pyc_dir)
          plan.pyc_dir = plan.root.cache_prefix.empty()
                             ? plan.d.dir->open("__pycache__")
                             : open_beneath(*prefix_dirs_[plan.d.root_index],
                                            plan.pyc_dir_path.lexically_relative(plan.root.cache_prefix));
        plan.pyc_name = pyc::cache_file_name(name, options_.cache_tag, level);
        if (plan.pyc_dir->read(plan.pyc_name, pyc::kHeaderSize, plan.header) == 0) existing = plan.header;
      }
      switch (freshness(existing, st, options_.mode, options_.magic, options_.force)) {
        case Freshness::UpToDate: up_to_date_.fetch_add(1, std::memory_order_relaxed); break;
        case Freshness::Stale: job.stale.push_back(level); break;
        case Freshness::CheckHash: job.check.emplace_back(level, pyc::parse_header(*existing)->source_hash); break;
      }
    }
    return job;
  }

  // --- hash checks and progress (this thread) ------------------------------

  // This thread owns the parent's interpreter: hash checks happen here, a
  // batch at a time, until the walk is done and the queue empty.
  void check_hashes() {
    std::unique_lock lock(hq_mu_);
    while (true) {
      hq_cv_.wait_for(lock, tick_, [&] { return hash_queue_.size() >= kHashBatch || walk_done_; });
      std::deque<HashJob> jobs;
      jobs.swap(hash_queue_);
      lock.unlock();
      for (auto& job : jobs)
        if (start_tools()) check_hash(job);
      maybe_progress();
      lock.lock();
      if (walk_done_ && hash_queue_.empty()) break;
    }
  }

  // The interpreter, started for the first hash check; a failure is fatal.
  bool start_tools() {
    if (!tools_started_ && !tools_failed_) {
      auto failed = parent_tools_.start();
      tools_started_ = !failed;
      tools_failed_ = failed.has_value();
      if (failed) {
        std::lock_guard guard(mu_);
        summary_.fatal = failed->message;
      }
    }
    return tools_started_;
  }

  void check_hash(HashJob& job) {
    auto h = parent_tools_.hash(job.source);
    hashed_.fetch_add(1, std::memory_order_relaxed);
    for (const auto& [level, expected] : job.check) {
      if (expected == h) up_to_date_.fetch_add(1, std::memory_order_relaxed);
      else job.stale.push_back(level);
    }
    if (!job.stale.empty())
      submit(make_task(*job.root, fs::path(job.dir) / job.name, job.dir_stat, std::move(job.stale), options_));
  }

  void maybe_progress() {
    if (!progress_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_tick_ < tick_) return;
    last_tick_ = now;
    progress_(Progress{sources_.load(), up_to_date_.load(), queued_.load(), done_.load()});
  }

  // The counts into the summary, failures sorted; the executor is gone after.
  void finish() {
    summary_.sources = sources_.load();
    summary_.up_to_date = up_to_date_.load();
    summary_.skipped_symlinks = symlinks_.load();
    summary_.hashed = hashed_.load();
    summary_.workers = executor_->workers_started();
    executor_.reset();
    for (auto* v : {&summary_.failures, &summary_.warnings})
      std::stable_sort(v->begin(), v->end(), [](const Failure& a, const Failure& b) {
        return std::tie(a.path, a.line, a.column) < std::tie(b.path, b.line, b.column);
      });
  }

  FileSystem& fs_;
  const Options& options_;
  Toolchain& parent_tools_;
  const std::function<void(const Progress&)>& progress_;
  const std::chrono::milliseconds tick_;
  Walker walker_;
  std::vector<std::unique_ptr<Directory>> prefix_dirs_;  // per root: its cache prefix, or null
  std::unique_ptr<Executor> executor_;
  Summary summary_;
  std::mutex mu_;  // guards summary_
  std::atomic<std::uint64_t> sources_{0}, up_to_date_{0}, queued_{0}, done_{0}, symlinks_{0}, hashed_{0};
  std::mutex hq_mu_;  // guards hash_queue_, walk_done_
  std::condition_variable hq_cv_;
  std::deque<HashJob> hash_queue_;
  bool walk_done_ = false;
  bool tools_failed_ = false, tools_started_ = false;
  std::chrono::steady_clock::time_point last_tick_ = std::chrono::steady_clock::now();
};

}  // namespace

std::uint64_t Summary::compile_errors() const {
  return static_cast<std::uint64_t>(
      std::count_if(failures.begin(), failures.end(), [](const Failure& f) { return !f.error_type.empty(); }));
}

Summary compile_tree(FileSystem& fs, const Options& options, Toolchain& parent_tools,
                     const ExecutorFactory& make_executor, const std::function<void(const Progress&)>& progress,
                     std::chrono::milliseconds tick) {
  return TreeCompiler(fs, options, parent_tools, progress, tick).run(make_executor);
}

}  // namespace pycache::compile
