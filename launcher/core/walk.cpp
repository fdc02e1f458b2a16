#include "pycache/walk.hpp"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>

#include "pycache/paths.hpp"

namespace pycache {

bool is_vcs_dir(std::string_view name) { return name == ".git" || name == ".hg" || name == ".svn"; }

bool is_tool_dir(std::string_view name) {
  return is_vcs_dir(name) || name == ".tox" || name == ".nox" || name == "node_modules";
}

namespace {

bool matches(const std::vector<std::string>& globs, const std::string& name, const fs::path& dir, const fs::path& root,
             std::string& rel) {
  for (const auto& glob : globs) {
    if (fnmatch(glob.c_str(), name.c_str(), FNM_PERIOD) == 0) return true;
    if (rel.empty()) rel = (dir / name).lexically_relative(root).native();
    if (fnmatch(glob.c_str(), rel.c_str(), 0) == 0) return true;
  }
  return false;
}

bool is_ignored(const SkipRules& rules, const fs::path& path) {
  return !rules.ignored.empty() && std::binary_search(rules.ignored.begin(), rules.ignored.end(), path);
}

// A virtual environment, told by its listing: it holds pyvenv.cfg.
bool is_venv_listing(const std::vector<DirEntry>& entries) {
  return std::any_of(entries.begin(), entries.end(), [](const DirEntry& e) { return e.name == "pyvenv.cfg"; });
}

// What the walker sets for a directory it lists and then skips (a venv).
constexpr int kSkippedVenv = -1;

}  // namespace

bool skipped_below(FileSystem& fs, const SkipRules& rules, const fs::path& root, const fs::path& path) {
  const fs::path rel = path.lexically_relative(root);
  // Not under `root`, or `root` itself ("."): not below it.
  if (rel.empty() || rel == "." || *rel.begin() == "..") return false;
  fs::path dir = root;
  for (const auto& part : rel) {
    const std::string& name = part.native();
    std::string scratch;
    if (matches(rules.excludes, name, dir, root, scratch)) return true;
    dir /= name;
    if (!rules.defaults) continue;
    FileStat st;
    if (is_tool_dir(name) || is_ignored(rules, dir) || fs.lstat(dir / "pyvenv.cfg", st) == 0) return true;
  }
  return false;
}

std::size_t open_files_available() {
  constexpr std::size_t kReserve = 16;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return SIZE_MAX / 2;
  std::size_t open = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (const dirent* e = ::readdir(d)) open += e->d_name[0] != '.';
    ::closedir(d);
  } else {
    open = 3;
  }
  const auto soft = static_cast<std::size_t>(limit.rlim_cur);
  return soft > open + kReserve ? soft - open - kReserve : 1;
}

Walker::Walker(FileSystem& fs, WalkOptions options) : fs_(fs), options_(std::move(options)) {
  unsigned n = options_.threads;
  if (n == 0) n = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
  const std::size_t budget = options_.max_open ? options_.max_open : open_files_available();
  // Half the budget for the threads' own descriptors, the rest for held directories.
  const std::size_t fit = std::max<std::size_t>(1, budget / (2 * kDescriptorsPerThread));
  threads_ = static_cast<unsigned>(std::min<std::size_t>(n, fit));
  held_budget_ = budget > threads_ * kDescriptorsPerThread ? budget - threads_ * kDescriptorsPerThread : 1;
}

bool Walker::excluded(const std::string& name, const fs::path& dir, const fs::path& root, const SkipRules* skip) const {
  std::string rel;
  return matches(options_.excludes, name, dir, root, rel) || (skip && matches(skip->excludes, name, dir, root, rel));
}

namespace {

// Mount points from /proc/self/mountinfo (field 5, octal escapes undone),
// read once: for kernels whose statx gives no mount ID.
const std::vector<std::string>& mount_points() {
  static const std::vector<std::string> points = [] {
    std::vector<std::string> out;
    ConfigFile info = read_config_file("/proc/self/mountinfo", 64u << 20);
    std::string_view text = info.text;
    while (!text.empty()) {
      auto nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
      std::size_t at = 0;
      for (int field = 0; field < 4 && at != std::string_view::npos; ++field) {
        at = line.find(' ', at);
        if (at != std::string_view::npos) ++at;
      }
      if (at == std::string_view::npos) continue;
      std::string_view raw = line.substr(at, line.find(' ', at) - at);
      std::string point;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 3 < raw.size()) {
          point += static_cast<char>((raw[i + 1] - '0') * 64 + (raw[i + 2] - '0') * 8 + (raw[i + 3] - '0'));
          i += 3;
        } else {
          point += raw[i];
        }
      }
      out.push_back(std::move(point));
    }
    std::sort(out.begin(), out.end());
    return out;
  }();
  return points;
}

}  // namespace

