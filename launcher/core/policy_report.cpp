#include "pycache/policy_report.hpp"

#include <fmt/format.h>

#include "pycache/json.hpp"
#include "pycache/text.hpp"

namespace pycache {

std::string format_policy(const PolicyResolution& r) {
  std::string out;
  out += fmt::format("# policy file: {}\n",
                     r.policy.project_file.empty() ? "none" : printable(r.policy.project_file.native()));
  if (r.fell_back)
    out += fmt::format("# found from the current directory {} (the script lies in no project)\n",
                       printable(r.discovered_from.native()));
  for (const auto& refused : r.refused)
    out += fmt::format("# refused: {}: {}\n", printable(refused.file.native()), printable(refused.why));
  std::size_t width = 0;
  for (const auto& k : policy_keys())
    width = std::max(width, k.name.size() + 3 + format_value(r.policy.get(k.key).value).size());
  for (const auto& k : policy_keys()) {
    const Setting& s = r.policy.get(k.key);
    std::string line = fmt::format("{} = {}", k.name, format_value(s.value));
    out += fmt::format("{:<{}}  # {}\n", line, width, printable(s.origin.describe()));
  }
  if (r.inherited) out += "# inherited from the parent process (PYCACHE_POLICY)\n";
  if (!r.policy.propagate_to_children()) {
    out += "# children: not affected (propagate = \"none\"); they see the environment pycache was started with\n";
    return out;
  }
  out += "# children: pycache interpreters (sys.executable) run under this same policy; other pythons get\n";
  for (const auto& [name, value] : policy_environment(r.policy)) {
    if (name == kInheritVariable) continue;
    out += value ? fmt::format("#   {}={}\n", name, printable(*value)) : fmt::format("#   {} unset\n", name);
  }
  return out;
}

std::string format_policy_json(const PolicyResolution& r) {
  JsonWriter j;
  j.begin_object();
  j.key("policy_file");
  if (r.policy.project_file.empty()) j.null();
  else j.value(r.policy.project_file.native());
  j.key("files_read").begin_array();
  for (const auto& f : r.files) j.value(f.native());
  j.end_array();
  j.key("refused").begin_array();
  for (const auto& refused : r.refused)
    j.begin_object().key("file").value(refused.file.native()).key("why").value(refused.why).end_object();
  j.end_array();
  j.key("settings").begin_object();
  for (const auto& k : policy_keys()) {
    const Setting& s = r.policy.get(k.key);
    j.key(k.name).begin_object();
    j.key("value");
    std::visit([&](const auto& v) { j.value(v); }, s.value);
    j.key("origin").value(s.origin.describe());
    j.end_object();
  }
  j.end_object();
  j.key("inherited").value(r.inherited);
  j.key("children").begin_object();
  j.key("propagate").value(r.policy.propagate_to_children());
  j.key("environment").begin_object();
  if (r.policy.propagate_to_children()) {
    for (const auto& [name, value] : policy_environment(r.policy)) {
      if (name == kInheritVariable) continue;
      j.key(name);
      if (value) j.value(*value);
      else j.null();
    }
  }
  j.end_object();
  j.end_object();
  j.end_object();
  return j.str() + "\n";
}

}  // namespace pycache
