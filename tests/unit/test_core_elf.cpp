#include "pycache/elf.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <random>

#include "elf_builder.hpp"
#include "temp_dir.hpp"

namespace pycache::elf {
namespace {

using test::ElfLayout;
using test::ElfSpec;
using test::make_elf;
using test::put;
using test::TempDir;
using test::write_file;

const fs::path kPyenv312 = "/root/.pyenv/versions/3.12.1/bin/python3.12";
const fs::path kDebian311 = "/usr/bin/python3.11";

std::string read_all(const fs::path& p) { return test::read_file(p); }

TEST(ReadDynamic, TheLibrariesAndSearchPathsOfACraftedFile) {
  TempDir t;
  write_file(t / "python3.12", make_elf({{"libpython3.12.so.1.0", "libc.so.6"},
                                         "$ORIGIN/../lib:/opt/lib::${ORIGIN}/x",
                                         "/old",
                                         "libpython3.12.so.1.0",
                                         "3.12.1"}));
  auto info = read_dynamic(t / "python3.12", "/p/bin");
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_TRUE(info->dynamic);
  EXPECT_EQ(info->needed, (std::vector<std::string>{"libpython3.12.so.1.0", "libc.so.6"}));
  EXPECT_EQ(info->runpath, (std::vector<std::string>{"/p/bin/../lib", "/opt/lib", "/p/bin/x"}));
  EXPECT_EQ(info->rpath, (std::vector<std::string>{"/old"}));
  EXPECT_EQ(info->soname, "libpython3.12.so.1.0");
  EXPECT_EQ(info->rodata.size, 6U);
  EXPECT_EQ(read_all(t / "python3.12").substr(info->rodata.offset, 6), "3.12.1");
}

// A file cut inside a segment the loader maps: dlopen would fault on it.
TEST(CheckSegments, AFileCutInsideALoadedSegmentIsTruncated) {
  TempDir t;
  const std::string whole = make_elf({{"libc.so.6"}, "", "", "libpython3.12.so.1.0", "3.12.1"});
  write_file(t / "whole.so", whole);
  EXPECT_FALSE(check_segments(t / "whole.so"));
  write_file(t / "cut.so", whole.substr(0, whole.size() - 1));
  auto bad = check_segments(t / "cut.so");
  ASSERT_TRUE(bad);
  EXPECT_NE(bad->message.find("truncated"), std::string::npos) << bad->message;
  write_file(t / "empty.so", "");
  ASSERT_TRUE(check_segments(t / "empty.so"));
  EXPECT_EQ(check_segments(t / "empty.so")->message, "not an ELF file");
  EXPECT_TRUE(check_segments(t.path()));
}

TEST(ReadDynamic, AStaticExecutableHasNoDynamicSection) {
  TempDir t;
  ElfSpec spec;
  spec.dynamic = false;
  write_file(t / "python3.11", make_elf(spec));
  auto info = read_dynamic(t / "python3.11", t.path());
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_FALSE(info->dynamic);
  EXPECT_TRUE(info->needed.empty());
}

TEST(SplitSearchPath, OriginIsExpandedEverywhereAndEmptyEntriesDropped) {
  EXPECT_EQ(split_search_path("$ORIGIN:$ORIGIN/$ORIGIN:", "/o"), (std::vector<std::string>{"/o", "/o//o"}));
  EXPECT_EQ(split_search_path("", "/o"), std::vector<std::string>{});
  EXPECT_EQ(split_search_path("$LIB/x", "/o"), std::vector<std::string>{"$LIB/x"}) << "other tokens are kept";
}

TEST(ReadDynamic, WhatIsNotARegularFileIsRefusedWithoutReading) {
  TempDir t;
  ASSERT_EQ(::mkfifo((t / "fifo").c_str(), 0644), 0);
  fs::create_directory(t / "dir");
  write_file(t / "real", make_elf({}));
  fs::create_symlink(t / "real", t / "link");
  EXPECT_EQ(read_dynamic(t / "fifo", t.path()).error().message, "not a regular file") << "and no hang";
  EXPECT_EQ(read_dynamic(t / "dir", t.path()).error().message, "not a regular file");
  EXPECT_EQ(read_dynamic("/dev/zero", "/dev").error().message, "not a regular file");
  EXPECT_FALSE(read_dynamic(t / "absent", t.path()));
  EXPECT_EQ(read_dynamic(t / "link", t.path(), FollowLinks::No).error().message, "a symbolic link");
  EXPECT_TRUE(read_dynamic(t / "link", t.path(), FollowLinks::Yes));
}

TEST(ReadDynamic, AScriptOrAnEmptyFileIsNotAnElfFile) {
  TempDir t;
  write_file(t / "shim", "#!/usr/bin/env bash\nexec pyenv exec python3.12 \"$@\"\n");
  write_file(t / "empty", "");
  write_file(t / "magic",
             "\x7f"
             "ELF");
  for (const char* name : {"shim", "empty", "magic"})
    EXPECT_EQ(read_dynamic(t / name, t.path()).error().message, "not an ELF file") << name;
}

// A crafted file, `edit`ed, then read: an error with `message`.
void expect_refused(const std::string& message, void (*edit)(std::string&, const ElfLayout&)) {
  TempDir t;
  ElfLayout l;
  std::string bytes = make_elf({{"libpython3.12.so.1.0"}, "/lib"}, &l);
  edit(bytes, l);
  write_file(t / "f", bytes);
  auto info = read_dynamic(t / "f", t.path());
  ASSERT_FALSE(info) << message;
  EXPECT_EQ(info.error().message, message);
}

TEST(ReadDynamic, CraftedHeadersThatPointOutsideTheFileAreRefused) {
  expect_refused("not an ELF file: not a 64-bit one", [](std::string& b, const ElfLayout&) { b[EI_CLASS] = 1; });
  expect_refused("not an ELF file: not a little-endian one", [](std::string& b, const ElfLayout&) { b[EI_DATA] = 2; });
  expect_refused("not an ELF file: bad program headers",
                 [](std::string& b, const ElfLayout&) { put<Elf64_Half>(b, offsetof(Elf64_Ehdr, e_phnum), 0xffff); });
  expect_refused("not an ELF file: truncated program headers", [](std::string& b, const ElfLayout&) {
    put<Elf64_Off>(b, offsetof(Elf64_Ehdr, e_phoff), ~Elf64_Off{0} - 8);
  });
  // The PT_DYNAMIC header's p_filesz, then its p_offset.
  expect_refused("not an ELF file: dynamic segment too large", [](std::string& b, const ElfLayout& l) {
    put<Elf64_Xword>(b, l.phoff + sizeof(Elf64_Phdr) + offsetof(Elf64_Phdr, p_filesz), Elf64_Xword{1} << 40);
  });
  expect_refused("not an ELF file: truncated dynamic segment", [](std::string& b, const ElfLayout& l) {
    put<Elf64_Off>(b, l.phoff + sizeof(Elf64_Phdr) + offsetof(Elf64_Phdr, p_offset), b.size() - 8);
  });
  // DT_NEEDED's string offset (the first entry), then DT_STRTAB's address and DT_STRSZ.
  expect_refused("not an ELF file: a dynamic entry outside the string table", [](std::string& b, const ElfLayout& l) {
    put<Elf64_Xword>(b, l.dynamic + offsetof(Elf64_Dyn, d_un), 1 << 20);
  });
  expect_refused("not an ELF file: bad dynamic string table", [](std::string& b, const ElfLayout& l) {
    put<Elf64_Addr>(b, l.dynamic + 2 * sizeof(Elf64_Dyn) + offsetof(Elf64_Dyn, d_un), Elf64_Addr{1} << 50);
  });
  expect_refused("not an ELF file: truncated dynamic string table", [](std::string& b, const ElfLayout& l) {
    put<Elf64_Xword>(b, l.dynamic + 3 * sizeof(Elf64_Dyn) + offsetof(Elf64_Dyn, d_un), 4 << 20);
  });
  // A string table without its final NUL: the last string never ends.
  expect_refused("not an ELF file: a dynamic entry outside the string table", [](std::string& b, const ElfLayout& l) {
    put<Elf64_Xword>(b, l.dynamic + 3 * sizeof(Elf64_Dyn) + offsetof(Elf64_Dyn, d_un), 1 + 21 + 4);
  });
}

TEST(ScanVersion, TheOneVersionEndingWithANulInTheReadOnlyData) {
  TempDir t;
  auto scan = [&](const std::string& rodata, std::string_view minor = "3.12") {
    write_file(t / "lib", make_elf({{}, {}, {}, {}, rodata}));
    auto info = read_dynamic(t / "lib", t.path());
    return info ? scan_version(t / "lib", info->rodata, minor) : "error";
  };
  EXPECT_EQ(scan(std::string("x\0003.12.1\0y", 10)), "3.12.1");
  EXPECT_EQ(scan(std::string("/opt/python-3.12.7\0", 19)), "3.12.7") << "merged into a longer string's end";
  EXPECT_EQ(scan(std::string("3.13.0rc2+\0", 11), "3.13"), "3.13.0rc2+");
  EXPECT_EQ(scan(std::string("3.12.1\0003.12.1\0", 14)), "3.12.1") << "the same twice";
  EXPECT_EQ(scan(std::string("3.12.1\0003.12.2\0", 14)), "") << "two that disagree";
  EXPECT_EQ(scan(std::string("13.12.1\0", 8)), "") << "another version's tail";
  EXPECT_EQ(scan(std::string("3.12.1 (main)\0", 14)), "") << "not at a string's end";
  EXPECT_EQ(scan(std::string("3.12.\0", 6)), "");
  EXPECT_EQ(scan(std::string("3.12.1", 6)), "") << "no NUL before the section ends";
  EXPECT_EQ(scan_version(t / "lib", Range{1 << 30, 8}, "3.12"), "") << "a range outside the file";
}

// Every prefix of `bytes`, and `bytes` with bytes changed at random: read
// without crashing or reading out of bounds (the sanitizer build checks).
void read_damaged_copies(const std::string& bytes, std::size_t step) {
  TempDir t;
  for (std::size_t n = 0; n < bytes.size(); n += step) {
    fs::remove(t / "cut");  // rewriting in place would flush each time (ext4's auto_da_alloc)
    write_file(t / "cut", bytes.substr(0, n));
    auto info = read_dynamic(t / "cut", t.path());
    if (info) (void)scan_version(t / "cut", info->rodata, "3.12");
  }
  std::mt19937 random(42);
  for (int copy = 0; copy < 200; ++copy) {
    std::string damaged = bytes;
    for (int i = 0; i < 8; ++i) {
      // Mostly the headers and the dynamic segment, where the reader looks.
      const std::size_t span = copy % 2 ? std::min<std::size_t>(bytes.size(), 4096) : bytes.size();
      damaged[random() % span] = static_cast<char>(random());
    }
    fs::remove(t / "damaged");
    write_file(t / "damaged", damaged);
    auto info = read_dynamic(t / "damaged", t.path());
    if (info) (void)scan_version(t / "damaged", info->rodata, "3.12");
  }
}

TEST(ReadDynamic, TruncatedAndCorruptedCopiesAreReadOrRefusedNeverCrash) {
  read_damaged_copies(make_elf({{"libpython3.12.so.1.0", "libc.so.6"}, "$ORIGIN/../lib", {}, {}, "3.12.1"}), 1);
  if (!fs::exists(kPyenv312)) GTEST_SKIP() << kPyenv312 << " is not on this machine";
  read_damaged_copies(read_all(kPyenv312), 61);
}

TEST(ReadDynamic, PyenvsPython312LinksItsLibpythonThroughItsRunpath) {
  if (!fs::exists(kPyenv312)) GTEST_SKIP() << kPyenv312 << " is not on this machine";
  auto info = read_dynamic(kPyenv312, kPyenv312.parent_path());
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->needed.front(), "libpython3.12.so.1.0");
  EXPECT_EQ(info->runpath, std::vector<std::string>{"/root/.pyenv/versions/3.12.1/lib"});
  EXPECT_TRUE(info->rpath.empty());
}

TEST(ReadDynamic, DebiansPython311IsStaticAndHoldsItsVersion) {
  if (!fs::exists(kDebian311)) GTEST_SKIP() << kDebian311 << " is not on this machine";
  auto info = read_dynamic(kDebian311, kDebian311.parent_path());
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_TRUE(info->dynamic) << "it links libc";
  for (const auto& n : info->needed) EXPECT_EQ(n.find("libpython"), std::string::npos) << n;
  const std::string version = scan_version(kDebian311, info->rodata, "3.11");
  EXPECT_EQ(version.substr(0, 5), "3.11.") << "PY_VERSION, from its .rodata";
}

}  // namespace
}  // namespace pycache::elf
