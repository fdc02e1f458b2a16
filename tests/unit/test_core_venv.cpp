#include "pycache/venv.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "pycache/exit_code.hpp"
#include "temp_dir.hpp"

namespace pycache {
namespace {

using test::TempDir;
using test::write_file;
using ::testing::HasSubstr;
using ::testing::Not;

struct CfgCase {
  const char* name;
  std::string text;
  std::string version;
  std::string home;
};

// What CPython's site.py and getpath read from the same file: each line split
// at its first '=', key and value stripped, `home` case-insensitively (the
// last one wins). pycache adds the version: venv writes `version`,
// virtualenv and uv `version_info`, which wins wherever it stands.
const CfgCase kCfgs[] = {
    {"venv", "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n", "3.11.2", "/usr/bin"},
    {"venv 3.11+ (executable, command)",
     "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.12.1\nexecutable = /usr/bin/python3.12\n"
     "command = /usr/bin/python3.12 -m venv /p/.venv\n",
     "3.12.1", "/usr/bin"},
    {"virtualenv",
     "home = /opt/py/bin\nimplementation = CPython\nversion_info = 3.11.2.final.0\nvirtualenv = 20.24.0\n"
     "include-system-site-packages = false\nbase-prefix = /opt/py\nbase-exec-prefix = /opt/py\n"
     "base-executable = /opt/py/bin/python3.11\n",
     "3.11.2.final.0", "/opt/py/bin"},
    {"uv",
     "home = /u/bin\nimplementation = CPython\nuv = 0.4.0\nversion_info = 3.12.4\ninclude-system-site-packages = "
     "false\n",
     "3.12.4", "/u/bin"},
    {"version_info wins wherever it stands", "version_info = 3.12.4\nversion = 3.11.0\n", "3.12.4", ""},
    {"version_info wins after version", "version = 3.11.0\nversion_info = 3.12.4\n", "3.12.4", ""},
    {"no spaces, no final newline", "home=/usr/bin\nversion=3.11.2", "3.11.2", "/usr/bin"},
    {"odd spacing", "  home  =\t/opt/py/bin \t\n\tversion =   3.12.0  \n", "3.12.0", "/opt/py/bin"},
    {"CRLF", "home = /usr/bin\r\nversion = 3.11.2\r\n", "3.11.2", "/usr/bin"},
    {"key case as getpath", "Home = /usr/bin\n", "", "/usr/bin"},
    {"the last home wins", "home = /a\nhome = /b\n", "", "/b"},
    {"value holding '='", "home = /opt/a=b/bin\n", "", "/opt/a=b/bin"},
    {"comment and junk lines", "# home = /wrong\nnot a setting\n\nhome = /right\n", "", "/right"},
    {"base-executable is not home", "base-executable = /usr/bin/python3.11\n", "", ""},
    {"only include-system-site-packages", "include-system-site-packages = true\n", "", ""},
    {"empty", "", "", ""},
};

TEST(InspectVenv, ReadsPyvenvCfgAsCPythonDoes) {
  for (const auto& c : kCfgs) {
    TempDir t;
    write_file(t / "pyvenv.cfg", c.text);
    auto info = inspect_venv(t.path());
    ASSERT_TRUE(info) << c.name << ": " << info.error().message;
    EXPECT_EQ(info->dir, t.path()) << c.name;
    EXPECT_EQ(info->version, c.version) << c.name;
    EXPECT_EQ(info->home, c.home) << c.name;
    EXPECT_FALSE(info->free_threaded) << c.name;
  }
}

TEST(InspectVenv, FreeThreadedByItsLibDirectory) {
  TempDir t;
  write_file(t / "ft/pyvenv.cfg", "version = 3.13.1\n");
  fs::create_directories(t / "ft/lib/python3.13t/site-packages");
  auto ft = inspect_venv(t / "ft");
  ASSERT_TRUE(ft);
  EXPECT_TRUE(ft->free_threaded);

  write_file(t / "gil/pyvenv.cfg", "version = 3.13.1\n");
  fs::create_directories(t / "gil/lib/python3.13/site-packages");
  auto gil = inspect_venv(t / "gil");
  ASSERT_TRUE(gil);
  EXPECT_FALSE(gil->free_threaded);

  write_file(t / "other/pyvenv.cfg", "version_info = 3.13.1.final.0\n");
  fs::create_directories(t / "other/lib/python3.12t");
  auto other = inspect_venv(t / "other");
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->free_threaded) << "another version's t directory says nothing";
}

TEST(InspectVenv, NotAVenvOrUnreadable) {
  TempDir t;
  auto none = inspect_venv(t.path());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, kExitEnvironment);
  EXPECT_EQ(none.error().message, "'" + t.path().native() + "' is not a virtual environment (no pyvenv.cfg)");

