#include "pycache/walk.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
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
struct Job {
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
      WalkDir single{root.parent_path(), &root, {WalkEntry{root.filename().native(), st.type, false}}, 0};
      visit(single);
      continue;
    }
    stack.push_back(Job{root, &root, st.device});
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
      if (int e = fs_.list(job.dir, raw)) {
        if (e != ENOENT) on_error(job.dir, e);
      } else {
        dirs_seen_.fetch_add(1, std::memory_order_relaxed);
        WalkDir d{job.dir, job.root, {}, worker};
        d.entries.reserve(raw.size());
        for (auto& r : raw) {
          if (excluded(r.name, job.dir, *job.root)) continue;
          FileType type = r.type;
          if (type == FileType::Unknown) {
            FileStat st;
            if (int e = fs_.lstat(job.dir / r.name, st)) {
              if (e != ENOENT) on_error(job.dir / r.name, e);
              continue;
            }
            type = st.type;
          }
          bool descend = type == FileType::Directory && !is_vcs_dir(r.name);
          d.entries.push_back(WalkEntry{std::move(r.name), type, descend});
        }
        visit(d);
        for (const auto& e : d.entries) {
          if (!e.descend || e.type != FileType::Directory) continue;
          fs::path sub = job.dir / e.name;
          std::uint64_t device = job.device;
          if (same_fs) {
            FileStat st;
            if (fs_.lstat(sub, st) != 0 || st.type != FileType::Directory) continue;
            if (st.device != job.device) continue;
          }
          found.push_back(Job{std::move(sub), job.root, device});
        }
      }

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
