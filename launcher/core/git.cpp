#include "pycache/git.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "pycache/paths.hpp"
#include "pycache/subprocess.hpp"
#include "pycache/text.hpp"

namespace pycache::git {
namespace {

// git's message, first line, without its "fatal: " lead.
std::string git_error(const ProcessOutput& o) {
  std::string_view e = o.err;
  e = e.substr(0, e.find('\n'));
  if (e.starts_with("fatal: ")) e.remove_prefix(7);
  if (e.empty()) return fmt::format("git exited with status {}", o.exit_code);
  return "git: " + printable(e);
}

std::vector<std::string_view> split_nul(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    auto end = s.find('\0');
    out.push_back(s.substr(0, end));
    if (end == std::string_view::npos) break;
    s.remove_prefix(end + 1);
  }
  return out;
}

std::string relative_to(const fs::path& p, const fs::path& dir) {
  const std::string& s = p.native();
  const std::string& d = dir.native();
  if (is_below(s, d)) return s.substr(d.size() + (d.back() == '/' ? 0 : 1));
  return s;
}

class GitProgram final : public Git {
 public:
  Result<std::vector<fs::path>> tracked_bytecode(const fs::path& dir) override {
    // All of the index under `dir`, filtered here: a pathspec would depend on
    // GIT_*_PATHSPECS settings, and the listing is cheap next to the walk.
    auto o = run_program({"git", "ls-files", "-z"}, dir);
    if (!o) return o.error();
    if (o->exit_code != 0) return Error{git_error(*o), kExitFailure};
    std::vector<fs::path> out;
    for (auto rel : split_nul(o->out))
      if (is_bytecode_path(rel)) out.push_back(dir / std::string(rel));
    std::sort(out.begin(), out.end());
    return out;
  }

  Result<std::vector<bool>> ignored(const fs::path& dir, const std::vector<fs::path>& paths) override {
    std::vector<bool> out(paths.size(), false);
    if (paths.empty()) return out;
    std::string input;
    std::vector<std::string> rels;
    rels.reserve(paths.size());
    for (const auto& p : paths) {
      rels.push_back(relative_to(p, dir));
      input += rels.back();
      input += '\0';
    }
    auto o = run_program({"git", "check-ignore", "--no-index", "--stdin", "-z"}, dir, input);
    if (!o) return o.error();
    // 0: some paths are ignored, 1: none is.
    if (o->exit_code != 0 && o->exit_code != 1) return Error{git_error(*o), kExitFailure};
    std::unordered_set<std::string_view> hit;
    for (auto rel : split_nul(o->out)) hit.insert(rel);
    for (std::size_t i = 0; i < rels.size(); ++i) out[i] = hit.count(rels[i]) > 0;
    return out;
  }

  Result<std::vector<fs::path>> ignored_directories(const fs::path& dir) override {
    auto o = run_program({"git", "ls-files", "--others", "--ignored", "--exclude-standard", "--directory", "-z"}, dir);
    if (!o) return o.error();
    if (o->exit_code != 0) return Error{git_error(*o), kExitFailure};
    std::vector<fs::path> out;
    for (auto rel : split_nul(o->out)) {
      if (!rel.ends_with('/')) continue;  // an ignored file
      rel.remove_suffix(1);
      if (rel.empty() || rel == ".") continue;
      out.push_back((dir / std::string(rel)).lexically_normal());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
};

}  // namespace

std::optional<fs::path> find_work_tree(FileSystem& fs, const fs::path& dir) {
  for (fs::path d = dir; !d.empty(); d = d.parent_path()) {
    FileStat st;
    if (fs.lstat(d / ".git", st) == 0 && (st.type == FileType::Directory || st.type == FileType::Regular)) return d;
    if (d == d.parent_path()) break;
  }
  return std::nullopt;
}

bool is_bytecode_path(std::string_view path) {
  std::string_view name = path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1);
  if (name.size() > 4 && (name.ends_with(".pyc") || name.ends_with(".pyo"))) return true;
  // Any component named __pycache__ (but the last: that is the directory itself).
  std::size_t at = 0;
  while ((at = path.find("__pycache__", at)) != std::string_view::npos) {
    bool starts = at == 0 || path[at - 1] == '/';
    bool ends = at + 11 < path.size() && path[at + 11] == '/';
    if (starts && ends) return true;
    at += 11;
  }
  return false;
}

std::unique_ptr<Git> git_program() { return std::make_unique<GitProgram>(); }

}  // namespace pycache::git
