#pragma once
// Fixtures of the status engine's unit tests and its formatter's: pycs of
// known headers beside their sources, in the in-memory FileSystem.
#include <cstdint>
#include <string>

#include "fake_fs.hpp"
#include "pycache/pyc.hpp"

namespace pycache::test {

inline constexpr std::int64_t kSecond = 1'000'000'000;
inline constexpr const char* kTag = "cpython-311";
inline constexpr std::uint16_t k311 = 3495, k38 = 3413;

inline std::string timestamp_pyc(std::uint16_t magic, std::uint32_t mtime, std::uint32_t size) {
  return pyc::format_header(pyc::Header{magic, pyc::Invalidation::Timestamp, mtime, size, {}}) + "code";
}

// A source with its fresh pyc in __pycache__.
inline void compiled(FakeFileSystem& f, const std::string& dir, const std::string& module, std::int64_t mtime_s = 100) {
  std::string src = "x = '" + module + "'\n";
  f.add_file(dir + "/" + module + ".py", src, mtime_s * kSecond);
  f.add_file(dir + "/__pycache__/" + module + "." + kTag + ".pyc",
             timestamp_pyc(k311, static_cast<std::uint32_t>(mtime_s), static_cast<std::uint32_t>(src.size())));
}

}  // namespace pycache::test
