// Every file pycache finds by searching upward (policy files, pyproject.toml,
// .python-version, .venv) follows one trust rule: another user's is skipped
// with one warning, whatever it is, and the search goes on; one of ours that
// is broken is one error line. Run on the real binary in temp trees; the
// other user is nobody (uid 65534), in a sticky directory of our own, as in
// test_trust.cpp. The ownership cases need root and skip without it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "process.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

void chown_tree(const fs::path& root, uid_t uid) {
  ASSERT_EQ(::lchown(root.c_str(), uid, uid), 0) << root;
  if (!fs::is_directory(fs::symlink_status(root))) return;
  for (const auto& e : fs::recursive_directory_iterator(root)) ASSERT_EQ(::lchown(e.path().c_str(), uid, uid), 0);
}

// A TOML table header of `parts` dotted parts: toml++ recurses once per part.
std::string deep_header(std::size_t parts) {
  std::string out = "[a";
  out.reserve(parts * 2 + 2);
  for (std::size_t i = 1; i < parts; ++i) out += ".a";
  return out + "]\n";
}

class TrustSources : public ::testing::Test {
 protected:
  TempDir t;
  Env env = isolated_env(t.path());
  fs::path shared = t / "shared";   // root's sticky, world-writable directory: a /tmp of our own
  fs::path proj = shared / "proj";  // root's project, without a policy of its own
  fs::path theirs = shared / "theirs";
  fs::path mine = t / "mine";  // root's script, in no project

  void SetUp() override {
    fs::create_directories(proj);
    fs::create_directories(mine);
    ::chmod(shared.c_str(), 01777);
    write_file(mine / "app.py", "import sys; print('app', sys.prefix == sys.base_prefix)\n");
  }
  bool root() const { return ::geteuid() == 0; }

  Outcome go(std::vector<std::string> argv, const fs::path& cwd) {
    Process p{std::move(argv), std::nullopt, env, cwd};
    p.timeout_seconds = 30;  // a FIFO read would hang: fail, don't wait forever
    return run(p);
  }
  Outcome pycache(std::vector<std::string> args, const fs::path& cwd) {
    args.insert(args.begin(), pycache_bin().native());
    return go(std::move(args), cwd);
  }
  Outcome python(std::vector<std::string> args, const fs::path& cwd) {
    args.insert(args.begin(), pycache_python_bin().native());
    return go(std::move(args), cwd);
  }
  // The warning for a file found while searching upward, as for policy files.
  std::string refusal(const std::string& what, const fs::path& file, const std::string& why) const {
    return "pycache: warning: ignoring " + what + " '" + file.native() + "': " + why + "; to trust it, add \"" +
           file.parent_path().native() + "\" to safe-directories in " +
           (t / "home/.config/pycache/config.toml").native() + "\n";
  }
  static std::string by_nobody() { return "it is owned by nobody (uid 65534), not by you or root"; }

  // Every command in `cwd`: never a signal; `status` and, on stderr, `err`.
  // pycache-python chooses no Python (it is one): `python_status`, `python_err`.
  void expect_everywhere(const fs::path& cwd, int status, const std::string& err, int python_status,
                         const std::string& python_err) {
    auto py = go({pycache_python_bin().native(), "-c", "print(1)"}, cwd);
    EXPECT_EQ(py.signal, 0) << "pycache-python: a crash";
    EXPECT_EQ(py.exit_code, python_status) << py.err;
    EXPECT_EQ(py.err, python_err);
    const auto commands = every_policy_command(WithPython::No);
    for (const auto& argv : commands) {
      auto o = go(argv, cwd);
      EXPECT_FALSE(o.timed_out) << argv[1];
      EXPECT_EQ(o.signal, 0) << argv[1] << ": a crash";
      EXPECT_EQ(o.exit_code, status) << argv[1] << ": " << o.err;
      EXPECT_EQ(o.err, err) << argv[1];
    }
  }
};

