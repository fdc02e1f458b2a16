// `pycache clean` on real temp trees: pycs from the reference python, symlink
// loops and symlinks out of the tree, unreadable directories (as nobody),
// hostile names, prefixes, and a compileall writing while the clean runs.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include "process.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

// run() with everything but the input given (which stays empty).
Outcome spawn(std::vector<std::string> argv, Env env, fs::path cwd) {
  Process p;
  p.argv = std::move(argv);
  p.env = std::move(env);
  p.cwd = std::move(cwd);
  return run(p);
}

struct FileState {
  std::string content;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileState&) const = default;
};

// Every .py under root, with its bytes and mtime: to prove none was touched.
std::map<std::string, FileState> sources(const fs::path& root) {
  std::map<std::string, FileState> out;
  for (const auto& p : find_files(root, ".py")) {
    struct stat st {};
    lstat(p.c_str(), &st);
    out[p.native()] = FileState{read_file(p), st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec};
  }
  return out;
}

// Files whose name holds ".pyc" or ".pyo" anywhere (temp files too), no symlink followed.
std::vector<fs::path> bytecode_under(const fs::path& root) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().native();
    if (!it->is_symlink() && (name.find(".pyc") != std::string::npos || name.find(".pyo") != std::string::npos))
      out.push_back(it->path());
  }
  return out;
}

class Clean : public ::testing::Test {
 protected:
  TempDir t;
  fs::path home = t / "home";
  fs::path proj = t / "proj";
  Env env = isolated_env(t.path());
  const std::string tag = python_cache_tag();

  Outcome pycache(std::vector<std::string> args, const fs::path& cwd = {}) {
    args.insert(args.begin(), {pycache_bin().native(), "clean"});
    return spawn(args, env, cwd.empty() ? proj : cwd);
  }
  Outcome python(std::vector<std::string> args, const fs::path& cwd = {}, Env extra = {}) {
    args.insert(args.begin(), reference_python().native());
    Env e = env;
    for (auto& [k, v] : extra) e[k] = v;
    return spawn(args, e, cwd.empty() ? proj : cwd);
  }
  void compileall(const fs::path& dir, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"-m", "compileall", "-q"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(dir.native());
    auto o = python(args, t.path());
    ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  }
  void project() {
    write_file(proj / "main.py", "import pkg.mod\n");
    write_file(proj / "pkg/__init__.py", "X = 1\n");
    write_file(proj / "pkg/mod.py", "def f():\n    return 2\n");
    write_file(proj / "pkg/sub/__init__.py", "");
    write_file(proj / "pkg/sub/deep.py", "Y = 3\n");
    compileall(proj);
    compileall(proj, {"-o", "1"});
  }
};

TEST_F(Clean, RemovesEveryPycAndPycacheAndNoSource) {
  project();
  write_file(proj / ("pkg/__pycache__/mod." + tag + ".pyc.1234567"), "temp");
  write_file(proj / ("pkg/__pycache__/mod." + tag + "-pytest-8.3.2.pyc"), "pytest");
  compileall(proj / "pkg/mod.py", {"-b"});
  ASSERT_TRUE(fs::exists(proj / "pkg/mod.pyc"));
  auto before = sources(proj);
  ASSERT_EQ(bytecode_under(proj).size(), 13u);
  auto o = pycache({});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.err, "");
  EXPECT_TRUE(bytecode_under(proj).empty());
  EXPECT_TRUE(find_pycache_dirs(proj).empty());
  EXPECT_EQ(sources(proj), before);
  EXPECT_EQ(o.out.rfind("removed 13 files and 3 directories, ", 0), 0u) << o.out;
  EXPECT_NE(o.out.find(" freed in "), std::string::npos) << o.out;
  auto again = pycache({});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(again.out.rfind("nothing removed in ", 0), 0u) << again.out;
}

