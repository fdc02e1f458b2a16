#pragma once
// A fresh directory per test, removed afterwards unless the test failed (then
// its path is printed so the tree can be inspected).
#include <filesystem>
#include <string>
#include <vector>

namespace pycache::test {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const fs::path& p) const { return path_ / p; }

 private:
  fs::path path_;
};

// Writes `content` to `file`, creating parent directories.
void write_file(const fs::path& file, const std::string& content);
std::string read_file(const fs::path& file);
// Every file under `root` whose name ends with `suffix` (no symlinks followed).
std::vector<fs::path> find_files(const fs::path& root, const std::string& suffix);
// Every directory named __pycache__ under `root`.
std::vector<fs::path> find_pycache_dirs(const fs::path& root);

}  // namespace pycache::test
