#include "pycache/walk.hpp"

#include <fnmatch.h>

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

bool matches(const std::vector<std::string>& globs, const std::string& name, const fs::path& dir,
             const fs::path& root, std::string& rel) {
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
  if (rel.empty() || *rel.begin() == "..") return false;
  fs::path dir = root;
  for (const auto& part : rel) {
    std::string name = part.native(), scratch;
    if (matches(rules.excludes, name, dir, root, scratch)) return true;
    dir /= name;
    if (!rules.defaults) continue;
    FileStat st;
    if (is_tool_dir(name) || is_ignored(rules, dir) || fs.lstat(dir / "pyvenv.cfg", st) == 0) return true;
  }
  return false;
}

Walker::Walker(FileSystem& fs, WalkOptions options) : fs_(fs), options_(std::move(options)) {
  unsigned n = options_.threads;
  if (n == 0) n = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
  threads_ = n;
}

bool Walker::excluded(const std::string& name, const fs::path& dir, const fs::path& root,
                      const SkipRules* skip) const {
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
  std::shared_ptr<Node> parent;           // null for a root
  std::shared_ptr<Directory> root_parent; // a root's parent, opened for it
  fs::path dir;
  const fs::path* root;
  std::size_t root_index;
  std::shared_ptr<const FileStat> root_stat;  // device and mount of the root (--one-file-system)
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
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Job> stack;  // LIFO: depth first, which keeps each thread in one subtree
  std::size_t busy = 0;
  const bool same_fs = options_.one_file_system == OneFileSystem::Yes;
  for (std::size_t i = 0; i < roots.size(); ++i) {
    const fs::path& root = roots[i].path;
    const fs::path& beneath = roots[i].beneath;
    // The root's parent, opened as the user named it (or, beneath a
    // prefix, one component at a time): the root is an entry in it.
    // A file root's directory must not be a link either: what is compiled
    // or removed is never reached through one.
    std::shared_ptr<Directory> parent;
    FileStat st;
    if (root != root.parent_path()) {
      if (!beneath.empty()) {
        parent = open_beneath(*fs_.open_directory(beneath), root.parent_path().lexically_relative(beneath));
      } else {
        FileStat named;
        const bool file = fs_.lstat(root, named) == 0 && named.type != FileType::Directory;
        parent = fs_.open_directory(root.parent_path(), file ? FollowLink::No : FollowLink::Yes);
      }
    }
    if (int e = parent ? parent->lstat(root.filename().native(), st) : fs_.lstat(root, st)) {
      on_error(root, e);
      continue;
    }
    if (st.type == FileType::Symlink) {
      on_error(root, ELOOP);
      continue;
    }
    if (st.type != FileType::Directory) {
      WalkDir single{root.parent_path(), &root, {WalkEntry{root.filename().native(), st.type, false}}, 0,
                     parent.get(), nullptr};
      single.root_index = i;
      visit(single);
      continue;
    }
    stack.push_back(Job{nullptr, std::move(parent), root, &root, i, std::make_shared<FileStat>(st)});
  }

  // Counts one finished part of `node` (its visit, or a subdirectory); the
  // last one leaves it, then its parent's count goes down in turn.
  auto finish = [&](std::shared_ptr<Node> node, unsigned worker) {
    while (node && node->pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      node->d.subdirs_left = node->left.load(std::memory_order_acquire);
      node->d.worker = worker;
      node->d.dir = node->dir.get();
      node->d.parent = node->parent_dir.get();
      const bool gone = leave(node->d);
      std::shared_ptr<Node> parent = std::move(node->parent);
      node.reset();  // closes the directory: its parent can now remove it
      if (parent && !gone) parent->left.fetch_add(1, std::memory_order_acq_rel);
      node = std::move(parent);
    }
  };

  auto work = [&](unsigned worker) {
    std::vector<DirEntry> raw;
    std::unique_lock lock(mu);
    while (true) {
      cv.wait(lock, [&] { return !stack.empty() || busy == 0; });
      if (stack.empty()) return;  // and nobody busy: nothing more can appear
      Job job = std::move(stack.back());
      stack.pop_back();
      ++busy;
      lock.unlock();

      std::vector<Job> found;
      std::shared_ptr<Directory> parent_dir = job.parent ? job.parent->dir : job.root_parent;
      // With --one-file-system an entry is lstat'ed first: a mount point (or
      // an entry gone or replaced meanwhile) is never opened, never entered.
      int failed = 0;
      std::shared_ptr<Directory> dir;
      const std::string name = job.dir.filename().native();
      if (!parent_dir) {
        dir = fs_.open_directory(job.dir);  // "/"
      } else {
        FileStat st;
        if (same_fs && job.parent &&
            (parent_dir->lstat(name, st) != 0 || st.type != FileType::Directory ||
             crosses_mount(*job.root_stat, st, job.dir)))
          failed = EXDEV;
        else
          dir = parent_dir->open(name);
      }
      std::shared_ptr<Node> node;
      if (!failed && (failed = dir->list(raw)) != 0) {
        if (failed != ENOENT) on_error(job.dir, failed);
      }
      const SkipRules* skip = roots[job.root_index].skip.get();
      if (!failed && job.parent && skip && skip->defaults && is_venv_listing(raw)) failed = kSkippedVenv;
      if (!failed) {
        dirs_seen_.fetch_add(1, std::memory_order_relaxed);
        node = std::make_shared<Node>();
        WalkDir& d = node->d;
        d = WalkDir{job.dir, job.root, {}, worker, dir.get(), parent_dir.get()};
        d.root_index = job.root_index;
        d.entries.reserve(raw.size());
        for (auto& r : raw) {
          if (excluded(r.name, job.dir, *job.root, skip)) continue;
          FileType type = r.type;
          if (type == FileType::Unknown) {
            FileStat st;
            if (int err = dir->lstat(r.name, st)) {
              if (err != ENOENT) on_error(job.dir / r.name, err);
              continue;
            }
            type = st.type;
          }
          bool descend = type == FileType::Directory && !is_vcs_dir(r.name);
          if (descend && skip && skip->defaults)
            descend = !is_tool_dir(r.name) && !is_ignored(*skip, job.dir / r.name);
          d.entries.push_back(WalkEntry{std::move(r.name), type, descend});
        }
        visit(d);
        node->dir = std::move(dir);
        node->parent_dir = leave ? parent_dir : nullptr;
        if (leave) node->parent = job.parent;
        for (const auto& entry : d.entries) {
          if (!entry.descend || entry.type != FileType::Directory) continue;
          found.push_back(Job{node, nullptr, job.dir / entry.name, job.root, job.root_index, job.root_stat});
        }
        d.entries = {};
        node->pending.store(1 + found.size(), std::memory_order_release);
      }
      parent_dir.reset();
      dir.reset();
      if (leave) {
        if (node) finish(std::move(node), worker);
        else if (job.parent) {
          if (failed != ENOENT) job.parent->left.fetch_add(1, std::memory_order_acq_rel);
          finish(job.parent, worker);
        }
      }
      node.reset();  // without a leaver, only the subdirectory jobs keep it (open) now
      job.parent.reset();

      lock.lock();
      --busy;
      for (auto& j : found) stack.push_back(std::move(j));
      if (!found.empty() || busy == 0) cv.notify_all();
    }
  };

  if (threads_ <= 1) {
    work(0);
    return;
  }
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads_; ++i) {
    try {
      pool.emplace_back(work, i);
    } catch (const std::system_error&) {
      break;  // the system won't start more threads: walk with those there are
    }
  }
  work(0);
  for (auto& t : pool) t.join();
}

}  // namespace pycache
