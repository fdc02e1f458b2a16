#include "pycache/json_schema.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace pycache {
namespace {

// The types a field may have: one of these, or several joined by "|".
bool known_type(std::string_view type) {
  static const std::set<std::string_view> kTypes = {"string", "integer", "number",   "boolean",
                                                    "object", "null",    "string[]", "integer[]"};
  while (!type.empty()) {
    auto bar = type.find('|');
    if (!kTypes.count(type.substr(0, bar))) return false;
    type = bar == std::string_view::npos ? std::string_view() : type.substr(bar + 1);
  }
  return true;
}

// "a[].b.*" -> "a[].b"; "a[]" -> ""; "a" -> "".
std::string parent_of(std::string_view path) {
  auto dot = path.rfind('.');
  return dot == std::string_view::npos ? std::string() : std::string(path.substr(0, dot));
}

TEST(JsonSchema, TheDocumentsAreTheCommandsJsonOutputsInReferenceOrder) {
  std::vector<std::string> names, commands;
  for (const auto& d : json_documents()) {
    names.emplace_back(d.name);
    commands.emplace_back(d.command);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"policy", "status", "show-pyc", "show-source", "clean", "compile",
                                             "python-list"}));
  EXPECT_EQ(commands, (std::vector<std::string>{"pycache policy --json [PATH]", "pycache status --json [PATH...]",
                                                "pycache show --json FILE.pyc", "pycache show --json FILE.py",
                                                "pycache clean --json [PATH...]", "pycache compile --json [PATH...]",
                                                "pycache python list --json"}));
}

TEST(JsonSchema, FindJsonDocumentByName) {
  for (const auto& d : json_documents()) {
    const JsonDocument* found = find_json_document(d.name);
    ASSERT_NE(found, nullptr) << d.name;
    EXPECT_EQ(found, &d) << d.name;
  }
  for (const char* unknown : {"", "show", "Policy", "policy ", "status[]"})
    EXPECT_EQ(find_json_document(unknown), nullptr) << unknown;
}

TEST(JsonSchema, EveryFieldIsDocumentedOnceWithAKnownType) {
  for (const auto& d : json_documents()) {
    EXPECT_FALSE(d.description.empty()) << d.name;
    EXPECT_TRUE(d.command.starts_with("pycache ")) << d.name;
    EXPECT_NE(d.command.find("--json"), std::string_view::npos) << d.name;
    EXPECT_FALSE(d.fields.empty()) << d.name;
    std::set<std::string_view> seen;
    for (const auto& f : d.fields) {
      const std::string where = std::string(d.name) + ": " + std::string(f.path);
      EXPECT_TRUE(seen.insert(f.path).second) << where << " twice";
      EXPECT_TRUE(known_type(f.type)) << where << ": " << f.type;
      EXPECT_FALSE(f.meaning.empty()) << where;
      EXPECT_EQ(f.meaning.find('\n'), std::string_view::npos) << where;
      EXPECT_FALSE(f.path.empty()) << d.name;
      EXPECT_FALSE(f.path.starts_with(".") || f.path.ends_with(".")) << where;
      EXPECT_EQ(f.path.find(".."), std::string_view::npos) << where;
      EXPECT_EQ(f.path.find(' '), std::string_view::npos) << where;
    }
  }
}

TEST(JsonSchema, EveryNestedFieldHasItsObjectDocumentedBeforeIt) {
  for (const auto& d : json_documents()) {
    std::set<std::string> objects;  // paths documented so far whose type allows an object
    for (const auto& f : d.fields) {
      const std::string path(f.path);
      const std::string parent = parent_of(path);
      if (!parent.empty()) {
        EXPECT_TRUE(objects.count(parent)) << d.name << ": " << path << " comes before (or without) " << parent;
      }
      if (f.type.find("object") != std::string_view::npos) objects.insert(path);
      // "x[]" is typed by its elements: never "string[]" again.
      if (path.ends_with("[]")) {
        EXPECT_EQ(f.type.find("[]"), std::string_view::npos) << d.name << ": " << path;
      }
    }
  }
}

TEST(JsonSchema, EmbeddedDocumentsExistAndAreObjects) {
  std::vector<std::pair<std::string, std::string>> embeds;
  for (const auto& d : json_documents()) {
    for (const auto& f : d.fields) {
      if (f.embeds.empty()) continue;
      embeds.emplace_back(std::string(d.name) + ": " + std::string(f.path), std::string(f.embeds));
      EXPECT_NE(find_json_document(f.embeds), nullptr) << f.path;
      EXPECT_NE(f.embeds, d.name) << "a document holding itself: " << f.path;
      EXPECT_NE(f.type.find("object"), std::string_view::npos) << f.path;
    }
  }
  EXPECT_EQ(embeds, (std::vector<std::pair<std::string, std::string>>{{"status: roots[].policy", "policy"},
                                                                      {"show-source: levels[].report", "show-pyc"}}));
}

TEST(JsonSchema, StatusCountsEveryStateInExpectedAndInEachGroup) {
  const JsonDocument* status = find_json_document("status");
  ASSERT_NE(status, nullptr);
  std::set<std::string_view> paths;
  for (const auto& f : status->fields) paths.insert(f.path);
  for (const char* base : {"roots[].expected.states", "roots[].groups[].states"}) {
    for (const char* state : {"fresh", "stale", "unverified", "orphaned", "sourceless", "invalid"}) {
      const std::string path = std::string(base) + "." + state;
      EXPECT_TRUE(paths.count(path)) << path;
    }
  }
  EXPECT_TRUE(paths.count("schema"));
}

TEST(JsonSchema, ThePolicyDocumentHasOneEntryPerKeyOfAnObjectWhoseKeysAreData) {
  const JsonDocument* policy = find_json_document("policy");
  ASSERT_NE(policy, nullptr);
  std::vector<std::string> paths;
  for (const auto& f : policy->fields) paths.emplace_back(f.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"policy_file", "files_read[]", "refused[]", "refused[].file",
                                             "refused[].why", "settings", "settings.*", "settings.*.value",
                                             "settings.*.origin", "inherited", "children", "children.propagate",
                                             "children.environment", "children.environment.*"}));
}

}  // namespace
}  // namespace pycache
