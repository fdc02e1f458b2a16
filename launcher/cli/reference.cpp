#include "reference.hpp"

#include <fmt/format.h>

#include <cstring>

#include "commands.hpp"
#include "pycache/exit_code.hpp"
#include "pycache/fs.hpp"
#include "pycache/json_schema.hpp"
#include "pycache/log.hpp"
#include "pycache/policy.hpp"
#include "pycache/text.hpp"

namespace pycache::cli {
namespace {

constexpr std::string_view kGenerated =
    "<!-- Generated from the code by `pycache help --reference docs/reference` (the build's `reference` target). "
    "Do not edit: change the table in the code, then regenerate. -->\n\n";

// A table cell: pipes escaped, newlines folded.
std::string cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

std::string code(std::string_view s) { return s.empty() ? std::string() : "`" + cell(s) + "`"; }

std::string option_names(const OptionDoc& o) {
  std::string out;
  for (const auto& n : o.names) out += (out.empty() ? "" : ", ") + code(n + (o.value.empty() ? "" : " " + o.value));
  return out;
}

std::string command_section(const Command& c) {
  const CommandDoc doc = c.doc();
  std::string out =
      fmt::format("## pycache {}\n\n{}.\n\n```\n{}\n```\n\n{}\n\n", c.name, c.summary, doc.usage, doc.description);
  bool header = false;
  for (const auto& o : doc.options) {
    if (!header) out += "| argument or option | meaning |\n|---|---|\n";
    header = true;
    std::string help = o.help;
    if (o.repeatable && help.find("repeatable") == std::string::npos) help += " (repeatable)";
    out += fmt::format("| {} | {} |\n", option_names(o), cell(help));
  }
  out += std::string(header ? "" : "| argument or option | meaning |\n|---|---|\n") +
         "| `-h`, `--help` | show the command's help |\n\n";
  if (!doc.footer.empty()) out += doc.footer + "\n\n";
  return out;
}

std::string commands_page() {
  std::string out = std::string(kGenerated) +
                    "# Commands\n\nThe command line of every command, as `pycache COMMAND --help` prints it. "
                    "`pycache --version` (after any command too) prints the version and the runtimes; "
                    "`pycache-python` takes python's own command line.\n\n";
  for (const auto& c : commands()) out += fmt::format("- [`pycache {}`](#pycache-{}): {}\n", c.name, c.name, c.summary);
  out += "\n";
  for (const auto& c : commands()) out += command_section(c);
  return out;
}

std::string_view type_word(ValueType t) {
  switch (t) {
    case ValueType::Bool: return "boolean";
    case ValueType::Int: return "integer";
    case ValueType::String: return "string";
    case ValueType::StringList: return "list of strings";
  }
  return "";
}

std::string keys_page() {
  std::string out = std::string(kGenerated) +
                    "# Policy keys\n\nWritten in `[tool.pycache]` of `pyproject.toml`, at the top level of "
                    "`pycache.toml`, in the user's file (`~/.config/pycache/config.toml`) or the system's "
                    "(`/etc/pycache.toml`). Where python itself has the setting, the default is what python does.\n\n"
                    "| key | type | default | on the command line |\n|---|---|---|---|\n";
  for (const auto& k : policy_keys())
    out += fmt::format("| [`{}`](#{}) | {} | `{}` | {} |\n", k.name, k.name, type_word(k.type), cell(k.default_value),
                       code(key_options_text(k)));
  out += "\n";
  for (const auto& k : policy_keys()) {
    out += fmt::format("## {}\n\n{}.\n\n- type: {}\n- default: `{}`\n- value: {}\n", k.name, k.help, type_word(k.type),
                       k.default_value, k.expected);
    if (auto options = key_options_text(k); !options.empty()) out += fmt::format("- command line: {}\n", code(options));
    if (k.scope == KeyScope::UserOnly)
      out += "- only in the user's and the system's file: a project file setting it is an error\n";
    out += "\n";
  }
  return out;
}

std::string field_type(const JsonField& f) {
  if (f.embeds.empty()) return code(f.type);
  return fmt::format("{} ([{}](#{}))", code(f.type), f.embeds, f.embeds);
}

std::string json_page() {
  std::string out = std::string(kGenerated) +
                    "# JSON output\n\nThe commands' `--json` documents: one object on stdout (one array for "
                    "`python list`), field by field. A path reads as in `jq`: `a.b` is field `b` of object `a`, `a[]` "
                    "each element of array "
                    "`a` (`[].name`: field `name` of each element of the document's own array), `*` a key that is data "
                    "(a policy key, a variable name). Paths are absolute; bytes "
                    "of a path that are not UTF-8 are written as `\\u00XX`.\n\n";
  for (const auto& d : json_documents()) out += fmt::format("- [{}](#{}): `{}`\n", d.name, d.name, d.command);
  out += "\n";
  for (const auto& d : json_documents()) {
    out += fmt::format("## {}\n\n`{}`: {}\n\n| field | type | meaning |\n|---|---|---|\n", d.name, d.command,
                       d.description);
    for (const auto& f : d.fields)
      out += fmt::format("| `{}` | {} | {} |\n", cell(f.path), field_type(f), cell(f.meaning));
    out += "\n";
  }
  return out;
}

std::string exit_status_page() {
  std::string out = std::string(kGenerated) +
                    "# Exit status\n\n`pycache run` and `pycache-python` exit with the Python program's own "
                    "status, as python does (a program killed by a signal: killed by the same signal). The "
                    "commands exit with one of these:\n\n| status | meaning |\n|---|---|\n";
  for (const auto& e : kExitStatuses) out += fmt::format("| {} | {} |\n", e.code, cell(e.meaning));
  return out +
         "\nErrors are one line on stderr, `pycache: error: ...`; for a policy file it starts with "
         "`FILE:LINE:COLUMN:`.\n";
}

}  // namespace

std::vector<ReferencePage> reference_pages() {
  return {{"commands.md", commands_page()},
          {"keys.md", keys_page()},
          {"json.md", json_page()},
          {"exit-status.md", exit_status_page()}};
}

int write_reference(const std::string& dir) {
  // The directory as named; each page written in it by name.
  auto out = real_fs().open_directory(dir, FollowLink::Yes);
  for (const auto& page : reference_pages()) {
    const fs::path path = fs::path(dir) / page.file;
    if (int err = out->write_atomic(page.file, page.text, 0644); err != 0) {
      log().error("'{}': {}", printable(path.native()), std::strerror(err));
      return kExitFailure;
    }
  }
  return kExitOk;
}

}  // namespace pycache::cli
