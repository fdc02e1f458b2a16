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

}  // namespace

TreeRemoval remove_tree(Directory& parent, std::string_view name, const fs::path& path, StatOnly stat_only,
                        OneFileSystem one_file_system, const RemovalProblem& problem) {
  TreeRemoval out;
  const bool dry = stat_only == StatOnly::Yes;
  FileStat top;
  if (int e = parent.lstat(name, top)) {
    if (e != ENOENT) problem(path, "stat", e);
    out.gone = e == ENOENT;
    return out;
  }
  if (top.type != FileType::Directory) return out;
  std::vector<Frame> stack;
  stack.push_back(Frame{parent.open(name), path, std::string(name)});
  std::vector<DirEntry> listing;
  std::vector<FileRemoval> regular;

  // Empties the frame on top: lists it once, removes its files and records
  // its subdirectories.
  auto expand = [&](Frame& f) {
    f.listed = true;
    if (int e = f.dir->list(listing)) {
      if (e != ENOENT) {
        problem(f.path, "read", e);
        f.blocked = true;
      }
      return;
    }
    regular.clear();
    for (auto& x : listing) {
      FileStat st;
      const bool mounts = one_file_system == OneFileSystem::Yes;
      if (x.type == FileType::Unknown || (mounts && x.type == FileType::Directory)) {
        if (int e = f.dir->lstat(x.name, st)) {
          if (e != ENOENT) {
            problem(f.path / x.name, "stat", e);
            f.blocked = true;
          }
          continue;
        }
        x.type = st.type;
      }
      if (x.type == FileType::Directory) {
        if (mounts && crosses_mount(top, st, f.path / x.name)) {
          f.blocked = true;  // a mount point: not ours to empty
          continue;
        }
        f.subdirs.push_back(std::move(x.name));
      } else if (x.type == FileType::Regular) {
        regular.push_back(FileRemoval{std::move(x.name)});
      } else {
        // Symlinks (a virtualenv's bin/python), sockets, FIFOs: the entry itself.
        int e = dry ? 0 : f.dir->unlink(x.name);
        if (e == 0) ++out.files;
        else if (e != ENOENT) {
          problem(f.path / x.name, "remove", e);
          f.blocked = true;
        }
      }
    }
    remove_files(*f.dir, regular, stat_only);
    for (const auto& r : regular) {
      if (r.error == ENOENT) continue;
      if (r.error != 0) {
        problem(f.path / r.name, "remove", r.error);
        f.blocked = true;
      } else if (r.not_regular) {
        f.blocked = true;  // replaced meanwhile by something else: left alone
      } else {
        ++out.files;
        out.bytes += r.size;
      }
    }
  };

  while (!stack.empty()) {
    Frame& f = stack.back();
    if (!f.listed) expand(f);
    if (f.next < f.subdirs.size()) {
      const std::string& sub = f.subdirs[f.next++];
      Frame child{f.dir->open(sub), f.path / sub, sub};
      stack.push_back(std::move(child));
      continue;
    }
    // Everything below is done: remove it by name from the directory above.
    Frame done = std::move(stack.back());
    stack.pop_back();
    done.dir.reset();
    Directory& holder = stack.empty() ? parent : *stack.back().dir;
    bool gone = false;
    if (!done.blocked) {
      int e = dry ? 0 : holder.remove_dir(done.name);
      gone = e == 0 || e == ENOENT;
      if (e == 0) ++out.dirs;
      if (e != 0 && e != ENOENT) problem(done.path, "remove", e);
    }
    if (stack.empty()) out.gone = gone;
    else if (!gone) stack.back().blocked = true;
  }
  return out;
}

}  // namespace pycache
