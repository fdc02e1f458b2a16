#include "pycache/status.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "fake_fs.hpp"
#include "status_fixtures.hpp"

namespace pycache::status {
namespace {

using test::FakeFileSystem;

using test::compiled;
using test::findings;
using test::k311;
using test::k38;
using test::kSecond;
using test::kTag;
using test::options_for;
using test::policy;
using test::timestamp_pyc;
std::string hash_pyc(std::uint16_t magic, pyc::Invalidation mode) {
  return pyc::format_header(pyc::Header{magic, mode, 0, 0, {1, 2, 3, 4, 5, 6, 7, 8}}) + "code";
}

const Group* group(const RootStatus& r, Location where, const std::string& tag, int opt = 0, bool pytest = false) {
  for (const auto& g : r.groups)
    if (g.key == GroupKey{where, tag, opt, pytest}) return &g;
  return nullptr;
}

std::uint64_t state(const Group* g, State s) { return g ? g->states[static_cast<std::size_t>(s)] : 0; }

std::set<std::string> paths(const std::vector<Notable>& v) {
  std::set<std::string> out;
  for (const auto& n : v) out.insert(n.path.native());
  return out;
}

TEST(Status, ClassifiesFreshStaleOrphanedAndHashPycs) {
  FakeFileSystem f;
  compiled(f, "/p", "fresh");
  compiled(f, "/p/pkg", "__init__");
  f.add_file("/p/stale.py", "y = 2\n", 200 * kSecond);
  f.add_file("/p/__pycache__/stale.cpython-311.pyc", timestamp_pyc(k311, 100, 6));
  f.add_file("/p/resized.py", "y = 22\n", 100 * kSecond);
  f.add_file("/p/__pycache__/resized.cpython-311.pyc", timestamp_pyc(k311, 100, 6));
  f.add_file("/p/__pycache__/gone.cpython-311.pyc", timestamp_pyc(k311, 100, 6));
  f.add_file("/p/__pycache__/fresh.cpython-311.opt-1.pyc", hash_pyc(k311, pyc::Invalidation::CheckedHash));
  f.add_file("/p/__pycache__/fresh.cpython-311.opt-2.pyc", hash_pyc(k311, pyc::Invalidation::UncheckedHash));
  f.add_file("/p/__pycache__/fresh.cpython-38.pyc", timestamp_pyc(k38, 100, 12));

  Report rep = collect(f, options_for("/p"), nullptr);
  ASSERT_EQ(rep.roots.size(), 1u);
  const RootStatus& r = rep.roots[0];
  const Group* g0 = group(r, Location::PycacheDir, kTag, 0);
  ASSERT_TRUE(g0);
  EXPECT_EQ(g0->files, 5u);
  EXPECT_EQ(state(g0, State::Fresh), 2u);
  EXPECT_EQ(state(g0, State::Stale), 2u) << "mtime changed; size changed";
  EXPECT_EQ(state(g0, State::Orphaned), 1u);
  EXPECT_EQ(g0->modes[0], 5u);
  const Group* g1 = group(r, Location::PycacheDir, kTag, 1);
  const Group* g2 = group(r, Location::PycacheDir, kTag, 2);
  EXPECT_EQ(state(g1, State::Unverified), 1u);
  EXPECT_EQ(g1->modes[static_cast<std::size_t>(pyc::Invalidation::CheckedHash)], 1u);
  EXPECT_EQ(g2->modes[static_cast<std::size_t>(pyc::Invalidation::UncheckedHash)], 1u);
  EXPECT_EQ(state(group(r, Location::PycacheDir, "cpython-38"), State::Fresh), 1u);
  EXPECT_EQ(g0->bytes, 5u * (pyc::kHeaderSize + 4));

  EXPECT_EQ(r.expected.sources, 4u);
  EXPECT_EQ(r.expected.compiled, 4u);
  EXPECT_EQ(r.expected.states[static_cast<std::size_t>(State::Fresh)], 2u);
  EXPECT_EQ(r.expected.states[static_cast<std::size_t>(State::Stale)], 2u);
  // The current tag comes first, then the others, newest first.
  EXPECT_EQ(r.groups.front().key.tag, kTag);
  EXPECT_EQ(r.groups.back().key.tag, "cpython-38");
  EXPECT_TRUE(rep.findings.empty());
}

TEST(Status, CountsMissingPycsAgainstThePolicysLevel) {
  FakeFileSystem f;
  compiled(f, "/p", "a");
  f.add_file("/p/b.py", "b = 1\n", 100 * kSecond);
  PolicyResolution p;
  p.policy.override(Key::Optimize, std::int64_t{1}, Origin{Source::CommandLine, "--optimize"});
  Report rep = collect(f, options_for("/p", p), nullptr);
  EXPECT_EQ(rep.roots[0].expected.optimize, 1);
  EXPECT_EQ(rep.roots[0].expected.sources, 2u);
  EXPECT_EQ(rep.roots[0].expected.compiled, 0u) << "the opt-0 pyc is not the policy's";
}

TEST(Status, LegacyPycsWithoutSourceAreImportableUnlessShadowed) {
  FakeFileSystem f;
  f.add_file("/p/deleted.pyc", timestamp_pyc(k38, 100, 6));  // importable: a finding
  f.add_file("/p/beside.py", "b = 1\n", 100 * kSecond);
  f.add_file("/p/beside.pyc", timestamp_pyc(k311, 100, 6));  // its source wins: fresh, not importable
  f.add_file("/p/old.pyo", timestamp_pyc(k38, 100, 6));      // .pyo: never imported since 3.5
  f.add_file("/p/pkg.pyc", timestamp_pyc(k311, 100, 6));     // a package pkg/ wins
  f.add_file("/p/pkg/__init__.py", "", 100 * kSecond);
  f.add_file("/p/ext.pyc", timestamp_pyc(k311, 100, 6));  // an extension wins
  f.add_file("/p/ext.cpython-311-x86_64-linux-gnu.so", "ELF");
  f.add_file("/p/not-a-name.pyc", timestamp_pyc(k311, 100, 6));  // `import` can't spell it
  f.add_file("/p/ns.pyc", timestamp_pyc(k311, 100, 6));          // a namespace dir ns/ loses to it
  f.add_dir("/p/ns");

  Report rep = collect(f, options_for("/p"), nullptr);
  const RootStatus& r = rep.roots[0];
  EXPECT_EQ(paths(r.sourceless), (std::set<std::string>{"/p/deleted.pyc", "/p/ns.pyc"}));
  EXPECT_EQ(r.legacy.size(), 7u);
  EXPECT_EQ(state(group(r, Location::Legacy, "cpython-311"), State::Fresh), 1u);
  EXPECT_EQ(state(group(r, Location::Legacy, "cpython-311"), State::Orphaned), 3u);
  EXPECT_EQ(state(group(r, Location::Legacy, "cpython-38"), State::Sourceless), 1u);
  EXPECT_EQ(state(group(r, Location::Legacy, "cpython-38", 1), State::Orphaned), 1u);
  ASSERT_EQ(r.sourceless.size(), 2u);
  EXPECT_EQ(r.sourceless[0].detail, "Python 3.8");
  EXPECT_EQ(findings(rep), (std::vector<std::pair<FindingKind, std::string>>{
                               {FindingKind::Sourceless, "/p/deleted.pyc"}, {FindingKind::Sourceless, "/p/ns.pyc"}}));
}

TEST(Status, InvalidHeadersAreReportedNeverFatal) {
  FakeFileSystem f;
  f.add_file("/p/m.py", "m = 1\n", 100 * kSecond);
  f.add_file("/p/__pycache__/m.cpython-311.pyc", "");                                            // empty
  f.add_file("/p/__pycache__/m.cpython-311.opt-1.pyc", timestamp_pyc(k311, 1, 1).substr(0, 9));  // truncated
  f.add_file("/p/__pycache__/m.cpython-311.opt-2.pyc", "import os\nprint(os)\n");                // garbage
  f.add_file("/p/__pycache__/m.cpython-312.pyc", timestamp_pyc(k311, 100, 6));                   // foreign magic
  f.add_file("/p/__pycache__/m.pypy39.pyc", timestamp_pyc(k311, 100, 6));  // not checked: not cpython
  f.add_file("/p/junk.pyc", "\x01");
  Report rep = collect(f, options_for("/p"), nullptr);
  const RootStatus& r = rep.roots[0];
  EXPECT_EQ(r.invalid.size(), 5u);
  std::string all;
  for (const auto& n : r.invalid) all += n.detail + "\n";
  EXPECT_NE(all.find("empty file"), std::string::npos) << all;
  EXPECT_NE(all.find("truncated"), std::string::npos) << all;
  EXPECT_NE(all.find("magic number 3495 (Python 3.11) in a cpython-312 pyc"), std::string::npos) << all;
  EXPECT_EQ(state(group(r, Location::PycacheDir, "pypy39"), State::Fresh), 1u);
  EXPECT_EQ(r.expected.compiled, 1u);
  EXPECT_EQ(r.expected.states[static_cast<std::size_t>(State::Invalid)], 1u);
  EXPECT_NE(format_human(rep, Color::No).find("invalid: __pycache__/m.cpython-311.pyc: empty file"), std::string::npos);
}

TEST(Status, TempFilesAndPytestPycs) {
  FakeFileSystem f;
  compiled(f, "/p", "test_x");
  f.add_file("/p/__pycache__/test_x.cpython-311-pytest-7.2.1.pyc", timestamp_pyc(k311, 100, 13));
  f.add_file("/p/__pycache__/test_x.cpython-311.pyc.140234", "partial");
  f.add_file("/p/__pycache__/README", "not bytecode");
  Report rep = collect(f, options_for("/p"), nullptr);
  const RootStatus& r = rep.roots[0];
  EXPECT_EQ(r.temp_files, 1u);
  EXPECT_EQ(r.temp_bytes, 7u);
  EXPECT_EQ(state(group(r, Location::PycacheDir, kTag, 0, true), State::Fresh), 1u);
  EXPECT_EQ(group(r, Location::PycacheDir, kTag)->files, 1u);
  ASSERT_EQ(r.bytecode_dirs.size(), 1u);
  EXPECT_EQ(r.bytecode_dirs[0].detail, "3 files");
}

// A source whose only pyc where the policy looks is pytest's (of the current
// tag) is counted apart from the missing ones, once however many pytest
// versions wrote one; another tag's pytest pyc does not count.
TEST(Status, SourcesWithOnlyPytestsPycAreNotMissing) {
  FakeFileSystem f;
  compiled(f, "/p", "test_both");
  f.add_file("/p/__pycache__/test_both.cpython-311-pytest-8.3.2.pyc", timestamp_pyc(k311, 100, 18));
  f.add_file("/p/test_x.py", "x = 1\n", 100 * kSecond);
  f.add_file("/p/__pycache__/test_x.cpython-311-pytest-7.2.1.pyc", timestamp_pyc(k311, 100, 6));
  f.add_file("/p/__pycache__/test_x.cpython-311-pytest-8.3.2.pyc", timestamp_pyc(k311, 100, 6));
  f.add_file("/p/test_old.py", "x = 1\n", 100 * kSecond);
  f.add_file("/p/__pycache__/test_old.cpython-38-pytest-7.2.1.pyc", timestamp_pyc(k38, 100, 6));
  f.add_file("/p/__pycache__/test_gone.cpython-311-pytest-8.3.2.pyc", timestamp_pyc(k311, 100, 6));
  Report rep = collect(f, options_for("/p"), nullptr);
  const Expected& e = rep.roots[0].expected;
  EXPECT_EQ(e.sources, 3u);
  EXPECT_EQ(e.compiled, 1u);
  EXPECT_EQ(e.pytest_only, 1u);
  EXPECT_NE(format_human(rep, Color::No).find("1 compiled (1 fresh), 1 rewritten by pytest only, 1 missing\n"),
            std::string::npos);
  EXPECT_EQ(state(group(rep.roots[0], Location::PycacheDir, kTag, 0, true), State::Orphaned), 1u);
  // In the prefix mirror too.
  FakeFileSystem g;
  g.add_file("/p/test_x.py", "x = 1\n", 100 * kSecond);
  g.add_file("/pfx/p/test_x.cpython-311-pytest-8.3.2.pyc", timestamp_pyc(k311, 100, 6));
  Report pre = collect(g, options_for("/p", policy("/pfx")), nullptr);
  EXPECT_EQ(pre.roots[0].expected.pytest_only, 1u);
  EXPECT_EQ(pre.roots[0].expected.compiled, 0u);
}

TEST(Status, PrefixMirrorIsClassifiedAndTheWholePrefixCounted) {
  FakeFileSystem f;
  f.add_file("/p/a.py", "a = 1\n", 100 * kSecond);
  f.add_file("/p/sub/b.py", "b = 1\n", 100 * kSecond);
  f.add_file("/pfx/p/a.cpython-311.pyc", timestamp_pyc(k311, 100, 6));
  f.add_file("/pfx/p/sub/b.cpython-311.pyc", timestamp_pyc(k311, 99, 6));
  f.add_file("/pfx/p/gone.cpython-311.pyc", timestamp_pyc(k311, 100, 6));
  f.add_file("/pfx/p/sub/b.cpython-311.pyc.777", "x");
  f.add_file("/pfx/usr/lib/other.cpython-311.pyc", std::string(100, 'x'));      // not ours: only counted
  f.add_file("/pfx/pother/c.cpython-311.pyc", timestamp_pyc(k311, 100, 6));     // /pother is not under /p
  f.add_file("/p/__pycache__/a.cpython-311.pyc", timestamp_pyc(k311, 100, 6));  // hidden by the prefix

  Options o = options_for("/p", policy("/pfx"));
  o.targets[0].prefix_max_size = 100;
  Report rep = collect(f, o, nullptr);
  const RootStatus& r = rep.roots[0];
  const Group* g = group(r, Location::Prefix, kTag);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->files, 3u);
  EXPECT_EQ(state(g, State::Fresh), 1u);
  EXPECT_EQ(state(g, State::Stale), 1u);
  EXPECT_EQ(state(g, State::Orphaned), 1u);
  EXPECT_EQ(r.temp_files, 1u);
  EXPECT_EQ(r.expected.location, Location::Prefix);
  EXPECT_EQ(r.expected.compiled, 2u);
  ASSERT_TRUE(r.prefix);
  EXPECT_TRUE(r.prefix->exists);
  EXPECT_EQ(r.prefix->files, 6u);
  EXPECT_EQ(r.prefix->bytes, 4u * 20 + 1 + 100);
  EXPECT_NE(format_human(rep, Color::No).find("over its prefix-max-size of 100 B"), std::string::npos);
  EXPECT_NE(format_json(rep).find("\"over_limit\":true"), std::string::npos);
  // In-tree bytecode under a prefix is a finding: the import system never reads it.
  auto fs = findings(rep);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0], std::make_pair(FindingKind::BytecodeInTree, std::string("/p/__pycache__")));
  EXPECT_NE(rep.findings[0].detail.find("/p/pycache.toml:1:1"), std::string::npos) << "names the origin";
}

