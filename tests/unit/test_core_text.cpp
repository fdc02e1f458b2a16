#include "pycache/text.hpp"

#include <gtest/gtest.h>

#include "utf8_cases.hpp"

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

TEST(DidYouMean, EndsAMessageOrAddsNothing) {
  EXPECT_EQ(did_you_mean("run"), "; did you mean 'run'?");
  EXPECT_EQ(did_you_mean(""), "");
  EXPECT_EQ(did_you_mean("a\x1b"), "; did you mean 'a\\x1b'?");
}

TEST(Printable, EscapesControlAndInvalidBytes) {
  EXPECT_EQ(printable("plain"), "plain");
  EXPECT_EQ(printable("a\nb"), "a\\nb");
  EXPECT_EQ(printable("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(printable("bad\xff"), "bad\\xff");
}

TEST(Printable, Utf8Table) {
  for (const auto& c : test::kUtf8Cases) EXPECT_EQ(printable(c.input), c.printable) << c.what;
}

TEST(Printable, ControlBytesAndDel) {
  EXPECT_EQ(printable(std::string_view("\0", 1)), "\\x00");
  EXPECT_EQ(printable("\x01\x1f"), "\\x01\\x1f");
  EXPECT_EQ(printable("\r"), "\\x0d");
  EXPECT_EQ(printable("\t"), "\\t");
  EXPECT_EQ(printable("a\x7f"
                      "b"),
            "a\\x7fb");
  EXPECT_EQ(printable(" ~"), " ~");
}

TEST(NextUtf8, DecodesAndAdvances) {
  std::string_view s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
  std::size_t pos = 0;
  EXPECT_EQ(next_utf8(s, pos), U'a');
  EXPECT_EQ(pos, 1u);
  EXPECT_EQ(next_utf8(s, pos), U'\u00e9');
  EXPECT_EQ(pos, 3u);
  EXPECT_EQ(next_utf8(s, pos), U'\u20ac');
  EXPECT_EQ(pos, 6u);
  EXPECT_EQ(next_utf8(s, pos), U'\U0001F600');
  EXPECT_EQ(pos, 10u);
}

TEST(NextUtf8, AnInvalidByteIsSkippedAlone) {
  for (std::string_view bad : {"\xf8\x80\x80", "\xed\xa0\x80", "\xe0\x80\xaf", "\xf4\x90\x80\x80", "\xc3", "\x80"}) {
    std::size_t pos = 0;
    EXPECT_EQ(next_utf8(bad, pos), std::nullopt) << printable(bad);
    EXPECT_EQ(pos, 1u) << printable(bad);
  }
  std::size_t pos = 0;
  EXPECT_EQ(next_utf8("\x7f", pos), U'\x7f');  // control bytes are the callers' to escape
}

TEST(Trim, BlanksAroundAndALinesCarriageReturnOnly) {
  EXPECT_EQ(trim("  3.12\t\r"), "3.12");
  EXPECT_EQ(trim("a b"), "a b");
  EXPECT_EQ(trim(" \t "), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("\r3.12"), "\r3.12") << "a carriage return only ends a line";
  EXPECT_EQ(trim("x\n"), "x\n") << "lines are split before";
}

}  // namespace
}  // namespace pycache
