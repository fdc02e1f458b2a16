// The compile engine over the in-memory filesystem, with a fake interpreter
// that counts what it is asked to do.
#include "pycache/compile.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>

#include "fake_fs.hpp"

namespace pycache::compile {
namespace {

using pyc::Invalidation;
using test::FakeFileSystem;

constexpr std::uint16_t kMagic = 3495;
constexpr std::int64_t kSecond = 1'000'000'000;

class FakeTools final : public Toolchain {
 public:
  std::atomic<int> starts{0}, compiles{0}, hashes{0};
  bool fail_start = false;

  std::optional<Error> start() override {
    ++starts;
    if (fail_start) return Error{"no python here", kExitEnvironment};
    return std::nullopt;
  }
  embed::CompileOutcome compile(std::string_view source, const std::string& filename, int optimize) override {
    ++compiles;
    embed::CompileOutcome o;
    if (source.find("SYNTAX") != std::string_view::npos) {
      o.error_type = "SyntaxError";
      o.message = "invalid syntax";
      o.line = 2;
      o.column = 3;
      return o;
    }
    if (source.find("WARN") != std::string_view::npos)
      o.warnings.push_back(embed::CompileWarning{"SyntaxWarning", "\"is\" with a literal", 1});
    o.ok = true;
    o.code = "code(" + filename + "," + std::to_string(optimize) + "):" + std::string(source);
    return o;
  }
  std::array<std::uint8_t, 8> hash(std::string_view source) override {
    ++hashes;
    std::array<std::uint8_t, 8> h{};
    std::uint64_t v = std::hash<std::string_view>{}(source);
    for (int i = 0; i < 8; ++i) h[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
    return h;
  }
  std::uint16_t magic() override { return kMagic; }
};

std::string tag() { return "cpython-311"; }

class Compile : public ::testing::Test {
 protected:
  FakeFileSystem fs;
  FakeTools parent, worker;  // the parent's interpreter and the workers'
  Options options;

