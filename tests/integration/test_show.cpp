// `pycache show` on pycs written by the reference python (and, when pyenv has
// one, by Python 3.8), checked against what importlib says about them.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "process.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

class Show : public ::testing::Test {
 protected:
  TempDir t;
  fs::path proj = t / "proj";
  Env env = isolated_env(t.path());

  void SetUp() override { write_file(proj / "m.py", "def answer():\n    return 42\n"); }
  Outcome pycache(std::vector<std::string> args) {
    args.insert(args.begin(), {pycache_bin().native(), "show"});
    return run({args, std::nullopt, env, proj});
  }
  Outcome python(const std::string& code) {
    return run({{reference_python().native(), "-c", code}, std::nullopt, env, proj});
  }
  // py_compile with an invalidation mode; returns the pyc's path.
  fs::path compile(const std::string& mode = "TIMESTAMP", int optimize = -1) {
    auto o = python("import py_compile; print(py_compile.compile('m.py', doraise=True, optimize=" +
                    std::to_string(optimize) + ", invalidation_mode=py_compile.PycInvalidationMode." + mode + "))");
    EXPECT_EQ(o.exit_code, 0) << o.err;
    std::string p = o.out.substr(0, o.out.find('\n'));
    return proj / p;
  }
  // py_compile under `python -X pycache_prefix=PREFIX`; the pyc's path, or empty.
  fs::path compile_into(const fs::path& prefix) {
    auto o = run({{reference_python().native(), "-X", "pycache_prefix=" + prefix.native(), "-c",
                   "import py_compile; print(py_compile.compile('m.py', doraise=True))"},
                  std::nullopt,
                  env,
                  proj});
    EXPECT_EQ(o.exit_code, 0) << o.err;
    return o.exit_code == 0 ? fs::path(o.out.substr(0, o.out.find('\n'))) : fs::path();
  }
  std::string json(const std::string& json_text, const std::string& expr) {
    auto o = run({{reference_python().native(), "-c", "import json,sys; d=json.load(sys.stdin); print(" + expr + ")"},
                  std::nullopt,
                  env,
                  proj,
                  json_text});
    EXPECT_EQ(o.exit_code, 0) << o.err << json_text;
    return o.out.substr(0, o.out.find('\n'));
  }
  std::string version() {  // "3.11"
    std::string tag = python_cache_tag();
    return tag.substr(8, 1) + "." + tag.substr(9);
  }
};

