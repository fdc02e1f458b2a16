#include "pycache/interpreters.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>

#include "elf_builder.hpp"
#include "temp_dir.hpp"

namespace pycache::interpreters {
namespace {

using test::ElfSpec;
using test::make_elf;
using test::TempDir;
using test::write_file;

// Gives `p` (a link itself, not its target) to nobody (uid 65534): only root can.
bool give_to_nobody(const fs::path& p) { return ::geteuid() == 0 && ::lchown(p.c_str(), 65534, 65534) == 0; }

// A crafted interpreter binary at `file`, executable.
void binary(const fs::path& file, const ElfSpec& spec) {
  write_file(file, make_elf(spec));
  fs::permissions(file, fs::perms(0755));
}

// What a shared CPython install of `minor` has under `prefix`: bin/pythonX.Y
// linking libpython through $ORIGIN/../lib, the library, the stdlib landmark.
void shared_install(const fs::path& prefix, const std::string& minor, const std::string& rodata = {}) {
  binary(prefix / "bin" / ("python" + minor), {{"libpython" + minor + ".so.1.0", "libc.so.6"}, "$ORIGIN/../lib"});
  write_file(prefix / "lib" / ("libpython" + minor + ".so.1.0"),
             make_elf({{"libc.so.6"}, {}, {}, "libpython" + minor + ".so.1.0", rodata}));
  write_file(prefix / "lib" / ("python" + minor) / "os.py", "");
}

EnvLookup env_of(std::map<std::string, std::string> vars) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

Interpreter inspect_ok(const fs::path& path, VersionCache* cache = nullptr) {
  auto found = inspect(path, Trust::current(), cache);
  EXPECT_TRUE(found) << found.error().message;
  return found ? *found : Interpreter{};
}

TEST(Inspect, AUvInstallIsDescribedFromItsFilesAlone) {
  TempDir t;
  const fs::path root = t / "uv/cpython-3.12.7-linux-x86_64-gnu";
  shared_install(root, "3.12");
  fs::create_symlink("python3.12", root / "bin/python3");
  Interpreter in = inspect_ok(root / "bin/python3");
  EXPECT_EQ(in.path, root / "bin/python3");
  EXPECT_EQ(in.real, root / "bin/python3.12");
  EXPECT_EQ(in.name(), "3.12");
  EXPECT_FALSE(in.free_threaded);
  EXPECT_EQ(in.version, "3.12.7");
  EXPECT_EQ(in.version_source, VersionSource::DirectoryName);
  EXPECT_EQ(in.prefix, root);
  EXPECT_EQ(in.stdlib, root / "lib/python3.12");
  EXPECT_EQ(in.link, Link::Shared);
  EXPECT_EQ(in.libpython, root / "bin/../lib/libpython3.12.so.1.0") << "through its RUNPATH";
  EXPECT_EQ(in.elf.runpath, std::vector<std::string>{(root / "bin/../lib").native()});
  EXPECT_EQ(in.owner, ::geteuid());
  EXPECT_FALSE(in.refused) << *in.refused;
}

TEST(Inspect, PatchlevelHBeatsTheDirectoryName) {
  TempDir t;
  const fs::path root = t / "pyenv/versions/3.12.1";
  shared_install(root, "3.12");
  EXPECT_EQ(inspect_ok(root / "bin/python3.12").version, "3.12.1") << "pyenv's directory name";
  write_file(root / "include/python3.12/patchlevel.h",
             "#define PY_MINOR_VERSION 12\n#define PY_VERSION              \"3.12.9\"\n");
  Interpreter in = inspect_ok(root / "bin/python3.12");
  EXPECT_EQ(in.version, "3.12.9");
  EXPECT_EQ(in.version_source, VersionSource::Header);
  write_file(root / "include/python3.12/patchlevel.h", "#define PY_VERSION \"3.11.2\"\n");
  EXPECT_EQ(inspect_ok(root / "bin/python3.12").version, "3.12.1") << "another minor's header is not believed";
}

TEST(Inspect, AStaticPythonFindsDebiansLibpythonInTheMultiarchDirectory) {
  TempDir t;
  const fs::path usr = t / "usr";
  binary(usr / "bin/python3.11", {{"libc.so.6"}, {}, {}, {}, std::string("3.11.2\0", 7)});
  write_file(usr / "lib/python3.11/os.py", "");
  write_file(usr / "lib/x86_64-linux-gnu/libpython3.11.so.1.0", make_elf({}));
  Interpreter in = inspect_ok(usr / "bin/python3.11");
  EXPECT_EQ(in.link, Link::Static);
  EXPECT_EQ(in.prefix, usr);
#if defined(__x86_64__)
  EXPECT_EQ(in.libpython, usr / "lib/x86_64-linux-gnu/libpython3.11.so.1.0");
#endif
  EXPECT_EQ(in.version, "3.11.2") << "read out of the static binary";
  EXPECT_EQ(in.version_source, VersionSource::Binary);
  write_file(usr / "lib/libpython3.11.so.1.0", make_elf({}));
  EXPECT_EQ(inspect_ok(usr / "bin/python3.11").libpython, usr / "lib/libpython3.11.so.1.0") << "PREFIX/lib first";
}

TEST(Inspect, AMissingLibpythonIsNone) {
  TempDir t;
  binary(t / "opt/bin/python3.12", {{"libpython3.12.so.1.0"}, "$ORIGIN/../lib"});
  Interpreter in = inspect_ok(t / "opt/bin/python3.12");
  EXPECT_EQ(in.link, Link::Shared) << "it links one";
  EXPECT_TRUE(in.libpython.empty()) << in.libpython;
  EXPECT_TRUE(in.prefix.empty()) << "no landmark";
  EXPECT_EQ(in.version, "3.12");
  EXPECT_EQ(in.version_source, VersionSource::MinorOnly);
}

TEST(Inspect, AFreeThreadedBuildHasItsOwnStdlibAndLibrary) {
  TempDir t;
  const fs::path root = t / "uv/cpython-3.13.0+freethreaded-linux-x86_64-gnu";
  shared_install(root, "3.13t");
  Interpreter in = inspect_ok(root / "bin/python3.13t");
  EXPECT_TRUE(in.free_threaded);
  EXPECT_EQ(in.major_minor, "3.13");
  EXPECT_EQ(in.name(), "3.13t");
  EXPECT_EQ(in.stdlib, root / "lib/python3.13t");
  EXPECT_EQ(in.libpython.filename(), "libpython3.13t.so.1.0");
  EXPECT_EQ(in.version, "3.13.0");
}

TEST(Inspect, APython3SaysItsMinorThroughItsLibpythonOrItsLayout) {
  TempDir t;
  shared_install(t / "a", "3.10");
  fs::rename(t / "a/bin/python3.10", t / "a/bin/python3");
  EXPECT_EQ(inspect_ok(t / "a/bin/python3").name(), "3.10") << "DT_NEEDED libpython3.10";
  binary(t / "b/bin/python3", {{"libc.so.6"}});
  write_file(t / "b/lib/python3.9/os.py", "");
  EXPECT_EQ(inspect_ok(t / "b/bin/python3").name(), "3.9") << "the one stdlib beside it";
  write_file(t / "b/lib/python3.8/os.py", "");
  auto two = inspect(t / "b/bin/python3", Trust::current(), nullptr);
  ASSERT_FALSE(two) << "two stdlibs: which one is unknown";
  EXPECT_NE(two.error().message.find("no CPython 3 interpreter"), std::string::npos) << two.error().message;
}

TEST(Inspect, PyenvsShimIsNotAnInterpreter) {
  TempDir t;
  write_file(t / "shims/python3.12", "#!/usr/bin/env bash\nexec pyenv exec \"$@\"\n");
  auto found = inspect(t / "shims/python3.12", Trust::current(), nullptr);
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().message, "'" + (t / "shims/python3.12").native() + "': not an ELF file");
  EXPECT_EQ(found.error().code, kExitEnvironment);
}

TEST(Inspect, AnotherUsersInterpreterIsRefusedWithWhy) {
  TempDir t;
  shared_install(t / "p", "3.12");
  if (!give_to_nobody(t / "p/bin/python3.12")) GTEST_SKIP() << "needs root to give a file to nobody";
  Interpreter in = inspect_ok(t / "p/bin/python3.12");
  EXPECT_EQ(in.owner, 65534U);
  ASSERT_TRUE(in.refused);
  EXPECT_EQ(*in.refused, "it is owned by nobody (uid 65534), not by you or root");
  ASSERT_EQ(::lchown((t / "p/bin/python3.12").c_str(), 0, 0), 0);
  ASSERT_TRUE(give_to_nobody(t / "p/lib/libpython3.12.so.1.0"));
  in = inspect_ok(t / "p/bin/python3.12");
  ASSERT_TRUE(in.refused);
  EXPECT_EQ(*in.refused, "its libpython '" + (t / "p/lib/libpython3.12.so.1.0").native() +
                             "': it is owned by nobody (uid 65534), not by you or root");
}

TEST(Inspect, AnInterpreterInADirectoryAnyoneCanWriteIsRefused) {
  TempDir t;
  shared_install(t / "p", "3.12");
  fs::permissions(t / "p/bin", fs::perms(0777));
  Interpreter in = inspect_ok(t / "p/bin/python3.12");
  ASSERT_TRUE(in.refused);
  EXPECT_EQ(*in.refused, "the directory holding it ('" + (t / "p/bin").native() + "') is writable by everyone");
}

TEST(VersionCache, ASecondInspectReadsTheCacheAndAChangedLibraryIsReadAgain) {
  TempDir t;
  shared_install(t / "opt/py", "3.12", std::string("/build/Python-3.12.4\0", 21));
  const fs::path cache_file = t / "cache/pycache/interpreters-v1";
  {
    VersionCache cache(cache_file);
    Interpreter in = inspect_ok(t / "opt/py/bin/python3.12", &cache);
    EXPECT_EQ(in.version, "3.12.4");
    EXPECT_EQ(in.version_source, VersionSource::Binary);
    EXPECT_EQ(cache.scans, 1U);
  }
  struct stat st {};
  ASSERT_EQ(::stat(cache_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600U);
  {
    VersionCache cache(cache_file);
    EXPECT_EQ(inspect_ok(t / "opt/py/bin/python3.12", &cache).version, "3.12.4");
    EXPECT_EQ(cache.scans, 0U) << "from the cache file";
  }
  // The same size, another version, another mtime: an update of the library.
  write_file(t / "opt/py/lib/libpython3.12.so.1.0",
             make_elf({{"libc.so.6"}, {}, {}, "libpython3.12.so.1.0", std::string("/build/Python-3.12.5\0", 21)}));
  const timespec times[2] = {{0, UTIME_OMIT}, {st.st_mtim.tv_sec + 5, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (t / "opt/py/lib/libpython3.12.so.1.0").c_str(), times, 0), 0);
  VersionCache cache(cache_file);
  EXPECT_EQ(inspect_ok(t / "opt/py/bin/python3.12", &cache).version, "3.12.5");
  EXPECT_EQ(cache.scans, 1U);
}

TEST(VersionCache, AFileThatIsNotOursOrDoesNotParseIsIgnored) {
  TempDir t;
  shared_install(t / "opt/py", "3.12", std::string("3.12.4\0", 7));
  const fs::path cache_file = t / "interpreters-v1";
  {
    VersionCache cache(cache_file);
    inspect_ok(t / "opt/py/bin/python3.12", &cache);
  }
  const std::string good = test::read_file(cache_file);
  for (const std::string& bad : {std::string("garbage\n"), good.substr(0, good.size() / 2) + "\n",
                                 good.substr(0, good.rfind(' ')) + " 3.12.4 extra\n"}) {
    write_file(cache_file, bad);
    VersionCache cache(cache_file);
    EXPECT_EQ(inspect_ok(t / "opt/py/bin/python3.12", &cache).version, "3.12.4");
    EXPECT_EQ(cache.scans, 1U) << bad;
  }
  // A link to a good cache, and a FIFO: neither is read (nor waited on).
  write_file(t / "elsewhere", good);
  fs::remove(cache_file);
  fs::create_symlink(t / "elsewhere", cache_file);
  {
    VersionCache linked(cache_file);
    inspect_ok(t / "opt/py/bin/python3.12", &linked);
    EXPECT_EQ(linked.scans, 1U) << "a symbolic link is not followed";
  }
  EXPECT_FALSE(fs::is_symlink(cache_file)) << "save() replaced the link, never wrote through it";
  EXPECT_EQ(test::read_file(t / "elsewhere"), good);
  fs::remove(cache_file);
  ASSERT_EQ(::mkfifo(cache_file.c_str(), 0600), 0);
  {
    VersionCache fifo(cache_file);
    inspect_ok(t / "opt/py/bin/python3.12", &fifo);
    EXPECT_EQ(fifo.scans, 1U);
  }
  write_file(cache_file, good);
  if (!give_to_nobody(cache_file)) GTEST_SKIP() << "needs root to give a file to nobody";
  VersionCache cache(cache_file);
  inspect_ok(t / "opt/py/bin/python3.12", &cache);
  EXPECT_EQ(cache.scans, 1U) << "someone else's cache is not read";
}

TEST(VersionCache, TheDefaultFileFollowsXdgThenHome) {
  EXPECT_EQ(VersionCache::default_file(env_of({{"XDG_CACHE_HOME", "/x"}, {"HOME", "/h"}})),
            "/x/pycache/interpreters-v1");
  EXPECT_EQ(VersionCache::default_file(env_of({{"XDG_CACHE_HOME", "rel"}, {"HOME", "/h"}})),
            "/h/.cache/pycache/interpreters-v1");
  EXPECT_EQ(VersionCache::default_file(env_of({})), "");
}

// The entries of `d` under `root`, as "PLACE PATH-BELOW-ROOT".
std::vector<std::string> below(const Discovery& d, const fs::path& root) {
  std::vector<std::string> out;
  for (const auto& in : d.found)
    if (in.path.native().starts_with(root.native()))
      out.push_back(std::string(place_name(in.place)) + " " + in.path.lexically_relative(root).native());
  return out;
}

TEST(Discover, UvThenPyenvThenPathNewestFirstOnePerFile) {
  TempDir t;
  shared_install(t / "uv/cpython-3.12.7-linux-x86_64-gnu", "3.12");
  shared_install(t / "uv/cpython-3.13.0-linux-x86_64-gnu", "3.13");
  fs::create_directory_symlink("cpython-3.13.0-linux-x86_64-gnu", t / "uv/cpython-3.13-linux-x86_64-gnu");
  shared_install(t / "home/.pyenv/versions/3.9.18", "3.9");
  shared_install(t / "home/.pyenv/versions/3.10.13", "3.10");
  write_file(t / "home/.pyenv/shims/python3.10", "#!/bin/sh\n");
  fs::create_directories(t / "bin");
  fs::create_symlink(t / "uv/cpython-3.12.7-linux-x86_64-gnu/bin/python3.12", t / "bin/python3.12");
  fs::create_symlink("python3.12", t / "bin/python3");
  shared_install(t / "local", "3.11");
  const std::string path = "bin:" + (t / "home/.pyenv/shims").native() + ":" + (t / "bin").native() + ":" +
                           (t / "local/bin").native() + ":" + (t / "bin").native();
  const auto env =
      env_of({{"HOME", (t / "home").native()}, {"UV_PYTHON_INSTALL_DIR", (t / "uv").native()}, {"PATH", path}});
  Discovery d = discover(env, Trust::current(), nullptr);
  EXPECT_EQ(below(d, t.path()), (std::vector<std::string>{
                                    "uv uv/cpython-3.13.0-linux-x86_64-gnu/bin/python3.13",
                                    "uv uv/cpython-3.12.7-linux-x86_64-gnu/bin/python3.12",
                                    "pyenv home/.pyenv/versions/3.10.13/bin/python3.10",
                                    "pyenv home/.pyenv/versions/3.9.18/bin/python3.9",
                                    "PATH local/bin/python3.11",
                                }));
  const auto& uv312 = d.found[1];
  EXPECT_EQ(uv312.aliases, (std::vector<fs::path>{t / "bin/python3.12", t / "bin/python3"}));
  EXPECT_EQ(d.found[0].aliases, std::vector<fs::path>{t / "uv/cpython-3.13-linux-x86_64-gnu/bin/python3.13"})
      << "uv's minor-version link";
  ASSERT_FALSE(d.skipped.empty());
  EXPECT_EQ(d.skipped[0], "'" + (t / "home/.pyenv/shims/python3.10").native() + "': not an ELF file");
}

TEST(Discover, OnlyOneNameStopsAtTheFirstThatMayBeUsed) {
  TempDir t;
  shared_install(t / "uv/cpython-3.12.7-linux-x86_64-gnu", "3.12");
  shared_install(t / "uv/cpython-3.13.0-linux-x86_64-gnu", "3.13");
  shared_install(t / "pyenv/versions/3.12.1", "3.12");
  shared_install(t / "pyenv/versions/3.11.7", "3.11");
  fs::create_directories(t / "bin");
  fs::create_symlink(t / "pyenv/versions/3.11.7/bin/python3.11", t / "bin/python3");
  const auto env = env_of({{"UV_PYTHON_INSTALL_DIR", (t / "uv").native()},
                           {"PYENV_ROOT", (t / "nowhere").native()},
                           {"PATH", (t / "bin").native()}});
  EXPECT_EQ(below(discover(env, Trust::current(), nullptr, "3.12"), t.path()),
            std::vector<std::string>{"uv uv/cpython-3.12.7-linux-x86_64-gnu/bin/python3.12"});
  EXPECT_EQ(below(discover(env, Trust::current(), nullptr, "3.11"), t.path()),
            std::vector<std::string>{"PATH bin/python3"})
      << "a python3 of that version";
  EXPECT_EQ(below(discover(env, Trust::current(), nullptr, "3.13t"), t.path()), std::vector<std::string>{});
  const auto with_pyenv = env_of({{"UV_PYTHON_INSTALL_DIR", (t / "uv").native()},
                                  {"PYENV_ROOT", (t / "pyenv").native()},
                                  {"PATH", (t / "bin").native()}});
  if (!give_to_nobody(t / "uv/cpython-3.12.7-linux-x86_64-gnu/bin/python3.12"))
    GTEST_SKIP() << "needs root to give a file to nobody";
  Discovery d = discover(with_pyenv, Trust::current(), nullptr, "3.12");
  EXPECT_EQ(below(d, t.path()), (std::vector<std::string>{"uv uv/cpython-3.12.7-linux-x86_64-gnu/bin/python3.12",
                                                          "pyenv pyenv/versions/3.12.1/bin/python3.12"}));
  ASSERT_EQ(d.found.size(), 2U) << "it stops there";
  EXPECT_TRUE(d.found[0].refused);
  EXPECT_FALSE(d.found[1].refused);
}

TEST(Discover, PlacesComeFromTheEnvironmentGiven) {
  TempDir t;
  shared_install(t / "xdg/uv/python/cpython-3.12.1-linux-x86_64-gnu", "3.12");
  shared_install(t / "pyenv-root/versions/3.11.7", "3.11");
  shared_install(t / "home/.local/share/uv/python/cpython-3.10.1-linux-x86_64-gnu", "3.10");
  auto env = env_of({{"HOME", (t / "home").native()},
                     {"XDG_DATA_HOME", (t / "xdg").native()},
                     {"PYENV_ROOT", (t / "pyenv-root").native()}});
  EXPECT_EQ(below(discover(env, Trust::current(), nullptr), t.path()),
            (std::vector<std::string>{"uv xdg/uv/python/cpython-3.12.1-linux-x86_64-gnu/bin/python3.12",
                                      "pyenv pyenv-root/versions/3.11.7/bin/python3.11"}));
  env = env_of({{"HOME", (t / "home").native()}});
  EXPECT_EQ(
      below(discover(env, Trust::current(), nullptr), t.path()),
      (std::vector<std::string>{"uv home/.local/share/uv/python/cpython-3.10.1-linux-x86_64-gnu/bin/python3.10"}));
}

TEST(Discover, AnotherUsersInterpreterIsListedRefused) {
  TempDir t;
  shared_install(t / "bin-dir", "3.12");
  if (!give_to_nobody(t / "bin-dir/bin/python3.12")) GTEST_SKIP() << "needs root to give a file to nobody";
  Discovery d = discover(env_of({{"PATH", (t / "bin-dir/bin").native()}}), Trust::current(), nullptr);
  ASSERT_FALSE(d.found.empty());
  EXPECT_EQ(d.found[0].path, t / "bin-dir/bin/python3.12");
  ASSERT_TRUE(d.found[0].refused);
  EXPECT_EQ(*d.found[0].refused, "it is owned by nobody (uid 65534), not by you or root");
}

TEST(Inspect, ACopyOfPyenvsPython312StillLoadsPyenvsLibpython) {
  const fs::path real = "/root/.pyenv/versions/3.12.1/bin/python3.12";
  if (!fs::exists(real)) GTEST_SKIP() << real << " is not on this machine";
  TempDir t;
  const fs::path root = t / "uv/cpython-3.12.1-linux-x86_64-gnu";
  fs::create_directories(root / "bin");
  fs::copy_file(real, root / "bin/python3.12");
  write_file(root / "lib/python3.12/os.py", "");
  Interpreter in = inspect_ok(root / "bin/python3.12");
  EXPECT_EQ(in.link, Link::Shared);
  EXPECT_EQ(in.libpython, "/root/.pyenv/versions/3.12.1/lib/libpython3.12.so.1.0") << "its RUNPATH is absolute";
  EXPECT_EQ(in.version, "3.12.1");
  EXPECT_EQ(in.prefix, root);
  Interpreter original = inspect_ok(real);
  EXPECT_EQ(original.version_source, fs::exists("/root/.pyenv/versions/3.12.1/include/python3.12/patchlevel.h")
                                         ? VersionSource::Header
                                         : VersionSource::DirectoryName);
  EXPECT_EQ(original.prefix, "/root/.pyenv/versions/3.12.1");
}

TEST(Inspect, DebiansPython3IsStaticWithItsSharedLibraryBeside) {
  const fs::path python3 = "/usr/bin/python3";
  std::error_code ec;
  if (fs::canonical(python3, ec) != "/usr/bin/python3.11") GTEST_SKIP() << "/usr/bin/python3 is not Debian 12's 3.11";
  Interpreter in = inspect_ok(python3);
  EXPECT_EQ(in.real, "/usr/bin/python3.11");
  EXPECT_EQ(in.name(), "3.11");
  EXPECT_EQ(in.link, Link::Static);
  EXPECT_EQ(in.prefix, "/usr");
  EXPECT_EQ(in.stdlib, "/usr/lib/python3.11");
  EXPECT_EQ(in.version.substr(0, 5), "3.11.");
  if (fs::exists("/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0")) {
    EXPECT_EQ(in.libpython, "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0");
  }
  EXPECT_FALSE(in.refused);
}

// A venv's python3.X linked to pycache-python, on PATH under `pycache run
// CMD`: pycache itself (its DT_SONAME mark), never taken for an interpreter.
// This test program is linked as pycache's programs are.
TEST(Inspect, APycacheProgramIsNoInterpreter) {
  TempDir t;
  fs::create_symlink(fs::read_symlink("/proc/self/exe"), t / "python3.11");
  auto in = inspect(t / "python3.11", Trust::current(), nullptr);
  ASSERT_FALSE(in);
  EXPECT_NE(in.error().message.find("a pycache program, not a CPython interpreter"), std::string::npos)
      << in.error().message;
}

}  // namespace
}  // namespace pycache::interpreters
