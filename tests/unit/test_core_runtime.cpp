#include "pycache/runtime.hpp"

#include <gtest/gtest.h>

#include <string>

#include "pycache/paths.hpp"

namespace pycache::runtime {
namespace {

std::string digits_of(std::string_view major_minor) {
  std::string out;
  for (char c : major_minor)
    if (c != '.') out += c;
  return out;
}

TEST(Runtime, TheTableIsConsistentRowByRow) {
  ASSERT_FALSE(all().empty());
  ASSERT_NE(self(), nullptr) << "a build with tests has a runtime";
  bool self_listed = false;
  for (const auto& r : all()) {
    self_listed = self_listed || &r == self();
    const std::string mm(r.major_minor);
    EXPECT_EQ(std::string(r.name), mm + (r.free_threaded ? "t" : "")) << r.name;
    EXPECT_TRUE(std::string(r.version).starts_with(mm + ".")) << r.version;
    // CPython's sys.implementation.cache_tag, the same for the t ABI.
    EXPECT_EQ(std::string(r.cache_tag), "cpython-" + digits_of(mm)) << r.name;
    EXPECT_EQ(r.program(), "pycache-python" + std::string(r.name));
    EXPECT_TRUE(std::string(r.build_version).starts_with(std::string(r.version))) << r.build_version;
    EXPECT_TRUE(r.link == "static" || r.link == "shared") << r.link;
    EXPECT_GT(r.magic, 3000) << "a CPython 3 magic number";
  }
  EXPECT_TRUE(self_listed);
}

TEST(Runtime, InstallCarriesTheRowsPaths) {
  const Runtime& r = *self();
  PythonInstall i = r.install();
  EXPECT_EQ(i.home, fs::path(r.prefix));
  EXPECT_EQ(i.exec_prefix, fs::path(r.exec_prefix));
  EXPECT_EQ(i.stdlib, fs::path(r.stdlib));
  EXPECT_EQ(i.lib_name, r.lib_name);
  EXPECT_EQ(i.zip_name, r.zip_name);
  EXPECT_EQ(i.sysconfigdata, r.sysconfigdata);
  EXPECT_EQ(i.sysconfigdata_size, r.sysconfigdata_size);
}

TEST(RuntimeFind, ByNameOrExactVersion) {
  for (const auto& r : all()) {
    EXPECT_EQ(find(r.name), &r) << r.name;
    EXPECT_EQ(find(r.version), &r) << r.version;
  }
  const std::string mm(self()->major_minor);
  // Another patch release of a runtime's series is not that runtime.
  const std::string other_patch = mm + (std::string(self()->version) == mm + ".99" ? ".98" : ".99");
  EXPECT_EQ(find(other_patch), nullptr) << other_patch;
  for (std::string_view request : {"", "3", "3.99", "cpython-311", " 3.11", "3.11 "})
    EXPECT_EQ(find(request), nullptr) << "'" << request << "'";
  if (!self()->free_threaded) {
    bool has_t = false;
    for (const auto& r : all()) has_t = has_t || (r.free_threaded && r.major_minor == self()->major_minor);
    if (!has_t) {
      EXPECT_EQ(find(mm + "t"), nullptr) << "the t ABI is another runtime";
    }
  }
}

TEST(RuntimeProgramPath, SelfIsThisProgramOthersItsSiblings) {
  EXPECT_EQ(program_path(*self()), self_exe());
  for (const auto& r : all()) {
    if (&r == self()) continue;
    auto p = program_path(r);
    if (p) {
      EXPECT_EQ(*p, self_exe().parent_path() / r.program());
    }
  }
}

TEST(RuntimeAvailableNames, ThePresentOnesJoinedForAMessage) {
  std::vector<std::string> present;
  for (const auto& r : all())
    if (program_path(r)) present.emplace_back(r.name);
  ASSERT_FALSE(present.empty()) << "self is always present";
  const std::string names = available_names();
  for (const auto& n : present) EXPECT_NE(names.find(n), std::string::npos) << n;
  if (present.size() == 1) {
    EXPECT_EQ(names, present[0]);
  } else {
    EXPECT_NE(names.find(" and "), std::string::npos) << names;
  }
  EXPECT_EQ(names.find(", and"), std::string::npos) << "no serial comma: " << names;
}

}  // namespace
}  // namespace pycache::runtime
