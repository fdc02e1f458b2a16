#pragma once
// The --json documents of the commands, one row per field: the reference
// page (docs/reference/json.md) is made from these tables, and a test runs
// every command with --json and checks that each field it prints is here
// and each field here is printed (tests/integration/test_reference.cpp).
#include <span>
#include <string_view>

namespace pycache {

struct JsonField {
  // Dotted, with "[]" for each element of an array and "*" for a key of an
  // object whose keys are data (a policy key, a variable name, a reason).
  std::string_view path;
  std::string_view type;     // "string", "integer", "number", "boolean", "object", "string[]", "T|null", ...
  std::string_view meaning;  // one sentence
  // The name of another document this field holds whole (its fields are
  // that document's), or empty.
  std::string_view embeds = {};
};

struct JsonDocument {
  std::string_view name;     // "policy", "status", "show-pyc", ...
  std::string_view command;  // the command line printing it
  std::string_view description;
  std::span<const JsonField> fields;
};

// Every document, in the order the reference lists them.
std::span<const JsonDocument> json_documents();
const JsonDocument* find_json_document(std::string_view name);

}  // namespace pycache
