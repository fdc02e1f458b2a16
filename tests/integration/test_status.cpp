// `pycache status` on real trees compiled by the reference python, in real
// git repositories, checked against what the import system does.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include <sys/stat.h>
#include <unistd.h>

#include "process.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

class Status : public ::testing::Test {
 protected:
  TempDir t;
  fs::path proj = t / "proj";
  Env env = isolated_env(t.path());

  void SetUp() override {
    // git: no system or global configuration but ours.
    add_git_identity(env);
    write_file(proj / "pkg/__init__.py", "VALUE = 1\n");
    write_file(proj / "pkg/mod.py", "def f():\n    return 'ok'\n");
    write_file(proj / "main.py", "import pkg.mod\n");
  }
  Outcome pycache(std::vector<std::string> args, const fs::path& cwd = {}) {
    args.insert(args.begin(), pycache_bin().native());
    return run({args, std::nullopt, env, cwd.empty() ? proj : cwd});
  }
  Outcome python(std::vector<std::string> args, const fs::path& cwd = {}) {
    args.insert(args.begin(), reference_python().native());
    return run({args, std::nullopt, env, cwd.empty() ? proj : cwd});
  }
  void compileall(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"-m", "compileall", "-q"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(".");
    auto o = python(args);
    ASSERT_EQ(o.exit_code, 0) << o.err;
  }
  void git(std::vector<std::string> args) {
    args.insert(args.begin(), "/usr/bin/git");
    auto o = run({args, std::nullopt, env, proj});
    ASSERT_EQ(o.exit_code, 0) << o.err;
  }
  // One value of the --json report, read by python's json module.
  std::string json(const std::string& json_text, const std::string& expr) {
    auto o = run({{reference_python().native(), "-c", "import json,sys; d=json.load(sys.stdin); print(" + expr + ")"},
                  std::nullopt,
                  env,
                  proj,
                  json_text});
    EXPECT_EQ(o.exit_code, 0) << o.err << json_text;
    std::string v = o.out;
    if (!v.empty() && v.back() == '\n') v.pop_back();
    return v;
  }
  std::string tag() { return python_cache_tag(); }
  std::set<std::string> listing(const fs::path& root) {
    std::set<std::string> out;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it)
      out.insert(it->path().native());
    return out;
  }
};

