// The embedding module loader (core/embed_module.cpp): what it refuses
// before loading anything, and the tables it refuses after. The modules and
// "libpythons" here are stand-ins (support/fake_embed_module.cpp): loading
// them starts no Python.
#include "pycache/embed_module.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "temp_dir.hpp"

namespace pycache::embed_module {
namespace {

using test::TempDir;

class EmbedModuleLoad : public ::testing::Test {
 protected:
  TempDir t;
  fs::path lib = t / "lib";
  fs::path modules = t / "modules";

  void SetUp() override {
    fs::create_directories(lib);
    fs::create_directories(modules);
  }
  // An interpreter of `name` (3.12, 3.13t) whose libpython is a copy of a
  // stand-in module, named `libpython`.
  interpreters::Interpreter interpreter(const std::string& name, const std::string& libpython) {
    interpreters::Interpreter in;
    in.path = in.real = t / "bin" / ("python" + name);
    in.free_threaded = name.back() == 't';
    in.major_minor = in.free_threaded ? name.substr(0, name.size() - 1) : name;
    in.libpython = lib / libpython;
    fs::copy_file(fake("ok"), in.libpython, fs::copy_options::overwrite_existing);
    return in;
  }
  static fs::path fake(const std::string& what) {
    return fs::path(PYCACHE_TEST_FAKE_EMBED_DIR) / ("fake_embed_" + what + ".so");
  }
  void install_module(const std::string& what, const std::string& name) {
    fs::copy_file(fake(what), modules / ("pycache-embed-" + name + ".so"), fs::copy_options::overwrite_existing);
  }
  std::string error_of(const interpreters::Interpreter& in) {
    auto m = load(in, modules);
    EXPECT_FALSE(m) << "loaded " << in.name();
    if (m) return {};
    EXPECT_EQ(m.error().code, kExitEnvironment);
    EXPECT_EQ(m.error().message.find('\n'), std::string::npos) << m.error().message;
    // check() says what load() says, when load() fails before opening anything.
    if (auto c = check(in, modules)) {
      EXPECT_EQ(c->message, m.error().message);
    }
    return m.error().message;
  }
};

TEST_F(EmbedModuleLoad, AModuleOfTheInterpretersVersionIsLoaded) {
  install_module("ok", "3.12");
  auto m = load(interpreter("3.12", "libpython3.12.so.1.0"), modules);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->table->major, 3);
  EXPECT_EQ(m->table->minor, 12);
  EXPECT_EQ(m->file, modules / "pycache-embed-3.12.so");
}

// Bound lazily, a module may call what a libpython older than its headers
// lacks: such a libpython is refused when loaded, not a crash later.
TEST_F(EmbedModuleLoad, AnInterpreterOlderThanTheModulesHeadersIsRefused) {
  install_module("newer", "3.12");                        // built with 3.12.10's headers
  auto in = interpreter("3.12", "libpython3.12.so.1.0");  // its library written once: it stays mapped
  in.version = "3.12.9";
  auto m = load(in, modules);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("built with the headers of Python 3.12.10, a later release than this Python 3.12.9"),
            std::string::npos)
      << m.error().message;
  in.version = "3.12.10rc1";
  EXPECT_FALSE(load(in, modules)) << "a pre-release comes before its release";
  for (const char* v : {"3.12.10", "3.12.11", "3.12.100"}) {
    in.version = v;
    auto ok = load(in, modules);
    EXPECT_TRUE(ok) << v << ": " << (ok ? "" : ok.error().message);
  }
}

TEST_F(EmbedModuleLoad, CheckPassesWhereLoadWouldOpenTheLibraries) {
  install_module("ok", "3.12");
  EXPECT_EQ(check(interpreter("3.12", "libpython3.12.so.1.0"), modules), std::nullopt);
}

TEST_F(EmbedModuleLoad, AMissingModuleIsOneClearLine) {
  EXPECT_EQ(error_of(interpreter("3.12", "libpython3.12.so.1.0")),
            "no embedding module for Python 3.12: '" + (modules / "pycache-embed-3.12.so").native() + "' is missing");
}

TEST_F(EmbedModuleLoad, ARefusedInterpreterIsNotLoaded) {
  install_module("ok", "3.12");
  auto in = interpreter("3.12", "libpython3.12.so.1.0");
  in.refused = "it is owned by nobody (uid 65534), not by you or root";
  EXPECT_NE(error_of(in).find("is not used: it is owned by nobody"), std::string::npos);
}

