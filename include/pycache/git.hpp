#pragma once
// What git knows about a tree's bytecode: which pycs are tracked, and which
// paths the ignore rules (.gitignore, .git/info/exclude, core.excludesFile)
// cover. Behind an interface so that `status` is unit-tested without git.
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "pycache/error.hpp"
#include "pycache/fs.hpp"

namespace pycache::git {

namespace fs = std::filesystem;

// The top of the git work tree holding `dir`: the nearest of `dir` and its
// ancestors with a `.git` entry (a directory, or a file for worktrees and
// submodules). nullopt outside any work tree. Only lstat calls.
std::optional<fs::path> find_work_tree(FileSystem& fs, const fs::path& dir);

// True for a path (relative or absolute) that is bytecode by name: a legacy
// NAME.pyc / NAME.pyo, or anything inside a __pycache__ directory.
bool is_bytecode_path(std::string_view path);

class Git {
 public:
  virtual ~Git() = default;
  // Tracked files under `dir` (in the index) that are bytecode
  // (is_bytecode_path), as absolute paths, sorted.
  virtual Result<std::vector<fs::path>> tracked_bytecode(const fs::path& dir) = 0;
  // For each of `paths` (absolute, under `dir`): whether the ignore rules
  // cover it, whether or not it is tracked (the index is not consulted).
  virtual Result<std::vector<bool>> ignored(const fs::path& dir, const std::vector<fs::path>& paths) = 0;
  // The directories under `dir` that the ignore rules cover whole (untracked),
  // as absolute paths, sorted: the outermost only, as `git status --ignored`.
  virtual Result<std::vector<fs::path>> ignored_directories(const fs::path& dir) = 0;
};

// The git program in PATH: one `git ls-files -z` for tracked_bytecode, one
// `git check-ignore --no-index --stdin -z` for a whole batch of paths, one
// `git ls-files --others --ignored --exclude-standard --directory -z` for
// ignored_directories.
std::unique_ptr<Git> git_program();

}  // namespace pycache::git