bool crosses_mount(const FileStat& root, const FileStat& st, const fs::path& path) {
  if (st.device != root.device) return true;
  if (root.mount_id != 0 && st.mount_id != 0) return st.mount_id != root.mount_id;
  const auto& points = mount_points();
  return std::binary_search(points.begin(), points.end(), path.native());
}

namespace {

// A visited directory waiting to be left: open until then, so that its
// subdirectories can still open, and remove, themselves by name in it.
struct Node {
  std::shared_ptr<Node> parent;
  std::shared_ptr<Directory> parent_dir;  // the parent's handle (a root's is opened for it)
  std::shared_ptr<Directory> dir;
  WalkDir d;
  std::atomic<std::uint64_t> pending{1};  // its own visit, then one per subdirectory job
  std::atomic<std::uint64_t> left{0};     // subdirectories still there once left
};

// A directory to visit: a root, or an entry of a visited one, opened
// relative to its parent's descriptor, which the job keeps open.
struct Job {
  std::shared_ptr<Node> parent;            // null for a root
  std::shared_ptr<Directory> root_parent;  // a root's parent, opened for it
  fs::path dir;
  const fs::path* root;
  std::size_t root_index;
  std::shared_ptr<const FileStat> root_stat;  // device and mount of the root (--one-file-system)
};

// One Walker::walk. start() turns the roots into jobs (a file root is
// visited at once); then every thread runs work(): take a job, open and
// list its directory, visit it, queue its subdirectories, and leave each
// directory (finish) once everything below it is done.
class WalkRun {
 public:
  using Excluded =
      std::function<bool(const std::string& name, const fs::path& dir, const fs::path& root, const SkipRules* skip)>;
  WalkRun(FileSystem& fs, bool same_fs, std::size_t held_budget, std::atomic<std::uint64_t>& dirs_seen,
          Excluded excluded, const std::vector<WalkRoot>& roots, const Walker::Visitor& visit,
          const Walker::ErrorHandler& on_error, const Walker::Leaver& leave)
      : fs_(fs),
        same_fs_(same_fs),
        held_budget_(held_budget),
        dirs_seen_(dirs_seen),
        excluded_(std::move(excluded)),
        roots_(roots),
        visit_(visit),
        on_error_(on_error),
        leave_(leave) {}

  void start() {
    for (std::size_t i = 0; i < roots_.size(); ++i) {
      const fs::path& root = roots_[i].path;
      {
        std::lock_guard lock(mu_);
        ++held_;
      }
      std::shared_ptr<Directory> parent = counted(open_root_parent(roots_[i]));
      FileStat st;
      if (int e = parent ? parent->lstat(root.filename().native(), st) : fs_.lstat(root, st)) {
        on_error_(root, e);
        continue;
      }
      if (st.type == FileType::Symlink) {
        on_error_(root, ELOOP);
        continue;
      }
      if (st.type != FileType::Directory) {
        WalkDir single{root.parent_path(), &root,  {WalkEntry{root.filename().native(), st.type, false}}, 0,
                       parent.get(),       nullptr};
        single.root_index = i;
        visit_(single);
        continue;
      }
      stack_.push_back(Job{nullptr, std::move(parent), root, &root, i, std::make_shared<FileStat>(st)});
    }
  }

  void work(unsigned worker) {
    std::vector<DirEntry> raw;
    std::unique_lock lock(mu_);
    while (true) {
      // A job opens a directory: within the budget, or when no other thread
      // runs (then nothing would ever close one: it goes on alone).
      cv_.wait(lock, [&] { return stack_.empty() ? busy_ == 0 : held_ < held_budget_ || busy_ == 0; });
      if (stack_.empty()) return;  // and nobody busy: nothing more can appear
      Job job = std::move(stack_.back());
      stack_.pop_back();
      ++busy_;
      ++held_;  // the directory it opens, released with its handle
      lock.unlock();
      std::vector<Job> found = run_job(std::move(job), worker, raw);
      lock.lock();
      --busy_;
      for (auto& j : found) stack_.push_back(std::move(j));
      if (!found.empty() || busy_ == 0) cv_.notify_all();
    }
  }