TEST_F(Show, TimestampPycFreshThenStale) {
  fs::path pyc = compile();
  auto o = pycache({pyc.native()});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("magic   "), std::string::npos);
  EXPECT_NE(o.out.find(": Python " + version() + " (the embedded interpreter's)"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("flags   0x0: timestamp\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("size    28 bytes\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("source  " + (proj / "m.py").native() + "\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("status  fresh: the source's mtime and size match\n"), std::string::npos) << o.out;
  // The header's mtime, as importlib reads it.
  auto mt = python(
      "import importlib.util,time; d=open('" + pyc.native() +
      "','rb').read(16); print(time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(int.from_bytes(d[8:12],'little'))))");
  EXPECT_NE(o.out.find("mtime   " + mt.out.substr(0, mt.out.size() - 1)), std::string::npos) << o.out << mt.out;

  write_file(proj / "m.py", "def answer():\n    return 43\n");  // same size: only the mtime may differ
  fs::last_write_time(proj / "m.py", fs::last_write_time(proj / "m.py") + std::chrono::seconds(5));
  auto s = pycache({pyc.native()});
  EXPECT_EQ(s.exit_code, 0) << "stale is a report, not an error";
  EXPECT_NE(s.out.find("status  stale: the source's mtime is "), std::string::npos) << s.out;
}

TEST_F(Show, HashPycsAreRecomputedThroughTheEmbeddedInterpreter) {
  fs::path pyc = compile("CHECKED_HASH");
  auto o = pycache({"--json", pyc.native()});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  auto expected = python("import importlib.util; print(importlib.util.source_hash(open('m.py','rb').read()).hex())");
  EXPECT_EQ(
      json(o.out, "(d['mode'], d['flags'], d['freshness'], d['source_hash'] == d['actual_hash'], d['source_mtime'])"),
      "('checked-hash', 3, 'fresh', True, None)");
  EXPECT_EQ(json(o.out, "d['source_hash']") + "\n", expected.out);

  write_file(proj / "m.py", "def answer():\n    return 43\n");
  auto s = pycache({"--json", pyc.native()});
  EXPECT_EQ(json(s.out, "(d['freshness'], d['actual_hash'])"),
            "('stale', '" +
                python("import importlib.util; print(importlib.util.source_hash(open('m.py','rb').read()).hex())")
                    .out.substr(0, 16) +
                "')");
  // What the import system does with it agrees: checked, so recompiled.
  fs::path unchecked = compile("UNCHECKED_HASH", 1);
  auto u = pycache({unchecked.native()});
  EXPECT_NE(u.out.find("import  does not check it (unchecked-hash, check-hash-based-pycs = \"default\")"),
            std::string::npos)
      << u.out;
  write_file(proj / "pycache.toml", "check-hash-based-pycs = \"always\"\n");
  auto a = pycache({unchecked.native()});
  EXPECT_NE(a.out.find("import  checks it (unchecked-hash, check-hash-based-pycs = \"always\")"), std::string::npos)
      << a.out;
}

TEST_F(Show, Disassembly) {
  fs::path pyc = compile();
  auto o = pycache({"--dis", pyc.native()});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("\ndisassembly:\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("(answer)"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("(42)"), std::string::npos) << o.out;
  auto j = pycache({"--dis", "--json", pyc.native()});
  EXPECT_EQ(json(j.out, "'(42)' in d['disassembly']"), "True");
  // Through the source: the policy level's pyc.
  auto s = pycache({"--dis", "m.py"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.out.find("(42)"), std::string::npos) << s.out;

  // A body that is not a code object: one error line, the report still printed.
  std::string bytes = read_file(pyc);
  write_file(proj / "cut.pyc", bytes.substr(0, 30));
  auto cut = pycache({"--dis", "cut.pyc"});
  EXPECT_EQ(cut.exit_code, 1);
  EXPECT_NE(cut.out.find("magic   "), std::string::npos);
  EXPECT_EQ(cut.err, "pycache: error: '" + (proj / "cut.pyc").native() +
                         "': could not load the code object: EOFError: marshal data too short\n");
}

TEST_F(Show, AnotherPythonsPyc) {
  // Python 3.8's magic on this Python's pyc, or a real 3.8 pyc when pyenv has one.
  fs::path pyc = compile();
  const char* home = std::getenv("HOME");
  fs::path py38 = fs::path(home ? home : "/root") / ".pyenv/versions/3.8.18/bin/python3.8";
  fs::path other = proj / "other.pyc";
  if (version() != "3.8" && fs::exists(py38)) {
    auto o =
        run({{py38.native(), "-c", "import py_compile; py_compile.compile('m.py', cfile='other.pyc', doraise=True)"},
             std::nullopt,
             env,
             proj});
    ASSERT_EQ(o.exit_code, 0) << o.err;
  } else {
    std::string bytes = read_file(pyc);
    bytes[0] = static_cast<char>(3413 & 0xff);
    bytes[1] = static_cast<char>(3413 >> 8);
    write_file(other, bytes);
  }
  env["PYENV_ROOT"] = py38.parent_path().parent_path().parent_path().parent_path().native();  // found there
  auto o = pycache({"--dis", other.native()});
  EXPECT_NE(o.out.find("magic   3413: Python 3.8 (not the embedded interpreter's)"), std::string::npos) << o.out;
  if (version() != "3.8" && fs::exists(py38) &&
      fs::exists(fs::canonical(pycache_bin()).parent_path() / "../lib/pycache/pycache-embed-3.8.so")) {
    // An interpreter of the machine of that magic disassembles it (pyenv's 3.8 through its module).
    EXPECT_EQ(o.exit_code, 0) << o.err;
    EXPECT_NE(o.out.find("\ndisassembly:\n"), std::string::npos) << o.out;
    return;
  }
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.err.find("is bytecode for Python 3.8 (magic 3413), and no interpreter of it"), std::string::npos)
      << o.err;
  EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << "one line";
}

TEST_F(Show, SourceReportPerOptimizationLevel) {
  compile();
  compile("CHECKED_HASH", 2);
  auto o = pycache({"m.py"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  std::string tag = python_cache_tag();
  EXPECT_NE(o.out.find("opt 0   " + (proj / "__pycache__" / ("m." + tag + ".pyc")).native() + ": "), std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("opt 1   " + (proj / "__pycache__" / ("m." + tag + ".opt-1.pyc")).native() + ": none\n"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("  status  fresh: the source's hash matches\n"), std::string::npos) << o.out;
  auto j = pycache({"--json", "m.py"});
  EXPECT_EQ(json(j.out, "[(l['optimize'], l['exists'], l['policy_level']) for l in d['levels']]"),
            "[(0, True, True), (1, False, False), (2, True, False)]");
  // Under a policy with a prefix, the pycs are looked for there.
  write_file(proj / "pycache.toml", "cache-prefix = \"" + (t / "pfx").native() + "\"\noptimize = 2\n");
  auto p = pycache({"--json", "m.py"});
  EXPECT_EQ(json(p.out, "(d['prefix'], d['levels'][2]['path'], d['levels'][2]['policy_level'], len(d['others']))"),
            "('" + (t / "pfx").native() + "', '" + (t / "pfx").native() + proj.native() + "/m." + tag +
                ".opt-2.pyc', True, 2)");
}

TEST_F(Show, BrokenFilesGiveOneLineAndStatusOne) {
  write_file(proj / "empty.pyc", "");
  write_file(proj / "short.pyc", std::string("\xa7\x0d\x0d\x0a\0\0\0", 7));
  write_file(proj / "text.pyc", "print('hello')\n");
  for (const char* f : {"empty.pyc", "short.pyc", "text.pyc"}) {
    auto o = pycache({f});
    EXPECT_EQ(o.exit_code, 1) << f;
    EXPECT_EQ(o.out, "") << f;
    EXPECT_EQ(o.err.rfind("pycache: error: '" + (proj / f).native() + "': ", 0), 0u) << o.err;
    EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << o.err;
    EXPECT_EQ(pycache({"--json", "--dis", f}).exit_code, 1) << f;
  }
  auto missing = pycache({"nope.pyc"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err, "pycache: error: 'nope.pyc': No such file or directory\n");
  EXPECT_EQ(pycache({}).exit_code, 2);
  EXPECT_EQ(pycache({"."}).exit_code, 2);
  // A missing .py is a report: where its pycs would be.
  auto gone = pycache({"gone.py"});
  EXPECT_EQ(gone.exit_code, 0) << gone.err;
  EXPECT_NE(gone.out.find("(does not exist)"), std::string::npos);
}

TEST_F(Show, PrefixPycsNeedTheirPrefix) {
  fs::path prefix = t / "pfx";
  const fs::path pyc = compile_into(prefix);
  ASSERT_FALSE(pyc.empty());
  auto unknown = pycache({pyc.native()});
  EXPECT_EQ(unknown.exit_code, 0);
  EXPECT_NE(unknown.out.find("status  unknown: a tagged pyc outside __pycache__ belongs to a cache prefix"),
            std::string::npos)
      << unknown.out;
  auto known = pycache({"--cache-prefix", prefix.native(), pyc.native()});
  EXPECT_NE(known.out.find("source  " + (proj / "m.py").native()), std::string::npos) << known.out;
  EXPECT_NE(known.out.find("status  fresh"), std::string::npos) << known.out;
}

// --cache-prefix is the cache-prefix key's value, read as clean reads it:
// "~/pfx" is the home directory's pfx, as in a policy file.
TEST_F(Show, CachePrefixIsReadAsTheKeyIs) {
  const std::string pyc = compile_into(t / "home/pfx");
  ASSERT_FALSE(pyc.empty());
  auto known = pycache({"--cache-prefix", "~/pfx", pyc});
  EXPECT_EQ(known.exit_code, 0) << known.err;
  EXPECT_NE(known.out.find("source  " + (proj / "m.py").native()), std::string::npos) << known.out;
  auto bad = pycache({"--cache-prefix", "", pyc});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
}

}  // namespace
}  // namespace pycache::test
