// What pycache runs, and from where, when the user's surroundings are
// hostile or broken: helper programs found through a relative PATH entry, a
// working directory that was removed, console scripts another user could
// have planted, and malformed hand-off variables. On the real binary, in
// temp trees; the ownership cases need root and skip without it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "process.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

class TrustRun : public ::testing::Test {
 protected:
  TempDir t;
  Env env = isolated_env(t.path());

  Outcome pycache(std::vector<std::string> args, const fs::path& cwd) {
    args.insert(args.begin(), pycache_bin().native());
    return run({args, std::nullopt, env, cwd});
  }
};

// ---- helper programs: git is never looked up relative to a directory ----

// A tree with a `git` of its own that leaves a marker when run: pycache's
// status, clean and compile spawn git for the ignore rules of a work tree,
// after changing into it.
class HelperPrograms : public TrustRun {
 protected:
  fs::path tree = t / "their-tree";
  fs::path marker = t / "PLANTED-GIT-RAN";
  void SetUp() override {
    write_file(tree / "m.py", "X = 1\n");
    write_file(tree / ".gitignore", "ignored/\n");
    write_file(tree / "ignored/junk.py", "Y = 2\n");
    Env git_env = env;
    add_git_identity(git_env);
    auto init = run({{"/usr/bin/git", "init", "-q", "."}, std::nullopt, git_env, tree});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    write_file(tree / "git", "#!/bin/sh\ntouch '" + marker.native() + "'\nexit 1\n");
    ASSERT_EQ(::chmod((tree / "git").c_str(), 0755), 0);
  }
};

TEST_F(HelperPrograms, GitIsNeverFoundThroughADotOrEmptyPathEntry) {
  for (const char* path : {".:/usr/bin:/bin", ":/usr/bin:/bin", "/usr/bin:/bin:.", "bin/..:/usr/bin:/bin"}) {
    env["PATH"] = path;
    // From outside the tree, and from inside it: the planted git never runs.
    for (const fs::path& cwd : {t.path(), tree}) {
      auto status = pycache({"status", "--json", tree.native()}, cwd);
      EXPECT_EQ(status.exit_code, 0) << path << ": " << status.err;
      EXPECT_EQ(status.err, "") << path;
      EXPECT_NE(status.out.find("\"work_tree\""), std::string::npos) << path << ": git still answers\n" << status.out;
      auto clean = pycache({"clean", "-n", tree.native()}, cwd);
      EXPECT_EQ(clean.exit_code, 0) << path << ": " << clean.err;
      EXPECT_EQ(clean.err, "") << path;
      auto compile = pycache({"compile", tree.native()}, cwd);
      EXPECT_EQ(compile.exit_code, 0) << path << ": " << compile.err;
      EXPECT_EQ(compile.err, "") << path;
      EXPECT_FALSE(fs::exists(marker)) << "PATH=" << path << " from " << cwd << ": the tree's own git ran";
      fs::remove(marker);
    }
  }
  // git ignored the directory: compile never went into it.
  EXPECT_FALSE(fs::exists(tree / "ignored/__pycache__"));
  EXPECT_TRUE(fs::exists(tree / "__pycache__"));
}

TEST_F(HelperPrograms, GitOnlyOnARelativePathEntryIsNotFound) {
  fs::create_directories(tree / "bin");
  fs::copy_file(tree / "git", tree / "bin/git");  // bin/ relative to the tree, where git used to be looked up
  env["PATH"] = "bin";
  auto o = pycache({"status", tree.native()}, t.path());
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.err.find("pycache: warning: could not run 'git'"), std::string::npos) << o.err;
  EXPECT_FALSE(fs::exists(marker));
}

// ---- a working directory that was removed ----

// `argv` run in a directory removed just before the exec.
class GoneCwd : public TrustRun {
 protected:
  Outcome in_removed_dir(std::vector<std::string> argv) {
    std::vector<std::string> sh = {"/bin/sh", "-c", "mkdir gone && cd gone && rmdir ../gone && exec \"$@\"", "sh"};
    sh.insert(sh.end(), argv.begin(), argv.end());
    Process p{sh, std::nullopt, env, t.path()};
    p.timeout_seconds = 60;  // a walk of the whole file system would take longer
    return run(p);
  }
};

