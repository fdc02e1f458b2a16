// #3 fidelity: the same command lines through the embedded interpreter's own
// python and through pycache-python give identical stdout, stderr (modulo the
// executable's name) and exit status. No policy applies here (no policy file,
// no PYTHON* variables), so nothing is meant to differ.
#include <gtest/gtest.h>
#include <signal.h>

#include <unistd.h>
#include <cctype>

#include "process.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

struct Case {
  std::vector<std::string> args;
  std::string input;
  Env extra_env;
  bool mask_digits = false;  // output holds timings
};

std::string without_digits(std::string s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 2, "0x") == 0) {  // an address: all of it
      i += 2;
      while (i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i]))) ++i;
      --i;
      continue;
    }
    char ch = s[i];
    if ((ch < '0' || ch > '9') && ch != ' ') out += ch;  // and the padding that varies with them
  }
  return out;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
  return s;
}

const std::string kFlags =
    "import sys; f = sys.flags; print([getattr(f, n) for n in ('debug','inspect','interactive','optimize',"
    "'dont_write_bytecode','no_user_site','no_site','ignore_environment','verbose','bytes_warning','quiet',"
    "'hash_randomization','isolated','dev_mode','utf8_mode')])";
// Every flag, the -X options, the warnings, the paths: what the options above may change.
const std::string kEverything =
    "import sys; print(tuple(sys.flags), sorted(sys._xoptions.items()), sys.warnoptions, sys.argv, "
    "sys.get_int_max_str_digits() if hasattr(sys, 'get_int_max_str_digits') else None, sys.prefix, "
    "sys.exec_prefix, sys.path[1:])";
const std::string kArgv =
    "import sys, os; print([os.fsencode(a) for a in sys.argv], [os.fsencode(a) for a in sys.orig_argv[1:]])";

