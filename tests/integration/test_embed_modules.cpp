// The embedding modules end to end, without `run`: embed_probe (a program
// linking no libpython) describes an interpreter without starting it, loads
// its libpython and its minor version's module (build/lib/pycache), and runs
// python through it. What it prints and how it exits must be what the
// interpreter itself prints and exits with, for every version present.
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

#include "process.hpp"
#include "pycache/interpreters.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

// pyenv's newest 3.X.* with bin/python3.X, or Debian's /usr/bin/python3.11.
fs::path interpreter_for(const std::string& which) {
  if (which == "debian-3.11") return fs::exists("/usr/bin/python3.11") ? fs::path("/usr/bin/python3.11") : fs::path();
  const char* root = std::getenv("PYENV_ROOT");
  const char* home = std::getenv("HOME");
  const fs::path versions = root && *root   ? fs::path(root) / "versions"
                            : home && *home ? fs::path(home) / ".pyenv/versions"
                                            : fs::path();
  std::error_code ec;
  fs::path found;
  if (versions.empty() || !fs::is_directory(versions, ec)) return found;
  for (const auto& e : fs::directory_iterator(versions, ec)) {
    const std::string name = e.path().filename().native();
    const fs::path python = e.path() / "bin" / ("python" + which);
    if (name.rfind(which + ".", 0) == 0 && fs::exists(python, ec) && (found.empty() || python > found)) found = python;
  }
  return found;
}

class EmbedModule : public ::testing::TestWithParam<std::string> {
 protected:
  TempDir t;
  Env env = clean_env(t / "home");
  fs::path python;

  void SetUp() override {
    if (std::getenv("PYCACHE_TEST_RUNTIME")) GTEST_SKIP() << "runtime independent: run with the default runtime";
    python = interpreter_for(GetParam());
    if (python.empty()) GTEST_SKIP() << "no interpreter for " << GetParam() << " on this machine";
    const std::string name = GetParam().substr(GetParam().find('3'));
    const fs::path module = fs::path(PYCACHE_TEST_EMBED_MODULES_DIR) / ("pycache-embed-" + name + ".so");
    if (!fs::exists(module)) GTEST_SKIP() << "this build has no " << module << " (PYCACHE_EMBED_PYTHONS)";
    fs::create_directories(t / "home");
  }
  Outcome probe(std::vector<std::string> args) {
    args.insert(args.begin(), {PYCACHE_TEST_EMBED_PROBE, python.native()});
    return run({args, std::nullopt, env, t.path()});
  }
  Outcome direct(std::vector<std::string> args) {
    args.insert(args.begin(), python.native());
    return run({args, std::nullopt, env, t.path()});
  }
};

TEST_P(EmbedModule, RunsPythonAsTheInterpreterItselfDoes) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"-c", "import sys,json,ssl; print(sys.version, sys.prefix, sys.flags.optimize)"},
        std::vector<std::string>{"-O", "-c", "import sys; print(sys.executable, sys.base_prefix, sys.path, sys.flags)"},
        std::vector<std::string>{"-c", "import sys; print(sys.argv, getattr(sys, 'orig_argv', None))", "a", "-B"},
        std::vector<std::string>{"-X", "utf8", "-E", "-c", "import sys; print(sys.flags)"},
        std::vector<std::string>{"-c", "raise SystemExit(7)"}}) {
    const Outcome via = probe(args), own = direct(args);
    std::string what;
    for (const auto& a : args) what += a + " ";
    EXPECT_EQ(via.exit_code, own.exit_code) << what << "\n" << via.err;
    EXPECT_EQ(via.out, own.out) << what;
    EXPECT_EQ(via.err, own.err) << what;
  }
  EXPECT_EQ(probe({"-c", "raise SystemExit(7)"}).exit_code, 7);
}

