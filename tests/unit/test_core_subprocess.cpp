#include "pycache/subprocess.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace pycache {
namespace {

TEST(Subprocess, FeedsLargeInputWhileReadingOutput) {
  // More than any pipe buffer both ways: a sequential write-then-read would deadlock.
  std::string input;
  for (int i = 0; i < 200000; ++i) input += "line " + std::to_string(i) + '\n';
  auto o = run_program({"cat"}, "/", input);
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->exit_code, 0);
  EXPECT_EQ(o->out, input);
}

TEST(Subprocess, ExitStatusStderrAndWorkingDirectory) {
  auto o = run_program({"sh", "-c", "pwd; echo oops >&2; exit 7"}, "/tmp");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->exit_code, 7);
  EXPECT_EQ(o->out, "/tmp\n");
  EXPECT_EQ(o->err, "oops\n");
}

TEST(Subprocess, ProgramThatStopsReadingEarly) {
  auto o = run_program({"head", "-c", "3"}, "/", std::string(1 << 20, 'x'));
  ASSERT_TRUE(o);
  EXPECT_EQ(o->out, "xxx");
}

TEST(Subprocess, MissingProgramIsAnError) {
  auto o = run_program({"pycache-no-such-program-here"}, "/");
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error().code, kExitEnvironment);
  EXPECT_NE(o.error().message.find("pycache-no-such-program-here"), std::string::npos);
}

// A relative PATH entry would be resolved in the directory the program is
// started in (git is started in the tree it walks): only absolute ones count.
TEST(Subprocess, ProgramsAreFoundInAbsolutePathEntriesOnly) {
  const std::string saved = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", ".::bin:/usr/bin", 1);
  auto sh = find_program("sh");
  ASSERT_TRUE(sh) << sh.error().message;
  EXPECT_EQ(*sh, fs::path("/usr/bin/sh"));
  auto o = run_program({"sh", "-c", "echo ok"}, "/usr/bin");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->out, "ok\n");
  ::setenv("PATH", ".:bin", 1);
  auto none = run_program({"sh", "-c", "echo ran"}, "/usr");  // /usr/bin/sh is bin/sh there
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message, "could not run 'sh': not found in PATH's absolute directories");
  EXPECT_FALSE(find_program("usr/bin/sh")) << "a name with a slash is no PATH name";
  ::setenv("PATH", saved.c_str(), 1);
}

}  // namespace
}  // namespace pycache