// Case 4: requires-python was read with toml++ unguarded.
TEST_F(TrustSources, ADeepHeaderInOurPyprojectWithRequiresPythonIsOneErrorNotACrash) {
  write_file(shared / "pyproject.toml", "[project]\nrequires-python = \">=3.8\"\n" + deep_header(200000));
  expect_everywhere(proj, 2,
                    "pycache: error: " + (shared / "pyproject.toml").native() +
                        ":3:65: invalid TOML: a key of more than 32 dotted parts (pycache reads none deeper)\n",
                    0, "");
}

TEST_F(TrustSources, ADeepHeaderInTheirPyprojectIsSkippedWithOneWarning) {
  if (!root()) GTEST_SKIP() << "needs root to give a file to nobody";
  write_file(shared / "pyproject.toml", "[project]\nrequires-python = \">=3.8\"\n" + deep_header(200000));
  chown_tree(shared / "pyproject.toml", 65534);
  const std::string warning = refusal("the project file", shared / "pyproject.toml", by_nobody());
  expect_everywhere(proj, 0, warning, 0, warning);
}

// Case 5: whatever another user leaves under the name of a policy file is
// skipped, never opened: judged by lstat, a symbolic link by its own owner.
TEST_F(TrustSources, TheirDirectoryFifoHugeFileOrLinkAsPolicyFileIsSkipped) {
  if (!root()) GTEST_SKIP() << "needs root to give a file to nobody";
  const fs::path file = shared / "pycache.toml";
  auto expect_skipped = [&](const std::string& what) {
    chown_tree(file, 65534);
    auto o = python({"-c", "print(1)"}, proj);
    EXPECT_EQ(o.signal, 0) << what;
    EXPECT_FALSE(o.timed_out) << what;
    EXPECT_EQ(o.exit_code, 0) << what << ": " << o.err;
    EXPECT_EQ(o.out, "1\n") << what;
    EXPECT_EQ(o.err, refusal("the policy file", file, by_nobody())) << what;
    auto p = pycache({"policy"}, proj);
    EXPECT_EQ(p.exit_code, 0) << what << ": " << p.err;
    EXPECT_NE(p.out.find("# refused: " + file.native() + ": " + by_nobody() + "\n"), std::string::npos) << p.out;
    fs::remove_all(file);
  };
  fs::create_directories(file);
  expect_skipped("a directory");
  ASSERT_EQ(::mkfifo(file.c_str(), 0644), 0);
  expect_skipped("a FIFO");
  write_file(file, std::string(2 << 20, '#'));
  expect_skipped("a 2 MiB file");
  fs::create_symlink("/etc/passwd", file);
  expect_skipped("a link to root's /etc/passwd");
  fs::create_symlink("/dev/zero", file);
  expect_skipped("a link to /dev/zero");
}

TEST_F(TrustSources, OurOwnLinkToOurFileIsHonoured) {
  write_file(t / "policies/p.toml", "optimize = 1\n");
  fs::create_symlink(t / "policies/p.toml", shared / "pycache.toml");
  auto o = python({"-c", "import sys; print(sys.flags.optimize)"}, proj);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "1\n");
  EXPECT_EQ(o.err, "");
}

