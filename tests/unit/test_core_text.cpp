#include "pycache/text.hpp"

#include <gtest/gtest.h>

namespace pycache {
namespace {

TEST(EditDistance, Basics) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("run", "run"), 0u);
  EXPECT_EQ(edit_distance("rn", "run"), 1u);
  EXPECT_EQ(edit_distance("clena", "clean"), 1u);
  EXPECT_EQ(edit_distance("rnu", "run"), 1u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
}

TEST(ClosestMatch, OnlyPlausibleTypos) {
  std::string_view names[] = {"run", "clean", "compile", "status", "show", "policy"};
  EXPECT_EQ(closest_match("rn", names), "run");
  EXPECT_EQ(closest_match("compil", names), "compile");
  EXPECT_EQ(closest_match("stauts", names), "status");
  EXPECT_EQ(closest_match("xyzzy", names), "");
}

TEST(Printable, EscapesControlAndInvalidBytes) {
  EXPECT_EQ(printable("plain"), "plain");
  EXPECT_EQ(printable("a\nb"), "a\\nb");
  EXPECT_EQ(printable("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(printable("bad\xff"), "bad\\xff");
}

}  // namespace
}  // namespace pycache
