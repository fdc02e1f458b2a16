#include "pycache/status.hpp"
#include "pycache/units.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "pycache/paths.hpp"
#include "pycache/policy_report.hpp"
#include "pycache/text.hpp"

namespace pycache::status {
namespace {

// A source as the visitor of its directory saw it.
struct SourceStat {
  std::string name;  // "m.py"
  std::int64_t mtime_ns = 0;
  std::uint64_t size = 0;
  bool symlink = false;
};
using SourceList = std::vector<SourceStat>;  // one directory's sources, sorted by name

const SourceStat* find_source(const SourceList& list, std::string_view name) {
  auto it = std::lower_bound(list.begin(), list.end(), name,
                             [](const SourceStat& s, std::string_view n) { return s.name < n; });
  return it != list.end() && it->name == name ? &*it : nullptr;
}

// What a probed file is to the visitor.
struct Want {
  enum What { Source, Cached, Temp, Legacy, Other } what = Other;
  pyc::CacheName name;  // Cached, Temp
};

// A root's counts as one walker thread saw them (merged after the walks).
struct RootTally {
  std::uint64_t sources = 0, compiled = 0, pytest_only = 0;
  std::array<std::uint64_t, kStateCount> expected_states{};
  std::uint64_t temp_files = 0, temp_bytes = 0;
  std::vector<Notable> sourceless, invalid, bytecode_dirs, legacy, not_regular;
  std::vector<fs::path> in_tree;  // in-tree bytecode, only kept for git's questions
};

struct Tally {                          // one per walker thread: no locking in the visitors
  std::vector<FileProbe> probes, pool;  // this directory's batch; buffers kept between directories
  std::vector<Want> wants;
  std::map<std::pair<std::size_t, GroupKey>, Group> groups;
  std::vector<RootTally> roots;
  std::uint64_t prefix_files = 0, prefix_bytes = 0;
  std::vector<std::pair<std::string, SourceList>> dir_sources;  // kept when a prefix needs them
  std::vector<std::string> expected_modules, pytest_modules;    // one directory's, for the pytest-only count
  // Appends a probe for `name` (reusing a buffer) and what it is for.
  void want(const std::string& name, Want w, std::size_t head) {
    if (probes.size() == pool.size()) pool.emplace_back();
    FileProbe& f = pool[probes.size()];
    f.name = name;
    f.head = head;
    probes.push_back(std::move(f));
    wants.push_back(std::move(w));
  }
  void recycle() {
    for (std::size_t i = 0; i < probes.size(); ++i) pool[i] = std::move(probes[i]);
    probes.clear();
    wants.clear();
  }
};

// A module name `import` can spell: the FileFinder only ever looks for
// NAME.pyc with NAME an identifier (non-ASCII letters allowed).
bool importable_name(std::string_view stem) {
  if (stem.empty() || (stem[0] >= '0' && stem[0] <= '9')) return false;
  return std::all_of(stem.begin(), stem.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || u == '_' || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9');
  });
}

// Natural order for tags: cpython-38 < cpython-39 < cpython-310.
bool tag_less(const std::string& a, const std::string& b) {
  auto split = [](const std::string& s) {
    std::size_t i = s.size();
    while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9') --i;
    return std::pair<std::string_view, std::string_view>{std::string_view(s).substr(0, i),
                                                         std::string_view(s).substr(i)};
  };
  auto [ha, da] = split(a);
  auto [hb, db] = split(b);
  if (ha != hb) return ha < hb;
  if (da.size() != db.size()) return da.size() < db.size();
  return da < db;
}

}  // namespace

std::string_view to_string(Location l) {
  switch (l) {
    case Location::PycacheDir: return "__pycache__";
    case Location::Legacy: return "legacy";
    case Location::Prefix: return "prefix";
  }
  return "";
}

std::string_view to_string(State s) {
  switch (s) {
    case State::Fresh: return "fresh";
    case State::Stale: return "stale";
    case State::Unverified: return "unverified";
    case State::Orphaned: return "orphaned";
    case State::Sourceless: return "sourceless";
    case State::Invalid: return "invalid";
  }
  return "";
}