TEST_F(Clean, DryRunListsWhatWouldGoAndChangesNothing) {
  project();
  auto before = bytecode_under(proj);
  auto o = pycache({"-n"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(bytecode_under(proj).size(), before.size());
  EXPECT_NE(o.out.find("would remove " + (proj / "pkg/__pycache__/mod." += tag + ".pyc").native() + "\n"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("would remove " + (proj / "pkg/__pycache__").native() + "/\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("would remove 10 files and 3 directories"), std::string::npos) << o.out;
  auto quiet = pycache({"-n", "-q"});
  EXPECT_EQ(quiet.out, "");
}

TEST_F(Clean, VerboseQuietAndJson) {
  project();
  auto j = pycache({"--json", "-n"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_EQ(j.out.front(), '{');
  EXPECT_NE(j.out.find("\"files\":10,\"directories\":3,"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"removed\":[{\"path\":"), std::string::npos) << "dry-run JSON lists removals";
  EXPECT_NE(j.out.find("\"problems\":[]"), std::string::npos);
  // The reference python can read it.
  Process reader;
  reader.argv = {reference_python().native(), "-c",
                 "import json,sys; d=json.load(sys.stdin); print(d['files'], d['directories'], len(d['removed']))"};
  reader.env = env;
  reader.cwd = proj;
  reader.input = j.out;
  auto check = run(reader);
  EXPECT_EQ(check.out, "10 3 13\n") << check.err;
  auto v = pycache({"-v"});
  ASSERT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("removed " + (proj / "pkg/sub/__pycache__").native() + "/\n"), std::string::npos) << v.out;
  project();
  auto q = pycache({"-q"});
  EXPECT_EQ(q.exit_code, 0);
  EXPECT_EQ(q.out, "");
  EXPECT_EQ(q.err, "");
  EXPECT_TRUE(bytecode_under(proj).empty());
}

TEST_F(Clean, SymlinkLoopsAndLinksOutOfTheTreeAreNeverFollowed) {
  project();
  fs::path outside = t / "outside";
  write_file(outside / "lib/m.py", "Z = 1\n");
  write_file(outside / "legacy.py", "L = 1\n");
  compileall(outside);
  compileall(outside / "legacy.py", {"-b"});
  auto outside_bytecode = bytecode_under(outside);
  ASSERT_EQ(outside_bytecode.size(), 3u);
  fs::create_directory_symlink(outside, proj / "link-out");
  fs::create_directory_symlink(outside / "lib/__pycache__", proj / "pkg/sub/__pycache__-link");
  fs::create_directory_symlink(proj, proj / "pkg/loop");
  fs::create_directory_symlink("..", proj / "pkg/sub/up");
  fs::create_symlink(outside / "legacy.pyc", proj / "pkg/linked.pyc");
  auto o = pycache({"-v"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.err, "");
  EXPECT_EQ(bytecode_under(outside), outside_bytecode);
  EXPECT_FALSE(fs::exists(fs::symlink_status(proj / "pkg/linked.pyc")))
      << "a link bearing a pyc name is bytecode debris: the link goes, never its target";
  EXPECT_TRUE(find_pycache_dirs(proj).empty());
  EXPECT_EQ(o.out.find(outside.native()), std::string::npos) << o.out;
  // A symlink as PATH is refused, not followed.
  auto l = pycache({"link-out"});
  EXPECT_EQ(l.exit_code, 2);
  EXPECT_NE(l.err.find("is a symbolic link"), std::string::npos) << l.err;
  EXPECT_EQ(bytecode_under(outside), outside_bytecode);
}

TEST_F(Clean, RefusesRootAndHomeUnlessForced) {
  auto r = pycache({"/"}, t.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "pycache: error: refusing to clean path '/': it is the root directory (use --force if you mean it)\n");
  write_file(home / "lib/m.py", "");
  compileall(home);
  for (const auto& spelling : {std::string("."), home.native(), home.native() + "/", home.native() + "/lib/.."}) {
    auto h = pycache({spelling}, home);
    EXPECT_EQ(h.exit_code, 2) << spelling;
    EXPECT_NE(h.err.find("it is the home directory"), std::string::npos) << spelling << ": " << h.err;
  }
  EXPECT_EQ(bytecode_under(home).size(), 1u);
  auto forced = pycache({"--force"}, home);
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_TRUE(bytecode_under(home).empty());
  EXPECT_EQ(pycache({"lib"}, home).exit_code, 0) << "below home is fine";
}

TEST_F(Clean, UsageErrorsDoNothing) {
  project();
  const auto n = bytecode_under(proj).size();
  for (std::vector<std::string> args : {std::vector<std::string>{"missing-dir"},
                                        {"--orphans"},
                                        {"--older-than", "3d"},
                                        {"--max-size", "1G"},
                                        {"--prefix", "--older-than", "30"},
                                        {"--prefix", "--max-size", "lots"},
                                        {"--debris=pytset"},
                                        {"-q", "-v"},
                                        {"--prefix"},
                                        {"--bogus"}}) {
    auto o = pycache(args);
    EXPECT_EQ(o.exit_code, 2) << args[0];
    EXPECT_EQ(o.err.rfind("pycache: error: ", 0), 0u) << o.err;
    EXPECT_EQ(o.out, "");
  }
  EXPECT_EQ(bytecode_under(proj).size(), n);
  EXPECT_NE(pycache({"--prefix"}).err.find("no cache prefix is in force"), std::string::npos);
  // A broken policy stops everything before anything is removed.
  write_file(proj / "pycache.toml", "cache-prefix = [\n");
  auto broken = pycache({});
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_NE(broken.err.find("/proj/pycache.toml:1:"), std::string::npos) << broken.err;
  EXPECT_EQ(bytecode_under(proj).size(), n);
  auto h = spawn({pycache_bin().native(), "help", "clean"}, env, t.path());
  EXPECT_EQ(h.exit_code, 0);
  for (const char* s : {"--dry-run", "--debris", "--stale", "--prefix", "--max-size", "--older-than", "--exclude",
                        "--one-file-system", "--force", "Exit status"})
    EXPECT_NE(h.out.find(s), std::string::npos) << s;
}

TEST_F(Clean, HostileNamesAreRemovedAndPrintedOnOneLine) {
  const std::vector<std::string> dirs = {"with space", "new\nline", std::string("bad\xff\xfe"), "-dash"};
  for (const auto& d : dirs) write_file(proj / d / "m x.py", "A = 1\n");
  compileall(proj);
  write_file(proj / std::string("legacy\xff.pyc"), "x");
  ASSERT_EQ(bytecode_under(proj).size(), 5u);
  auto o = pycache({"-v"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(bytecode_under(proj).empty());
  EXPECT_TRUE(find_pycache_dirs(proj).empty());
  EXPECT_EQ(sources(proj).size(), 4u);
  std::size_t lines = 0;
  for (char c : o.out) lines += c == '\n';
  EXPECT_EQ(lines, 5u + 4u + 2u) << "one line per removal, then the summary:\n" << o.out;
  EXPECT_NE(o.out.find("new\\nline"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("bad\\xff\\xfe"), std::string::npos) << o.out;
}

TEST_F(Clean, ExcludeAndVcsDirectories) {
  project();
  write_file(proj / ".git/hooks/h.py", "");
  write_file(proj / "vendor/v.py", "");
  compileall(proj / ".git");
  compileall(proj / "vendor");
  auto o = pycache({"--exclude", "vendor", "--exclude", "pkg/sub"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(fs::exists(proj / ".git/hooks/__pycache__"));
  EXPECT_TRUE(fs::exists(proj / "vendor/__pycache__"));
  EXPECT_TRUE(fs::exists(proj / "pkg/sub/__pycache__"));
  EXPECT_FALSE(fs::exists(proj / "pkg/__pycache__"));
}

TEST_F(Clean, PycacheWithOtherFilesIsKeptAndReported) {
  project();
  write_file(proj / "pkg/__pycache__/NOTES", "mine");
  auto o = pycache({});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(fs::exists(proj / "pkg/__pycache__/NOTES"));
  EXPECT_EQ(bytecode_under(proj).size(), 0u);
  EXPECT_NE(o.out.find("kept '" + (proj / "pkg/__pycache__").native() + "': 1 entry not bytecode"), std::string::npos)
      << o.out;
}

TEST_F(Clean, DebrisOnlyWhenAskedAndToxOnlyWhenNamed) {
  project();
  write_file(proj / ".pytest_cache/v/cache/lastfailed", "{}");
  write_file(proj / ".mypy_cache/3.11/x.json", "{}");
  write_file(proj / ".ruff_cache/0.4/x", "");
  write_file(proj / ".hypothesis/examples/x", "");
  write_file(proj / ".coverage", "");
  write_file(proj / ".coverage.host.12.34", "");
  write_file(proj / ".coveragerc", "[run]\n");
  write_file(proj / ".tox/py311/lib/x.py", "");
  fs::create_symlink(reference_python(), proj / ".tox/py311/python");
  fs::create_directory_symlink(t / "outside", proj / ".pytest_cache/escape");
  write_file(t / "outside/keep.txt", "mine");
  EXPECT_EQ(pycache({}).exit_code, 0);
  EXPECT_TRUE(fs::exists(proj / ".pytest_cache"));
  auto o = pycache({"--debris"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  for (const char* gone :
       {".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis", ".coverage", ".coverage.host.12.34"})
    EXPECT_FALSE(fs::exists(fs::symlink_status(proj / gone))) << gone;
  EXPECT_TRUE(fs::exists(proj / ".coveragerc"));
  EXPECT_TRUE(fs::exists(proj / ".tox/py311/lib/x.py"));
  EXPECT_TRUE(fs::exists(t / "outside/keep.txt"));
  EXPECT_TRUE(fs::exists(reference_python()));
  auto tox = pycache({"--debris=tox"});
  ASSERT_EQ(tox.exit_code, 0) << tox.err;
  EXPECT_FALSE(fs::exists(fs::symlink_status(proj / ".tox")));
  EXPECT_TRUE(fs::exists(reference_python()));
  // A bare --debris never takes the next PATH as its KINDS; it repeats.
  write_file(t / "other/.pytest_cache/x", "");
  write_file(t / "other/.tox/x", "");
  auto two = pycache({"--debris", (t / "other").native(), "--debris=tox"});
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_FALSE(fs::exists(t / "other/.pytest_cache"));
  EXPECT_FALSE(fs::exists(t / "other/.tox"));
}

TEST_F(Clean, StaleRemovesWhatWouldShadowADeletedModule) {
  write_file(proj / "live.py", "V = 'live'\n");
  write_file(proj / "gone.py", "V = 'gone'\n");
  write_file(proj / "legacy_gone.py", "V = 'legacy'\n");
  compileall(proj);
  compileall(proj / "legacy_gone.py", {"-b"});
  fs::remove(proj / "gone.py");
  fs::remove(proj / "legacy_gone.py");
  // The sourceless legacy pyc is still importable: the trap --stale is for.
  auto before = python({"-c", "import legacy_gone; print(legacy_gone.V)"});
  EXPECT_EQ(before.out, "legacy\n") << before.err;
  auto o = pycache({"--stale", "-v"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_FALSE(fs::exists(proj / "legacy_gone.pyc"));
  EXPECT_FALSE(fs::exists(proj / ("__pycache__/gone." + tag + ".pyc")));
  EXPECT_TRUE(fs::exists(proj / ("__pycache__/live." + tag + ".pyc")));
  EXPECT_NE(o.out.find("kept 1 bytecode file still in use"), std::string::npos) << o.out;
  auto after = python({"-c", "import legacy_gone"});
  EXPECT_NE(after.exit_code, 0);
  EXPECT_NE(after.err.find("ModuleNotFoundError"), std::string::npos);
}

TEST_F(Clean, RemovesThePathsMirrorInThePolicysPrefix) {
  fs::path prefix = t / "pyc-prefix";
  write_file(proj / "pyproject.toml", "[tool.pycache]\ncache-prefix = \"" + prefix.native() + "\"\n");
  write_file(proj / "main.py", "import pkg.mod\n");
  write_file(proj / "pkg/__init__.py", "");
  write_file(proj / "pkg/mod.py", "");
  write_file(t / "other/o.py", "");
  auto r = spawn({pycache_bin().native(), "run", "main.py"}, env, proj);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  python({"-c", "import o"}, t / "other", {{"PYTHONPYCACHEPREFIX", prefix.native()}});
  ASSERT_EQ(bytecode_under(prefix / proj.relative_path()).size(), 2u);
  ASSERT_EQ(bytecode_under(prefix / (t / "other").relative_path()).size(), 1u);
  auto o = pycache({});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_FALSE(fs::exists(prefix / proj.relative_path())) << "the emptied mirror goes";
  EXPECT_EQ(bytecode_under(prefix / (t / "other").relative_path()).size(), 1u) << "another tree's mirror stays";
  EXPECT_TRUE(fs::exists(prefix));
  // The environment's prefix counts as well (no policy file needed).
  fs::remove(proj / "pyproject.toml");
  Env with_prefix = env;
  with_prefix["PYTHONPYCACHEPREFIX"] = prefix.native();
  auto again = spawn({pycache_bin().native(), "run", "main.py"}, with_prefix, proj);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  ASSERT_EQ(bytecode_under(prefix / proj.relative_path()).size(), 2u);
  auto envclean = spawn({pycache_bin().native(), "clean"}, with_prefix, proj);
  EXPECT_EQ(envclean.exit_code, 0) << envclean.err;
  EXPECT_FALSE(fs::exists(prefix / proj.relative_path()));
}

TEST_F(Clean, PrefixUpkeepOrphansAgeAndSize) {
  fs::path prefix = t / "pfx";
  write_file(proj / "pycache.toml", "cache-prefix = \"" + prefix.native() + "\"\nprefix-max-size = \"5k\"\n");
  // Each pyc holds a 2,000-byte constant: about 2.1 kB.
  for (int i = 0; i < 6; ++i)
    write_file(proj / ("m" + std::to_string(i) + ".py"),
               "X = '" + std::string(2000, 'a' + static_cast<char>(i)) + "'\n");
  compileall(proj);  // in __pycache__: not the prefix's business
  // The prefix's mirror, as PYTHONPYCACHEPREFIX would fill it (copied: a
  // python run with a prefix also caches the stdlib modules it imports there).
  const fs::path mirror = prefix / proj.relative_path();
  fs::create_directories(mirror);
  for (const auto& pyc : find_files(proj / "__pycache__", ".pyc")) fs::copy_file(pyc, mirror / pyc.filename());
  ASSERT_EQ(bytecode_under(prefix).size(), 6u);
  // Ages: m0 used 40 days ago ... m5 today; mtime old for all (atime decides).
  const auto now = std::chrono::system_clock::now();
  for (int i = 0; i < 6; ++i) {
    fs::path p = mirror / ("m" + std::to_string(i) + "." + tag + ".pyc");
    ASSERT_TRUE(fs::exists(p)) << p;
    auto used = now - std::chrono::hours(24 * (40 - 8 * i));
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(used.time_since_epoch()).count();
    timespec times[2] = {{secs, 0}, {secs - 86400 * 100, 0}};
    ASSERT_EQ(utimensat(AT_FDCWD, p.c_str(), times, AT_SYMLINK_NOFOLLOW), 0);
  }
  fs::remove(proj / "m5.py");
  auto orphans = pycache({"--prefix", "--orphans", "--max-size", "1G"});
  ASSERT_EQ(orphans.exit_code, 0) << orphans.err;
  EXPECT_EQ(bytecode_under(prefix).size(), 5u) << orphans.out;
  auto old = pycache({"--prefix", "--older-than", "30d", "--max-size", "1G", "-v"});
  ASSERT_EQ(old.exit_code, 0) << old.err;
  EXPECT_FALSE(fs::exists(mirror / ("m0." + tag + ".pyc"))) << old.out;  // 40 days
  EXPECT_FALSE(fs::exists(mirror / ("m1." + tag + ".pyc"))) << old.out;  // 32 days
  EXPECT_EQ(bytecode_under(prefix).size(), 3u);
  // prefix-max-size = 5k from the policy: each pyc is ~2.1 kB, two fit; m2 is the least recently used.
  auto size = pycache({"--prefix", "--json"});
  ASSERT_EQ(size.exit_code, 0) << size.err;
  EXPECT_NE(size.out.find("\"evicted\":1"), std::string::npos) << size.out;
  EXPECT_FALSE(fs::exists(mirror / ("m2." + tag + ".pyc")));
  EXPECT_EQ(bytecode_under(prefix).size(), 2u);
  EXPECT_EQ(bytecode_under(proj).size(), 6u) << "the tree's own __pycache__ is not the prefix";
  // With no limit and no selection the prefix is emptied, itself kept.
  auto wipe = pycache({"--prefix", "--max-size", "0"});
  ASSERT_EQ(wipe.exit_code, 0) << wipe.err;
  EXPECT_TRUE(bytecode_under(prefix).empty());
  EXPECT_TRUE(fs::is_directory(prefix));
  EXPECT_TRUE(fs::is_empty(prefix));
}

// Root ignores permissions: the unreadable-directory test runs the binary as
// nobody on a tree nobody owns.
std::optional<std::vector<std::string>> as_nobody() {
  if (geteuid() != 0) return std::vector<std::string>{};
  for (const char* setpriv : {"/usr/bin/setpriv", "/bin/setpriv"})
    if (access(setpriv, X_OK) == 0)
      return std::vector<std::string>{setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"};
  return std::nullopt;
}

TEST_F(Clean, UnreadableDirAndUnremovableFileAreReportedWithStatus1) {
  auto prefix = as_nobody();
  if (!prefix) GTEST_SKIP() << "running as root without setpriv: cannot drop to nobody";
  if (!pycache_runs_as_nobody()) GTEST_SKIP() << "pycache cannot run as nobody here (a libpython nobody can't read)";
  project();
  write_file(proj / "locked/m.py", "");
  write_file(proj / "ro/m.py", "");
  compileall(proj);
  if (geteuid() == 0) {
    ASSERT_EQ(chmod(t.path().c_str(), 0755), 0);
    for (auto it = fs::recursive_directory_iterator(proj); it != fs::recursive_directory_iterator(); ++it)
      ASSERT_EQ(lchown(it->path().c_str(), 65534, 65534), 0);
    ASSERT_EQ(lchown(proj.c_str(), 65534, 65534), 0);
  }
  ASSERT_EQ(chmod((proj / "locked").c_str(), 0), 0);
  ASSERT_EQ(chmod((proj / "ro/__pycache__").c_str(), 0555), 0);
  std::vector<std::string> argv = *prefix;
  argv.insert(argv.end(), {pycache_bin().native(), "clean", "--no-policy", proj.native()});
  Env e = env;
  e["HOME"] = "/nonexistent";
  auto o = spawn(argv, e, "/");
  chmod((proj / "locked").c_str(), 0755);
  chmod((proj / "ro/__pycache__").c_str(), 0755);
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_NE(o.err.find("pycache: error: cannot read '" + (proj / "locked").native() + "': Permission denied"),
            std::string::npos)
      << o.err;
  EXPECT_NE(o.err.find("pycache: error: cannot remove '" + (proj / "ro/__pycache__/m.").native() + tag +
                       ".pyc': Permission denied"),
            std::string::npos)
      << o.err;
  EXPECT_NE(o.out.find("2 problems (reported above)"), std::string::npos) << o.out;
  // The rest went.
  EXPECT_FALSE(fs::exists(proj / "pkg/__pycache__"));
  EXPECT_FALSE(fs::exists(proj / "pkg/sub/__pycache__"));
  EXPECT_TRUE(fs::exists(proj / "locked/__pycache__"));
  EXPECT_TRUE(fs::exists(proj / "ro/__pycache__"));
}

TEST_F(Clean, ConcurrentCompileallIsNoError) {
  for (int p = 0; p < 30; ++p)
    for (int m = 0; m < 25; ++m)
      write_file(proj / ("p" + std::to_string(p)) / ("m" + std::to_string(m) + ".py"),
                 "def f(x):\n    return [i * x for i in range(10)]\n" + std::string(m * 40, '#') + "\n");
  const auto before = sources(proj);
  std::atomic<bool> done{false};
  Outcome compiled;
  std::thread writer([&] {
    compiled = spawn({reference_python().native(), "-m", "compileall", "-q", proj.native()}, env, "/");
    done = true;
  });
  int rounds = 0;
  std::vector<Outcome> cleans;
  // At least one clean overlaps the compile; keep cleaning until it ends.
  while (!done || rounds == 0) {
    cleans.push_back(pycache({}));
    ++rounds;
  }
  writer.join();
  EXPECT_FALSE(compiled.timed_out);
  int removing = 0;
  for (const auto& c : cleans) {
    EXPECT_EQ(c.exit_code, 0) << c.err;
    EXPECT_EQ(c.err, "") << "vanished or appearing files are not problems";
    removing += c.out.rfind("removed ", 0) == 0;
  }
  EXPECT_GT(removing, 0) << "no clean overlapped the compile: the test proved nothing";
  auto last = pycache({});
  EXPECT_EQ(last.exit_code, 0) << last.err;
  EXPECT_TRUE(bytecode_under(proj).empty());
  EXPECT_TRUE(find_pycache_dirs(proj).empty());
  EXPECT_EQ(sources(proj), before) << "no source touched";
  RecordProperty("clean_rounds_during_compile", rounds);
}

// --- hostile input -----------------------------------------------------------

TEST_F(Clean, ASymlinkInsideThePrefixIsNeverAWayToTheMirror) {
  // The mirror of proj is pfx/<proj without its leading slash>; its first
  // component, a link to a victim tree holding the same layout.
  const fs::path prefix = t / "pfx";
  const std::string first = *proj.relative_path().begin();
  const fs::path victim = t / "victim";
  const fs::path planted = victim / proj.relative_path().lexically_relative(first) / ("other." + tag + ".pyc");
  write_file(planted, "not yours");
  fs::create_directories(prefix);
  fs::create_symlink(victim, prefix / first);
  write_file(proj / "pycache.toml", "cache-prefix = \"" + prefix.native() + "\"\n");
  write_file(proj / "other.py", "");
  auto o = pycache({});
  EXPECT_TRUE(fs::exists(planted)) << "clean deleted a file outside its prefix through a link";
  EXPECT_TRUE(fs::is_symlink(prefix / first));
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_NE(
      o.err.find("cannot read '" + (prefix / proj.relative_path()).native() + "': Too many levels of symbolic links"),
      std::string::npos)
      << o.err;
}

// Creates `depth` nested directories named `name` below `top`, through
// descriptors (the path grows past PATH_MAX), and a pyc in a __pycache__ at
// the bottom; returns the descriptor of the deepest directory.
int deep_tree(const fs::path& top, const std::string& name, int depth, const std::string& pyc) {
  int fd = ::open(top.c_str(), O_RDONLY | O_DIRECTORY);
  for (int i = 0; i < depth; ++i) {
    ::mkdirat(fd, name.c_str(), 0755);
    int next = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY);
    ::close(fd);
    fd = next;
  }
  ::mkdirat(fd, "__pycache__", 0755);
  int cache = ::openat(fd, "__pycache__", O_RDONLY | O_DIRECTORY);
  int f = ::openat(cache, pyc.c_str(), O_WRONLY | O_CREAT, 0644);
  ::close(f);
  ::close(cache);
  return fd;
}

TEST_F(Clean, APycacheDeeperThanPathMaxGoesEntirely) {
  const std::string name(200, 'd');
  fs::create_directories(proj);
  int bottom = deep_tree(proj, name, 30, "m." + tag + ".pyc");  // 30 x 201 bytes > PATH_MAX
  ASSERT_GE(bottom, 0);
  auto o = pycache({});
  struct stat st {};
  const bool still_there = ::fstatat(bottom, "__pycache__", &st, AT_SYMLINK_NOFOLLOW) == 0;
  ::close(bottom);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.err, "");
  EXPECT_FALSE(still_there) << "the emptied __pycache__ stayed (rmdir by path: File name too long)";
  EXPECT_EQ(o.out.rfind("removed 1 file and 1 directory, ", 0), 0u) << o.out;
}

TEST_F(Clean, OneFileSystemLeavesBindMountsOfTheSameFileSystemAlone) {
  if (::geteuid() != 0) GTEST_SKIP() << "bind mounts need root";
  write_file(t / ("elsewhere/__pycache__/m." + tag + ".pyc"), "");
  write_file(t / "elsewhere/m.py", "");
  write_file(proj / ("__pycache__/a." + tag + ".pyc"), "");
  fs::create_directories(proj / "bound");
  auto m = spawn({"/bin/mount", "--bind", (t / "elsewhere").native(), (proj / "bound").native()}, env, t.path());
  if (m.exit_code != 0) GTEST_SKIP() << "cannot bind-mount here: " << m.err;
  auto o = pycache({"-x"});
  auto dry = pycache({"-x", "-n", "--debris"});
  spawn({"/bin/umount", (proj / "bound").native()}, env, t.path());
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_FALSE(fs::exists(proj / "__pycache__"));
  EXPECT_TRUE(fs::exists(t / ("elsewhere/__pycache__/m." + tag + ".pyc"))) << "-x entered a bind mount";
  EXPECT_EQ(dry.out.find("/bound/"), std::string::npos) << dry.out;
}

// `pycache clean ARGS` in a mount namespace of its own where each (source,
// target) is bind-mounted first: no mount outlives the run, none reaches the
// host. nullopt when this machine can't (not root, no unshare).
std::optional<Outcome> clean_with_binds(const std::vector<std::pair<fs::path, fs::path>>& binds,
                                        std::vector<std::string> args, const Env& env, const fs::path& cwd) {
  if (::geteuid() != 0 || access("/usr/bin/unshare", X_OK) != 0) return std::nullopt;
  std::string script = "set -e; ";
  for (std::size_t i = 0; i < binds.size(); ++i)
    script += "mount --bind \"$" + std::to_string(2 * i + 1) + "\" \"$" + std::to_string(2 * i + 2) + "\"; ";
  script += "shift " + std::to_string(2 * binds.size()) + "; exec \"$@\"";
  std::vector<std::string> argv = {"/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script, "sh"};
  for (const auto& [from, to] : binds) argv.insert(argv.end(), {from.native(), to.native()});
  argv.insert(argv.end(), {pycache_bin().native(), "clean"});
  argv.insert(argv.end(), args.begin(), args.end());
  auto o = spawn(argv, env, cwd);
  if (o.err.find("mount: ") != std::string::npos || o.err.find("unshare: ") != std::string::npos) return std::nullopt;
  return o;
}

// A debris directory or a __pycache__ that is a mount point (a bind mount of
// the same file system: only the mount ID tells): clean leaves what the mount
// holds (the debris), never tries to remove the mount point, and says so.
// With -x a __pycache__ mount is not entered at all.
TEST_F(Clean, AMountPointIsNeverEmptiedWithOrWithoutOneFileSystem) {
  const fs::path data = t / "data", pycs = t / "pycs";
  for (const bool x : {true, false}) {
    SCOPED_TRACE(x ? "-x" : "no -x");
    write_file(data / "precious.txt", "keep me");
    write_file(data / "sub/deeper.txt", "me too");
    write_file(pycs / ("m." + tag + ".pyc"), "");
    write_file(proj / "m.py", "");
    write_file(proj / ("__pycache__/a." + tag + ".pyc"), "");
    write_file(proj / ".pytest_cache/v/x", "");
    fs::create_directories(proj / ".mypy_cache");
    fs::create_directories(proj / "pkg/__pycache__");
    std::vector<std::string> args = {"--debris"};
    if (x) args.push_back("-x");
    auto o = clean_with_binds({{data, proj / ".mypy_cache"}, {pycs, proj / "pkg/__pycache__"}}, args, env, proj);
    if (!o) GTEST_SKIP() << "needs root and a mount namespace (unshare -m)";
    EXPECT_EQ(o->exit_code, 0) << o->out << o->err;
    EXPECT_EQ(o->err, "");
    EXPECT_EQ(read_file(data / "precious.txt"), "keep me") << "the bind-mounted directory was emptied";
    EXPECT_EQ(read_file(data / "sub/deeper.txt"), "me too");
    EXPECT_NE(o->out.find("kept '" + (proj / ".mypy_cache").native() + "': a mount point"), std::string::npos)
        << o->out;
    EXPECT_FALSE(fs::exists(proj / "__pycache__"));
    EXPECT_FALSE(fs::exists(proj / ".pytest_cache"));
    // The pycs of a mounted __pycache__ are bytecode like any other, unless -x.
    EXPECT_EQ(fs::exists(pycs / ("m." + tag + ".pyc")), x) << o->out;
    if (!x) {
      EXPECT_NE(o->out.find("kept '" + (proj / "pkg/__pycache__").native() + "': a mount point"), std::string::npos)
          << o->out;
    }
    fs::remove_all(proj);
  }
}

TEST_F(Clean, EmptyOrOutOfRangeValuesAreUsageErrors) {
  project();
  const auto n = bytecode_under(proj).size();
  write_file(proj / "pycache.toml", "cache-prefix = \"" + (t / "pfx").native() + "\"\n");
  fs::create_directories(t / "pfx");
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const std::vector<Case> cases = {
      {{"--prefix", "--older-than", ""}, "--older-than: invalid duration ''"},
      {{"--prefix", "--older-than="}, "--older-than: "},
      {{"--prefix", "--max-size", ""}, "--max-size: invalid size ''"},
      {{"--older-than", ""}, "--older-than needs --prefix"},
      {{"--max-size="}, "--max-size"},
      {{"-j", "0"}, "option '--jobs': expected a number from 1 to 256, got '0'"},
      {{"-j", "100000"}, "option '--jobs': expected a number from 1 to 256, got '100000'"},
      {{"-j", "abc"}, "option '--jobs': expected a number from 1 to 256, got 'abc'"},
      {{"--exclude", ""}, "option '--exclude': expected a value, got ''"},
      {{"--cache-prefix", ""}, "option '--cache-prefix': expected a value, got ''"},
      {{""}, "PATH: expected a value, got ''"},
  };
  for (const auto& c : cases) {
    auto o = pycache(c.args);
    EXPECT_EQ(o.exit_code, 2) << c.args[0];
    EXPECT_EQ(o.err.rfind("pycache: error: " + c.error, 0), 0u) << o.err;
    EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << "one line: " << o.err;
    EXPECT_EQ(o.out, "");
  }
  EXPECT_EQ(bytecode_under(proj).size(), n);
}

TEST_F(Clean, PrefixUpkeepRemovesOnlyTheDirectoriesItEmptied) {
  const fs::path prefix = t / "pfx";
  write_file(proj / "pycache.toml", "cache-prefix = \"" + prefix.native() + "\"\n");
  fs::create_directories(prefix / "already/empty");
  write_file(prefix / ("kept/m." + tag + ".pyc"), "x");
  auto none = pycache({"--prefix", "--older-than", "9999d"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out.rfind("nothing removed in ", 0), 0u) << none.out;
  EXPECT_TRUE(fs::is_directory(prefix / "already/empty")) << "a selection that removes no file removes no directory";
  auto wipe = pycache({"--prefix"});
  EXPECT_EQ(wipe.exit_code, 0) << wipe.err;
  EXPECT_TRUE(fs::is_empty(prefix)) << "with no selection the whole prefix is emptied";
}

TEST_F(Clean, FewerThreadsThanAskedStillCleanEverything) {
  auto prefix = as_nobody();
  if (!prefix || prefix->empty()) GTEST_SKIP() << "needs root and setpriv to run as nobody under a process limit";
  if (access("/usr/bin/prlimit", X_OK) != 0) GTEST_SKIP() << "needs prlimit (util-linux)";
  if (!pycache_runs_as_nobody()) GTEST_SKIP() << "pycache cannot run as nobody here (a libpython nobody can't read)";
  project();
  for (auto it = fs::recursive_directory_iterator(t.path()); it != fs::recursive_directory_iterator(); ++it)
    ASSERT_EQ(lchown(it->path().c_str(), 65534, 65534), 0);
  ASSERT_EQ(chmod(t.path().c_str(), 0755), 0);
  // One process for nobody: not one more thread can start.
  std::vector<std::string> argv = *prefix;
  argv.insert(argv.end(), {"/usr/bin/prlimit", "--nproc=1:1", pycache_bin().native(), "clean", "-j", "8", "--no-policy",
                           proj.native()});
  Env e = env;
  e["HOME"] = "/nonexistent";
  auto o = spawn(argv, e, "/");
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_EQ(o.err, "");
  EXPECT_TRUE(bytecode_under(proj).empty());
}

// 256 walking threads under a limit of 40 open files: the walk holds no more
// descriptors than the limit allows, and everything is cleaned.
TEST_F(Clean, ManyThreadsUnderALowOpenFileLimitCleanEverything) {
  if (access("/usr/bin/prlimit", X_OK) != 0) GTEST_SKIP() << "needs prlimit (util-linux)";
  for (int top = 0; top < 24; ++top) {
    fs::path dir = proj / ("d" + std::to_string(top));
    for (int depth = 0; depth < 8; ++depth, dir /= "s") {
      write_file(dir / "m.py", "");
      write_file(dir / ("__pycache__/m." + tag + ".pyc"), "");
    }
    write_file(proj / ("d" + std::to_string(top)) / ".mypy_cache/3.11/a/b/c/x.json", "{}");
  }
  auto o = spawn({"/usr/bin/prlimit", "--nofile=40:40", pycache_bin().native(), "clean", "-j", "256", "--debris",
                  "--no-policy", proj.native()},
                 env, proj);
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_EQ(o.err, "");
  EXPECT_TRUE(bytecode_under(proj).empty());
  EXPECT_NE(o.out.find("removed 216 files and 312 directories"), std::string::npos) << o.out;
}

TEST_F(Clean, RootOrHomeAsACachePrefixIsRefusedEverywhere) {
  project();
  const auto n = bytecode_under(proj).size();
  for (const std::string& bad : {std::string("/"), home.native(), std::string("~")}) {
    write_file(proj / "pycache.toml", "cache-prefix = \"" + bad + "\"\n");
    for (std::vector<std::string> argv : {std::vector<std::string>{pycache_bin().native(), "clean"},
                                          {pycache_bin().native(), "clean", "--prefix", "--force"},
                                          {pycache_bin().native(), "compile"},
                                          {pycache_python_bin().native(), "-c", "print(1)"}}) {
      auto o = spawn(argv, env, proj);
      EXPECT_EQ(o.exit_code, 2) << bad << " " << argv[1];
      EXPECT_EQ(o.out, "");
      EXPECT_NE(o.err.find("pycache: error: the cache prefix '"), std::string::npos) << o.err;
      EXPECT_NE(o.err.find(bad == "/" ? "it is the root directory" : "it is the home directory"), std::string::npos)
          << o.err;
    }
  }
  EXPECT_EQ(bytecode_under(proj).size(), n);
}

}  // namespace
}  // namespace pycache::test