  void SetUp() override {
    fs.add_file("/p/a.py", "A = 1\n", 100 * kSecond);
    fs.add_file("/p/pkg/__init__.py", "", 100 * kSecond);
    fs.add_file("/p/pkg/b.py", "B = 2\n", 100 * kSecond);
    options.roots = {Root{"/p", "p", {}, {0}, true}};
    options.cache_tag = tag();
    options.magic = kMagic;
    options.walk_threads = 3;
  }
  Summary run() {
    return compile_tree(fs, options, parent, [&](Executor::Sink sink) {
      return std::make_unique<InlineExecutor>(fs, worker, std::move(sink));
    });
  }
  std::string pyc(const std::string& dir, const std::string& name, int level = 0) {
    const auto* n = fs.node(pyc::cache_from_source(fs::path(dir) / (name + ".py"), tag(), level));
    return n ? n->content : std::string();
  }
  void reset_counts() {
    parent.starts = parent.compiles = parent.hashes = 0;
    worker.starts = worker.compiles = worker.hashes = 0;
  }
};

// ------------------------------------------------------------ freshness

FileStat source_stat(std::int64_t mtime_ns, std::uint64_t size) {
  FileStat st;
  st.type = FileType::Regular;
  st.mtime_ns = mtime_ns;
  st.size = size;
  return st;
}

std::string ts_header(std::uint32_t mtime, std::uint32_t size, std::uint16_t magic = kMagic) {
  return pyc::format_header(pyc::Header{magic, Invalidation::Timestamp, mtime, size, {}});
}

TEST(Freshness, TimestampPycIsUpToDateWhenMtimeAndSizeMatch) {
  auto st = source_stat(100 * kSecond + 5, 42);
  EXPECT_EQ(freshness(ts_header(100, 42), st, Invalidation::Timestamp, kMagic, Force::No), Freshness::UpToDate);
  EXPECT_EQ(freshness(ts_header(101, 42), st, Invalidation::Timestamp, kMagic, Force::No), Freshness::Stale);
  EXPECT_EQ(freshness(ts_header(100, 43), st, Invalidation::Timestamp, kMagic, Force::No), Freshness::Stale);
  EXPECT_EQ(freshness(ts_header(100, 42, 3571), st, Invalidation::Timestamp, kMagic, Force::No), Freshness::Stale);
  EXPECT_EQ(freshness(ts_header(100, 42), st, Invalidation::Timestamp, kMagic, Force::Yes), Freshness::Stale);
}

TEST(Freshness, MissingShortOrGarbledPycsAreStale) {
  auto st = source_stat(0, 0);
  EXPECT_EQ(freshness(std::nullopt, st, Invalidation::Timestamp, kMagic, Force::No), Freshness::Stale);
  EXPECT_EQ(freshness(ts_header(0, 0).substr(0, 12), st, Invalidation::Timestamp, kMagic, Force::No), Freshness::Stale);
  EXPECT_EQ(freshness(std::string(16, 'x'), st, Invalidation::Timestamp, kMagic, Force::No), Freshness::Stale);
}

TEST(Freshness, SizesAndMtimesCompareOnTheirLow32Bits) {
  // importlib stores and compares `value & 0xFFFFFFFF`.
  auto st = source_stat((std::int64_t{1} << 32) * kSecond + 7 * kSecond, (std::uint64_t{1} << 32) + 9);
  EXPECT_EQ(freshness(ts_header(7, 9), st, Invalidation::Timestamp, kMagic, Force::No), Freshness::UpToDate);
}

TEST(Freshness, AModeOtherThanTheRequestedOneIsStale) {
  auto st = source_stat(100 * kSecond, 42);
  std::string checked = pyc::format_header(pyc::Header{kMagic, Invalidation::CheckedHash, 0, 0, {1}});
  std::string unchecked = pyc::format_header(pyc::Header{kMagic, Invalidation::UncheckedHash, 0, 0, {1}});
  EXPECT_EQ(freshness(checked, st, Invalidation::Timestamp, kMagic, Force::No), Freshness::Stale);
  EXPECT_EQ(freshness(ts_header(100, 42), st, Invalidation::CheckedHash, kMagic, Force::No), Freshness::Stale);
  EXPECT_EQ(freshness(unchecked, st, Invalidation::CheckedHash, kMagic, Force::No), Freshness::Stale);
  EXPECT_EQ(freshness(checked, st, Invalidation::UncheckedHash, kMagic, Force::No), Freshness::Stale);
  // The requested hash mode: the source hash decides.
  EXPECT_EQ(freshness(checked, st, Invalidation::CheckedHash, kMagic, Force::No), Freshness::CheckHash);
  EXPECT_EQ(freshness(unchecked, st, Invalidation::UncheckedHash, kMagic, Force::No), Freshness::CheckHash);
  EXPECT_EQ(freshness(checked, st, Invalidation::CheckedHash, kMagic, Force::Yes), Freshness::Stale);
}

// ------------------------------------------------------------- the tree

TEST_F(Compile, WritesEveryPycBesideItsSourceWithTheImportHeader) {
  auto s = run();
  EXPECT_EQ(s.sources, 3u);
  EXPECT_EQ(s.written, 3u);
  EXPECT_EQ(s.compiled, 3u);
  EXPECT_TRUE(s.failures.empty());
  std::string a = pyc("/p", "a");
  ASSERT_EQ(a.size() > 16, true);
  auto h = pyc::parse_header(a);
  ASSERT_TRUE(h);
  EXPECT_EQ(*h, (pyc::Header{kMagic, Invalidation::Timestamp, 100, 6, {}}));
  EXPECT_EQ(a.substr(16), "code(/p/a.py,0):A = 1\n");
  EXPECT_EQ(fs.node("/p/__pycache__/a.cpython-311.pyc")->mode, 0644u);
  EXPECT_FALSE(pyc("/p/pkg", "__init__").empty());
  EXPECT_FALSE(pyc("/p/pkg", "b").empty());
  EXPECT_EQ(parent.starts, 0);  // timestamp mode: the parent never needs python
}

TEST_F(Compile, SecondRunCompilesNothingAndStartsNoInterpreter) {
  run();
  reset_counts();
  auto before = fs.mutations().size();
  auto s = run();
  EXPECT_EQ(s.up_to_date, 3u);
  EXPECT_EQ(s.written, 0u);
  EXPECT_EQ(fs.mutations().size(), before);
  EXPECT_EQ(worker.starts + worker.compiles + parent.starts + parent.hashes, 0);
}

TEST_F(Compile, ATouchedOrResizedSourceIsRecompiledAlone) {
  run();
  reset_counts();
  fs.add_file("/p/a.py", "A = 1\n", 200 * kSecond);       // same bytes, new mtime
  fs.add_file("/p/pkg/b.py", "B = 22\n", 100 * kSecond);  // same mtime, new size
  auto s = run();
  EXPECT_EQ(s.written, 2u);
  EXPECT_EQ(s.up_to_date, 1u);
  EXPECT_EQ(worker.compiles, 2);
  EXPECT_EQ(pyc::parse_header(pyc("/p", "a"))->source_mtime, 200u);
  EXPECT_EQ(pyc::parse_header(pyc("/p/pkg", "b"))->source_size, 7u);
}

TEST_F(Compile, CheckedHashNoOpHashesInTheParentAndCompilesNothing) {
  options.mode = Invalidation::CheckedHash;
  run();
  EXPECT_EQ(worker.hashes, 3);  // written with the source's hash
  auto h = pyc::parse_header(pyc("/p", "a"));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->mode, Invalidation::CheckedHash);
  EXPECT_EQ(h->source_hash, worker.hash("A = 1\n"));
  reset_counts();

