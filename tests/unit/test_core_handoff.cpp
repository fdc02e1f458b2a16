#include "pycache/handoff.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pycache {
namespace {

embed::InterpreterConfig sample() {
  embed::InterpreterConfig c;
  c.executable = "/v/bin/pycache-python";
  c.base_executable = "/usr/bin/pycache";
  c.home = "/usr";
  c.prefix = "/usr";
  c.exec_prefix = "/usr";
  c.pycache_prefix = "/tmp/a:b;c";
  c.check_hash_pycs_mode = "default";
  c.write_bytecode = false;
  c.optimization_level = 2;
  c.read_through = true;
  c.environment_after_init = {{"PYTHONOPTIMIZE", "1"}, {"PYTHONDONTWRITEBYTECODE", std::nullopt}};
  return c;
}

TEST(Handoff, EveryFieldButArgvSurvivesTheRoundTrip) {
  embed::InterpreterConfig c = sample();
  c.argv = {"python", "-c", "pass"};
  auto d = decode_handoff(encode_handoff(c));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->executable, c.executable);
  EXPECT_EQ(d->base_executable, c.base_executable);
  EXPECT_EQ(d->home, c.home);
  EXPECT_EQ(d->prefix, c.prefix);
  EXPECT_EQ(d->exec_prefix, c.exec_prefix);
  EXPECT_EQ(d->pycache_prefix, c.pycache_prefix);
  EXPECT_EQ(d->check_hash_pycs_mode, c.check_hash_pycs_mode);
  EXPECT_EQ(d->write_bytecode, c.write_bytecode);
  EXPECT_EQ(d->optimization_level, c.optimization_level);
  EXPECT_EQ(d->read_through, c.read_through);
  EXPECT_EQ(d->environment_after_init, c.environment_after_init);
  EXPECT_TRUE(d->argv.empty()) << "argv travels as the program's own argv";
}

TEST(Handoff, TheInterpreterToLoadTravelsWithThePlan) {
  std::string interpreter = "unset";
  ASSERT_TRUE(decode_handoff(encode_handoff(sample()), &interpreter));
  EXPECT_EQ(interpreter, "") << "a runtime program's own Python";
  auto d = decode_handoff(encode_handoff(sample(), "/opt/py/bin/python3.12"), &interpreter);
  ASSERT_TRUE(d);
  EXPECT_EQ(interpreter, "/opt/py/bin/python3.12");
  EXPECT_EQ(d->pycache_prefix, sample().pycache_prefix);
}

TEST(Handoff, MalformedTextIsRefused) {
  const std::string good = encode_handoff(sample());
  ASSERT_TRUE(decode_handoff(good));
  EXPECT_FALSE(decode_handoff(""));
  EXPECT_FALSE(decode_handoff("garbage"));
  std::string other = good;
  other.replace(good.find("handoff/3"), 9, "handoff/4");
  EXPECT_FALSE(decode_handoff(other)) << "another version";
  for (std::size_t n = 0; n < good.size(); ++n) EXPECT_FALSE(decode_handoff(good.substr(0, n))) << "truncated at " << n;
  EXPECT_FALSE(decode_handoff(good + "x")) << "trailing text";
  EXPECT_FALSE(decode_handoff("9:handoff/3999:x"));
}

TEST(Handoff, AnOptimizationLevelOutOfRangeIsRefused) {
  embed::InterpreterConfig c = sample();
  for (int level : {-1, 3, 99}) {
    c.optimization_level = level;
    EXPECT_FALSE(decode_handoff(encode_handoff(c))) << level;
  }
}

}  // namespace
}  // namespace pycache
