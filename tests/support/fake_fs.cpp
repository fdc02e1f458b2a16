#include "fake_fs.hpp"

#include <cerrno>

namespace pycache::test {

namespace {
fs::path norm(const fs::path& p) {
  std::string s = p.lexically_normal().native();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}
// Every call on the joined path, through the fake.
class FakeDirectory final : public Directory {
 public:
  FakeDirectory(FakeFileSystem& fs, fs::path dir) : fs_(fs), dir_(std::move(dir)) { fs_.handle_opened(); }
  ~FakeDirectory() override { fs_.handle_closed(); }
  FakeDirectory(const FakeDirectory&) = delete;
  FakeDirectory& operator=(const FakeDirectory&) = delete;
  int list(std::vector<DirEntry>& out) override { return fs_.list(dir_, out); }
  int stat_self(FileStat& out) override { return fs_.lstat(dir_, out); }
  int lstat(std::string_view name, FileStat& out) override { return fs_.lstat(dir_ / name, out); }
  int read(std::string_view name, std::size_t max, std::string& out) override {
    return fs_.read(dir_ / name, max, out);
  }
  std::unique_ptr<Directory> open(std::string_view name) override {
    FileStat st;
    if (int e = fs_.lstat(dir_ / name, st)) return std::make_unique<FailedDirectory>(e);
    if (st.type == FileType::Symlink) return std::make_unique<FailedDirectory>(ELOOP);
    if (st.type != FileType::Directory) return std::make_unique<FailedDirectory>(ENOTDIR);
    return std::make_unique<FakeDirectory>(fs_, norm(dir_ / name));
  }
  int unlink(std::string_view name) override { return fs_.unlink(dir_ / name); }
  int remove_dir(std::string_view name) override { return fs_.rmdir(dir_ / name); }

