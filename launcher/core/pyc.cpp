#include "pycache/pyc.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <utility>

#include "pycache/paths.hpp"

namespace pycache::pyc {

namespace {

std::uint64_t rotl(std::uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

struct Sip {
  std::uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  }
  void absorb(std::uint64_t m, int rounds) {
    v3 ^= m;
    for (int i = 0; i < rounds; ++i) round();
    v0 ^= m;
  }
};

// SipHash-c-d of `data` under the key (k0, k1), the reference algorithm.
std::uint64_t siphash(std::uint64_t k0, std::uint64_t k1, std::string_view data, int c, int d) {
  Sip s{k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL, k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL};
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const std::size_t n = data.size();
  auto word = [&](std::size_t at, std::size_t len) {
    std::uint64_t m = 0;
    for (std::size_t i = 0; i < len; ++i) m |= static_cast<std::uint64_t>(p[at + i]) << (8 * i);
    return m;
  };
  std::size_t at = 0;
  for (; at + 8 <= n; at += 8) s.absorb(word(at, 8), c);
  s.absorb(word(at, n - at) | (static_cast<std::uint64_t>(n & 0xff) << 56), c);
  s.v2 ^= 0xff;
  for (int i = 0; i < d; ++i) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace

std::array<std::uint8_t, 8> source_hash(std::string_view source, std::uint16_t magic, bool siphash13) {
  const std::uint64_t key = magic | (std::uint64_t{'\r'} << 16) | (std::uint64_t{'\n'} << 24);
  const std::uint64_t h = siphash13 ? siphash(key, 0, source, 1, 3) : siphash(key, 0, source, 2, 4);
  std::array<std::uint8_t, 8> out{};
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(h >> (8 * i));
  return out;
}

bool uses_siphash13(std::string_view version) {
  // 3.11 made SipHash-1-3 the keyed hash (bpo-29410).
  int major = 0, minor = 0;
  auto dot = version.find('.');
  if (dot == std::string_view::npos) return true;
  std::from_chars(version.data(), version.data() + dot, major);
  std::from_chars(version.data() + dot + 1, version.data() + version.size(), minor);
  return major > 3 || (major == 3 && minor >= 11);
}
namespace {

std::uint32_t le32(std::string_view b, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3])) << 24;
}

void put32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

struct MagicRange {
  std::uint16_t first, last;
  const char* version;
};
// Magic numbers per release series (Lib/importlib/_bootstrap_external.py).
constexpr MagicRange kMagics[] = {
    {3000, 3131, "3.0"},  {3141, 3151, "3.1"},   {3160, 3180, "3.2"},  {3190, 3230, "3.3"},  {3250, 3310, "3.4"},
    {3320, 3351, "3.5"},  {3360, 3379, "3.6"},   {3390, 3399, "3.7"},  {3400, 3419, "3.8"},  {3420, 3429, "3.9"},
    {3430, 3449, "3.10"}, {3450, 3499, "3.11"},  {3500, 3549, "3.12"}, {3550, 3599, "3.13"}, {3600, 3649, "3.14"},
    {3650, 3699, "3.15"}, {62171, 62211, "2.7"},
};

// Header layout by era: PEP 552 (3.7) added the flags word; 3.3 the size.
std::size_t header_size_for(std::uint16_t magic) {
  if (magic >= 3390 && magic < 20000) return 16;
  if (magic >= 3190 && magic < 20000) return 12;
  return 8;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "TAG[.opt-N]" -> tag and level; false if the rest is not of that form.
bool split_tag(std::string_view rest, CacheName& out) {
  auto dot = rest.find(".opt-");
  std::string_view tag = rest.substr(0, dot);
  // A tag never starts with "opt-": that component would be a level.
  if (tag.empty() || tag.find('.') != std::string_view::npos || tag.starts_with("opt-")) return false;
  out.tag = std::string(tag);
  if (dot == std::string_view::npos) return true;
  std::string_view level = rest.substr(dot + 5);
  if (!all_digits(level) || level.size() > 3) return false;
  std::from_chars(level.data(), level.data() + level.size(), out.optimize);
  return true;
}

}  // namespace

bool header_has_size(std::uint16_t magic) { return magic >= 3190 && magic < 20000; }

std::string_view to_string(Invalidation mode) {
  switch (mode) {
    case Invalidation::Timestamp: return "timestamp";
    case Invalidation::CheckedHash: return "checked-hash";
    case Invalidation::UncheckedHash: return "unchecked-hash";
  }
  return "timestamp";
}

std::optional<Invalidation> parse_invalidation(std::string_view text) {
  if (text == "timestamp") return Invalidation::Timestamp;
  if (text == "checked-hash") return Invalidation::CheckedHash;
  if (text == "unchecked-hash") return Invalidation::UncheckedHash;
  return std::nullopt;
}

std::uint32_t header_mtime(std::int64_t mtime_ns) {
  // As posixmodule.c fills st_mtime: a double made of the two stat fields.
  std::int64_t sec = mtime_ns / 1'000'000'000;
  std::int64_t nsec = mtime_ns % 1'000'000'000;
  if (nsec < 0) {
    nsec += 1'000'000'000;
    sec -= 1;
  }
  double st_mtime = static_cast<double>(sec) + static_cast<double>(nsec) * 1e-9;
  // int() truncates toward zero; & 0xFFFFFFFF keeps the low 32 bits of the
  // two's complement value, as for Python's arbitrary-precision ints.
  auto whole = static_cast<std::int64_t>(st_mtime);
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(whole) & 0xFFFFFFFFu);
}