 private:
  // The root's parent, opened as the user named it (or, beneath a prefix,
  // one component at a time): the root is an entry in it. A file root's
  // directory must not be a link either: what is compiled or removed is
  // never reached through one. Null for "/".
  std::unique_ptr<Directory> open_root_parent(const WalkRoot& r) {
    const fs::path& root = r.path;
    if (root == root.parent_path()) return nullptr;
    if (!r.beneath.empty())
      return open_beneath(*fs_.open_directory(r.beneath), root.parent_path().lexically_relative(r.beneath));
    FileStat named;
    const bool file = fs_.lstat(root, named) == 0 && named.type != FileType::Directory;
    return fs_.open_directory(root.parent_path(), file ? FollowLink::No : FollowLink::Yes);
  }

  // A handle the walk holds, counted in held_ (already raised for it) until
  // it closes; null releases at once.
  std::shared_ptr<Directory> counted(std::unique_ptr<Directory> dir) {
    if (!dir) {
      release();
      return nullptr;
    }
    return {dir.release(), [this](Directory* d) {
              delete d;
              release();
            }};
  }
  // Never called with mu_ held: handles close outside the lock.
  void release() {
    {
      std::lock_guard lock(mu_);
      --held_;
    }
    cv_.notify_all();
  }

  // One directory: opened, listed, visited; returns its subdirectories' jobs.
  std::vector<Job> run_job(Job job, unsigned worker, std::vector<DirEntry>& raw) {
    std::vector<Job> found;
    std::shared_ptr<Directory> parent_dir = job.parent ? job.parent->dir : job.root_parent;
    int failed = 0;
    std::shared_ptr<Directory> dir = open_job(job, parent_dir, failed);
    std::shared_ptr<Node> node;
    if (!failed && (failed = dir->list(raw)) != 0) {
      if (failed != ENOENT) on_error_(job.dir, failed);
    }
    const SkipRules* skip = roots_[job.root_index].skip.get();
    if (!failed && job.parent && skip && skip->defaults && is_venv_listing(raw)) failed = kSkippedVenv;
    if (!failed) node = visit_job(job, worker, dir, parent_dir, raw, found);
    parent_dir.reset();
    dir.reset();
    if (leave_) {
      if (node) finish(std::move(node), worker);
      else if (job.parent) {
        if (failed != ENOENT) job.parent->left.fetch_add(1, std::memory_order_acq_rel);
        finish(job.parent, worker);
      }
    }
    node.reset();  // without a leaver, only the subdirectory jobs keep it (open) now
    job.parent.reset();
    return found;
  }

  // The job's directory, opened by name in its parent. With
  // --one-file-system an entry is lstat'ed first: a mount point (or an entry
  // gone or replaced meanwhile) is never opened, never entered (EXDEV); the
  // handle opened is checked again.
  std::shared_ptr<Directory> open_job(const Job& job, const std::shared_ptr<Directory>& parent_dir, int& failed) {
    if (!parent_dir) return counted(fs_.open_directory(job.dir));  // "/"
    const std::string name = job.dir.filename().native();
    FileStat st;
    if (same_fs_ && job.parent &&
        (parent_dir->lstat(name, st) != 0 || st.type != FileType::Directory ||
         crosses_mount(*job.root_stat, st, job.dir))) {
      failed = EXDEV;
      return counted(nullptr);
    }
    std::shared_ptr<Directory> dir = counted(parent_dir->open(name));
    // And its open handle again: what was lstat'ed is what was opened.
    if (same_fs_ && job.parent && dir->stat_self(st) == 0 && crosses_mount(*job.root_stat, st, job.dir)) {
      failed = EXDEV;
      return nullptr;
    }
    return dir;
  }