std::optional<std::uint64_t> prefix_max_size(const Policy& policy) {
  const std::int64_t n = policy.prefix_max_size();
  if (n > 0) return static_cast<std::uint64_t>(n);
  return std::nullopt;
}

namespace {

// An entry named as a pyc `import` would open that is no regular file: what
// it is, or nullopt (a regular file; a directory, which import skips). Only
// the listing's type is used: the entry is never opened or followed.
std::optional<std::string> not_regular_pyc(const WalkEntry& e) {
  if (e.type == FileType::Symlink) return "a symbolic link: import reads whatever it points to, and may hang";
  if (e.type == FileType::Other) return "a FIFO, socket or device: import blocks on it or never ends reading it";
  return std::nullopt;
}

// Everything the visitors share, read-only during the walks.
struct Context {
  FileSystem& fs;
  const Options& options;
  std::vector<std::string> prefixes;        // per target ("" for none), without a trailing /
  std::vector<Location> expected_location;  // per target
  std::vector<int> expected_optimize;       // per target
  std::vector<bool> git_wanted;             // per target: keep in-tree paths for git
};

// Classifies one pyc (its probe read the header) and counts it.
void tally_pyc(const Context& c, Tally& t, std::size_t root, Location location, const pyc::CacheName* name,
               bool importable, const FileProbe& f, const std::string& path, const std::string& source_path,
               const SourceStat* walked) {
  std::optional<pyc::Header> header;
  std::string why;
  if (f.error) {
    why = fmt::format("could not read: {}", std::strerror(f.error));
  } else if (auto h = pyc::parse_header(f.data)) {
    header = *h;
  } else {
    why = h.error().message;
  }
  const std::string_view tag = name ? std::string_view(name->tag) : std::string_view();
  State state = State::Invalid;
  if (header) {
    state = State::Fresh;
    if (auto want = pyc::version_of_cache_tag(tag); !want.empty()) {
      auto have = pyc::python_version_for_magic(header->magic);
      if (have != want) {
        state = State::Invalid;
        why = fmt::format("magic number {} ({}) in a {} pyc", header->magic,
                          have ? "Python " + *have : std::string("unknown"), tag);
      }
    }
  }
  if (state != State::Invalid) {
    const SourceStat* src = walked;
    SourceStat fallback;
    if (!src) {
      // Not walked (excluded, or outside the roots): ask the filesystem.
      FileStat st;
      if (c.fs.lstat(source_path, st) == 0 && (st.type == FileType::Regular || st.type == FileType::Symlink)) {
        fallback = SourceStat{{}, st.mtime_ns, st.size, st.type == FileType::Symlink};
        src = &fallback;
      }
    }
    const pyc::Header& h = *header;
    if (!src) {
      state = location == Location::Legacy && importable ? State::Sourceless : State::Orphaned;
    } else if (h.mode != pyc::Invalidation::Timestamp || src->symlink) {
      state = State::Unverified;
    } else {
      bool same =
          h.source_mtime == pyc::header_mtime(src->mtime_ns) &&
          (!pyc::header_has_size(h.magic) || h.source_size == static_cast<std::uint32_t>(src->size & 0xffffffffu));
      state = same ? State::Fresh : State::Stale;
    }
  }

  GroupKey key{location, std::string(tag), name ? name->optimize : 0, name && name->kind == pyc::CacheKind::PytestPyc};
  if (location == Location::Legacy) {
    key.tag = header ? pyc::cache_tag_of_magic(header->magic) : "unknown";
    key.optimize = path.ends_with(".pyo") ? 1 : 0;
  }
  Group& g = t.groups[{root, key}];
  if (g.files == 0) g.key = key;
  ++g.files;
  g.bytes += f.stat.size;
  ++g.states[static_cast<std::size_t>(state)];
  if (header) ++g.modes[static_cast<std::size_t>(header->mode)];

  RootTally& r = t.roots[root];
  if (state == State::Sourceless) {
    auto v = pyc::python_version_for_magic(header->magic);
    r.sourceless.push_back(Notable{path, v ? "Python " + *v : fmt::format("magic {}", header->magic)});
  }
  if (state == State::Invalid) r.invalid.push_back(Notable{path, why});
  if (location == Location::Legacy) r.legacy.push_back(Notable{path, std::string(to_string(state))});
  // Is it where the policy has this source's pyc? Each source has one such
  // path, so counting these pycs counts the compiled sources.
  if (!key.pytest && walked && location == c.expected_location[root] && tag == c.options.current_tag &&
      key.optimize == c.expected_optimize[root]) {
    ++r.compiled;
    ++r.expected_states[static_cast<std::size_t>(state)];
  }
  if (location != Location::Prefix && c.git_wanted[root]) r.in_tree.push_back(path);
}

// Notes the pyc `name` of a source the walk saw, where the policy looks, for
// count_pytest_only: the policy's own pyc, or pytest's of the current tag.
void note_module(const Context& c, Tally& t, std::size_t root, Location location, const pyc::CacheName& name) {
  if (location != c.expected_location[root] || name.tag != c.options.current_tag) return;
  if (name.kind == pyc::CacheKind::PytestPyc) t.pytest_modules.push_back(name.module);
  else if (name.optimize == c.expected_optimize[root]) t.expected_modules.push_back(name.module);
}

// The directory's sources whose only pyc where the policy looks is pytest's.
void count_pytest_only(Tally& t, RootTally& r) {
  std::sort(t.expected_modules.begin(), t.expected_modules.end());
  std::sort(t.pytest_modules.begin(), t.pytest_modules.end());
  auto end = std::unique(t.pytest_modules.begin(), t.pytest_modules.end());
  for (auto it = t.pytest_modules.begin(); it != end; ++it)
    if (!std::binary_search(t.expected_modules.begin(), t.expected_modules.end(), *it)) ++r.pytest_only;
  t.expected_modules.clear();
  t.pytest_modules.clear();
}

// Walks the roots, then the prefixes mirroring them, and makes the report:
// one method per kind of directory and per phase. The walks' visitors run
// on the walker's threads, each counting into its own Tally.
class Collector {
 public:
  Collector(FileSystem& fs, const Options& options, git::Git* git)
      : fs_(fs),
        options_(options),
        git_(git),
        n_(options.targets.size()),
        c_{fs, options, {}, {}, {}, {}},
        walker_(fs, options.walk),
        tallies_(walker_.thread_count()) {
    for (auto& t : tallies_) t.roots.resize(n_);
  }

