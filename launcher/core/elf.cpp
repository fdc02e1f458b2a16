#include "pycache/elf.hpp"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <set>

#include "pycache/paths.hpp"

namespace pycache::elf {
namespace {

constexpr std::uint64_t kMaxProgramHeaders = 4096;
constexpr std::uint64_t kMaxDynamicSize = 1 << 20;
constexpr std::uint64_t kMaxStringTable = 16 << 20;
constexpr std::uint64_t kMaxScan = 64 << 20;

Error not_elf(const std::string& why = {}) {
  return Error{why.empty() ? "not an ELF file" : "not an ELF file: " + why, kExitEnvironment};
}

// An open file, closed on every way out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Exactly `size` bytes at `offset`, within a file of `file_size` bytes.
bool read_at(int fd, std::uint64_t file_size, std::uint64_t offset, void* out, std::uint64_t size) {
  if (offset > file_size || size > file_size - offset) return false;
  auto* p = static_cast<char*>(out);
  while (size > 0) {
    const ssize_t n = ::pread(fd, p, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    offset += static_cast<std::uint64_t>(n);
    size -= static_cast<std::uint64_t>(n);
  }
  return true;
}

// Opens `file` for reading as a regular file of at most kMaxFileSize bytes.
Result<std::uint64_t> open_regular(const fs::path& file, FollowLinks links, int& fd_out) {
  const int flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | (links == FollowLinks::No ? O_NOFOLLOW : 0);
  fd_out = ::open(file.c_str(), flags);
  if (fd_out < 0) return Error{errno == ELOOP ? "a symbolic link" : std::strerror(errno), kExitEnvironment};
  struct stat st {};
  if (::fstat(fd_out, &st) != 0) return Error{std::strerror(errno), kExitEnvironment};
  if (!S_ISREG(st.st_mode)) return Error{"not a regular file", kExitEnvironment};
  if (static_cast<std::uint64_t>(st.st_size) > kMaxFileSize) return not_elf("larger than 1 GiB");
  return static_cast<std::uint64_t>(st.st_size);
}

struct Header {
  Elf64_Ehdr ehdr{};
  std::vector<Elf64_Phdr> phdrs;
};

Result<Header> read_header(int fd, std::uint64_t size) {
  Header h;
  if (!read_at(fd, size, 0, &h.ehdr, sizeof h.ehdr) || std::memcmp(h.ehdr.e_ident, ELFMAG, SELFMAG) != 0)
    return not_elf();
  const auto& e = h.ehdr;
  if (e.e_ident[EI_CLASS] != ELFCLASS64) return not_elf("not a 64-bit one");
  if (e.e_ident[EI_DATA] != ELFDATA2LSB) return not_elf("not a little-endian one");
  if (e.e_type != ET_EXEC && e.e_type != ET_DYN) return not_elf("not an executable or a shared object");
  if (e.e_phnum == 0) return h;
  if (e.e_phentsize != sizeof(Elf64_Phdr) || e.e_phnum > kMaxProgramHeaders) return not_elf("bad program headers");
  h.phdrs.resize(e.e_phnum);
  if (!read_at(fd, size, e.e_phoff, h.phdrs.data(), std::uint64_t{e.e_phnum} * sizeof(Elf64_Phdr)))
    return not_elf("truncated program headers");
  return h;
}

// The file offset of the virtual address `addr`, through the PT_LOAD segments.
std::optional<std::uint64_t> file_offset(const Header& h, std::uint64_t addr) {
  for (const auto& p : h.phdrs) {
    if (p.p_type != PT_LOAD || addr < p.p_vaddr || addr - p.p_vaddr >= p.p_filesz) continue;
    return p.p_offset + (addr - p.p_vaddr);
  }
  return std::nullopt;
}

// The NUL-terminated string at `at` in `table`.
std::optional<std::string> string_at(const std::string& table, std::uint64_t at) {
  if (at >= table.size()) return std::nullopt;
  const std::size_t end = table.find('\0', at);
  if (end == std::string::npos) return std::nullopt;
  return table.substr(at, end - at);
}

struct Dynamic {
  std::vector<Elf64_Dyn> entries;
  std::string strings;
};

Result<Dynamic> read_dynamic_segment(int fd, std::uint64_t size, const Header& h, const Elf64_Phdr& seg) {
  Dynamic d;
  if (seg.p_filesz > kMaxDynamicSize) return not_elf("dynamic segment too large");
  d.entries.resize(seg.p_filesz / sizeof(Elf64_Dyn));
  if (!read_at(fd, size, seg.p_offset, d.entries.data(), d.entries.size() * sizeof(Elf64_Dyn)))
    return not_elf("truncated dynamic segment");
  std::optional<std::uint64_t> strtab, strsz;
  for (const auto& e : d.entries) {
    if (e.d_tag == DT_NULL) break;
    if (e.d_tag == DT_STRTAB) strtab = e.d_un.d_ptr;
    if (e.d_tag == DT_STRSZ) strsz = e.d_un.d_val;
  }
  if (!strtab || !strsz) return d;  // an entry naming a string is then an error
  const auto at = file_offset(h, *strtab);
  if (!at || *strsz > kMaxStringTable) return not_elf("bad dynamic string table");
  d.strings.resize(*strsz);
  if (!read_at(fd, size, *at, d.strings.data(), *strsz)) return not_elf("truncated dynamic string table");
  return d;
}

Result<DynamicInfo> collect(const Dynamic& d, const fs::path& origin) {
  DynamicInfo info;
  info.dynamic = true;
  for (const auto& e : d.entries) {
    if (e.d_tag == DT_NULL) break;
    if (e.d_tag != DT_NEEDED && e.d_tag != DT_RUNPATH && e.d_tag != DT_RPATH && e.d_tag != DT_SONAME) continue;
    auto s = string_at(d.strings, e.d_un.d_val);
    if (!s) return not_elf("a dynamic entry outside the string table");
    if (e.d_tag == DT_NEEDED) info.needed.push_back(std::move(*s));
    else if (e.d_tag == DT_RUNPATH) info.runpath = split_search_path(*s, origin);
    else if (e.d_tag == DT_RPATH) info.rpath = split_search_path(*s, origin);
    else info.soname = std::move(*s);
  }
  return info;
}

// The .rodata section's range, through the section headers; {} when absent or malformed.
Range find_rodata(int fd, std::uint64_t size, const Elf64_Ehdr& e) {
  if (e.e_shnum == 0 || e.e_shentsize != sizeof(Elf64_Shdr) || e.e_shstrndx >= e.e_shnum) return {};
  std::vector<Elf64_Shdr> sections(e.e_shnum);
  if (!read_at(fd, size, e.e_shoff, sections.data(), sections.size() * sizeof(Elf64_Shdr))) return {};
  const auto& names = sections[e.e_shstrndx];
  for (const auto& s : sections) {
    char name[8] = {};  // ".rodata" and its NUL
    if (s.sh_type != SHT_PROGBITS || s.sh_name >= names.sh_size ||
        !read_at(fd, size, names.sh_offset + s.sh_name, name, std::min<std::uint64_t>(8, names.sh_size - s.sh_name)))
      continue;
    if (std::memcmp(name, ".rodata", 8) != 0) continue;
    if (s.sh_offset > size || s.sh_size > size - s.sh_offset) return {};
    return Range{s.sh_offset, s.sh_size};
  }
  return {};
}

bool version_char(char c) { return (c >= '0' && c <= '9'); }

// The version at `at` (where "MAJOR_MINOR." starts) if it ends with a NUL.
std::optional<std::string> version_at(const std::string& buf, std::size_t at, std::size_t prefix) {
  if (at > 0 && (version_char(buf[at - 1]) || buf[at - 1] == '.')) return std::nullopt;
  std::size_t i = at + prefix;
  const std::size_t digits = i;
  while (i < buf.size() && version_char(buf[i])) ++i;
  if (i == digits) return std::nullopt;
  for (const char* pre : {"rc", "a", "b"}) {
    const std::size_t n = std::strlen(pre);
    if (buf.compare(i, n, pre) != 0) continue;
    const std::size_t start = i + n;
    std::size_t j = start;
    while (j < buf.size() && version_char(buf[j])) ++j;
    if (j > start) i = j;
    break;
  }
  if (i < buf.size() && buf[i] == '+') ++i;
  if (i >= buf.size() || buf[i] != '\0') return std::nullopt;
  return buf.substr(at, i - at);
}

}  // namespace

std::vector<std::string> split_search_path(std::string_view value, const fs::path& origin) {
  std::vector<std::string> out;
  for (std::string dir : path_entries(value)) {
    for (const char* token : {"${ORIGIN}", "$ORIGIN"}) {
      for (std::size_t p = dir.find(token); p != std::string::npos; p = dir.find(token, p + origin.native().size()))
        dir.replace(p, std::strlen(token), origin.native());
    }
    if (!dir.empty()) out.push_back(std::move(dir));
  }
  return out;
}

Result<DynamicInfo> read_dynamic(const fs::path& file, const fs::path& origin, FollowLinks links) {
  int raw = -1;
  auto size = open_regular(file, links, raw);
  const Fd fd(raw);
  if (!size) return size.error();
  auto header = read_header(fd.get(), *size);
  if (!header) return header.error();
  DynamicInfo info;
  for (const auto& p : header->phdrs) {
    if (p.p_type != PT_DYNAMIC) continue;
    auto dyn = read_dynamic_segment(fd.get(), *size, *header, p);
    if (!dyn) return dyn.error();
    auto collected = collect(*dyn, origin);
    if (!collected) return collected.error();
    info = std::move(*collected);
    break;
  }
  info.rodata = find_rodata(fd.get(), *size, header->ehdr);
  info.file_size = *size;
  return info;
}

std::optional<Error> check_segments(const fs::path& file) {
  int raw = -1;
  auto size = open_regular(file, FollowLinks::Yes, raw);
  const Fd fd(raw);
  if (!size) return size.error();
  auto header = read_header(fd.get(), *size);
  if (!header) return header.error();
  for (const auto& p : header->phdrs)
    if (p.p_type == PT_LOAD && (p.p_offset > *size || p.p_filesz > *size - p.p_offset))
      return not_elf(fmt::format("truncated (a segment to load ends at byte {}, the file has {})",
                                 p.p_offset + p.p_filesz, *size));
  return std::nullopt;
}

std::string scan_version(const fs::path& file, Range range, std::string_view major_minor) {
  int raw = -1;
  auto size = open_regular(file, FollowLinks::Yes, raw);
  const Fd fd(raw);
  if (!size || range.size == 0 || range.offset > *size || range.size > *size - range.offset) return {};
  std::string buf(std::min(range.size, kMaxScan), '\0');
  if (!read_at(fd.get(), *size, range.offset, buf.data(), buf.size())) return {};
  const std::string needle = std::string(major_minor) + ".";
  std::set<std::string> found;
  for (std::size_t at = buf.find(needle); at != std::string::npos; at = buf.find(needle, at + 1))
    if (auto v = version_at(buf, at, needle.size())) found.insert(std::move(*v));
  return found.size() == 1 ? *found.begin() : std::string();
}

}  // namespace pycache::elf