TEST_F(EmbedModuleLoad, AStaticInterpreterHasNoLibraryToLoad) {
  auto in = interpreter("3.12", "libpython3.12.so.1.0");
  in.libpython.clear();
  EXPECT_NE(error_of(in).find("has no shared libpython"), std::string::npos);
}

TEST_F(EmbedModuleLoad, ADebugLibpythonIsRefused) {
  install_module("ok", "3.12");
  EXPECT_NE(error_of(interpreter("3.12", "libpython3.12d.so.1.0")).find("is a debug build"), std::string::npos);
}

TEST_F(EmbedModuleLoad, ALibraryNotNamedAsALibpythonIsRefused) {
  install_module("ok", "3.12");
  for (const char* name : {"libfoo.so", "libpython3.so", "libpython3.x.so", "libpython3.12"})
    EXPECT_NE(error_of(interpreter("3.12", name)).find("is not named as a libpython"), std::string::npos) << name;
}

TEST_F(EmbedModuleLoad, ALibpythonOfAnotherVersionOrThreadingIsRefused) {
  install_module("ok", "3.12");
  EXPECT_NE(error_of(interpreter("3.12", "libpython3.11.so.1.0")).find("is Python 3.11's"), std::string::npos);
  EXPECT_NE(error_of(interpreter("3.13t", "libpython3.13.so.1.0")).find("is Python 3.13's"), std::string::npos);
  EXPECT_NE(error_of(interpreter("3.13", "libpython3.13t.so.1.0")).find("is Python 3.13t's"), std::string::npos);
}

TEST_F(EmbedModuleLoad, AModuleBuiltForAnotherMinorVersionOrThreadingIsRefused) {
  install_module("minor", "3.12");
  EXPECT_NE(error_of(interpreter("3.12", "libpython3.12.so.1.0")).find("was built for Python 3.11, not 3.12"),
            std::string::npos);
  install_module("threads", "3.13t");
  EXPECT_NE(error_of(interpreter("3.13t", "libpython3.13t.so.1.0")).find("was built for Python 3.13, not 3.13t"),
            std::string::npos);
}

TEST_F(EmbedModuleLoad, AModuleNeedingWhatTheLibpythonLacksIsAnErrorNotACrash) {
  install_module("undefined", "3.12");
  const std::string e = error_of(interpreter("3.12", "libpython3.12.so.1.0"));
  EXPECT_NE(e.find("could not be loaded"), std::string::npos) << e;
  EXPECT_NE(e.find("PyFake_NoLibpythonHasThis"), std::string::npos) << e;
}

TEST_F(EmbedModuleLoad, AModuleOfAnotherTableVersionIsRefused) {
  install_module("table", "3.12");
  EXPECT_NE(error_of(interpreter("3.12", "libpython3.12.so.1.0")).find("table version 2, not 1"), std::string::npos);
}

TEST_F(EmbedModuleLoad, FilesAnyoneCanWriteOrReplaceAreRefused) {
  install_module("ok", "3.12");
  auto in = interpreter("3.12", "libpython3.12.so.1.0");
  ASSERT_EQ(::chmod(lib.c_str(), 0777), 0);
  EXPECT_NE(error_of(in).find("is writable by everyone"), std::string::npos);
  ASSERT_EQ(::chmod(lib.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(in.libpython.c_str(), 0666), 0);
  EXPECT_NE(error_of(in).find("it is writable by everyone"), std::string::npos);
  ASSERT_EQ(::chmod(in.libpython.c_str(), 0644), 0);
  ASSERT_EQ(::chmod((modules / "pycache-embed-3.12.so").c_str(), 0646), 0);
  EXPECT_NE(error_of(in).find("the embedding module"), std::string::npos);
}

TEST_F(EmbedModuleLoad, FilesOfAnotherUserAreRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give files to nobody";
  install_module("ok", "3.12");
  auto in = interpreter("3.12", "libpython3.12.so.1.0");
  ASSERT_EQ(::chown(in.libpython.c_str(), 65534, 65534), 0);
  EXPECT_NE(error_of(in).find("library '" + in.libpython.native() + "' is not loaded: '" + in.libpython.native() +
                              "' is owned by nobody (uid 65534)"),
            std::string::npos)
      << error_of(in);
  ASSERT_EQ(::chown(in.libpython.c_str(), 0, 0), 0);
  ASSERT_EQ(::chown(modules.c_str(), 65534, 65534), 0);
  EXPECT_NE(error_of(in).find("is owned by nobody"), std::string::npos);
}

}  // namespace
}  // namespace pycache::embed_module