TEST_F(GoneCwd, EveryCommandSaysSoInOneLineWithStatus2) {
  write_file(t / "proj/m.py", "X = 1\n");
  write_file(t / ("proj/__pycache__/m." + python_cache_tag() + ".pyc"), "stale");
  const std::string proj = (t / "proj").native();
  const std::string pyc = (t / ("proj/__pycache__/m." + python_cache_tag() + ".pyc")).native();
  const std::vector<std::vector<std::string>> commands = {
      {"clean", "-n", "--force", "--json"},
      {"clean", "-n", proj},
      {"status"},
      {"status", proj},
      {"compile", proj},  // never `compile` alone here: before the fix, that compiled all of /
      {"policy"},
      {"policy", proj},
      {"show", pyc},
  };
  for (auto args : commands) {
    args.insert(args.begin(), pycache_bin().native());
    auto o = in_removed_dir(args);
    EXPECT_FALSE(o.timed_out) << args[1];
    EXPECT_EQ(o.exit_code, 2) << args[1] << " " << args.back() << ": " << o.err;
    EXPECT_EQ(o.err, "pycache: error: the current directory no longer exists\n") << args[1] << " " << args.back();
    EXPECT_EQ(o.out, "") << args[1] << " " << args.back();
  }
  EXPECT_TRUE(fs::exists(pyc)) << "nothing was cleaned";
}

// python runs in a removed directory (sys.path[0] is '' and finds nothing
// there): pycache-python and pycache run do as it does.
TEST_F(GoneCwd, PythonRunsThereAsPythonDoes) {
  write_file(t / "script.py", "import sys; print('script', sys.path[0] == sys.argv[0].rpartition('/')[0])\n");
  const std::vector<std::vector<std::string>> cases = {
      {"-c", "import sys; print(1, sys.path[0])"},
      {(t / "script.py").native()},
      {"script.py"},  // relative: python can't open it
      {"-c", "import os; os.getcwd()"},
      {"-c", "import sys; print(sys.executable)"},
  };
  for (const auto& args : cases) {
    std::vector<std::string> ref = {reference_python().native()}, ours = {pycache_python_bin().native()},
                             run_cmd = {pycache_bin().native(), "run"};
    for (auto* v : {&ref, &ours, &run_cmd}) v->insert(v->end(), args.begin(), args.end());
    auto x = in_removed_dir(ref);
    auto y = in_removed_dir(ours);
    auto z = in_removed_dir(run_cmd);
    auto same = [&](std::string s) {
      const std::string from = reference_python().native();
      for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + 1))
        s.replace(at, from.size(), pycache_python_bin().native());
      return s;
    };
    EXPECT_EQ(y.exit_code, x.exit_code) << args.back() << ": " << y.err;
    EXPECT_EQ(y.out, same(x.out)) << args.back();
    EXPECT_EQ(y.err, same(x.err)) << args.back();
    EXPECT_EQ(z.exit_code, x.exit_code) << "run " << args.back() << ": " << z.err;
    EXPECT_EQ(z.out, same(x.out)) << "run " << args.back();
  }
}

// ---- console scripts: only a trusted, regular file ----

class ConsoleScripts : public TrustRun {
 protected:
  fs::path proj = t / "proj";
  fs::path good = t / "good";  // a trusted bin/ on PATH, after the others
  void SetUp() override {
    write_file(proj / "pyproject.toml", "[tool.pycache]\n");
    script(good / "tool", "good");
    env["PATH"] = good.native() + ":/usr/bin:/bin";
  }
  static void script(const fs::path& file, const std::string& says) {
    write_file(file, "#!/usr/bin/env python3\nprint('" + says + "')\n");
    ASSERT_EQ(::chmod(file.c_str(), 0755), 0);
  }
  Outcome tool() { return pycache({"run", "tool"}, proj); }
};

