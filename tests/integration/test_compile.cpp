// `pycache compile` on temp trees, against what the embedded interpreter
// itself reads and writes at import.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <map>
#include <regex>
#include <thread>

#include "process.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

// Checks every pyc under argv[1] the way import would, then loads it:
// prints one line per problem, then "checked N".
constexpr const char* kVerifyScript = R"PY(
import importlib.util, marshal, os, sys
root = sys.argv[1]
n = 0
for d, dirs, files in os.walk(root):
    for f in files:
        p = os.path.join(d, f)
        if '.pyc.' in f:
            print('temp file left:', p)
            continue
        if not f.endswith('.pyc'):
            continue
        n += 1
        src = importlib.util.source_from_cache(p)
        data = open(p, 'rb').read()
        if data[:4] != importlib.util.MAGIC_NUMBER:
            print('bad magic:', p); continue
        flags = int.from_bytes(data[4:8], 'little')
        source = open(src, 'rb').read()
        if flags == 0:
            st = os.stat(src)
            if int.from_bytes(data[8:12], 'little') != int(st.st_mtime) & 0xFFFFFFFF or \
               int.from_bytes(data[12:16], 'little') != st.st_size & 0xFFFFFFFF:
                print('stale timestamp header:', p)
        elif data[8:16] != importlib.util.source_hash(source):
            print('stale hash header:', p)
        try:
            code = marshal.loads(data[16:])
            compile(source, src, 'exec')  # the source itself is fine
            if type(code).__name__ != 'code':
                print('not a code object:', p)
        except Exception as e:
            print('does not load:', p, repr(e))
print('checked', n)
)PY";

class Compile : public ::testing::Test {
 protected:
  TempDir t;
  fs::path proj = t / "proj";
  Env env = isolated_env(t.path());
  const std::string tag = python_cache_tag();

  void SetUp() override {
    write_file(proj / "pkg/__init__.py", "VALUE = 1\n");
    write_file(proj / "pkg/mod.py", "def f():\n    assert False, 'asserts on'\n    return 'ok'\n");
    write_file(proj / "pkg/sub/__init__.py", "");
    write_file(proj / "pkg/sub/deep.py", "'''doc'''\nX = [i * 2 for i in range(3)]\n");
    write_file(proj / "pkg/latin.py", "# -*- coding: latin-1 -*-\nS = '\xe9t\xe9'\n");
    write_file(proj / "main.py",
               "import pkg, pkg.mod, pkg.sub.deep, pkg.latin\n"
               "print(pkg.latin.S == '\\u00e9t\\u00e9', pkg.sub.deep.X)\n");
  }
  void policy(const std::string& body) {
    write_file(proj / "pyproject.toml", "[project]\nname = \"p\"\n\n[tool.pycache]\n" + body);
  }
  Outcome exec(std::vector<std::string> argv, const fs::path& cwd = {}) {
    Process p;
    p.argv = std::move(argv);
    p.env = env;
    p.cwd = cwd.empty() ? proj : cwd;
    return run(p);
  }
  Outcome compile(std::vector<std::string> args, const fs::path& cwd = {}) {
    args.insert(args.begin(), {pycache_bin().native(), "compile"});
    return exec(std::move(args), cwd);
  }
  Outcome python(std::vector<std::string> args) {
    args.insert(args.begin(), reference_python().native());
    return exec(std::move(args));
  }
  std::string pyc_name(const std::string& module, int level = 0) {
    return module + "." + tag + (level ? ".opt-" + std::to_string(level) : "") + ".pyc";
  }
  // Every pyc under `root` -> (mtime, inode): to see that nothing was rewritten.
  std::map<fs::path, std::pair<std::int64_t, ino_t>> snapshot(const fs::path& root) {
    std::map<fs::path, std::pair<std::int64_t, ino_t>> out;
    for (const auto& p : find_files(root, ".pyc")) {
      struct stat st;
      if (::stat(p.c_str(), &st) == 0)
        out[p] = {static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, st.st_ino};
    }
    return out;
  }
  std::vector<fs::path> sources() {
    return {proj / "pkg/__init__.py", proj / "pkg/mod.py", proj / "pkg/sub/__init__.py", proj / "pkg/sub/deep.py",
            proj / "pkg/latin.py"};
  }
  void verify_all_load(const fs::path& root) {
    write_file(t / "verify.py", kVerifyScript);
    auto v = python({(t / "verify.py").native(), root.native()});
    ASSERT_EQ(v.exit_code, 0) << v.err;
    EXPECT_TRUE(v.out.starts_with("checked ")) << v.out;
    EXPECT_NE(v.out, "checked 0\n");
  }
};

