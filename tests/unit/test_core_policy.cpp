#include "pycache/policy.hpp"

#include <gtest/gtest.h>

namespace pycache {
namespace {

TEST(PolicyKeys, TableNamesAreUniqueAndFindable) {
  for (const auto& k : policy_keys()) {
    ASSERT_NE(find_key(k.name), nullptr) << k.name;
    EXPECT_EQ(find_key(k.name)->key, k.key);
    EXPECT_EQ(&key_info(k.key), find_key(k.name));
  }
  EXPECT_EQ(find_key("write_bytecode"), nullptr);
}

TEST(PolicyKeys, SuggestsTheKeyForTyposAndForeignSpellings) {
  EXPECT_EQ(suggest_key("write_bytecode"), "write-bytecode");
  EXPECT_EQ(suggest_key("write-bytcode"), "write-bytecode");
  EXPECT_EQ(suggest_key("pycache_prefix"), "cache-prefix");
  EXPECT_EQ(suggest_key("optimization_level"), "optimize");
  EXPECT_EQ(suggest_key("check_hash_pycs_mode"), "check-hash-based-pycs");
  EXPECT_EQ(suggest_key("completely-unrelated"), "");
}

TEST(PolicyDefaults, AreCPythons) {
  Policy p;
  EXPECT_TRUE(p.write_bytecode());
  EXPECT_EQ(p.cache_prefix(), "");
  EXPECT_EQ(p.optimize(), 0);
  EXPECT_EQ(p.check_hash_pycs(), "default");
  for (const auto& k : policy_keys()) EXPECT_EQ(p.get(k.key).origin.source, Source::Default);
}

TEST(NormalizeValue, ChecksTypesAndRanges) {
  EXPECT_TRUE(normalize_value(Key::WriteBytecode, true, "/"));
  EXPECT_FALSE(normalize_value(Key::WriteBytecode, std::int64_t{1}, "/"));
  EXPECT_FALSE(normalize_value(Key::WriteBytecode, std::string("yes"), "/"));
  for (std::int64_t n : {0, 1, 2}) EXPECT_TRUE(normalize_value(Key::Optimize, n, "/"));
  for (std::int64_t n : {-1, 3, 5}) {
    auto r = normalize_value(Key::Optimize, n, "/");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("0, 1 or 2"), std::string::npos) << r.error().message;
  }
  EXPECT_FALSE(normalize_value(Key::Optimize, true, "/"));
  for (const char* m : {"default", "always", "never"})
    EXPECT_TRUE(normalize_value(Key::CheckHashBasedPycs, std::string(m), "/"));
  auto bogus = normalize_value(Key::CheckHashBasedPycs, std::string("bogus"), "/");
  ASSERT_FALSE(bogus);
  EXPECT_NE(bogus.error().message.find("\"always\""), std::string::npos);
}

TEST(NormalizeValue, InitKeysTakeTheirWordsOnly) {
  for (const char* m : {"auto", "always", "never"}) EXPECT_TRUE(normalize_value(Key::Init, std::string(m), "/")) << m;
  for (const char* m : {"child", "group"}) EXPECT_TRUE(normalize_value(Key::InitSignals, std::string(m), "/")) << m;
  auto bad = normalize_value(Key::Init, std::string("yes"), "/");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "'init' must be \"auto\", \"always\" or \"never\", not \"yes\"");
  EXPECT_FALSE(normalize_value(Key::Init, true, "/")) << "a string, not a boolean";
  EXPECT_FALSE(normalize_value(Key::InitSignals, std::string("pgrp"), "/"));
  Policy p;
  EXPECT_EQ(p.init(), "auto");
  EXPECT_EQ(p.init_signals(), "child");
}

TEST(NormalizeValue, CachePrefixIsAbsoluteAgainstTheBaseNotTheCwd) {
  EXPECT_EQ(std::get<std::string>(*normalize_value(Key::CachePrefix, std::string(".cache/pyc"), "/proj")),
            "/proj/.cache/pyc");
  EXPECT_EQ(std::get<std::string>(*normalize_value(Key::CachePrefix, std::string("../x/./y/"), "/proj/sub")),
            "/proj/x/y");
  EXPECT_EQ(std::get<std::string>(*normalize_value(Key::CachePrefix, std::string("/abs"), "/proj")), "/abs");
  EXPECT_EQ(std::get<std::string>(*normalize_value(Key::CachePrefix, std::string(""), "/proj")), "");
}

