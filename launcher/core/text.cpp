#include "pycache/text.hpp"

#include <algorithm>
#include <vector>

namespace pycache {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: insertions, deletions, substitutions and
  // transpositions of neighbours ("rnu" -> "run") each cost 1.
  const std::size_t n = b.size() + 1;
  std::vector<std::size_t> prev2(n), prev(n), row(n);
  for (std::size_t j = 0; j < n; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (std::size_t j = 1; j < n; ++j) {
      row[j] = std::min({prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) row[j] = std::min(row[j], prev2[j - 2] + 1);
    }
    prev2.swap(prev);
    prev.swap(row);
  }
  return prev[b.size()];
}

std::string_view closest_match(std::string_view word, std::span<const std::string_view> candidates) {
  std::string_view best;
  std::size_t best_distance = std::max<std::size_t>(1, word.size() / 3) + 1;
  for (auto candidate : candidates) {
    std::size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view hint) {
  return hint.empty() ? std::string() : "; did you mean '" + printable(hint) + "'?";
}

std::optional<char32_t> next_utf8(std::string_view s, std::size_t& pos) {
  const auto c = static_cast<unsigned char>(s[pos]);
  if (c < 0x80) {
    ++pos;
    return c;
  }
  // RFC 3629: the lead byte says the length; C0, C1 and F5-FF never lead.
  std::size_t len = 0;
  char32_t cp = 0;
  char32_t least = 0;  // the smallest code point of that length: below it is overlong
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2, cp = c & 0x1f, least = 0x80;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3, cp = c & 0x0f, least = 0x800;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4, cp = c & 0x07, least = 0x10000;
  }
  bool ok = len > 0 && s.size() - pos >= len;
  for (std::size_t k = 1; ok && k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[pos + k]);
    ok = (b & 0xc0) == 0x80;
    cp = (cp << 6) | (b & 0x3f);
  }
  ok = ok && cp >= least && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
  pos += ok ? len : 1;
  if (!ok) return std::nullopt;
  return cp;
}

std::string printable(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '\n' || c == '\t') {
      out += c == '\n' ? "\\n" : "\\t";
      ++i;
      continue;
    }
    const std::size_t start = i;
    // Keep well-formed UTF-8 and printable ASCII, escape control and stray bytes.
    if (c >= 0x20 && c != 0x7f && next_utf8(s, i)) {
      out.append(s.substr(start, i - start));
    } else {
      i = start + 1;
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace pycache
