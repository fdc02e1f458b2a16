#include "pycache/python_list.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "pycache/embed_module.hpp"
#include "pycache/flags_run.hpp"
#include "pycache/json.hpp"

namespace pycache::python_list {
namespace {

using interpreters::Interpreter;
using interpreters::Link;

// "3.12.1", "3.13.0t", "3.13t" (when only the minor is known).
std::string shown_version(const Interpreter& in) { return in.version + (in.free_threaded ? "t" : ""); }

std::string path_text(const Interpreter& in) {
  std::string out = in.path.native();
  if (!in.aliases.empty()) {
    out += " (also ";
    for (std::size_t i = 0; i < in.aliases.size(); ++i) out += (i ? ", " : "") + in.aliases[i].native();
    out += ")";
  }
  return out;
}

std::string libpython_text(const Interpreter& in) {
  if (in.libpython.empty()) return "static, no shared libpython";
  // Debian's python3.11 has the core linked in, and the shared library beside it.
  return "libpython " + in.libpython.native() + (in.link == Link::Static ? " (the binary itself is static)" : "");
}

// What `pycache run` does with this interpreter.
std::string run_text(const Row& row) {
  if (row.runtime) return fmt::format("the static runtime {} of this install", row.runtime->program());
  if (!row.not_embeddable) return fmt::format("embedded, through {}", embed_module::module_file_name(row.interpreter));
  if (row.runs_itself) return "itself, the policy in python's flags (it can't be embedded)";
  return "not run (it is refused)";
}

}  // namespace

std::optional<std::string> why_not_embeddable(const Interpreter& in, const fs::path& modules_dir, const Trust& trust) {
  if (in.refused) return "refused";
  if (in.libpython.empty()) return "no shared libpython";
  if (auto e = embed_module::check(in, modules_dir, trust)) return e->message;
  return std::nullopt;
}

std::vector<Row> rows(const std::vector<Interpreter>& found, const fs::path& modules_dir, const Trust& trust,
                      const runtime::Runtime* (*runtime_for)(std::string_view name)) {
  std::vector<Row> out;
  out.reserve(found.size());
  for (const auto& in : found) {
    // A static runtime runs only the very file it was built from.
    const runtime::Runtime* r = runtime_for(in.name());
    if (r && in.real != fs::path(r->interpreter_real)) r = nullptr;
    Row row{in, why_not_embeddable(in, modules_dir, trust), r};
    row.not_run = flags_run::refusal(in, modules_dir, trust);
    row.runs_itself = row.not_embeddable && !row.not_run;
    out.push_back(std::move(row));
  }
  return out;
}

std::string format_list(const std::vector<Row>& rows) {
  std::size_t width = 0;
  for (const auto& r : rows) width = std::max(width, shown_version(r.interpreter).size());
  std::string out;
  for (const auto& r : rows) {
    const Interpreter& in = r.interpreter;
    out += fmt::format("{:<{}}  {}  {}", shown_version(in), width, path_text(in), libpython_text(in));
    if (in.refused) out += "  refused: " + *in.refused;
    out += r.not_embeddable ? "  embed: no (" + *r.not_embeddable + ")" : std::string("  embed: yes");
    out += "  run: " + run_text(r) + "\n";
  }
  return out;
}

namespace {

void optional_value(JsonWriter& w, std::string_view key, const std::optional<std::string>& v) {
  w.key(key);
  if (v) w.value(*v);
  else w.null();
}

std::optional<std::string> nonempty(const fs::path& p) {
  return p.empty() ? std::nullopt : std::optional<std::string>(p.native());
}

// "run": how `pycache run` runs it; "run_reason": why not embedded, or never run.
void run_json(JsonWriter& w, const Row& r) {
  if (r.runtime) w.key("run").value("runtime").key("run_reason").null();
  else if (!r.not_embeddable) w.key("run").value("embedded").key("run_reason").null();
  else if (r.runs_itself) w.key("run").value("itself").key("run_reason").value(*r.not_embeddable);
  else w.key("run").value("not run").key("run_reason").value(r.not_run.value_or(*r.not_embeddable));
}

void row_json(JsonWriter& w, const Row& r) {
  const Interpreter& in = r.interpreter;
  std::vector<std::string> aliases;
  for (const auto& a : in.aliases) aliases.push_back(a.native());
  w.begin_object();
  w.key("name").value(in.name()).key("version").value(in.version);
  w.key("version_source").value(interpreters::version_source_name(in.version_source));
  w.key("free_threaded").value(in.free_threaded);
  w.key("path").value(in.path.native()).key("aliases").value(aliases).key("real").value(in.real.native());
  w.key("place").value(interpreters::place_name(in.place));
  optional_value(w, "prefix", nonempty(in.prefix));
  w.key("link").value(in.link == Link::Shared ? "shared" : "static");
  optional_value(w, "libpython", nonempty(in.libpython));
  optional_value(w, "refused", in.refused);
  w.key("embeddable").value(!r.not_embeddable);
  optional_value(w, "not_embeddable", r.not_embeddable);
  run_json(w, r);
  optional_value(w, "run_runtime", r.runtime ? std::optional<std::string>(r.runtime->name) : std::nullopt);
  optional_value(w, "run_interpreter",
                 r.runtime ? std::optional<std::string>(r.runtime->interpreter_real) : std::nullopt);
  w.end_object();
}

}  // namespace

std::string format_list_json(const std::vector<Row>& rows) {
  JsonWriter w;
  w.begin_array();
  for (const auto& r : rows) row_json(w, r);
  w.end_array();
  return w.str() + "\n";
}

}  // namespace pycache::python_list