  fs.add_file("/p/a.py", "A = 1\n", 999 * kSecond);  // mtimes don't matter for hash pycs
  auto s = run();
  EXPECT_EQ(s.up_to_date, 3u);
  EXPECT_EQ(s.written, 0u);
  EXPECT_EQ(s.hashed, 3u);
  EXPECT_EQ(parent.hashes, 3);
  EXPECT_EQ(worker.compiles + worker.starts, 0);

  reset_counts();
  fs.add_file("/p/a.py", "A = 2\n", 999 * kSecond);  // same size and mtime, other bytes
  s = run();
  EXPECT_EQ(s.written, 1u);
  EXPECT_EQ(worker.compiles, 1);
  EXPECT_EQ(pyc::parse_header(pyc("/p", "a"))->source_hash, worker.hash("A = 2\n"));
}

TEST_F(Compile, UncheckedHashPycsAreCheckedAgainstTheSourceToo) {
  options.mode = Invalidation::UncheckedHash;
  run();
  fs.add_file("/p/a.py", "A = 3\n", 100 * kSecond);
  reset_counts();
  auto s = run();
  EXPECT_EQ(s.written, 1u);
  EXPECT_EQ(s.up_to_date, 2u);
  EXPECT_EQ(pyc::parse_header(pyc("/p", "a"))->mode, Invalidation::UncheckedHash);
}

TEST_F(Compile, ChangingTheModeRebuildsEveryPyc) {
  run();
  options.mode = Invalidation::CheckedHash;
  reset_counts();
  auto s = run();
  EXPECT_EQ(s.written, 3u);
  EXPECT_EQ(parent.hashes, 0);  // timestamp pycs are stale for checked-hash: no hash needed
  EXPECT_EQ(pyc::parse_header(pyc("/p/pkg", "b"))->mode, Invalidation::CheckedHash);
  options.mode = Invalidation::Timestamp;
  s = run();
  EXPECT_EQ(s.written, 3u);
  EXPECT_EQ(pyc::parse_header(pyc("/p/pkg", "b"))->mode, Invalidation::Timestamp);
}

TEST_F(Compile, ForceRewritesUpToDatePycs) {
  run();
  options.force = Force::Yes;
  reset_counts();
  auto s = run();
  EXPECT_EQ(s.written, 3u);
  EXPECT_EQ(s.up_to_date, 0u);
  EXPECT_EQ(worker.compiles, 3);
}

TEST_F(Compile, SeveralLevelsInOneWalkAndOneReadPerSource) {
  options.roots[0].levels = {0, 1, 2};
  auto s = run();
  EXPECT_EQ(s.written, 9u);
  EXPECT_EQ(s.compiled, 3u);
  EXPECT_EQ(pyc("/p", "a", 2).substr(16), "code(/p/a.py,2):A = 1\n");
  EXPECT_EQ(pyc("/p", "a", 1).substr(16), "code(/p/a.py,1):A = 1\n");
  // Only the missing level is written on the next run.
  fs.unlink("/p/__pycache__/a.cpython-311.opt-1.pyc");
  reset_counts();
  s = run();
  EXPECT_EQ(s.written, 1u);
  EXPECT_EQ(s.up_to_date, 8u);
  EXPECT_EQ(worker.compiles, 1);
}

TEST_F(Compile, CachePrefixMirrorsTheSourceTree) {
  options.roots[0].cache_prefix = "/cache";
  run();
  EXPECT_TRUE(fs.exists("/cache/p/a.cpython-311.pyc"));
  EXPECT_TRUE(fs.exists("/cache/p/pkg/b.cpython-311.pyc"));
  EXPECT_FALSE(fs.exists("/p/__pycache__"));
}

TEST_F(Compile, APrefixInsideTheTreeAndPycacheDirsAreNotWalked) {
  options.roots[0].cache_prefix = "/p/.cache";
  fs.add_file("/p/.cache/stray.py", "", 0);
  fs.add_file("/p/__pycache__/odd.py", "", 0);
  auto s = run();
  EXPECT_EQ(s.sources, 3u);
  EXPECT_TRUE(fs.exists("/p/.cache/p/a.cpython-311.pyc"));
}

// A warning is named by the display path, as a SyntaxError is, and comes
// once per source whatever the number of levels; it fails nothing.
TEST_F(Compile, WarningsAreReportedOnceWithTheDisplayPath) {
  fs.add_file("/p/pkg/warns.py", "WARN\n", 100 * kSecond);
  options.roots[0].levels = {0, 1, 2};
  auto s = run();
  EXPECT_TRUE(s.failures.empty());
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_EQ(format_failure(s.warnings[0]), "p/pkg/warns.py:1: SyntaxWarning: \"is\" with a literal");
  EXPECT_TRUE(fs.exists("/p/pkg/__pycache__/warns.cpython-311.opt-2.pyc"));
}

TEST_F(Compile, SyntaxErrorsAreReportedAndTheRestIsCompiled) {
  fs.add_file("/p/pkg/bad.py", "x\nSYNTAX\n", 100 * kSecond);
  auto s = run();
  ASSERT_EQ(s.failures.size(), 1u);
  EXPECT_EQ(format_failure(s.failures[0]), "p/pkg/bad.py:2:3: SyntaxError: invalid syntax");
  EXPECT_EQ(s.compile_errors(), 1u);
  EXPECT_EQ(s.written, 3u);
  EXPECT_FALSE(fs.exists("/p/pkg/__pycache__/bad.cpython-311.pyc"));
}

TEST_F(Compile, WriteFailuresAreErrorsWithThePath) {
  fs.add_dir("/p/pkg/__pycache__");
  fs.fail(FakeFileSystem::Op::Write, "/p/pkg/__pycache__/b.cpython-311.pyc", EACCES);
  auto s = run();
  ASSERT_EQ(s.failures.size(), 1u);
  EXPECT_EQ(s.failures[0].path, "p/pkg/b.py");
  EXPECT_TRUE(s.failures[0].error_type.empty());
  EXPECT_NE(s.failures[0].message.find("Permission denied"), std::string::npos);
  EXPECT_EQ(s.written, 2u);
}

// A directory that cannot be listed is shown from the PATH it was found
// under: "/p/ab" is not under "/p/a", whatever the order of the PATHs.
TEST_F(Compile, AnUnreadableDirectoryIsShownFromItsOwnRoot) {
  fs.add_file("/p/a/x.py", "", 100 * kSecond);
  fs.add_file("/p/ab/sub/y.py", "", 100 * kSecond);
  fs.fail(FakeFileSystem::Op::List, "/p/ab/sub", EACCES);
  options.roots = {Root{"/p/ab", "ab", {}, {0}, true}, Root{"/p/a", "a", {}, {0}, true}};
  auto s = run();
  ASSERT_EQ(s.failures.size(), 1u);
  EXPECT_EQ(s.failures[0].path, "ab/sub");
  EXPECT_NE(s.failures[0].message.find("cannot read"), std::string::npos) << s.failures[0].message;
}

TEST_F(Compile, ExcludesAndSymlinksAreSkipped) {
  options.excludes = {"pkg"};
  fs.add_symlink("/p/link.py", "/elsewhere/x.py");
  auto s = run();
  EXPECT_EQ(s.sources, 1u);
  EXPECT_EQ(s.skipped_symlinks, 1u);
  EXPECT_FALSE(fs.exists("/p/pkg/__pycache__"));
}

TEST_F(Compile, AFileRootCompilesJustThatFile) {
  options.roots = {Root{"/p/pkg/b.py", "p/pkg/b.py", {}, {0}, true}};
  auto s = run();
  EXPECT_EQ(s.sources, 1u);
  EXPECT_FALSE(pyc("/p/pkg", "b").empty());
  EXPECT_TRUE(pyc("/p", "a").empty());
}

TEST_F(Compile, AnInterpreterThatCannotStartIsFatal) {
  worker.fail_start = true;
  auto s = run();
  ASSERT_TRUE(s.fatal);
  EXPECT_EQ(*s.fatal, "no python here");
  EXPECT_EQ(s.written, 0u);
}

// ------------------------------------------- a directory swapped mid-compile

// What is written below `dir`, besides `keep`.
std::vector<std::string> written_below(const FakeFileSystem& fs, const std::string& dir, const std::string& keep) {
  std::vector<std::string> out;
  for (const auto& p : fs.paths())
    if (p.native().rfind(dir + "/", 0) == 0 && p.native() != keep) out.push_back(p.native());
  return out;
}

// Another user owns the tree: once the source is read, they move `pkg` away
// and put a link to a directory of root's in its place (with a b.py of the
// same size and mtime, so the source looks unchanged through the link). The
// pyc must go where the source was read, or nowhere: never through the link.
TEST_F(Compile, ADirectorySwappedForALinkWhileTheSourceIsReadIsNeverWrittenThrough) {
  options.mode = Invalidation::UncheckedHash;
  fs.add_file("/victim/b.py", "V = 9\n", 100 * kSecond);
  fs.on_read("/p/pkg/b.py", [&] {
    fs.rename("/p/pkg", "/p/moved");
    fs.add_symlink("/p/pkg", "/victim");
  });
  run();
  EXPECT_EQ(written_below(fs, "/victim", "/victim/b.py"), std::vector<std::string>{});
  EXPECT_TRUE(fs.exists("/p/moved/__pycache__/b.cpython-311.pyc")) << "written in the directory it was read from";
}

TEST_F(Compile, AMirrorDirectorySwappedForALinkInThePrefixIsNeverWrittenThrough) {
  options.mode = Invalidation::UncheckedHash;
  options.roots[0].cache_prefix = "/cache";
  fs.add_dir("/cache/p");
  fs.add_dir("/victim");
  fs.on_read("/p/pkg/b.py", [&] {
    fs.rename("/cache/p", "/cache/moved");
    fs.add_symlink("/cache/p", "/victim");
  });
  auto s = run();
  EXPECT_EQ(written_below(fs, "/victim", ""), std::vector<std::string>{});
  ASSERT_FALSE(s.failures.empty());
  EXPECT_TRUE(std::any_of(
      s.failures.begin(), s.failures.end(),
      [](const Failure& f) { return f.path == "p/pkg/b.py" && f.message.find("symbolic link") != std::string::npos; }))
      << s.failures[0].path << ": " << s.failures[0].message;
}

// ---------------------------------------------------------- run_task

TEST_F(Compile, RunTaskTakesTheModeFromTheSource) {
  Task t{"/p/a.py", "a.py", Invalidation::Timestamp, {{0, "/p/__pycache__/a.cpython-311.pyc"}}};
  auto r = run_task(fs, worker, t);
  EXPECT_EQ(r.status, TaskResult::Status::Written);
  EXPECT_EQ(r.written, 1u);
  EXPECT_EQ(fs.node("/p/__pycache__/a.cpython-311.pyc")->mode, (0644u | 0200u) & 0666u);
  Task gone{"/p/nope.py", "nope.py", Invalidation::Timestamp, {{0, "/p/__pycache__/nope.cpython-311.pyc"}}};
  auto e = run_task(fs, worker, gone);
  EXPECT_EQ(e.status, TaskResult::Status::Vanished) << "deleted since the walk: nothing to report";
  EXPECT_EQ(e.written, 0u);
  EXPECT_FALSE(fs.exists("/p/__pycache__/nope.cpython-311.pyc"));
  fs.fail(FakeFileSystem::Op::Read, "/p/a.py", EACCES);
  auto denied = run_task(fs, worker, t);
  EXPECT_EQ(denied.status, TaskResult::Status::IoError);
  EXPECT_NE(denied.message.find("Permission denied"), std::string::npos) << denied.message;
}

// A task crosses into a worker: there its directory is opened again from
// the root, one component at a time, and must be the one the walk listed.
TEST_F(Compile, RunTaskWritesOnlyInTheDirectoryTheWalkListed) {
  FileStat pkg;
  ASSERT_EQ(fs.lstat("/p/pkg", pkg), 0);
  const Task t{
      "/p/pkg/b.py", "p/pkg/b.py", Invalidation::Timestamp, {{0, "/p/pkg/__pycache__/b.cpython-311.pyc"}}, "/p", "",
      pkg.device,    pkg.inode};
  fs.rename("/p/pkg", "/p/old");
  fs.add_file("/p/pkg/b.py", "B = 2\n", 100 * kSecond);  // another directory, the same source
  auto replaced = run_task(fs, worker, t);
  EXPECT_EQ(replaced.status, TaskResult::Status::IoError);
  EXPECT_EQ(replaced.message, "its directory was replaced during the compile: nothing written");
  fs.rename("/p/pkg", "/p/new");
  fs.add_symlink("/p/pkg", "/p/old");
  auto linked = run_task(fs, worker, t);
  EXPECT_EQ(linked.status, TaskResult::Status::IoError);
  EXPECT_EQ(linked.message, "cannot open its directory: a symbolic link is on the way: not followed");
  EXPECT_FALSE(fs.exists("/p/old/__pycache__"));
  EXPECT_FALSE(fs.exists("/p/new/__pycache__"));
  EXPECT_EQ(worker.compiles, 0);
}

// ----------------------------------------------------------- wire format

TEST(CompileWire, BatchesAndResultsRoundTrip) {
  std::vector<Task> batch{
      Task{"/a/b.py",
           "",
           Invalidation::CheckedHash,
           {{0, "/a/__pycache__/b.x.pyc"}, {2, "/a/__pycache__/b.x.opt-2.pyc"}}},
      Task{std::string("/a/\xff.py"), "", Invalidation::Timestamp, {}, "/a", "/pfx", 0x1'0000'0002, 0xffff'0000'0001},
  };
  std::vector<Task> back;
  ASSERT_TRUE(decode_batch(encode_batch(batch), back));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].source, "/a/b.py");
  EXPECT_EQ(back[0].mode, Invalidation::CheckedHash);
  ASSERT_EQ(back[0].outputs.size(), 2u);
  EXPECT_EQ(back[0].outputs[1].optimize, 2);
  EXPECT_EQ(back[0].outputs[1].pyc, "/a/__pycache__/b.x.opt-2.pyc");
  EXPECT_EQ(back[1].source.native(), "/a/\xff.py");
  EXPECT_EQ(back[1].base, "/a");
  EXPECT_EQ(back[1].prefix, "/pfx");
  EXPECT_EQ(back[1].dir_device, 0x1'0000'0002u);
  EXPECT_EQ(back[1].dir_inode, 0xffff'0000'0001u);
  EXPECT_FALSE(decode_batch(encode_batch(batch).substr(0, 10), back));

