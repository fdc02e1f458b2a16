#include "pycache/clean.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "pycache/paths.hpp"
#include "pycache/prefix_upkeep.hpp"
#include "pycache/pyc.hpp"
#include "pycache/remove.hpp"
#include "pycache/text.hpp"

namespace pycache::clean {
namespace {

constexpr std::string_view kReasonNames[kReasonCount] = {
    "bytecode",   "pytest", "temp",    "legacy", "orphaned",  "other-version",
    "sourceless", "unused", "evicted", "debris", "empty-dir",
};

struct DebrisName {
  std::string_view name;
  unsigned kind;
};
constexpr DebrisName kDebrisNames[] = {
    {"pytest", kDebrisPytest},         {"mypy", kDebrisMypy},         {"ruff", kDebrisRuff},
    {"hypothesis", kDebrisHypothesis}, {"coverage", kDebrisCoverage}, {"tox", kDebrisTox},
};

enum class RootKind { Tree, Mirror, Prefix };

struct RootInfo {
  RootKind kind = RootKind::Tree;
  fs::path prefix;        // Mirror, Prefix: the prefix the root lies in
  std::size_t group = 0;  // Prefix: index in Options::prefixes (eviction budget)
};

// What a mirror or prefix directory's visit leaves for its leave(): the
// flags below, and the number of subdirectories walked into above them.
enum : std::uint64_t {
  kBlocked = 1,  // holds something that stays
  kTouched = 2,  // clean removed something in it
  kRoot = 4,     // a prefix root: never removed itself
  kGone = 8,     // tree clean: the visit removed the directory itself (__pycache__)
  kStateBits = 8,
};

// --max-size: a pyc the other selections keep, found by the survey walk.
// Only the name and its directory's index: a prefix may hold millions.
struct Survivor {
  std::string name;
  std::uint64_t size = 0;
  std::int64_t last_used = 0;
  std::size_t group = 0;
  std::size_t worker = 0, dir = 0;  // its directory: workers[worker]->survivor_dirs[dir]
};

struct alignas(64) WorkerState {
  std::atomic<std::uint64_t> files{0}, dirs{0}, bytes{0};
  std::array<std::uint64_t, kReasonCount> by_reason{};
  std::vector<Removal> removed;
  std::vector<Survivor> survivors;         // survey walk only
  std::vector<std::string> survivor_dirs;  // survey walk only: the survivors' directories
  std::uint64_t kept_bytecode = 0;
  std::uint64_t bytes_left = 0;  // bytecode still in the prefixes (--max-size)
  // Reused buffers.
  std::vector<FileRemoval> batch;
  std::vector<Reason> reasons;
};

}  // namespace

std::string_view to_string(Reason reason) { return kReasonNames[static_cast<std::size_t>(reason)]; }

Result<unsigned> parse_debris(std::string_view kinds) {
  if (kinds.empty()) return kDebrisDefault;
  unsigned bits = 0;
  while (true) {
    auto comma = kinds.find(',');
    std::string_view name = kinds.substr(0, comma);
    const DebrisName* found = nullptr;
    for (const auto& d : kDebrisNames)
      if (d.name == name) found = &d;
    if (name == "default" || name == "all") {
      bits |= name == "all" ? kDebrisDefault | kDebrisTox : kDebrisDefault;
    } else if (!found) {
      std::vector<std::string_view> names;
      for (const auto& d : kDebrisNames) names.push_back(d.name);
      std::string msg = fmt::format(
          "unknown debris kind '{}' (expected pytest, mypy, ruff, hypothesis, coverage, tox, "
          "default or all)",
          printable(name));
      return Error{msg + did_you_mean(closest_match(name, names)), kExitUsage};
    } else {
      bits |= found->kind;
    }
    if (comma == std::string_view::npos) break;
    kinds.remove_prefix(comma + 1);
  }
  return bits;
}

unsigned debris_kind(std::string_view name, bool directory) {
  if (name.size() < 2 || name[0] != '.') return 0;
  if (directory) {
    if (name == ".pytest_cache") return kDebrisPytest;
    if (name == ".mypy_cache") return kDebrisMypy;
    if (name == ".ruff_cache") return kDebrisRuff;
    if (name == ".hypothesis") return kDebrisHypothesis;
    if (name == ".tox") return kDebrisTox;
    return 0;
  }
  // .coverage and coverage.py's parallel data files .coverage.HOST.PID.RAND;
  // never .coveragerc.
  if (name == ".coverage" || (name.starts_with(".coverage.") && name.size() > 10)) return kDebrisCoverage;
  return 0;
}

fs::path mirror_of(const fs::path& path, const fs::path& prefix) {
  const std::string& p = path.native();
  std::size_t strip = p.find_first_not_of('/');
  return strip == std::string::npos ? prefix : prefix / p.substr(strip);
}

struct Cleaner::Impl {
  FileSystem& fs;
  Options o;
  Events events;
  const bool dry;
  const bool want_removals;
  std::vector<WalkRoot> roots;
  std::vector<RootInfo> infos;
  std::unordered_set<std::string> prefix_dirs;  // tree walks leave these to the mirror walks
  std::vector<std::unique_ptr<WorkerState>> workers;
  std::mutex mu;  // problems, kept, events
  std::vector<Problem> problems;
  std::vector<Kept> kept;
  Walker walker;  // before the run, so that progress() can read it any time
  // --max-size: a first, read-only walk finds what the selections keep;
  // the real one then evicts up to each prefix's cutoff.
  bool surveying = false;
  std::vector<std::optional<Cutoff>> cutoffs;  // per prefix

