// What scripts/package makes (issue 24), installed the ways Python developers
// install their tools, each into a fresh temp place and offline: pip into a
// venv of pyenv's 3.10, 3.12 and 3.13, `uv tool install`, pipx, uvx, the
// standalone archive unpacked, the .deb unpacked. The same tests against each:
// a project on each pyenv Python, a policy with a prefix, `status --check`,
// `compile`, `clean`. Enabled by PYCACHE_TEST_ARTIFACTS=DIR (scripts/package's
// OUT_DIR) and PYCACHE_TEST_TOOLS=DIR (the tools venv's bin/, scripts/setup --tools).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <regex>

#include "process.hpp"
#include "project_probe.hpp"
#include "python_layouts.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

const char* const kPythons[] = {"3.10", "3.12", "3.13"};

fs::path env_dir(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? fs::path(v) : fs::path();
}

// The one file in DIR whose name starts with `prefix` and ends with `suffix`, or empty.
fs::path artifact(const std::string& prefix, const std::string& suffix) {
  const fs::path dir = env_dir("PYCACHE_TEST_ARTIFACTS");
  if (dir.empty() || !fs::is_directory(dir)) return {};
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().native();
    if (name.starts_with(prefix) && name.ends_with(suffix)) return e.path();
  }
  return {};
}
fs::path wheel() { return artifact("pycache-", ".whl"); }

// No network for what follows: a fresh network namespace (root), else only
// the tools' offline settings (offline_env).
std::vector<std::string> without_network() {
  static const bool can =
      ::geteuid() == 0 && access("/usr/bin/unshare", X_OK) == 0 &&
      run({{"/usr/bin/unshare", "-n", "/bin/true"}, std::nullopt, clean_env("/"), "/"}).exit_code == 0;
  if (!can) return {};
  return {"/usr/bin/unshare", "-n", "--"};
}

// Why the artifact tests cannot run here, or empty.
std::string skip_reason() {
  if (env_dir("PYCACHE_TEST_ARTIFACTS").empty()) return "set PYCACHE_TEST_ARTIFACTS=DIR (scripts/package's OUT_DIR)";
  if (std::getenv("PYCACHE_TEST_RUNTIME")) return "the artifacts are not a runtime's: tested once";
  if (env_dir("PYCACHE_TEST_TOOLS").empty()) return "set PYCACHE_TEST_TOOLS=DIR (the tools venv's bin/)";
  return {};
}

// An installed pycache of one kind, and a project whose policy puts pycs in ../pfx.
class Artifacts : public ::testing::TestWithParam<std::string> {
 protected:
  TempDir t;
  Env env;
  fs::path tools = env_dir("PYCACHE_TEST_TOOLS");
  fs::path proj = t / "proj";
  std::vector<std::string> pycache, pycache_python;  // command prefixes

