#include "pycache/getpath.hpp"

#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace pycache {
namespace {

using test::TempDir;
using test::write_file;

constexpr const char* kSysconfig = "_sysconfigdata__x86_64-linux-gnu.py";
const std::string kSysconfigText(123, 'x');

// The embedded interpreter's install, at t/home, and a tree of other
// installations around it, each searched from a bin directory as getpath does.
struct Installs {
  TempDir t;
  PythonInstall in;
  Installs() {
    in.home = t / "home";
    in.exec_prefix = t / "exec";
    in.stdlib = t / "home/lib/python3.11";
    in.lib_name = "python3.11";
    in.zip_name = "python311.zip";
    in.sysconfigdata = kSysconfig;
    in.sysconfigdata_size = kSysconfigText.size();
    stdlib("home", kSysconfigText);
  }
  // A prefix with lib/python3.11/os.py (and sysconfigdata, when given) and bin/.
  void stdlib(const std::string& prefix, const std::string& sysconfig = {}) {
    write_file(t / prefix / "lib/python3.11/os.py", "");
    if (!sysconfig.empty()) write_file(t / prefix / "lib/python3.11" / kSysconfig, sysconfig);
    fs::create_directories(t / prefix / "bin");
  }
  void dynload(const std::string& prefix) { fs::create_directories(t / prefix / "lib/python3.11/lib-dynload"); }
  PathInputs from(const std::string& dir, bool python_home = false) const {
    return path_inputs(in, t / dir, python_home);
  }
  std::string p(const std::string& rel) const { return (t / rel).native(); }
};

TEST(GetPath, PythonHomeLeavesEverythingToPython) {
  Installs i;
  i.stdlib("usr", kSysconfigText);
  write_file(i.t / "build/pybuilddir.txt", "build/lib.linux-x86_64-3.11\n");
  for (const char* dir : {"usr/bin", "build", "home/bin", "nowhere"}) {
    auto r = i.from(dir, /*python_home=*/true);
    EXPECT_EQ(r.home, "") << dir;
    EXPECT_EQ(r.prefix, "") << dir;
    EXPECT_EQ(r.exec_prefix, "") << dir;
  }
}

TEST(GetPath, ABuildTreeGetsHomeOnly) {
  Installs i;
  write_file(i.t / "b1/pybuilddir.txt", "build/lib.linux-x86_64-3.11\n");
  write_file(i.t / "b2/Modules/Setup.local", "");
  i.stdlib("b1", kSysconfigText);  // even beside a standard library of the same build
  for (const char* dir : {"b1", "b2"}) {
    auto r = i.from(dir);
    EXPECT_EQ(r.home, i.in.home.native()) << dir;
    EXPECT_EQ(r.prefix, "") << dir;
    EXPECT_EQ(r.exec_prefix, "") << dir;
  }
  // The landmarks count only in the directory itself, not above it.
  fs::create_directories(i.t / "b1/sub");
  EXPECT_EQ(i.from("b1/sub").home, "");
}

TEST(GetPath, PrefixIsWhereTheLandmarkIsWhenItIsThisBuild) {
  struct Case {
    const char* name;
    const char* search_dir;
    std::string prefix;  // relative to the temp dir; "home" is the embedded one's
  };
  Installs i;
  i.stdlib("copy", kSysconfigText);                   // the same build, elsewhere (a copy, a relocated install)
  i.stdlib("other", std::string(124, 'x'));           // another build of 3.11: its sysconfigdata differs in size
  i.stdlib("bare");                                   // a stdlib without our sysconfigdata
  write_file(i.t / "pyc/lib/python3.11/os.pyc", "");  // a sourceless stdlib counts too
  write_file(i.t / "pyc/lib/python3.11" / kSysconfig, kSysconfigText);
  fs::create_directories(i.t / "copy/bin/deeper/still");
  fs::create_directories(i.t / "pyc/bin");
  fs::create_directories(i.t / "none/bin");
  const Case cases[] = {
      {"our own prefix", "home/bin", "home"},
      {"the same build elsewhere", "copy/bin", "copy"},
      {"searched up more than one level", "copy/bin/deeper/still", "copy"},
      {"os.pyc as the landmark", "pyc/bin", "pyc"},
      {"another build: ours instead", "other/bin", "home"},
      {"no sysconfigdata: ours instead", "bare/bin", "home"},
      {"no landmark at all: ours", "none/bin", "home"},
  };
  for (const auto& c : cases) {
    auto r = i.from(c.search_dir);
    EXPECT_EQ(r.home, "") << c.name;
    EXPECT_EQ(r.prefix, i.p(c.prefix)) << c.name;
  }
}

TEST(GetPath, TheZipLandmarkIsSearchedFirstAndTheNearestLandmarkWins) {
  Installs i;
  i.stdlib("outer", kSysconfigText);
  i.stdlib("outer/inner", kSysconfigText);
  EXPECT_EQ(i.from("outer/inner/bin").prefix, i.p("outer/inner"));
  EXPECT_EQ(i.from("outer/bin").prefix, i.p("outer"));
  // lib/python311.zip above: found before any lib/python3.11/os.py below it.
  write_file(i.t / "outer/lib/python311.zip", "PK");
  EXPECT_EQ(i.from("outer/inner/bin").prefix, i.p("outer"));
  // A zip-only prefix of another build (no sysconfigdata beside it): ours.
  write_file(i.t / "zonly/lib/python311.zip", "PK");
  fs::create_directories(i.t / "zonly/bin");
  EXPECT_EQ(i.from("zonly/bin").prefix, i.in.home.native());
}

TEST(GetPath, ExecPrefixIsWhereLibDynloadIsADirectoryOfThisBuild) {
  Installs i;
  i.stdlib("copy", kSysconfigText);
  i.dynload("copy");
  i.stdlib("other", std::string(7, 'y'));
  i.dynload("other");
  i.stdlib("filedl", kSysconfigText);
  write_file(i.t / "filedl/lib/python3.11/lib-dynload", "not a directory");
  i.stdlib("nodl", kSysconfigText);
  i.dynload("exec");
  fs::create_directories(i.t / "exec/bin");
  struct Case {
    const char* dir;
    std::string prefix, exec_prefix;
  };
  const Case cases[] = {
      {"copy/bin", "copy", "copy"},
      {"other/bin", "home", "exec"},
      {"filedl/bin", "filedl", "exec"},
      {"nodl/bin", "nodl", "exec"},
      {"home/bin", "home", "exec"},
      // Our exec_prefix found by the search: ours by its path alone.
      {"exec/bin", "home", "exec"},
  };
  for (const auto& c : cases) {
    auto r = i.from(c.dir);
    EXPECT_EQ(r.prefix, i.p(c.prefix)) << c.dir;
    EXPECT_EQ(r.exec_prefix, i.p(c.exec_prefix)) << c.dir;
  }
}

TEST(GetPath, WithoutAKnownSysconfigdataSizeOnlyOurOwnPathsCount) {
  Installs i;
  i.in.sysconfigdata_size = 0;
  i.stdlib("copy", kSysconfigText);
  i.dynload("copy");
  i.dynload("home");
  auto copy = i.from("copy/bin");
  EXPECT_EQ(copy.prefix, i.p("home"));
  EXPECT_EQ(copy.exec_prefix, i.p("exec"));
  auto home = i.from("home/bin");
  EXPECT_EQ(home.prefix, i.p("home"));
  EXPECT_EQ(home.exec_prefix, i.p("home"));
}

}  // namespace
}  // namespace pycache
