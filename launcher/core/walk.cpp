#include "pycache/walk.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace pycache {

bool is_vcs_dir(std::string_view name) { return name == ".git" || name == ".hg" || name == ".svn"; }

Walker::Walker(FileSystem& fs, WalkOptions options) : fs_(fs), options_(std::move(options)) {
  unsigned n = options_.threads;
  if (n == 0) n = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
  threads_ = n;
}

bool Walker::excluded(const std::string& name, const fs::path& dir, const fs::path& root) const {
  if (options_.excludes.empty()) return false;
  std::string rel;
  for (const auto& glob : options_.excludes) {
    if (fnmatch(glob.c_str(), name.c_str(), FNM_PERIOD) == 0) return true;
    if (rel.empty()) rel = (dir / name).lexically_relative(root).native();
    if (fnmatch(glob.c_str(), rel.c_str(), 0) == 0) return true;
  }
  return false;
}

namespace {
// A directory to visit: a root (no parent) or an entry of a visited one,
// opened relative to its parent's descriptor, which the job keeps open.
struct Job {
  std::shared_ptr<Directory> parent;
  fs::path dir;
  const fs::path* root;
  std::uint64_t device;
};
}  // namespace

void Walker::walk(const std::vector<fs::path>& roots, const Visitor& visit, const ErrorHandler& on_error) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Job> stack;  // LIFO: depth first, which keeps each thread in one subtree
  std::size_t busy = 0;
  const bool same_fs = options_.one_file_system == OneFileSystem::Yes;

  for (const auto& root : roots) {
    FileStat st;
    if (int e = fs_.lstat(root, st)) {
      on_error(root, e);
      continue;
    }
    if (st.type == FileType::Symlink) {
      on_error(root, ELOOP);
      continue;
    }
    if (st.type != FileType::Directory) {
      auto parent = fs_.open_directory(root.parent_path());
      // Its directory is opened without following a symlink, as every
      // directory of a walk: a link on the way is refused, never followed.
      FileStat dir_stat;
      if (int e = parent->stat_self(dir_stat)) {
        FileStat link;
        on_error(root, fs_.lstat(root.parent_path(), link) == 0 && link.type == FileType::Symlink ? ELOOP : e);
        continue;
      }
      WalkDir single{root.parent_path(), &root, {WalkEntry{root.filename().native(), st.type, false}}, 0, parent.get()};
      visit(single);
      continue;
    }
    stack.push_back(Job{nullptr, root, &root, st.device});
  }

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
      // A root by its path; anything else by its name in its parent. With
      // --one-file-system the entry is lstat'ed first: a mount point (or an
      // entry gone or replaced meanwhile) is never opened, never entered.
      auto open_job = [&]() -> std::shared_ptr<Directory> {
        if (!job.parent) return fs_.open_directory(job.dir);
        const std::string name = job.dir.filename().native();
        FileStat st;
        if (same_fs &&
            (job.parent->lstat(name, st) != 0 || st.type != FileType::Directory || st.device != job.device))
          return nullptr;
        return job.parent->open(name);
      };
      std::shared_ptr<Directory> dir = open_job();
      job.parent.reset();
      if (!dir) {
        // not entered: see open_job
      } else if (int e = dir->list(raw)) {
        if (e != ENOENT) on_error(job.dir, e);
      } else {
        dirs_seen_.fetch_add(1, std::memory_order_relaxed);
        WalkDir d{job.dir, job.root, {}, worker, dir.get()};
        d.entries.reserve(raw.size());
        for (auto& r : raw) {
          if (excluded(r.name, job.dir, *job.root)) continue;
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
          d.entries.push_back(WalkEntry{std::move(r.name), type, descend});
        }
        visit(d);
        for (const auto& entry : d.entries) {
          if (!entry.descend || entry.type != FileType::Directory) continue;
          found.push_back(Job{dir, job.dir / entry.name, job.root, job.device});
        }
      }
      dir.reset();  // before waiting: the children hold it while they need it

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
  for (unsigned i = 1; i < threads_; ++i) pool.emplace_back(work, i);
  work(0);
  for (auto& t : pool) t.join();
}

}  // namespace pycache
