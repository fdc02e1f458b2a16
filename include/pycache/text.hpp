#pragma once
// Small string helpers shared by the commands.
#include <span>
#include <string>
#include <string_view>

namespace pycache {

// Edit distance (optimal string alignment: a swap of neighbours costs 1).
std::size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to `word` if it is close enough to be a plausible typo
// (distance <= max(1, len/3)), else empty.
std::string_view closest_match(std::string_view word, std::span<const std::string_view> candidates);
// `s` with C-style escapes for control and non-UTF-8 bytes, for one-line messages.
std::string printable(std::string_view s);

}  // namespace pycache
