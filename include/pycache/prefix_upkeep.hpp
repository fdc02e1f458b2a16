#pragma once
// `clean --prefix`: the upkeep of whole cache prefixes. What each selection
// (--orphans, --other-versions, --older-than, --max-size) says about one pyc,
// and the plan of what --max-size evicts. Decisions only: clean.cpp walks,
// stats and removes.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pycache/clean.hpp"
#include "pycache/pyc.hpp"

namespace pycache::clean {

// The last pyc --max-size evicts from a prefix, in eviction order (least
// recently used first, then by directory, then by name): every pyc at or
// before it goes.
struct Cutoff {
  std::int64_t last_used = 0;
  std::string dir, name;
  bool operator==(const Cutoff&) const = default;
};

// Whether a pyc (its last use, directory and name) is at or before `cutoff`.
bool evicted(const Cutoff& cutoff, std::int64_t last_used, std::string_view dir, std::string_view name);

// A pyc the other selections keep, as --max-size's survey walk found it.
struct SurveyedPyc {
  std::string_view dir, name;
  std::uint64_t size = 0;
  std::int64_t last_used = 0;  // max of atime and mtime
  std::size_t group = 0;       // its prefix, an index in Options::prefixes
};

// Per prefix (`groups` of them), the cutoff that leaves at most `max_size`
// bytes of the surveyed pycs, or nullopt when they fit.
std::vector<std::optional<Cutoff>> plan_eviction(std::vector<SurveyedPyc> pycs, std::size_t groups,
                                                 std::uint64_t max_size);

// What upkeep does with one pyc.
struct Verdict {
  enum Action {
    Remove,  // for `reason`
    Keep,    // it stays, and so does its directory
    Times,   // judge_name: it depends on the pyc's last use (stat it, then judge_times)
    Survey,  // judge_times, surveying: kept so far, a candidate for eviction
  } action = Keep;
  Reason reason = Reason::Bytecode;
  bool operator==(const Verdict&) const = default;
};

// By its name: temp files always go, every pyc when `wipe` (no selection),
// else --orphans (`source_exists` asked only then) and --other-versions.
Verdict judge_name(const Options& o, const pyc::CacheName& name, bool wipe,
                   const std::function<bool(const std::string& source)>& source_exists);
// By its last use: --older-than against o.now_ns, then the survey or the
// --max-size cutoff of its prefix (null: none).
Verdict judge_times(const Options& o, std::int64_t last_used, bool surveying, const Cutoff* cutoff,
                    std::string_view dir, std::string_view name);

}  // namespace pycache::clean
