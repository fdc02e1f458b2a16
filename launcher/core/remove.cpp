#include "pycache/remove.hpp"

#include <cerrno>
#include <memory>
#include <string>
#include <vector>

namespace pycache {

void remove_files(Directory& dir, std::span<FileRemoval> files, StatOnly stat_only) {
  for (auto& f : files) dir.remove(f, stat_only);
}

namespace {

// A directory being emptied: its handle, its subdirectories still to do,
// and whether anything in it stays.
struct Frame {
  std::unique_ptr<Directory> dir;
  fs::path path;
  std::string name;
  std::vector<std::string> subdirs{};
  std::size_t next = 0;
  bool listed = false;
  bool blocked = false;
};

// One remove_tree: a stack of frames, depth first. Each directory is listed
// once (expand), its files removed and its subdirectories pushed; a frame
// whose subdirectories are all done is removed from the one above (leave).
class TreeRemover {
 public:
  TreeRemover(Directory& parent, const FileStat& top, StatOnly stat_only, const RemovalProblem& problem)
      : parent_(parent), top_(top), stat_only_(stat_only), dry_(stat_only == StatOnly::Yes), problem_(problem) {}

  TreeRemoval run(std::string_view name, const fs::path& path) {
    stack_.push_back(Frame{parent_.open(name), path, std::string(name)});
    if (mounted(stack_.back())) return out_;
    while (!stack_.empty()) {
      Frame& f = stack_.back();
      if (!f.listed) expand(f);
      if (f.next < f.subdirs.size()) {
        const std::string& sub = f.subdirs[f.next++];
        Frame child{f.dir->open(sub), f.path / sub, sub};
        if (mounted(child)) {
          f.blocked = true;
          continue;
        }
        stack_.push_back(std::move(child));
        continue;
      }
      leave();
    }
    return out_;
  }

 private:
  // Empties the frame on top: lists it once, removes its files and records
  // its subdirectories.
  void expand(Frame& f) {
    f.listed = true;
    if (int e = f.dir->list(listing_)) {
      if (e != ENOENT) {
        problem_(f.path, "read", e);
        f.blocked = true;
      }
      return;
    }
    regular_.clear();
    for (auto& x : listing_) {
      if (!settle_type(f, x)) continue;
      if (x.type == FileType::Directory) f.subdirs.push_back(std::move(x.name));
      else if (x.type == FileType::Regular) regular_.push_back(FileRemoval{std::move(x.name)});
      else unlink_other(f, x.name);
    }
    remove_regular(f);
  }

  // Whether the directory just opened lies in another mount than the top
  // (swapped for a mount point since its lstat): then it is left alone.
  bool mounted(const Frame& child) {
    FileStat st;
    if (child.dir->stat_self(st) != 0 || !crosses_mount(top_, st, child.path)) return false;  // a failure shows in list
    out_.mount_points.push_back(child.path);
    return true;
  }

  // The entry's type, lstat'ed when the listing did not say (and for every
  // directory, to see a mount before opening it). False when it is not to be
  // touched.
  bool settle_type(Frame& f, DirEntry& x) {
    if (x.type != FileType::Unknown && x.type != FileType::Directory) return true;
    FileStat st;
    if (int e = f.dir->lstat(x.name, st)) {
      if (e != ENOENT) {
        problem_(f.path / x.name, "stat", e);
        f.blocked = true;
      }
      return false;
    }
    x.type = st.type;
    if (x.type == FileType::Directory && crosses_mount(top_, st, f.path / x.name)) {
      f.blocked = true;  // a mount point: not ours to empty
      out_.mount_points.push_back(f.path / x.name);
      return false;
    }
    return true;
  }

  // Symlinks (a virtualenv's bin/python), sockets, FIFOs: the entry itself.
  void unlink_other(Frame& f, const std::string& name) {
    int e = dry_ ? 0 : f.dir->unlink(name);
    if (e == 0) ++out_.files;
    else if (e != ENOENT) {
      problem_(f.path / name, "remove", e);
      f.blocked = true;
    }
  }

  void remove_regular(Frame& f) {
    remove_files(*f.dir, regular_, stat_only_);
    for (const auto& r : regular_) {
      if (r.error == ENOENT) continue;
      if (r.error != 0) {
        problem_(f.path / r.name, "remove", r.error);
        f.blocked = true;
      } else if (r.not_regular) {
        f.blocked = true;  // replaced meanwhile by something else: left alone
      } else {
        ++out_.files;
        out_.bytes += r.size;
      }
    }
  }

  // Everything below the top frame is done: remove it by name from the
  // directory above; what stays keeps that one too.
  void leave() {
    Frame done = std::move(stack_.back());
    stack_.pop_back();
    done.dir.reset();
    Directory& holder = stack_.empty() ? parent_ : *stack_.back().dir;
    bool gone = false;
    if (!done.blocked) {
      int e = dry_ ? 0 : holder.remove_dir(done.name);
      gone = e == 0 || e == ENOENT;
      if (e == 0) ++out_.dirs;
      if (e != 0 && e != ENOENT) problem_(done.path, "remove", e);
    }
    if (stack_.empty()) out_.gone = gone;
    else if (!gone) stack_.back().blocked = true;
  }

  Directory& parent_;
  const FileStat& top_;
  const StatOnly stat_only_;
  const bool dry_;
  const RemovalProblem& problem_;
  std::vector<Frame> stack_;
  std::vector<DirEntry> listing_;
  std::vector<FileRemoval> regular_;
  TreeRemoval out_;
};

}  // namespace

TreeRemoval remove_tree(Directory& parent, std::string_view name, const fs::path& path, StatOnly stat_only,
                        const RemovalProblem& problem) {
  FileStat above, top;
  TreeRemoval out;
  if (int e = parent.stat_self(above); e != 0 || (e = parent.lstat(name, top)) != 0) {
    if (e != ENOENT) problem(path, "stat", e);
    out.gone = e == ENOENT;
    return out;
  }
  if (top.type != FileType::Directory) return out;
  if (crosses_mount(above, top, path)) {
    out.mount_points.push_back(path);  // a bind mount or volume of something else: not a cache to empty
    return out;
  }
  return TreeRemover(parent, top, stat_only, problem).run(name, path);
}

}  // namespace pycache