Result<Header> parse_header(std::string_view b) {
  if (b.empty()) return Error{"empty file: not a pyc", kExitFailure};
  if (b.size() < 4)
    return Error{fmt::format("truncated pyc: {} bytes, the magic number needs 4", b.size()), kExitFailure};
  if (b[2] != '\r' || b[3] != '\n') return Error{"not a pyc: no magic number (bytes 3-4 are not \\r\\n)", kExitFailure};
  Header h;
  h.magic = static_cast<std::uint16_t>(static_cast<unsigned char>(b[0]) | static_cast<unsigned char>(b[1]) << 8);
  const std::size_t need = header_size_for(h.magic);
  if (b.size() < need)
    return Error{fmt::format("truncated pyc: {} bytes, a header for magic {} needs {}", b.size(), h.magic, need),
                 kExitFailure};
  if (need == 16) {
    std::uint32_t flags = le32(b, 4);
    if (flags & ~0b11u) return Error{fmt::format("invalid pyc flags {:#x}", flags), kExitFailure};
    // As importlib: bit 0 says hash-based, bit 1 (only then) says checked.
    if (flags & 1u) {
      h.mode = (flags & 2u) ? Invalidation::CheckedHash : Invalidation::UncheckedHash;
      std::copy_n(reinterpret_cast<const std::uint8_t*>(b.data() + 8), 8, h.source_hash.begin());
    } else {
      h.source_mtime = le32(b, 8);
      h.source_size = le32(b, 12);
    }
  } else {
    h.source_mtime = le32(b, 4);
    if (need == 12) h.source_size = le32(b, 8);
  }
  return h;
}

std::string format_header(const Header& h) {
  std::string out;
  out.reserve(kHeaderSize);
  out += static_cast<char>(h.magic & 0xff);
  out += static_cast<char>(h.magic >> 8);
  out += "\r\n";
  switch (h.mode) {
    case Invalidation::Timestamp:
      put32(out, 0);
      put32(out, h.source_mtime);
      put32(out, h.source_size);
      break;
    case Invalidation::CheckedHash:
    case Invalidation::UncheckedHash:
      put32(out, h.mode == Invalidation::CheckedHash ? 3 : 1);
      out.append(reinterpret_cast<const char*>(h.source_hash.data()), h.source_hash.size());
      break;
  }
  return out;
}

std::optional<std::string> python_version_for_magic(std::uint16_t magic) {
  for (const auto& r : kMagics)
    if (magic >= r.first && magic <= r.last) return std::string(r.version);
  return std::nullopt;
}

std::optional<std::uint16_t> magic_of_version(std::string_view major_minor) {
  // The magic number of each minor version's final releases
  // (importlib._bootstrap_external.MAGIC_NUMBER).
  static constexpr std::pair<std::string_view, std::uint16_t> kFinal[] = {
      {"3.8", 3413}, {"3.9", 3425}, {"3.10", 3439}, {"3.11", 3495}, {"3.12", 3531}, {"3.13", 3571}};
  for (auto [version, magic] : kFinal)
    if (version == major_minor) return magic;
  return std::nullopt;
}

