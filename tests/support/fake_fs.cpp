#include "fake_fs.hpp"

#include <cerrno>
#include <string>
#include <vector>

namespace pycache::test {

namespace {
fs::path norm(const fs::path& p) {
  std::string s = p.lexically_normal().native();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}
// A handle: the directory's inode, found again at each call, and every
// call on an entry joined to where it is now, through the fake.
class FakeDirectory final : public Directory {
 public:
  FakeDirectory(FakeFileSystem& fs, fs::path dir, std::uint64_t inode) : fs_(fs), dir_(std::move(dir)), inode_(inode) {
    fs_.handle_opened();
  }
  ~FakeDirectory() override { fs_.handle_closed(); }
  FakeDirectory(const FakeDirectory&) = delete;
  FakeDirectory& operator=(const FakeDirectory&) = delete;
  int list(std::vector<DirEntry>& out) override {
    fs::path d;
    if (int e = where(d)) return e;
    return fs_.list(d, out);
  }
  int stat_self(FileStat& out) override {
    fs::path d;
    if (int e = where(d)) return e;
    return fs_.lstat(d, out);
  }
  int lstat(std::string_view name, FileStat& out) override {
    fs::path d;
    if (int e = where(d)) return e;
    return fs_.lstat(d / name, out);
  }
  int read(std::string_view name, std::size_t max, std::string& out) override {
    fs::path d;
    if (int e = where(d)) return e;
    return fs_.read(d / name, max, out);
  }
  std::unique_ptr<Directory> open(std::string_view name) override {
    fs::path d;
    if (int e = where(d)) return std::make_unique<FailedDirectory>(e);
    FileStat st;
    if (int e = fs_.lstat(d / name, st)) return std::make_unique<FailedDirectory>(e);
    if (st.type == FileType::Symlink) return std::make_unique<FailedDirectory>(ELOOP);
    if (st.type != FileType::Directory) return std::make_unique<FailedDirectory>(ENOTDIR);
    return std::make_unique<FakeDirectory>(fs_, norm(d / name), st.inode);
  }
  int unlink(std::string_view name) override {
    fs::path d;
    if (int e = where(d)) return e;
    return fs_.unlink(d / name);
  }
  int remove_dir(std::string_view name) override {
    fs::path d;
    if (int e = where(d)) return e;
    return fs_.rmdir(d / name);
  }
  int make_dir(std::string_view name, std::uint32_t mode) override {
    fs::path d;
    if (int e = where(d)) return e;
    if (name.empty() || name.find('/') != std::string_view::npos) return EINVAL;
    return fs_.mkdir(d / name, mode);
  }
  int write_atomic(std::string_view name, std::string_view data, std::uint32_t mode) override {
    fs::path d;
    if (int e = where(d)) return e;
    if (name.empty() || name.find('/') != std::string_view::npos) return EINVAL;
    return fs_.write(d / name, data, mode);
  }

