#include "pycache/units.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <limits>

#include "pycache/text.hpp"

namespace pycache {
namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// Digits with at most one '.', at least one digit; returns the length used.
std::size_t number_length(std::string_view s) {
  std::size_t i = 0, digits = 0;
  bool dot = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') ++digits;
    else if (s[i] == '.' && !dot) dot = true;
    else break;
  }
  return digits ? i : 0;
}

}  // namespace

Result<std::int64_t> parse_size(std::string_view text) {
  auto bad = [&] {
    return Error{fmt::format("invalid size '{}': expected a number of bytes with an optional unit "
                             "(k, M, G, T or Ki, Mi, Gi, Ti), e.g. 500M or 2G",
                             printable(text)),
                 kExitUsage};
  };
  std::size_t n = number_length(text);
  if (n == 0) return bad();
  double value = std::strtod(std::string(text.substr(0, n)).c_str(), nullptr);
  std::string_view unit = text.substr(n);
  if (!unit.empty() && (unit.back() == 'B' || unit.back() == 'b') && unit.size() > 1) unit.remove_suffix(1);
  else if (iequals(unit, "b")) unit = {};
  static constexpr struct {
    const char* name;
    double factor;
  } kUnits[] = {{"", 1},           {"k", 1e3},           {"m", 1e6},
                {"g", 1e9},        {"t", 1e12},          {"ki", 1024.0},
                {"mi", 1048576.0}, {"gi", 1073741824.0}, {"ti", 1099511627776.0}};
  for (const auto& u : kUnits) {
    if (!iequals(unit, u.name)) continue;
    double bytes = std::floor(value * u.factor);
    if (bytes >= 9.2e18) return Error{fmt::format("size '{}' is too large", printable(text)), kExitUsage};
    if (u.factor == 1 && bytes != value) return bad();  // "1.5" bytes
    return static_cast<std::int64_t>(bytes);
  }
  return bad();
}

Result<std::int64_t> parse_duration(std::string_view text) {
  auto bad = [&] {
    return Error{fmt::format("invalid duration '{}': expected a number with a unit s, m, h, d or w, e.g. 30d, 12h, 90m",
                             printable(text)),
                 kExitUsage};
  };
  if (text.empty()) return bad();
  std::int64_t total = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    std::size_t i = 0;
    std::int64_t n = 0;
    for (; i < rest.size() && rest[i] >= '0' && rest[i] <= '9'; ++i) {
      if (n > std::numeric_limits<std::int64_t>::max() / 10 - 10) return bad();
      n = n * 10 + (rest[i] - '0');
    }
    if (i == 0 || i == rest.size()) return bad();
    std::int64_t factor = 0;
    switch (rest[i]) {
      case 's': factor = 1; break;
      case 'm': factor = 60; break;
      case 'h': factor = 3600; break;
      case 'd': factor = 86400; break;
      case 'w': factor = std::int64_t{7} * 86400; break;
      default: return bad();
    }
    // Callers work in nanoseconds: ~292 years is the most that fits.
    constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max() / 1'000'000'000;
    if (n > (kMaxSeconds - total) / factor) return bad();
    total += n * factor;
    rest.remove_prefix(i + 1);
  }
  return total;
}

std::string format_count(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string plural(std::uint64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", format_count(n), n == 1 ? one : many);
}

std::string format_size(std::uint64_t bytes) {
  if (bytes < 1000) return fmt::format("{} {}", bytes, bytes == 1 ? "byte" : "bytes");
  static constexpr const char* kUnits[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
  double v = static_cast<double>(bytes) / 1000.0;
  std::size_t u = 0;
  while (v >= 999.95 && u + 1 < std::size(kUnits)) {
    v /= 1000.0;
    ++u;
  }
  return fmt::format("{:.1f} {}", v, kUnits[u]);
}

}  // namespace pycache