  void SetUp() override {
    if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << why;
    offline_env();
    write_file(proj / "pyproject.toml", "[project]\nname = \"p\"\n\n[tool.pycache]\ncache-prefix = \"../pfx\"\n");
    write_file(proj / "mod.py", "X = 1\n");
    write_file(proj / "main.py", kProbe);
    install(GetParam());
  }
  // No network, and every tool's home, cache and data inside the temp dir.
  void offline_env() {
    env = isolated_env(t.path());
    const fs::path home = t / "home";
    env["XDG_CACHE_HOME"] = (home / ".cache").native();
    env["XDG_DATA_HOME"] = (home / ".local/share").native();
    env["XDG_CONFIG_HOME"] = (home / ".config").native();
    env["XDG_STATE_HOME"] = (home / ".local/state").native();
    env["UV_OFFLINE"] = "1";
    env["UV_PYTHON_DOWNLOADS"] = "never";
    env["UV_NO_CONFIG"] = "1";
    env["PIP_NO_INDEX"] = "1";
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1";
    env["PIP_NO_CACHE_DIR"] = "1";
  }
  Outcome step(const std::vector<std::string>& argv) { return run({argv, std::nullopt, env, t.path()}); }
  // An install step, offline.
  Outcome offline(const std::vector<std::string>& argv) {
    std::vector<std::string> all = without_network();
    all.insert(all.end(), argv.begin(), argv.end());
    return step(all);
  }
  void install(const std::string& kind) {
    const fs::path whl = wheel();
    if (kind == "archive") return install_archive();
    if (kind == "deb") return install_deb();
    if (whl.empty()) GTEST_SKIP() << "no pycache-*.whl in " << env_dir("PYCACHE_TEST_ARTIFACTS");
    if (kind.starts_with("pip-")) return install_pip(kind.substr(4), whl);
    if (kind == "uv-tool") return install_uv_tool(whl);
    if (kind == "pipx") return install_pipx(whl);
    ASSERT_EQ(kind, "uvx");
    pycache = pycache_python = without_network();
    for (auto* prefix : {&pycache, &pycache_python})
      prefix->insert(prefix->end(), {(tools / "uvx").native(), "--offline", "--from", whl.native()});
    pycache.emplace_back("pycache");
    pycache_python.emplace_back("pycache-python");
  }
  void set_root(const fs::path& bin) {
    pycache = {(bin / "pycache").native()};
    pycache_python = {(bin / "pycache-python").native()};
  }
  void install_pip(const std::string& minor, const fs::path& whl) {
    const fs::path home = pyenv_version(minor);
    if (home.empty())
      GTEST_SKIP() << "needs pyenv's " << minor << " (" << pyenv_root() / "versions"
                   << ")";
    const fs::path venv = t / "venv";
    auto made = step({(home / "bin" / ("python" + minor)).native(), "-m", "venv", venv.native()});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    auto o = offline({(venv / "bin/python").native(), "-m", "pip", "install", "--no-index", whl.native()});
    ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
    set_root(venv / "bin");
  }
  void install_uv_tool(const fs::path& whl) {
    env["UV_TOOL_DIR"] = (t / "uv-tools").native();
    env["UV_TOOL_BIN_DIR"] = (t / "uv-bin").native();
    auto o = offline({(tools / "uv").native(), "tool", "install", "--offline", whl.native()});
    ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
    set_root(t / "uv-bin");
  }
  void install_pipx(const fs::path& whl) {
    env["PIPX_HOME"] = (t / "pipx").native();
    env["PIPX_BIN_DIR"] = (t / "pipx-bin").native();
    env["PIPX_MAN_DIR"] = (t / "pipx-man").native();
    auto o = offline({(tools / "pipx").native(), "install", "--pip-args=--no-index", whl.native()});
    ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
    set_root(t / "pipx-bin");
  }
  void install_archive() {
    const fs::path tgz = artifact("pycache-", "-x86_64-linux.tar.gz");
    if (tgz.empty()) GTEST_SKIP() << "no pycache-*-x86_64-linux.tar.gz in " << env_dir("PYCACHE_TEST_ARTIFACTS");
    fs::create_directories(t / "unpacked");
    auto o = step({"/bin/tar", "xzf", tgz.native(), "-C", (t / "unpacked").native()});
    ASSERT_EQ(o.exit_code, 0) << o.err;
    const std::string top = tgz.filename().native().substr(0, tgz.filename().native().size() - 7);
    ASSERT_TRUE(fs::is_directory(t / "unpacked" / top)) << "the archive's top directory is " << top;
    // Anywhere: moved after unpacking, it still finds its modules.
    fs::rename(t / "unpacked" / top, t / "moved");
    set_root(t / "moved/bin");
  }
  void install_deb() {
    const fs::path deb = artifact("pycache_", ".deb");
    if (deb.empty()) GTEST_SKIP() << "no .deb in " << env_dir("PYCACHE_TEST_ARTIFACTS");
    if (access("/usr/bin/dpkg", X_OK) != 0) GTEST_SKIP() << "needs dpkg";
    auto o = step({"/usr/bin/dpkg", "-x", deb.native(), (t / "root").native()});
    ASSERT_EQ(o.exit_code, 0) << o.err;
    set_root(t / "root/usr/bin");
  }

  Outcome in_project(std::vector<std::string> prefix, const std::vector<std::string>& args) {
    prefix.insert(prefix.end(), args.begin(), args.end());
    return run({prefix, std::nullopt, env, proj});
  }
  std::string version_of(const fs::path& python) {
    auto o = step({python.native(), "-c", "import sys; print(repr(sys.version))"});
    EXPECT_EQ(o.exit_code, 0) << python << ": " << o.err;
    return o.out.substr(0, o.out.find('\n'));
  }
  void make_venv(const fs::path& python) {
    fs::remove_all(proj / ".venv");
    auto o =
        run({{python.native(), "-m", "venv", "--without-pip", (proj / ".venv").native()}, std::nullopt, env, proj});
    ASSERT_EQ(o.exit_code, 0) << python << " -m venv: " << o.err;
  }
  std::vector<fs::path> pycs() {
    return fs::exists(t / "pfx") ? find_files(t / "pfx", ".pyc") : std::vector<fs::path>{};
  }
};