std::vector<Case> cases() {
  std::vector<Case> c = {
      {{"-c", "pass"}},
      {{"-c", "print('hello')"}},
      {{"-c", kArgv, "a", "b c", "-O", "--", "-"}},
      {{"-c", kArgv, "caf\xc3\xa9", "\xff\xfe", ""}},
      {{"-c", kFlags}},
      {{"-B", "-c", kFlags}},
      {{"-O", "-c", kFlags}},
      {{"-OO", "-c", kFlags}},
      {{"-E", "-c", kFlags}},
      {{"-I", "-c", kFlags}},
      {{"-s", "-c", kFlags}},
      {{"-S", "-c", kFlags}},
      {{"-q", "-c", kFlags}},
      {{"-b", "-c", kFlags}},
      {{"-bb", "-c", "print(b'x' == 'x')"}},
      {{"-d", "-c", kFlags}},
      {{"-R", "-c", kFlags}},
      {{"-X", "dev", "-c", kFlags}},
      {{"-X", "utf8", "-c", kFlags}},
      {{"-X", "utf8=0", "-c", "import sys; print(sys.flags.utf8_mode)"}},
      {{"-X", "faulthandler", "-c", "import faulthandler; print(faulthandler.is_enabled())"}},
      {{"-X", "int_max_str_digits=640", "-c", "import sys; print(sys.get_int_max_str_digits())"}},
      {{"-X", "frozen_modules=off", "-c", "import sys; print(sys._xoptions)"}},
      {{"-X", "custom=1", "-X", "other", "-c", "import sys; print(sys._xoptions)"}},
      // Lost by a PyConfig embedding's second read (3.10+), kept by pycache.
      {{"-X", "warn_default_encoding", "-c", kEverything}},
      {{"-X", "warn_default_encoding", "-c", "open(__import__('os').devnull).close()"}},
      {{"-X", "warn_default_encoding", "-E", "-c", kEverything, "a", "-b"}},
      {{"-I", "-X", "warn_default_encoding=0", "-c", kEverything}},
      {{"-X", "warn_default_encoding", "-"}, "import sys; print(sys.argv, sys.flags.warn_default_encoding)\n"},
      {{"-X", "warn_default_encoding", "-m", "mod", "x"}},
      {{"-X", "warn_default_encoding", "script.py", "y"}},
      {{"-c", kEverything}, "", {{"PYTHONWARNDEFAULTENCODING", "1"}}},
      {{"-X", "dev", "-X", "tracemalloc=5", "-X", "no_debug_ranges", "-c", kEverything}},
      {{"-c", kEverything}, "", {{"PYTHONDEVMODE", "1"}, {"PYTHONTRACEMALLOC", "3"}, {"PYTHONINTMAXSTRDIGITS", "700"}}},
      {{"-c", kEverything}, "", {{"PYTHONSAFEPATH", "1"}, {"PYTHONNOUSERSITE", "1"}, {"PYTHONVERBOSE", "0"}}},
      {{"-c", kEverything}, "", {{"PYTHONUTF8", "1"}, {"PYTHONHASHSEED", "123"}, {"PYTHONWARNINGS", "ignore"}}},
      {{"-c", "import sys; print(sys.prefix)"}, "", {{"PYTHONHOME", "/nonexistent"}}, true},
      {{"-X", "importtime", "-c", "pass"}, "", {}, true},
      {{"-W", "error", "-c", "import warnings; warnings.warn('boom')"}},
      {{"-W", "ignore", "-c", "import warnings; warnings.warn('quiet'); print('ok')"}},
      {{"-Wdefault", "-c", "import warnings; warnings.warn('shown')"}},
      {{"-c", "import warnings; warnings.warn('plain')"}},
      {{"-u", "-c", "import sys; print(sys.stdout.line_buffering, sys.stdout.write_through)"}},
      {{"-P", "-c", "import sys; print(sys.flags.safe_path, sys.path[0] != '')"}},
      {{"-c", "import sys; print(sys.path[0] == '')"}},
      {{"-c", "import sys; sys.exit(0)"}},
      {{"-c", "import sys; sys.exit(1)"}},
      {{"-c", "import sys; sys.exit(42)"}},
      {{"-c", "import sys; sys.exit(256 + 3)"}},
      {{"-c", "import sys; sys.exit(-1)"}},
      {{"-c", "import sys; sys.exit('a message')"}},
      {{"-c", "import sys; sys.exit(None)"}},
      {{"-c", "raise SystemExit(5)"}},
      {{"-c", "raise RuntimeError('uncaught')"}},
      {{"-c", "raise KeyboardInterrupt"}},
      {{"-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"}},
      {{"-c", "def f(:"}},
      {{"-c", "import sys; print(sys.stdin.read().upper())"}, "piped text\n"},
      {{"-"}, "import sys\nprint('from stdin', sys.argv)\n"},
      {{"-", "x", "y"}, "import sys\nprint(sys.argv)\nsys.exit(3)\n"},
      {{"-i"}, "x = 6 * 7\nprint(x)\n"},
      {{"-i", "-c", "y = 1"}, "print(y + 1)\n"},
      {{"-q", "-i"}, "1 + 1\n"},
      {{"script.py", "arg"}},
      {{"-O", "script.py"}},
      {{"missing_script.py"}},
      {{"-m", "mod", "a1"}},
      {{"-m", "no_such_module_xyz"}},
      {{"-m", "pkg"}},
      {{"-m", "json.tool"}, "{\"b\": 1, \"a\": [1, 2]}"},
      {{"-m", "platform"}},
      {{"pkgdir"}},
      {{"-Z"}},
      {{"--unknown-long"}},
      {{"-c"}},
      {{"-m"}},
      {{"-X"}},
      {{"--check-hash-based-pycs", "bogus", "-c", "pass"}},
      {{"--check-hash-based-pycs", "always", "-c", "import _imp; print(_imp.check_hash_based_pycs)"}},
      {{"-V"}},
      {{"-VV"}},
      {{"--version"}},
      {{"-h"}},
      {{"--help"}},
      {{"--help-env"}},
      {{"--help-xoptions"}},
      {{"--help-all"}},
      {{"-c", "import sys, os; print(os.path.exists(sys.executable), os.path.isabs(sys.executable))"}},
      {{"-c",
        "import subprocess, sys; print(subprocess.run([sys.executable, '-c', 'print(7*6)'], capture_output=True, "
        "text=True).stdout, end='')"}},
      {{"-c", "import sys, subprocess; print(subprocess._args_from_interpreter_flags())"}},
      {{"-B", "-O", "-E", "-s", "-c", "import sys, subprocess; print(subprocess._args_from_interpreter_flags())"}},
      {{"-c", "import sys; print(sys.prefix, sys.base_prefix, sys.exec_prefix)"}},
      {{"-c", "import sys; print(sys.version)"}},
      {{"-c", "import sys; print([p for p in sys.path if 'python' in p])"}},
      {{"-c", "import os; print(sorted(k for k in os.environ if k.startswith(('LANG', 'HOME', 'PATH'))))"}},
      {{"-c", "import sys; print(sys.stdout.encoding, sys.stderr.errors, sys.getfilesystemencoding())"}},
      {{"-c", "import sys; sys.stdout.close()"}},
      {{"-c", "import sys; print(sys.flags.dev_mode)"}, "", {{"PYTHONDEVMODE", "1"}}},
      {{"-c", "import sys; print(sys.path[:2])"}, "", {{"PYTHONPATH", "/nonexistent-a:/nonexistent-b"}}},
      {{"-E", "-c", "import sys; print('/nonexistent-a' in sys.path)"}, "", {{"PYTHONPATH", "/nonexistent-a"}}},
      {{"-c", "import sys; print(sys.flags.verbose)"}, "", {{"PYTHONVERBOSE", "0"}}},
      {{"-c", "import warnings; warnings.warn('x')"}, "", {{"PYTHONWARNINGS", "error"}}},
      {{"-c", "import sys; print(sys.flags.utf8_mode)"}, "", {{"PYTHONUTF8", "1"}}},
      {{"-c", "print(hash('abc'))"}, "", {{"PYTHONHASHSEED", "123"}}},
      {{"-c", "import time; print(time.tzname)"}, "", {{"TZ", "UTC"}}},
  };
  return c;
}