TEST_F(Status, FreshTreeThenStaleOrphanedAndSourceless) {
  compileall();
  auto o = pycache({"status"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.err, "");
  EXPECT_NE(o.out.find("sources: 3 .py files; " + tag() + " opt 0 in __pycache__: 3 compiled (3 fresh), 0 missing"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("check: no problems"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find('\x1b'), std::string::npos) << "no colours into a pipe";

  // Edit one source (new size), delete another; turn the third into a legacy sourceless pyc.
  write_file(proj / "pkg/mod.py", "def f():\n    return 'changed'\n");
  fs::remove(proj / "main.py");
  auto b = python({"-m", "compileall", "-q", "-b", "pkg/__init__.py"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  fs::remove(proj / "pkg/__init__.py");
  // What the import system makes of it: the sourceless pyc is imported.
  auto imp = python({"-c", "import pkg; print(pkg.VALUE, pkg.__file__.endswith('.pyc'))"});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_EQ(imp.out, "1 True\n");

  auto j = pycache({"status", "--json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_EQ(json(j.out, "d['schema']"), "1");
  EXPECT_EQ(json(j.out, "d['roots'][0]['sources']"), "1");
  EXPECT_EQ(json(j.out,
                 "[(g['location'], g['files'], g['states']['fresh'], g['states']['stale'], g['states']['orphaned'], "
                 "g['states']['sourceless']) for g in d['roots'][0]['groups']]"),
            "[('__pycache__', 3, 0, 1, 2, 0), ('legacy', 1, 0, 0, 0, 1)]");
  EXPECT_EQ(json(j.out, "[f['kind'] for f in d['findings']]"), "['sourceless']");

  auto c = pycache({"status", "--check"});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_EQ(c.out, "sourceless  pkg/__init__.pyc: no source: 'import' loads this Python " +
                       std::string(tag().substr(8, 1)) + "." + tag().substr(9) +
                       " bytecode\npycache status: 1 problem\n")
      << c.out;
}

// A test module that only pytest imported has only pytest's rewritten pyc
// (NAME.TAG-pytest-X.Y.Z.pyc): pytest's cache, not a missing pyc, never
// stale or stray.
TEST_F(Status, TestModulesWithOnlyPytestsPycsAreNotMissing) {
  write_file(proj / "tests/test_a.py", "def test_a():\n    assert 1\n");
  write_file(proj / "tests/test_b.py", "def test_b():\n    assert 1\n");
  compileall();
  // What a pytest run leaves: each test module's pyc under pytest's name only.
  for (const char* m : {"test_a", "test_b"})
    fs::rename(proj / "tests/__pycache__" / (std::string(m) + "." + tag() + ".pyc"),
               proj / "tests/__pycache__" / (std::string(m) + "." + tag() + "-pytest-8.3.2.pyc"));
  auto o = pycache({"status"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("sources: 5 .py files; " + tag() +
                       " opt 0 in __pycache__: 3 compiled (3 fresh), 2 rewritten by pytest only, 0 missing"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find(tag() + " pytest"), std::string::npos) << o.out;
  auto j = pycache({"status", "--json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_EQ(json(j.out, "(d['roots'][0]['expected']['missing'], d['roots'][0]['expected']['pytest_only'])"), "(0, 2)");
  EXPECT_EQ(json(j.out, "[(g['pytest'], g['states']['fresh'], g['files']) for g in d['roots'][0]['groups']]"),
            "[(False, 3, 3), (True, 2, 2)]");
  auto c = pycache({"status", "--check"});
  EXPECT_EQ(c.exit_code, 0) << c.out;
  // One that has both is compiled, and counted once.
  compileall({"-f"});
  auto both = pycache({"status"});
  EXPECT_NE(both.out.find("5 compiled (5 fresh), 0 missing\n"), std::string::npos) << both.out;
}

TEST_F(Status, HashPycsAndOptimizationLevels) {
  compileall({"--invalidation-mode", "checked-hash", "-o", "1", "-o", "2"});
  auto j = pycache({"status", "--json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_EQ(
      json(j.out,
           "[(g['optimize'], g['modes']['checked-hash'], g['states']['unverified']) for g in d['roots'][0]['groups']]"),
      "[(1, 3, 3), (2, 3, 3)]");
  EXPECT_EQ(json(j.out, "d['roots'][0]['expected']['missing']"), "3") << "the policy's level 0 has no pyc";
}

TEST_F(Status, ReadsNothingButHeadersAndWritesNothing) {
  compileall();
  auto before = listing(t.path());
  auto o = pycache({"status", "--json"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(listing(t.path()), before);
}

TEST_F(Status, GitTrackedBytecodeFailsTheCheckUntilRemovedAndIgnored) {
  git({"init", "-q", "."});
  compileall();
  git({"add", "."});
  git({"commit", "-q", "-m", "oops: bytecode committed"});

  auto c = pycache({"status", "--check"});
  EXPECT_EQ(c.exit_code, 1);
  for (std::string p : {"__pycache__/main." + tag() + ".pyc", "pkg/__pycache__/mod." + tag() + ".pyc"})
    EXPECT_NE(c.out.find("tracked  " + p + ": tracked by git (git rm --cached, and ignore it)"), std::string::npos)
        << c.out;
  EXPECT_NE(c.out.find("pycache status: 3 problems"), std::string::npos) << c.out;

  auto h = pycache({"status"});
  EXPECT_NE(h.out.find("git: work tree " + proj.native()), std::string::npos) << h.out;
  EXPECT_NE(h.out.find("3 bytecode files tracked, 0 untracked ones not ignored"), std::string::npos) << h.out;
  EXPECT_NE(h.out.find("ignore rules cover __pycache__/: no, legacy *.pyc: no"), std::string::npos) << h.out;

  // Ignoring does not untrack: still findings, now said to be covered.
  write_file(proj / ".gitignore", "__pycache__/\n*.py[co]\n");
  auto j = pycache({"status", "--json"});
  EXPECT_EQ(json(j.out,
                 "(len(d['roots'][0]['git']['tracked']), len(d['roots'][0]['git']['tracked_ignored']), "
                 "d['roots'][0]['git']['ignores_pycache'], d['roots'][0]['git']['ignores_legacy'])"),
            "(3, 3, True, True)");
  git({"rm", "-r", "-q", "--cached", "__pycache__", "pkg/__pycache__"});
  auto ok = pycache({"status", "--check"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_EQ(ok.out, "pycache status: no problems\n");

  // New bytecode that the rules miss is reported (not a --check failure).
  write_file(proj / ".gitignore", "");
  auto miss = pycache({"status", "--json"});
  EXPECT_EQ(json(miss.out, "len(d['roots'][0]['git']['unignored'])"), "3");
  EXPECT_EQ(pycache({"status", "--check"}).exit_code, 0);
  // A subdirectory of the work tree sees only its own part.
  auto sub = pycache({"status", "--json", "pkg"});
  EXPECT_EQ(json(sub.out, "(d['roots'][0]['git']['work_tree'], len(d['roots'][0]['git']['unignored']))"),
            "('" + proj.native() + "', 2)");
}

TEST_F(Status, NoGitOptionAndNonRepositories) {
  compileall();
  auto o = pycache({"status", "--json"});
  EXPECT_EQ(json(o.out, "d['roots'][0]['git']"), "None");
  git({"init", "-q", "."});
  auto n = pycache({"status", "--json", "--no-git"});
  EXPECT_EQ(json(n.out, "d['roots'][0]['git']"), "None");
  // git missing from PATH: a warning, and the report without git.
  env["PATH"] = "/nonexistent";
  auto w = run({{pycache_bin().native(), "status"}, std::nullopt, env, proj});
  EXPECT_EQ(w.exit_code, 0);
  EXPECT_NE(w.err.find("pycache: warning: could not run 'git'"), std::string::npos) << w.err;
}

TEST_F(Status, PolicyPrefixAndInTreeBytecode) {
  fs::path prefix = t / "pfx";
  write_file(proj / "pyproject.toml", "[tool.pycache]\ncache-prefix = \"" + prefix.native() + "\"\n");
  // pycs where the policy puts them (pycache run writes them), and stale ones in the tree.
  auto r = pycache({"run", "main.py"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_FALSE(find_files(prefix, ".pyc").empty());
  compileall();
  auto o = pycache({"status"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("cache-prefix = \"" + prefix.native() + "\""), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(tag() + " opt 0 in the prefix: 2 compiled (2 fresh), 1 missing"), std::string::npos) << o.out;
  // The whole prefix: our two pycs, and what else the run cached there (stdlib modules that are not frozen).
  EXPECT_NE(o.out.find("  prefix: " + prefix.native() + ": " + std::to_string(find_files(prefix, ".pyc").size()) +
                       " files, "),
            std::string::npos)
      << o.out;
  auto c = pycache({"status", "--check"});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_NE(c.out.find("bytecode-in-tree  __pycache__: 1 file of bytecode; cache-prefix is set (" +
                       (proj / "pyproject.toml").native() + ":2:16): the import system never reads it"),
            std::string::npos)
      << c.out;
  // --no-policy: the default policy, nothing wrong with __pycache__.
  EXPECT_EQ(pycache({"status", "--check", "--no-policy"}).exit_code, 0);
}

// A cache prefix inside the work tree whose pycs git would not ignore is
// flagged before `git add .` takes them, even before the first run fills it.
TEST_F(Status, AnInTreePrefixThatGitDoesNotIgnoreIsAFinding) {
  write_file(proj / "pyproject.toml", "[tool.pycache]\ncache-prefix = \".pyc\"\n");
  git({"init", "-q", "."});
  const std::string finding = "prefix-not-ignored  .pyc: cache-prefix (" + (proj / "pyproject.toml").native() +
                              ":2:16) is in the git work tree and the ignore rules miss its pycs: "
                              "'git add .' would take them (ignore '/.pyc/' in .gitignore)\n";
  auto before = pycache({"status", "--check"});
  EXPECT_EQ(before.exit_code, 1) << before.out;
  EXPECT_EQ(before.out, finding + "pycache status: 1 problem\n");
  auto r = pycache({"run", "main.py"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_FALSE(find_files(proj / ".pyc", ".pyc").empty());
  auto j = pycache({"status", "--json"});
  EXPECT_EQ(json(j.out, "[(f['kind'], f['path']) for f in d['findings']]"),
            "[('prefix-not-ignored', '" + (proj / ".pyc").native() + "')]");
  EXPECT_EQ(json(j.out, "d['roots'][0]['git']['ignores_prefix']"), "False");
  auto h = pycache({"status"});
  EXPECT_NE(h.out.find("legacy *.pyc: no, the cache prefix: no\n"), std::string::npos) << h.out;
  // Ignored, by the directory or by *.pyc: no finding.
  for (const char* rule : {"/.pyc/\n", "*.pyc\n"}) {
    write_file(proj / ".gitignore", rule);
    auto ok = pycache({"status", "--check"});
    EXPECT_EQ(ok.exit_code, 0) << rule << ok.out;
  }
  // A prefix outside the work tree, no git, or --no-git: git is not asked about it.
  write_file(proj / ".gitignore", "");
  EXPECT_EQ(pycache({"status", "--check", "--no-git"}).exit_code, 0);
  fs::remove_all(proj / ".pyc");
  write_file(proj / "pyproject.toml", "[tool.pycache]\ncache-prefix = \"" + (t / "outside").native() + "\"\n");
  auto outside = pycache({"status", "--check"});
  EXPECT_EQ(outside.exit_code, 0) << outside.out;
}

TEST_F(Status, EnvironmentCountsUnlessIgnored) {
  compileall();
  env["PYTHONDONTWRITEBYTECODE"] = "1";
  auto c = pycache({"status", "--check"});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_NE(c.out.find("write-bytecode = false (environment PYTHONDONTWRITEBYTECODE)"), std::string::npos) << c.out;
  EXPECT_EQ(pycache({"status", "--check", "--ignore-environment"}).exit_code, 0);
}

TEST_F(Status, ColoursOnATerminalOnlyAndNeverWithNoColor) {
  compileall();
  fs::remove(proj / "main.py");
  write_file(proj / "gone.pyc", "");
  auto tty = [&](const std::string& prefix) {
    std::string cmd = prefix + pycache_bin().native() + " status";
    return run({{"/usr/bin/script", "-qec", cmd, "/dev/null"}, std::nullopt, env, proj});
  };
  auto coloured = tty("");
  EXPECT_NE(coloured.out.find("\x1b["), std::string::npos) << coloured.out;
  auto plain = tty("env NO_COLOR=1 ");
  EXPECT_EQ(plain.out.find("\x1b["), std::string::npos) << plain.out;
  EXPECT_NE(plain.out.find("invalid: gone.pyc: empty file: not a pyc"), std::string::npos) << plain.out;
}

// The policy in the --json report is `pycache policy --json`'s, the python
// key included (the Python chosen, not the policy's "").
TEST_F(Status, TheJsonPolicyIsThePolicyCommands) {
  auto s = pycache({"status", "--json"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto p = pycache({"policy", "--json"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const std::string python = json(p.out, "d['settings']['python']");
  EXPECT_NE(python, "{'value': '', 'origin': 'default'}");
  EXPECT_EQ(json(s.out, "d['roots'][0]['policy']['settings']['python']"), python);
  EXPECT_EQ(json(s.out, "d['roots'][0]['policy']"), json(p.out, "d"));
}

// status reads pycs and runs no Python: it judges a tree for a version this
// machine lacks, where compile, which must run one, exits 3.
TEST_F(Status, AVersionWithoutARuntimeIsJudgedAllTheSame) {
  compileall();
  auto o = pycache({"status", "--python", "3.99"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("cpython-399 opt 0 in __pycache__: 0 compiled, 3 missing"), std::string::npos) << o.out;
  auto c = pycache({"compile", "--python", "3.99"});
  EXPECT_EQ(c.exit_code, 3) << c.err;
  EXPECT_NE(c.err.find("3.99"), std::string::npos) << c.err;
}

TEST_F(Status, UsageErrors) {
  write_file(proj / "file.txt", "");
  auto missing = pycache({"status", "nowhere"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err, "pycache: error: 'nowhere': No such file or directory\n");
  auto file = pycache({"status", "file.txt"});
  EXPECT_EQ(file.exit_code, 2);
  EXPECT_NE(file.err.find("is not a directory (for one file, see 'pycache show')"), std::string::npos);
  fs::create_directory_symlink(proj / "pkg", proj / "link");
  EXPECT_EQ(pycache({"status", "link"}).exit_code, 2);
  EXPECT_EQ(pycache({"status", "--bogus"}).exit_code, 2);
  write_file(proj / "pycache.toml", "optimise = 1\n");
  auto bad = pycache({"status"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("did you mean 'optimize'"), std::string::npos) << bad.err;
  EXPECT_EQ(pycache({"help", "status"}).exit_code, 0);
}

TEST_F(Status, UnreadableDirectoryIsAWarningAndACheckFailure) {
  // Root reads every directory: as root, pycache runs as nobody on a tree nobody owns.
  std::vector<std::string> argv;
  if (::geteuid() == 0) {
    if (access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "running as root without setpriv: cannot drop to nobody";
    if (!pycache_runs_as_nobody()) GTEST_SKIP() << "pycache cannot run as nobody here (a libpython nobody can't read)";
    argv = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  }
  compileall();
  if (::geteuid() == 0) {
    ASSERT_EQ(chmod(t.path().c_str(), 0755), 0);
    for (auto it = fs::recursive_directory_iterator(proj); it != fs::recursive_directory_iterator(); ++it)
      ASSERT_EQ(lchown(it->path().c_str(), 65534, 65534), 0);
    ASSERT_EQ(lchown(proj.c_str(), 65534, 65534), 0);
  }
  ASSERT_EQ(chmod((proj / "pkg").c_str(), 0), 0);
  argv.insert(argv.end(), {pycache_bin().native(), "status", "--check", "--no-policy", proj.native()});
  Env e = env;
  e["HOME"] = "/nonexistent";
  auto o = run({argv, std::nullopt, e, "/"});
  chmod((proj / "pkg").c_str(), 0755);
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_NE(o.err.find("pycache: warning: cannot read '" + (proj / "pkg").native() + "': Permission denied"),
            std::string::npos)
      << o.err;
}

// A pyc name held by a FIFO or by a link to /dev/zero: `import` blocks on the
// first and never ends reading the second. status reports them without
// opening either (a timeout proves it never blocks), and clean unlinks the
// entries themselves, never what a link points to.
TEST_F(Status, APycThatIsAFifoOrALinkIsAFindingAndNeverOpened) {
  compileall();
  const fs::path cache = proj / "pkg/__pycache__";
  const fs::path fifo = cache / ("mod." + tag() + ".pyc");
  const fs::path link = cache / ("__init__." + tag() + ".pyc");
  const fs::path legacy = proj / "gone.pyc";
  ASSERT_EQ(::unlink(fifo.c_str()), 0);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  ASSERT_EQ(::unlink(link.c_str()), 0);
  ASSERT_EQ(::symlink("/dev/zero", link.c_str()), 0);
  ASSERT_EQ(::mkfifo(legacy.c_str(), 0644), 0);
  Process p{{pycache_bin().native(), "status", "--check"}, std::nullopt, env, proj};
  p.timeout_seconds = 20;
  auto o = run(p);
  ASSERT_FALSE(o.timed_out) << "status blocked on a FIFO";
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_EQ(o.out.find("no problems"), std::string::npos) << o.out;
  for (const std::string& rel : {"pkg/__pycache__/mod." + tag() + ".pyc", "pkg/__pycache__/__init__." + tag() + ".pyc",
                                 std::string("gone.pyc")}) {
    const auto at = o.out.find(" " + rel + ": ");
    ASSERT_NE(at, std::string::npos) << rel << "\n" << o.out;
    EXPECT_EQ(o.out.compare(o.out.rfind('\n', at) + 1, 11, "not-regular"), 0) << o.out;
  }
  p.argv = {pycache_bin().native(), "status", "--check", "--json"};
  auto j = run(p);
  ASSERT_FALSE(j.timed_out);
  EXPECT_EQ(j.exit_code, 1) << j.err;
  EXPECT_EQ(json(j.out, "sorted(f['path'] for f in d['findings'] if f['kind'] == 'not-regular')"),
            "['" + legacy.native() + "', '" + link.native() + "', '" + fifo.native() + "']");
  EXPECT_EQ(json(j.out, "len(d['roots'][0]['not_regular'])"), "3");
  p.argv = {pycache_bin().native(), "show", fifo.native()};
  auto s = run(p);
  ASSERT_FALSE(s.timed_out) << "show blocked on a FIFO";
  EXPECT_EQ(s.exit_code, 1) << s.out << s.err;
  EXPECT_NE(s.err.find("is not a regular file"), std::string::npos) << s.err;
  p.argv = {pycache_bin().native(), "clean"};
  auto c = run(p);
  ASSERT_FALSE(c.timed_out) << "clean blocked on a FIFO";
  EXPECT_EQ(c.exit_code, 0) << c.out << c.err;
  EXPECT_FALSE(fs::exists(fs::symlink_status(fifo)));
  EXPECT_FALSE(fs::exists(fs::symlink_status(link)));
  EXPECT_FALSE(fs::exists(fs::symlink_status(legacy)));
  EXPECT_FALSE(fs::exists(cache)) << "an emptied __pycache__ goes";
  EXPECT_TRUE(fs::exists("/dev/zero"));
}

}  // namespace
}  // namespace pycache::test