std::optional<CacheName> parse_cache_name(std::string_view name) {
  CacheName out;
  // CPython's temp files: NAME.pyc.<id(path)> from _write_atomic.
  if (auto pos = name.rfind(".pyc."); pos != std::string_view::npos && all_digits(name.substr(pos + 5))) {
    auto inner = parse_cache_name(name.substr(0, pos + 4));
    if (!inner || inner->kind != CacheKind::Pyc) return std::nullopt;
    inner->kind = CacheKind::TempFile;
    return inner;
  }
  if (!name.ends_with(".pyc")) return std::nullopt;
  std::string_view stem = name.substr(0, name.size() - 4);
  // pytest: NAME.TAG-pytest-X.Y.Z.pyc
  if (auto p = stem.find("-pytest-"); p != std::string_view::npos) {
    std::string_view head = stem.substr(0, p);
    auto dot = head.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == head.size()) return std::nullopt;
    out.kind = CacheKind::PytestPyc;
    out.module = std::string(head.substr(0, dot));
    out.tag = std::string(head.substr(dot + 1));
    return out;
  }
  // NAME.TAG[.opt-N]: the tag holds no dot, NAME may ("a.b.py" -> "a.b.TAG.pyc",
  // "a.opt-b.py" -> "a.opt-b.TAG.pyc"): only a last component "opt-..." is a level.
  std::string_view rest = stem;
  std::size_t last = stem.rfind('.');
  if (last == std::string_view::npos || last == 0) return std::nullopt;
  std::size_t tag_end = stem.compare(last + 1, 4, "opt-") == 0 ? last : stem.size();
  std::size_t dot = tag_end == 0 ? std::string_view::npos : stem.rfind('.', tag_end - 1);
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  out.module = std::string(stem.substr(0, dot));
  rest = stem.substr(dot + 1);
  if (!split_tag(rest, out)) return std::nullopt;
  return out;
}

bool is_legacy_name(std::string_view name) {
  return name.size() > 4 && (name.ends_with(".pyc") || name.ends_with(".pyo"));
}

std::string cache_file_name(std::string_view file, std::string_view tag, int optimize) {
  // importlib: base, sep, rest = name.rpartition('.'), then
  // (base or rest) + sep + tag: "noext" -> "noextTAG", ".x" -> "x.TAG".
  auto dot = file.rfind('.');
  std::string name;
  if (dot == std::string_view::npos) {
    name = file;
  } else {
    name = dot == 0 ? file.substr(1) : file.substr(0, dot);
    name += '.';
  }
  name += tag;
  if (optimize > 0) name += fmt::format(".opt-{}", optimize);
  name += ".pyc";
  return name;
}

fs::path cache_from_source(const fs::path& source, std::string_view tag, int optimize, const fs::path& prefix) {
  const std::string file = source.filename().native();  // a copy: filename() is a temporary
  std::string name = cache_file_name(file, tag, optimize);
  if (prefix.empty()) return source.parent_path() / "__pycache__" / name;
  std::string dir = source.parent_path().native();
  std::size_t strip = dir.find_first_not_of('/');
  return prefix / (strip == std::string::npos ? std::string() : dir.substr(strip)) / name;
}

std::optional<fs::path> source_from_cache(const fs::path& pyc, const fs::path& prefix) {
  const std::string file = pyc.filename().native();
  fs::path dir = pyc.parent_path();
  if (dir.filename() == "__pycache__") {
    auto name = parse_cache_name(file);
    if (!name || name->kind == CacheKind::TempFile) return std::nullopt;
    return dir.parent_path() / (name->module + ".py");
  }
  if (!prefix.empty()) {
    const std::string& p = prefix.native();
    const std::string& d = dir.native();
    if (is_within(d, p)) {
      auto name = parse_cache_name(file);
      if (!name || name->kind == CacheKind::TempFile) return std::nullopt;
      std::string rel = d.substr(p.size());
      return fs::path(rel.empty() ? "/" : rel) / (name->module + ".py");
    }
  }
  if (is_legacy_name(file)) return dir / (file.substr(0, file.size() - 4) + ".py");
  return std::nullopt;
}

std::string cache_tag_of_version(std::string_view version) {
  if (version.ends_with('t')) version.remove_suffix(1);
  const auto dot = version.find('.');
  if (dot == std::string_view::npos) return {};
  const std::string_view major = version.substr(0, dot), rest = version.substr(dot + 1);
  const std::string_view minor = rest.substr(0, rest.find('.'));
  if (!all_digits(major) || !all_digits(minor)) return {};
  return fmt::format("cpython-{}{}", major, minor);
}

std::string version_of_cache_tag(std::string_view tag) {
  if (!tag.starts_with("cpython-") || tag.size() < 10) return {};
  const std::string_view digits = tag.substr(8);
  if (!all_digits(digits)) return {};
  return fmt::format("{}.{}", digits.substr(0, 1), digits.substr(1));
}

std::string cache_tag_of_magic(std::uint16_t magic) {
  auto v = python_version_for_magic(magic);
  return v ? cache_tag_of_version(*v) : fmt::format("magic-{}", magic);
}

}  // namespace pycache::pyc
