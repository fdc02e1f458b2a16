#include "pycache/pyc.hpp"

#include <gtest/gtest.h>

namespace pycache::pyc {
namespace {

TEST(PycHeader, RoundTripsEveryMode) {
  Header ts{3495, Invalidation::Timestamp, 1700000000, 1234, {}};
  Header checked{3495, Invalidation::CheckedHash, 0, 0, {1, 2, 3, 4, 5, 6, 7, 8}};
  Header unchecked{3571, Invalidation::UncheckedHash, 0, 0, {8, 7, 6, 5, 4, 3, 2, 1}};
  for (const Header& h : {ts, checked, unchecked}) {
    std::string bytes = format_header(h);
    ASSERT_EQ(bytes.size(), kHeaderSize);
    auto back = parse_header(bytes);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, h);
  }
  EXPECT_EQ(format_header(ts).substr(0, 8), std::string("\xa7\x0d\x0d\x0a\0\0\0\0", 8));
  EXPECT_EQ(static_cast<unsigned char>(format_header(checked)[4]), 3);
  EXPECT_EQ(static_cast<unsigned char>(format_header(unchecked)[4]), 1);
}

TEST(PycHeader, MtimeIsImportlibsIntOfTheDoubleStMtime) {
  constexpr std::int64_t s = 1'000'000'000;
  EXPECT_EQ(header_mtime(1700000000 * s), 1700000000u);
  EXPECT_EQ(header_mtime(1700000000 * s + 400'000'000), 1700000000u);
  // sec + ns * 1e-9 rounds to the next second as a double: int() sees it.
  EXPECT_EQ(header_mtime(1700000000 * s + 999'999'999), 1700000001u);
  EXPECT_EQ(header_mtime(1700000000 * s + 999'999'900), 1700000001u);
  // Truncation toward zero, then the low 32 bits of the two's complement.
  EXPECT_EQ(header_mtime(-s + 500'000'000), 0u);
  EXPECT_EQ(header_mtime(-2 * s), 4294967294u);
  EXPECT_EQ(header_mtime(((std::int64_t{1} << 32) + 5) * s + 3), 5u);
}

TEST(PycHeader, RejectsTruncatedEmptyAndGarbage) {
  EXPECT_FALSE(parse_header(""));
  EXPECT_FALSE(parse_header("\xa7\x0d"));
  EXPECT_FALSE(parse_header(std::string("\xa7\x0d\x0d\x0a\0\0\0\0", 8)));  // 3.11 needs 16
  EXPECT_FALSE(parse_header("import os\nprint(1)\n"));
  std::string bad_flags = format_header(Header{3495, Invalidation::Timestamp, 0, 0, {}});
  bad_flags[4] = 4;
  auto r = parse_header(bad_flags);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("flags"), std::string::npos);
}

TEST(PycHeader, OlderLayouts) {
  // 3.6: magic, mtime, size (12 bytes).
  std::string h36("\x33\x0d\x0d\x0a\x10\x00\x00\x00\x20\x00\x00\x00", 12);
  auto r = parse_header(h36);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->magic, 3379);
  EXPECT_EQ(r->source_mtime, 16u);
  EXPECT_EQ(r->source_size, 32u);
}

TEST(Magic, VersionsOfKnownReleases) {
  EXPECT_EQ(python_version_for_magic(3413), "3.8");
  EXPECT_EQ(python_version_for_magic(3439), "3.10");
  EXPECT_EQ(python_version_for_magic(3495), "3.11");
  EXPECT_EQ(python_version_for_magic(3531), "3.12");
  EXPECT_EQ(python_version_for_magic(3571), "3.13");
  EXPECT_EQ(python_version_for_magic(62211), "2.7");
  EXPECT_EQ(python_version_for_magic(42), std::nullopt);
}

TEST(CacheNames, ParseEveryKind) {
  auto a = parse_cache_name("mod.cpython-311.pyc");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, CacheKind::Pyc);
  EXPECT_EQ(a->module, "mod");
  EXPECT_EQ(a->tag, "cpython-311");
  EXPECT_EQ(a->optimize, 0);
  auto b = parse_cache_name("a.b.cpython-312.opt-2.pyc");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->module, "a.b");
  EXPECT_EQ(b->optimize, 2);
  auto c = parse_cache_name("test_x.cpython-311-pytest-7.2.1.pyc");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, CacheKind::PytestPyc);
  EXPECT_EQ(c->module, "test_x");
  EXPECT_EQ(c->tag, "cpython-311");
  auto d = parse_cache_name("mod.cpython-311.pyc.140234567");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, CacheKind::TempFile);
  EXPECT_EQ(d->module, "mod");
  for (auto n : {"mod.py", "notes.txt", "mod.pyc", ".pyc", "mod.cpython-311.pyc.tmp", "x.cpython-311.opt-a.pyc",
                 "mod.cpython-311.pyc.12ab"})
    EXPECT_FALSE(parse_cache_name(n)) << n;
}

TEST(CacheNames, Legacy) {
  EXPECT_TRUE(is_legacy_name("mod.pyc"));
  EXPECT_TRUE(is_legacy_name("mod.pyo"));
  EXPECT_FALSE(is_legacy_name("mod.py"));
  EXPECT_FALSE(is_legacy_name(".pyc"));
}

