#pragma once
// Sizes and durations as people write them on command lines and in policy
// files: "2G", "500M", "30d", "12h". Pure functions.
#include <cstdint>
#include <string>
#include <string_view>

#include "pycache/error.hpp"

namespace pycache {

// A size in bytes: an integer or decimal number with an optional unit, as
// ccache writes max_size: k, M, G, T are powers of 1000, Ki, Mi, Gi, Ti powers
// of 1024; a trailing "B" is allowed ("2GB", "512MiB"); no unit means bytes.
// Case-insensitive ("2g"). Errors (kExitUsage) say what was expected.
Result<std::int64_t> parse_size(std::string_view text);

// A duration in seconds: one or more NUMBER+UNIT groups with the units
// s, m (minutes), h, d, w, e.g. "30d", "12h", "90m", "2w", "1d12h". A bare
// number is an error (the unit is never guessed).
Result<std::int64_t> parse_duration(std::string_view text);

// Every count pycache prints: "7", "12,345".
std::string format_count(std::uint64_t n);
// "1 file", "12,345 files".
std::string plural(std::uint64_t n, std::string_view one, std::string_view many);

// "0 bytes", "512 bytes", "1.5 kB", "173.2 MB", "12.0 GB" (powers of 1000,
// matching parse_size's units).
std::string format_size(std::uint64_t bytes);

}  // namespace pycache
