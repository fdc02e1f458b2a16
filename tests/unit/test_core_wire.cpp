#include "pycache/wire.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace pycache::wire {
namespace {

std::string sample() {
  Writer w("test/1");
  w.field("a:b;c\x1e\x1f").field("").number(-42).number(std::uint64_t{0xffff'ffff'ffff'ffff}).flag(true);
  return w.take();
}

TEST(Wire, FieldsNumbersAndFlagsRoundTrip) {
  const std::string text = sample();
  Reader r(text);
  std::string s, empty;
  int n = 0;
  std::uint64_t big = 0;
  bool b = false;
  ASSERT_TRUE(r.tag("test/1"));
  ASSERT_TRUE(r.field(s) && r.field(empty) && r.number(n) && r.number(big) && r.flag(b));
  EXPECT_EQ(s, "a:b;c\x1e\x1f");
  EXPECT_EQ(empty, "");
  EXPECT_EQ(n, -42);
  EXPECT_EQ(big, 0xffff'ffff'ffff'ffffu);
  EXPECT_TRUE(b);
  EXPECT_TRUE(r.done());
}

TEST(Wire, NoNulByteIsAddedSoAMessageFitsAnEnvironmentVariable) {
  EXPECT_EQ(sample().find('\0'), std::string::npos);
  EXPECT_EQ(sample().rfind("6:test/1", 0), 0u);
}

TEST(Wire, EveryTruncationFailsCleanly) {
  const std::string good = sample();
  for (std::size_t cut = 0; cut < good.size(); ++cut) {
    Reader r(std::string_view(good).substr(0, cut));
    std::string s, empty;
    int n = 0;
    std::uint64_t big = 0;
    bool b = false;
    r.tag("test/1") && r.field(s) && r.field(empty) && r.number(n) && r.number(big) && r.flag(b);
    EXPECT_FALSE(r.done()) << "cut at " << cut;
  }
}

TEST(Wire, AnOverlongOrMalformedLengthFails) {
  for (std::string_view text :
       {"5:abc", "99999999999999999999999:x", "-1:x", "+1:x", " 1:x", "1x:x", ":x", "x", "18446744073709551616:x"}) {
    Reader r(text);
    std::string s;
    EXPECT_FALSE(r.field(s)) << text;
    EXPECT_FALSE(r.ok()) << text;
  }
}

TEST(Wire, AFailedReadFailsEveryReadAfterIt) {
  Reader r("3:abc1:x");
  std::string s;
  int n = 0;
  EXPECT_FALSE(r.number(n)) << "abc is no number";
  EXPECT_FALSE(r.field(s)) << "the next field is well formed, but the reader has failed";
  EXPECT_FALSE(r.done());
}

TEST(Wire, NumbersAndFlagsOutOfRangeOrGarbageFail) {
  auto number_fails = [](std::string_view text, auto value) {
    Reader r(text);
    return !r.number(value);
  };
  EXPECT_TRUE(number_fails("0:", 0));
  EXPECT_TRUE(number_fails("3:1.5", 0));
  EXPECT_TRUE(number_fails("2:1x", 0));
  EXPECT_TRUE(number_fails("2: 1", 0));
  EXPECT_TRUE(number_fails("2:-1", std::uint32_t{0}));
  EXPECT_TRUE(number_fails("10:4294967296", std::uint32_t{0}));
  EXPECT_TRUE(number_fails("11:-2147483649", 0));
  EXPECT_FALSE(number_fails("10:4294967295", std::uint32_t{0}));
  for (std::string_view text : {"0:", "1:2", "4:true", "2:01"}) {
    Reader r(text);
    bool b = false;
    EXPECT_FALSE(r.flag(b)) << text;
  }
}

TEST(Wire, AnotherTagFails) {
  EXPECT_FALSE(Reader(sample()).tag("test/2"));
  EXPECT_FALSE(Reader("").tag("test/1"));
  EXPECT_FALSE(Reader("garbage").tag("test/1"));
}

TEST(Wire, FramesAnnounceTheirLengthInAFixedHeader) {
  const std::string f = frame("hello");
  EXPECT_EQ(f, "0000000005:hello");
  ASSERT_EQ(frame_length(std::string_view(f).substr(0, kFrameHeader), 100), 5u);
  EXPECT_EQ(frame_length("0000000000:", 0), 0u);
  // The frame is itself a field: a Reader reads the message back.
  Reader r(f);
  std::string message;
  ASSERT_TRUE(r.field(message));
  EXPECT_EQ(message, "hello");
  EXPECT_FALSE(frame_length("0000000101:", 100)) << "over the limit";
  EXPECT_FALSE(frame_length("000000005:", 100)) << "too short";
  EXPECT_FALSE(frame_length("00000000050", 100)) << "no colon";
  EXPECT_FALSE(frame_length("00000x0005:", 100)) << "garbage";
  EXPECT_FALSE(frame_length("-000000005:", 100)) << "garbage";
}

}  // namespace
}  // namespace pycache::wire