  Impl(FileSystem& f, Options opts, Events ev)
      : fs(f),
        o(std::move(opts)),
        events(std::move(ev)),
        dry(o.dry_run == DryRun::Yes),
        want_removals(o.listing == Listing::Yes || static_cast<bool>(events.removed)),
        walker(fs, o.walk) {
    for (unsigned i = 0; i < walker.thread_count(); ++i) workers.push_back(std::make_unique<WorkerState>());
  }

  // --- reporting -----------------------------------------------------------

  void problem(fs::path path, std::string action, int error) {
    if (surveying) return;  // the real walk meets it again and reports it
    std::lock_guard lock(mu);
    problems.push_back(Problem{std::move(path), std::move(action), error});
    if (events.problem) events.problem(problems.back());
  }

  void keep(const fs::path& dir, std::uint64_t others, bool mount_point = false) {
    if (surveying) return;
    std::lock_guard lock(mu);
    kept.push_back(Kept{dir, others, mount_point});
    if (events.kept) events.kept(kept.back());
  }

  void count(WorkerState& ws, Reason reason, bool directory, std::uint64_t bytes, std::uint64_t n = 1) {
    if (directory) ws.dirs.fetch_add(n, std::memory_order_relaxed);
    else ws.files.fetch_add(n, std::memory_order_relaxed);
    ws.bytes.fetch_add(bytes, std::memory_order_relaxed);
    ws.by_reason[static_cast<std::size_t>(reason)] += n;
  }

  void removed(WorkerState& ws, const fs::path& path, Reason reason, bool directory, std::uint64_t bytes) {
    if (!want_removals) return;
    Removal r{path, reason, directory, bytes};
    if (events.removed) events.removed(r);
    if (o.listing == Listing::Yes) ws.removed.push_back(std::move(r));
  }

  // --- classification helpers ---------------------------------------------

  bool current_tag(std::string_view tag) const {
    return std::find(o.current_tags.begin(), o.current_tags.end(), tag) != o.current_tags.end();
  }

  // Removes ws.batch (files of `d`, reasons in ws.reasons). Returns how many
  // are still there afterwards (failures and entries that turned out not to
  // be regular files); vanished ones count as gone.
  std::uint64_t flush(WorkerState& ws, const WalkDir& d) {
    if (ws.batch.empty()) return 0;
    const fs::path& dir = d.path;
    remove_files(*d.dir, ws.batch, dry || surveying ? StatOnly::Yes : StatOnly::No);
    std::uint64_t left = 0;
    for (std::size_t i = 0; i < ws.batch.size(); ++i) {
      const FileRemoval& f = ws.batch[i];
      if (f.error == ENOENT) continue;
      if (f.error != 0) {
        problem(dir / f.name, dry ? "stat" : "remove", f.error);
        ++left;
        continue;
      }
      if (f.not_regular) {
        ++left;
        continue;
      }
      count(ws, ws.reasons[i], false, f.size);
      if (want_removals) removed(ws, dir / f.name, ws.reasons[i], false, f.size);
    }
    ws.batch.clear();
    ws.reasons.clear();
    return left;
  }

