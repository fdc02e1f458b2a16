#pragma once
// Every removal pycache makes, in one place: batches of files and whole tool
// caches (Directory::remove_dir takes an emptied directory), each through the open directory that holds it
// (unlinkat relative to its descriptor). A path is never resolved again to
// remove what it names, so a directory swapped for a symbolic link
// meanwhile is never followed, and no path is ever too long (PATH_MAX).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "pycache/fs.hpp"
#include "pycache/walk.hpp"

namespace pycache {

// lstat each file of a batch in `dir` and unlink it when it is a regular file
// (never anything else), unless `stat_only` (a dry run counts instead).
void remove_files(Directory& dir, std::span<FileRemoval> files, StatOnly stat_only);

struct TreeRemoval {
  std::uint64_t files = 0;             // files, links and FIFOs removed (or that would be)
  std::uint64_t dirs = 0;              // directories removed, the top one included
  std::uint64_t bytes = 0;             // apparent sizes of the regular files
  bool gone = false;                   // the top directory went (or would go)
  std::vector<fs::path> mount_points;  // mounts left alone (the top one included), for a message
};

// (path, action, errno) of something that could not be read or removed:
// action is "read", "stat" or "remove".
using RemovalProblem = std::function<void(const fs::path& path, std::string_view action, int error)>;

// Removes the directory `name` of `parent` (shown as `path` in problems) and
// everything in it, depth first, each directory opened by name from the one
// above it. Symbolic links, FIFOs and sockets are unlinked, never followed.
// It never empties another mount: when `name` is itself a mount point
// (another device or mount ID than `parent`), or a directory inside is one
// (lstat'ed before it is opened, and its open handle checked again), that
// mount is left alone, and so is everything on the way to it. With
// StatOnly::Yes it only counts what would go. Something that can't be
// removed is reported and keeps its directories.
TreeRemoval remove_tree(Directory& parent, std::string_view name, const fs::path& path, StatOnly stat_only,
                        const RemovalProblem& problem);

}  // namespace pycache
