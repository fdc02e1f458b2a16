#pragma once
// What status, clean and compile skip in a project (walk.hpp's SkipRules):
// the policy's `exclude` globs and, unless turned off, the default excludes,
// which take what git ignores there (as ruff's respect-gitignore does) but
// never a __pycache__: that is what the commands are about.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pycache/fs.hpp"
#include "pycache/git.hpp"
#include "pycache/walk.hpp"

namespace pycache {

struct SkipRulesFound {
  std::shared_ptr<const SkipRules> rules;
  std::string warning;  // git was asked and failed: why, for one warning line; empty otherwise
};

// `git` may be nullptr (no git asked); outside a work tree it is not run.
SkipRulesFound find_skip_rules(FileSystem& fs, git::Git* git, const std::filesystem::path& root,
                               std::vector<std::string> excludes, bool defaults);

// The skip rules of every root one command walks: one git for them all, made
// when a root first needs it (the default excludes on), and a failing git one
// warning, the first, however many roots it fails for.
class SkipRulesMaker {
 public:
  using MakeGit = std::function<std::unique_ptr<git::Git>()>;  // may return nullptr: no git
  using Warn = std::function<void(const std::string&)>;
  SkipRulesMaker(FileSystem& fs, MakeGit make_git, Warn warn);
  std::shared_ptr<const SkipRules> rules_for(const std::filesystem::path& root, std::vector<std::string> excludes,
                                             bool defaults);

 private:
  FileSystem& fs_;
  MakeGit make_git_;
  Warn warn_;
  std::unique_ptr<git::Git> git_;
  bool git_made_ = false;
  bool warned_ = false;
};

}  // namespace pycache
