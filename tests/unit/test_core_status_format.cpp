#include "pycache/status.hpp"

#include <gtest/gtest.h>

#include "fake_fs.hpp"
#include "status_fixtures.hpp"

namespace pycache::status {
namespace {

using test::FakeFileSystem;

using test::compiled;
using test::k311;
using test::k38;
using test::kSecond;
using test::kTag;
using test::options_for;
using test::timestamp_pyc;

TEST(StatusFormat, ColoursOnlyWhenAsked) {
  FakeFileSystem f;
  compiled(f, "/p", "a");
  f.add_file("/p/gone.pyc", timestamp_pyc(k311, 0, 0));
  Report rep = collect(f, options_for("/p"), nullptr);
  for (const std::string& s : {format_human(rep, Color::No), format_findings(rep, "/", Color::No)})
    EXPECT_EQ(s.find('\x1b'), std::string::npos) << s;
  EXPECT_NE(format_human(rep, Color::Yes).find("\x1b[31m"), std::string::npos);
  EXPECT_NE(format_findings(rep, "/", Color::Yes).find("\x1b[31m"), std::string::npos);
}

TEST(StatusFormat, TableAndFindingLines) {
  FakeFileSystem f;
  compiled(f, "/p", "a");
  f.add_file("/p/gone.pyc", timestamp_pyc(k38, 0, 0));
  Report rep = collect(f, options_for("/p"), nullptr);
  std::string human = format_human(rep, Color::No);
  EXPECT_NE(human.find("  WHERE        TAG          OPT  FILES  FRESH"), std::string::npos) << human;
  EXPECT_NE(human.find("  __pycache__  cpython-311    0      1      1      -"), std::string::npos) << human;
  EXPECT_NE(human.find("  legacy       cpython-38     0      1      -"), std::string::npos) << human;
  EXPECT_NE(human.find("sources: 1 .py file; cpython-311 opt 0 in __pycache__: 1 compiled (1 fresh), 0 missing"),
            std::string::npos)
      << human;
  EXPECT_NE(human.find("check: 1 problem ("), std::string::npos);
  EXPECT_EQ(format_findings(rep, "/p", Color::No),
            "sourceless  gone.pyc: no source: 'import' loads this Python 3.8 bytecode\npycache status: 1 problem\n");
  EXPECT_EQ(format_findings(rep, "/elsewhere", Color::No).find("sourceless  /p/gone.pyc"), 0u);
}

TEST(StatusFormat, JsonHasTheDocumentedShape) {
  FakeFileSystem f;
  compiled(f, "/p", "a");
  std::string j = format_json(collect(f, options_for("/p"), nullptr));
  for (const char* key :
       {"\"schema\":1", "\"cache_tag\":\"cpython-311\"", "\"root\":\"/p\"", "\"policy\":{\"policy_file\":null",
        "\"sources\":1",
        R"("expected":{"location":"__pycache__","tag":"cpython-311","optimize":0,"compiled":1,"missing":0)",
        "\"states\":{\"fresh\":1,\"stale\":0,\"unverified\":0,\"orphaned\":0,\"sourceless\":0,\"invalid\":0}",
        "\"modes\":{\"timestamp\":1,\"checked-hash\":0,\"unchecked-hash\":0}",
        "\"temp_files\":{\"files\":0,\"bytes\":0}", "\"prefix\":null", "\"git\":null", "\"findings\":[]",
        "\"errors\":[]"})
    EXPECT_NE(j.find(key), std::string::npos) << key << "\n" << j;
  EXPECT_EQ(j.back(), '\n');
}

TEST(StatusFormat, Bytes) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(999), "999 B");
  EXPECT_EQ(format_bytes(1500), "1.5 kB");
  EXPECT_EQ(format_bytes(144719996), "144.7 MB");
  EXPECT_EQ(format_bytes(999'960'000), "1.0 GB");
}

TEST(StatusFormat, LongListsAreCutInTheHumanReport) {
  FakeFileSystem f;
  for (int i = 0; i < 12; ++i) f.add_file("/p/gone" + std::to_string(i) + ".pyc", timestamp_pyc(k311, 0, 0));
  Report rep = collect(f, options_for("/p"), nullptr);
  std::string human = format_human(rep, Color::No);
  EXPECT_NE(human.find("  sourceless: 2 more (--check lists them)\n"), std::string::npos) << human;
  EXPECT_EQ(rep.findings.size(), 12u);
}

}  // namespace
}  // namespace pycache::status