  // `type`: what the listing said. A pyc name held by a symlink, FIFO,
  // socket or device is bytecode debris too (import would open it): the
  // entry is unlinked, never opened or followed.
  void add(WorkerState& ws, const std::string& name, Reason reason, FileType type = FileType::Regular) {
    FileRemoval f{name};
    f.any_type = type != FileType::Regular;
    ws.batch.push_back(std::move(f));
    ws.reasons.push_back(reason);
  }

  Reason plain_reason(pyc::CacheKind kind) const {
    switch (kind) {
      case pyc::CacheKind::Pyc: return Reason::Bytecode;
      case pyc::CacheKind::PytestPyc: return Reason::PytestPyc;
      case pyc::CacheKind::TempFile: return Reason::TempFile;
    }
    return Reason::Bytecode;
  }

  // --stale: why a cache pyc can no longer be used, or nullopt when it can.
  // `source_exists` answers for NAME.py.
  template <class SourceExists>
  std::optional<Reason> stale_reason(const pyc::CacheName& cn, SourceExists&& source_exists) const {
    if (cn.kind == pyc::CacheKind::TempFile) return Reason::TempFile;
    if (!source_exists(cn.module + ".py")) return Reason::Orphaned;
    if (o.other_versions == OtherVersions::Yes && !current_tag(cn.tag)) return Reason::OtherVersion;
    return std::nullopt;
  }

  bool exists(const fs::path& p) {
    FileStat st;
    int e = fs.lstat(p, st);
    // Anything but a clear "not there" keeps the pyc: never guess a source away.
    return e != ENOENT && e != ENOTDIR;
  }

  // --- tree clean ------------------------------------------------------------

  void visit_tree(WalkDir& d, WorkerState& ws) {
    if (!prefix_dirs.empty() && prefix_dirs.count(d.path.native())) {
      for (auto& e : d.entries) e.descend = false;  // the mirror walk cleans it
      return;
    }
    if (d.path.native().size() < d.root->native().size()) return visit_single(d, ws);
    if (d.path.filename() == "__pycache__") return visit_cache_dir(d, ws);
    visit_source_dir(d, ws);
  }

  void visit_source_dir(WalkDir& d, WorkerState& ws) {
    for (auto& e : d.entries) {
      if (e.type == FileType::Directory) {
        if (o.debris && (debris_kind(e.name, true) & o.debris)) {
          e.descend = false;
          remove_debris_tree(ws, *d.dir, e.name, d.path / e.name);
        }
        continue;
      }
      const bool regular = e.type == FileType::Regular;
      if (regular && o.debris && (debris_kind(e.name, false) & o.debris)) {
        add(ws, e.name, Reason::Debris);
        continue;
      }
      if (!pyc::is_legacy_name(e.name)) continue;
      if (o.stale == Stale::Yes && e.type == FileType::Regular) {  // a link or FIFO is never usable
        std::string source = e.name.substr(0, e.name.size() - 4) + ".py";
        bool has_source =
            std::any_of(d.entries.begin(), d.entries.end(), [&](const WalkEntry& x) { return x.name == source; });
        if (has_source) {
          ++ws.kept_bytecode;
          continue;
        }
        add(ws, e.name, Reason::Sourceless, e.type);
      } else {
        add(ws, e.name, Reason::Legacy, e.type);
      }
    }
    flush(ws, d);
  }