TEST(Fidelity, PycachePythonMatchesTheEmbeddedInterpretersPython) {
  TempDir t;
  write_file(t / "script.py", "import sys\nprint('script', sys.argv, __debug__)\nassert False, 'asserts run'\n");
  write_file(t / "mod.py", "import sys\nprint('mod', sys.argv, __name__)\n");
  write_file(t / "pkg/__init__.py", "");
  write_file(t / "pkg/__main__.py", "print('pkg main', __name__)\n");
  write_file(t / "pkgdir/__main__.py", "import sys\nprint('dir main', sys.argv)\n");
  const std::string ref = reference_python().native();
  const std::string ours = pycache_python_bin().native();
  const std::string ref_real = fs::canonical(reference_python()).native();
  int compared = 0;
  for (const auto& c : cases()) {
    Env env = isolated_env(t.path());
    for (const auto& [k, v] : c.extra_env) env[k] = v;
    std::vector<std::string> a = {ref}, b = {ours};
    a.insert(a.end(), c.args.begin(), c.args.end());
    b.insert(b.end(), c.args.begin(), c.args.end());
    auto x = run({a, std::nullopt, env, t.path(), c.input});
    auto y = run({b, std::nullopt, env, t.path(), c.input});
    std::string label = c.args.empty() ? "" : c.args[0] + (c.args.size() > 1 ? " " + c.args[1] : "");
    auto norm = [&](std::string s) { return replace_all(replace_all(s, ref_real, ours), ref, ours); };
    x.out = norm(x.out);
    x.err = norm(x.err);
    if (c.mask_digits) {
      x.err = without_digits(x.err);
      y.err = without_digits(y.err);
    }
    EXPECT_EQ(y.exit_code, x.exit_code) << label;
    EXPECT_EQ(y.signal, x.signal) << label;
    EXPECT_EQ(y.out, x.out) << label;
    EXPECT_EQ(y.err, x.err) << label;
    ++compared;
  }
  EXPECT_GE(compared, 60);
}

// An argv[0] that names no file (CPython's test_sys.test_executable starts
// python so): sys.executable is what getpath makes of it, '' for a bare name
// not on PATH, the absolute path for one with a slash, as under python.
TEST(Fidelity, SysExecutableFromAnArgv0ThatNamesNoFile) {
  TempDir t;
  const std::string code = "import sys; print(repr(sys.executable), sys.prefix == sys.base_prefix); print(6 * 7)";
  for (std::string argv0 : {"nonexistent", "./nonexistent", "no/such/dir/python", "nonexistent-python3.99"}) {
    for (const fs::path& cwd : {t.path(), fs::canonical(pycache_python_bin()).parent_path()}) {
      Env env = isolated_env(t.path());
      auto theirs = run({{argv0, "-c", code}, reference_python().native(), env, cwd});
      auto ours = run({{argv0, "-c", code}, pycache_python_bin().native(), env, cwd});
      ASSERT_EQ(theirs.exit_code, 0) << theirs.err;
      EXPECT_EQ(ours.exit_code, 0) << argv0 << ": " << ours.err;
      EXPECT_EQ(ours.out, theirs.out) << argv0 << " in " << cwd;
      EXPECT_EQ(ours.err, "") << argv0;
    }
  }
}