  // Visits a listed directory; its node keeps it open until it is left.
  std::shared_ptr<Node> visit_job(const Job& job, unsigned worker, std::shared_ptr<Directory>& dir,
                                  const std::shared_ptr<Directory>& parent_dir, std::vector<DirEntry>& raw,
                                  std::vector<Job>& found) {
    dirs_seen_.fetch_add(1, std::memory_order_relaxed);
    auto node = std::make_shared<Node>();
    WalkDir& d = node->d;
    d = WalkDir{job.dir, job.root, {}, worker, dir.get(), parent_dir.get()};
    d.root_index = job.root_index;
    fill_entries(d, job, *dir, raw);
    visit_(d);
    node->dir = std::move(dir);
    node->parent_dir = leave_ ? parent_dir : nullptr;
    if (leave_) node->parent = job.parent;
    for (const auto& entry : d.entries) {
      if (!entry.descend || entry.type != FileType::Directory) continue;
      found.push_back(Job{node, nullptr, job.dir / entry.name, job.root, job.root_index, job.root_stat});
    }
    d.entries = {};
    node->pending.store(1 + found.size(), std::memory_order_release);
    return node;
  }

  // The listing as the visitor sees it: excluded names dropped, unknown
  // types lstat'ed, and whether to walk into each directory.
  void fill_entries(WalkDir& d, const Job& job, Directory& dir, std::vector<DirEntry>& raw) {
    const SkipRules* skip = roots_[job.root_index].skip.get();
    d.entries.reserve(raw.size());
    for (auto& r : raw) {
      if (excluded_(r.name, job.dir, *job.root, skip)) continue;
      FileType type = r.type;
      if (type == FileType::Unknown) {
        FileStat st;
        if (int err = dir.lstat(r.name, st)) {
          if (err != ENOENT) on_error_(job.dir / r.name, err);
          continue;
        }
        type = st.type;
      }
      bool descend = type == FileType::Directory && !is_vcs_dir(r.name);
      if (descend && skip && skip->defaults) descend = !is_tool_dir(r.name) && !is_ignored(*skip, job.dir / r.name);
      d.entries.push_back(WalkEntry{std::move(r.name), type, descend});
    }
  }

  // Counts one finished part of `node` (its visit, or a subdirectory); the
  // last one leaves it, then its parent's count goes down in turn.
  void finish(std::shared_ptr<Node> node, unsigned worker) {
    while (node && node->pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      node->d.subdirs_left = node->left.load(std::memory_order_acquire);
      node->d.worker = worker;
      node->d.dir = node->dir.get();
      node->d.parent = node->parent_dir.get();
      const bool gone = leave_(node->d);
      std::shared_ptr<Node> parent = std::move(node->parent);
      node.reset();  // closes the directory: its parent can now remove it
      if (parent && !gone) parent->left.fetch_add(1, std::memory_order_acq_rel);
      node = std::move(parent);
    }
  }

  FileSystem& fs_;
  const bool same_fs_;
  const std::size_t held_budget_;
  std::atomic<std::uint64_t>& dirs_seen_;
  const Excluded excluded_;
  const std::vector<WalkRoot>& roots_;
  const Walker::Visitor& visit_;
  const Walker::ErrorHandler& on_error_;
  const Walker::Leaver& leave_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Job> stack_;  // LIFO: depth first, which keeps each thread in one subtree
  std::size_t busy_ = 0;
  std::size_t held_ = 0;  // directory handles open (or about to be): nodes, jobs' parents, visits
};

}  // namespace

void Walker::walk(const std::vector<fs::path>& roots, const Visitor& visit, const ErrorHandler& on_error,
                  const Leaver& leave) {
  std::vector<WalkRoot> plain;
  plain.reserve(roots.size());
  for (const auto& r : roots) plain.push_back(WalkRoot{r, {}});
  walk(plain, visit, on_error, leave);
}

void Walker::walk(const std::vector<WalkRoot>& roots, const Visitor& visit, const ErrorHandler& on_error,
                  const Leaver& leave) {
  WalkRun run(
      fs_, options_.one_file_system == OneFileSystem::Yes, held_budget_, dirs_seen_,
      [this](const std::string& name, const fs::path& dir, const fs::path& root, const SkipRules* skip) {
        return excluded(name, dir, root, skip);
      },
      roots, visit, on_error, leave);
  run.start();
  if (threads_ <= 1) {
    run.work(0);
    return;
  }
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads_; ++i) {
    try {
      pool.emplace_back([&run, i] { run.work(i); });
    } catch (const std::system_error&) {
      break;  // the system won't start more threads: walk with those there are
    }
  }
  run.work(0);
  for (auto& t : pool) t.join();
}

}  // namespace pycache
