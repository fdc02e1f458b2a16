#pragma once
// A Directory that forwards each of Directory's pure calls to another one.
// Tests derive from it and override the call they watch or break; probe()
// and remove() are left to Directory's defaults (lstat then read, unlink)
// unless the derived class forwards them too.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pycache/fs.hpp"

namespace pycache::test {

class ForwardingDirectory : public Directory {
 public:
  explicit ForwardingDirectory(std::unique_ptr<Directory> real) : real_(std::move(real)) {}
  int list(std::vector<DirEntry>& out) override { return real_->list(out); }
  int stat_self(FileStat& out) override { return real_->stat_self(out); }
  int lstat(std::string_view name, FileStat& out) override { return real_->lstat(name, out); }
  int read(std::string_view name, std::size_t max, std::string& out) override { return real_->read(name, max, out); }
  std::unique_ptr<Directory> open(std::string_view name) override { return real_->open(name); }
  int unlink(std::string_view name) override { return real_->unlink(name); }
  int remove_dir(std::string_view name) override { return real_->remove_dir(name); }
  int make_dir(std::string_view name, std::uint32_t mode) override { return real_->make_dir(name, mode); }
  int write_atomic(std::string_view name, std::string_view data, std::uint32_t mode) override {
    return real_->write_atomic(name, data, mode);
  }

 protected:
  Directory& real() { return *real_; }

 private:
  std::unique_ptr<Directory> real_;
};

}  // namespace pycache::test