  void visit_cache_dir(WalkDir& d, WorkerState& ws) {
    std::uint64_t others = 0, still_used = 0;
    std::optional<std::unordered_set<std::string>> sources;  // names beside __pycache__, read once if needed
    bool sources_unknown = false;
    auto source_exists = [&](const std::string& name) {
      if (!sources) {
        sources.emplace();
        std::vector<DirEntry> listing;
        sources_unknown = !d.parent || d.parent->list(listing) != 0;
        for (auto& x : listing) sources->insert(std::move(x.name));
      }
      return sources_unknown || sources->count(name) > 0;  // can't tell: keep
    };
    for (auto& e : d.entries) {
      e.descend = false;  // nothing of ours lives below a __pycache__
      auto cn = e.type == FileType::Directory ? std::nullopt : pyc::parse_cache_name(e.name);
      if (!cn) {
        ++others;
        continue;
      }
      Reason reason = plain_reason(cn->kind);
      if (o.stale == Stale::Yes && e.type == FileType::Regular) {  // a link or FIFO is never usable
        auto why = stale_reason(*cn, source_exists);
        if (!why) {
          ++still_used;
          continue;
        }
        reason = *why;
      }
      add(ws, e.name, reason, e.type);
    }
    std::uint64_t left = flush(ws, d);
    if (others) keep(d.path, others);
    if (others || still_used || left) {
      ws.kept_bytecode += still_used;
      return;
    }
    if (d.parent && remove_empty_dir(ws, *d.parent, d.path, d.dir)) d.state |= kGone;
  }

  // A root that is a file: only that file, judged by where it lies.
  void visit_single(WalkDir& d, WorkerState& ws) {
    for (auto& e : d.entries) {
      if (e.type != FileType::Regular) continue;
      if (d.path.filename() == "__pycache__") {
        auto cn = pyc::parse_cache_name(e.name);
        if (!cn) continue;
        Reason reason = plain_reason(cn->kind);
        if (o.stale == Stale::Yes) {
          auto why = stale_reason(*cn, [&](const std::string& n) { return exists(d.path.parent_path() / n); });
          if (!why) {
            ++ws.kept_bytecode;
            continue;
          }
          reason = *why;
        }
        add(ws, e.name, reason);
      } else if (o.debris && (debris_kind(e.name, false) & o.debris)) {
        add(ws, e.name, Reason::Debris);
      } else if (pyc::is_legacy_name(e.name)) {
        if (o.stale == Stale::Yes && exists(d.path / (e.name.substr(0, e.name.size() - 4) + ".py"))) {
          ++ws.kept_bytecode;
          continue;
        }
        add(ws, e.name, o.stale == Stale::Yes ? Reason::Sourceless : Reason::Legacy);
      }
    }
    flush(ws, d);
  }

  // Removes (or, dry, counts) the empty directory `path`, by its name in
  // `parent`. Something that appeared in it meanwhile (a concurrent writer)
  // keeps it, silently.
  // A mount point (EBUSY; a dry run compares it with its parent) is kept,
  // with a message: it is another file system's directory, not ours.
  bool remove_empty_dir(WorkerState& ws, Directory& parent, const fs::path& path, Directory* self = nullptr) {
    int e = dry ? dry_rmdir(parent, self, path) : parent.remove_dir(path.filename().native());
    if (e == ENOENT) return true;
    if (e == ENOTEMPTY || e == EEXIST) return false;
    if (e == EBUSY) {
      keep(path, 0, true);
      return false;
    }
    if (e != 0) {
      problem(path, "remove", e);
      return false;
    }
    count(ws, Reason::EmptyDir, true, 0);
    if (want_removals) removed(ws, path, Reason::EmptyDir, true, 0);
    return true;
  }

  // What rmdir would say in a dry run: EBUSY for a mount point.
  static int dry_rmdir(Directory& parent, Directory* self, const fs::path& path) {
    FileStat above, st;
    if (!self || parent.stat_self(above) != 0 || self->stat_self(st) != 0) return 0;
    return crosses_mount(above, st, path) ? EBUSY : 0;
  }

