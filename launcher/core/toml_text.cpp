#include "pycache/toml_text.hpp"

#include <fmt/format.h>

#include <utility>

#include "pycache/text.hpp"
#include "toml.hpp"

namespace pycache {
namespace {

enum class In { Code, Comment, Basic, Literal, MultiBasic, MultiLiteral };

bool is_control(unsigned char c) { return (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7F; }

// A character that may sit inside a dotted key without ending it: bare-key
// characters and the blanks around its dots.
bool continues_key(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == ' ' || c == '\t';
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  std::optional<TextProblem> run() {
    while (i_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[i_]);
      if ((c & 0xC0) != 0x80) ++column_;
      if (is_control(c)) return problem(fmt::format("control character U+{:04X} is not allowed", c));
      if (auto p = step(c)) return p;
      if (c == '\n') {
        ++line_;
        column_ = 0;
      }
      ++i_;
    }
    if (in_ != In::Code && in_ != In::Comment) return unterminated();
    return std::nullopt;
  }

 private:
  std::optional<TextProblem> problem(std::string message) const {
    return TextProblem{line_, column_, std::move(message)};
  }

  // A string is named at its opening quote, not where the lexer gave up on it.
  std::optional<TextProblem> unterminated() const {
    return TextProblem{start_line_, start_column_, "unterminated string"};
  }

  bool ahead(std::string_view what) const { return s_.substr(i_, what.size()) == what; }

  // Past a closing delimiter of three quotes, and up to two more that belong
  // to the string ("""a"""" is `a"`): the last one is under i_.
  void close_multi(char quote) {
    i_ += 2;
    column_ += 2;
    for (int extra = 0; extra < 2 && i_ + 1 < s_.size() && s_[i_ + 1] == quote; ++extra) ++i_, ++column_;
  }

  std::optional<TextProblem> step(unsigned char c) {
    switch (in_) {
      case In::Comment:
        if (c == '\n') in_ = In::Code;
        return std::nullopt;
      case In::Basic:
      case In::MultiBasic:
        if (in_ == In::Basic && c == '\n') return unterminated();
        if (escaped_) escaped_ = false;
        else if (c == '\\') escaped_ = true;
        else if (in_ == In::Basic && c == '"') in_ = In::Code;
        else if (in_ == In::MultiBasic && ahead("\"\"\"")) close_multi('"'), in_ = In::Code;
        return std::nullopt;
      case In::Literal:
        if (c == '\n') return unterminated();
        if (c == '\'') in_ = In::Code;
        return std::nullopt;
      case In::MultiLiteral:
        if (ahead("'''")) close_multi('\''), in_ = In::Code;
        return std::nullopt;
      case In::Code: return code(c);
    }
    return std::nullopt;
  }

  std::optional<TextProblem> code(unsigned char c) {
    if (c == '#') {
      in_ = In::Comment;
    } else if (c == '"' || c == '\'') {  // a quoted key part or a value: the key goes on
      start_line_ = line_, start_column_ = column_;
      const bool multi = ahead(c == '"' ? "\"\"\"" : "'''");
      in_ = c == '"' ? (multi ? In::MultiBasic : In::Basic) : (multi ? In::MultiLiteral : In::Literal);
      if (multi) i_ += 2, column_ += 2;
    } else if (c == '.') {
      if (++dots_ + 1 > kMaxKeyParts)
        return problem(fmt::format("a key of more than {} dotted parts (pycache reads none deeper)", kMaxKeyParts));
    } else if (c == '[' || c == '{') {
      dots_ = 0;
      if (++depth_ > kMaxNesting)
        return problem(
            fmt::format("arrays and tables nested more than {} deep (pycache reads none deeper)", kMaxNesting));
    } else if (c == ']' || c == '}') {
      dots_ = 0;
      if (depth_ > 0) --depth_;
    } else if (!continues_key(c)) {
      dots_ = 0;
    }
    return std::nullopt;
  }

  std::string_view s_;
  std::size_t i_ = 0, line_ = 1, column_ = 0;
  std::size_t start_line_ = 0, start_column_ = 0;  // the opening quote of the string being read
  In in_ = In::Code;
  bool escaped_ = false;
  std::size_t dots_ = 0;   // the dots of the key being read
  std::size_t depth_ = 0;  // brackets and braces open
};

}  // namespace

std::optional<TextProblem> toml_text_problem(std::string_view text) { return Scanner(text).run(); }

std::string toml_location(const std::filesystem::path& file, const toml::source_region& where) {
  return fmt::format("{}:{}:{}", printable(file.native()), where.begin.line, where.begin.column);
}

Result<toml::table> parse_toml(const std::filesystem::path& file, std::string_view text) {
  if (auto bad = toml_text_problem(text))
    return Error{
        fmt::format("{}:{}:{}: invalid TOML: {}", printable(file.native()), bad->line, bad->column, bad->message),
        kExitUsage};
  try {
    return toml::parse(text, file.native());
  } catch (const toml::parse_error& e) {
    // The description quotes the input: escaped, so that the error stays one line.
    return Error{fmt::format("{}: invalid TOML: {}", toml_location(file, e.source()), printable(e.description())),
                 kExitUsage};
  }
}

}  // namespace pycache