 private:
  int where(fs::path& out) const {
    out = dir_;
    return fs_.locate(inode_, out);
  }
  FakeFileSystem& fs_;
  const fs::path dir_;
  const std::uint64_t inode_;
};

}  // namespace

std::unique_ptr<Directory> FakeFileSystem::open_directory(const fs::path& dir0, FollowLink follow) {
  std::lock_guard lock(mu_);
  fs::path dir;
  if (int e = resolve(dir0, follow == FollowLink::Yes, dir)) return std::make_unique<FailedDirectory>(e);
  auto it = nodes_.find(dir);
  if (it == nodes_.end()) return std::make_unique<FailedDirectory>(ENOENT);
  if (it->second.type == FileType::Symlink) return std::make_unique<FailedDirectory>(ELOOP);
  if (it->second.type != FileType::Directory) return std::make_unique<FailedDirectory>(ENOTDIR);
  return std::make_unique<FakeDirectory>(*this, dir, it->second.inode);
}

int FakeFileSystem::locate(std::uint64_t inode, fs::path& hint) const {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(hint);
  if (it != nodes_.end() && it->second.inode == inode && it->second.type == FileType::Directory) return 0;
  for (const auto& [p, n] : nodes_) {
    if (n.inode == inode && n.type == FileType::Directory) {
      hint = p;
      return 0;
    }
  }
  return ENOENT;
}

int FakeFileSystem::resolve(const fs::path& p0, bool follow_last, fs::path& out) const {
  if (!p0.is_absolute()) {
    out = norm(p0);
    return 0;
  }
  std::vector<std::string> todo;  // components, the next one last
  auto push = [&todo](const fs::path& p) {
    std::vector<std::string> parts;
    for (const auto& c : p)
      if (c.native() != "/" && !c.empty()) parts.push_back(c.native());
    todo.insert(todo.end(), parts.rbegin(), parts.rend());
  };
  push(p0);
  fs::path at = "/";
  int links = 0;
  while (!todo.empty()) {
    std::string name = std::move(todo.back());
    todo.pop_back();
    if (name == ".") continue;
    if (name == "..") {
      at = at.parent_path();
      continue;
    }
    const fs::path next = at / name;
    const bool last = todo.empty();
    auto it = nodes_.find(next);
    if (it != nodes_.end() && it->second.type == FileType::Symlink && (!last || follow_last)) {
      if (++links > 40) return ELOOP;
      const fs::path target = it->second.content;
      if (target.is_absolute()) at = "/";
      push(target);
      continue;
    }
    if (!last && it == nodes_.end()) return ENOENT;
    if (!last && it->second.type != FileType::Directory) return ENOTDIR;
    at = next;
  }
  out = at;
  return 0;
}

void FakeFileSystem::on_read(const fs::path& p, std::function<void()> hook) {
  std::lock_guard lock(mu_);
  read_hooks_[norm(p)] = std::move(hook);
}

void FakeFileSystem::rename(const fs::path& from0, const fs::path& to0) {
  std::lock_guard lock(mu_);
  const std::string from = norm(from0).native(), to = norm(to0).native();
  std::map<fs::path, Node> moved;
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    const std::string& s = it->first.native();
    if (s == from || s.rfind(from + "/", 0) == 0) {
      moved[to + s.substr(from.size())] = it->second;
      it = nodes_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [p, n] : moved) nodes_[p] = n;
  mutations_.push_back("rename " + from + " " + to);
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
  fs::path dir;
  if (int e = resolve(dir0, false, dir)) return e;
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

int FakeFileSystem::stat_node(const fs::path& p, FileStat& out) const {
  auto it = nodes_.find(p);
  if (it == nodes_.end()) return ENOENT;
  const Node& n = it->second;
  out =
      FileStat{n.type, n.content.size(), n.mtime_ns, n.atime_ns, n.device, n.inode, n.mount_id ? n.mount_id : n.device,
               n.mode, n.owner};
  return 0;
}

int FakeFileSystem::lstat(const fs::path& p0, FileStat& out) {
  std::lock_guard lock(mu_);
  fs::path p;
  if (int e = resolve(p0, false, p)) return e;
  if (int e = failure(Op::Lstat, p)) return e;
  return stat_node(p, out);
}

int FakeFileSystem::stat(const fs::path& p0, FileStat& out) {
  std::lock_guard lock(mu_);
  fs::path p;
  if (int e = resolve(p0, true, p)) return e;
  if (int e = failure(Op::Stat, p)) return e;
  return stat_node(p, out);
}

int FakeFileSystem::access(const fs::path& p0, int /*mode*/) {
  std::lock_guard lock(mu_);
  fs::path p;
  if (int e = resolve(p0, true, p)) return e;
  if (int e = failure(Op::Access, p)) return e;
  return nodes_.count(p) ? 0 : ENOENT;
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
  std::function<void()> hook;
  {
    std::lock_guard lock(mu_);
    fs::path p;
    if (int e = resolve(p0, false, p)) return e;
    if (int e = failure(Op::Read, p)) return e;
    auto it = nodes_.find(p);
    if (it == nodes_.end()) return ENOENT;
    if (it->second.type == FileType::Symlink) return ELOOP;
    if (it->second.type == FileType::Directory) return EISDIR;
    out = it->second.content.substr(0, max);
    if (auto h = read_hooks_.find(p); h != read_hooks_.end()) {
      hook = std::move(h->second);
      read_hooks_.erase(h);
    }
  }
  if (hook) hook();
  return 0;
}

// Checks the directory that would hold `p`; mu_ held.
int FakeFileSystem::parent_of(const fs::path& p, const Node*& parent) const {
  auto it = nodes_.find(p.parent_path());
  if (it == nodes_.end()) return ENOENT;
  if (it->second.type != FileType::Directory) return ENOTDIR;
  parent = &it->second;
  return 0;
}

int FakeFileSystem::mkdir(const fs::path& p0, std::uint32_t mode) {
  std::lock_guard lock(mu_);
  fs::path p = norm(p0);
  if (int e = failure(Op::MakeDir, p)) return e;
  const Node* parent = nullptr;
  if (int e = parent_of(p, parent)) return e;
  if (nodes_.count(p)) return EEXIST;
  nodes_[p] = Node{FileType::Directory, {}, 0, 0, parent->device, mode & 0777, next_inode_++};
  mutations_.push_back("mkdir " + p.native());
  return 0;
}

int FakeFileSystem::write(const fs::path& p0, std::string_view data, std::uint32_t mode) {
  std::lock_guard lock(mu_);
  fs::path p = norm(p0);
  if (int e = failure(Op::Write, p)) return e;
  const Node* parent = nullptr;
  if (int e = parent_of(p, parent)) return e;
  if (auto it = nodes_.find(p); it != nodes_.end() && it->second.type == FileType::Directory) return EISDIR;
  nodes_[p] = Node{FileType::Regular, std::string(data), 0, 0, parent->device, mode, next_inode_++};
  mutations_.push_back("write " + p.native());
  return 0;
}

}  // namespace pycache::test