  // A tool cache: everything in it. Counted as debris; listed as the one
  // directory. Mounts in it (or it, a mount point) are left alone, with a
  // message, whatever --one-file-system says.
  void remove_debris_tree(WorkerState& ws, Directory& parent, const std::string& name, const fs::path& path) {
    TreeRemoval t =
        remove_tree(parent, name, path, dry ? StatOnly::Yes : StatOnly::No,
                    [&](const fs::path& p, std::string_view action, int e) { problem(p, std::string(action), e); });
    for (const auto& m : t.mount_points) keep(m, 0, true);
    if (t.files) count(ws, Reason::Debris, false, t.bytes, t.files);
    if (t.dirs) count(ws, Reason::Debris, true, 0, t.dirs);
    if ((t.files || t.dirs) && want_removals) removed(ws, path, Reason::Debris, true, t.bytes);
  }

  // --- mirrors and prefixes ----------------------------------------------------

  // With no selection every pyc goes, and so does every directory left
  // empty; with one, only the directories clean emptied.
  bool wipes(const RootInfo& ri) const {
    if (ri.kind == RootKind::Mirror) return o.stale == Stale::No;
    return o.orphans == Orphans::No && !o.older_than_ns && !o.max_size && o.other_versions == OtherVersions::No;
  }

  // The source a pyc of a mirror or prefix directory belongs to: /abs/dir/NAME.py.
  bool mirrored_source_exists(const WalkDir& d, const RootInfo& ri, const std::string& name) {
    return exists(fs::path("/") / d.path.lexically_relative(ri.prefix) / name);
  }

  // An entry of a mirror or prefix directory: its cache name when it is a
  // pyc. Anything else is a subdirectory walked into (counted) or something
  // that stays, and so does its directory.
  static std::optional<pyc::CacheName> mirror_entry(const WalkEntry& e, std::uint64_t& flags, std::uint64_t& subdirs) {
    if (e.type == FileType::Directory) {
      if (e.descend) ++subdirs;
      else flags |= kBlocked;  // VCS internals: never entered, never removed
      return std::nullopt;
    }
    std::optional<pyc::CacheName> cn = pyc::parse_cache_name(e.name);  // a link or FIFO too: see add()
    if (!cn) flags |= kBlocked;                                        // not bytecode: stays, and so does its directory
    return cn;
  }

  // Removes what the visit chose and leaves its flags for leave_prefix_tree.
  void finish_mirror_dir(WalkDir& d, WorkerState& ws, std::uint64_t flags, std::uint64_t subdirs) {
    if (!ws.batch.empty()) flags |= kTouched;
    if (flush(ws, d)) flags |= kBlocked;
    d.state = flags | (subdirs << kStateBits);
  }

  // A PATH's mirror in its prefix: every pyc, or with --stale what can't be used.
  void visit_mirror(WalkDir& d, WorkerState& ws, const RootInfo& ri) {
    std::uint64_t flags = 0, subdirs = 0;
    auto source_exists = [&](const std::string& name) { return mirrored_source_exists(d, ri, name); };
    for (auto& e : d.entries) {
      auto cn = mirror_entry(e, flags, subdirs);
      if (!cn) continue;
      Reason reason = plain_reason(cn->kind);
      if (o.stale == Stale::Yes && e.type == FileType::Regular) {  // a link or FIFO is never usable
        auto why = stale_reason(*cn, source_exists);
        if (!why) {
          ++ws.kept_bytecode;
          flags |= kBlocked;
          continue;
        }
        reason = *why;
      }
      add(ws, e.name, reason, e.type);
    }
    finish_mirror_dir(d, ws, flags, subdirs);
  }

  // `clean --prefix`: a directory of a whole prefix, each pyc judged by the
  // upkeep's selections (prefix_upkeep.hpp).
  void visit_prefix(WalkDir& d, WorkerState& ws, const RootInfo& ri) {
    std::uint64_t flags = d.path == *d.root ? std::uint64_t{kRoot} : 0, subdirs = 0;
    const bool wipe = wipes(ri);
    std::size_t dir_index = SIZE_MAX;  // survey: this directory's index in ws.survivor_dirs
    auto source_exists = [&](const std::string& name) { return mirrored_source_exists(d, ri, name); };
    for (auto& e : d.entries) {
      auto cn = mirror_entry(e, flags, subdirs);
      if (!cn) continue;
      const Verdict v = judge_name(o, *cn, wipe, source_exists);
      if (v.action == Verdict::Remove) {
        add(ws, e.name, v.reason, e.type);
      } else if (v.action == Verdict::Keep) {
        ++ws.kept_bytecode;
        flags |= kBlocked;
      } else {
        upkeep_by_times(d, ws, ri, e.name, flags, dir_index);
      }
    }
    finish_mirror_dir(d, ws, flags, subdirs);
  }

