// pycache-embedded installed alone (no static runtime beside it, as the
// .deb installs it: bin/pycache-embedded, its pycache and pycache-python
// links, lib/pycache/ with the embedding modules), and what it loads when
// those files are damaged: one error line, never a crash.
#include <gtest/gtest.h>

#include <elf.h>
#include <sys/stat.h>

#include <fstream>

#include <cstdlib>

#include "process.hpp"
#include "python_layouts.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

// Where the last loaded segment of an ELF64 file starts in it (0 if unread).
std::uintmax_t last_segment_offset(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  Elf64_Ehdr e{};
  if (!in.read(reinterpret_cast<char*>(&e), sizeof e)) return 0;
  std::uintmax_t last = 0;
  for (unsigned i = 0; i < e.e_phnum; ++i) {
    Elf64_Phdr p{};
    in.seekg(static_cast<std::streamoff>(e.e_phoff + i * sizeof p));
    if (!in.read(reinterpret_cast<char*>(&p), sizeof p)) return 0;
    if (p.p_type == PT_LOAD && p.p_filesz > 8192) last = std::max<std::uintmax_t>(last, p.p_offset);
  }
  return last;
}

class EmbeddedLoader : public ::testing::Test {
 protected:
  TempDir t;
  fs::path root = t / "inst";
  fs::path proj = t / "proj";
  Env env = isolated_env(t.path());

  void SetUp() override {
    if (std::getenv("PYCACHE_TEST_RUNTIME")) GTEST_SKIP() << "runtime independent: run with the default runtime";
    const fs::path bin = fs::canonical(pycache_bin()).parent_path();
    if (!fs::exists(bin / "pycache-embedded") || !fs::exists(bin.parent_path() / "lib/pycache"))
      GTEST_SKIP() << "this build has no pycache-embedded";
    fs::create_directories(root / "bin");
    fs::create_directories(root / "lib");
    fs::copy_file(bin / "pycache-embedded", root / "bin/pycache-embedded");
    fs::copy(bin.parent_path() / "lib/pycache", root / "lib/pycache");
    fs::create_symlink("pycache-embedded", root / "bin/pycache");
    fs::create_symlink("pycache-embedded", root / "bin/pycache-python");
    write_file(proj / "pycache.toml", "cache-prefix = \"../pfx\"\n");
  }
  Outcome pycache(std::vector<std::string> args) {
    args.insert(args.begin(), (root / "bin/pycache").native());
    return run({args, std::nullopt, env, proj});
  }
  static void truncate_to(const fs::path& file, std::uintmax_t size) {
    fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
    fs::resize_file(file, size);
  }
  static void expect_one_error_line(const Outcome& o, const std::string& names) {
    EXPECT_EQ(o.signal, 0) << "a crash: " << o.err;
    EXPECT_EQ(o.exit_code, 3) << o.err;
    EXPECT_EQ(o.out, "");
    EXPECT_EQ(o.err.rfind("pycache: error: ", 0), 0u) << o.err;
    EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << "one line: " << o.err;
    EXPECT_NE(o.err.find(names), std::string::npos) << o.err;
  }
};

TEST_F(EmbeddedLoader, WithNoRuntimeBesideItTheDefaultPythonOfTheMachineRuns) {
  auto o = pycache({"run", "-c", "import sys; print(sys.version_info[:2] == (3, 11) or sys.version_info[:2])"});
  const std::string tag = python_cache_tag();
  if (tag != "cpython-311") GTEST_SKIP() << "the default runtime is " << tag;
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "True\n");
  auto direct = run({{(root / "bin/pycache-python").native(), "-c", "print(6 * 7)"}, std::nullopt, env, t.path()});
  EXPECT_EQ(direct.exit_code, 0) << direct.err;
  EXPECT_EQ(direct.out, "42\n");
}

// A module cut short (a full disk during an install, a partial copy): its
// ELF header promises segments the file does not hold, and the loader's
// mapping of them faulted (SIGBUS) when dlopen touched them.
TEST_F(EmbeddedLoader, ATruncatedEmbeddingModuleIsOneLineNotACrash) {
  const fs::path module = root / "lib/pycache/pycache-embed-3.11.so";
  truncate_to(module, 4096);
  auto o = run({{(root / "bin/pycache-python").native(), "-c", "pass"}, std::nullopt, env, proj});
  expect_one_error_line(o, module.native());
  truncate_to(module, 0);
  expect_one_error_line(run({{(root / "bin/pycache-python").native(), "-c", "pass"}, std::nullopt, env, proj}),
                        module.native());
}

// The same for the interpreter's own libpython (a copy of pyenv's 3.12 that
// loads it through $ORIGIN, as uv's Pythons do).
TEST_F(EmbeddedLoader, ATruncatedLibpythonIsOneLineNotACrash) {
  const fs::path home = pyenv_version("3.12");
  if (home.empty()) GTEST_SKIP() << "needs pyenv's 3.12";
  const fs::path copy = t / "py312";
  ASSERT_EQ(run({{"/bin/cp", "-a", home.native(), copy.native()}, std::nullopt, env, t.path()}).exit_code, 0);
  ASSERT_TRUE(edit_runpath(copy / "bin/python3.12", "$ORIGIN/../lib"));
  const fs::path lib = copy / "lib/libpython3.12.so.1.0";
  ASSERT_TRUE(fs::is_regular_file(fs::symlink_status(lib)));
  // Cut in its last loaded segment (pyenv's keeps its debug information after it).
  const std::uintmax_t last = last_segment_offset(lib);
  ASSERT_GT(last, 0u);
  truncate_to(lib, last + 4096);
  auto o = pycache({"run", "--python", (copy / "bin/python3.12").native(), "-c", "pass"});
  expect_one_error_line(o, "truncated");
}

// A module refused (here: lib/pycache writable by everyone) is said as such,
// with no list of runtimes this program has none of.
TEST_F(EmbeddedLoader, ARefusedModuleIsSaidPlainly) {
  fs::permissions(root / "lib/pycache", fs::perms::others_write, fs::perm_options::add);
  auto o = run({{(root / "bin/pycache-python").native(), "-c", "pass"}, std::nullopt, env, proj});
  expect_one_error_line(o, "writable by everyone");
  EXPECT_EQ(o.err.find("has ;"), std::string::npos) << o.err;
}

}  // namespace
}  // namespace pycache::test
