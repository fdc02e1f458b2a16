#include "pycache/wire.hpp"

#include <fmt/format.h>

namespace pycache::wire {

Writer& Writer::field(std::string_view bytes) {
  out_ += std::to_string(bytes.size());
  out_ += ':';
  out_ += bytes;
  return *this;
}

bool Reader::field(std::string_view& out) {
  if (!ok_) return false;
  const auto colon = in_.find(':');
  if (colon == std::string_view::npos || colon == 0) return fail();
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(in_.data(), in_.data() + colon, n);
  if (ec != std::errc() || end != in_.data() + colon || n > in_.size() - colon - 1) return fail();
  out = in_.substr(colon + 1, n);
  in_.remove_prefix(colon + 1 + n);
  return true;
}

bool Reader::field(std::string& out) {
  std::string_view view;
  if (!field(view)) return false;
  out.assign(view);
  return true;
}

bool Reader::tag(std::string_view expected) {
  std::string_view got;
  if (!field(got)) return false;
  return got == expected || fail();
}

bool Reader::flag(bool& out) {
  std::string_view text;
  if (!field(text)) return false;
  if (text != "0" && text != "1") return fail();
  out = text == "1";
  return true;
}

std::string frame(std::string_view message) {
  std::string out = fmt::format("{:0{}}:", message.size(), kFrameDigits);
  out += message;
  return out;
}

std::optional<std::size_t> frame_length(std::string_view header, std::size_t limit) {
  if (header.size() != kFrameHeader || header.back() != ':') return std::nullopt;
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(header.data(), header.data() + kFrameDigits, n);
  if (ec != std::errc() || end != header.data() + kFrameDigits || n > limit) return std::nullopt;
  return n;
}

}  // namespace pycache::wire