// Case 6: their project, where root stands, picks or blocks nothing.
TEST_F(TrustSources, TheirProjectWhereWeStandPicksNoPythonAndNoVenv) {
  if (!root()) GTEST_SKIP() << "needs root to give files to nobody";
  write_file(theirs / "pyproject.toml", "[project]\nname = \"theirs\"\n");
  write_file(theirs / ".python-version", "3.99\n");
  chown_tree(theirs, 65534);
  const std::string warning = refusal("the project file", theirs / "pyproject.toml", by_nobody());
  auto o = pycache({"run", (mine / "app.py").native()}, theirs);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "app True\n");
  EXPECT_EQ(o.err, warning);

  fs::remove(theirs / ".python-version");
  auto made = run({{reference_python().native(), "-m", "venv", "--without-pip", (theirs / ".venv").native()},
                   std::nullopt,
                   env,
                   t.path()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  chown_tree(theirs, 65534);
  auto venv = pycache({"run", (mine / "app.py").native()}, theirs);
  EXPECT_EQ(venv.exit_code, 0) << venv.err;
  EXPECT_EQ(venv.out, "app True\n") << "their venv was entered";
  EXPECT_EQ(venv.err, warning);

  // Listed in safe-directories: theirs is the project again.
  write_file(t / "home/.config/pycache/config.toml", "safe-directories = [\"" + theirs.native() + "\"]\n");
  auto trusted = pycache({"run", (mine / "app.py").native()}, theirs);
  EXPECT_EQ(trusted.exit_code, 0) << trusted.err;
  EXPECT_EQ(trusted.out, "app False\n");
  EXPECT_EQ(trusted.err, "");
}

TEST_F(TrustSources, TheirPythonVersionOrVenvInOurProjectIsSkippedWithOneWarning) {
  if (!root()) GTEST_SKIP() << "needs root to give files to nobody";
  write_file(shared / "pyproject.toml", "[project]\nname = \"ours\"\n");  // root's project, in a sticky directory
  write_file(shared / ".python-version", "3.99\n");
  chown_tree(shared / ".python-version", 65534);
  auto version = pycache({"run", "-c", "print(1)"}, proj);
  EXPECT_EQ(version.exit_code, 0) << version.err;
  EXPECT_EQ(version.out, "1\n");
  EXPECT_EQ(version.err, refusal("the .python-version file", shared / ".python-version", by_nobody()));
  auto policy = pycache({"policy"}, proj);
  EXPECT_NE(policy.out.find("# refused: " + (shared / ".python-version").native() + ": " + by_nobody() + "\n"),
            std::string::npos)
      << policy.out;
  fs::remove(shared / ".python-version");

  auto made = run({{reference_python().native(), "-m", "venv", "--without-pip", (shared / ".venv").native()},
                   std::nullopt,
                   env,
                   t.path()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  chown_tree(shared / ".venv", 65534);
  auto venv = pycache({"run", "-c", "import sys; print(sys.prefix == sys.base_prefix)"}, proj);
  EXPECT_EQ(venv.exit_code, 0) << venv.err;
  EXPECT_EQ(venv.out, "True\n");
  EXPECT_EQ(venv.err, refusal("the virtual environment", shared / ".venv", by_nobody()));

  // A link of theirs to a venv of ours: judged by the link's owner.
  fs::remove_all(shared / ".venv");
  ASSERT_EQ(run({{reference_python().native(), "-m", "venv", "--without-pip", (t / "venv").native()},
                 std::nullopt,
                 env,
                 t.path()})
                .exit_code,
            0);
  fs::create_symlink(t / "venv", shared / ".venv");
  chown_tree(shared / ".venv", 65534);
  auto link = pycache({"run", "-c", "import sys; print(sys.prefix == sys.base_prefix)"}, proj);
  EXPECT_EQ(link.out, "True\n") << link.err;
  EXPECT_EQ(link.err, refusal("the virtual environment", shared / ".venv", by_nobody()));
}

TEST_F(TrustSources, TheirRequiresPythonDoesNotBlockUs) {
  if (!root()) GTEST_SKIP() << "needs root to give files to nobody";
  write_file(shared / "pyproject.toml", "[project]\nname = \"theirs\"\nrequires-python = \">=3.99\"\n");
  chown_tree(shared / "pyproject.toml", 65534);
  auto o = pycache({"run", "-c", "print(1)"}, proj);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "1\n");
  EXPECT_EQ(o.err, refusal("the project file", shared / "pyproject.toml", by_nobody()));
}

}  // namespace
}  // namespace pycache::test
