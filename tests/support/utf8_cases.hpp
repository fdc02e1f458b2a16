#pragma once
// A table of byte strings and how printable() shows them, shared by the
// display escaper's tests and the JSON writer's: both must agree on what is
// well-formed UTF-8.
#include <string_view>

namespace pycache::test {

// What counts as UTF-8, byte by byte: the display escaper and the JSON writer
// (test_core_text.cpp, test_core_json.cpp) share this table. Well-formed sequences pass through;
// anything else is escaped byte by byte (a bad lead byte, then whatever
// follows it on its own).
struct Utf8Case {
  const char* what;
  std::string_view input;
  std::string_view printable;  // printable(input); json_string writes \u00XX for \xXX
};
// clang-format off
inline const Utf8Case kUtf8Cases[] = {
  {"2-byte",                      "caf\xc3\xa9",         "caf\xc3\xa9"},
  {"3-byte",                      "\xe2\x82\xac",        "\xe2\x82\xac"},
  {"4-byte",                      "\xf0\x9f\x98\x80",    "\xf0\x9f\x98\x80"},
  {"U+0080, the first 2-byte",    "\xc2\x80",            "\xc2\x80"},
  {"U+0800, the first 3-byte",    "\xe0\xa0\x80",        "\xe0\xa0\x80"},
  {"U+10000, the first 4-byte",   "\xf0\x90\x80\x80",    "\xf0\x90\x80\x80"},
  {"U+D7FF, below surrogates",    "\xed\x9f\xbf",        "\xed\x9f\xbf"},
  {"U+E000, above surrogates",    "\xee\x80\x80",        "\xee\x80\x80"},
  {"U+10FFFF, the last",          "\xf4\x8f\xbf\xbf",    "\xf4\x8f\xbf\xbf"},
  {"lead 0xF5",                   "\xf5\x80\x80\x80",    "\\xf5\\x80\\x80\\x80"},
  {"lead 0xF7",                   "\xf7\xbf\xbf\xbf",    "\\xf7\\xbf\\xbf\\xbf"},
  {"lead 0xF8",                   "\xf8\x80\x80",        "\\xf8\\x80\\x80"},
  {"lead 0xFC",                   "\xfc\x80\x80\x80\x80\x80", "\\xfc\\x80\\x80\\x80\\x80\\x80"},
  {"lead 0xFE, 0xFF",             "a\xfe\xffz",          "a\\xfe\\xffz"},
  {"0xC0 overlong",               "\xc0\xaf",            "\\xc0\\xaf"},
  {"0xC1 overlong",               "\xc1\xbf",            "\\xc1\\xbf"},
  {"3-byte overlong of /",        "\xe0\x80\xaf",        "\\xe0\\x80\\xaf"},
  {"3-byte overlong of U+07FF",   "\xe0\x9f\xbf",        "\\xe0\\x9f\\xbf"},
  {"4-byte overlong of /",        "\xf0\x80\x80\xaf",    "\\xf0\\x80\\x80\\xaf"},
  {"4-byte overlong of U+FFFF",   "\xf0\x8f\xbf\xbf",    "\\xf0\\x8f\\xbf\\xbf"},
  {"surrogate U+D800",            "\xed\xa0\x80",        "\\xed\\xa0\\x80"},
  {"surrogate U+DFFF",            "\xed\xbf\xbf",        "\\xed\\xbf\\xbf"},
  {"U+110000",                    "\xf4\x90\x80\x80",    "\\xf4\\x90\\x80\\x80"},
  {"U+13FFFF",                    "\xf4\xbf\xbf\xbf",    "\\xf4\\xbf\\xbf\\xbf"},
  {"truncated 2-byte at end",     "a\xc3",               "a\\xc3"},
  {"truncated 3-byte at end",     "a\xe2\x82",           "a\\xe2\\x82"},
  {"truncated 4-byte at end",     "a\xf0\x9f\x98",       "a\\xf0\\x9f\\x98"},
  {"truncated before ASCII",      "\xe2\x82z",           "\\xe2\\x82z"},
  {"stray continuation",          "\x80",                "\\x80"},
  {"stray continuation inside",   "a\xbf" "b",           "a\\xbfb"},
  {"continuation after a char",   "\xc3\xa9\xa9",        "\xc3\xa9\\xa9"},
};
// clang-format on

}  // namespace pycache::test