TEST_P(EmbedModule, TheVersionRunningIsTheInterpretersOwn) {
  auto in = interpreters::inspect(python, Trust::current(), nullptr);
  ASSERT_TRUE(in) << in.error().message;
  const Outcome o = probe({"-c", "import sys; print(sys.version.split()[0])"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, in->version + "\n");  // Debian's 3.11.2 through its libpython, not pyenv's 3.11.7
}

// The read-through hook, handed to the module by the loader (frozen for its
// version): a valid in-tree pyc is used, not compiled again into the prefix.
TEST_P(EmbedModule, TheReadThroughHookServesInTreePycs) {
  const fs::path app = t / "app";
  write_file(app / "pkg/__init__.py", "");
  write_file(app / "pkg/mod.py", "VALUE = 'fresh'\n");
  auto c = run({{python.native(), "-m", "compileall", "-q", app.native()}, std::nullopt, env, app});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const std::string mm = GetParam().substr(GetParam().find('3'));
  const std::string tag = "cpython-3" + mm.substr(2);
  const fs::path in_tree = app / "pkg/__pycache__" / ("mod." + tag + ".pyc");
  ASSERT_TRUE(fs::exists(in_tree)) << in_tree;
  for (const bool hook : {true, false}) {
    const fs::path pfx = t / (hook ? "pfx-hook" : "pfx-none");
    std::vector<std::string> args = {PYCACHE_TEST_EMBED_PROBE,
                                     python.native(),
                                     "-X",
                                     "pycache_prefix=" + pfx.native(),
                                     "-v",
                                     "-c",
                                     "import pkg.mod; print(pkg.mod.VALUE)"};
    if (hook) args.insert(args.begin() + 1, "--read-through");
    const Outcome o = run({args, std::nullopt, env, app});
    ASSERT_EQ(o.exit_code, 0) << o.err;
    EXPECT_EQ(o.out, "fresh\n");
    const fs::path mirror = pfx / fs::path(app.native().substr(1)) / "pkg" / ("mod." + tag + ".pyc");
    EXPECT_EQ(o.err.find(in_tree.native() + " matches") != std::string::npos, hook) << o.err;
    EXPECT_EQ(fs::exists(mirror), !hook) << mirror;
  }
}

// The tool interpreter (compile, show) through the module: magic number,
// source hash, compiled code, a syntax error and a disassembly, each what the
// interpreter itself computes.
TEST_P(EmbedModule, TheToolInterpreterComputesWhatTheInterpreterDoes) {
  const fs::path src = t / "src.py", pyc = t / "src.pyc", ref = t / "ref.py";
  write_file(src, "x = 1\ndef f(a):\n    return a + x\n");
  write_file(ref,
             "import sys, marshal, dis, io, importlib.util as u\n"
             "src_path, pyc_path, code_hex = sys.argv[1:4]\n"
             "src = open(src_path, 'rb').read()\n"
             "print('magic', int.from_bytes(u.MAGIC_NUMBER[:2], 'little'))\n"
             "print('hash', u.source_hash(src).hex())\n"
             "print('code', marshal.loads(bytes.fromhex(code_hex)) == compile(src, src_path, 'exec', "
             "dont_inherit=True))\n"
             "try:\n    compile(b'def (:\\n', 'bad.py', 'exec', dont_inherit=True)\n"
             "except SyntaxError as e:\n    print('error', type(e).__name__, e.lineno, e.offset, e.msg)\n"
             "buf = io.StringIO()\n"
             "dis.dis(marshal.loads(open(pyc_path, 'rb').read()[16:]), file=buf)\n"
             "print(buf.getvalue(), end='')\n");
  const std::string compile = "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2])";
  ASSERT_EQ(direct({"-c", compile, src.native(), pyc.native()}).exit_code, 0);
  const Outcome via = run(
      {{PYCACHE_TEST_EMBED_PROBE, "--tool", python.native(), src.native(), pyc.native()}, std::nullopt, env, t.path()});
  ASSERT_EQ(via.exit_code, 0) << via.err;
  std::smatch code;
  ASSERT_TRUE(std::regex_search(via.out, code, std::regex("\ncode ([0-9a-f]+)\n"))) << via.out;
  const Outcome own = direct({ref.native(), src.native(), pyc.native(), code[1].str()});
  ASSERT_EQ(own.exit_code, 0) << own.err;
  const std::regex address("0x[0-9a-f]+");
  const std::string got = std::regex_replace(via.out, std::regex("\ncode [0-9a-f]+\n"), "\ncode True\n");
  EXPECT_EQ(std::regex_replace(got, address, "0x"), std::regex_replace(own.out, address, "0x"));
}

INSTANTIATE_TEST_SUITE_P(Versions, EmbedModule,
                         ::testing::Values("3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "debian-3.11"),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (char& c : n)
                             if (c == '.' || c == '-') c = '_';
                           return n;
                         });

}  // namespace
}  // namespace pycache::test