TEST_F(ConsoleScripts, ADirectoryOrFifoOfThatNameIsPassedOver) {
  fs::create_directories(t / "first/tool");
  ::chmod((t / "first/tool").c_str(), 0755);
  fs::create_directories(t / "second");
  ASSERT_EQ(::mkfifo((t / "second/tool").c_str(), 0755), 0);
  env["PATH"] = (t / "first").native() + ":" + (t / "second").native() + ":" + env["PATH"];
  Process p{{pycache_bin().native(), "run", "tool"}, std::nullopt, env, proj};
  p.timeout_seconds = 30;  // a FIFO opened for reading would hang
  auto o = run(p);
  EXPECT_FALSE(o.timed_out);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "good\n");
  EXPECT_EQ(o.err, "");
}

TEST_F(ConsoleScripts, OneInABinOthersCanWriteIsSkippedWithAWarning) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to leave files owned by nobody";
  fs::create_directories(t / "open");
  ASSERT_EQ(::chmod((t / "open").c_str(), 0777), 0);
  script(t / "open/tool", "planted");
  env["PATH"] = (t / "open").native() + ":" + env["PATH"];
  auto o = tool();
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "good\n");
  EXPECT_EQ(o.err, "pycache: warning: ignoring the console script '" + (t / "open/tool").native() + "': '" +
                       (t / "open").native() + "' is writable by everyone; to trust it, add \"" +
                       (t / "open").native() + "\" to safe-directories in " +
                       (t / "home/.config/pycache/config.toml").native() + "\n");
  // Listed, it is trusted.
  write_file(t / "home/.config/pycache/config.toml", "safe-directories = [\"" + (t / "open").native() + "\"]\n");
  auto listed = tool();
  EXPECT_EQ(listed.out, "planted\n") << listed.err;
  EXPECT_EQ(listed.err, "");
}

TEST_F(ConsoleScripts, OneOwnedByAnotherUserIsSkippedWithAWarning) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to leave files owned by nobody";
  // The project's own .venv, root's, with a console script nobody left in its bin/.
  auto venv = run({{reference_python().native(), "-m", "venv", "--without-pip", (proj / ".venv").native()},
                   std::nullopt,
                   env,
                   t.path()});
  ASSERT_EQ(venv.exit_code, 0) << venv.err;
  script(proj / ".venv/bin/tool", "planted");
  ASSERT_EQ(::lchown((proj / ".venv/bin/tool").c_str(), 65534, 65534), 0);
  auto o = tool();
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "good\n");
  EXPECT_EQ(o.err, "pycache: warning: ignoring the console script '" + (proj / ".venv/bin/tool").native() + "': '" +
                       (proj / ".venv/bin/tool").native() +
                       "' is owned by nobody (uid 65534), not by you or root; to trust it, add \"" +
                       (proj / ".venv/bin").native() + "\" to safe-directories in " +
                       (t / "home/.config/pycache/config.toml").native() + "\n");

  // A link of root's in a trusted bin/ to nobody's script: the script counts.
  fs::remove(proj / ".venv/bin/tool");
  fs::create_directories(t / "theirs");
  script(t / "theirs/tool", "planted");
  ASSERT_EQ(::lchown((t / "theirs/tool").c_str(), 65534, 65534), 0);
  fs::create_symlink(t / "theirs/tool", proj / ".venv/bin/tool");
  auto linked = tool();
  EXPECT_EQ(linked.out, "good\n") << linked.err;
  EXPECT_NE(linked.err.find("is owned by nobody (uid 65534)"), std::string::npos) << linked.err;

  // And nobody's link to root's script: the link counts too.
  fs::remove(proj / ".venv/bin/tool");
  fs::create_symlink(good / "tool", proj / ".venv/bin/tool");
  ASSERT_EQ(::lchown((proj / ".venv/bin/tool").c_str(), 65534, 65534), 0);
  auto their_link = tool();
  EXPECT_EQ(their_link.out, "good\n") << their_link.err;
  EXPECT_NE(their_link.err.find("the symbolic link '" + (proj / ".venv/bin/tool").native() + "' is owned by nobody"),
            std::string::npos)
      << their_link.err;
}