// The heart of it: after compile, a run under the same policy reads every
// project pyc and neither compiles nor writes any.
TEST_F(Compile, RunAfterCompileReadsEveryPycAndWritesNothing) {
  struct Case {
    std::string policy;
    std::map<std::string, std::string> env;
    fs::path cache_dir;  // where the project's pycs go ("" = __pycache__)
    int level;
  };
  const std::vector<Case> cases{
      {"write-bytecode = true\n", {}, {}, 0},
      {"write-bytecode = true\ncache-prefix = \".cache\"\noptimize = 2\n", {}, proj / ".cache", 2},
      {"write-bytecode = true\noptimize = 1\ncheck-hash-based-pycs = \"always\"\n",
       {{"SOURCE_DATE_EPOCH", "1"}},
       {},
       1},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.policy);
    for (const auto& d : find_pycache_dirs(proj)) fs::remove_all(d);
    fs::remove_all(proj / ".cache");
    policy(c.policy);
    for (const auto& [k, v] : c.env) env[k] = v;
    auto o = compile({});
    ASSERT_EQ(o.exit_code, 0) << o.err;
    EXPECT_EQ(o.err, "");
    for (const auto& [k, v] : c.env) env.erase(k);
    // With a prefix, the run also caches the stdlib there: look at the project's part.
    const fs::path mine = c.cache_dir.empty() ? proj : c.cache_dir / proj.relative_path();
    auto before = snapshot(mine);
    ASSERT_EQ(before.size(), 6u);  // the five modules, and main.py (never read: it runs as __main__)

    auto r = exec({pycache_bin().native(), "run", "-v", "main.py"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "True [0, 2, 4]\n");
    for (const auto& src : sources()) {
      fs::path pyc = c.cache_dir.empty()
                         ? src.parent_path() / "__pycache__" / pyc_name(src.stem().native(), c.level)
                         : c.cache_dir / src.parent_path().relative_path() / pyc_name(src.stem().native(), c.level);
      EXPECT_NE(r.err.find("# code object from '" + pyc.native() + "'"), std::string::npos) << pyc << "\n" << r.err;
      EXPECT_EQ(r.err.find("# code object from " + src.native() + "\n"), std::string::npos) << "compiled " << src;
      EXPECT_EQ(r.err.find("# created '" + pyc.native() + "'"), std::string::npos) << "rewrote " << pyc;
    }
    EXPECT_EQ(snapshot(mine), before);
  }
}

TEST_F(Compile, PycsAreByteForByteWhatPyCompileWrites) {
  if (!marshal_is_deterministic())
    GTEST_SKIP() << "before 3.11 marshal's ref flags depend on refcounts: equal code, bytes may differ";
  write_file(t / "ref.py",
             "import py_compile, sys\n"
             "mode = py_compile.PycInvalidationMode[sys.argv[2]]\n"
             "for level in (0, 1, 2):\n"
             "    py_compile.compile(sys.argv[1], cfile=sys.argv[1] + '.%d.ref' % level, doraise=True,\n"
             "                       optimize=level, invalidation_mode=mode)\n");
  for (std::string mode : {"timestamp", "checked-hash", "unchecked-hash"}) {
    SCOPED_TRACE(mode);
    auto o = compile({"--optimize", "0,1,2", "--invalidation-mode", mode, "pkg"});
    ASSERT_EQ(o.exit_code, 0) << o.err;
    std::string upper = mode == "timestamp" ? "TIMESTAMP" : mode == "checked-hash" ? "CHECKED_HASH" : "UNCHECKED_HASH";
    for (const auto& src : sources()) {
      auto ref = python({(t / "ref.py").native(), src.native(), upper});
      ASSERT_EQ(ref.exit_code, 0) << ref.err;
      for (int level : {0, 1, 2}) {
        fs::path ours = src.parent_path() / "__pycache__" / pyc_name(src.stem().native(), level);
        EXPECT_EQ(read_file(ours), read_file(src.native() + "." + std::to_string(level) + ".ref")) << ours;
      }
    }
  }
}