  Report run() {
    report_.current_tag = options_.current_tag;
    plan_targets();
    walker_.walk(
        roots_, [&](WalkDir& d) { visit(d); }, [&](const fs::path& p, int e) { walk_error(p, e); });
    index_sources();
    walk_prefixes();
    merge_tallies();
    for (std::size_t i = 0; i < n_ && git_; ++i)
      if (c_.git_wanted[i]) ask_git(i);
    std::sort(report_.errors.begin(), report_.errors.end(),
              [](const WalkError& a, const WalkError& b) { return a.path < b.path; });
    report_.findings = check(report_, options_.strict);
    return std::move(report_);
  }

 private:
  // The walk roots, and what each target's policy expects.
  void plan_targets() {
    for (const auto& t : options_.targets) {
      roots_.push_back(WalkRoot{t.root, {}, t.skip});
      std::string p = t.policy.policy.cache_prefix();
      while (p.size() > 1 && p.back() == '/') p.pop_back();
      any_prefix_ |= !p.empty();
      c_.expected_location.push_back(p.empty() ? Location::PycacheDir : Location::Prefix);
      c_.expected_optimize.push_back(t.policy.policy.optimize());
      c_.prefixes.push_back(std::move(p));
      c_.git_wanted.push_back(git_ != nullptr && git::find_work_tree(fs_, t.root).has_value());
    }
  }

  void walk_error(const fs::path& p, int e) {
    std::lock_guard lock(error_mu_);
    report_.errors.push_back(WalkError{p, e});
  }

  // A probe whose stat failed: reported unless the file vanished. True when so.
  bool probe_failed(const WalkDir& d, const FileProbe& f) {
    if (!f.error || f.stat.type != FileType::Unknown) return false;
    if (f.error != ENOENT) walk_error(d.path / f.name, f.error);
    return true;
  }

