#pragma once
// A minimal JSON writer for --json reports (no JSON library in the stack).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pycache {

// Appends `s` as a JSON string literal. Bytes that are not UTF-8 are escaped
// as \u00XX of their byte value, so any path survives the round trip visibly.
void json_string(std::string& out, std::string_view s);

// Builds one JSON value with commas handled: begin_object/key/value/end_object.
class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(bool b);
  JsonWriter& value(std::int64_t n);
  JsonWriter& value(std::uint64_t n);
  JsonWriter& value(int n) { return value(static_cast<std::int64_t>(n)); }
  JsonWriter& value(double d);
  JsonWriter& value(const std::vector<std::string>& list) {
    begin_array();
    for (const auto& s : list) value(s);
    return end_array();
  }
  JsonWriter& null();
  // Inserts already-serialised JSON.
  JsonWriter& raw(std::string_view json);
  const std::string& str() const { return out_; }

 private:
  void separate();
  std::string out_;
  bool need_comma_ = false;
};

}  // namespace pycache
