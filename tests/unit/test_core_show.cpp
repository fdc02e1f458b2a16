#include "pycache/show.hpp"

#include <gtest/gtest.h>

#include "fake_fs.hpp"

namespace pycache::show {
namespace {

using test::FakeFileSystem;

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::uint16_t k311 = 3495, k38 = 3413;

// A stand-in for importlib.util.source_hash: the first 8 bytes of the source.
SourceHash fake_hash(std::string_view s) {
  SourceHash h{};
  for (std::size_t i = 0; i < 8 && i < s.size(); ++i) h[i] = static_cast<std::uint8_t>(s[i]);
  return h;
}

std::string ts_pyc(std::uint16_t magic, std::uint32_t mtime, std::uint32_t size) {
  return pyc::format_header(pyc::Header{magic, pyc::Invalidation::Timestamp, mtime, size, {}}) + "body";
}
std::string hash_pyc(std::uint16_t magic, pyc::Invalidation mode, SourceHash h) {
  return pyc::format_header(pyc::Header{magic, mode, 0, 0, h}) + "body";
}

struct ShowTest : ::testing::Test {
  FakeFileSystem f;
  Context ctx;
  int hashes = 0;
  void SetUp() override {
    ctx.fs = &f;
    ctx.tag = "cpython-311";
    ctx.magic = k311;
    ctx.hash = [this](std::string_view s, std::uint16_t, std::string&) -> std::optional<SourceHash> {
      ++hashes;
      return fake_hash(s);
    };
  }
};

TEST_F(ShowTest, TimestampPycFreshAndStale) {
  f.add_file("/p/m.py", "m = 1\n", 1'700'000'000 * kSecond);
  f.add_file("/p/__pycache__/m.cpython-311.pyc", ts_pyc(k311, 1'700'000'000, 6));
  auto r = inspect_pyc(ctx, "/p/__pycache__/m.cpython-311.pyc");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->freshness, Freshness::Fresh);
  EXPECT_EQ(r->source, fs::path("/p/m.py"));
  EXPECT_EQ(r->flags, 0u);
  EXPECT_EQ(r->python, "3.11");
  EXPECT_TRUE(r->loadable);
  EXPECT_TRUE(r->checked_at_import);
  EXPECT_EQ(r->size, 20u);
  EXPECT_EQ(hashes, 0) << "timestamp pycs need no hash";
  std::string text = format_pyc(*r);
  EXPECT_NE(text.find("magic   3495: Python 3.11 (the embedded interpreter's)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("flags   0x0: timestamp\n"), std::string::npos) << text;
  EXPECT_NE(text.find("mtime   2023-11-14 22:13:20 UTC (1700000000)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("size    6 bytes\n"), std::string::npos) << text;
  EXPECT_NE(text.find("status  fresh: the source's mtime and size match\n"), std::string::npos) << text;

  f.add_file("/p/m.py", "m = 12\n", 1'700'000'001 * kSecond);
  r = inspect_pyc(ctx, "/p/__pycache__/m.cpython-311.pyc");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->freshness, Freshness::Stale);
  EXPECT_NE(r->detail.find("the source's mtime is 2023-11-14 22:13:21 UTC, the pyc records 2023-11-14 22:13:20 UTC"),
            std::string::npos)
      << r->detail;
  EXPECT_NE(r->detail.find("the source's size is 7 bytes, the pyc records 6"), std::string::npos) << r->detail;
}

TEST_F(ShowTest, HashPycsAreCheckedThroughTheInterpreterHash) {
  f.add_file("/p/m.py", "print('hello')\n");
  f.add_file("/p/__pycache__/m.cpython-311.pyc",
             hash_pyc(k311, pyc::Invalidation::CheckedHash, fake_hash("print('hello')\n")));
  f.add_file("/p/__pycache__/m.cpython-311.opt-1.pyc",
             hash_pyc(k311, pyc::Invalidation::UncheckedHash, fake_hash("old")));
  auto fresh = inspect_pyc(ctx, "/p/__pycache__/m.cpython-311.pyc");
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->freshness, Freshness::Fresh);
  EXPECT_EQ(fresh->flags, 3u);
  EXPECT_TRUE(fresh->checked_at_import);
  EXPECT_NE(format_pyc(*fresh).find("hash    7072696e74282768\n"), std::string::npos) << format_pyc(*fresh);

  auto stale = inspect_pyc(ctx, "/p/__pycache__/m.cpython-311.opt-1.pyc");
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->freshness, Freshness::Stale);
  EXPECT_EQ(stale->flags, 1u);
  EXPECT_FALSE(stale->checked_at_import) << "unchecked-hash under check-hash-based-pycs = default";
  EXPECT_EQ(stale->detail, "the source's hash is now 7072696e74282768");
  EXPECT_NE(format_pyc(*stale).find(
                "does not check it (unchecked-hash, check-hash-based-pycs = \"default\"): the stale bytecode runs"),
            std::string::npos)
      << format_pyc(*stale);
  EXPECT_EQ(hashes, 2);
}

TEST_F(ShowTest, CheckHashModeDecidesWhatImportChecks) {
  f.add_file("/p/m.py", "x");
  f.add_file("/p/__pycache__/m.cpython-311.pyc", hash_pyc(k311, pyc::Invalidation::CheckedHash, {}));
  f.add_file("/p/__pycache__/m.cpython-311.opt-1.pyc", hash_pyc(k311, pyc::Invalidation::UncheckedHash, {}));
  struct Case {
    const char* mode;
    bool checked, unchecked;
  };
  for (Case c : {Case{"default", true, false}, Case{"always", true, true}, Case{"never", false, false}}) {
    ctx.check_hash_pycs = c.mode;
    EXPECT_EQ(inspect_pyc(ctx, "/p/__pycache__/m.cpython-311.pyc")->checked_at_import, c.checked) << c.mode;
    EXPECT_EQ(inspect_pyc(ctx, "/p/__pycache__/m.cpython-311.opt-1.pyc")->checked_at_import, c.unchecked) << c.mode;
  }
}

TEST_F(ShowTest, AnotherPythonsHashIsCheckedWithItsOwnKey) {
  std::uint16_t keyed = 0;
  ctx.hash = [&](std::string_view s, std::uint16_t magic, std::string&) -> std::optional<SourceHash> {
    keyed = magic;
    return fake_hash(s);
  };
  f.add_file("/p/m.py", "x");
  f.add_file("/p/__pycache__/m.cpython-38.pyc", hash_pyc(k38, pyc::Invalidation::CheckedHash, fake_hash("x")));
  auto r = inspect_pyc(ctx, "/p/__pycache__/m.cpython-38.pyc");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->freshness, Freshness::Fresh);
  EXPECT_EQ(keyed, k38) << "hashed as Python 3.8 hashes, keyed by its magic";
  EXPECT_FALSE(r->loadable);
  EXPECT_NE(format_pyc(*r).find("3413: Python 3.8 (not the embedded interpreter's)"), std::string::npos);
}

TEST_F(ShowTest, HashFailureIsUnverifiable) {
  ctx.hash = [](std::string_view, std::uint16_t, std::string& error) -> std::optional<SourceHash> {
    error = "the embedded Python 3.11.2 could not start";
    return std::nullopt;
  };
  f.add_file("/p/m.py", "x");
  f.add_file("/p/__pycache__/m.cpython-311.pyc", hash_pyc(k311, pyc::Invalidation::CheckedHash, {}));
  auto r = inspect_pyc(ctx, "/p/__pycache__/m.cpython-311.pyc");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->freshness, Freshness::Unverifiable);
  EXPECT_NE(r->detail.find("could not start"), std::string::npos);
}

TEST_F(ShowTest, SourcesOfLegacyPrefixAndUnknownPycs) {
  f.add_file("/p/legacy.pyc", ts_pyc(k311, 0, 0));
  auto legacy = inspect_pyc(ctx, "/p/legacy.pyc");
  ASSERT_TRUE(legacy);
  EXPECT_EQ(legacy->source, fs::path("/p/legacy.py"));
  EXPECT_EQ(legacy->freshness, Freshness::Orphaned);
  EXPECT_EQ(legacy->detail, "its source /p/legacy.py does not exist");

  f.add_file("/proj/m.py", "", 5 * kSecond);
  f.add_file("/pfx/proj/m.cpython-311.pyc", ts_pyc(k311, 5, 0));
  auto unknown = inspect_pyc(ctx, "/pfx/proj/m.cpython-311.pyc");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->freshness, Freshness::Unknown);
  EXPECT_NE(unknown->detail.find("--cache-prefix"), std::string::npos);
  ctx.prefix = "/pfx";
  auto mirrored = inspect_pyc(ctx, "/pfx/proj/m.cpython-311.pyc");
  ASSERT_TRUE(mirrored);
  EXPECT_EQ(mirrored->source, fs::path("/proj/m.py"));
  EXPECT_EQ(mirrored->freshness, Freshness::Fresh);

  f.add_file("/p/data.bin", ts_pyc(k311, 0, 0));
  auto odd = inspect_pyc(ctx, "/p/data.bin");
  ASSERT_TRUE(odd) << "any file holding a pyc header is decoded";
  EXPECT_EQ(odd->freshness, Freshness::Unknown);
}

TEST_F(ShowTest, OlderHeaderLayouts) {
  // 3.6: magic, mtime, size; no flags word.
  f.add_file("/p/m.py", "abc", 7 * kSecond);
  f.add_file("/p/__pycache__/m.cpython-36.pyc",
             std::string("\x33\x0d\x0d\x0a\x07\x00\x00\x00\x03\x00\x00\x00", 12) + "body");
  auto r = inspect_pyc(ctx, "/p/__pycache__/m.cpython-36.pyc");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->flags, std::nullopt);
  EXPECT_EQ(r->python, "3.6");
  EXPECT_EQ(r->freshness, Freshness::Fresh);
  EXPECT_NE(format_pyc(*r).find("flags   none (a header from before Python 3.7: timestamp)"), std::string::npos);
  EXPECT_NE(format_pyc_json(*r, std::nullopt).find("\"flags\":null"), std::string::npos);
}

TEST_F(ShowTest, BrokenFilesAreOneLineErrors) {
  f.add_file("/p/empty.pyc", "");
  f.add_file("/p/short.pyc", std::string("\xa7\x0d\x0d\x0a\0\0", 6));
  f.add_file("/p/text.pyc", "print('not bytecode')\n");
  f.add_file("/p/flags.pyc", std::string("\xa7\x0d\x0d\x0a\x08\0\0\0", 8) + std::string(8, '\0'));
  f.add_dir("/p/dir.pyc");
  f.add_file("/p/locked.pyc", ts_pyc(k311, 0, 0));
  f.fail(FakeFileSystem::Op::Read, "/p/locked.pyc", EACCES);
  struct Case {
    const char* path;
    ExitCode code;
    const char* says;
  };
  for (Case c :
       {Case{"/p/empty.pyc", kExitFailure, "empty file"}, Case{"/p/short.pyc", kExitFailure, "truncated pyc: 6 bytes"},
        Case{"/p/text.pyc", kExitFailure, "not a pyc"}, Case{"/p/flags.pyc", kExitFailure, "invalid pyc flags 0x8"},
        Case{"/p/dir.pyc", kExitUsage, "is a directory"}, Case{"/p/none.pyc", kExitUsage, "no such file"},
        Case{"/p/locked.pyc", kExitFailure, "Permission denied"}}) {
    auto r = inspect_pyc(ctx, c.path);
    ASSERT_FALSE(r) << c.path;
    EXPECT_EQ(r.error().code, c.code) << c.path;
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << "one line";
    EXPECT_EQ(r.error().message.rfind(std::string("'") + c.path + "'", 0), 0u) << r.error().message;
  }
}

TEST_F(ShowTest, SourceReportListsEveryLevelAndTheOtherPycs) {
  f.add_file("/p/m.py", "m = 1\n", 10 * kSecond);
  f.add_file("/p/__pycache__/m.cpython-311.pyc", ts_pyc(k311, 10, 6));
  f.add_file("/p/__pycache__/m.cpython-311.opt-2.pyc", "garbage!");
  f.add_file("/p/__pycache__/m.cpython-38.pyc", ts_pyc(k38, 10, 6));
  f.add_file("/p/__pycache__/mm.cpython-311.pyc", ts_pyc(k311, 10, 6));  // another module
  f.add_file("/p/m.pyc", ts_pyc(k311, 10, 6));
  SourceReport r = inspect_source(ctx, "/p/m.py", 2);
  EXPECT_TRUE(r.exists);
  ASSERT_EQ(r.levels.size(), 3u);
  EXPECT_EQ(r.levels[0].path, fs::path("/p/__pycache__/m.cpython-311.pyc"));
  EXPECT_TRUE(r.levels[0].exists);
  ASSERT_TRUE(r.levels[0].report);
  EXPECT_EQ(r.levels[0].report->freshness, Freshness::Fresh);
  EXPECT_FALSE(r.levels[1].exists);
  EXPECT_EQ(r.levels[1].path, fs::path("/p/__pycache__/m.cpython-311.opt-1.pyc"));
  EXPECT_TRUE(r.levels[2].exists);
  EXPECT_TRUE(r.levels[2].policy_level);
  EXPECT_FALSE(r.levels[2].report);
  EXPECT_NE(r.levels[2].error.find("not a pyc"), std::string::npos);
  EXPECT_EQ(r.others, (std::vector<fs::path>{"/p/__pycache__/m.cpython-38.pyc", "/p/m.pyc"}));
  std::string text = format_source(r);
  EXPECT_NE(text.find("opt 1   /p/__pycache__/m.cpython-311.opt-1.pyc: none\n"), std::string::npos) << text;
  EXPECT_NE(text.find("opt 2   /p/__pycache__/m.cpython-311.opt-2.pyc, the policy's level\n  error"), std::string::npos)
      << text;
  EXPECT_NE(text.find("other   /p/m.pyc\n"), std::string::npos) << text;
}

TEST_F(ShowTest, SourceReportUnderAPrefixAndForAMissingSource) {
  ctx.prefix = "/pfx";
  f.add_file("/pfx/p/gone.cpython-311.pyc", ts_pyc(k311, 1, 1));
  f.add_file("/p/__pycache__/gone.cpython-311.pyc", ts_pyc(k311, 1, 1));
  SourceReport r = inspect_source(ctx, "/p/gone.py", 0);
  EXPECT_FALSE(r.exists);
  EXPECT_EQ(r.levels[0].path, fs::path("/pfx/p/gone.cpython-311.pyc"));
  ASSERT_TRUE(r.levels[0].report);
  EXPECT_EQ(r.levels[0].report->freshness, Freshness::Orphaned);
  EXPECT_EQ(r.others, (std::vector<fs::path>{"/p/__pycache__/gone.cpython-311.pyc"}));
  EXPECT_NE(format_source(r).find(
                "source  /p/gone.py (does not exist)\npolicy  cache tag cpython-311, pycs under the prefix /pfx\n"),
            std::string::npos)
      << format_source(r);
}

TEST_F(ShowTest, Json) {
  f.add_file("/p/m.py", "m = 1\n", 10 * kSecond);
  f.add_file("/p/__pycache__/m.cpython-311.pyc", ts_pyc(k311, 10, 6));
  auto r = inspect_pyc(ctx, "/p/__pycache__/m.cpython-311.pyc");
  ASSERT_TRUE(r);
  std::string j = format_pyc_json(*r, std::string("  1  RESUME 0\n"));
  for (const char* key :
       {"{\"kind\":\"pyc\"", "\"magic\":3495", "\"python\":\"3.11\"", "\"loadable\":true", "\"flags\":0",
        "\"mode\":\"timestamp\"", "\"source_mtime\":10", "\"source_mtime_utc\":\"1970-01-01T00:00:10Z\"",
        "\"source_size\":6", "\"source_hash\":null", "\"source\":\"/p/m.py\"", "\"freshness\":\"fresh\"",
        "\"checked_at_import\":true", "\"disassembly\":\"  1  RESUME 0\\n\"}"})
    EXPECT_NE(j.find(key), std::string::npos) << key << "\n" << j;
  std::string s = format_source_json(inspect_source(ctx, "/p/m.py", 0), std::nullopt);
  for (const char* key : {"{\"kind\":\"source\"", "\"exists\":true", "\"prefix\":null", "\"levels\":[{\"optimize\":0",
                          "\"policy_level\":true,\"report\":{\"kind\":\"pyc\"", "\"others\":[]"})
    EXPECT_NE(s.find(key), std::string::npos) << key << "\n" << s;
}

TEST(ShowFormat, Time) {
  EXPECT_EQ(format_time(0), "1970-01-01 00:00:00 UTC");
  EXPECT_EQ(format_time(0xffffffffu), "2106-02-07 06:28:15 UTC");
}

}  // namespace
}  // namespace pycache::show
