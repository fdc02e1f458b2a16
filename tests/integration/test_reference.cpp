// The --json schemas of docs/reference/json.md are the code's table
// (json_schema.hpp): every field a command prints must be in its document's
// table, and every field in a table must be printed by some run here, so the
// table (and the page made from it) can't drift from the writers.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <set>
#include <sstream>

#include "process.hpp"
#include "pycache/json_schema.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

// Fields no run here can print as root, each covered by the test named.
const std::set<std::pair<std::string, std::string>> kNotPrintedHere = {
    {"status", "errors[].path"},  // Status.UnreadableDirectoryIsAWarningAndACheckFailure (as nobody)
    {"status", "errors[].error"},   {"clean", "problems[].path"},  // Clean tests with the failure-injecting filesystem
    {"clean", "problems[].action"}, {"clean", "problems[].error"}, {"clean", "problems[].errno"},
};

std::vector<std::string> split(std::string_view path) {
  std::vector<std::string> out;
  std::string part;
  for (char c : path) {
    if (c == '.') {
      out.push_back(part);
      part.clear();
    } else {
      part += c;
    }
  }
  out.push_back(part);
  return out;
}

// Whether the emitted components [from, from+n) are the declared path ("*" matches any one key).
bool matches(const std::vector<std::string>& declared, const std::vector<std::string>& emitted, std::size_t from) {
  if (from + declared.size() > emitted.size()) return false;
  for (std::size_t i = 0; i < declared.size(); ++i) {
    const std::string& d = declared[i];
    const std::string& e = emitted[from + i];
    if (d == e) continue;
    if (d == "*" && !e.empty()) continue;
    if (d == "*[]" && e.ends_with("[]")) continue;
    return false;
  }
  return true;
}

class Schema {
 public:
  // Checks one emitted path against document `doc` from component `from`;
  // records what it covers; returns an error or "".
  std::string check(const JsonDocument& doc, const std::vector<std::string>& emitted, std::size_t from = 0) {
    const JsonField* best = nullptr;
    for (const auto& f : doc.fields) {
      auto declared = split(f.path);
      if (!matches(declared, emitted, from)) continue;
      if (declared.size() + from == emitted.size()) {
        covered_.insert({std::string(doc.name), std::string(f.path)});
        return "";
      }
      if (!f.embeds.empty()) best = &f;
    }
    if (best) {
      covered_.insert({std::string(doc.name), std::string(best->path)});
      const JsonDocument* inner = find_json_document(best->embeds);
      if (!inner) return "no document '" + std::string(best->embeds) + "'";
      return check(*inner, emitted, from + split(best->path).size());
    }
    // A list of scalars ("value[]") is a field whose type is a list ("string[]").
    if (std::string last = emitted.back(); last.ends_with("[]")) {
      auto bare = emitted;
      bare.back() = last.substr(0, last.size() - 2);
      for (const auto& f : doc.fields)
        if (f.type.find("[]") != std::string_view::npos && split(f.path).size() + from == bare.size() &&
            matches(split(f.path), bare, from)) {
          covered_.insert({std::string(doc.name), std::string(f.path)});
          return "";
        }
    }
    return "undocumented field";
  }
  void cover_prefixes() {
    for (const auto& d : json_documents())
      for (const auto& f : d.fields)
        for (const auto& [doc, path] : std::set(covered_))
          if (doc == d.name && path.starts_with(std::string(f.path) + ".")) covered_.insert({doc, std::string(f.path)});
  }
  bool covered(std::string_view doc, std::string_view path) const {
    return covered_.contains({std::string(doc), std::string(path)});
  }

 private:
  std::set<std::pair<std::string, std::string>> covered_;
};

class JsonSchema : public ::testing::Test {
 protected:
  TempDir t;
  fs::path proj = t / "proj";
  fs::path plain = t / "plain";
  Env env = isolated_env(t.path());
  Schema schema;

