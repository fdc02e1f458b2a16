#include "pycache/clean_plan.hpp"

#include <gtest/gtest.h>

#include <cerrno>

#include "fake_fs.hpp"

namespace pycache::clean {
namespace {

namespace fs = std::filesystem;

struct Plan : ::testing::Test {
  test::FakeFileSystem f;
  Guard guard{"/home/u", false};
  Options o;
  Plan() {
    f.add_dir("/home/u/proj");
    f.add_dir("/cache/a");
    f.add_dir("/cache/b");
  }
};

TEST_F(Plan, TheRootAndTheHomeDirectoryAreRefusedWithoutForce) {
  auto root = refused(f, guard, "/", "path");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->code, kExitUsage);
  EXPECT_EQ(root->message, "refusing to clean path '/': it is the root directory (use --force if you mean it)");
  auto home = refused(f, guard, "/home/u", "prefix");
  ASSERT_TRUE(home);
  EXPECT_EQ(home->message, "refusing to clean prefix '/home/u': it is the home directory (use --force if you mean it)");
  EXPECT_FALSE(refused(f, guard, "/home/u/proj", "path"));
  EXPECT_FALSE(refused(f, Guard{"/home/u", true}, "/", "path"));
}

TEST_F(Plan, EachProjectsTagIsCurrentOnceAndAnUnknownPythonIsOurOwn) {
  add_current_tag(o, "cpython-312", "cpython-311");
  add_current_tag(o, "", "cpython-311");
  add_current_tag(o, "cpython-312", "cpython-311");
  add_current_tag(o, "cpython-311", "cpython-311");
  EXPECT_EQ(o.current_tags, (std::vector<std::string>{"cpython-312", "cpython-311"}));
}

TEST_F(Plan, APrefixIsWorkedOnOnceAndAnAbsentOneIsNothingCached) {
  EXPECT_FALSE(add_prefix(f, guard, o, {"/cache/a", 0, "."}));
  EXPECT_FALSE(add_prefix(f, guard, o, {"/cache/a", 0, "sub"}));
  EXPECT_FALSE(add_prefix(f, guard, o, {"/cache/none", 0, "other"}));
  EXPECT_FALSE(add_prefix(f, guard, o, {"/cache/b", 0, "b"}));
  EXPECT_EQ(o.prefixes, (std::vector<fs::path>{"/cache/a", "/cache/b"}));
  EXPECT_FALSE(o.max_size);
}

TEST_F(Plan, NoPrefixInForceIsTheError) {
  auto e = add_prefix(f, guard, o, {"", 0, "pro'j"});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, kExitUsage);
  EXPECT_EQ(e->message,
            "no cache prefix is in force for 'pro'j' (set cache-prefix in the policy or PYTHONPYCACHEPREFIX, or pass "
            "--cache-prefix)");
}

TEST_F(Plan, ASymlinkedPrefixIsNeverFollowed) {
  f.add_symlink("/cache/link", "/cache/a");
  auto e = add_prefix(f, guard, o, {"/cache/link", 0, "."});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "cache prefix '/cache/link' is a symbolic link: pycache clean never follows one (pass the directory it "
            "points to with --cache-prefix)");
  EXPECT_TRUE(o.prefixes.empty());
}

TEST_F(Plan, APrefixThatCantBeStatedOrIsProtectedStopsTheClean) {
  f.fail(test::FakeFileSystem::Op::Lstat, "/cache/b", EACCES);
  auto e = add_prefix(f, guard, o, {"/cache/b", 0, "."});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "cache prefix '/cache/b': Permission denied");
  EXPECT_TRUE(add_prefix(f, guard, o, {"/home/u", 0, "."}));
  EXPECT_FALSE(add_prefix(f, Guard{"/home/u", true}, o, {"/home/u", 0, "."}));
  EXPECT_EQ(o.prefixes, std::vector<fs::path>{"/home/u"});
}

TEST_F(Plan, TheFirstPrefixsMaxSizeIsTheLimitUnlessOneWasGiven) {
  EXPECT_FALSE(add_prefix(f, guard, o, {"/cache/none", 100, "."}));  // absent: its limit is not taken
  EXPECT_FALSE(add_prefix(f, guard, o, {"/cache/a", 0, "."}));
  EXPECT_FALSE(add_prefix(f, guard, o, {"/cache/b", 2000, "b"}));
  ASSERT_TRUE(o.max_size);
  EXPECT_EQ(*o.max_size, 2000U);
  Options given;
  given.max_size = 5;
  EXPECT_FALSE(add_prefix(f, guard, given, {"/cache/a", 2000, "."}));
  EXPECT_EQ(*given.max_size, 5U);
}

}  // namespace
}  // namespace pycache::clean