  fs::create_directories(t / "dir/pyvenv.cfg");
  auto dir = inspect_venv(t / "dir");
  ASSERT_FALSE(dir);
  EXPECT_EQ(dir.error().code, kExitUsage);
  EXPECT_THAT(dir.error().message, HasSubstr((t / "dir/pyvenv.cfg").native() + ": "));
}

struct CompatCase {
  const char* version;
  bool venv_free_threaded;
  const char* ours;
  bool ours_free_threaded;
  const char* error;  // nullptr: compatible; else a part of the message
};

// site-packages lives in lib/pythonX.Y[t]: only the same major.minor and ABI
// finds it.
const CompatCase kCompat[] = {
    {"3.11.2", false, "3.11", false, nullptr},
    {"3.11.9", false, "3.11", false, nullptr},  // another patch release shares the venv
    {"3.11.2.final.0", false, "3.11", false, nullptr},
    {"3.11", false, "3.11", false, nullptr},
    {"", false, "3.11", false, nullptr},  // nothing to compare
    {"3.12.0", false, "3.11", false, "made for Python 3.12, but pycache embeds Python 3.11;"},
    {"3.1.0", false, "3.11", false, "made for Python 3.1, but pycache embeds Python 3.11;"},
    {"3.110.0", false, "3.11", false, "made for Python 3.110, but"},
    {"3", false, "3.11", false, "made for Python 3, but"},
    {"3.13.1", true, "3.13", false, "made for Python 3.13 (free-threaded), but pycache embeds Python 3.13;"},
    {"3.13.1", false, "3.13", true, "made for Python 3.13, but pycache embeds Python 3.13 (free-threaded);"},
    {"3.13.1", true, "3.13", true, nullptr},
};

TEST(CheckVenvCompatible, SameMajorMinorAndAbiOnly) {
  for (const auto& c : kCompat) {
    VenvInfo v{"/p/.venv", c.version, c.venv_free_threaded};
    auto e = check_venv_compatible(v, c.ours, c.ours_free_threaded);
    const std::string what = std::string(c.version) + " vs " + c.ours;
    if (!c.error) {
      EXPECT_FALSE(e) << what << ": " << e->message;
      continue;
    }
    ASSERT_TRUE(e) << what;
    EXPECT_EQ(e->code, kExitEnvironment) << what;
    EXPECT_THAT(e->message, HasSubstr("the virtual environment '/p/.venv' was " + std::string(c.error))) << what;
    EXPECT_THAT(e->message, HasSubstr("recreate it with 'pycache-python -m venv', or run it with 'pycache run', "
                                      "which finds its Python on this machine"))
        << what;
    EXPECT_THAT(e->message, Not(HasSubstr("rebuild"))) << "never a build: " << what;
  }
}

TEST(VenvOfExecutable, ItsBinDirectoryOrItsOwnHoldsPyvenvCfg) {
  TempDir t;
  write_file(t / "venv/pyvenv.cfg", "version = 3.11.2\n");
  write_file(t / "venv/bin/python", "");
  write_file(t / "flat/pyvenv.cfg", "version = 3.11.2\n");
  write_file(t / "flat/python", "");
  write_file(t / "plain/bin/python", "");
  write_file(t / "deep/pyvenv.cfg", "version = 3.11.2\n");
  write_file(t / "deep/a/bin/python", "");

  EXPECT_EQ(venv_of_executable(t / "venv/bin/python"), t / "venv");
  EXPECT_EQ(venv_of_executable(t / "venv/bin/python3.11"), t / "venv") << "the file itself need not exist";
  EXPECT_EQ(venv_of_executable(t / "flat/python"), t / "flat");
  EXPECT_EQ(venv_of_executable(t / "plain/bin/python"), std::nullopt);
  EXPECT_EQ(venv_of_executable(t / "deep/a/bin/python"), std::nullopt) << "only one level up, as site.py looks";
  EXPECT_EQ(venv_of_executable("python"), std::nullopt);
  EXPECT_EQ(venv_of_executable(""), std::nullopt);

  // The path as given, not resolved: a link to a venv's python elsewhere is
  // not in the venv (site.py uses sys.executable's own directory).
  fs::create_directories(t / "links");
  fs::create_symlink(t / "venv/bin/python", t / "links/python");
  EXPECT_EQ(venv_of_executable(t / "links/python"), std::nullopt);
}