  void visit(WalkDir& d) {
    if (d.path.native().ends_with("/__pycache__")) visit_cache_dir(d, tallies_[d.worker]);
    else visit_source_dir(d, tallies_[d.worker]);
  }

  // The sources of the directory holding `dir`, left by its visit (always
  // before its __pycache__'s: the walker queues children then).
  SourceList take_pending(const std::string& parent) {
    std::lock_guard lock(pending_mu_);
    SourceList sources;
    if (auto it = pending_.find(parent); it != pending_.end()) {
      sources = std::move(it->second);
      pending_.erase(it);
    }
    return sources;
  }

  // DIR/__pycache__: its pycs, against the sources of DIR.
  void visit_cache_dir(WalkDir& d, Tally& t) {
    const std::size_t root = d.root_index;
    const std::string& dir = d.path.native();
    const std::string parent = dir.substr(0, dir.size() - 12);
    const SourceList sources = take_pending(parent);
    for (const auto& e : d.entries) {
      auto name = pyc::parse_cache_name(e.name);
      if (!name) continue;
      const bool temp = name->kind == pyc::CacheKind::TempFile;
      if (e.type != FileType::Regular) {
        note_not_regular(t, d, e, !temp);
        continue;
      }
      t.want(e.name, Want{temp ? Want::Temp : Want::Cached, std::move(*name)}, temp ? 0 : pyc::kHeaderSize);
    }
    if (t.probes.empty()) return;
    probe_files(*d.dir, t.probes);
    std::uint64_t files = 0;
    RootTally& r = t.roots[root];
    for (std::size_t i = 0; i < t.probes.size(); ++i) {
      const FileProbe& f = t.probes[i];
      const Want& w = t.wants[i];
      if (probe_failed(d, f) || replaced(t, d, f, w.what == Want::Cached)) continue;
      ++files;
      std::string path = child_path(dir, f.name);
      if (w.what == Want::Temp) {
        ++r.temp_files;
        r.temp_bytes += f.stat.size;
        if (c_.git_wanted[root]) r.in_tree.push_back(std::move(path));
        continue;
      }
      std::string source = w.name.module + ".py";
      const SourceStat* walked = find_source(sources, source);
      tally_pyc(c_, t, root, Location::PycacheDir, &w.name, false, f, path, child_path(parent, source), walked);
      if (walked) note_module(c_, t, root, Location::PycacheDir, w.name);
    }
    count_pytest_only(t, r);
    if (files > 0) r.bytecode_dirs.push_back(Notable{dir, plural(files, "file", "files")});
    t.recycle();
  }

  // `e`, named as a pyc, is no regular file: noted when import would open it.
  static void note_not_regular(Tally& t, const WalkDir& d, const WalkEntry& e, bool imported,
                               std::optional<std::size_t> root = std::nullopt) {
    auto what = imported ? not_regular_pyc(e) : std::nullopt;
    if (what) t.roots[root.value_or(d.root_index)].not_regular.push_back(Notable{d.path / e.name, std::move(*what)});
  }

  // A pyc listed as a regular file that its probe found replaced by
  // something else meanwhile (the probe opens without blocking or
  // following): noted as the listing would have. True when so.
  static bool replaced(Tally& t, const WalkDir& d, const FileProbe& f, bool imported,
                       std::optional<std::size_t> root = std::nullopt) {
    if (f.stat.type == FileType::Regular) return false;
    note_not_regular(t, d, WalkEntry{f.name, f.stat.type}, imported, root);
    return true;
  }

