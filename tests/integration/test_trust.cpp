// Whose policy pycache honours (trust.cpp), and config files that are not
// files: every command, on the real binary, in temp trees. The ownership
// cases give files to nobody (uid 65534) in a sticky directory, as another
// user of /tmp would leave them; they need root and skip without it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "process.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

void chown_tree(const fs::path& root, uid_t uid) {
  ASSERT_EQ(::lchown(root.c_str(), uid, uid), 0) << root;
  for (const auto& e : fs::recursive_directory_iterator(root)) ASSERT_EQ(::lchown(e.path().c_str(), uid, uid), 0);
}

class Trust : public ::testing::Test {
 protected:
  TempDir t;
  Env env = isolated_env(t.path());
  fs::path shared = t / "shared";  // a sticky, world-writable directory: a /tmp of our own
  fs::path theirs = shared / "theirs";
  fs::path proj = theirs / "proj";  // where root works, below nobody's directory
  fs::path pwned = t / "PWNED";

  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to leave files owned by nobody";
    fs::create_directories(shared);
    ::chmod(shared.c_str(), 01777);
    // nobody's directory, policy and venv, whose .pth runs code at start-up.
    auto o = run({{reference_python().native(), "-m", "venv", "--without-pip", (theirs / "venv").native()},
                  std::nullopt,
                  env,
                  t.path()});
    ASSERT_EQ(o.exit_code, 0) << o.err;
    const std::string mm = python_cache_tag().substr(8, 1) + "." + python_cache_tag().substr(9);
    write_file(theirs / ("venv/lib/python" + mm + "/site-packages/evil.pth"),
               "import os; open('" + pwned.native() + "', 'w').close()\n");
    write_file(theirs / "pycache.toml", "venv = \"venv\"\ncache-prefix = \"pfx\"\n");
    chown_tree(theirs, 65534);
    fs::create_directories(proj);  // root's own project directory, inside theirs
  }

  Outcome pycache(std::vector<std::string> args, const fs::path& cwd) {
    args.insert(args.begin(), pycache_bin().native());
    return run({args, std::nullopt, env, cwd});
  }
  Outcome python(std::vector<std::string> args, const fs::path& cwd) {
    args.insert(args.begin(), pycache_python_bin().native());
    return run({args, std::nullopt, env, cwd});
  }
  std::string refusal() const {
    return "pycache: warning: ignoring the policy file '" + (theirs / "pycache.toml").native() +
           "': it is owned by nobody (uid 65534), not by you or root; to trust it, add \"" + theirs.native() +
           "\" to safe-directories in " + (t / "home/.config/pycache/config.toml").native() + "\n";
  }
};

TEST_F(Trust, SomeoneElsesPolicyFileAboveTheProjectIsIgnoredWithOneWarning) {
  auto o = python({"-c", "import sys; print(1, sys.prefix == sys.base_prefix, sys.pycache_prefix)"}, proj);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "1 True None\n") << "neither their venv nor their prefix";
  EXPECT_EQ(o.err, refusal());
  EXPECT_FALSE(fs::exists(pwned)) << "their .pth ran as root";
  EXPECT_FALSE(fs::exists(theirs / "pfx"));

  // Every command says the same, once, and goes on without it.
  for (std::vector<std::string> cmd : {std::vector<std::string>{"policy"}, {"status"}, {"clean", "-n"}, {"compile"}}) {
    auto c = pycache(cmd, proj);
    EXPECT_EQ(c.exit_code, 0) << cmd[0] << ": " << c.err;
    EXPECT_EQ(c.err, refusal()) << cmd[0];
  }
  auto policy = pycache({"policy"}, proj);
  EXPECT_NE(policy.out.find("# refused: " + (theirs / "pycache.toml").native() +
                            ": it is owned by nobody (uid 65534), not by you or root\n"),
            std::string::npos)
      << policy.out;
  EXPECT_NE(policy.out.find("# policy file: none\n"), std::string::npos) << policy.out;
  EXPECT_FALSE(fs::exists(pwned));
}

TEST_F(Trust, SafeDirectoriesTrustsThemAgain) {
  write_file(t / "home/.config/pycache/config.toml", "safe-directories = [\"" + theirs.native() + "\"]\n");
  auto o = python({"-c", "import sys; print(sys.prefix)"}, proj);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, (theirs / "venv").native() + "\n");
  EXPECT_EQ(o.err, "");
  EXPECT_TRUE(fs::exists(pwned)) << "trusted on purpose: their venv is used, .pth and all";
}