// ---- PYCACHE_HANDOFF and PYCACHE_POLICY from the user's environment ----

TEST_F(TrustRun, AMalformedHandOffOrInheritedPolicyIsBadInputInOneLine) {
  write_file(t / "proj/pycache.toml", "optimize = 1\n");
  const std::string well_formed = "1;0:0:0:0:0:0:7:default1:11:01:01:0";  // cut short, or one field wrong
  const std::string current = "9:handoff/20:0:0:0:0:1:11:00:7:default1:01:0";
  for (std::string value : {std::string(), std::string("garbage"), std::string("1;"), std::string("1;5:/usr"),
                            std::string("1;999:x"), well_formed.substr(0, 20), well_formed.substr(0, 34),
                            well_formed + "1:x", std::string("1;0:0:0:0:0:0:7:default1:11:91:01:0"),
                            // the framing of wire.hpp: cut short, trailing text, a level out of range
                            std::string("9:handoff/2"), current.substr(0, 30), current + "1:x",
                            std::string("9:handoff/20:0:0:0:0:1:11:90:7:default1:01:0")}) {
    env["PYCACHE_HANDOFF"] = value;
    auto o = run({{pycache_python_bin().native(), "-c", "print(1)"}, std::nullopt, env, t / "proj"});
    EXPECT_EQ(o.exit_code, 2) << "'" << value << "': " << o.err;
    EXPECT_EQ(o.out, "") << value;
    EXPECT_EQ(o.err,
              "pycache: error: PYCACHE_HANDOFF: a malformed value in the environment (pycache sets it "
              "only for its own runtimes; unset it)\n")
        << "'" << value << "'";
    // The tool never reads it, and its program's children never see it.
    auto tool = run({{pycache_bin().native(), "run", "-c",
                      "import subprocess, sys; subprocess.run([sys.executable, '-c', 'import sys; "
                      "print(sys.flags.optimize)'], check=True)"},
                     std::nullopt,
                     env,
                     t / "proj"});
    EXPECT_EQ(tool.exit_code, 0) << "'" << value << "': " << tool.err;
    EXPECT_EQ(tool.out, "1\n") << value;
    EXPECT_EQ(tool.err, "") << value;
  }
  env.erase("PYCACHE_HANDOFF");
  for (std::string value : {std::string(), std::string("garbage"), std::string("v1"), std::string("v1\x1e"),
                            std::string("v1\x1eoptimize"), std::string("v1\x1eoptimize\x1f"),
                            std::string("v1\x1eoptimize\x1f"
                                        "7\x1f"),
                            std::string("v1\x1enot-a-key\x1f"
                                        "1\x1fx"),
                            std::string("v1\x1ewrite-bytecode\x1fyes\x1fx"), std::string("v2\x1e"),
                            std::string("8:policy/2"), std::string("8:policy/28:optimize1:7"),
                            std::string("8:policy/28:optimize1:70:"), std::string("8:policy/28:optimize99:1")}) {
    env["PYCACHE_POLICY"] = value;
    for (auto argv : {std::vector<std::string>{pycache_python_bin().native(), "-c", "print(1)"},
                      std::vector<std::string>{pycache_bin().native(), "run", "-c", "print(1)"},
                      std::vector<std::string>{pycache_bin().native(), "policy"}}) {
      auto o = run({argv, std::nullopt, env, t / "proj"});
      EXPECT_EQ(o.exit_code, 2) << "'" << value << "' " << argv[1] << ": " << o.err;
      EXPECT_EQ(o.out, "") << value;
      EXPECT_EQ(o.err.rfind("pycache: error: PYCACHE_POLICY: ", 0), 0u) << "'" << value << "': " << o.err;
      EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << "one line: " << o.err;
    }
  }
}

}  // namespace
}  // namespace pycache::test