TEST(VenvLauncher, ALinkToPythonMadeOnceAndMendedWhenStale) {
  TempDir t;
  write_file(t / "python", "");
  write_file(t / "other-python", "");
  fs::create_directories(t / "venv/bin");

  auto made = venv_launcher(t / "venv", t / "python");
  ASSERT_TRUE(made);
  EXPECT_EQ(*made, t / "venv/bin/pycache-python");
  EXPECT_EQ(fs::read_symlink(*made), t / "python");
  EXPECT_EQ(venv_launcher(t / "venv", t / "python"), made) << "already there";

  auto moved = venv_launcher(t / "venv", t / "other-python");
  ASSERT_TRUE(moved);
  EXPECT_EQ(fs::read_symlink(*moved), t / "other-python") << "a stale link points at this pycache again";
  for (const auto& e : fs::directory_iterator(t / "venv/bin"))
    EXPECT_EQ(e.path().filename(), "pycache-python") << "no temporary link left";

  EXPECT_EQ(venv_launcher(t / "no-bin", t / "python"), std::nullopt) << "can't be made";
}

TEST(ProgramLink, OneLinkPerProgramOutsideEveryVenvInACacheOfTheUsersOwn) {
  TempDir t;
  fs::create_directories(t / "uvx-a/bin");
  fs::create_directories(t / "uvx-b/bin");
  write_file(t / "uvx-a/bin/pycache-python", "a");
  write_file(t / "uvx-b/bin/pycache-python", "b");
  fs::create_directories(t / "cache");

  auto a = program_link(t / "cache", t / "uvx-a/bin/pycache-python");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->filename(), "pycache-python") << "the name says python to the program";
  EXPECT_EQ(fs::read_symlink(*a), fs::canonical(t / "uvx-a/bin/pycache-python"));
  EXPECT_EQ(venv_of_executable(*a), std::nullopt);
  EXPECT_EQ(program_link(t / "cache", t / "uvx-a/bin/pycache-python"), a) << "the same program: the same link";
  auto b = program_link(t / "cache", t / "uvx-b/bin/pycache-python");
  ASSERT_TRUE(b);
  EXPECT_NE(*b, *a) << "two installs never share a link";
  EXPECT_EQ(fs::read_symlink(*a), fs::canonical(t / "uvx-a/bin/pycache-python")) << "nor re-point each other's";

  EXPECT_EQ(program_link({}, t / "uvx-a/bin/pycache-python"), std::nullopt) << "no cache directory";
  EXPECT_EQ(program_link(t / "cache", t / "absent"), std::nullopt);
  // A cache others can write: a link there could be swapped for their program.
  fs::create_directories(t / "shared");
  fs::permissions(t / "shared", fs::perms::all);
  EXPECT_EQ(program_link(t / "shared", t / "uvx-a/bin/pycache-python"), std::nullopt);
}

TEST(MajorMinorOf, TheFirstTwoPartsWithTheFreeThreadedMark) {
  EXPECT_EQ(major_minor_of("3.12.1", false), "3.12");
  EXPECT_EQ(major_minor_of("3.12.1.final.0", false), "3.12");
  EXPECT_EQ(major_minor_of("3.12", false), "3.12");
  EXPECT_EQ(major_minor_of("3", false), "3");
  EXPECT_EQ(major_minor_of("3.13.0", true), "3.13t");
  EXPECT_EQ(major_minor_of("3.13t", true), "3.13t") << "never twice";
  EXPECT_EQ(major_minor_of("3.13t", false), "3.13t") << "a request's own mark is kept";
}

}  // namespace
}  // namespace pycache