TEST_F(Trust, AVenvOrPrefixOfSomeoneElseNamedByOurOwnPolicyIsRefused) {
  const fs::path mine = t / "mine";  // root's project, in root's directory
  write_file(mine / "pycache.toml", "venv = \"" + (theirs / "venv").native() + "\"\n");
  auto venv = python({"-c", "print(1)"}, mine);
  EXPECT_EQ(venv.exit_code, 3);
  EXPECT_EQ(venv.out, "");
  EXPECT_EQ(venv.err, "pycache: error: refusing the virtual environment '" + (theirs / "venv").native() + "' (" +
                          (mine / "pycache.toml").native() + ":1:8): '" + theirs.native() +
                          "' is owned by nobody (uid 65534), not by you or root; to trust it, add it to "
                          "safe-directories in the user policy file\n");
  EXPECT_FALSE(fs::exists(pwned));

  fs::create_directories(theirs / "pfx");
  chown_tree(theirs / "pfx", 65534);
  write_file(mine / "pycache.toml", "cache-prefix = \"" + (theirs / "pfx").native() + "\"\n");
  auto prefix = python({"-c", "print(1)"}, mine);
  EXPECT_EQ(prefix.exit_code, 3);
  EXPECT_NE(prefix.err.find("refusing the cache prefix '" + (theirs / "pfx").native() + "'"), std::string::npos)
      << prefix.err;
  EXPECT_EQ(pycache({"clean"}, mine).exit_code, 3) << "clean must not remove under their prefix either";

  // The user's own command line and environment are the user's choice, as for python.
  fs::create_directories(mine / "open");
  ::chmod((mine / "open").c_str(), 01777);
  auto chosen = python({"-X", "pycache_prefix=" + (mine / "open").native(), "-c", "print(1)"}, mine);
  EXPECT_EQ(chosen.exit_code, 0) << chosen.err;
}

// What the tests below expect pycache to say when it refuses DIR, named at
// FILE:1:COL, for WHY.
std::string refusing(const std::string& what, const fs::path& dir, const std::string& where, const std::string& why) {
  return "pycache: error: refusing the " + what + " '" + dir.native() + "' (" + where + "): " + why +
         "; to trust it, add it to safe-directories in the user policy file\n";
}