 private:
  FakeFileSystem& fs_;
  fs::path dir_;
};

}  // namespace

std::unique_ptr<Directory> FakeFileSystem::open_directory(const fs::path& dir, FollowLink) {
  return std::make_unique<FakeDirectory>(*this, norm(dir));
}

void FakeFileSystem::add_mount(const fs::path& p, std::uint64_t mount_id) {
  add_dir(p);
  std::lock_guard lock(mu_);
  nodes_.at(norm(p)).mount_id = mount_id;
}

void FakeFileSystem::add_dir(const fs::path& p0, std::uint64_t device) {
  std::lock_guard lock(mu_);
  fs::path p = norm(p0);
  for (fs::path q = p; !q.empty(); q = q.parent_path()) {
    if (!nodes_.count(q)) nodes_[q] = Node{FileType::Directory, {}, 0, 0, device, 0755, next_inode_++};
    if (q == q.parent_path()) break;
  }
}

void FakeFileSystem::add_file(const fs::path& p0, std::string content, std::int64_t mtime_ns) {
  fs::path p = norm(p0);
  add_dir(p.parent_path());
  std::lock_guard lock(mu_);
  std::uint64_t dev = nodes_[p.parent_path()].device;
  nodes_[p] = Node{FileType::Regular, std::move(content), mtime_ns, mtime_ns, dev, 0644, next_inode_++};
}

void FakeFileSystem::add_symlink(const fs::path& p0, const fs::path& target) {
  fs::path p = norm(p0);
  add_dir(p.parent_path());
  std::lock_guard lock(mu_);
  nodes_[p] = Node{FileType::Symlink, target.native(), 0, 0, nodes_[p.parent_path()].device, 0777, next_inode_++};
}

void FakeFileSystem::handle_opened() {
  const std::size_t now = ++open_handles_;
  std::size_t peak = peak_open_handles_.load();
  while (now > peak && !peak_open_handles_.compare_exchange_weak(peak, now)) {
  }
}

void FakeFileSystem::add_fifo(const fs::path& p0) {
  fs::path p = norm(p0);
  add_dir(p.parent_path());
  std::lock_guard lock(mu_);
  nodes_[p] = Node{FileType::Other, {}, 0, 0, nodes_[p.parent_path()].device, 0644, next_inode_++};
  failures_[{Op::Read, p}] = EDEADLK;
}

void FakeFileSystem::set_times(const fs::path& p, std::int64_t mtime_ns, std::int64_t atime_ns) {
  std::lock_guard lock(mu_);
  Node& n = nodes_.at(norm(p));
  n.mtime_ns = mtime_ns;
  n.atime_ns = atime_ns;
}

void FakeFileSystem::list_as(const fs::path& p, FileType type) {
  std::lock_guard lock(mu_);
  listed_types_[norm(p)] = type;
}

void FakeFileSystem::fail(Op op, const fs::path& p, int err) {
  std::lock_guard lock(mu_);
  failures_[{op, norm(p)}] = err;
}

int FakeFileSystem::failure(Op op, const fs::path& p) const {
  auto it = failures_.find({op, p});
  return it == failures_.end() ? 0 : it->second;
}

bool FakeFileSystem::exists(const fs::path& p) const {
  std::lock_guard lock(mu_);
  return nodes_.count(norm(p)) > 0;
}

const FakeFileSystem::Node* FakeFileSystem::node(const fs::path& p) const {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(norm(p));
  return it == nodes_.end() ? nullptr : &it->second;
}

std::set<fs::path> FakeFileSystem::paths() const {
  std::lock_guard lock(mu_);
  std::set<fs::path> out;
  for (const auto& [p, n] : nodes_) out.insert(p);
  return out;
}

std::vector<std::string> FakeFileSystem::mutations() const {
  std::lock_guard lock(mu_);
  return mutations_;
}

int FakeFileSystem::list(const fs::path& dir0, std::vector<DirEntry>& out) {
  std::lock_guard lock(mu_);
  fs::path dir = norm(dir0);
  if (int e = failure(Op::List, dir)) return e;
  auto it = nodes_.find(dir);
  if (it == nodes_.end()) return ENOENT;
  if (it->second.type == FileType::Symlink) return ELOOP;
  if (it->second.type != FileType::Directory) return ENOTDIR;
  out.clear();
  for (auto c = nodes_.upper_bound(dir); c != nodes_.end(); ++c) {
    const std::string& s = c->first.native();
    const std::string& d = dir.native();
    std::size_t base = d == "/" ? 1 : d.size() + 1;
    if (s.compare(0, d.size(), d) != 0 || (d != "/" && (s.size() <= d.size() || s[d.size()] != '/'))) break;
    if (s.find('/', base) != std::string::npos) continue;  // deeper
    auto listed = listed_types_.find(c->first);
    out.push_back(DirEntry{s.substr(base), listed == listed_types_.end() ? c->second.type : listed->second});
  }
  return 0;
}

int FakeFileSystem::lstat(const fs::path& p0, FileStat& out) {
  std::lock_guard lock(mu_);
  fs::path p = norm(p0);
  if (int e = failure(Op::Lstat, p)) return e;
  auto it = nodes_.find(p);
  if (it == nodes_.end()) return ENOENT;
  const Node& n = it->second;
  out =
      FileStat{n.type, n.content.size(), n.mtime_ns, n.atime_ns, n.device, n.inode, n.mount_id ? n.mount_id : n.device,
               n.mode, n.owner};
  return 0;
}

int FakeFileSystem::unlink(const fs::path& p0) {
  std::lock_guard lock(mu_);
  fs::path p = norm(p0);
  if (int e = failure(Op::Unlink, p)) return e;
  auto it = nodes_.find(p);
  if (it == nodes_.end()) return ENOENT;
  if (it->second.type == FileType::Directory) return EISDIR;
  nodes_.erase(it);
  mutations_.push_back("unlink " + p.native());
  return 0;
}

int FakeFileSystem::rmdir(const fs::path& p0) {
  std::lock_guard lock(mu_);
  fs::path p = norm(p0);
  if (int e = failure(Op::Rmdir, p)) return e;
  auto it = nodes_.find(p);
  if (it == nodes_.end()) return ENOENT;
  if (it->second.type != FileType::Directory) return ENOTDIR;
  auto next = std::next(it);
  if (next != nodes_.end() && next->first.native().rfind(p.native() + "/", 0) == 0) return ENOTEMPTY;
  nodes_.erase(it);
  mutations_.push_back("rmdir " + p.native());
  return 0;
}

int FakeFileSystem::read(const fs::path& p0, std::size_t max, std::string& out) {
  std::lock_guard lock(mu_);
  fs::path p = norm(p0);
  if (int e = failure(Op::Read, p)) return e;
  auto it = nodes_.find(p);
  if (it == nodes_.end()) return ENOENT;
  if (it->second.type == FileType::Symlink) return ELOOP;
  if (it->second.type == FileType::Directory) return EISDIR;
  out = it->second.content.substr(0, max);
  return 0;
}

int FakeFileSystem::make_dirs(const fs::path& p0) {
  fs::path p = norm(p0);
  {
    std::lock_guard lock(mu_);
    if (int e = failure(Op::MakeDirs, p)) return e;
    for (fs::path q = p;; q = q.parent_path()) {
      auto it = nodes_.find(q);
      if (it != nodes_.end() && it->second.type != FileType::Directory) return ENOTDIR;
      if (q == q.parent_path()) break;
    }
  }
  add_dir(p);
  return 0;
}

int FakeFileSystem::write_atomic(const fs::path& p0, std::string_view data, std::uint32_t mode) {
  std::lock_guard lock(mu_);
  fs::path p = norm(p0);
  if (int e = failure(Op::Write, p)) return e;
  auto parent = nodes_.find(p.parent_path());
  if (parent == nodes_.end()) return ENOENT;
  if (parent->second.type != FileType::Directory) return ENOTDIR;
  nodes_[p] = Node{FileType::Regular, std::string(data), 0, 0, parent->second.device, mode, next_inode_++};
  mutations_.push_back("write " + p.native());
  return 0;
}

}  // namespace pycache::test
