#include "pycache/python_choice.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pycache/exit_code.hpp"
#include "pycache/handoff.hpp"
#include "temp_dir.hpp"

namespace pycache {
namespace {

using test::TempDir;
using test::write_file;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

struct SatisfiesCase {
  const char* version;
  const char* specifiers;
  std::optional<bool> expected;  // what PEP 440 (pip's packaging) answers; nullopt: an invalid specifier
};

// Each expectation is PEP 440's: a release compares as if padded with zeros
// (3.12 == 3.12.0), ".*" matches the series component by component, ~=X.Y
// means >=X.Y,==X.*, empty clauses between commas are dropped (packaging's
// SpecifierSet), and a final release sorts after its own pre-releases.
const SatisfiesCase kSatisfies[] = {
    // >=, >, <=, <
    {"3.12.1", ">=3.11", true},
    {"3.11.0", ">=3.11", true},
    {"3.10.9", ">=3.11", false},
    {"3.11", ">=3.11.0", true},
    {"3.12.1", ">3.12", true},
    {"3.12.0", ">3.12", false},
    {"3.12.9", "<3.13", true},
    {"3.13.0", "<3.13", false},
    {"3.12.0", "<=3.12", true},
    {"3.12.1", "<=3.12", false},
    // == and != without a wildcard: the whole version, zero-padded
    {"3.12.0", "==3.12", true},
    {"3.12.1", "==3.12", false},
    {"3.12", "==3.12.0", true},
    {"3.12.1", "==3.12.1", true},
    {"3.13.0", "!=3.13.0", false},
    {"3.13", "!=3.13.0", false},
    {"3.13.1", "!=3.13.0", true},
    // wildcards: the series, compared per component (3.120 is not in 3.12.*)
    {"3.12.1", "==3.12.*", true},
    {"3.12", "==3.12.*", true},
    {"3.13.0", "==3.12.*", false},
    {"3.120.0", "==3.12.*", false},
    {"3.1.0", "==3.12.*", false},
    {"3.9.0", "==3.*", true},
    {"4.0.0", "==3.*", false},
    {"3.13.2", "!=3.13.*", false},
    {"3.12.2", "!=3.13.*", true},
    // ~= (compatible release)
    {"3.12.1", "~=3.12", true},
    {"3.99.0", "~=3.12", true},
    {"3.11.9", "~=3.12", false},
    {"4.0.0", "~=3.12", false},
    {"3.12.1", "~=3.12.1", true},
    {"3.12.9", "~=3.12.1", true},
    {"3.12.0", "~=3.12.1", false},
    {"3.13.0", "~=3.12.1", false},
    // several clauses, whitespace, empty clauses
    {"3.12.1", ">=3.11,<3.14", true},
    {"3.14.0", ">=3.11,<3.14", false},
    {"3.10.0", ">=3.11,<3.14", false},
    {"3.12.1", " >= 3.11 , < 3.14 ", true},
    {"3.12.1", ">=3.11,\t<3.14", true},
    {"3.12.1", ">=3.11,", true},
    {"3.12.1", ">=3.11,<3.14,!=3.12.1", false},
    {"3.12.1", "", true},  // no clause: every version
    // pre-releases in the specifier: X.Y.0aN < X.Y.0bN < X.Y.0rcN < X.Y.0
    {"3.11.2", ">=3.10.0a1", true},
    {"3.10.0", ">=3.10.0a1", true},
    {"3.11.2", ">=3.12.0b2", false},
    {"3.11.2", "<3.12.0rc1", true},
    {"3.12.0", "<3.12.0rc1", false},
    {"3.12.0", ">3.12.0rc1", true},
    {"3.12.0", "==3.12.0rc1", false},
    {"3.12.0", "!=3.12.0rc1", true},
    {"3.12.1", ">=3.10.0a1,<3.14", true},
    // not specifiers
    {"3.12.1", "3.12", std::nullopt},
    {"3.12.1", ">=", std::nullopt},
    {"3.12.1", ">=three", std::nullopt},
    {"3.12.1", "=>3.11", std::nullopt},
    {"3.12.1", "> =3.11", std::nullopt},
    {"3.12.1", ">=3.11;<3.14", std::nullopt},
    {"3.12.1", ">=3..11", std::nullopt},
    {"3.12.1", ">=3.11.", std::nullopt},
    {"3.12.1", "~=3", std::nullopt},  // ~= needs two release components
    {"3.12.1", ">=3.11,garbage", std::nullopt},
    {"3.12.1", ">=3.-1", std::nullopt},
    {"3.12.1", ">=3.12.*", std::nullopt},  // a wildcard only with == and !=
    {"3.12.1", "~=3.12.*", std::nullopt},
    {"3.12.1", "==3.12.0rc1.*", std::nullopt},
    {"3.12.1", ">=3.12.0xyz1", std::nullopt},
};

TEST(Satisfies, Pep440Specifiers) {
  for (const auto& c : kSatisfies) {
    EXPECT_EQ(satisfies(c.version, c.specifiers), c.expected)
        << "satisfies(\"" << c.version << "\", \"" << c.specifiers << "\")";
  }
}

TEST(Satisfies, AVersionThatIsNotOneIsUnreadable) {
  for (const char* version : {"", "three", "3.12.x", "3..12", "3.12.", "3.-1", "-3.12"})
    EXPECT_EQ(satisfies(version, ">=3.10"), std::nullopt) << version;
}

// The build's runtimes, for the choice: what a request of each answers.
const runtime::Runtime& self() { return *runtime::self(); }

PolicyResolution with_python(const std::string& value) {
  PolicyResolution r;
  r.policy.override(Key::Python, value, Origin{Source::CommandLine, "--python"});
  return r;
}

PolicyResolution with_requires_python(const std::string& specifier) {
  PolicyResolution r;
  r.project_python.requires_python = RequiresPython{specifier, "/p/pyproject.toml:3:19"};
  return r;
}

// The machine as discovery sees it, without the user's pyenv and uv: HOME a
// temp dir, PATH /usr/bin:/bin. A version request is answered by the first
// interpreter found (here the system's, the runtime's own), as uv answers it.
class ChoosePython : public ::testing::Test {
 protected:
  TempDir home;
  void SetUp() override {
    for (const char* name :
         {"HOME", "PATH", "PYENV_ROOT", "UV_PYTHON_INSTALL_DIR", "XDG_DATA_HOME", "XDG_CACHE_HOME"}) {
      const char* v = std::getenv(name);
      saved_.emplace_back(name, v ? std::optional<std::string>(v) : std::nullopt);
      ::unsetenv(name);
    }
    ::setenv("HOME", home.path().c_str(), 1);
    ::setenv("PATH", "/usr/bin:/bin", 1);
  }
  void TearDown() override {
    for (const auto& [name, value] : saved_) {
      if (value) ::setenv(name.c_str(), value->c_str(), 1);
      else ::unsetenv(name.c_str());
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};
class RequireRuntime : public ChoosePython {};

TEST_F(ChoosePython, NothingAskedIsTheDefaultRuntime) {
  PythonChoice c = choose_python(PolicyResolution{});
  EXPECT_EQ(c.request, "");
  EXPECT_EQ(c.runtime, &self());
  EXPECT_EQ(c.cache_tag, self().cache_tag);
  EXPECT_EQ(c.origin.describe(), "default (pycache's default runtime)");
  EXPECT_EQ(c.missing, "");
}

TEST_F(ChoosePython, AVersionRequestIsItsRuntimeOrNamedMissing) {
  const std::string ours(self().major_minor);
  for (const std::string& request : {ours, std::string(self().version)}) {
    PythonChoice c = choose_python(with_python(request));
    EXPECT_EQ(c.runtime, &self()) << request;
    EXPECT_EQ(c.request, request);
    EXPECT_EQ(c.origin.describe(), "command line --python");
    EXPECT_EQ(c.cache_tag, self().cache_tag);
  }
  PythonChoice none = choose_python(with_python("3.99"));
  EXPECT_EQ(none.runtime, nullptr);
  EXPECT_EQ(none.missing, "Python 3.99");
  EXPECT_EQ(none.cache_tag, "cpython-399") << "the tag is known without a runtime";
  if (!self().free_threaded) {
    PythonChoice t = choose_python(with_python(ours + "t"));
    EXPECT_EQ(t.runtime, nullptr) << "a free-threaded request is not answered by the default build";
    EXPECT_EQ(t.missing, "Python " + ours + "t");
  }
}

TEST_F(ChoosePython, APathIsARuntimesInterpreterOrAVenvsPython) {
  PythonChoice c = choose_python(with_python(std::string(self().interpreter)));
  EXPECT_EQ(c.runtime, &self());
  EXPECT_EQ(c.cache_tag, self().cache_tag);

  TempDir t;
  write_file(t / "ours/pyvenv.cfg", "home = /usr/bin\nversion = " + std::string(self().version) + "\n");
  write_file(t / "ours/bin/python", "");
  write_file(t / "theirs/pyvenv.cfg", "home = /opt/py/bin\nversion_info = 3.99.1.final.0\n");
  write_file(t / "theirs/bin/python", "");
  PythonChoice venv = choose_python(with_python((t / "ours/bin/python").native()));
  EXPECT_EQ(venv.runtime, &self()) << "the venv's version picks the runtime";
  PythonChoice other = choose_python(with_python((t / "theirs/bin/python").native()));
  EXPECT_EQ(other.runtime, nullptr);
  EXPECT_EQ(other.missing, "Python 3.99");

  PythonChoice nowhere = choose_python(with_python((t / "absent/bin/python").native()));
  EXPECT_EQ(nowhere.runtime, nullptr);
  EXPECT_EQ(nowhere.missing, "the Python '" + (t / "absent/bin/python").native() + "'");
}

TEST_F(ChoosePython, TheVenvKeyChoosesByItsPyvenvCfg) {
  TempDir t;
  write_file(t / "venv/pyvenv.cfg", "home = /usr/bin\nversion_info = " + std::string(self().version) + ".final.0\n");
  PolicyResolution r;
  r.policy.override(Key::Venv, (t / "venv").native(), Origin{Source::ProjectFile, "/p/pycache.toml:1:1"});
  PythonChoice c = choose_python(r);
  EXPECT_EQ(c.runtime, &self());
  EXPECT_EQ(c.request, std::string(self().major_minor));
  EXPECT_EQ(c.origin.describe(),
            "default (the venv " + (t / "venv").native() + ", made for Python " + std::string(self().version) + ")");

  r.policy.override(Key::Python, "3.99", Origin{Source::CommandLine, "--python"});
  EXPECT_EQ(choose_python(r).missing, "Python 3.99") << "the python key comes before the venv";

  PolicyResolution unreadable;
  unreadable.policy.override(Key::Venv, (t / "absent").native(), Origin{});
  EXPECT_EQ(choose_python(unreadable).runtime, &self()) << "no pyvenv.cfg: the default runtime";
}

TEST_F(ChoosePython, PythonVersionFileFirstRequestLine) {
  const std::string ours(self().major_minor);
  struct Case {
    std::string text;
    std::string request;  // "" when the file asks for nothing pycache reads
  };
  const Case cases[] = {
      {ours + "\n", ours},
      {"# pinned\n\n  " + ours + "  \n3.99\n", ours},
      {ours + "\r\n", ours},
      {"cpython-" + ours + "\n", ours},
      {"python" + ours + "\n", ours},
      {"3.99.1\n", "3.99.1"},
      {"system\n", ""},
      {"pypy3.10\n", ""},
      {"", ""},
      {"# only a comment\n", ""},
  };
  for (const auto& c : cases) {
    PolicyResolution r;
    r.project_python.version_file = "/p/.python-version";
    r.project_python.version_text = c.text;
    r.project_python.requires_python = RequiresPython{">=3.8", "/p/pyproject.toml:3:19"};
    PythonChoice choice = choose_python(r);
    if (c.request.empty()) {
      EXPECT_EQ(choice.request, ">=3.8") << "falls through to requires-python: " << c.text;
      continue;
    }
    EXPECT_EQ(choice.request, c.request) << c.text;
    EXPECT_EQ(choice.origin.describe(), "/p/.python-version") << c.text;
    EXPECT_EQ(choice.runtime, c.request == ours ? &self() : nullptr) << c.text;
  }
}

TEST_F(ChoosePython, RequiresPythonTakesTheNewestRuntimeThatSatisfiesIt) {
  const std::string ours(self().major_minor);
  for (const std::string& spec :
       {std::string(">=3.8"), "==" + ours + ".*", "~=" + ours + ".0", std::string(">=3.8.0a1, <4")}) {
    PythonChoice c = choose_python(with_requires_python(spec));
    EXPECT_EQ(c.request, spec);
    EXPECT_EQ(c.origin.describe(), "/p/pyproject.toml:3:19 (requires-python)");
    const runtime::Runtime* newest = nullptr;
    for (const auto& r : runtime::all())
      if (runtime::program_path(r) && satisfies(r.version, spec).value_or(false) &&
          (!newest || satisfies(r.version, ">" + std::string(newest->version)).value_or(false)))
        newest = &r;
    ASSERT_NE(newest, nullptr) << spec;
    EXPECT_EQ(c.runtime, newest) << spec;
    EXPECT_EQ(c.cache_tag, newest->cache_tag) << spec;
  }
  PythonChoice none = choose_python(with_requires_python(">=3.99"));
  EXPECT_EQ(none.runtime, nullptr);
  EXPECT_EQ(none.missing, "a Python that satisfies requires-python \">=3.99\"");
  EXPECT_EQ(none.cache_tag, "cpython-399") << "the tag of the oldest Python it allows, for status and clean";
  EXPECT_EQ(choose_python(with_requires_python(">=3.98.2, <3.99")).cache_tag, "cpython-398");
  PythonChoice bad = choose_python(with_requires_python("3.12+"));
  EXPECT_EQ(bad.runtime, nullptr);
  EXPECT_EQ(bad.missing, "requires-python \"3.12+\" (which pycache can't read)");
}

TEST(RecordPythonChoice, TheRuntimesNameElseTheRequest) {
  Policy p;
  record_python_choice(p, choose_python(with_python(std::string(self().version))));
  EXPECT_EQ(p.python(), std::string(self().name)) << "the runtime that answers, not the request";
  EXPECT_EQ(p.get(Key::Python).origin.describe(), "command line --python");
  record_python_choice(p, choose_python(with_requires_python(">=3.99")));
  EXPECT_EQ(p.python(), ">=3.99");
  EXPECT_EQ(p.get(Key::Python).origin.describe(), "/p/pyproject.toml:3:19 (requires-python)");
}

TEST_F(RequireRuntime, TheRuntimeOrOneLineNamingWhatWasAskedAndWhere) {
  auto ok = require_runtime(choose_python(PolicyResolution{}));
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, &self());

  auto version = require_runtime(choose_python(with_python("3.99")));
  ASSERT_FALSE(version);
  EXPECT_EQ(version.error().code, kExitEnvironment);
  const std::string& m = version.error().message;
  EXPECT_THAT(m, StartsWith("nothing here runs Python 3.99 (command line --python): found on this machine: "));
  EXPECT_THAT(m, HasSubstr("; install Python 3.99 ('pycache python list' shows every Python found)"));
  EXPECT_THAT(m, Not(HasSubstr("cmake"))) << "never a build command: the fix is to install that Python";
  EXPECT_THAT(m, Not(HasSubstr("rebuild")));
  // What discovery found, short: the versions, the runtime's among them.
  EXPECT_THAT(m, HasSubstr("found on this machine: ")) << m;
  EXPECT_THAT(m, HasSubstr(std::string(self().version))) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos);