TEST(Status, APrefixInsideTheTreeIsNotMistakenForLegacyPycs) {
  FakeFileSystem f;
  f.add_file("/p/a.py", "a = 1\n", 100 * kSecond);
  f.add_file("/p/.pycache/p/a.cpython-311.pyc", timestamp_pyc(k311, 100, 6));
  Report rep = collect(f, options_for("/p", policy("/p/.pycache")), nullptr);
  const RootStatus& r = rep.roots[0];
  EXPECT_TRUE(r.legacy.empty());
  EXPECT_EQ(state(group(r, Location::Prefix, kTag), State::Fresh), 1u);
  EXPECT_TRUE(rep.findings.empty());
}

TEST(Status, MissingPrefixIsReportedNotAnError) {
  FakeFileSystem f;
  f.add_file("/p/a.py", "a = 1\n");
  Report rep = collect(f, options_for("/p", policy("/nowhere")), nullptr);
  ASSERT_TRUE(rep.roots[0].prefix);
  EXPECT_FALSE(rep.roots[0].prefix->exists);
  EXPECT_TRUE(rep.errors.empty());
  EXPECT_NE(format_human(rep, Color::No).find("prefix: /nowhere: does not exist yet"), std::string::npos);
}

TEST(Status, UnreadableDirectoriesAreErrorsAndFindings) {
  FakeFileSystem f;
  compiled(f, "/p", "a");
  f.add_file("/p/locked/b.py", "");
  f.fail(FakeFileSystem::Op::List, "/p/locked", EACCES);
  Report rep = collect(f, options_for("/p"), nullptr);
  ASSERT_EQ(rep.errors.size(), 1u);
  EXPECT_EQ(rep.errors[0].path, "/p/locked");
  EXPECT_EQ(findings(rep), (std::vector<std::pair<FindingKind, std::string>>{{FindingKind::Unreadable, "/p/locked"}}));
}

