#include <fmt/format.h>
#include <gtest/gtest.h>

#include "process.hpp"
#include "pycache/embed.hpp"
#include "pycache/pyc.hpp"
#include "temp_dir.hpp"

namespace pycache {
namespace {

TEST(ToolRuntime, StartsOnceAndReportsItsMagic) {
  ASSERT_FALSE(embed::start_tool_runtime());
  ASSERT_FALSE(embed::start_tool_runtime());
  EXPECT_EQ(embed::magic_number(), PYCACHE_TEST_RUNTIME_MAGIC);
  EXPECT_EQ(embed::runtime_version(), PYCACHE_TEST_RUNTIME_VERSION);
}

TEST(ToolRuntime, SourceHashIsImportlibs) {
  ASSERT_FALSE(embed::start_tool_runtime());
  test::TempDir t;
  const std::string source = "x = 1\n# caf\xc3\xa9\n";
  test::write_file(t / "s.py", source);
  auto o = test::run(
      {{test::reference_python().native(), "-c",
        "import importlib.util,sys; sys.stdout.write(importlib.util.source_hash(open(sys.argv[1],'rb').read()).hex())",
        (t / "s.py").native()},
       std::nullopt,
       test::clean_env(t.path()),
       t.path()});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  auto h = embed::source_hash(source);
  std::string hex;
  for (auto b : h) hex += fmt::format("{:02x}", b);
  EXPECT_EQ(hex, o.out);
  EXPECT_NE(embed::source_hash("x = 2\n"), h);
}

}  // namespace
}  // namespace pycache

namespace pycache {
namespace {

// The C++ source hash (no interpreter) is this runtime's importlib.util.source_hash,
// for sources of every length around the 8-byte blocks and longer ones.
TEST(SourceHash, TheCppHashIsImportlibsForThisRuntime) {
  ASSERT_FALSE(embed::start_tool_runtime());
  const bool siphash13 = pyc::uses_siphash13(PYCACHE_TEST_RUNTIME_VERSION);
  std::string data;
  for (int n = 0; n < 70; ++n) {
    data.push_back(static_cast<char>(n * 37 + 11));
    EXPECT_EQ(pyc::source_hash(data, embed::magic_number(), siphash13), embed::source_hash(data)) << n;
  }
  const std::string big(100000, 'x');
  EXPECT_EQ(pyc::source_hash(big, embed::magic_number(), siphash13), embed::source_hash(big));
}

}  // namespace
}  // namespace pycache
