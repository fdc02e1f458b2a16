// The fuzz corpus (tests/fuzz/corpus/pyc_header) replayed by a plain unit
// test, so that every build exercises it without clang: the same checks as
// tests/fuzz/fuzz_pyc_header.cpp, plus the meaning of the named seeds.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "pycache/pyc.hpp"

namespace pycache::pyc {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FuzzCorpus, EveryInputParsesOrFailsCleanly) {
  const fs::path dir = fs::path(PYCACHE_TEST_FUZZ_CORPUS) / "pyc_header";
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  std::size_t files = 0, valid = 0, invalid = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    ++files;
    const std::string name = entry.path().filename().native();
    const std::string bytes = slurp(entry.path());
    auto h = parse_header(bytes);
    if (!h) {
      EXPECT_FALSE(h.error().message.empty()) << name;
      EXPECT_EQ(h.error().message.find('\n'), std::string::npos) << name;
    } else if (h->magic >= 3390 && h->magic < 20000) {
      auto again = parse_header(format_header(*h));
      ASSERT_TRUE(again) << name;
      EXPECT_EQ(*again, *h) << name;
    }
    // valid-VERSION-MODE: a real header of that Python, in that mode.
    if (name.starts_with("valid-")) {
      ++valid;
      ASSERT_TRUE(h) << name << ": " << h.error().message;
      std::string rest = name.substr(6);
      std::string version = rest.substr(0, rest.find('-'));
      std::string mode = rest.substr(rest.find('-') + 1);
      EXPECT_EQ(python_version_for_magic(h->magic), version) << name;
      EXPECT_EQ(to_string(h->mode), mode) << name;
    }
    if (name.starts_with("invalid-")) {
      ++invalid;
      EXPECT_FALSE(h) << name;
    }
    // The same bytes as a file name.
    if (bytes.find('/') == std::string::npos && bytes.find('\0') == std::string::npos) {
      auto n = parse_cache_name(bytes);
      if (n && n->kind == CacheKind::Pyc) {
        auto again =
            parse_cache_name(cache_from_source("/d/" + n->module + ".py", n->tag, n->optimize).filename().native());
        ASSERT_TRUE(again) << name;
        EXPECT_EQ(again->module, n->module) << name;
        EXPECT_EQ(again->tag, n->tag) << name;
        EXPECT_EQ(again->optimize, n->optimize) << name;
      }
    }
  }
  EXPECT_GE(valid, 10u) << "the seeds of tests/fuzz/make_seed_corpus.sh";
  EXPECT_GE(invalid, 5u);
  EXPECT_GT(files, valid + invalid) << "and what libFuzzer kept";
}

}  // namespace
}  // namespace pycache::pyc