TEST(Status, ExcludesSkipSubtreesButOrphansAreStillTold) {
  FakeFileSystem f;
  compiled(f, "/p", "a");
  compiled(f, "/p/vendor", "v");
  f.add_file("/p/skipme.py", "s\n", 100 * kSecond);
  f.add_file("/p/__pycache__/skipme.cpython-311.pyc", timestamp_pyc(k311, 100, 2));
  Options o = options_for("/p");
  o.walk.excludes = {"vendor", "skipme.py"};
  Report rep = collect(f, o, nullptr);
  const Group* g = group(rep.roots[0], Location::PycacheDir, kTag);
  EXPECT_EQ(g->files, 2u);
  EXPECT_EQ(state(g, State::Fresh), 2u) << "an excluded source still exists: its pyc is not orphaned";
}

TEST(Status, SeveralRootsEachWithItsPolicy) {
  FakeFileSystem f;
  compiled(f, "/a", "m");
  compiled(f, "/b", "m");
  Options o = options_for("/a");
  o.targets.push_back(Target{"/b", policy("", false), std::nullopt});
  Report rep = collect(f, o, nullptr);
  ASSERT_EQ(rep.roots.size(), 2u);
  EXPECT_EQ(rep.roots[0].expected.compiled, 1u);
  EXPECT_EQ(rep.roots[1].expected.compiled, 1u);
  EXPECT_EQ(findings(rep),
            (std::vector<std::pair<FindingKind, std::string>>{{FindingKind::BytecodeInTree, "/b/__pycache__"}}));
}

