#include "pycache/units.hpp"

#include <gtest/gtest.h>

namespace pycache {
namespace {

std::int64_t size(std::string_view s) {
  auto r = parse_size(s);
  EXPECT_TRUE(r) << s << ": " << (r ? "" : r.error().message);
  return r ? *r : -1;
}

std::int64_t seconds(std::string_view s) {
  auto r = parse_duration(s);
  EXPECT_TRUE(r) << s << ": " << (r ? "" : r.error().message);
  return r ? *r : -1;
}

TEST(ParseSize, BytesAndDecimalAndBinaryUnits) {
  EXPECT_EQ(size("0"), 0);
  EXPECT_EQ(size("1234"), 1234);
  EXPECT_EQ(size("500M"), 500'000'000);
  EXPECT_EQ(size("2G"), 2'000'000'000);
  EXPECT_EQ(size("2g"), 2'000'000'000);
  EXPECT_EQ(size("2GB"), 2'000'000'000);
  EXPECT_EQ(size("1.5G"), 1'500'000'000);
  EXPECT_EQ(size("10k"), 10'000);
  EXPECT_EQ(size("10K"), 10'000);
  EXPECT_EQ(size("1T"), 1'000'000'000'000);
  EXPECT_EQ(size("1Ki"), 1024);
  EXPECT_EQ(size("512MiB"), 512LL * 1024 * 1024);
  EXPECT_EQ(size("2Gi"), 2LL * 1024 * 1024 * 1024);
  EXPECT_EQ(size("7B"), 7);
}

TEST(ParseSize, RejectsWhatIsNotASize) {
  for (const char* bad : {"", "G", "-1", "1.5", "2X", "2 G", "1e9", "1..2G", "99999999999T", "GB"}) {
    auto r = parse_size(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, kExitUsage);
  }
  auto r = parse_size("2X");
  EXPECT_NE(r.error().message.find("'2X'"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("500M"), std::string::npos) << "shows an example";
}

TEST(ParseDuration, UnitsAndGroups) {
  EXPECT_EQ(seconds("45s"), 45);
  EXPECT_EQ(seconds("90m"), 90 * 60);
  EXPECT_EQ(seconds("12h"), 12 * 3600);
  EXPECT_EQ(seconds("30d"), 30 * 86400);
  EXPECT_EQ(seconds("2w"), 14 * 86400);
  EXPECT_EQ(seconds("1d12h"), 36 * 3600);
  EXPECT_EQ(seconds("0d"), 0);
}

TEST(ParseDuration, NeverGuessesAUnit) {
  for (const char* bad : {"", "30", "d", "30x", "1.5d", "-1d", "30 d", "30D", "99999999999999w"}) {
    auto r = parse_duration(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, kExitUsage);
  }
  EXPECT_NE(parse_duration("30").error().message.find("30d"), std::string::npos);
}

TEST(FormatSize, HumanUnitsMatchingParse) {
  EXPECT_EQ(format_size(0), "0 bytes");
  EXPECT_EQ(format_size(1), "1 byte");
  EXPECT_EQ(format_size(999), "999 bytes");
  EXPECT_EQ(format_size(1500), "1.5 kB");
  EXPECT_EQ(format_size(173'200'000), "173.2 MB");
  EXPECT_EQ(format_size(999'999), "1.0 MB");
  EXPECT_EQ(format_size(12'000'000'000), "12.0 GB");
  EXPECT_EQ(*parse_size("173.2M"), 173'200'000);
}

}  // namespace
}  // namespace pycache
