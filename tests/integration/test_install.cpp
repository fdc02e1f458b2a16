// What ships: `cmake --install` of this build into a DESTDIR, the tree
// moved elsewhere; the Debian package (cpack), its metadata and its unpacked
// programs; the pre-commit hook of .pre-commit-hooks.yaml in a temp repo.
// And what an installed pycache runs: the venvs of pyenv's Pythons, a copy of
// one moved to uv's layout, a python:3.X-slim layout, from the install and
// from the unpacked package.
#include <gtest/gtest.h>
#include <unistd.h>

#include <regex>

#include "process.hpp"
#include "project_probe.hpp"
#include "python_layouts.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

const fs::path kBuild = PYCACHE_TEST_BINARY_DIR;
const fs::path kSource = PYCACHE_TEST_SOURCE_DIR;

// A program of the system, or empty.
std::string which(const char* program) {
  for (const char* dir : {"/usr/bin", "/bin", "/usr/sbin", "/usr/local/bin"})
    if (access((fs::path(dir) / program).c_str(), X_OK) == 0) return (fs::path(dir) / program).native();
  return {};
}
bool have(const char* program) { return !which(program).empty(); }

// The runtimes' programs in a bin/ directory.
std::vector<fs::path> runtimes_in(const fs::path& bin) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(bin))
    if (e.path().filename().native().starts_with("pycache-python3.") && !e.is_symlink()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// A project whose policy puts its pycs in a prefix: `pycache run -m pkg` must follow it.
void fixture(const fs::path& proj) {
  write_file(proj / "pyproject.toml", "[project]\nname = \"fx\"\n\n[tool.pycache]\ncache-prefix = \"../pfx\"\n");
  write_file(proj / "pkg/__init__.py", "");
  write_file(proj / "pkg/__main__.py", "import sys, pkg.mod\nprint('fixture', pkg.mod.X, sys.pycache_prefix)\n");
  write_file(proj / "pkg/mod.py", "X = 42\n");
}

void expect_runs(const fs::path& root, const fs::path& proj, Env env, const std::string& label) {
  env["PATH"] = (root / "bin").native() + ":" + env["PATH"];
  for (const auto& program : runtimes_in(root / "bin")) {
    auto o = run(
        {{program.native(), "-c", "import sys; print(sys.executable, len(sys.path) > 1)"}, std::nullopt, env, proj});
    EXPECT_EQ(o.exit_code, 0) << label << " " << program << ": " << o.err;
    EXPECT_EQ(o.out, program.native() + " True\n") << label;
  }
  auto py = run({{(root / "bin/pycache-python").native(), "-c", "print('installed')"}, std::nullopt, env, proj});
  EXPECT_EQ(py.out, "installed\n") << label << ": " << py.err;
  auto m = run({{(root / "bin/pycache").native(), "run", "-m", "pkg"}, std::nullopt, env, proj});
  EXPECT_EQ(m.exit_code, 0) << label << ": " << m.err;
  EXPECT_EQ(m.out, "fixture 42 " + (proj.parent_path() / "pfx").native() + "\n") << label;
  EXPECT_TRUE(find_pycache_dirs(proj).empty()) << label;
  auto v = run({{(root / "bin/pycache").native(), "--version"}, std::nullopt, env, proj});
  EXPECT_EQ(v.out.find("not installed here"), std::string::npos) << label << ": every runtime beside it\n" << v.out;
  // A Python of the machine this build has no runtime for: through the
  // installed pycache-embedded and module (lib/pycache), wherever the tree is.
  if (!fs::exists(pyenv_root() / "versions/3.12.1/bin/python3.12") || fs::exists(root / "bin/pycache-python3.12"))
    return;
  env["PYENV_ROOT"] = pyenv_root().native();
  auto e = run({{(root / "bin/pycache").native(), "run", "--python", "3.12", "-c",
                 "import sys; print(sys.version_info[:2], sys.executable)"},
                std::nullopt,
                env,
                proj});
  EXPECT_EQ(e.out, "(3, 12) " + (root / "bin/pycache-python").native() + "\n") << label << ": " << e.err;
}

TEST(Install, IntoADestdirAnyPrefixAndStillAfterTheTreeMoves) {
  if (std::getenv("PYCACHE_TEST_RUNTIME")) GTEST_SKIP() << "the install is the build's: tested once";
  TempDir t;
  Env env = isolated_env(t.path());
  Env with_destdir = env;
  with_destdir["DESTDIR"] = (t / "dest").native();
  auto o = run({{PYCACHE_TEST_CMAKE, "--install", kBuild.native(), "--prefix", "/opt/pc", "--strip"},
                std::nullopt,
                with_destdir,
                t.path()});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  const fs::path root = t / "dest/opt/pc";
  // Every program, the names of the default, the man page, the completions, the licence.
  EXPECT_EQ(runtimes_in(root / "bin").size(), runtimes_in(kBuild / "bin").size());
  EXPECT_TRUE(fs::is_symlink(root / "bin/pycache"));
  EXPECT_TRUE(fs::is_symlink(root / "bin/pycache-python"));
  for (const char* f :
       {"share/man/man1/pycache.1.gz", "share/man/man1/pycache-python.1.gz",
        "share/bash-completion/completions/pycache", "share/zsh/vendor-completions/_pycache",
        "share/fish/vendor_completions.d/pycache.fish", "share/doc/pycache/LICENSE", "share/doc/pycache/copyright"})
    EXPECT_TRUE(fs::exists(root / f)) << f;
  if (have("readelf")) {
    for (const auto& program : runtimes_in(root / "bin")) {
      auto sections = run({{"/usr/bin/readelf", "-S", program.native()}, std::nullopt, env, t.path()});
      EXPECT_EQ(sections.out.find(".debug_info"), std::string::npos) << program << " is not stripped";
    }
  }
  // bash can source the completion, and it completes.
  auto bash = run({{"/bin/bash", "-c",
                    "source " + (root / "share/bash-completion/completions/pycache").native() +
                        "; COMP_WORDS=(pycache cl); COMP_CWORD=1; _pycache; echo ${COMPREPLY[@]}; "
                        "COMP_WORDS=(pycache clean --dry); COMP_CWORD=2; _pycache; echo ${COMPREPLY[@]}"},
                   std::nullopt,
                   env,
                   t.path()});
  EXPECT_EQ(bash.out, "clean\n--dry-run\n") << bash.err;

  fixture(t / "work/proj");
  expect_runs(root, t / "work/proj", env, "installed");
  fs::rename(t / "dest", t / "moved");
  fs::remove_all(t / "work/pfx");
  expect_runs(t / "moved/opt/pc", t / "work/proj", env, "moved");
}

TEST(Package, TheDebHasItsMetadataAndItsUnpackedProgramsRun) {
  if (std::getenv("PYCACHE_TEST_RUNTIME")) GTEST_SKIP() << "the package is the build's: tested once";
  if (!fs::exists(kBuild / "CPackConfig.cmake"))
    GTEST_SKIP() << "no package: the default runtime's Python is no Debian package";
  if (!have("dpkg-deb") || !have("dpkg")) GTEST_SKIP() << "needs dpkg-deb";
  TempDir t;
  Env env = isolated_env(t.path());
  auto made = run({{PYCACHE_TEST_CPACK, "-G", "DEB", "-B", (t / "pkg").native(), "--config",
                    (kBuild / "CPackConfig.cmake").native()},
                   std::nullopt,
                   env,
                   kBuild});
  ASSERT_EQ(made.exit_code, 0) << made.out << made.err;
  std::vector<fs::path> debs;
  for (const auto& e : fs::directory_iterator(t / "pkg"))
    if (e.path().extension() == ".deb") debs.push_back(e.path());
  ASSERT_EQ(debs.size(), 1u) << made.out;
  const fs::path deb = debs[0];
  EXPECT_EQ(deb.filename().native().rfind("pycache_", 0), 0u);

  auto info = run({{"/usr/bin/dpkg-deb", "-I", deb.native()}, std::nullopt, env, t.path()});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  for (const char* field : {" Package: pycache\n", " Architecture: amd64\n", " Section: python\n"})
    EXPECT_NE(info.out.find(field), std::string::npos) << field << info.out;
  std::smatch depends;
  ASSERT_TRUE(std::regex_search(info.out, depends, std::regex(" Depends: ([^\n]*)\n"))) << info.out;
  for (const char* dep : {"python3.11 (>= ", "libpython3.11 (>= ", "libpython3.11-stdlib (>= ", "libc6 (>= "})
    EXPECT_NE(depends[1].str().find(dep), std::string::npos) << dep << " in " << depends[1];

  auto files = run({{"/usr/bin/dpkg-deb", "-c", deb.native()}, std::nullopt, env, t.path()});
  for (const char* f : {"./usr/bin/pycache -> pycache-embedded", "./usr/bin/pycache-python -> pycache-embedded",
                        "./usr/share/man/man1/pycache.1.gz", "./usr/share/doc/pycache/copyright",
                        "./usr/share/doc/pycache/changelog.gz", "./usr/share/bash-completion/completions/pycache"})
    EXPECT_NE(files.out.find(f), std::string::npos) << f << "\n" << files.out;
  // No static core: Debian's own Python runs on Debian's shared libpython3.11.
  EXPECT_EQ(files.out.find("./usr/bin/pycache-python3."), std::string::npos) << "no static runtime\n" << files.out;
  // pycache-embedded and every embedding module of the build, in the private
  // /usr/lib/pycache: no ldconfig in maintainer scripts (no scripts at all).
  EXPECT_NE(files.out.find("./usr/bin/pycache-embedded\n"), std::string::npos) << files.out;
  EXPECT_NE(files.out.find("./usr/share/man/man1/pycache-embedded.1.gz -> pycache.1.gz"), std::string::npos)
      << files.out;
  for (const auto& e : fs::directory_iterator(PYCACHE_TEST_EMBED_MODULES_DIR))
    EXPECT_NE(files.out.find("./usr/lib/pycache/" + e.path().filename().native() + "\n"), std::string::npos)
        << e.path().filename() << "\n"
        << files.out;
  for (const char* script : {" postinst", " postrm", " triggers"})
    EXPECT_EQ(info.out.find(script), std::string::npos) << script << "\n" << info.out;

  auto x = run({{"/usr/bin/dpkg", "-x", deb.native(), (t / "root").native()}, std::nullopt, env, t.path()});
  ASSERT_EQ(x.exit_code, 0) << x.err;
  auto py = run({{(t / "root/usr/bin/pycache-python").native(), "-c",
                  "import sys; print(sys.version_info[:2], [l.split()[-1] for l in open('/proc/self/maps') "
                  "if '/libpython3' in l][0])"},
                 std::nullopt,
                 env,
                 t.path()});
  EXPECT_EQ(py.out, "(3, 11) /usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0\n") << py.err;
  auto v = run({{(t / "root/usr/bin/pycache").native(), "--version"}, std::nullopt, env, t.path()});
  EXPECT_EQ(v.out.rfind("pycache ", 0), 0u) << v.err;

  if (::geteuid() == 0 && have("apt-get")) {  // the Depends resolve on this Debian
    auto apt = run({{"/usr/bin/apt-get", "install", "-s", "-q", deb.native()}, std::nullopt, env, t.path()});
    EXPECT_EQ(apt.exit_code, 0) << apt.out << apt.err;
  }
  if (have("lintian")) {
    auto lint = run({{"/usr/bin/lintian", "--fail-on", "error,warning", deb.native()}, std::nullopt, env, t.path()});
    EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err;
  }
}

// An installed pycache (`cmake --install` of this build into a temp prefix)
// and a project whose policy puts pycs in ../pfx.
class Installed : public ::testing::Test {
 protected:
  TempDir t;
  Env env = isolated_env(t.path());  // HOME in the temp dir: no pyenv or uv of the machine's
  fs::path root = t / "inst";
  fs::path proj = t / "proj";

  void SetUp() override {
    if (std::getenv("PYCACHE_TEST_RUNTIME")) GTEST_SKIP() << "the install is the build's: tested once";
    write_file(proj / "pyproject.toml", "[project]\nname = \"p\"\n\n[tool.pycache]\ncache-prefix = \"../pfx\"\n");
    write_file(proj / "mod.py", "X = 1\n");
    write_file(proj / "main.py", kProbe);
  }
  void install() {
    auto o = run(
        {{PYCACHE_TEST_CMAKE, "--install", kBuild.native(), "--prefix", root.native()}, std::nullopt, env, t.path()});
    ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  }
  Outcome in_project(std::vector<std::string> argv, const Env& with) {
    return run({std::move(argv), std::nullopt, with, proj});
  }
  // sys.version of `python` run by itself.
  std::string version_of(const fs::path& python, const Env& with) {
    auto o = run({{python.native(), "-c", "import sys; print(repr(sys.version))"}, std::nullopt, with, t.path()});
    EXPECT_EQ(o.exit_code, 0) << python << ": " << o.err;
    return o.out.substr(0, o.out.find('\n'));
  }
  void make_venv(const fs::path& python, const Env& with) {
    auto o =
        run({{python.native(), "-m", "venv", "--without-pip", (proj / ".venv").native()}, std::nullopt, with, proj});
    ASSERT_EQ(o.exit_code, 0) << python << " -m venv: " << o.err;
  }
  // `program run main.py` ran on the Python installed at `home` (whose
  // libpython is `libpython`, or none: "-"), its pycs (tag `tag`) in the prefix.
  void expect_ran_on(const Outcome& o, const std::string& version, const fs::path& home, const std::string& libpython,
                     const std::string& tag, const std::string& label) {
    ASSERT_EQ(o.exit_code, 0) << label << ": " << o.out << o.err;
    const Probe p = parse_probe(o.out);
    EXPECT_EQ(p.version, version) << label;
    EXPECT_EQ(p.base_prefix, home.native()) << label;
    EXPECT_EQ(p.libpython, libpython) << label;
    EXPECT_EQ(p.child, version) << label << ": the child on the same Python";
    EXPECT_EQ(find_files(t / "pfx", "mod." + tag + ".pyc").size(), 1u) << label << ": mod's pyc in the prefix";
    EXPECT_TRUE(find_pycache_dirs(proj).empty()) << label << ": nothing in the tree";
  }
};

// A project whose .venv pyenv's 3.X made: on that Python, from the install.
class InstalledPyenv : public Installed, public ::testing::WithParamInterface<std::string> {};

TEST_P(InstalledPyenv, AVenvOfPyenvsPythonRunsOnItAndSoDoItsChildren) {
  const std::string minor = GetParam();
  const fs::path home = pyenv_version(minor);
  if (home.empty())
    GTEST_SKIP() << "needs pyenv's " << minor << " (" << pyenv_root() / "versions"
                 << ")";
  install();
  const fs::path python = home / "bin" / ("python" + minor);
  make_venv(python, env);
  auto o = in_project({(root / "bin/pycache").native(), "run", "main.py"}, env);
  expect_ran_on(o, version_of(python, env), home, (home / "lib" / ("libpython" + minor + ".so.1.0")).native(),
                tag_of(minor), "pyenv " + minor);
  EXPECT_EQ(parse_probe(o.out).prefix, (proj / ".venv").native());
}

INSTANTIATE_TEST_SUITE_P(Pythons, InstalledPyenv, ::testing::Values("3.10", "3.12", "3.13"),
                         [](const auto& p) { return "Python3" + p.param.substr(2); });

// pycache installed into a venv of its own (as pip, pipx and uv tool do)
// is a tool, not that venv's Python: `pycache run` runs a project on the
// project's Python. Its pycache-python is the venv's Python, as its python is.
TEST_F(Installed, InstalledInAVenvItRunsProjectsOnTheirOwnPython) {
  const fs::path tool_home = pyenv_version("3.10");
  const fs::path home = pyenv_version("3.12");
  if (tool_home.empty() || home.empty())
    GTEST_SKIP() << "needs pyenv's 3.10 and 3.12 (" << pyenv_root() / "versions"
                 << ")";
  const fs::path tool_python = tool_home / "bin/python3.10";
  auto venv = run({{tool_python.native(), "-m", "venv", "--without-pip", root.native()}, std::nullopt, env, t.path()});
  ASSERT_EQ(venv.exit_code, 0) << venv.err;
  install();
  const fs::path python = home / "bin/python3.12";
  make_venv(python, env);
  auto o = in_project({(root / "bin/pycache").native(), "run", "main.py"}, env);
  expect_ran_on(o, version_of(python, env), home, (home / "lib/libpython3.12.so.1.0").native(), "cpython-312",
                "the project's venv");
  fs::remove_all(proj / ".venv");
  write_file(proj / ".python-version", "3.12\n");
  Env with_pyenv = env;
  with_pyenv["PYENV_ROOT"] = pyenv_root().native();
  o = in_project({(root / "bin/pycache").native(), "run", "main.py"}, with_pyenv);
  expect_ran_on(o, version_of(python, env), home, (home / "lib/libpython3.12.so.1.0").native(), "cpython-312",
                ".python-version");
  // No venv for the project: not the one pycache lies in either (CPython's
  // site makes sys.prefix the venv sys.executable lies in, as uvx runs it).
  EXPECT_EQ(parse_probe(o.out).prefix, home.native()) << ".python-version: sys.prefix";
  auto exe =
      in_project({(root / "bin/pycache").native(), "run", "-c", "import sys; print(sys.executable)"}, with_pyenv);
  EXPECT_EQ(exe.out.rfind(root.native() + "/", 0), std::string::npos) << exe.out << exe.err;
  auto own = run({{(root / "bin/pycache-python").native(), "-c", "import sys; print(repr(sys.version))"},
                  std::nullopt,
                  env,
                  t.path()});
  EXPECT_EQ(own.out.substr(0, own.out.find('\n')), version_of(tool_python, env)) << own.err;
}

// pyenv's 3.12 copied (cp -a) to where uv installs its Pythons, after the
// install. pyenv's binary has an absolute RUNPATH (its own lib/): a plain copy
// still loads the original's libpython. uv's Pythons (python-build-standalone)
// say $ORIGIN/../lib: so does the copy.
TEST_F(Installed, AUvStyleCopyIsFoundByVersionAndByAVenvItMade) {
  const fs::path home = pyenv_version("3.12");
  if (home.empty())
    GTEST_SKIP() << "needs pyenv's 3.12 (" << pyenv_root() / "versions"
                 << ")";
  install();
  const fs::path uv = t / "uv";
  const fs::path copy = uv / ("cpython-" + home.filename().native() + "-linux-x86_64-gnu");
  fs::create_directories(uv);
  ASSERT_EQ(run({{"/bin/cp", "-a", home.native(), copy.native()}, std::nullopt, env, t.path()}).exit_code, 0);
  ASSERT_TRUE(edit_runpath(copy / "bin/python3.12", "$ORIGIN/../lib"));
  // pyenv hidden: HOME is the test's, no PYENV_ROOT, the system's PATH.
  env["UV_PYTHON_INSTALL_DIR"] = uv.native();
  const std::string version = version_of(copy / "bin/python3.12", env);
  const std::string lib = (copy / "lib/libpython3.12.so.1.0").native();
  expect_ran_on(in_project({(root / "bin/pycache").native(), "run", "--python", "3.12", "main.py"}, env), version, copy,
                lib, "cpython-312", "--python 3.12");
  auto list = in_project({(root / "bin/pycache").native(), "python", "list"}, env);
  EXPECT_NE(list.out.find((copy / "bin/python3.12").native()), std::string::npos) << list.out << list.err;
  fs::remove_all(t / "pfx");
  make_venv(copy / "bin/python3.12", env);
  auto o = in_project({(root / "bin/pycache").native(), "run", "main.py"}, env);
  expect_ran_on(o, version, copy, lib, "cpython-312", "its venv");
  EXPECT_EQ(parse_probe(o.out).prefix, (proj / ".venv").native());
}

// The official python:3.X-slim image's CPython: /usr/local/bin/python3.12,
// /usr/local/lib/libpython3.12.so.1.0 (found through ld.so.cache: no
// RUNPATH), /usr/local/lib/python3.12/. Here pyenv's 3.12 copied into that
// shape under a scratch prefix (copy_as_python_slim).
TEST_F(Installed, APythonSlimLayoutRunsByItsPathAndFromPATH) {
  const fs::path home = pyenv_version("3.12");
  if (home.empty())
    GTEST_SKIP() << "needs pyenv's 3.12 (" << pyenv_root() / "versions"
                 << ")";
  install();
  const fs::path local = t / "image/usr/local";
  ASSERT_TRUE(copy_as_python_slim(home, "3.12", local));
  Env ldconfig = env;  // what the image's ld.so.cache does for the binary itself
  ldconfig["LD_LIBRARY_PATH"] = (local / "lib").native();
  const std::string version = version_of(local / "bin/python3.12", ldconfig);
  const std::string lib = (local / "lib/libpython3.12.so.1.0").native();
  const fs::path pycache = root / "bin/pycache";
  expect_ran_on(in_project({pycache.native(), "run", "--python", (local / "bin/python3.12").native(), "main.py"}, env),
                version, local, lib, "cpython-312", "--python PATH");
  fs::remove_all(t / "pfx");
  env["PATH"] = (local / "bin").native() + ":/usr/bin:/bin";  // the image's PATH
  expect_ran_on(in_project({pycache.native(), "run", "--python", "3.12", "main.py"}, env), version, local, lib,
                "cpython-312", "--python 3.12 from PATH");
  fs::remove_all(t / "pfx");
  write_file(proj / ".python-version", "3.12\n");
  expect_ran_on(in_project({pycache.native(), "run", "main.py"}, env), version, local, lib, "cpython-312",
                ".python-version from PATH");
}

// The Debian package (cpack -G DEB), unpacked (dpkg-deb -x): what it runs.
class UnpackedDeb : public Installed {
 protected:
  fs::path pycache = t / "root/usr/bin/pycache";
  void SetUp() override {
    Installed::SetUp();
    if (IsSkipped()) return;
    if (!fs::exists(kBuild / "CPackConfig.cmake"))
      GTEST_SKIP() << "no package: the default runtime's Python is no Debian package";
    if (!have("dpkg-deb")) GTEST_SKIP() << "needs dpkg-deb";
    auto made = run({{PYCACHE_TEST_CPACK, "-G", "DEB", "-B", (t / "pkg").native(), "--config",
                      (kBuild / "CPackConfig.cmake").native()},
                     std::nullopt,
                     env,
                     kBuild});
    ASSERT_EQ(made.exit_code, 0) << made.out << made.err;
    for (const auto& e : fs::directory_iterator(t / "pkg"))
      if (e.path().extension() == ".deb") {
        auto x =
            run({{"/usr/bin/dpkg-deb", "-x", e.path().native(), (t / "root").native()}, std::nullopt, env, t.path()});
        ASSERT_EQ(x.exit_code, 0) << x.err;
      }
    ASSERT_TRUE(fs::exists(pycache)) << "no .deb made";
  }
};

TEST_F(UnpackedDeb, RunsAVenvOfDebiansPython311) {
  const fs::path python = "/usr/bin/python3.11";
  if (!fs::exists(python)) GTEST_SKIP() << "needs Debian's python3.11";
  make_venv(python, env);
  auto o = in_project({pycache.native(), "run", "main.py"}, env);
  // No static runtime in the package: Debian's shared libpython3.11, which its updates replace.
  expect_ran_on(o, version_of(python, env), "/usr", "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", "cpython-311",
                "Debian's 3.11, on its shared libpython");
  EXPECT_EQ(parse_probe(o.out).prefix, (proj / ".venv").native());
}

TEST_F(UnpackedDeb, RunsAVenvOfPyenvs312ThroughItsEmbeddingModule) {
  const fs::path home = pyenv_version("3.12");
  if (home.empty())
    GTEST_SKIP() << "needs pyenv's 3.12 (" << pyenv_root() / "versions"
                 << ")";
  const fs::path python = home / "bin/python3.12";
  make_venv(python, env);
  auto o = in_project({pycache.native(), "run", "main.py"}, env);
  expect_ran_on(o, version_of(python, env), home, (home / "lib/libpython3.12.so.1.0").native(), "cpython-312",
                "pyenv 3.12");
  EXPECT_EQ(parse_probe(o.out).prefix, (proj / ".venv").native());
}

// The hook's entry, from .pre-commit-hooks.yaml, run by pre-commit itself
// as `repo: local` (language: system), offline.
TEST(PreCommit, TheHookFailsOnTrackedBytecodeAndPassesOnIgnoredCaches) {
  if (!have("pre-commit") || !have("git")) GTEST_SKIP() << "needs pre-commit and git (Debian packages)";
  TempDir t;
  Env env = isolated_env(t.path());
  env["PATH"] = pycache_bin().parent_path().native() + ":" + env["PATH"];
  const fs::path repo = t / "repo";
  const std::string hooks = read_file(kSource / ".pre-commit-hooks.yaml");
  std::smatch entry;
  ASSERT_TRUE(std::regex_search(hooks, entry, std::regex("\n  entry: ([^\n]*)\n")));
  write_file(repo / ".pre-commit-config.yaml",
             "repos:\n- repo: local\n  hooks:\n  - id: pycache-status\n    name: pycache status --check\n"
             "    entry: " +
                 entry[1].str() +
                 "\n    language: system\n    pass_filenames: false\n"
                 "    always_run: true\n");
  write_file(repo / "pyproject.toml", "[tool.pycache]\nwrite-bytecode = false\n");
  write_file(repo / ".gitignore", "__pycache__/\n");
  write_file(repo / "a.py", "import m\n");
  write_file(repo / "m.py", "X = 1\n");
  auto git = [&](std::vector<std::string> args) {
    args.insert(args.begin(),
                {which("git"), "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"});
    auto o = run({args, std::nullopt, env, repo});
    EXPECT_EQ(o.exit_code, 0) << args[7] << ": " << o.err;
    return o;
  };
  git({"init", "-q"});
  git({"add", "."});
  git({"commit", "-qm", "start"});
  auto hook = [&] { return run({{which("pre-commit"), "run", "--all-files"}, std::nullopt, env, repo}); };
  EXPECT_EQ(hook().exit_code, 0) << "a clean tree";
  // A plain python run leaves an ignored, untracked __pycache__: no reason to block a commit.
  auto py = run({{reference_python().native(), "a.py"}, std::nullopt, env, repo});
  ASSERT_EQ(py.exit_code, 0) << py.err;
  ASSERT_FALSE(find_pycache_dirs(repo).empty());
  auto ignored = hook();
  EXPECT_EQ(ignored.exit_code, 0) << ignored.out << ignored.err;
  // Bytecode staged for the commit: blocked, saying why.
  git({"add", "-f", "__pycache__"});
  auto staged = hook();
  EXPECT_EQ(staged.exit_code, 1) << staged.out;
  EXPECT_NE(staged.out.find("tracked by git"), std::string::npos) << staged.out;
}

}  // namespace
}  // namespace pycache::test
