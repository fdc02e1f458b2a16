#include "pycache/prefix_upkeep.hpp"

#include <gtest/gtest.h>

namespace pycache::clean {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

pyc::CacheName cache_name(std::string module, std::string tag = "cpython-311",
                          pyc::CacheKind kind = pyc::CacheKind::Pyc) {
  return pyc::CacheName{kind, std::move(module), std::move(tag), 0};
}

TEST(PlanEviction, LeastRecentlyUsedFirstUntilTheRestFits) {
  std::vector<SurveyedPyc> pycs = {
      {"/pfx/a", "new.cpython-311.pyc", 100, 30 * kSecond, 0},
      {"/pfx/a", "old.cpython-311.pyc", 100, 10 * kSecond, 0},
      {"/pfx/b", "mid.cpython-311.pyc", 100, 20 * kSecond, 0},
  };
  // 300 bytes, 150 allowed: the two least recently used go.
  auto cutoffs = plan_eviction(pycs, 1, 150);
  ASSERT_EQ(cutoffs.size(), 1u);
  ASSERT_TRUE(cutoffs[0]);
  EXPECT_EQ(*cutoffs[0], (Cutoff{20 * kSecond, "/pfx/b", "mid.cpython-311.pyc"}));
  EXPECT_TRUE(evicted(*cutoffs[0], 10 * kSecond, "/pfx/a", "old.cpython-311.pyc"));
  EXPECT_TRUE(evicted(*cutoffs[0], 20 * kSecond, "/pfx/b", "mid.cpython-311.pyc"));
  EXPECT_FALSE(evicted(*cutoffs[0], 30 * kSecond, "/pfx/a", "new.cpython-311.pyc"));
}

TEST(PlanEviction, TiesGoByDirectoryThenName) {
  std::vector<SurveyedPyc> pycs = {
      {"/pfx/b", "a.cpython-311.pyc", 10, kSecond, 0},
      {"/pfx/a", "z.cpython-311.pyc", 10, kSecond, 0},
      {"/pfx/a", "y.cpython-311.pyc", 10, kSecond, 0},
  };
  auto cutoffs = plan_eviction(pycs, 1, 10);
  ASSERT_TRUE(cutoffs[0]);
  EXPECT_EQ(*cutoffs[0], (Cutoff{kSecond, "/pfx/a", "z.cpython-311.pyc"}));
  EXPECT_TRUE(evicted(*cutoffs[0], kSecond, "/pfx/a", "y.cpython-311.pyc"));
  EXPECT_FALSE(evicted(*cutoffs[0], kSecond, "/pfx/b", "a.cpython-311.pyc"));
}

TEST(PlanEviction, EachPrefixHasItsOwnBudget) {
  std::vector<SurveyedPyc> pycs = {
      {"/one", "a.cpython-311.pyc", 100, kSecond, 0},
      {"/two", "b.cpython-311.pyc", 100, 2 * kSecond, 1},
      {"/two", "c.cpython-311.pyc", 100, 3 * kSecond, 1},
  };
  auto cutoffs = plan_eviction(pycs, 3, 100);
  ASSERT_EQ(cutoffs.size(), 3u);
  EXPECT_FALSE(cutoffs[0]);  // fits
  ASSERT_TRUE(cutoffs[1]);
  EXPECT_EQ(cutoffs[1]->name, "b.cpython-311.pyc");
  EXPECT_FALSE(cutoffs[2]);  // nothing surveyed
}

TEST(JudgeName, TempFilesAlwaysGoEverythingGoesWithoutASelection) {
  Options o;
  auto never = [](const std::string&) -> bool {
    ADD_FAILURE() << "source asked for";
    return true;
  };
  EXPECT_EQ(judge_name(o, cache_name("m", "cpython-311", pyc::CacheKind::TempFile), false, never),
            (Verdict{Verdict::Remove, Reason::TempFile}));
  EXPECT_EQ(judge_name(o, cache_name("m"), true, never), (Verdict{Verdict::Remove, Reason::Bytecode}));
  EXPECT_EQ(judge_name(o, cache_name("m", "cpython-311", pyc::CacheKind::PytestPyc), true, never),
            (Verdict{Verdict::Remove, Reason::PytestPyc}));
  EXPECT_EQ(judge_name(o, cache_name("m"), false, never), (Verdict{Verdict::Keep}));
}

TEST(JudgeName, OrphansThenOtherVersionsThenTimes) {
  Options o;
  o.orphans = Orphans::Yes;
  o.other_versions = OtherVersions::Yes;
  o.current_tags = {"cpython-311"};
  std::string asked;
  auto exists = [&](const std::string& s) {
    asked = s;
    return s != "gone.py";
  };
  EXPECT_EQ(judge_name(o, cache_name("gone", "cpython-38"), false, exists),
            (Verdict{Verdict::Remove, Reason::Orphaned}));
  EXPECT_EQ(asked, "gone.py");
  EXPECT_EQ(judge_name(o, cache_name("here", "cpython-38"), false, exists),
            (Verdict{Verdict::Remove, Reason::OtherVersion}));
  EXPECT_EQ(judge_name(o, cache_name("here"), false, exists), (Verdict{Verdict::Keep}));
  o.max_size = 1000;
  EXPECT_EQ(judge_name(o, cache_name("here"), false, exists), (Verdict{Verdict::Times}));
}

TEST(JudgeTimes, OlderThanThenSurveyThenCutoff) {
  Options o;
  o.now_ns = 100 * kSecond;
  o.older_than_ns = 50 * kSecond;
  EXPECT_EQ(judge_times(o, 49 * kSecond, false, nullptr, "/p", "m.pyc"), (Verdict{Verdict::Remove, Reason::Unused}));
  EXPECT_EQ(judge_times(o, 50 * kSecond, false, nullptr, "/p", "m.pyc"), (Verdict{Verdict::Keep}));
  EXPECT_EQ(judge_times(o, 49 * kSecond, true, nullptr, "/p", "m.pyc"), (Verdict{Verdict::Remove, Reason::Unused}));
  EXPECT_EQ(judge_times(o, 60 * kSecond, true, nullptr, "/p", "m.pyc"), (Verdict{Verdict::Survey}));
  const Cutoff cutoff{70 * kSecond, "/p", "m.pyc"};
  EXPECT_EQ(judge_times(o, 70 * kSecond, false, &cutoff, "/p", "m.pyc"), (Verdict{Verdict::Remove, Reason::Evicted}));
  EXPECT_EQ(judge_times(o, 70 * kSecond, false, &cutoff, "/p", "n.pyc"), (Verdict{Verdict::Keep}));
  EXPECT_EQ(judge_times(o, 71 * kSecond, false, &cutoff, "/a", "a.pyc"), (Verdict{Verdict::Keep}));
}

}  // namespace
}  // namespace pycache::clean
