#pragma once
// Fixtures of the status engine's unit tests, its checks' and its
// formatter's: pycs of known headers beside their sources, in the in-memory
// FileSystem; policies and options for a root.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fake_fs.hpp"
#include "pycache/pyc.hpp"
#include "pycache/status.hpp"

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

// A policy from a project file: a cache prefix, write-bytecode = false.
inline PolicyResolution policy(std::string prefix = "", bool write = true) {
  PolicyResolution r;
  if (!prefix.empty()) r.policy.override(Key::CachePrefix, prefix, Origin{Source::ProjectFile, "/p/pycache.toml:1:1"});
  if (!write) r.policy.override(Key::WriteBytecode, false, Origin{Source::ProjectFile, "/p/pycache.toml:2:1"});
  return r;
}

inline status::Options options_for(const std::string& root, PolicyResolution p = policy()) {
  status::Options o;
  o.current_tag = kTag;
  o.walk.threads = 3;
  o.targets.push_back(status::Target{root, std::move(p), std::nullopt});
  return o;
}

// The findings of a report as (kind, path) pairs.
inline std::vector<std::pair<status::FindingKind, std::string>> findings(const status::Report& r) {
  std::vector<std::pair<status::FindingKind, std::string>> out;
  for (const auto& f : r.findings) out.emplace_back(f.kind, f.path.native());
  return out;
}

}  // namespace pycache::test
