#include "pycache/compile.hpp"

#include <gtest/gtest.h>

namespace pycache::compile {
namespace {

using pyc::Invalidation;

TEST(CompileFormat, FailuresSummaryAndJson) {
  EXPECT_EQ(format_failure(Failure{"a.py", "SyntaxError", "invalid syntax", 3, 7}),
            "a.py:3:7: SyntaxError: invalid syntax");
  EXPECT_EQ(format_failure(Failure{"a.py", "ValueError", "null bytes", 0, 0}), "a.py: ValueError: null bytes");
  // A line without a column: a warning (warnings.warn_explicit has no column).
  EXPECT_EQ(format_failure(Failure{"a.py", "SyntaxWarning", "\"is\" with a literal", 4, 0}),
            "a.py:4: SyntaxWarning: \"is\" with a literal");
  EXPECT_EQ(format_failure(Failure{"a.py", "", "cannot write 'x': Permission denied", 0, 0}),
            "a.py: cannot write 'x': Permission denied");

  Options o;
  o.roots = {Root{"/p", "p", {}, {0, 2}, false}};
  o.mode = Invalidation::CheckedHash;
  Summary s;
  s.sources = 3;
  s.written = 4;
  s.up_to_date = 1;
  s.workers = 2;
  s.failures = {Failure{"p/x.py", "SyntaxError", "bad \"q\"", 1, 2}};
  std::string text = format_summary(s, o);
  EXPECT_EQ(text.substr(0, text.find(" [")),
            "3 sources (checked-hash, optimize 0,2): 4 pycs written, 1 up to date, 1 failed to compile");
  std::string json = format_summary_json(s, o);
  EXPECT_NE(json.find("\"invalidation_mode\":\"checked-hash\""), std::string::npos);
  EXPECT_NE(json.find("\"optimize\":[0,2]"), std::string::npos);
  EXPECT_NE(json.find("\"write_bytecode\":false"), std::string::npos);
  EXPECT_NE(json.find("\"message\":\"bad \\\"q\\\"\""), std::string::npos);
  EXPECT_NE(json.find("\"compile_errors\":1"), std::string::npos);
  EXPECT_EQ(json.back(), '\n');
}

TEST(CompileFormat, ProgressLine) {
  EXPECT_EQ(format_progress(Progress{1, 0, 0, 0}), "compile: 1 source, 0 up to date, 0/0 compiled");
  EXPECT_EQ(format_progress(Progress{12000, 11000, 1000, 400}),
            "compile: 12,000 sources, 11,000 up to date, 400/1,000 compiled");
}

}  // namespace
}  // namespace pycache::compile
