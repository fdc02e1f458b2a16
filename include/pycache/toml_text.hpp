#pragma once
// What a policy file's text is checked for before toml++ parses it: the TOML
// that toml++ 3.3 can't be trusted with.
// - A raw control character (TOML allows tab, LF and CR in CRLF only):
//   refused by name, since a terminal escape in a message would not show.
// - Nesting: toml++ recurses once per level (each part of a dotted key or
//   table header, each array or inline table inside another), so a 200 kB
//   "[a.a.a...]" overflowed the stack. Keys of more than kMaxKeyParts parts
//   and arrays or inline tables nested more than kMaxNesting deep are
//   refused; nothing else reaches a depth that matters.
// The scan lexes as TOML does: comments and the four kinds of string are
// skipped, so a dot or bracket in a string counts for nothing.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pycache {

inline constexpr std::size_t kMaxKeyParts = 32;
inline constexpr std::size_t kMaxNesting = 32;

struct TextProblem {
  std::size_t line = 0, column = 0;  // 1-based; columns count characters, as toml++'s do
  std::string message;               // "control character U+001B is not allowed"
};

// The first problem of `text`, or nullopt.
std::optional<TextProblem> toml_text_problem(std::string_view text);

}  // namespace pycache