  // A directory of the tree: its sources and legacy pycs.
  void visit_source_dir(WalkDir& d, Tally& t) {
    const std::string& dir = d.path.native();
    // Paths are built as base + "/" + name ("/" itself is the empty base),
    // and a __pycache__ visit finds its parent's sources under that key.
    const std::string base = dir == "/" ? std::string() : dir;
    const bool has_pycache = leave_prefixes(d);
    bool has_legacy = false;
    for (const auto& e : d.entries) {
      const std::string& name = e.name;
      if (name.size() > 3 && name.ends_with(".py") && (e.type == FileType::Regular || e.type == FileType::Symlink)) {
        t.want(name, Want{Want::Source, {}}, 0);
      } else if (pyc::is_legacy_name(name)) {
        if (e.type != FileType::Regular) {
          note_not_regular(t, d, e, name.ends_with(".pyc"));
          continue;
        }
        t.want(name, Want{Want::Legacy, {}}, pyc::kHeaderSize);
        has_legacy = true;
      }
    }
    if (t.probes.empty()) return;
    probe_files(*d.dir, t.probes);
    SourceList sources = probed_sources(d, t);
    t.roots[d.root_index].sources += sources.size();
    if (has_legacy) tally_legacy(d, t, base, sources);
    t.recycle();
    if (!c_.prefixes[d.root_index].empty()) t.dir_sources.emplace_back(dir, sources);
    if (has_pycache) {
      std::lock_guard lock(pending_mu_);
      pending_[base] = std::move(sources);
    }
  }

  // A prefix inside the tree is the prefix walk's: its mirror files would
  // look like legacy pycs. Returns whether a __pycache__ is still walked.
  bool leave_prefixes(WalkDir& d) const {
    const std::string& dir = d.path.native();
    bool has_pycache = false;
    for (auto& e : d.entries) {
      if (!e.descend) continue;
      for (const auto& p : c_.prefixes)
        if (!p.empty() && p.size() == dir.size() + 1 + e.name.size() && p.compare(0, dir.size(), dir) == 0 &&
            p.compare(dir.size() + 1, std::string::npos, e.name) == 0)
          e.descend = false;
      has_pycache |= e.descend && e.name == "__pycache__";
    }
    return has_pycache;
  }

  // The sources among this directory's probes, sorted by name.
  SourceList probed_sources(const WalkDir& d, const Tally& t) {
    SourceList sources;
    for (std::size_t i = 0; i < t.probes.size(); ++i) {
      const FileProbe& f = t.probes[i];
      if (t.wants[i].what != Want::Source || probe_failed(d, f)) continue;
      sources.push_back(SourceStat{f.name, f.stat.mtime_ns, f.stat.size, f.stat.type == FileType::Symlink});
    }
    std::sort(sources.begin(), sources.end(), [](const SourceStat& a, const SourceStat& b) { return a.name < b.name; });
    return sources;
  }

  // The legacy pycs among this directory's probes.
  void tally_legacy(const WalkDir& d, Tally& t, const std::string& base, const SourceList& sources) {
    std::unordered_set<std::string_view> names;
    for (const auto& e : d.entries) names.insert(e.name);
    for (std::size_t i = 0; i < t.probes.size(); ++i) {
      const FileProbe& f = t.probes[i];
      if (t.wants[i].what != Want::Legacy || probe_failed(d, f) || replaced(t, d, f, f.name.ends_with(".pyc")))
        continue;
      const std::string& name = f.name;
      const std::string stem = name.substr(0, name.size() - 4);
      const bool importable = legacy_importable(d, names, name, stem);
      std::string source = stem + ".py";
      tally_pyc(c_, t, d.root_index, Location::Legacy, nullptr, importable, f, child_path(base, name),
                child_path(base, source), find_source(sources, source));
    }
  }

  // Whether `import STEM` loads the legacy pyc `name`. FileFinder: a package
  // NAME/ and an extension NAME*.so come before NAME.pyc; .pyo files are not
  // loaded at all since Python 3.5.
  bool legacy_importable(const WalkDir& d, const std::unordered_set<std::string_view>& names, const std::string& name,
                         const std::string& stem) {
    bool importable = name.ends_with(".pyc") && importable_name(stem);
    if (importable && names.count(stem)) {
      FileStat pkg;
      for (const char* init : {"__init__.py", "__init__.pyc"})
        if (fs_.lstat(d.path / stem / init, pkg) == 0) importable = false;
    }
    if (importable)
      for (auto other : names)
        if (other.size() > stem.size() + 3 && other.starts_with(stem) && other[stem.size()] == '.' &&
            other.ends_with(".so"))
          importable = false;
    return importable;
  }

  // The sources of every walked directory, for the prefix mirror's pycs.
  void index_sources() {
    if (!any_prefix_) return;
    for (const auto& t : tallies_)
      for (const auto& [dir, list] : t.dir_sources) by_dir_.emplace(dir, &list);
  }