TEST_F(Trust, AVenvOrPrefixNotMadeYetWhereAnyoneCanMakeItIsRefused) {
  const fs::path mine = t / "mine";
  write_file(mine / "pycache.toml", "venv = \"" + (shared / "later").native() + "\"\n");
  auto venv = python({"-c", "print(1)"}, mine);
  EXPECT_EQ(venv.exit_code, 3);
  EXPECT_EQ(venv.err, refusing("virtual environment", shared / "later", (mine / "pycache.toml").native() + ":1:8",
                               "'" + (shared / "later").native() + "' does not exist, and anyone can make it first: '" +
                                   shared.native() + "' is writable by everyone"));

  // Not writing, pycache makes no prefix: nobody could make one later, with
  // pycs of theirs for the program to import.
  write_file(mine / "pycache.toml", "write-bytecode = false\ncache-prefix = \"" + (shared / "pfx").native() + "\"\n");
  auto prefix = python({"-c", "print(1)"}, mine);
  EXPECT_EQ(prefix.exit_code, 3);
  EXPECT_EQ(prefix.err, refusing("cache prefix", shared / "pfx", (mine / "pycache.toml").native() + ":2:16",
                                 "'" + (shared / "pfx").native() + "' does not exist, and anyone can make it first: '" +
                                     shared.native() + "' is writable by everyone"));
  EXPECT_EQ(pycache({"status"}, mine).exit_code, 0) << "status reads nothing from a prefix that is not there";
  EXPECT_FALSE(fs::exists(shared / "pfx"));

  // Writing, pycache makes it first: then it is root's, and used.
  write_file(mine / "pycache.toml", "cache-prefix = \"" + (shared / "pfx").native() + "\"\n");
  write_file(mine / "mod.py", "X = 1\n");
  auto made = python({"-c", "import mod; print(mod.X)"}, mine);
  EXPECT_EQ(made.exit_code, 0) << made.err;
  struct stat st {};
  ASSERT_EQ(::lstat((shared / "pfx").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);

  // A venv or prefix in a directory of root's own may be made later, as before.
  write_file(mine / "pycache.toml", "venv = \"" + (mine / "venv").native() + "\"\n");
  auto own = python({"-c", "print(1)"}, mine);
  EXPECT_EQ(own.exit_code, 0) << own.err;
  EXPECT_FALSE(fs::exists(pwned));
}

// The window between the parent's check and a child's start held open by the
// program itself: it gives its venv (prefix) to nobody, who plants a .pth
// (pyc), then starts sys.executable. The child checks again and refuses.
TEST_F(Trust, AChildChecksTheVenvAndPrefixAgain) {
  const fs::path mine = t / "mine";
  auto made = run({{reference_python().native(), "-m", "venv", "--without-pip", (mine / "venv").native()},
                   std::nullopt,
                   env,
                   t.path()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  write_file(mine / "pycache.toml", "venv = \"venv\"\n");
  const std::string mm = python_cache_tag().substr(8, 1) + "." + python_cache_tag().substr(9);
  const std::string program =
      "import os, subprocess, sys\n"
      "for d, dirs, files in os.walk('venv'):\n"
      "    for n in dirs + files: os.lchown(os.path.join(d, n), 65534, 65534)\n"
      "os.chown('venv', 65534, 65534)\n"
      "open('venv/lib/python" +
      mm + "/site-packages/evil.pth', 'w').write(\"import os; open('" + pwned.native() +
      "', 'w').close()\\n\")\n"
      "c = subprocess.run([sys.executable, '-c', 'print(2)'], capture_output=True, text=True)\n"
      "print(c.returncode, c.stdout.strip())\n"
      "sys.stderr.write(c.stderr)\n";
  write_file(mine / "take.py", program);
  auto venv = python({"take.py"}, mine);
  EXPECT_EQ(venv.exit_code, 0) << venv.err;
  EXPECT_EQ(venv.out, "3 \n") << "the child refused the venv";
  EXPECT_NE(venv.err.find("refusing the virtual environment '" + (mine / "venv").native() + "'"), std::string::npos)
      << venv.err;
  EXPECT_FALSE(fs::exists(pwned)) << "their .pth ran as root in the child";

  // The same for a prefix: root's at start, nobody's before the child starts.
  fs::create_directories(mine / "pfx");
  write_file(mine / "pycache.toml", "cache-prefix = \"pfx\"\n");
  write_file(mine / "give.py",
             "import os, subprocess, sys\n"
             "os.chown('pfx', 65534, 65534)\n"
             "c = subprocess.run([sys.executable, '-c', 'print(2)'], capture_output=True, text=True)\n"
             "print(c.returncode, c.stdout.strip())\n"
             "sys.stderr.write(c.stderr)\n");
  auto prefix = python({"give.py"}, mine);
  EXPECT_EQ(prefix.exit_code, 0) << prefix.err;
  EXPECT_EQ(prefix.out, "3 \n") << "the child refused the prefix";
  EXPECT_NE(prefix.err.find("refusing the cache prefix '" + (mine / "pfx").native() + "'"), std::string::npos)
      << prefix.err;

  // What the user's own command line named is not checked, in the parent or the child.
  ::chown((mine / "pfx").c_str(), 0, 0);
  auto chosen = python({"-X", "pycache_prefix=" + (mine / "pfx").native(), "give.py"}, mine);
  EXPECT_EQ(chosen.out, "0 2\n") << chosen.err;
}

// Docker's --tmpfs is mode 1777 and a Kubernetes emptyDir 0777: pycache writes
// to a directory of its user's own inside such a prefix, never into it.
TEST_F(Trust, APrefixEveryoneCanWriteHoldsADirectoryOfTheUsersOwn) {
  const fs::path mine = t / "mine";
  write_file(mine / "mod.py", "X = 1\n");
  write_file(mine / "sub.py", "Y = 2\n");
  write_file(mine / "pycache.toml", "cache-prefix = \"open\"\n");
  for (const unsigned mode : {01777u, 0777u}) {
    fs::remove_all(mine / "open");
    fs::create_directories(mine / "open");
    ::chmod((mine / "open").c_str(), mode);
    const fs::path own = mine / "open/pycache-0";
    auto o = python({"-c",
                     "import subprocess, sys, mod; print(sys.pycache_prefix); "
                     "sys.exit(subprocess.run([sys.executable, '-c', 'import sub']).returncode)"},
                    mine);
    EXPECT_EQ(o.exit_code, 0) << o.err;
    EXPECT_EQ(o.out, own.native() + "\n");
    EXPECT_EQ(o.err, "");
    struct stat st {};
    ASSERT_EQ(::lstat(own.c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    const fs::path mirror = own / mine.relative_path();
    EXPECT_TRUE(fs::exists(mirror / ("mod." + python_cache_tag() + ".pyc")));
    EXPECT_TRUE(fs::exists(mirror / ("sub." + python_cache_tag() + ".pyc"))) << "the child's, in the same place";
    EXPECT_FALSE(fs::exists(mine / "__pycache__"));

    auto policy = pycache({"policy"}, mine);
    EXPECT_NE(policy.out.find("cache-prefix = \"" + own.native() + "\""), std::string::npos) << policy.out;
    auto clean = pycache({"clean"}, mine);
    EXPECT_EQ(clean.exit_code, 0) << clean.err;
    EXPECT_FALSE(fs::exists(mirror / ("mod." + python_cache_tag() + ".pyc")));

    // nobody made "pycache-0" first: theirs, so refused.
    fs::remove_all(own);
    fs::create_directories(own);
    ::chmod(own.c_str(), 0700);
    ASSERT_EQ(::chown(own.c_str(), 65534, 65534), 0);
    auto planted = python({"-c", "import mod"}, mine);
    EXPECT_EQ(planted.exit_code, 3);
    EXPECT_EQ(planted.err, refusing("cache prefix", own, (mine / "pycache.toml").native() + ":1:16",
                                    "'" + own.native() + "' is owned by nobody (uid 65534), not by you or root"));
  }
}

// Config files that are not regular files, wherever pycache reads one.
class HostileConfig : public ::testing::Test {
 protected:
  TempDir t;
  Env env = isolated_env(t.path());
  fs::path proj = t / "proj";

  Outcome go(std::vector<std::string> argv, const fs::path& cwd) {
    Process p{std::move(argv), std::nullopt, env, cwd};
    p.timeout_seconds = 20;  // a FIFO read would hang: fail, don't wait forever
    return run(p);
  }
  // Every command, and pycache-python, in `cwd`: one line and status 2.
  void expect_refused_everywhere(const fs::path& cwd, const std::string& line) {
    const auto commands = every_policy_command(WithPython::Yes);
    for (const auto& argv : commands) {
      auto o = go(argv, cwd);
      EXPECT_FALSE(o.timed_out) << argv[1];
      EXPECT_EQ(o.signal, 0) << argv[1];
      EXPECT_EQ(o.exit_code, 2) << argv[1] << ": " << o.err;
      EXPECT_EQ(o.err, "pycache: error: " + line + "\n") << argv[1];
      EXPECT_EQ(o.out, "") << argv[1];
    }
  }
};

TEST_F(HostileConfig, ADirectoryFifoOrDevZeroAsPolicyFileIsOneLineAndStatusTwo) {
  fs::create_directories(proj / "pyproject.toml");
  expect_refused_everywhere(proj, (proj / "pyproject.toml").native() + ": not a regular file");
  fs::remove(proj / "pyproject.toml");
  ASSERT_EQ(::mkfifo((proj / "pycache.toml").c_str(), 0644), 0);
  expect_refused_everywhere(proj, (proj / "pycache.toml").native() + ": not a regular file");
  fs::remove(proj / "pycache.toml");
  fs::create_symlink("/dev/zero", proj / "pycache.toml");
  expect_refused_everywhere(proj, (proj / "pycache.toml").native() + ": not a regular file");
}

TEST_F(HostileConfig, UserAndSystemFilesAndPolicyOptionToo) {
  fs::create_directories(proj);
  fs::create_directories(t / "home/.config/pycache/config.toml");
  expect_refused_everywhere(proj, (t / "home/.config/pycache/config.toml").native() + ": not a regular file");
  fs::remove(t / "home/.config/pycache/config.toml");
  ASSERT_EQ(::mkfifo((t / "no-system.toml").c_str(), 0644), 0);
  expect_refused_everywhere(proj, (t / "no-system.toml").native() + ": not a regular file");
  fs::remove(t / "no-system.toml");
  write_file(t / "huge.toml", std::string((1 << 20) + 1, '#'));
  write_file(proj / "pycache.toml", "optimize = 1\n");
  for (const char* file : {"/dev/zero", "/dev/null", "."}) {
    auto o = go({pycache_bin().native(), "run", "--policy", file, "-c", "print(1)"}, proj);
    EXPECT_EQ(o.exit_code, 2) << file;
    EXPECT_EQ(o.err, "pycache: error: " + (fs::path(file) == "." ? proj.native() : std::string(file)) +
                         ": not a regular file\n")
        << file;
  }
  auto huge = go({pycache_bin().native(), "policy", "--policy", (t / "huge.toml").native()}, proj);
  EXPECT_EQ(huge.exit_code, 2);
  EXPECT_EQ(huge.err, "pycache: error: " + (t / "huge.toml").native() + ": larger than 1 MiB\n");
}

TEST_F(HostileConfig, AVenvWhosePyvenvCfgIsNotAFile) {
  fs::create_directories(t / "venv/pyvenv.cfg");
  write_file(proj / "pycache.toml", "venv = \"" + (t / "venv").native() + "\"\n");
  auto o = go({pycache_python_bin().native(), "-c", "print(1)"}, proj);
  EXPECT_EQ(o.signal, 0);
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_EQ(o.err, "pycache: error: " + (t / "venv/pyvenv.cfg").native() + ": not a regular file\n");
}

}  // namespace
}  // namespace pycache::test
