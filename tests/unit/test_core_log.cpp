#include "pycache/log.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace pycache {
namespace {

// Puts the shared logger back at its start-up level after each test.
class Log : public ::testing::Test {
 protected:
  void TearDown() override { log().set_level(spdlog::level::warn); }
};

TEST_F(Log, StartsAtWarning) {
  // In a process of its own: the logger is made on first use there.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(std::exit(log().level() == spdlog::level::warn && log().name() == "pycache" ? 0 : 1),
              ::testing::ExitedWithCode(0), "");
}

TEST_F(Log, SetLevelByName) {
  struct Case {
    const char* name;
    spdlog::level::level_enum level;
  };
  const Case cases[] = {
      {"trace", spdlog::level::trace},       {"debug", spdlog::level::debug}, {"info", spdlog::level::info},
      {"warning", spdlog::level::warn},      {"error", spdlog::level::err},   {"off", spdlog::level::off},
      {"critical", spdlog::level::critical},
  };
  for (const auto& c : cases) {
    log().set_level(c.level == spdlog::level::trace ? spdlog::level::off : spdlog::level::trace);
    auto e = set_log_level(c.name);
    ASSERT_FALSE(e) << c.name << ": " << e->message;
    EXPECT_EQ(log().level(), c.level) << c.name;
  }
}

TEST_F(Log, UnknownNamesAreAUsageErrorAndLeaveTheLevel) {
  for (const char* name : {"", "verbose", "WARNING", "Off", "warning ", "5", "offf"}) {
    log().set_level(spdlog::level::info);
    auto e = set_log_level(name);
    ASSERT_TRUE(e) << name;
    EXPECT_EQ(e->message,
              std::string("unknown log level '") + name + "' (expected trace, debug, info, warning, error or off)");
    EXPECT_EQ(e->code, kExitUsage);
    EXPECT_EQ(log().level(), spdlog::level::info) << name;
  }
}

TEST_F(Log, OneLinePerMessageOnStderrWithItsLevel) {
  ASSERT_FALSE(set_log_level("info"));
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  log().debug("not shown {}", 1);
  log().info("walked {} directories", 3);
  log().warn("can't read '{}'", "/p/x.py");
  log().error("gone");
  const std::string err = ::testing::internal::GetCapturedStderr();
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(err,
            "pycache: info: walked 3 directories\n"
            "pycache: warning: can't read '/p/x.py'\n"
            "pycache: error: gone\n");
  EXPECT_EQ(out, "") << "stdout belongs to the program and the reports";
}

TEST_F(Log, OffSaysNothing) {
  ASSERT_FALSE(set_log_level("off"));
  ::testing::internal::CaptureStderr();
  log().error("hidden");
  log().critical("hidden too");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace pycache