// A pyc name held by a FIFO or a symlink: import would block or read forever.
// A finding, told from the listing alone: never read, never followed.
TEST(Status, APycThatIsAFifoOrALinkIsAFindingAndNeverRead) {
  FakeFileSystem f;
  compiled(f, "/p", "ok");
  f.add_file("/p/fifo.py", "x = 1\n");
  f.add_fifo("/p/__pycache__/fifo.cpython-311.pyc");
  f.add_file("/p/link.py", "x = 1\n");
  f.add_symlink("/p/__pycache__/link.cpython-311.pyc", "/dev/zero");
  f.add_fifo("/p/__pycache__/link.cpython-311.pyc.123");  // a temp name: import never opens it
  f.add_fifo("/p/gone.pyc");
  f.add_fifo("/pfx/p/pre.cpython-311.pyc");
  Options o = options_for("/p");
  o.targets.push_back(Target{"/q", policy("/pfx"), std::nullopt});
  f.add_file("/q/pre.py", "x = 1\n");
  f.add_fifo("/pfx/q/pre.cpython-311.pyc");
  Report r = collect(f, o, nullptr);
  EXPECT_TRUE(r.errors.empty()) << "a FIFO was read: " << (r.errors.empty() ? "" : r.errors[0].path.native());
  EXPECT_EQ(paths(r.roots[0].not_regular),
            (std::set<std::string>{"/p/__pycache__/fifo.cpython-311.pyc", "/p/__pycache__/link.cpython-311.pyc",
                                   "/p/gone.pyc"}));
  EXPECT_EQ(paths(r.roots[1].not_regular), (std::set<std::string>{"/pfx/q/pre.cpython-311.pyc"}));
  const auto want = std::vector<std::pair<FindingKind, std::string>>{
      {FindingKind::NotRegular, "/p/__pycache__/fifo.cpython-311.pyc"},
      {FindingKind::NotRegular, "/p/__pycache__/link.cpython-311.pyc"},
      {FindingKind::NotRegular, "/p/gone.pyc"},
      {FindingKind::NotRegular, "/pfx/q/pre.cpython-311.pyc"},
  };
  EXPECT_EQ(findings(r), want);
  EXPECT_NE(format_findings(r, "/p", Color::No).find("not-regular  __pycache__/link.cpython-311.pyc: a symbolic link"),
            std::string::npos)
      << format_findings(r, "/p", Color::No);
}

