#include "pycache/prefix_upkeep.hpp"

#include <algorithm>

namespace pycache::clean {

bool evicted(const Cutoff& c, std::int64_t last_used, std::string_view dir, std::string_view name) {
  if (last_used != c.last_used) return last_used < c.last_used;
  if (int cmp = dir.compare(c.dir)) return cmp < 0;
  return name <= c.name;
}

std::vector<std::optional<Cutoff>> plan_eviction(std::vector<SurveyedPyc> pycs, std::size_t groups,
                                                 std::uint64_t max_size) {
  std::sort(pycs.begin(), pycs.end(), [](const SurveyedPyc& a, const SurveyedPyc& b) {
    if (a.last_used != b.last_used) return a.last_used < b.last_used;
    if (int c = a.dir.compare(b.dir)) return c < 0;
    return a.name < b.name;
  });
  std::vector<std::uint64_t> total(groups, 0);
  for (const auto& p : pycs) total[p.group] += p.size;
  std::vector<std::optional<Cutoff>> cutoffs(groups);
  for (const auto& p : pycs) {
    if (total[p.group] <= max_size) continue;
    total[p.group] -= p.size;
    cutoffs[p.group] = Cutoff{p.last_used, std::string(p.dir), std::string(p.name)};
  }
  return cutoffs;
}

Verdict judge_name(const Options& o, const pyc::CacheName& name, bool wipe,
                   const std::function<bool(const std::string& source)>& source_exists) {
  if (name.kind == pyc::CacheKind::TempFile) return {Verdict::Remove, Reason::TempFile};
  if (wipe) return {Verdict::Remove, name.kind == pyc::CacheKind::PytestPyc ? Reason::PytestPyc : Reason::Bytecode};
  if (o.orphans == Orphans::Yes && !source_exists(name.module + ".py")) return {Verdict::Remove, Reason::Orphaned};
  if (o.other_versions == OtherVersions::Yes &&
      std::find(o.current_tags.begin(), o.current_tags.end(), name.tag) == o.current_tags.end())
    return {Verdict::Remove, Reason::OtherVersion};
  if (!o.older_than_ns && !o.max_size) return {Verdict::Keep};
  return {Verdict::Times};
}

Verdict judge_times(const Options& o, std::int64_t last_used, bool surveying, const Cutoff* cutoff,
                    std::string_view dir, std::string_view name) {
  if (o.older_than_ns && last_used < o.now_ns - *o.older_than_ns) return {Verdict::Remove, Reason::Unused};
  if (surveying) return {Verdict::Survey};
  if (cutoff && evicted(*cutoff, last_used, dir, name)) return {Verdict::Remove, Reason::Evicted};
  return {Verdict::Keep};
}

}  // namespace pycache::clean