  // The prefixes: everything counted for the size, pycs mirroring a root classified.
  void walk_prefixes() {
    for (std::size_t i = 0; i < n_; ++i) {
      const std::string& p = c_.prefixes[i];
      if (p.empty() || usage_.count(p)) continue;
      usage_.emplace(p, walk_prefix(p));
    }
  }

  PrefixUsage walk_prefix(const std::string& p) {
    PrefixUsage u;
    u.path = p;
    FileStat st;
    u.exists = fs_.lstat(p, st) == 0 && st.type == FileType::Directory;
    if (!u.exists) return u;
    for (auto& t : tallies_) t.prefix_files = t.prefix_bytes = 0;
    const std::vector<fs::path> prefix_root = {p};
    // Excludes are for the tree: the prefix is counted whole.
    Walker prefix_walker(fs_, WalkOptions{{}, options_.walk.one_file_system, walker_.thread_count()});
    prefix_walker.walk(
        prefix_root, [&](WalkDir& d) { visit_prefix_dir(d, tallies_[d.worker], p); },
        [&](const fs::path& path, int e) { walk_error(path, e); });
    for (const auto& t : tallies_) {
      u.files += t.prefix_files;
      u.bytes += t.prefix_bytes;
    }
    return u;
  }

  // PREFIX/abs/dir: every file counted; pycs of NAME.py classified when
  // /abs/dir is in a root whose prefix this is.
  void visit_prefix_dir(WalkDir& d, Tally& t, const std::string& p) {
    const std::string& dir = d.path.native();
    const std::string mirrored = dir.size() > p.size() ? dir.substr(p.size()) : std::string("/");
    std::optional<std::size_t> owner;
    for (std::size_t k = 0; k < n_ && !owner; ++k)
      if (c_.prefixes[k] == p && is_within(mirrored, roots_[k].path.native())) owner = k;
    for (const auto& e : d.entries) {
      std::optional<pyc::CacheName> name;
      if (owner) name = pyc::parse_cache_name(e.name);
      if (e.type != FileType::Regular) {
        if (name) note_not_regular(t, d, e, name->kind != pyc::CacheKind::TempFile, owner);
        continue;
      }
      Want w{Want::Other, {}};
      std::size_t head = 0;
      if (name) {
        w.what = name->kind == pyc::CacheKind::TempFile ? Want::Temp : Want::Cached;
        head = w.what == Want::Cached ? pyc::kHeaderSize : 0;
        w.name = std::move(*name);
      }
      t.want(e.name, std::move(w), head);
    }
    if (t.probes.empty()) return;
    probe_files(*d.dir, t.probes);
    const SourceList* sources = nullptr;
    if (owner)
      if (auto it = by_dir_.find(mirrored); it != by_dir_.end()) sources = it->second;
    for (std::size_t k = 0; k < t.probes.size(); ++k) {
      const FileProbe& f = t.probes[k];
      const Want& w = t.wants[k];
      if (probe_failed(d, f) || replaced(t, d, f, w.what == Want::Cached, owner)) continue;
      ++t.prefix_files;
      t.prefix_bytes += f.stat.size;
      if (w.what == Want::Other) continue;
      RootTally& r = t.roots[*owner];
      if (w.what == Want::Temp) {
        ++r.temp_files;
        r.temp_bytes += f.stat.size;
        continue;
      }
      std::string source = w.name.module + ".py";
      const SourceStat* walked = sources ? find_source(*sources, source) : nullptr;
      tally_pyc(c_, t, *owner, Location::Prefix, &w.name, false, f, child_path(dir, f.name),
                child_path(mirrored, source), walked);
      if (walked) note_module(c_, t, *owner, Location::Prefix, w.name);
    }
    if (owner) count_pytest_only(t, t.roots[*owner]);
    t.recycle();
  }

  // The threads' tallies, merged into the report's roots.
  void merge_tallies() {
    report_.roots.resize(n_);
    groups_.resize(n_);
    in_tree_.resize(n_);
    for (std::size_t i = 0; i < n_; ++i) start_root(i);
    for (auto& t : tallies_) {
      for (auto& [key, g] : t.groups) merge_group(groups_[key.first][key.second], g);
      for (std::size_t i = 0; i < n_; ++i) merge_root(i, t.roots[i]);
    }
    for (std::size_t i = 0; i < n_; ++i) finish_root(i);
  }