// After an upgrade of the interpreter a static core is stale: said at every
// start and in --version. The upgrade is simulated in a mount namespace of its
// own, a changed copy bound over the interpreter, so the machine's is never touched.
TEST(Fidelity, AStaticCoreOlderThanTheInstalledPythonIsReported) {
  auto version = run({{pycache_bin().native(), "--version"}, std::nullopt, clean_env("/"), "/"});
  const auto me = version.out.find(", this program");
  const auto line = version.out.rfind('\n', me);
  if (me == std::string::npos || version.out.substr(line, me - line).find("static libpython") == std::string::npos)
    GTEST_SKIP() << "a shared libpython is never stale";
  if (::geteuid() != 0 || access("/usr/bin/unshare", X_OK) != 0) GTEST_SKIP() << "needs root and unshare";
  TempDir t;
  const std::string real = fs::canonical(reference_python()).native();
  const std::string script = "cp " + real + " " + (t / "upgraded").native() + " && touch -d '2099-01-01' " +
                             (t / "upgraded").native() + " && mount --bind " + (t / "upgraded").native() + " " + real +
                             " && " + pycache_python_bin().native() + " -c 'print(1)' && " + pycache_bin().native() +
                             " --version";
  auto o = run({{"/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script},
                std::nullopt,
                clean_env(t.path()),
                t.path()});
  if (o.exit_code != 0 && o.err.find("mount") != std::string::npos)
    GTEST_SKIP() << "no mount namespace here: " << o.err;
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const std::string warning = real + " has changed since pycache was built: the C core pycache embeds (";
  EXPECT_EQ(o.err.rfind("pycache: warning: " + warning, 0), 0u) << o.err;
  EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << "one line: " << o.err;
  EXPECT_NE(o.out.find("1\n"), std::string::npos);
  EXPECT_NE(o.out.find("warning: " + warning), std::string::npos) << o.out;
  // Unchanged, nothing is said.
  auto plain = run({{pycache_python_bin().native(), "-c", "print(1)"}, std::nullopt, clean_env(t.path()), t.path()});
  EXPECT_EQ(plain.err, "");
}

// A ._pth file beside the executable replaces sys.path and isolates python
// (getpath); pycache fixes only the prefix, so it applies to pycache-python too.
TEST(Fidelity, APthFileBesideTheExecutableIsReadAsPythonReadsIt) {
  TempDir t;
  fs::create_directories(t / "py");
  fs::create_directories(t / "pc");
  fs::create_directories(t / "extra");
  fs::create_symlink(fs::canonical(reference_python()), t / "py/python");
  fs::create_symlink(pycache_python_bin(), t / "pc/python");
  const std::string pth = (t / "extra").native() + "\n" +
                          fs::canonical(reference_python()).parent_path().parent_path().native() + "/lib/python" +
                          python_cache_tag().substr(8, 1) + "." + python_cache_tag().substr(9) + "\n";
  write_file(t / "py/python._pth", pth);
  write_file(t / "pc/python._pth", pth);
  const std::string code =
      "import sys; print(sys.path, sys.flags.isolated, sys.flags.no_site, getattr(sys.flags, 'safe_path', None))";
  Env env = isolated_env(t.path());
  env["PYTHONPATH"] = "/from/env";  // a ._pth ignores it
  auto theirs = run({{(t / "py/python").native(), "-c", code}, std::nullopt, env, t.path()});
  auto ours = run({{(t / "pc/python").native(), "-c", code}, std::nullopt, env, t.path()});
  ASSERT_EQ(theirs.exit_code, 0) << theirs.err;
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, theirs.out);
  if (python_cache_tag() >= "cpython-311") {  // getpath.c before 3.11 reads no ._pth on POSIX
    EXPECT_NE(theirs.out.find((t / "extra").native()), std::string::npos) << theirs.out;
    EXPECT_EQ(theirs.out.find("/from/env"), std::string::npos) << theirs.out;
  }
}

// pycache-python in a directory above which another Python's stdlib lies
// (a /usr/local/bin with a /usr/local/lib/pythonX.Y/os.py) still runs on its own.
TEST(Fidelity, AForeignStandardLibraryNearTheLauncherIsNeverUsed) {
  TempDir t;
  const std::string tag = python_cache_tag();
  const std::string lib = "lib/python" + tag.substr(8, 1) + "." + tag.substr(9);
  write_file(t / lib / "os.py", "raise SystemExit('the foreign stdlib was used')\n");
  fs::create_directories(t / (lib + "/lib-dynload"));
  fs::create_directories(t / "bin");
  std::error_code ec;
  // The runtime's own program (pycache-embedded alone, without its modules, runs nothing).
  fs::create_hard_link(runtime_program(), t / "bin/pycache-python", ec);
  if (ec) fs::copy_file(runtime_program(), t / "bin/pycache-python");
  auto o = run({{(t / "bin/pycache-python").native(), "-c",
                 "import os, sys; print(sys.prefix == sys.base_prefix, "
                 "os.__file__.startswith(sys.prefix))"},
                std::nullopt,
                isolated_env(t.path()),
                t.path()});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "True True\n");
  auto where = run({{(t / "bin/pycache-python").native(), "-c", "import sys; print(sys.prefix)"},
                    std::nullopt,
                    isolated_env(t.path()),
                    t.path()});
  EXPECT_NE(where.out, t.path().native() + "\n");
}

}  // namespace
}  // namespace pycache::test