  void SetUp() override {
    add_git_identity(env);
    // A project under a prefix, with a syntax error, and a git tree with every kind of bytecode in it.
    write_file(proj / "pyproject.toml", "[tool.pycache]\ncache-prefix = \".cache/py\"\nprefix-max-size = \"1M\"\n");
    write_file(proj / "pkg/a.py", "x = 1\n");
    write_file(proj / "pkg/bad.py", "def (\n");
    write_file(plain / "m.py", "y = 2\n");
    write_file(plain / "gone.py", "z = 3\n");
    write_file(plain / "legacy.py", "w = 4\n");
    python(
        {"-c",
         "import py_compile as p; p.compile('m.py'); p.compile('gone.py'); p.compile('legacy.py', cfile='legacy.pyc');"
         "p.compile('m.py', cfile='sourceless.pyc'); p.compile('m.py', optimize=1)"},
        plain);
    fs::remove(plain / "gone.py");
    write_file(plain / ("__pycache__/junk." + python_cache_tag() + ".pyc"), "junk");
    write_file(plain / ("__pycache__/m." + python_cache_tag() + ".pyc.12345"), "partial");
    write_file(plain / "__pycache__/notes.txt", "kept\n");
    ASSERT_EQ(run({{"/usr/bin/git", "init", "-q", "."}, std::nullopt, env, plain}).exit_code, 0);
    ASSERT_EQ(run({{"/usr/bin/git", "add", "-f", "."}, std::nullopt, env, plain}).exit_code, 0);
    // A pyc name held by a FIFO: status's not_regular.
    ASSERT_EQ(::mkfifo((plain / ("__pycache__/fifo." + python_cache_tag() + ".pyc")).c_str(), 0644), 0);
  }
  Outcome pycache(std::vector<std::string> args, const fs::path& cwd) {
    args.insert(args.begin(), pycache_bin().native());
    return run({args, std::nullopt, env, cwd});
  }
  void python(std::vector<std::string> args, const fs::path& cwd) {
    args.insert(args.begin(), reference_python().native());
    auto o = run({args, std::nullopt, env, cwd});
    ASSERT_EQ(o.exit_code, 0) << o.err;
  }
  // Every path of a JSON document, as json_schema.hpp spells them.
  std::vector<std::string> paths(const std::string& json_text) {
    const char* code =
        "import json, sys\n"
        "def walk(v, p):\n"
        "    if isinstance(v, dict):\n"
        "        if not v: print(p)\n"
        "        for k, x in v.items(): walk(x, p + '.' + k if p else k)\n"
        "    elif isinstance(v, list):\n"
        "        if not v: print(p + '[]')\n"
        "        for x in v: walk(x, p + '[]')\n"
        "    else: print(p)\n"
        "walk(json.load(sys.stdin), '')\n";
    auto o = run({{reference_python().native(), "-I", "-c", code}, std::nullopt, env, t.path(), json_text});
    EXPECT_EQ(o.exit_code, 0) << o.err << json_text;
    std::vector<std::string> out;
    std::istringstream in(o.out);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
  void expect_documented(std::string_view name, std::vector<std::string> args, const fs::path& cwd) {
    auto o = pycache(args, cwd);
    ASSERT_FALSE(o.out.empty()) << args[0] << ": " << o.err;
    const JsonDocument* doc = find_json_document(name);
    ASSERT_NE(doc, nullptr) << name;
    for (const auto& p : paths(o.out))
      EXPECT_EQ(schema.check(*doc, split(p)), "") << name << ": '" << p << "' printed by pycache " << args[0];
  }
};

TEST_F(JsonSchema, EveryFieldPrintedIsDocumentedAndEveryDocumentedFieldIsPrinted) {
  const fs::path pyc = plain / ("__pycache__/m." + python_cache_tag() + ".pyc");
  expect_documented("policy", {"policy", "--json"}, proj);
  expect_documented("compile", {"compile", "--json", "."}, proj);
  expect_documented("status", {"status", "--json", proj.native(), plain.native()}, proj);
  expect_documented("show-source", {"show", "--json", "--dis", "pkg/a.py"}, proj);
  expect_documented("show-pyc", {"show", "--json", "--dis", pyc.native()}, proj);
  expect_documented("show-pyc", {"show", "--json", (plain / "legacy.pyc").native()}, proj);
  expect_documented("clean", {"clean", "--json", "--dry-run", "--verbose", "."}, plain);
  expect_documented("python-list", {"python", "list", "--json"}, proj);
  expect_documented("clean", {"clean", "--json", "--prefix", "--dry-run", "--max-size", "1K"}, proj);
  if (::geteuid() == 0) {  // a policy file of someone else's: refused
    fs::path theirs = t / "theirs";
    write_file(theirs / "pycache.toml", "optimize = 1\n");
    ASSERT_EQ(::lchown(theirs.c_str(), 65534, 65534), 0);
    ASSERT_EQ(::lchown((theirs / "pycache.toml").c_str(), 65534, 65534), 0);
    fs::create_directories(theirs / "mine");
    expect_documented("policy", {"policy", "--json"}, theirs / "mine");
  }

  schema.cover_prefixes();
  for (const auto& d : json_documents())
    for (const auto& f : d.fields) {
      if (kNotPrintedHere.contains({std::string(d.name), std::string(f.path)})) continue;
      if (d.name == "policy" && f.path.starts_with("refused[].") && ::geteuid() != 0) continue;
      EXPECT_TRUE(schema.covered(d.name, f.path)) << d.name << ": '" << f.path << "' is documented but never printed";
    }
}

}  // namespace
}  // namespace pycache::test