  void start_root(std::size_t i) {
    RootStatus& r = report_.roots[i];
    r.target = options_.targets[i];
    r.expected.location = c_.expected_location[i];
    r.expected.tag = options_.current_tag;
    r.expected.optimize = c_.expected_optimize[i];
    if (!c_.prefixes[i].empty()) {
      r.prefix = usage_[c_.prefixes[i]];
      r.prefix->max_size = options_.targets[i].prefix_max_size;
    }
  }

  static void merge_group(Group& m, const Group& g) {
    m.key = g.key;
    m.files += g.files;
    m.bytes += g.bytes;
    for (std::size_t s = 0; s < kStateCount; ++s) m.states[s] += g.states[s];
    for (std::size_t k = 0; k < kModeCount; ++k) m.modes[k] += g.modes[k];
  }

  void merge_root(std::size_t i, RootTally& from) {
    RootStatus& r = report_.roots[i];
    r.expected.sources += from.sources;
    r.expected.compiled += from.compiled;
    r.expected.pytest_only += from.pytest_only;
    for (std::size_t s = 0; s < kStateCount; ++s) r.expected.states[s] += from.expected_states[s];
    r.temp_files += from.temp_files;
    r.temp_bytes += from.temp_bytes;
    auto append = [](auto& to, auto& more) {
      to.insert(to.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
    };
    append(r.sourceless, from.sourceless);
    append(r.invalid, from.invalid);
    append(r.bytecode_dirs, from.bytecode_dirs);
    append(r.legacy, from.legacy);
    append(r.not_regular, from.not_regular);
    append(in_tree_[i], from.in_tree);
  }

  // Groups sorted: location, the current tag first, then newest tag first,
  // plain before pytest's, by optimize level; notables by path.
  void finish_root(std::size_t i) {
    RootStatus& r = report_.roots[i];
    for (auto& [k, g] : groups_[i]) r.groups.push_back(g);
    const std::string& current = options_.current_tag;
    std::sort(r.groups.begin(), r.groups.end(), [&](const Group& a, const Group& b) {
      if (a.key.location != b.key.location) return a.key.location < b.key.location;
      bool ca = a.key.tag == current, cb = b.key.tag == current;
      if (ca != cb) return ca;
      if (a.key.tag != b.key.tag) return tag_less(b.key.tag, a.key.tag);  // newest first
      if (a.key.pytest != b.key.pytest) return b.key.pytest;
      return a.key.optimize < b.key.optimize;
    });
    auto by_path = [](const Notable& a, const Notable& b) { return a.path < b.path; };
    for (auto* v : {&r.sourceless, &r.invalid, &r.bytecode_dirs, &r.legacy, &r.not_regular})
      std::sort(v->begin(), v->end(), by_path);
  }

  void ask_git(std::size_t i) {
    RootStatus& r = report_.roots[i];
    r.git = status::ask_git(*git_, *git::find_work_tree(fs_, r.target.root), r, std::move(in_tree_[i]),
                            options_.current_tag);
  }

  FileSystem& fs_;
  const Options& options_;
  git::Git* git_;
  const std::size_t n_;
  Context c_;
  Report report_;
  std::vector<WalkRoot> roots_;
  bool any_prefix_ = false;
  Walker walker_;
  std::vector<Tally> tallies_;
  std::mutex error_mu_;
  std::mutex pending_mu_;
  std::unordered_map<std::string, SourceList> pending_;             // a directory's sources, for its __pycache__
  std::unordered_map<std::string_view, const SourceList*> by_dir_;  // every walked directory's sources
  std::map<std::string, PrefixUsage> usage_;
  std::vector<std::map<GroupKey, Group>> groups_;  // per root
  std::vector<std::vector<fs::path>> in_tree_;     // per root, for git
};

}  // namespace

Report collect(FileSystem& fs, const Options& options, git::Git* git) { return Collector(fs, options, git).run(); }

}  // namespace pycache::status
