// What `status --check` judges: git's answers about a root's bytecode, and
// the findings made from a report (declared in status.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "pycache/paths.hpp"
#include "pycache/status.hpp"

namespace pycache::status {

std::string_view to_string(FindingKind k) {
  switch (k) {
    case FindingKind::Tracked: return "tracked";
    case FindingKind::Sourceless: return "sourceless";
    case FindingKind::BytecodeInTree: return "bytecode-in-tree";
    case FindingKind::PrefixNotIgnored: return "prefix-not-ignored";
    case FindingKind::NotRegular: return "not-regular";
    case FindingKind::Unreadable: return "unreadable";
  }
  return "";
}

GitReport ask_git(git::Git& git, const fs::path& work_tree, const RootStatus& r, std::vector<fs::path> here,
                  std::string_view current_tag) {
  GitReport g;
  g.work_tree = work_tree;
  auto tracked = git.tracked_bytecode(r.target.root);
  if (!tracked) {
    g.error = tracked.error().message;
    return g;
  }
  g.tracked = std::move(*tracked);
  std::sort(here.begin(), here.end());
  // Ask about everything at once: what is there, what is tracked, and two
  // files that do not exist yet, to say whether new bytecode is covered.
  std::vector<fs::path> ask = here;
  ask.insert(ask.end(), g.tracked.begin(), g.tracked.end());
  const std::string probe = "pycache-status-probe";
  ask.push_back(r.target.root / "__pycache__" / fmt::format("{}.{}.pyc", probe, current_tag));
  ask.push_back(r.target.root / (probe + ".pyc"));
  // A prefix in the work tree: would git ignore what the prefix holds? Its
  // mirror of the root may not exist yet; git answers by the rules alone.
  const bool prefix_here =
      r.prefix && r.prefix->path.is_absolute() && is_within(r.prefix->path.native(), work_tree.native());
  if (prefix_here)
    ask.push_back(r.prefix->path / r.target.root.relative_path() / fmt::format("{}.{}.pyc", probe, current_tag));
  auto ignored = git.ignored(r.target.root, ask);
  if (!ignored) {
    g.error = ignored.error().message;
    return g;
  }
  const auto& ig = *ignored;
  std::unordered_set<std::string_view> tracked_set;
  for (const auto& t : g.tracked) tracked_set.insert(t.native());
  for (std::size_t k = 0; k < here.size(); ++k)
    if (!ig[k] && !tracked_set.count(here[k].native())) g.unignored.push_back(here[k]);
  for (std::size_t k = 0; k < g.tracked.size(); ++k)
    if (ig[here.size() + k]) g.tracked_ignored.push_back(g.tracked[k]);
  const std::size_t probes = here.size() + g.tracked.size();
  g.ignores_pycache = ig[probes];
  g.ignores_legacy = ig[probes + 1];
  if (prefix_here) g.ignores_prefix = ig[probes + 2];
  return g;
}

namespace {

// The finding of a cache prefix in the work tree that git does not ignore.
Finding prefix_not_ignored(const RootStatus& r) {
  const fs::path& prefix = r.prefix->path;
  const std::string rel = prefix.lexically_relative(r.git->work_tree).native();
  return Finding{FindingKind::PrefixNotIgnored, prefix,
                 fmt::format("cache-prefix ({}) is in the git work tree and the ignore rules miss its pycs: "
                             "'git add .' would take them (ignore '/{}/' in .gitignore)",
                             r.target.policy.policy.get(Key::CachePrefix).origin.describe(), rel)};
}

}  // namespace

std::vector<Finding> check(const Report& report, Strict strict) {
  std::vector<Finding> out;
  for (const auto& r : report.roots) {
    if (r.git)
      for (const auto& t : r.git->tracked) {
        bool covered =
            std::find(r.git->tracked_ignored.begin(), r.git->tracked_ignored.end(), t) != r.git->tracked_ignored.end();
        out.push_back(Finding{FindingKind::Tracked, t,
                              covered ? "tracked by git although .gitignore covers it (git rm --cached)"
                                      : "tracked by git (git rm --cached, and ignore it)"});
      }
    if (r.git && r.git->error.empty() && r.git->ignores_prefix == false) out.push_back(prefix_not_ignored(r));
    for (const auto& s : r.sourceless)
      out.push_back(Finding{FindingKind::Sourceless, s.path,
                            fmt::format("no source: 'import' loads this {} bytecode", s.detail)});
    for (const auto& n : r.not_regular)
      out.push_back(Finding{FindingKind::NotRegular, n.path, n.detail + " (pycache clean removes the entry)"});
    const Policy& p = r.target.policy.policy;
    std::string why;
    if (!p.cache_prefix().empty())
      why = fmt::format("cache-prefix is set ({}): the import system never reads it",
                        p.get(Key::CachePrefix).origin.describe());
    else if (!p.write_bytecode())
      why = fmt::format("write-bytecode = false ({})", p.get(Key::WriteBytecode).origin.describe());
    // Bytecode git ignores and does not track can't reach a commit: what a
    // plain python run leaves is no finding, unless strict.
    auto ignored_by_git = [&](const fs::path& path, bool directory) {
      if (strict == Strict::Yes || !r.git || !r.git->error.empty()) return false;
      for (const auto& u : r.git->unignored)
        if (u == path || (directory && is_below(u.native(), path.native()))) return false;
      for (const auto& t : r.git->tracked)
        if (t == path || (directory && is_below(t.native(), path.native()))) return false;
      return true;
    };
    if (!why.empty()) {
      for (const auto& d : r.bytecode_dirs)
        if (!ignored_by_git(d.path, true))
          out.push_back(Finding{FindingKind::BytecodeInTree, d.path,
                                fmt::format("{} of bytecode; {} (pycache clean removes it)", d.detail, why)});
      for (const auto& l : r.legacy)
        if (!ignored_by_git(l.path, false))
          out.push_back(Finding{FindingKind::BytecodeInTree, l.path,
                                fmt::format("legacy pyc; {} (pycache clean removes it)", why)});
    }
  }
  for (const auto& e : report.errors)
    out.push_back(
        Finding{FindingKind::Unreadable, e.path, fmt::format("could not be read: {}", std::strerror(e.error))});
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    if (a.kind != b.kind) return a.kind < b.kind;
    return a.path < b.path;
  });
  return out;
}

}  // namespace pycache::status
