#include "pycache/json.hpp"

#include <gtest/gtest.h>

#include <string>

#include "utf8_cases.hpp"

namespace pycache {
namespace {

std::string quoted(std::string_view s) {
  std::string out;
  json_string(out, s);
  return out;
}

// The JSON writer and printable() agree on what is UTF-8: the same table,
// with JSON's \u00XX where printable writes \xXX.
TEST(JsonString, Utf8Table) {
  for (const auto& c : test::kUtf8Cases) {
    std::string want = "\"";
    for (std::size_t i = 0; i < c.printable.size(); ++i) {
      if (c.printable.substr(i, 2) == "\\x") {
        want += "\\u00";
        ++i;
      } else {
        want += c.printable[i];
      }
    }
    want += '"';
    EXPECT_EQ(quoted(c.input), want) << c.what;
  }
}

TEST(JsonString, ControlBytesDelAndQuotes) {
  EXPECT_EQ(quoted(std::string_view("\0", 1)), "\"\\u0000\"");
  EXPECT_EQ(quoted("\x01\x1f"), "\"\\u0001\\u001f\"");
  EXPECT_EQ(quoted("a\x7f"
                   "b"),
            "\"a\\u007fb\"");
  EXPECT_EQ(quoted("\r\n\t"), "\"\\r\\n\\t\"");
  EXPECT_EQ(quoted("say \"hi\" \\"), "\"say \\\"hi\\\" \\\\\"");
}

TEST(JsonWriter, CommasAndNesting) {
  JsonWriter j;
  j.begin_object().key("a").value(1).key("b").begin_array().value("x").value(true).null().end_array().end_object();
  EXPECT_EQ(j.str(), R"({"a":1,"b":["x",true,null]})");
}

}  // namespace
}  // namespace pycache