  TaskResult r;
  r.status = TaskResult::Status::CompileError;
  r.written = 1;
  r.error_type = "SyntaxError";
  r.message = "bad";
  r.line = 4;
  r.column = 9;
  r.warnings = {embed::CompileWarning{"SyntaxWarning", "invalid escape sequence '\\d'", 3},
                embed::CompileWarning{"DeprecationWarning", "x", 0}};
  TaskResult r2;
  ASSERT_TRUE(decode_result(encode_result(r), r2));
  EXPECT_EQ(r2.status, r.status);
  EXPECT_EQ(r2.written, 1u);
  EXPECT_EQ(r2.error_type, "SyntaxError");
  EXPECT_EQ(r2.message, "bad");
  EXPECT_EQ(r2.line, 4);
  EXPECT_EQ(r2.column, 9);
  ASSERT_EQ(r2.warnings.size(), 2u);
  EXPECT_EQ(r2.warnings[0].category, "SyntaxWarning");
  EXPECT_EQ(r2.warnings[0].message, "invalid escape sequence '\\d'");
  EXPECT_EQ(r2.warnings[0].line, 3);
  EXPECT_EQ(r2.warnings[1].category, "DeprecationWarning");
  EXPECT_FALSE(decode_result("xx", r2));
  TaskResult gone;
  gone.status = TaskResult::Status::Vanished;
  ASSERT_TRUE(decode_result(encode_result(gone), r2));
  EXPECT_EQ(r2.status, TaskResult::Status::Vanished);
}

}  // namespace
}  // namespace pycache::compile