TEST_F(Compile, SecondRunIsANoOpThatStartsNoWorker) {
  auto first = compile({"--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("\"written\":6"), std::string::npos) << first.out;
  auto before = snapshot(proj);
  auto second = compile({"--json"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("\"written\":0,\"up_to_date\":6"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("\"workers\":0"), std::string::npos) << second.out;
  EXPECT_EQ(snapshot(proj), before);
  EXPECT_EQ(second.err, "");  // no progress line when stderr is not a terminal

  // A touched source is recompiled, alone.
  fs::last_write_time(proj / "pkg/mod.py", fs::last_write_time(proj / "pkg/mod.py") + std::chrono::seconds(5));
  auto third = compile({});
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_NE(third.out.find("6 sources (timestamp, optimize 0): 1 pyc written, 5 up to date"), std::string::npos)
      << third.out;
}

TEST_F(Compile, HashModesAreIncrementalAndAModeChangeRebuilds) {
  auto o = compile({"--invalidation-mode", "checked-hash"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  auto noop = compile({"--invalidation-mode", "checked-hash", "--json"});
  EXPECT_NE(noop.out.find("\"written\":0,\"up_to_date\":6"), std::string::npos) << noop.out;
  EXPECT_NE(noop.out.find("\"hashed\":6"), std::string::npos) << noop.out;
  EXPECT_NE(noop.out.find("\"workers\":0"), std::string::npos) << noop.out;
  // New bytes, same size and mtime: only the hash can tell.
  auto mtime = fs::last_write_time(proj / "pkg/sub/deep.py");
  write_file(proj / "pkg/sub/deep.py", "'''doc'''\nX = [i * 3 for i in range(3)]\n");
  fs::last_write_time(proj / "pkg/sub/deep.py", mtime);
  auto changed = compile({"--invalidation-mode", "checked-hash", "--json"});
  EXPECT_NE(changed.out.find("\"written\":1,\"up_to_date\":5"), std::string::npos) << changed.out;
  // Another mode: everything is rebuilt in it.
  auto other = compile({"--invalidation-mode", "unchecked-hash", "--json"});
  EXPECT_NE(other.out.find("\"written\":6,\"up_to_date\":0"), std::string::npos) << other.out;
  std::string pyc = read_file(proj / "pkg/__pycache__" / pyc_name("mod"));
  EXPECT_EQ(pyc[4], 1);  // unchecked-hash flags
  auto forced = compile({"--invalidation-mode", "unchecked-hash", "--force", "--json"});
  EXPECT_NE(forced.out.find("\"written\":6,\"up_to_date\":0"), std::string::npos) << forced.out;
  verify_all_load(proj);
}

TEST_F(Compile, SourceDateEpochMeansCheckedHashAndIdenticalBytesAcrossRuns) {
  env["SOURCE_DATE_EPOCH"] = "1700000000";
  for (int i = 0; i < 30; ++i)
    write_file(proj / "many" / ("m" + std::to_string(i) + ".py"),
               "import os\nV = os.sep * " + std::to_string(i) + "\n");
  auto first = compile({"-j", "1"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::map<fs::path, std::string> bytes;
  for (const auto& p : find_files(proj, ".pyc")) bytes[p] = read_file(p);
  ASSERT_EQ(bytes.size(), 36u);                                        // 30 + 5 modules + main.py
  EXPECT_EQ(bytes[proj / "pkg/__pycache__" / pyc_name("mod")][4], 3);  // checked-hash flags

  // Later, with other mtimes, other workers and another batch split.
  for (const auto& d : find_pycache_dirs(proj)) fs::remove_all(d);
  for (const auto& p : find_files(proj, ".py"))
    fs::last_write_time(p, fs::file_time_type::clock::now() - std::chrono::hours(30));
  auto second = compile({"-j", "3"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  for (const auto& [p, b] : bytes) EXPECT_EQ(read_file(p), b) << p;
}

TEST_F(Compile, SeveralLevelsInOneRunAndTheirRunsReadThem) {
  auto o = compile({"--optimize", "0,1,2"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  for (int level : {0, 1, 2}) EXPECT_TRUE(fs::exists(proj / "pkg/__pycache__" / pyc_name("mod", level))) << level;
  auto before = snapshot(proj);
  for (const char* flag : {"-O", "-OO"}) {
    auto r = exec({pycache_bin().native(), "run", flag, "main.py"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  EXPECT_EQ(snapshot(proj), before);
}

TEST_F(Compile, WritesWhenThePolicySaysNoBytecodeAndSaysSoOnce) {
  policy("write-bytecode = false\n");
  auto o = compile({"pkg", "main.py"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
  EXPECT_NE(o.err.find("pycache: warning: the policy for 'pkg' says write-bytecode = false"), std::string::npos)
      << o.err;
  EXPECT_TRUE(fs::exists(proj / "pkg/__pycache__" / pyc_name("mod")));
  EXPECT_TRUE(fs::exists(proj / "__pycache__" / pyc_name("main")));
  // And the run that won't write reads them.
  auto r = exec({pycache_bin().native(), "run", "-v", "main.py"});
  EXPECT_NE(r.err.find("# code object from '" + (proj / "pkg/__pycache__" / pyc_name("mod")).native() + "'"),
            std::string::npos);
  auto quiet = compile({"--quiet", "--force"});
  EXPECT_EQ(quiet.exit_code, 0);
  EXPECT_EQ(quiet.err, "");
  EXPECT_EQ(quiet.out, "");
}

TEST_F(Compile, SyntaxErrorsAreReportedTheRestCompiledAndTheStatusIsOne) {
  write_file(proj / "pkg/bad.py", "x = 1\ndef f(:\n    pass\n");
  write_file(proj / "pkg/bad_indent.py", "if True:\nx = 1\n");
  auto o = compile({});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.err.find("pkg/bad.py:2:7: SyntaxError: invalid syntax\n"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find(
                "pkg/bad_indent.py:2:1: IndentationError: expected an indented block after 'if' statement on line 1\n"),
            std::string::npos)
      << o.err;
  EXPECT_NE(o.out.find("2 failed to compile"), std::string::npos) << o.out;
  EXPECT_EQ(find_files(proj, ".pyc").size(), 6u);  // the five modules and main.py
  // Paths are as the user spelled the PATH.
  auto abs = compile({(proj / "pkg").native()});
  EXPECT_NE(abs.err.find((proj / "pkg/bad.py").native() + ":2:7: SyntaxError"), std::string::npos) << abs.err;
  verify_all_load(proj);
}

// A SyntaxWarning names its file as a SyntaxError does: as the PATH was
// given (it was the absolute co_filename, from the worker's own warnings),
// once per source however many levels are compiled, on one line.
TEST_F(Compile, SyntaxWarningsNameTheFileAsTheUserGaveIt) {
  write_file(proj / "pkg/warns.py", "x = 1\nassert (x, 'always true')\n");
  write_file(proj / "pkg/bad.py", "def f(:\n");
  const std::string warning = "pkg/warns.py:2: SyntaxWarning: assertion is always true, perhaps remove parentheses?\n";
  auto o = compile({"--optimize", "0,1"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.err.find("pkg/bad.py:1:7: SyntaxError: invalid syntax\n"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find(warning), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find(proj.native()), std::string::npos) << "no absolute path: " << o.err;
  EXPECT_EQ(o.err.find(warning), o.err.rfind(warning)) << "once, not once per level: " << o.err;
  EXPECT_TRUE(fs::exists(proj / "pkg/__pycache__" / pyc_name("warns", 1))) << "a warning fails nothing";
  // Spelled as given: an absolute PATH, a ./ one.
  auto abs = compile({"--force", (proj / "pkg").native()});
  EXPECT_NE(abs.err.find((proj / "pkg/warns.py").native() + ":2: SyntaxWarning: "), std::string::npos) << abs.err;
  auto dot = compile({"--force", "./pkg/"});
  EXPECT_NE(dot.err.find("./pkg/warns.py:2: SyntaxWarning: "), std::string::npos) << dot.err;
  EXPECT_NE(dot.err.find("./pkg/bad.py:1:7: SyntaxError: "), std::string::npos) << dot.err;
}

TEST_F(Compile, ExcludesSkipFilesAndDirectories) {
  auto o = compile({"--exclude", "sub", "--exclude", "latin.py"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_FALSE(fs::exists(proj / "pkg/sub/__pycache__"));
  EXPECT_FALSE(fs::exists(proj / "pkg/__pycache__" / pyc_name("latin")));
  EXPECT_TRUE(fs::exists(proj / "pkg/__pycache__" / pyc_name("mod")));
}

TEST_F(Compile, PycModeFollowsTheSourceAsCPythons) {
  fs::permissions(proj / "pkg/mod.py", fs::perms::owner_read | fs::perms::group_read);
  auto o = compile({});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  struct stat st;
  ASSERT_EQ(::stat((proj / "pkg/__pycache__" / pyc_name("mod")).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);  // 0440 | 0200, under the test's umask 022
}

TEST_F(Compile, UsageErrorsExitTwo) {
  EXPECT_EQ(compile({"nowhere"}).exit_code, 2);
  EXPECT_EQ(compile({"--optimize", "3"}).exit_code, 2);
  EXPECT_EQ(compile({"--invalidation-mode", "sometimes"}).exit_code, 2);
  write_file(proj / "notes.txt", "x");
  EXPECT_EQ(compile({"notes.txt"}).exit_code, 2);
  policy("optimize = 7\n");
  auto bad = compile({});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(find_files(proj, ".pyc").empty());
}

// Every option that takes a value takes exactly one: the PATHs after it stay
// PATHs (the container recipe runs `compile --optimize 1 /app`).
TEST_F(Compile, AnOptionValueNeverSwallowsThePathsAfterIt) {
  write_file(t / "other/o.py", "O = 1\n");
  for (std::vector<std::string> args : {std::vector<std::string>{"--optimize", "1", "pkg"},
                                        {"--optimize=1", "pkg"},
                                        {"--optimize", "0,1,2", "pkg", (t / "other").native()},
                                        {"--exclude", "latin.py", "pkg"},
                                        {"-j", "1", "pkg"}}) {
    fs::remove_all(proj / "pkg/__pycache__");
    auto o = compile(args);
    ASSERT_EQ(o.exit_code, 0) << args[0] << " " << args[1] << ": " << o.err;
    const int level = args[0] == "-j" || args[0] == "--exclude" ? 0 : 1;
    EXPECT_TRUE(fs::exists(proj / "pkg/__pycache__" / pyc_name("mod", level))) << args[0] << " " << args[1];
    if (args[0] == "--exclude") {
      EXPECT_FALSE(fs::exists(proj / "pkg/__pycache__" / pyc_name("latin", 0))) << "--exclude took latin.py only";
    }
  }
  EXPECT_TRUE(fs::exists(t / "other/__pycache__" / pyc_name("o", 2))) << "both PATHs after a list";
}

TEST_F(Compile, AnUnreadableSourceSaysWhyNotThatItIsMissing) {
  if (::geteuid() != 0 || !pycache_runs_as_nobody() || access("/usr/bin/setpriv", X_OK) != 0)
    GTEST_SKIP() << "needs root to run pycache as nobody on a directory nobody can't search";
  // nobody may list locked/ but not look anything up in it.
  write_file(t / "open/locked/a.py", "A = 1\n");
  ASSERT_EQ(::chmod((t / "open/locked").c_str(), 0444), 0);
  std::vector<std::string> nobody = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  auto as_nobody = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = nobody;
    argv.push_back(pycache_bin().native());
    argv.insert(argv.end(), args.begin(), args.end());
    Env e = env;
    e["HOME"] = "/nonexistent";
    return run({argv, std::nullopt, e, "/"});
  };
  const std::string file = (t / "open/locked/a.py").native();
  auto c = as_nobody({"compile", file});
  EXPECT_EQ(c.exit_code, 2);
  EXPECT_EQ(c.err, "pycache: error: '" + file + "': Permission denied\n");
  auto s = as_nobody({"show", file});
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.out.find(file + " (cannot stat: Permission denied)"), std::string::npos) << s.out;
  EXPECT_EQ(s.out.find("does not exist"), std::string::npos) << s.out;
  ::chmod((t / "open/locked").c_str(), 0755);
}

// Four compiles and four importing interpreters at once on one tree: every
// pyc left behind is whole and valid for its source.
TEST_F(Compile, ConcurrentCompilesAndImportsNeverLeaveABrokenPyc) {
  std::string imports = "import ";
  for (int p = 0; p < 3; ++p) {
    write_file(proj / ("c" + std::to_string(p)) / "__init__.py", "");
    for (int m = 0; m < 25; ++m) {
      std::string name = "c" + std::to_string(p) + ".m" + std::to_string(m);
      std::string body = "'''module " + name + "'''\n";
      for (int f = 0; f < 20; ++f)
        body += "def f" + std::to_string(f) + "(x):\n    return [x] * " + std::to_string(f) + "\n";
      write_file(proj / ("c" + std::to_string(p)) / ("m" + std::to_string(m) + ".py"), body);
      imports += (imports.size() > 7 ? ", " : "") + name;
    }
  }
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round);
    if (round == 1)  // everything stale again, for compiles and imports alike
      for (const auto& p : find_files(proj, ".py"))
        fs::last_write_time(p, fs::last_write_time(p) + std::chrono::seconds(3));
    std::vector<Outcome> outcomes(8);
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&, i] { outcomes[static_cast<std::size_t>(i)] = compile({"--force", "-j", "2", "-q"}); });
      threads.emplace_back([&, i] {
        outcomes[static_cast<std::size_t>(4 + i)] = exec({pycache_python_bin().native(), "-c", imports});
      });
    }
    for (auto& th : threads) th.join();
    for (const auto& o : outcomes) EXPECT_EQ(o.exit_code, 0) << o.err;
    verify_all_load(proj);
    auto v = python({(t / "verify.py").native(), proj.native()});
    EXPECT_EQ(v.out, "checked 84\n") << v.out;  // 75 + 3 packages + 5 modules + main.py
  }
}

}  // namespace
}  // namespace pycache::test
