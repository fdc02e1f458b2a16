#include "pycache/python_list.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "temp_dir.hpp"

namespace pycache::python_list {
namespace {

using interpreters::Interpreter;
using interpreters::Link;
using interpreters::Place;
using test::TempDir;
using test::write_file;

// A shared 3.12 under `t`: its libpython (a plain file: nothing is loaded) and, with `module`, its embedding module.
struct Install {
  TempDir t;
  fs::path modules = t / "lib/pycache";
  Interpreter in;
  explicit Install(bool module = true) {
    in.path = t / "bin/python3.12";
    in.real = in.path;
    in.place = Place::Pyenv;
    in.major_minor = "3.12";
    in.version = "3.12.1";
    in.link = Link::Shared;
    in.libpython = t / "lib/libpython3.12.so.1.0";
    write_file(in.path, "");
    write_file(in.libpython, "");
    fs::create_directories(modules);
    if (module) write_file(modules / "pycache-embed-3.12.so", "");
  }
};

const runtime::Runtime* no_runtime(std::string_view) { return nullptr; }

TEST(WhyNotEmbeddable, AnInterpreterWithItsModuleAndLibpythonIsEmbeddable) {
  Install i;
  EXPECT_EQ(why_not_embeddable(i.in, i.modules, Trust::current()), std::nullopt);
}

TEST(WhyNotEmbeddable, ARefusedOneIsNot) {
  Install i;
  i.in.refused = "it is owned by nobody (uid 65534), not by you or root";
  EXPECT_EQ(why_not_embeddable(i.in, i.modules, Trust::current()), "refused");
}

TEST(WhyNotEmbeddable, AStaticOneIsNot) {
  Install i;
  i.in.link = Link::Static;
  i.in.libpython.clear();
  EXPECT_EQ(why_not_embeddable(i.in, i.modules, Trust::current()), "no shared libpython");
}

TEST(WhyNotEmbeddable, AMinorWithNoModuleIsNotAndTheLoaderSaysWhy) {
  Install i(false);
  auto why = why_not_embeddable(i.in, i.modules, Trust::current());
  ASSERT_TRUE(why);
  EXPECT_EQ(why->rfind("no embedding module for Python 3.12: ", 0), 0U) << *why;
}

TEST(WhyNotEmbeddable, ALibpythonAnyoneCanWriteIsNot) {
  Install i;
  fs::permissions(i.in.libpython, fs::perms(0666));
  auto why = why_not_embeddable(i.in, i.modules, Trust::current());
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("it is writable by everyone"), std::string::npos) << *why;
}

TEST(WhyNotEmbeddable, ADebugLibpythonIsNot) {
  Install i;
  i.in.libpython = i.t / "lib/libpython3.12d.so.1.0";
  write_file(i.in.libpython, "");
  auto why = why_not_embeddable(i.in, i.modules, Trust::current());
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("debug build"), std::string::npos) << *why;
}

TEST(FormatList, OneLineWithVersionPathAliasesLibpythonAndTheTwoFacts) {
  Install i;
  i.in.aliases = {"/usr/bin/python3", "/bin/python3"};
  auto text = format_list(rows({i.in}, i.modules, Trust::current(), no_runtime));
  EXPECT_EQ(text, "3.12.1  " + i.in.path.native() + " (also /usr/bin/python3, /bin/python3)  libpython " +
                      i.in.libpython.native() + "  embed: yes  run: embedded, through pycache-embed-3.12.so\n");
}

TEST(FormatList, StaticRefusedAndFreeThreadedAreSaidPlainly) {
  Install i(false);
  Interpreter st = i.in;
  st.link = Link::Static;
  st.libpython.clear();
  st.version = "3.13";
  st.major_minor = "3.13";
  st.free_threaded = true;
  Interpreter theirs = i.in;
  theirs.refused = "it is owned by nobody (uid 65534), not by you or root";
  auto text = format_list(rows({st, theirs}, i.modules, Trust::current(), no_runtime));
  EXPECT_NE(text.find("3.13t   " + st.path.native() + "  static, no shared libpython  embed: no (no shared libpython)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("3.12.1  " + theirs.path.native() + "  libpython " + theirs.libpython.native() +
                      "  refused: it is owned by nobody (uid 65534), not by you or root  embed: no (refused)"),
            std::string::npos)
      << text;
}

