#include "pycache/excludes.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "pycache/text.hpp"

namespace pycache {

SkipRulesFound find_skip_rules(FileSystem& fs, git::Git* git, const std::filesystem::path& root,
                               std::vector<std::string> excludes, bool defaults) {
  auto rules = std::make_shared<SkipRules>();
  rules->excludes = std::move(excludes);
  rules->defaults = defaults;
  SkipRulesFound found;
  if (defaults && git && git::find_work_tree(fs, root)) {
    FileStat st;
    const bool dir = fs.lstat(root, st) == 0 && st.type == FileType::Directory;
    if (auto ignored = git->ignored_directories(dir ? root : root.parent_path())) {
      std::erase_if(*ignored, [](const std::filesystem::path& p) { return p.filename() == "__pycache__"; });
      rules->ignored = std::move(*ignored);
    } else {
      found.warning = fmt::format("can't ask git what it ignores under '{}' ({}): walking ignored directories too",
                                  printable(root.native()), ignored.error().message);
    }
  }
  found.rules = std::move(rules);
  return found;
}

SkipRulesMaker::SkipRulesMaker(FileSystem& fs, MakeGit make_git, Warn warn)
    : fs_(fs), make_git_(std::move(make_git)), warn_(std::move(warn)) {}

std::shared_ptr<const SkipRules> SkipRulesMaker::rules_for(const std::filesystem::path& root,
                                                           std::vector<std::string> excludes, bool defaults) {
  if (defaults && !git_made_) {
    git_ = make_git_ ? make_git_() : nullptr;
    git_made_ = true;
  }
  auto found = find_skip_rules(fs_, git_.get(), root, std::move(excludes), defaults);
  if (!found.warning.empty() && !warned_) {
    if (warn_) warn_(found.warning);
    warned_ = true;
  }
  return std::move(found.rules);
}

}  // namespace pycache
