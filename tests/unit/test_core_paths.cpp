#include "pycache/paths.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include <unistd.h>
#include "temp_dir.hpp"

namespace pycache {
namespace {

TEST(IsWithin, ADirectoryAndWhatIsBelowIt) {
  EXPECT_TRUE(is_within("/a/b", "/a/b"));
  EXPECT_TRUE(is_within("/a/b/c", "/a/b"));
  EXPECT_TRUE(is_within("/a/b/c/d.py", "/a/b"));
  EXPECT_FALSE(is_within("/a", "/a/b"));
  EXPECT_FALSE(is_within("/x/b", "/a/b"));
}

TEST(IsWithin, ComponentsNotCharacters) {
  EXPECT_FALSE(is_within("/a/bc", "/a/b"));
  EXPECT_FALSE(is_within("/a/b.d/x", "/a/b"));
  EXPECT_FALSE(is_within("/a/b", "/a/bc"));
}

TEST(IsWithin, TheRootHoldsEveryAbsolutePath) {
  EXPECT_TRUE(is_within("/", "/"));
  EXPECT_TRUE(is_within("/a", "/"));
  EXPECT_TRUE(is_within("/a/b", "/"));
  EXPECT_FALSE(is_within("a", "/"));
}

TEST(IsWithin, TrailingSlashes) {
  EXPECT_TRUE(is_within("/a/b", "/a/b/"));
  EXPECT_TRUE(is_within("/a/b/c", "/a/b/"));
  EXPECT_TRUE(is_within("/a/b/", "/a/b"));
  EXPECT_TRUE(is_within("/a/b/c/", "/a/b//"));
  EXPECT_FALSE(is_within("/a/bc", "/a/b/"));
  EXPECT_TRUE(is_within("/a", "//"));
}

TEST(IsWithin, AnEmptyDirectoryHoldsNothing) {
  EXPECT_FALSE(is_within("/a", ""));
  EXPECT_FALSE(is_within("", ""));
}

// Lexical: `..` is a name like any other, so callers pass normal paths
// (absolute_from); an unnormalised one is never taken as outside-then-in.
TEST(IsWithin, DotDotIsNotResolved) {
  EXPECT_TRUE(is_within("/a/b/../c", "/a/b"));  // as text: below /a/b
  EXPECT_FALSE(is_within("/a/c", "/a/b/.."));   // /a/b/.. is not /a, textually
  EXPECT_TRUE(is_within(absolute_from("/a/b/../c", "/").native(), "/a"));
  EXPECT_FALSE(is_within(absolute_from("/a/b/../c", "/").native(), "/a/b"));
  EXPECT_TRUE(is_within("/a/..b/c", "/a/..b"));
}

TEST(IsBelow, ExcludesTheDirectoryItself) {
  EXPECT_FALSE(is_below("/a/b", "/a/b"));
  EXPECT_FALSE(is_below("/a/b/", "/a/b"));
  EXPECT_FALSE(is_below("/a/b", "/a/b/"));
  EXPECT_TRUE(is_below("/a/b/c", "/a/b"));
  EXPECT_TRUE(is_below("/a/b/c", "/a/b/"));
  EXPECT_FALSE(is_below("/a/bc", "/a/b"));
  EXPECT_FALSE(is_below("/", "/"));
  EXPECT_TRUE(is_below("/a", "/"));
  EXPECT_FALSE(is_below("/a", ""));
}

TEST(ChildPath, OneSlashBetweenAndNoneDoubledUnderTheRoot) {
  EXPECT_EQ(child_path("/a/b", "c.py"), "/a/b/c.py");
  EXPECT_EQ(child_path("/", "etc"), "/etc");
  EXPECT_EQ(child_path("rel", "x"), "rel/x");
}

TEST(JoinedPath, SpelledAsFsPathsOperatorSlash) {
  for (const char* dir : {"/a/b", "/a/b/", "/", "", "rel", "rel/", "//a", "/a/./b/.."})
    for (const char* rel : {"pyvenv.cfg", "lib/python3.12/os.py", "Modules/Setup.local"})
      EXPECT_EQ(joined_path(dir, rel), (fs::path(dir) / rel).native()) << dir << " / " << rel;
}

TEST(SelfExeDir, TheParentPathsOfSelfExe) {
  ASSERT_FALSE(self_exe().empty());
  EXPECT_EQ(self_exe_dir(), self_exe().parent_path().native());
  EXPECT_EQ(self_exe_dir(2), self_exe().parent_path().parent_path().native());
  EXPECT_EQ(self_exe_dir(99), "/");
}

// A wheel holds no links: pycache and pycache-python are two copies in the
// environment's bin/, and uv tool links them from ~/.local/bin.
TEST(SameProgram, ItselfALinkToItOrACopyBesideIt) {
  test::TempDir t;
  const fs::path& dir = t.path();
  fs::create_directories(dir / "venv/bin");
  fs::create_directories(dir / "links");
  fs::create_directories(dir / "other");
  const fs::path self = dir / "venv/bin/pycache";
  auto write = [](const fs::path& p, const std::string& text) {
    FILE* f = std::fopen(p.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(text.c_str(), f);
    std::fclose(f);
  };
  write(self, "program");
  write(dir / "venv/bin/pycache-python", "program");   // the wheel's copy
  write(dir / "venv/bin/pycache-older", "program-1");  // another size
  write(dir / "other/pycache-python", "program");      // a copy elsewhere
  fs::create_symlink(self, dir / "links/pycache");
  fs::create_symlink(dir / "venv/bin/pycache-python", dir / "links/pycache-python");
  fs::create_directories(dir / "venv/bin/pycache-dir");
  EXPECT_TRUE(same_program(self, self));
  EXPECT_TRUE(same_program(dir / "links/pycache", self));
  EXPECT_TRUE(same_program(dir / "venv/bin/pycache-python", self));
  EXPECT_TRUE(same_program(dir / "links/pycache-python", self));
  EXPECT_FALSE(same_program(dir / "venv/bin/pycache-older", self));
  EXPECT_FALSE(same_program(dir / "other/pycache-python", self));
  EXPECT_FALSE(same_program(dir / "venv/bin/pycache-dir", self));
  EXPECT_FALSE(same_program(dir / "venv/bin/absent", self));
  if (::geteuid() == 0) {  // another owner's file of the same size is not ours
    ASSERT_EQ(::chown((dir / "venv/bin/pycache-python").c_str(), 65534, 65534), 0);
    EXPECT_FALSE(same_program(dir / "venv/bin/pycache-python", self));
  }
}

TEST(PathEntries, EveryEntryInOrderAnEmptyOneEmpty) {
  using V = std::vector<std::string>;
  EXPECT_EQ(path_entries("/usr/bin:/bin"), (V{"/usr/bin", "/bin"}));
  EXPECT_EQ(path_entries(".:/usr/bin::bin:/bin:"), (V{".", "/usr/bin", "", "bin", "/bin", ""}));
  EXPECT_EQ(path_entries(":"), (V{"", ""}));
  EXPECT_EQ(path_entries(""), V{""});
  EXPECT_EQ(path_entries("/a b:/c\\:d"), (V{"/a b", "/c\\", "d"}));
}

TEST(AbsolutePathEntries, EmptyAndRelativeEntriesAreLeftOut) {
  using V = std::vector<fs::path>;
  EXPECT_EQ(absolute_path_entries("/usr/bin:/bin"), (V{"/usr/bin", "/bin"}));
  EXPECT_EQ(absolute_path_entries(".:/usr/bin::bin:/bin:"), (V{"/usr/bin", "/bin"}));
  EXPECT_EQ(absolute_path_entries(":"), V{});
  EXPECT_EQ(absolute_path_entries(""), V{});
  EXPECT_EQ(absolute_path_entries("./x:../y:~/bin"), V{});
}

TEST(CurrentDir, EmptyOnceRemoved) {
  const fs::path was = fs::current_path();
  const fs::path gone = fs::temp_directory_path() / ("pycache-gone-" + std::to_string(::getpid()));
  fs::create_directories(gone);
  fs::current_path(gone);
  EXPECT_EQ(current_dir(), gone);
  fs::remove(gone);
  EXPECT_EQ(current_dir(), fs::path());
  fs::current_path(was);
}

}  // namespace
}  // namespace pycache