TEST(FormatList, OneThatCantBeEmbeddedRunsItselfUnlessRefused) {
  Install i(false);
  Interpreter theirs = i.in;
  theirs.refused = "it is owned by nobody (uid 65534), not by you or root";
  Interpreter old = i.in;
  old.major_minor = "3.7";
  old.version = "3.7.16";
  auto text = format_list(rows({i.in, theirs, old}, i.modules, Trust::current(), no_runtime));
  EXPECT_NE(text.find("  run: itself, the policy in python's flags (it can't be "
                      "embedded)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("embed: no (refused)  run: not run (it is refused)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("run: not run (it is refused)\n"), std::string::npos) << text;
}

// A static runtime runs only the very file it was built from; another
// interpreter of its minor version is embedded.
TEST(FormatList, AStaticRuntimeIsNamedForItsVeryInterpreterOnly) {
  Install i;
  const runtime::Runtime& self = *runtime::all().begin();
  i.in.major_minor = std::string(self.major_minor);
  i.in.free_threaded = self.free_threaded;
  i.in.real = std::string(self.interpreter_real);
  auto text = format_list(rows({i.in}, i.modules, Trust::current(), runtime::find));
  EXPECT_NE(text.find("  run: the static runtime " + self.program() + " of this install\n"), std::string::npos) << text;
  i.in.real = i.t / "elsewhere/python";
  text = format_list(rows({i.in}, i.modules, Trust::current(), runtime::find));
  EXPECT_EQ(text.find("static runtime"), std::string::npos) << text;
}

TEST(FormatListJson, AnArrayOfOneObjectPerInterpreter) {
  Install i(false);
  i.in.aliases = {"/usr/bin/python3"};
  auto json = format_list_json(rows({i.in}, i.modules, Trust::current(), no_runtime));
  EXPECT_EQ(json.front(), '[');
  EXPECT_EQ(json.substr(json.size() - 2), "]\n");
  EXPECT_NE(json.find("\"name\":\"3.12\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"version\":\"3.12.1\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"aliases\":[\"/usr/bin/python3\"]"), std::string::npos) << json;
  EXPECT_NE(json.find("\"place\":\"pyenv\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"refused\":null"), std::string::npos) << json;
  EXPECT_NE(json.find("\"embeddable\":false"), std::string::npos) << json;
  EXPECT_NE(json.find("\"run_runtime\":null"), std::string::npos) << json;
  EXPECT_EQ(format_list_json({}), "[]\n");
}

// "run": how `pycache run` runs it, and "run_reason": why not embedded.
TEST(FormatListJson, RunSaysHowRunRunsEachAndWhyNotEmbedded) {
  Install i(false);
  Interpreter theirs = i.in;
  theirs.path = i.t / "theirs/python3.12";
  theirs.refused = "it is owned by nobody (uid 65534), not by you or root";
  Interpreter old = i.in;
  old.path = i.t / "old/python3.7";
  old.major_minor = "3.7";
  old.version = "3.7.16";
  auto json = format_list_json(rows({i.in, theirs, old}, i.modules, Trust::current(), no_runtime));
  EXPECT_NE(json.find("\"run\":\"itself\",\"run_reason\":\"no embedding module for Python 3.12: "), std::string::npos)
      << json;
  EXPECT_NE(json.find("\"run\":\"not run\",\"run_reason\":\"Python 3.12 at '" + theirs.path.native() +
                      "' is not used: it is owned by nobody (uid 65534), not by you or root\""),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"run\":\"not run\",\"run_reason\":\"Python 3.7 at '" + old.path.native() +
                      "' is not used: it has no -X pycache_prefix"),
            std::string::npos)
      << json;
  Install embedded;
  json = format_list_json(rows({embedded.in}, embedded.modules, Trust::current(), no_runtime));
  EXPECT_NE(json.find("\"run\":\"embedded\",\"run_reason\":null"), std::string::npos) << json;
  const runtime::Runtime& self = *runtime::all().begin();
  embedded.in.major_minor = std::string(self.major_minor);
  embedded.in.free_threaded = self.free_threaded;
  embedded.in.real = std::string(self.interpreter_real);  // the very file the static runtime was built from
  json = format_list_json(rows({embedded.in}, embedded.modules, Trust::current(), runtime::find));
  EXPECT_NE(json.find("\"run\":\"runtime\",\"run_reason\":null"), std::string::npos) << json;
}

}  // namespace
}  // namespace pycache::python_list
