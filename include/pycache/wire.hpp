#pragma once
// One framing for what pycache hands to itself: the plan handed to another
// runtime (PYCACHE_HANDOFF, handoff.hpp), the policy a child inherits
// (PYCACHE_POLICY, policy_sources.hpp) and the compile workers' messages
// (compile.hpp). A message is a sequence of fields, each "LENGTH:BYTES" with
// LENGTH in decimal; a number is a field of decimal digits ('-' first for a
// negative one); a flag is "0" or "1". The framing itself adds no NUL byte,
// so a message whose fields hold none can be an environment variable.
#include <charconv>
#include <concepts>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace pycache::wire {

class Writer {
 public:
  Writer() = default;
  // A message that starts with the field `tag`: its format and version.
  explicit Writer(std::string_view tag) { field(tag); }
  Writer& field(std::string_view bytes);
  template <std::integral T>
  Writer& number(T n) {
    return field(std::to_string(n));
  }
  Writer& flag(bool b) { return field(b ? "1" : "0"); }
  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads a message field by field. Any read that finds no well-formed field
// (a length that is no number, one longer than what is left, text that is no
// number or flag of the asked range) fails, and so does every read after it:
// a decoder reads on and checks ok() or done() once.
class Reader {
 public:
  explicit Reader(std::string_view text) : in_(text) {}
  // Reads the first field and checks that it is `expected` (see Writer(tag)).
  bool tag(std::string_view expected);
  bool field(std::string& out);
  bool field(std::string_view& out);  // a view into the text read
  template <std::integral T>
  bool number(T& out) {
    std::string_view text;
    if (!field(text)) return false;
    T n{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return fail();
    out = n;
    return true;
  }
  bool flag(bool& out);
  bool ok() const { return ok_; }
  // Every read succeeded and nothing is left.
  bool done() const { return ok_ && in_.empty(); }
  bool at_end() const { return in_.empty(); }

 private:
  bool fail() {
    ok_ = false;
    return false;
  }
  std::string_view in_;
  bool ok_ = true;
};

// A message on a byte stream is one field whose LENGTH is written with
// kFrameDigits digits, so that its reader knows how much to read: first
// kFrameHeader bytes, then frame_length() more.
inline constexpr std::size_t kFrameDigits = 10;
inline constexpr std::size_t kFrameHeader = kFrameDigits + 1;
std::string frame(std::string_view message);
// The length the header of a frame announces, or nullopt when `header` is
// none (not kFrameHeader bytes of digits and ':') or announces more than `limit`.
std::optional<std::size_t> frame_length(std::string_view header, std::size_t limit);

}  // namespace pycache::wire
