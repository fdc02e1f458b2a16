#include "pycache/policy_report.hpp"

#include <gtest/gtest.h>

#include <set>

#include "pycache/json_schema.hpp"

namespace pycache {
namespace {

// A policy of a project /p: its file, a user file, the environment and the
// command line each set something; a system file was refused.
PolicyResolution project_resolution() {
  PolicyResolution r;
  Layer user, project, environment, command_line;
  environment.set(Key::CachePrefix, std::string("/env/pfx"), {Source::Environment, "PYTHONPYCACHEPREFIX"});
  user.set(Key::CachePrefix, std::string("/home/u/.cache/pyc"),
           {Source::UserFile, "/home/u/.config/pycache/config.toml:1:16"});
  user.set(Key::SafeDirectories, std::vector<std::string>{"/srv"},
           {Source::UserFile, "/home/u/.config/pycache/config.toml:2:20"});
  project.set(Key::WriteBytecode, false, {Source::ProjectFile, "/p/pyproject.toml:3:18"});
  project.set(Key::Exclude, std::vector<std::string>{"build", "docs/*"},
              {Source::ProjectFile, "/p/pyproject.toml:4:11"});
  command_line.set(Key::Optimize, std::int64_t{2}, {Source::CommandLine, "-O"});
  const Layer layers[] = {environment, user, project, command_line};
  r.policy = Policy::resolve(layers);
  r.policy.project_file = "/p/pyproject.toml";
  r.files = {"/home/u/.config/pycache/config.toml", "/p/pyproject.toml"};
  r.refused.push_back({"/etc/pycache.toml", "it is owned by nobody (uid 65534), not by you or root"});
  r.project_dir = "/p";
  r.discovered_from = "/p";
  return r;
}

TEST(PolicyReport, DefaultsWithNoPolicyFile) {
  PolicyResolution r;
  EXPECT_EQ(format_policy(r),
            "# policy file: none\n"
            "write-bytecode = true              # default\n"
            "cache-prefix = \"\"                  # default\n"
            "optimize = 0                       # default\n"
            "check-hash-based-pycs = \"default\"  # default\n"
            "propagate = \"tree\"                 # default\n"
            "venv = \"\"                          # default\n"
            "read-only = \"fallback\"             # default\n"
            "read-through = true                # default\n"
            "init = \"auto\"                      # default\n"
            "init-signals = \"child\"             # default\n"
            "prefix-max-size = 0                # default\n"
            "safe-directories = []              # default\n"
            "python = \"\"                        # default\n"
            "exclude = []                       # default\n"
            "# children: pycache interpreters (sys.executable) run under this same policy; other pythons get\n"
            "#   PYTHONDONTWRITEBYTECODE unset\n"
            "#   PYTHONOPTIMIZE unset\n"
            "#   PYTHONPYCACHEPREFIX unset\n");
  EXPECT_EQ(format_policy_json(r),
            R"({"policy_file":null,"files_read":[],"refused":[],"settings":{)"
            R"("write-bytecode":{"value":true,"origin":"default"},"cache-prefix":{"value":"","origin":"default"},)"
            R"("optimize":{"value":0,"origin":"default"},)"
            R"("check-hash-based-pycs":{"value":"default","origin":"default"},)"
            R"("propagate":{"value":"tree","origin":"default"},"venv":{"value":"","origin":"default"},)"
            R"("read-only":{"value":"fallback","origin":"default"},"read-through":{"value":true,"origin":"default"},)"
            R"("init":{"value":"auto","origin":"default"},"init-signals":{"value":"child","origin":"default"},)"
            R"("prefix-max-size":{"value":0,"origin":"default"},"safe-directories":{"value":[],"origin":"default"},)"
            R"("python":{"value":"","origin":"default"},"exclude":{"value":[],"origin":"default"}},)"
            R"("inherited":false,"children":{"propagate":true,"environment":{)"
            R"("PYTHONDONTWRITEBYTECODE":null,"PYTHONOPTIMIZE":null,"PYTHONPYCACHEPREFIX":null}}})"
            "\n");
}

TEST(PolicyReport, EachValueWithItsOriginAndTheRefusedFiles) {
  EXPECT_EQ(format_policy(project_resolution()),
            "# policy file: /p/pyproject.toml\n"
            "# refused: /etc/pycache.toml: it is owned by nobody (uid 65534), not by you or root\n"
            "write-bytecode = false               # /p/pyproject.toml:3:18\n"
            "cache-prefix = \"/home/u/.cache/pyc\"  # /home/u/.config/pycache/config.toml:1:16\n"
            "optimize = 2                         # command line -O\n"
            "check-hash-based-pycs = \"default\"    # default\n"
            "propagate = \"tree\"                   # default\n"
            "venv = \"\"                            # default\n"
            "read-only = \"fallback\"               # default\n"
            "read-through = true                  # default\n"
            "init = \"auto\"                        # default\n"
            "init-signals = \"child\"               # default\n"
            "prefix-max-size = 0                  # default\n"
            "safe-directories = [\"/srv\"]          # /home/u/.config/pycache/config.toml:2:20\n"
            "python = \"\"                          # default\n"
            "exclude = [\"build\", \"docs/*\"]        # /p/pyproject.toml:4:11\n"
            "# children: pycache interpreters (sys.executable) run under this same policy; other pythons get\n"
            "#   PYTHONDONTWRITEBYTECODE=1\n"
            "#   PYTHONOPTIMIZE=2\n"
            "#   PYTHONPYCACHEPREFIX=/home/u/.cache/pyc\n");
  EXPECT_EQ(format_policy_json(project_resolution()),
            R"({"policy_file":"/p/pyproject.toml",)"
            R"("files_read":["/home/u/.config/pycache/config.toml","/p/pyproject.toml"],)"
            R"("refused":[{"file":"/etc/pycache.toml","why":"it is owned by nobody (uid 65534), not by you or root"}],)"
            R"("settings":{"write-bytecode":{"value":false,"origin":"/p/pyproject.toml:3:18"},)"
            R"("cache-prefix":{"value":"/home/u/.cache/pyc","origin":"/home/u/.config/pycache/config.toml:1:16"},)"
            R"("optimize":{"value":2,"origin":"command line -O"},)"
            R"("check-hash-based-pycs":{"value":"default","origin":"default"},)"
            R"("propagate":{"value":"tree","origin":"default"},"venv":{"value":"","origin":"default"},)"
            R"("read-only":{"value":"fallback","origin":"default"},"read-through":{"value":true,"origin":"default"},)"
            R"("init":{"value":"auto","origin":"default"},"init-signals":{"value":"child","origin":"default"},)"
            R"("prefix-max-size":{"value":0,"origin":"default"},)"
            R"("safe-directories":{"value":["/srv"],"origin":"/home/u/.config/pycache/config.toml:2:20"},)"
            R"("python":{"value":"","origin":"default"},)"
            R"("exclude":{"value":["build","docs/*"],"origin":"/p/pyproject.toml:4:11"}},)"
            R"("inherited":false,"children":{"propagate":true,"environment":{)"
            R"("PYTHONDONTWRITEBYTECODE":"1","PYTHONOPTIMIZE":"2","PYTHONPYCACHEPREFIX":"/home/u/.cache/pyc"}}})"
            "\n");
}

// One line of the text report, found by its start.
std::string line_of(const std::string& text, const std::string& start) {
  for (std::size_t at = 0; at < text.size();) {
    auto nl = text.find('\n', at);
    std::string line = text.substr(at, nl - at);
    if (line.starts_with(start)) return line;
    at = nl == std::string::npos ? text.size() : nl + 1;
  }
  return "(no line starting with " + start + ")";
}

TEST(PolicyReport, OriginsOfEverySource) {
  struct Case {
    Origin origin;
    const char* text;  // after "# "
    const char* json;
  };
  const Case cases[] = {
      {{Source::Environment, "PYTHONOPTIMIZE"}, "environment PYTHONOPTIMIZE", "environment PYTHONOPTIMIZE"},
      {{Source::CommandLine, "--optimize"}, "command line --optimize", "command line --optimize"},
      {{Source::SystemFile, "/etc/pycache.toml:1:12"}, "/etc/pycache.toml:1:12", "/etc/pycache.toml:1:12"},
      {{Source::Parent, "/p/pyproject.toml:2:12"},
       "parent process (/p/pyproject.toml:2:12)",
       "parent process (/p/pyproject.toml:2:12)"},
      {{Source::Fallback, "the prefix can't be written"},
       "fallback: the prefix can't be written",
       "fallback: the prefix can't be written"},
      {{Source::Default, "PYTHONSAFEPATH"}, "default (PYTHONSAFEPATH)", "default (PYTHONSAFEPATH)"},
      // A control byte in an origin is escaped in the text; JSON escapes it its own way.
      {{Source::ProjectFile, "/p/a\nb.toml:1:12"}, "/p/a\\nb.toml:1:12", "/p/a\\nb.toml:1:12"},
  };
  for (const auto& c : cases) {
    PolicyResolution r;
    r.policy.override(Key::Optimize, std::int64_t{1}, c.origin);
    const std::string line = line_of(format_policy(r), "optimize = ");
    EXPECT_TRUE(line.ends_with(std::string("  # ") + c.text)) << line;
    EXPECT_NE(format_policy_json(r).find(std::string(R"("optimize":{"value":1,"origin":")") + c.json + "\"}"),
              std::string::npos)
        << c.text;
  }
}

TEST(PolicyReport, FallbackDiscoveryAndInheritanceAreSaid) {
  PolicyResolution r = project_resolution();
  r.fell_back = true;
  r.discovered_from = "/home/u/work";
  r.inherited = true;
  const std::string text = format_policy(r);
  EXPECT_EQ(line_of(text, "# found"),
            "# found from the current directory /home/u/work (the script lies in no project)");
  EXPECT_EQ(line_of(text, "# inherited"), "# inherited from the parent process (PYCACHE_POLICY)");
  EXPECT_LT(text.find("# inherited"), text.find("# children"));
  EXPECT_NE(format_policy_json(r).find(R"("inherited":true,)"), std::string::npos);
  EXPECT_EQ(format_policy(project_resolution()).find("# found"), std::string::npos);
  EXPECT_EQ(format_policy(project_resolution()).find("# inherited"), std::string::npos);
}

TEST(PolicyReport, PropagateNoneLeavesChildrenAlone) {
  PolicyResolution r = project_resolution();
  r.policy.override(Key::Propagate, std::string("none"), {Source::ProjectFile, "/p/pyproject.toml:5:13"});
  const std::string text = format_policy(r);
  EXPECT_TRUE(
      text.ends_with("# children: not affected (propagate = \"none\"); they see the environment pycache "
                     "was started with\n"))
      << text;
  EXPECT_EQ(text.find("PYTHONOPTIMIZE"), std::string::npos);
  EXPECT_TRUE(format_policy_json(r).ends_with(R"("children":{"propagate":false,"environment":{}}})"
                                              "\n"));
}

TEST(PolicyReport, UnprintablePathsAreEscapedInTextAndExactInJson) {
  PolicyResolution r;
  r.policy.project_file = "/p/x\x1b[31m/pyproject.toml";
  r.refused.push_back({"/q/\xff.toml", "owned by nobody\n(uid 65534)"});
  r.files = {"/p/x\x1b[31m/pyproject.toml"};
  const std::string text = format_policy(r);
  EXPECT_EQ(line_of(text, "# policy file"), "# policy file: /p/x\\x1b[31m/pyproject.toml");
  EXPECT_EQ(line_of(text, "# refused"), "# refused: /q/\\xff.toml: owned by nobody\\n(uid 65534)");
  const std::string json = format_policy_json(r);
  EXPECT_NE(json.find(R"("policy_file":"/p/x\u001b[31m/pyproject.toml")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"j({"file":"/q/\u00ff.toml","why":"owned by nobody\n(uid 65534)"})j"), std::string::npos)
      << json;
}

// The dotted paths of a JSON text as json_schema.hpp writes them ("a[].b",
// "*" for the keys of `data_keys` objects). Enough JSON for the writer's output.
class Paths {
 public:
  Paths(std::string_view s, std::set<std::string> data_keys) : s_(s), data_(std::move(data_keys)) {}
  std::set<std::string> all() {
    value("");
    return out_;
  }

 private:
  void value(const std::string& path) {
    if (s_[i_] == '{') {
      ++i_;
      while (s_[i_] != '}') {
        if (s_[i_] == ',') ++i_;
        std::string k = string();
        ++i_;  // ':'
        std::string child = (path.empty() ? "" : path + ".") + (data_.count(path) ? "*" : k);
        if (s_[i_] != '[') out_.insert(child);  // an array is documented as its elements, "x[]"
        value(child);
      }
      ++i_;
    } else if (s_[i_] == '[') {
      ++i_;
      while (s_[i_] != ']') {
        if (s_[i_] == ',') ++i_;
        out_.insert(path + "[]");
        value(path + "[]");
      }
      ++i_;
    } else if (s_[i_] == '"') {
      string();
    } else {
      while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']') ++i_;
    }
  }
  std::string string() {
    std::string out;
    for (++i_; s_[i_] != '"'; ++i_) {
      if (s_[i_] == '\\') ++i_;
      out += s_[i_];
    }
    ++i_;
    return out;
  }
  std::string_view s_;
  std::set<std::string> data_;
  std::size_t i_ = 0;
  std::set<std::string> out_;
};

TEST(PolicyReport, JsonPrintsExactlyTheFieldsThePolicySchemaDocuments) {
  const JsonDocument* doc = find_json_document("policy");
  ASSERT_NE(doc, nullptr);
  std::set<std::string> documented;
  for (const auto& f : doc->fields) documented.insert(std::string(f.path));
  // Under "settings.*" a list value's elements are data, not fields.
  auto printed = Paths(format_policy_json(project_resolution()), {"settings", "children.environment"}).all();
  std::erase_if(printed, [](const std::string& p) { return p.starts_with("settings.*.value[]"); });
  EXPECT_EQ(printed, documented);
}

}  // namespace
}  // namespace pycache
