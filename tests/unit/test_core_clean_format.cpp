#include "pycache/clean.hpp"

#include <gtest/gtest.h>

#include <cerrno>

namespace pycache::clean {
namespace {

Options tree(const std::vector<std::string>& paths) {
  Options o;
  for (const auto& p : paths) o.targets.push_back(Target{p, {}});
  return o;
}

TEST(CleanFormat, RemovalLinesEscapeAndMarkDirectories) {
  EXPECT_EQ(format_removal(Removal{"/r/a\nb.pyc", Reason::Bytecode, false, 1}, DryRun::No), "removed /r/a\\nb.pyc\n");
  EXPECT_EQ(format_removal(Removal{"/r/__pycache__", Reason::EmptyDir, true, 0}, DryRun::Yes),
            "would remove /r/__pycache__/\n");
}

TEST(CleanFormat, SummaryAndJson) {
  Summary s;
  s.total = {40020, 5000, 173'200'000};
  s.by_reason[static_cast<std::size_t>(Reason::Bytecode)] = 40020;
  s.by_reason[static_cast<std::size_t>(Reason::EmptyDir)] = 5000;
  s.seconds = 0.4123;
  s.kept.push_back(Kept{"/r/x/__pycache__", 1});
  s.problems.push_back(Problem{"/r/locked", "read", EACCES});
  Options o = tree({"/r"});
  EXPECT_EQ(format_summary(s, o),
            "removed 40,020 files and 5,000 directories, 173.2 MB freed in 0.41 s\n"
            "  (bytecode 40,020, empty-dir 5,000)\n"
            "kept '/r/x/__pycache__': 1 entry not bytecode\n"
            "1 problem (reported above)\n");
  o.dry_run = DryRun::Yes;
  EXPECT_EQ(format_summary(Summary{}, o).rfind("nothing to remove in ", 0), 0u);
  std::string j = format_json(s, o);
  for (const char* key : {"\"dry_run\":true", "\"paths\":[\"/r\"]", "\"files\":40020", "\"directories\":5000",
                          "\"bytes\":173200000", "\"reasons\":{\"bytecode\":40020,\"empty-dir\":5000}",
                          "\"kept\":[{\"path\":\"/r/x/__pycache__\",\"others\":1,\"mount_point\":false}]"})
    EXPECT_NE(j.find(key), std::string::npos) << key << " in " << j;
  EXPECT_NE(j.find("\"problems\":[{\"path\":\"/r/locked\",\"action\":\"read\",\"error\":\"Permission denied\","
                   "\"errno\":13}]"),
            std::string::npos)
      << j;
  EXPECT_EQ(j.find("\"removed\""), std::string::npos) << "removals only when listed";
  EXPECT_EQ(j.back(), '\n');
}

TEST(CleanFormat, ProblemKeptAndProgressLines) {
  struct Case {
    std::string got, want;
  };
  const Case cases[] = {
      {format_problem(Problem{"/r/a", "read", EACCES}), "cannot read '/r/a': Permission denied"},
      {format_problem(Problem{"/r/a", "stat", ENOENT}), "cannot stat '/r/a': No such file or directory"},
      {format_problem(Problem{"/r/a", "remove", EBUSY}), "cannot remove '/r/a': Device or resource busy"},
      {format_kept(Kept{"/r/__pycache__", 2, false}), "kept '/r/__pycache__': 2 entries not bytecode"},
      {format_kept(Kept{"/r/.mypy_cache", 0, true}), "kept '/r/.mypy_cache': a mount point"},
      {format_progress(Counts{1200, 3, 5'000'000}, 40, DryRun::No),
       "pycache clean: 40 dirs walked, removed 1,200 files, 5.0 MB"},
      {format_progress(Counts{1, 0, 10}, 1, DryRun::Yes),
       "pycache clean: 1 dirs walked, would remove 1 files, 10 bytes"},
  };
  for (const auto& c : cases) EXPECT_EQ(c.got, c.want);
}

}  // namespace
}  // namespace pycache::clean