TEST(NormalizeValue, PrefixMaxSizeIsBytesFromASizeOrAnInteger) {
  auto bytes = [](Value v) {
    auto r = normalize_value(Key::PrefixMaxSize, v, "/");
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? std::get<std::int64_t>(*r) : -1;
  };
  EXPECT_EQ(bytes(std::string("2G")), 2'000'000'000);
  EXPECT_EQ(bytes(std::string("500M")), 500'000'000);
  EXPECT_EQ(bytes(std::string("1Gi")), 1LL << 30);
  EXPECT_EQ(bytes(std::int64_t{123456}), 123456);
  EXPECT_EQ(bytes(std::int64_t{0}), 0);
  auto bad = normalize_value(Key::PrefixMaxSize, std::string("lots"), "/");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("'prefix-max-size' must be a size such as \"2G\""), std::string::npos)
      << bad.error().message;
  EXPECT_NE(bad.error().message.find("\"lots\""), std::string::npos) << bad.error().message;
  EXPECT_FALSE(normalize_value(Key::PrefixMaxSize, std::int64_t{-1}, "/"));
  EXPECT_FALSE(normalize_value(Key::PrefixMaxSize, true, "/"));
  Policy p;
  EXPECT_EQ(p.prefix_max_size(), 0) << "no limit by default";
  EXPECT_EQ(suggest_key("max_size"), "prefix-max-size");
  EXPECT_EQ(suggest_key("prefix_max_size"), "prefix-max-size");
}

TEST(NormalizeValue, CachePrefixExpandsTilde) {
  setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(std::get<std::string>(*normalize_value(Key::CachePrefix, std::string("~/pyc"), "/proj")),
            "/home/someone/pyc");
  EXPECT_EQ(std::get<std::string>(*normalize_value(Key::CachePrefix, std::string("~"), "/proj")), "/home/someone");
}

TEST(PolicyResolve, LaterLayersWinKeyByKey) {
  Layer low, high;
  low.set(Key::Optimize, std::int64_t{1}, {Source::UserFile, "u:1:1"});
  low.set(Key::WriteBytecode, false, {Source::UserFile, "u:2:1"});
  high.set(Key::Optimize, std::int64_t{2}, {Source::CommandLine, "--optimize"});
  Layer layers[] = {low, high};
  Policy p = Policy::resolve(layers);
  EXPECT_EQ(p.optimize(), 2);
  EXPECT_EQ(p.get(Key::Optimize).origin.describe(), "command line --optimize");
  EXPECT_FALSE(p.write_bytecode());
  EXPECT_EQ(p.get(Key::WriteBytecode).origin.describe(), "u:2:1");
  EXPECT_EQ(p.get(Key::CachePrefix).origin.describe(), "default");
}

TEST(PolicyResolve, OverrideRecordsWhy) {
  Policy p;
  p.override(Key::WriteBytecode, false, {Source::Fallback, "cache prefix not writable"});
  EXPECT_FALSE(p.write_bytecode());
  EXPECT_EQ(p.get(Key::WriteBytecode).origin.describe(), "fallback: cache prefix not writable");
}

TEST(FormatValue, WritesTomlLiterals) {
  EXPECT_EQ(format_value(true), "true");
  EXPECT_EQ(format_value(std::int64_t{2}), "2");
  EXPECT_EQ(format_value(std::string("a\"b\\c")), "\"a\\\"b\\\\c\"");
}

TEST(KeyOptions, TheCommandsThatParseAnOptionComeFromItsParsedBy) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(option_commands(KeyOption{"--x", "", "", "", ""}), V{"run"});
  EXPECT_EQ(option_commands(KeyOption{"--x", "", "", "", "python"}), V{});
  EXPECT_EQ(option_commands(KeyOption{"--x", "", "", "", "pycache clean --prefix"}), V{"clean"});
  EXPECT_EQ(option_commands(KeyOption{"--x", "", "", "", "status, clean and compile"}),
            (V{"status", "clean", "compile"}));
  EXPECT_EQ(option_commands(KeyOption{"--x", "", "", "", "status and compile"}), (V{"status", "compile"}));
  EXPECT_EQ(option_commands(key_option(Key::PrefixMaxSize, "--max-size")), V{"clean"});
  EXPECT_EQ(key_option(Key::Python, "--python").metavar, "VERSION|PATH");
}

}  // namespace
}  // namespace pycache