TEST(CachePaths, AsImportlib) {
  EXPECT_EQ(cache_from_source("/a/b/mod.py", "cpython-311", 0), "/a/b/__pycache__/mod.cpython-311.pyc");
  EXPECT_EQ(cache_from_source("/a/b/mod.py", "cpython-311", 1), "/a/b/__pycache__/mod.cpython-311.opt-1.pyc");
  EXPECT_EQ(cache_from_source("/a/b/x.y.py", "cpython-311", 2, "/pfx"), "/pfx/a/b/x.y.cpython-311.opt-2.pyc");
  EXPECT_EQ(cache_file_name("x.y.py", "cpython-311", 2), "x.y.cpython-311.opt-2.pyc");
  // importlib's own results for odd names (base or rest, then the separator).
  EXPECT_EQ(cache_file_name("noext", "cpython-311", 0), "noextcpython-311.pyc");
  EXPECT_EQ(cache_file_name(".hidden", "cpython-311", 0), "hidden.cpython-311.pyc");
  EXPECT_EQ(cache_file_name("..py", "cpython-311", 0), "..cpython-311.pyc");
  EXPECT_EQ(cache_from_source("/m.py", "cpython-311", 0, "/pfx"), "/pfx/m.cpython-311.pyc");
  EXPECT_EQ(source_from_cache("/a/b/__pycache__/mod.cpython-311.opt-1.pyc"), "/a/b/mod.py");
  EXPECT_EQ(source_from_cache("/pfx/a/b/x.y.cpython-311.pyc", "/pfx"), "/a/b/x.y.py");
  EXPECT_EQ(source_from_cache("/a/b/legacy.pyc"), "/a/b/legacy.py");
  // Outside the prefix a *.pyc is a legacy pyc, whatever its name.
  EXPECT_EQ(source_from_cache("/pfxother/a.cpython-311.pyc", "/pfx"), "/pfxother/a.cpython-311.py");
  EXPECT_EQ(source_from_cache("/pfx/a/m.cpython-311.pyc.123", "/pfx"), std::nullopt);
  EXPECT_EQ(source_from_cache("/a/__pycache__/junk.txt"), std::nullopt);
}

}  // namespace
}  // namespace pycache::pyc

namespace pycache::pyc {
namespace {

TEST(CacheNames, OptOnlyAsTheLastComponent) {
  // A module whose name holds ".opt-": compileall writes a.opt-b.TAG.pyc for a.opt-b.py.
  auto a = parse_cache_name("a.opt-b.cpython-311.pyc");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->module, "a.opt-b");
  EXPECT_EQ(a->tag, "cpython-311");
  EXPECT_EQ(a->optimize, 0);
  auto b = parse_cache_name("a.opt-b.cpython-311.opt-1.pyc");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->module, "a.opt-b");
  EXPECT_EQ(b->optimize, 1);
  EXPECT_FALSE(parse_cache_name("m.opt-1.pyc")) << "no tag";
  EXPECT_FALSE(parse_cache_name(".opt-1.pyc"));
  EXPECT_FALSE(parse_cache_name("m.opt-.opt-0.pyc")) << "a tag never starts with opt-";
  // Whatever parses rebuilds to a name that parses the same (found by fuzzing).
  for (auto n : {"a.opt-b.cpython-311.pyc", ".opt-eeee,.eeeeeeeeeeeeep.opt-0.pyc", "x.cpython-311.opt-03.pyc"}) {
    auto p = parse_cache_name(n);
    ASSERT_TRUE(p) << n;
    auto again =
        parse_cache_name(cache_from_source("/d/" + p->module + ".py", p->tag, p->optimize).filename().native());
    ASSERT_TRUE(again) << n;
    EXPECT_EQ(again->module, p->module) << n;
    EXPECT_EQ(again->optimize, p->optimize) << n;
  }
}

TEST(PycHeader, SourceSizeFromPython33On) {
  EXPECT_FALSE(header_has_size(3180));  // 3.2
  EXPECT_TRUE(header_has_size(3190));   // the first 3.3 alpha
  EXPECT_TRUE(header_has_size(3230));   // 3.3
  EXPECT_TRUE(header_has_size(3495));   // 3.11
  EXPECT_TRUE(header_has_size(19999));
  EXPECT_FALSE(header_has_size(20000));
  EXPECT_FALSE(header_has_size(62211));  // 2.7
}

TEST(CacheTag, VersionsTagsAndMagicNumbersConvertOneWay) {
  EXPECT_EQ(cache_tag_of_version("3.11"), "cpython-311");
  EXPECT_EQ(cache_tag_of_version("3.11.2"), "cpython-311");
  EXPECT_EQ(cache_tag_of_version("3.13t"), "cpython-313") << "free-threaded builds keep the tag";
  EXPECT_EQ(cache_tag_of_version("3.8"), "cpython-38");
  for (std::string_view bad : {"", "3", "3.", ".11", "3.x", "/usr/bin/python3"})
    EXPECT_EQ(cache_tag_of_version(bad), "") << bad;
  EXPECT_EQ(version_of_cache_tag("cpython-311"), "3.11");
  EXPECT_EQ(version_of_cache_tag("cpython-38"), "3.8");
  for (std::string_view bad : {"pypy39", "cpython-3", "cpython-3x1", ""})
    EXPECT_EQ(version_of_cache_tag(bad), "") << bad;
  EXPECT_EQ(cache_tag_of_magic(3495), "cpython-311");
  EXPECT_EQ(cache_tag_of_magic(3413), "cpython-38");
  EXPECT_EQ(cache_tag_of_magic(1), "magic-1");
  for (std::string_view v : {"3.8", "3.10", "3.13"}) EXPECT_EQ(version_of_cache_tag(cache_tag_of_version(v)), v);
}

}  // namespace
}  // namespace pycache::pyc