  // --older-than and --max-size: the pyc's last use decides.
  void upkeep_by_times(WalkDir& d, WorkerState& ws, const RootInfo& ri, const std::string& name, std::uint64_t& flags,
                       std::size_t& dir_index) {
    FileStat st;
    if (int err = d.dir->lstat(name, st)) {
      if (err != ENOENT) {
        problem(d.path / name, "stat", err);
        flags |= kBlocked;
      }
      return;
    }
    const std::int64_t last_used = std::max(st.atime_ns, st.mtime_ns);
    const Cutoff* cutoff = ri.group < cutoffs.size() && cutoffs[ri.group] ? &*cutoffs[ri.group] : nullptr;
    const Verdict v = judge_times(o, last_used, surveying, cutoff, d.path.native(), name);
    if (v.action == Verdict::Remove) {
      add(ws, name, v.reason);
    } else if (v.action == Verdict::Survey) {
      if (dir_index == SIZE_MAX) {
        dir_index = ws.survivor_dirs.size();
        ws.survivor_dirs.push_back(d.path.native());
      }
      ws.survivors.push_back(Survivor{name, st.size, last_used, ri.group, d.worker, dir_index});
    } else {
      ++ws.kept_bytecode;
      ws.bytes_left += st.size;
      flags |= kBlocked;
    }
  }

  // After its subdirectories: a directory goes when nothing in it stays and
  // clean emptied it (or wipes the whole tree).
  bool leave_prefix_tree(WalkDir& d, WorkerState& ws, const RootInfo& ri) {
    const std::uint64_t flags = d.state & ((1u << kStateBits) - 1);
    const std::uint64_t subdirs = d.state >> kStateBits;
    if ((flags & (kBlocked | kRoot)) || d.subdirs_left || !d.parent || surveying) return false;
    const bool emptied = (flags & kTouched) || subdirs > d.subdirs_left;
    if (!emptied && !wipes(ri)) return false;
    return remove_empty_dir(ws, *d.parent, d.path, d.dir);
  }

  // --max-size: per prefix, what to evict so that the rest fits, least
  // recently used first; the real walk then takes everything up to the cutoff.
  void plan_eviction() {
    std::vector<SurveyedPyc> all;
    for (auto& w : workers)
      for (auto& v : w->survivors)
        all.push_back(SurveyedPyc{workers[v.worker]->survivor_dirs[v.dir], v.name, v.size, v.last_used, v.group});
    cutoffs = clean::plan_eviction(std::move(all), o.prefixes.size(), *o.max_size);
  }

  // --- the run -------------------------------------------------------------