  auto spec = require_runtime(choose_python(with_requires_python(">=3.99")));
  ASSERT_FALSE(spec);
  EXPECT_THAT(spec.error().message, StartsWith("nothing here runs a Python that satisfies requires-python \">=3.99\" "
                                               "(/p/pyproject.toml:3:19 (requires-python)): "));
  EXPECT_THAT(spec.error().message, HasSubstr("'pycache python list'"));
}

// A static runtime whose interpreter changed since the build runs on that
// interpreter, through its embedding module: the distribution's fixes.
TEST(PassOverStaleRuntime, AStaticRuntimeWhoseInterpreterChangedGivesWayToIt) {
  runtime::Runtime rt = self();
  const fs::path real(rt.interpreter_real);
  if (rt.link != "static") GTEST_SKIP() << "the default runtime is not static";
  auto embedded = interpreters::inspect(real, Trust::current(), nullptr);
  if (!embedded || embedded_program().empty() || ::access(embedded_program().c_str(), X_OK) != 0)
    GTEST_SKIP() << "needs pycache-embedded and the runtime's interpreter";
  PythonChoice fresh{"", Origin{}, &rt, std::string(rt.cache_tag)};
  pass_over_stale_runtime(fresh, Trust::current());
  EXPECT_EQ(fresh.runtime, &rt) << "unchanged: the runtime";
  rt.interpreter_mtime -= 1;  // as after an update of the interpreter
  PythonChoice stale{"", Origin{}, &rt, std::string(rt.cache_tag)};
  pass_over_stale_runtime(stale, Trust::current());
  EXPECT_EQ(stale.runtime, nullptr);
  ASSERT_TRUE(stale.interpreter);
  EXPECT_EQ(stale.interpreter->real, real);
  EXPECT_EQ(stale.cache_tag, rt.cache_tag);
  auto compiler = require_runtime(stale);
  ASSERT_TRUE(compiler) << "compile uses the runtime of its minor version: " << compiler.error().message;
  EXPECT_EQ(*compiler, &self());
  rt.link = "shared";  // a shared libpython follows the update itself
  PythonChoice shared{"", Origin{}, &rt, std::string(rt.cache_tag)};
  pass_over_stale_runtime(shared, Trust::current());
  EXPECT_EQ(shared.runtime, &rt);
}

PolicyResolution asking(const std::string& python, const std::string& specifier) {
  PolicyResolution r = with_requires_python(specifier);
  r.policy.override(Key::Python, python, Origin{Source::CommandLine, "--python"});
  return r;
}

// A request that contradicts requires-python is refused, as uv refuses it:
// one line naming the Python the request resolved to, where it came from,
// and the requirement with its place.
TEST_F(ChoosePython, ARequestThatContradictsRequiresPythonIsRefused) {
  const std::string ours(self().major_minor);
  const std::string version(self().version);
  PythonChoice c = choose_python(asking(ours, ">=3.99"));
  EXPECT_EQ(c.runtime, nullptr) << "never run";
  EXPECT_FALSE(c.interpreter);
  EXPECT_EQ(c.cache_tag, self().cache_tag) << "status and clean still judge that Python's pycs";
  auto e = require_runtime(c);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, kExitUsage);
  EXPECT_EQ(e.error().message, "Python " + ours + " (command line --python) resolved to Python " + version +
                                   ", which does not satisfy requires-python \">=3.99\" "
                                   "(/p/pyproject.toml:3:19): ask for a Python that does, or change requires-python");
  // A path, once its version is known.
  PythonChoice path = choose_python(asking(std::string(self().interpreter), ">=3.99"));
  EXPECT_EQ(path.runtime, nullptr);
  ASSERT_FALSE(require_runtime(path));
  EXPECT_THAT(require_runtime(path).error().message, HasSubstr("does not satisfy requires-python \">=3.99\""));
  // .python-version too.
  PolicyResolution file = with_requires_python(">=3.99");
  file.project_python.version_file = "/p/.python-version";
  file.project_python.version_text = ours + "\n";
  auto f = require_runtime(choose_python(file));
  ASSERT_FALSE(f);
  EXPECT_THAT(f.error().message, StartsWith("Python " + ours + " (/p/.python-version) resolved to Python " + version));
  // A request that satisfies it runs.
  EXPECT_EQ(choose_python(asking(ours, ">=3.8")).runtime, &self());
  EXPECT_EQ(choose_python(asking(ours, "==" + ours + ".*")).runtime, &self());
}

}  // namespace
}  // namespace pycache