// The race the listing loses: a pyc listed as a regular file, replaced by a
// FIFO or a link before its probe. The probe opens without blocking or
// following, and the entry is a finding all the same.
TEST(Status, APycReplacedByAFifoAfterTheListingIsAFindingToo) {
  FakeFileSystem f;
  f.add_file("/p/m.py", "x = 1\n");
  f.add_fifo("/p/__pycache__/m.cpython-311.pyc");
  f.list_as("/p/__pycache__/m.cpython-311.pyc", FileType::Regular);
  f.add_symlink("/p/old.pyc", "/dev/zero");
  f.list_as("/p/old.pyc", FileType::Regular);
  Report r = collect(f, options_for("/p"), nullptr);
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(paths(r.roots[0].not_regular), (std::set<std::string>{"/p/__pycache__/m.cpython-311.pyc", "/p/old.pyc"}));
  EXPECT_TRUE(r.roots[0].groups.empty()) << "counted as a pyc";
}

TEST(StatusPolicy, PrefixMaxSizeIsALimitOnlyWhenSet) {
  Policy p;
  EXPECT_EQ(prefix_max_size(p), std::nullopt) << "unset by default";
  p.override(Key::PrefixMaxSize, std::int64_t{2'000'000'000}, Origin{Source::CommandLine, "--prefix-max-size"});
  EXPECT_EQ(prefix_max_size(p), 2'000'000'000u);
}

}  // namespace
}  // namespace pycache::status

namespace pycache::status {
namespace {

TEST(Status, MtimeIsComparedAsImportlibRoundsIt) {
  // 1700000000.999999999 s is 1700000001.0 as a double: importlib writes
  // 1700000001 and finds the pyc fresh.
  test::FakeFileSystem f;
  f.add_file("/p/m.py", "m\n", 1'700'000'000 * kSecond + 999'999'999);
  f.add_file("/p/__pycache__/m.cpython-311.pyc", timestamp_pyc(k311, 1'700'000'001, 2));
  Report rep = collect(f, options_for("/p"), nullptr);
  EXPECT_EQ(rep.roots[0].expected.states[static_cast<std::size_t>(State::Fresh)], 1u);
}

}  // namespace
}  // namespace pycache::status

namespace pycache::status {
namespace {

TEST(Status, TheFilesystemRootAsARoot) {
  test::FakeFileSystem f;
  compiled(f, "", "m");
  f.add_file("/old.pyc", timestamp_pyc(k311, 0, 0));
  Report rep = collect(f, options_for("/"), nullptr);
  const RootStatus& r = rep.roots[0];
  EXPECT_EQ(r.expected.compiled, 1u);
  EXPECT_EQ(r.expected.states[static_cast<std::size_t>(State::Fresh)], 1u);
  EXPECT_EQ(paths(r.sourceless), (std::set<std::string>{"/old.pyc"}));
}

}  // namespace
}  // namespace pycache::status
