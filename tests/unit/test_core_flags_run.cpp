#include "pycache/flags_run.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "temp_dir.hpp"

namespace pycache::flags_run {
namespace {

using interpreters::Interpreter;
using interpreters::Link;
using interpreters::Place;
using test::TempDir;
using test::write_file;

// A shared 3.12 under `t`: its libpython (a plain file: nothing is loaded),
// its embedding module when `module`, and a pycache-embedded program.
struct Install {
  TempDir t;
  fs::path modules = t / "lib/pycache";
  fs::path program = t / "bin/pycache-embedded";
  Interpreter in;
  explicit Install(bool module = true) {
    in.path = t / "py/bin/python3.12";
    in.real = in.path;
    in.place = Place::Pyenv;
    in.major_minor = "3.12";
    in.version = "3.12.1";
    in.link = Link::Shared;
    in.libpython = t / "py/lib/libpython3.12.so.1.0";
    write_file(in.path, "");
    write_file(in.libpython, "");
    write_file(program, "");
    fs::permissions(program, fs::perms(0755));
    fs::create_directories(modules);
    if (module) write_file(modules / "pycache-embed-3.12.so", "");
  }
  Decision decide() const { return flags_run::decide(in, modules, program, Trust::current()); }
};

TEST(FlagsRunDecide, AnInterpreterWithItsModuleIsEmbedded) {
  Install i;
  auto d = i.decide();
  EXPECT_EQ(d.how, How::Embedded);
  EXPECT_EQ(d.why, "");
}

TEST(FlagsRunDecide, AMinorWithNoModuleRunsItselfAndSaysWhy) {
  Install i(false);
  auto d = i.decide();
  EXPECT_EQ(d.how, How::Flags);
  EXPECT_EQ(d.why.rfind("no embedding module for Python 3.12: ", 0), 0U) << d.why;
}

TEST(FlagsRunDecide, AStaticallyLinkedPythonRunsItself) {
  Install i;
  i.in.link = Link::Static;
  i.in.libpython.clear();
  auto d = i.decide();
  EXPECT_EQ(d.how, How::Flags);
  EXPECT_NE(d.why.find("no shared libpython"), std::string::npos) << d.why;
}

TEST(FlagsRunDecide, AFreeThreadedBuildWithoutItsModuleRunsItself) {
  Install i;  // pycache-embed-3.12.so is there, not 3.12t's
  i.in.free_threaded = true;
  i.in.libpython = i.t / "py/lib/libpython3.12t.so.1.0";
  write_file(i.in.libpython, "");
  auto d = i.decide();
  EXPECT_EQ(d.how, How::Flags);
  EXPECT_NE(d.why.find("pycache-embed-3.12t.so"), std::string::npos) << d.why;
}

TEST(FlagsRunDecide, ADebugLibpythonRunsItself) {
  Install i;
  i.in.libpython = i.t / "py/lib/libpython3.12d.so.1.0";
  write_file(i.in.libpython, "");
  auto d = i.decide();
  EXPECT_EQ(d.how, How::Flags);
  EXPECT_NE(d.why.find("debug build"), std::string::npos) << d.why;
}

TEST(FlagsRunDecide, NoEmbeddingProgramRunsItself) {
  Install i;
  fs::remove(i.program);
  auto d = i.decide();
  EXPECT_EQ(d.how, How::Flags);
  EXPECT_NE(d.why.find("no pycache-embedded"), std::string::npos) << d.why;
}

TEST(FlagsRunDecide, TrustRefusalsStayRefusals) {
  Install refused(false);
  refused.in.refused = "it is owned by nobody (uid 65534), not by you or root";
  auto d = refused.decide();
  EXPECT_EQ(d.how, How::Refused);
  EXPECT_NE(d.why.find("nobody"), std::string::npos) << d.why;

  Install library(false);
  fs::permissions(library.in.libpython, fs::perms(0666));
  EXPECT_EQ(library.decide().how, How::Refused) << "python would load that libpython too";

  Install module;
  fs::permissions(module.modules / "pycache-embed-3.12.so", fs::perms(0666));
  EXPECT_EQ(module.decide().how, How::Refused);
}

TEST(FlagsRunDecide, APythonWithoutPycachePrefixIsRefused) {
  Install i(false);
  i.in.major_minor = "3.7";
  i.in.version = "3.7.16";
  i.in.libpython.clear();
  auto d = i.decide();
  EXPECT_EQ(d.how, How::Refused);
  EXPECT_NE(d.why.find("3.8"), std::string::npos) << d.why;
}

embed::InterpreterConfig config(std::vector<std::string> argv) {
  embed::InterpreterConfig c;
  c.argv = std::move(argv);
  return c;
}

TEST(FlagsRunCommand, ThePolicyBecomesFlagsBeforeTheUsersArgumentsInOrder) {
  auto c = config({"/usr/bin/pycache", "-c", "pass", "a", "-O", "b"});
  c.write_bytecode = false;
  c.optimization_level = 2;
  c.pycache_prefix = "/p";
  c.check_hash_pycs_mode = "always";
  auto cmd = command("/py/bin/python3.9", c, {}, PythonArgs{});
  EXPECT_EQ(cmd.program, "/py/bin/python3.9");
  const std::vector<std::string> want{"/py/bin/python3.9",
                                      "-B",
                                      "-OO",
                                      "-X",
                                      "pycache_prefix=/p",
                                      "--check-hash-based-pycs",
                                      "always",
                                      "-c",
                                      "pass",
                                      "a",
                                      "-O",
                                      "b"};
  EXPECT_EQ(cmd.argv, want);
  EXPECT_EQ(flags_text(c, PythonArgs{}), "-B -OO -X pycache_prefix=/p --check-hash-based-pycs always");
}

TEST(FlagsRunCommand, TheDefaultPolicyAddsNoFlag) {
  auto c = config({"x", "script.py", "--flag"});
  auto cmd = command("/py", c, {}, PythonArgs{});
  EXPECT_EQ(cmd.argv, (std::vector<std::string>{"/py", "script.py", "--flag"}));
  EXPECT_EQ(flags_text(c, PythonArgs{}), "none");
}

TEST(FlagsRunCommand, TheUsersOwnBytecodeOptionsAreNotRepeated) {
  auto c = config({"x", "-O", "-B", "-c", "pass"});
  c.write_bytecode = false;
  c.optimization_level = 1;  // from the user's -O
  PythonArgs user;
  user.dont_write_bytecode = true;
  user.optimize = 1;
  auto cmd = command("/py", c, {}, user);
  EXPECT_EQ(cmd.argv, (std::vector<std::string>{"/py", "-O", "-B", "-c", "pass"}));
  c.optimization_level = 2;  // a policy of 2 and one -O of the user's: one more
  EXPECT_EQ(command("/py", c, {}, user).argv, (std::vector<std::string>{"/py", "-O", "-O", "-B", "-c", "pass"}));
}

TEST(FlagsRunCommand, TheEnvironmentIsThePlansAndUnderPropagateNoneTheFlagsCarryThePolicy) {
  const std::vector<std::pair<std::string, std::optional<std::string>>> planned{
      {"PYTHONDONTWRITEBYTECODE", "1"}, {"PYTHONOPTIMIZE", "2"}, {"PYCACHE_POLICY", "x"}};
  auto tree = command("/py", config({"x"}), planned, PythonArgs{});
  auto ends = tree.environment;
  ASSERT_EQ(ends.size(), 4U);
  EXPECT_EQ(ends[0], planned[0]);
  EXPECT_EQ(ends[3], (std::pair<std::string, std::optional<std::string>>{"PYTHONEXECUTABLE", std::nullopt}));
  // propagate = "none": started without PYTHONDONTWRITEBYTECODE (unset again
  // last), with a PYTHONOPTIMIZE python would read (the policy's stays).
  auto c = config({"x"});
  c.environment_after_init = {{"PYTHONDONTWRITEBYTECODE", std::nullopt}, {"PYTHONOPTIMIZE", "1"}};
  auto none = command("/py", c, planned, PythonArgs{});
  std::map<std::string, std::optional<std::string>> last;
  for (const auto& [name, value] : none.environment) last[name] = value;
  EXPECT_EQ(last["PYTHONDONTWRITEBYTECODE"], std::nullopt);
  EXPECT_EQ(last["PYTHONOPTIMIZE"], "2");
}

TEST(FlagsRunProgram, TheVenvsPythonWhenItIsThatInterpreter) {
  Install i;
  Policy p;
  EXPECT_EQ(program_for(i.in, p), i.in.path.native());
  const fs::path venv = i.t / "venv";
  fs::create_directories(venv / "bin");
  fs::create_symlink(i.in.path, venv / "bin/python3.12");
  p.override(Key::Venv, venv.native(), Origin{Source::CommandLine, "--venv"});
  EXPECT_EQ(program_for(i.in, p), (venv / "bin/python3.12").native());
  fs::remove(venv / "bin/python3.12");
  write_file(venv / "bin/python3.12", "");  // another file: never another Python
  EXPECT_EQ(program_for(i.in, p), i.in.path.native());
}

TEST(FlagsRunReport, TheOriginSaysWhichInterpreterWhyAndWhichFlags) {
  Install i;
  Policy p;
  p.override(Key::CachePrefix, "/p", Origin{Source::CommandLine, "--cache-prefix"});
  EXPECT_EQ(flags_text(p), "-X pycache_prefix=/p");
  EXPECT_EQ(origin_text(i.in, "no module", flags_text(p)),
            "Python 3.12.1 found in pyenv, not embedded (no module): run itself with python's flags "
            "-X pycache_prefix=/p");
  PythonChoice choice{"3.12", Origin{Source::CommandLine, "--python"}};
  choice.interpreter = i.in;
  choice.not_embedded = "no module";
  record_choice(p, choice);
  EXPECT_EQ(p.python(), i.in.path.native());
  EXPECT_NE(p.get(Key::Python).origin.describe().find("not embedded (no module)"), std::string::npos)
      << p.get(Key::Python).origin.describe();
}

}  // namespace
}  // namespace pycache::flags_run