// A project whose .venv pyenv's 3.X made runs on that Python, through the
// artifact's embedding module, and so does its child.
TEST_P(Artifacts, AVenvOfEachPyenvPythonRunsOnIt) {
  int ran = 0;
  for (const std::string minor : kPythons) {
    const fs::path home = pyenv_version(minor);
    if (home.empty()) continue;
    const fs::path python = home / "bin" / ("python" + minor);
    make_venv(python);
    fs::remove_all(t / "pfx");
    auto o = in_project(pycache, {"run", "main.py"});
    ASSERT_EQ(o.exit_code, 0) << minor << ": " << o.out << o.err;
    const Probe p = parse_probe(o.out);
    const std::string version = version_of(python);
    EXPECT_EQ(p.version, version) << minor;
    EXPECT_EQ(p.prefix, (proj / ".venv").native()) << minor;
    EXPECT_EQ(p.base_prefix, home.native()) << minor;
    EXPECT_EQ(p.child, version) << minor << ": the child on the same Python";
    EXPECT_EQ(find_files(t / "pfx", "mod." + tag_of(minor) + ".pyc").size(), 1u)
        << minor << ": mod's pyc in the prefix";
    EXPECT_TRUE(find_pycache_dirs(proj).empty()) << minor << ": nothing in the tree";
    // Through the artifact's own module, not python run by itself (the fallback).
    auto policy = in_project(pycache, {"policy"});
    EXPECT_NE(policy.out.find("run through its embedding module pycache-embed-" + minor + ".so"), std::string::npos)
        << minor << ": " << policy.out << policy.err;
    ++ran;
  }
  if (ran == 0)
    GTEST_SKIP() << "needs pyenv's 3.10, 3.12 or 3.13 (" << pyenv_root() / "versions"
                 << ")";
  auto py = in_project(pycache_python, {"-c", "print('installed')"});
  EXPECT_EQ(py.out, "installed\n") << py.err;
}

// A project with no venv, its Python named by .python-version: on that
// Python, outside every venv, whichever venv pycache was installed in (uvx
// runs it from inside its own: CPython's site would make that sys.prefix).
TEST_P(Artifacts, AProjectWithNoVenvRunsOutsideEveryVenv) {
  const fs::path home = pyenv_version("3.12");
  if (home.empty())
    GTEST_SKIP() << "needs pyenv's 3.12 (" << pyenv_root() / "versions"
                 << ")";
  write_file(proj / ".python-version", "3.12\n");
  env["PYENV_ROOT"] = pyenv_root().native();
  auto o = in_project(pycache, {"run", "main.py"});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  const Probe p = parse_probe(o.out);
  const std::string version = version_of(home / "bin/python3.12");
  EXPECT_EQ(p.version, version);
  EXPECT_EQ(p.prefix, home.native()) << "sys.prefix: no venv";
  EXPECT_EQ(p.base_prefix, home.native());
  EXPECT_EQ(p.child, version) << "the child on the same Python";
  EXPECT_EQ(find_files(t / "pfx", "mod.cpython-312.pyc").size(), 1u);
  EXPECT_TRUE(find_pycache_dirs(proj).empty());
}

