#pragma once
// Small string helpers shared by the commands.
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pycache {

// Edit distance (optimal string alignment: a swap of neighbours costs 1).
std::size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to `word` if it is close enough to be a plausible typo
// (distance <= max(1, len/3)), else empty.
std::string_view closest_match(std::string_view word, std::span<const std::string_view> candidates);
// "; did you mean 'HINT'?" to end an error message with, or empty when there
// is no hint: the one wording of every "unknown ..." error.
std::string did_you_mean(std::string_view hint);
// The code point of the UTF-8 sequence starting at s[pos] (pos < s.size()),
// pos moved past it; nullopt, pos moved one byte on, when that byte does not
// start a well-formed sequence (RFC 3629: no lead bytes C0, C1, F5-FF, no
// overlong forms, no surrogates U+D800-DFFF, nothing above U+10FFFF, no
// truncated sequence). The one definition of UTF-8 for printable() and the
// JSON writer. ASCII, control bytes included, is returned as itself.
std::optional<char32_t> next_utf8(std::string_view s, std::size_t& pos);
// `s` without the blanks (spaces, tabs) around it, nor a line's trailing \r:
// a value of a line-based file (pyvenv.cfg, .python-version, a specifier).
std::string_view trim(std::string_view s);
// `s` with C-style escapes for control and non-UTF-8 bytes, for one-line messages.
std::string printable(std::string_view s);

}  // namespace pycache
