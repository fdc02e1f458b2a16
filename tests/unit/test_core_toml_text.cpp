#include "pycache/toml_text.hpp"

#include <gtest/gtest.h>

namespace pycache {
namespace {

std::string where(std::string_view text) {
  auto p = toml_text_problem(text);
  return p ? std::to_string(p->line) + ":" + std::to_string(p->column) + ": " + p->message : "";
}

std::string dotted(std::size_t parts) {
  std::string key = "a";
  for (std::size_t i = 1; i < parts; ++i) key += ".a";
  return key;
}

TEST(TomlText, ControlCharactersByNameAtTheirCharacter) {
  EXPECT_EQ(where("a = 1\n\tb = \"caf\xc3\xa9\x1b\"\n"), "2:11: control character U+001B is not allowed");
  EXPECT_EQ(where("# \x7f"), "1:3: control character U+007F is not allowed");
  EXPECT_EQ(where("a = '\x01'"), "1:6: control character U+0001 is not allowed");
  EXPECT_EQ(where("a = 1\r\n\tb = 2\r\n"), "");
}

TEST(TomlText, KeysOfAtMostTheLimitsParts) {
  EXPECT_EQ(where(dotted(kMaxKeyParts) + " = 1\n"), "");
  EXPECT_EQ(where("[" + dotted(kMaxKeyParts) + "]\n[[" + dotted(kMaxKeyParts) + "]]\n"), "");
  const std::string over = "x = 1\n" + dotted(kMaxKeyParts + 1) + " = 1\n";
  EXPECT_EQ(where(over), "2:" + std::to_string(2 * kMaxKeyParts) +
                             ": a key of more than 32 dotted parts (pycache "
                             "reads none deeper)");
  EXPECT_NE(where("[" + dotted(kMaxKeyParts + 1) + "]\n"), "");
  // Quoted parts and the blanks around dots are parts of one key.
  std::string quoted = "a";
  for (std::size_t i = 1; i <= kMaxKeyParts; ++i) quoted += i % 2 ? " . \"b.c\"" : ".'d'";
  EXPECT_NE(where(quoted + " = 1\n"), "");
}

TEST(TomlText, ArraysAndInlineTablesOfAtMostTheLimitsDepth) {
  const std::string open(kMaxNesting, '['), close(kMaxNesting, ']');
  EXPECT_EQ(where("a = " + open + close + "\n"), "");
  EXPECT_EQ(where("a = " + open + "[]" + close + "\n"), "1:" + std::to_string(5 + kMaxNesting) +
                                                            ": arrays and tables nested more than 32 deep (pycache "
                                                            "reads none deeper)");
  std::string inline_tables = "a = ";
  for (std::size_t i = 0; i <= kMaxNesting; ++i) inline_tables += "{b = ";
  EXPECT_NE(where(inline_tables), "");
  // Depth is what is open now: many arrays one after another are not deep.
  std::string flat = "a = [";
  for (int i = 0; i < 1000; ++i) flat += "[1.5, 2.5], {x.y = 1.0},\n";
  EXPECT_EQ(where(flat + "]\n"), "");
}

TEST(TomlText, AnUnterminatedStringIsNamedAtItsStart) {
  EXPECT_EQ(where("a = 1\nb = \"abc\nc = 2\n"), "2:5: unterminated string");
  EXPECT_EQ(where("b = 'abc\n"), "1:5: unterminated string");
  EXPECT_EQ(where("b = \"abc"), "1:5: unterminated string");
  EXPECT_EQ(where("x = 1\n  b = \"\"\"abc\nmore\n"), "2:7: unterminated string");
  EXPECT_EQ(where("b = '''abc\n"), "1:5: unterminated string");
  EXPECT_EQ(where("b = \"a\\\"\"\nc = '''x\ny'''\n"), "");
}

TEST(TomlText, StringsAndCommentsCountForNothing) {
  const std::string deep(200, '[');
  const std::string dots = dotted(200);
  EXPECT_EQ(where("a = \"" + deep + dots + "\" # " + deep + dots + "\n"), "");
  EXPECT_EQ(where("a = '" + deep + dots + "'\n"), "");
  EXPECT_EQ(where("a = \"\\\"" + deep + "\"\n"), "") << "an escaped quote does not end it";
  EXPECT_EQ(where("a = \"\"\"\n" + deep + "\n" + dots + "\\\n\"\"\"\n"), "");
  EXPECT_EQ(where("a = '''\n" + deep + "\n'''\n"), "");
  // A closing delimiter may carry two quotes of the string: what follows is code again.
  EXPECT_EQ(where("a = \"\"\"x\"\"\"\"\"\nb = 1\n"), "");
  EXPECT_NE(where("a = \"\"\"x\"\"\"\"\"\nb = " + std::string(kMaxNesting + 1, '[') + "\n"), "");
  EXPECT_NE(where("a = '''x'''''\nb = " + std::string(kMaxNesting + 1, '{') + "\n"), "");
}

}  // namespace
}  // namespace pycache
