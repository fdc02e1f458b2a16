// embed::compile_source against what the reference interpreter itself writes.
#include <gtest/gtest.h>

#include "process.hpp"
#include "pycache/embed.hpp"
#include "temp_dir.hpp"

namespace pycache {
namespace {

class Compiler : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(embed::start_tool_runtime()); }
  test::TempDir t;

  test::Outcome python(std::vector<std::string> args) {
    test::Process p;
    p.argv = {test::reference_python().native()};
    p.argv.insert(p.argv.end(), args.begin(), args.end());
    p.env = test::clean_env(t.path());
    p.cwd = t.path();
    return test::run(p);
  }

  // The marshal data (after the 16-byte header) of the pyc the reference
  // python writes when it imports `name` from t/ at -O`level`.
  std::string imported(const std::string& name, int level) {
    std::vector<std::string> argv;
    for (int i = 0; i < level; ++i) argv.push_back("-O");
    argv.insert(argv.end(), {"-c", "import sys; sys.path.insert(0, sys.argv[1]); import " + name, t.path().native()});
    auto o = python(argv);
    EXPECT_EQ(o.exit_code, 0) << o.err;
    std::string pyc = name + "." + test::python_cache_tag() + (level ? ".opt-" + std::to_string(level) : "") + ".pyc";
    return test::read_file(t / "__pycache__" / pyc).substr(16);
  }
  // The marshal data py_compile writes for `file` (the compileall route).
  std::string py_compiled(const std::filesystem::path& file, int level) {
    auto o = python({"-c",
                     "import py_compile, sys; sys.stdout.write(py_compile.compile(sys.argv[1], "
                     "cfile=sys.argv[1] + 'c', optimize=int(sys.argv[2])))",
                     file.native(), std::to_string(level)});
    EXPECT_EQ(o.exit_code, 0) << o.err;
    return test::read_file(file.native() + "c").substr(16);
  }
};

constexpr const char* kModule =
    "'''doc'''\n"
    "import os\n"
    "CONST = ('a', 1, 2.5, None, b'x', frozenset({1, 2}))\n"
    "def f(x, *args, y=3, **kw):\n"
    "    '''f doc'''\n"
    "    assert x, 'x must be true'\n"
    "    return [i * y for i in args if i]\n"
    "class C:\n"
    "    def m(self):\n"
    "        return f(self, 1, 2)\n"
    "if __debug__:\n"
    "    DEBUG = True\n";

TEST_F(Compiler, SameBytesAsImportAndPyCompileAtEveryLevel) {
  if (!test::marshal_is_deterministic())
    GTEST_SKIP() << "before 3.11 marshal's ref flags depend on refcounts: equal code, bytes may differ";
  test::write_file(t / "sample.py", kModule);
  const std::string path = (t / "sample.py").native();
  for (int level : {0, 1, 2}) {
    SCOPED_TRACE(level);
    auto got = embed::compile_source(kModule, path, level);
    ASSERT_TRUE(got.ok) << got.message;
    EXPECT_EQ(got.code, imported("sample", level));
    EXPECT_EQ(got.code, py_compiled(t / "sample.py", level));
  }
  // The levels really differ, so the comparison above can fail.
  EXPECT_NE(embed::compile_source(kModule, path, 0).code, embed::compile_source(kModule, path, 2).code);
}

TEST_F(Compiler, CodingCookieDecodesAsPythonDoes) {
  const std::string source = "# -*- coding: latin-1 -*-\nS = '\xe9t\xe9'\n";
  test::write_file(t / "latin.py", source);
  auto got = embed::compile_source(source, (t / "latin.py").native(), 0);
  ASSERT_TRUE(got.ok) << got.message;
  EXPECT_EQ(got.code, imported("latin", 0));
  // Without the cookie the same bytes are invalid UTF-8: a SyntaxError.
  auto bad = embed::compile_source("S = '\xe9t\xe9'\n", "nocookie.py", 0);
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.error_type, "SyntaxError");
}

TEST_F(Compiler, SyntaxErrorCarriesLineColumnAndMessage) {
  auto got = embed::compile_source("x = 1\ny = (1,\n  2 +* 3)\n", "/p/bad.py", 0);
  EXPECT_FALSE(got.ok);
  EXPECT_TRUE(got.code.empty());
  EXPECT_EQ(got.error_type, "SyntaxError");
  EXPECT_EQ(got.line, 3);
  EXPECT_EQ(got.column, 6);  // the "*", 1-based, as SyntaxError.offset
  EXPECT_EQ(got.message, "invalid syntax");

  auto indent = embed::compile_source("def f():\nreturn 1\n", "/p/i.py", 0);
  EXPECT_EQ(indent.error_type, "IndentationError");
  EXPECT_EQ(indent.line, 2);
}

// The compiler's warnings are returned (category, message, line), never
// printed: printed, they would name the absolute co_filename.
TEST_F(Compiler, WarningsAreReturnedNotPrinted) {
  ::testing::internal::CaptureStderr();
  auto got = embed::compile_source("x = 1\nassert (x, 'always')\n", "/p/w.py", 0);
  const std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(got.ok);
  EXPECT_EQ(err, "");
  ASSERT_EQ(got.warnings.size(), 1u);
  EXPECT_EQ(got.warnings[0].category, "SyntaxWarning");
  EXPECT_EQ(got.warnings[0].message, "assertion is always true, perhaps remove parentheses?");
  EXPECT_EQ(got.warnings[0].line, 2);
  EXPECT_TRUE(embed::compile_source("x = 1\n", "/p/ok.py", 0).warnings.empty());
}

TEST_F(Compiler, OtherErrorsAreReportedNotRaised) {
  auto got = embed::compile_source(std::string("x = 1\0\n", 7), "/p/nul.py", 0);
  EXPECT_FALSE(got.ok);
  EXPECT_FALSE(got.error_type.empty());
  EXPECT_FALSE(got.message.empty());
  // The interpreter is still usable afterwards.
  EXPECT_TRUE(embed::compile_source("x = 1\n", "/p/ok.py", 0).ok);
}

}  // namespace
}  // namespace pycache