  void plan_roots() {
    if (!o.prefixes.empty()) {
      for (std::size_t i = 0; i < o.prefixes.size(); ++i) {
        roots.push_back(WalkRoot{o.prefixes[i], {}});
        infos.push_back(RootInfo{RootKind::Prefix, o.prefixes[i], i});
      }
      return;
    }
    // Nested PATHs are walked once, as part of the outer one, unless the
    // outer walk skips them (a PATH named is always walked).
    std::vector<Target> targets = o.targets;
    std::sort(targets.begin(), targets.end(), [](const Target& a, const Target& b) { return a.path < b.path; });
    std::vector<Target> outer;
    for (auto& t : targets) {
      const Target* in = nullptr;
      for (const auto& u : outer)
        if (is_within(t.path.native(), u.path.native())) in = &u;
      if (!in || (in->skip && skipped_below(fs, *in->skip, in->path, t.path))) outer.push_back(t);
    }
    for (const auto& t : outer) {
      roots.push_back(WalkRoot{t.path, {}, t.skip});
      infos.push_back(RootInfo{RootKind::Tree, {}, 0});
    }
    std::vector<std::pair<fs::path, fs::path>> mirrors;  // mirror, prefix
    for (const auto& t : o.targets) {
      if (t.prefix.empty()) continue;
      prefix_dirs.insert(t.prefix.native());
      fs::path m = mirror_of(t.path, t.prefix);
      // A prefix of "/" would make the mirror the tree itself (or above it).
      if (is_within(t.path.native(), m.native())) continue;
      mirrors.emplace_back(std::move(m), t.prefix);
    }
    std::sort(mirrors.begin(), mirrors.end());
    std::vector<std::pair<fs::path, fs::path>> outer_mirrors;
    for (auto& m : mirrors)
      if (outer_mirrors.empty() || !is_within(m.first.native(), outer_mirrors.back().first.native()))
        outer_mirrors.push_back(std::move(m));
    for (auto& [m, prefix] : outer_mirrors) {
      // Opened one component at a time from the prefix (see WalkRoot): a
      // link inside the prefix fails the walk (ELOOP), never leads out of it.
      // Nothing mirrored yet is nothing to do.
      FileStat st;
      if (open_beneath(*fs.open_directory(prefix), m.lexically_relative(prefix))->stat_self(st) == ENOENT) continue;
      roots.push_back(WalkRoot{std::move(m), prefix});
      infos.push_back(RootInfo{RootKind::Mirror, prefix, 0});
    }
  }

  void walk() {
    walker.walk(
        roots,
        [&](WalkDir& d) {
          WorkerState& ws = *workers[d.worker];
          const RootInfo& ri = info_of(d);
          if (ri.kind == RootKind::Tree) visit_tree(d, ws);
          else if (ri.kind == RootKind::Mirror) visit_mirror(d, ws, ri);
          else visit_prefix(d, ws, ri);
        },
        [&](const fs::path& path, int error) {
          if (error == ENOENT) return;  // vanished: a concurrent clean or build
          problem(path, "read", error);
        },
        [&](WalkDir& d) {
          const RootInfo& ri = info_of(d);
          if (ri.kind == RootKind::Tree) return (d.state & kGone) != 0;
          return leave_prefix_tree(d, *workers[d.worker], ri);
        });
  }

  const RootInfo& info_of(const WalkDir& d) const { return infos[d.root_index]; }

  Summary run() {
    const auto start = std::chrono::steady_clock::now();
    plan_roots();
    if (o.max_size) {
      surveying = true;
      walk();
      plan_eviction();
      surveying = false;
      for (auto& w : workers) w = std::make_unique<WorkerState>();
    }
    walk();

    Summary s;
    for (auto& ws : workers) {
      s.total.files += ws->files.load();
      s.total.dirs += ws->dirs.load();
      s.total.bytes += ws->bytes.load();
      for (std::size_t i = 0; i < kReasonCount; ++i) s.by_reason[i] += ws->by_reason[i];
      s.kept_bytecode += ws->kept_bytecode;
      s.prefix_bytes_left += ws->bytes_left;
      for (auto& r : ws->removed) s.removed.push_back(std::move(r));
    }
    auto by_path = [](const auto& a, const auto& b) { return a.path < b.path; };
    std::sort(s.removed.begin(), s.removed.end(), by_path);
    s.problems = std::move(problems);
    std::sort(s.problems.begin(), s.problems.end(), by_path);
    s.kept = std::move(kept);
    std::sort(s.kept.begin(), s.kept.end(), by_path);
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return s;
  }
};

Cleaner::Cleaner(FileSystem& fs, Options options, Events events)
    : impl_(std::make_unique<Impl>(fs, std::move(options), std::move(events))) {}
Cleaner::~Cleaner() = default;

Summary Cleaner::run() { return impl_->run(); }

Counts Cleaner::progress() const {
  Counts c;
  // Workers are created before the walk starts and live until the Cleaner dies.
  for (const auto& ws : impl_->workers) {
    c.files += ws->files.load(std::memory_order_relaxed);
    c.dirs += ws->dirs.load(std::memory_order_relaxed);
    c.bytes += ws->bytes.load(std::memory_order_relaxed);
  }
  return c;
}

std::uint64_t Cleaner::directories_seen() const { return impl_->walker.directories_seen(); }

}  // namespace pycache::clean