// status --check passes on a clean tree and fails (exit 1, bytecode-in-tree)
// on a __pycache__ the prefix policy forbids; compile fills the prefix, clean
// empties it, the sources untouched.
TEST_P(Artifacts, StatusCheckCompileAndClean) {
  const fs::path home = pyenv_version("3.12");
  if (home.empty())
    GTEST_SKIP() << "needs pyenv's 3.12 (" << pyenv_root() / "versions"
                 << ")";
  make_venv(home / "bin/python3.12");
  write_file(proj / "pkg/__init__.py", "");
  write_file(proj / "pkg/a.py", "A = 2\n");
  const std::string before = read_file(proj / "mod.py") + read_file(proj / "pkg/a.py") + read_file(proj / "main.py");
  auto check = in_project(pycache, {"status", "--check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  auto compiled = in_project(pycache, {"compile"});
  ASSERT_EQ(compiled.exit_code, 0) << compiled.out << compiled.err;
  EXPECT_EQ(find_files(t / "pfx", "mod.cpython-312.pyc").size(), 1u) << compiled.out << compiled.err;
  EXPECT_EQ(find_files(t / "pfx", "a.cpython-312.pyc").size(), 1u) << compiled.out << compiled.err;
  EXPECT_TRUE(find_pycache_dirs(proj).empty());

  auto cleaned = in_project(pycache, {"clean"});
  ASSERT_EQ(cleaned.exit_code, 0) << cleaned.out << cleaned.err;
  EXPECT_TRUE(pycs().empty()) << cleaned.out << cleaned.err;
  EXPECT_EQ(read_file(proj / "mod.py") + read_file(proj / "pkg/a.py") + read_file(proj / "main.py"), before);

  // What a plain python run leaves in the tree: against the prefix policy.
  auto plain = run({{(proj / ".venv/bin/python").native(), "-c", "import mod"}, std::nullopt, env, proj});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_FALSE(find_pycache_dirs(proj).empty());
  auto failing = in_project(pycache, {"status", "--check"});
  EXPECT_EQ(failing.exit_code, 1) << failing.out << failing.err;
  EXPECT_NE(failing.out.find("bytecode-in-tree"), std::string::npos) << failing.out;
}

INSTANTIATE_TEST_SUITE_P(Kinds, Artifacts,
                         ::testing::Values("pip-3.10", "pip-3.12", "pip-3.13", "uv-tool", "pipx", "uvx", "archive",
                                           "deb"),
                         [](const auto& p) {
                           std::string name;
                           for (char c : p.param)
                             if (std::isalnum(static_cast<unsigned char>(c))) name += c;
                           return name;
                         });

// The wheel meets a manylinux policy (the tag in its name) and holds both
// programs (executable), the man pages, the completions and an embedding
// module for every minor version 3.8..3.13.
TEST(ArtifactsWheel, IsManylinuxAndHoldsTheProgramsAndEveryModule) {
  if (const std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << why;
  const fs::path whl = wheel();
  ASSERT_FALSE(whl.empty()) << "no pycache-*.whl in " << env_dir("PYCACHE_TEST_ARTIFACTS");
  const fs::path tools = env_dir("PYCACHE_TEST_TOOLS");
  TempDir t;
  Env env = isolated_env(t.path());
  auto show = run({{(tools / "auditwheel").native(), "show", whl.native()}, std::nullopt, env, t.path()});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("manylinux_"), std::string::npos) << show.out << show.err;
  // The tag it meets is the one the file name claims.
  std::smatch tag;
  ASSERT_TRUE(std::regex_search(show.out, tag, std::regex("platform tag: \"(manylinux_[^\"]*)\""))) << show.out;
  EXPECT_TRUE(whl.filename().native().ends_with("-py3-none-" + tag[1].str() + ".whl")) << whl << " vs " << tag[1];
  // name:mode of every member, one a line.
  auto list =
      run({{(tools / "python").native(), "-c",
            "import sys, zipfile\n"
            "for i in zipfile.ZipFile(sys.argv[1]).infolist(): print(f'{i.filename}:{i.external_attr >> 16:o}')",
            whl.native()},
           std::nullopt,
           env,
           t.path()});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  std::string version = whl.filename().native().substr(8);
  version = version.substr(0, version.find('-'));
  const std::string data = "pycache-" + version + ".data/";
  for (const char* program : {"pycache", "pycache-python"})
    EXPECT_NE(list.out.find(data + "scripts/" + program + ":100755\n"), std::string::npos)
        << program << " (executable)\n"
        << list.out;
  for (const char* doc :
       {"data/share/man/man1/pycache.1", "data/share/man/man1/pycache-python.1",
        "data/share/bash-completion/completions/pycache:", "data/share/zsh/vendor-completions/_pycache:",
        "data/share/fish/vendor_completions.d/pycache.fish:"})
    EXPECT_NE(list.out.find(data + doc), std::string::npos) << doc << "\n" << list.out;
  for (const char* minor : {"3.8", "3.9", "3.10", "3.11", "3.12", "3.13"})
    EXPECT_NE(list.out.find(data + "data/lib/pycache/pycache-embed-" + std::string(minor) + ".so:"), std::string::npos)
        << minor << "\n"
        << list.out;
}

}  // namespace
}  // namespace pycache::test
