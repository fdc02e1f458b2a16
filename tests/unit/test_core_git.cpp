#include "pycache/git.hpp"

#include <gtest/gtest.h>

#include "fake_fs.hpp"

namespace pycache::git {
namespace {

TEST(Git, BytecodePathsByName) {
  for (const char* yes : {"a.pyc", "x/y/a.pyo", "__pycache__/m.cpython-311.pyc", "p/__pycache__/m.cpython-311.pyc.1234",
                          "p/__pycache__/README", "/abs/__pycache__/x"})
    EXPECT_TRUE(is_bytecode_path(yes)) << yes;
  for (const char* no : {"a.py", ".pyc", "p/__pycache__", "not__pycache__/x", "__pycache__x/y", "pyc", "a.pyc.txt"})
    EXPECT_FALSE(is_bytecode_path(no)) << no;
}

TEST(Git, WorkTreeIsTheNearestDotGitDirOrFile) {
  test::FakeFileSystem f;
  f.add_dir("/r/.git");
  f.add_dir("/r/a/b/c");
  f.add_file("/r/wt/.git", "gitdir: /r/.git/worktrees/wt\n");
  f.add_dir("/r/wt/src");
  f.add_dir("/elsewhere/x");
  EXPECT_EQ(find_work_tree(f, "/r/a/b/c"), fs::path("/r"));
  EXPECT_EQ(find_work_tree(f, "/r"), fs::path("/r"));
  EXPECT_EQ(find_work_tree(f, "/r/wt/src"), fs::path("/r/wt"));
  EXPECT_EQ(find_work_tree(f, "/elsewhere/x"), std::nullopt);
}

}  // namespace
}  // namespace pycache::git
