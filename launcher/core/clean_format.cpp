// The human and --json forms of a clean's events and summary (declared in clean.hpp).
#include "pycache/clean.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "pycache/json.hpp"
#include "pycache/text.hpp"
#include "pycache/units.hpp"

namespace pycache::clean {

std::string format_removal(const Removal& r, DryRun dry_run) {
  // One line per removal, tens of thousands of them: plain appends.
  const std::string& path = r.path.native();
  std::string out;
  out.reserve(path.size() + 16);
  out += dry_run == DryRun::Yes ? "would remove " : "removed ";
  const bool plain = std::all_of(path.begin(), path.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
  out += plain ? path : printable(path);
  if (r.directory) out += '/';
  out += '\n';
  return out;
}

std::string format_problem(const Problem& p) {
  std::string_view what = p.action == "read" ? "cannot read" : p.action == "stat" ? "cannot stat" : "cannot remove";
  return fmt::format("{} '{}': {}", what, printable(p.path.native()), std::strerror(p.error));
}

std::string format_kept(const Kept& k) {
  if (k.mount_point) return fmt::format("kept '{}': a mount point", printable(k.path.native()));
  return fmt::format("kept '{}': {} not bytecode", printable(k.path.native()), plural(k.others, "entry", "entries"));
}

std::string format_summary(const Summary& s, const Options& o) {
  const bool dry = o.dry_run == DryRun::Yes;
  std::string out;
  if (s.total.files == 0 && s.total.dirs == 0) {
    out += dry ? "nothing to remove" : "nothing removed";
  } else {
    out +=
        fmt::format("{} {} and {}, {}{}", dry ? "would remove" : "removed", plural(s.total.files, "file", "files"),
                    plural(s.total.dirs, "directory", "directories"), format_size(s.total.bytes), dry ? "" : " freed");
  }
  out += fmt::format(" in {:.2f} s\n", s.seconds);
  std::string reasons;
  std::size_t kinds = 0;
  for (std::size_t i = 0; i < kReasonCount; ++i) {
    if (!s.by_reason[i]) continue;
    ++kinds;
    if (!reasons.empty()) reasons += ", ";
    reasons += fmt::format("{} {}", to_string(static_cast<Reason>(i)), format_count(s.by_reason[i]));
  }
  if (kinds > 1) out += "  (" + reasons + ")\n";
  if (s.kept_bytecode)
    out += fmt::format("kept {} still in use\n", plural(s.kept_bytecode, "bytecode file", "bytecode files"));
  if (!o.prefixes.empty() && o.max_size)
    out += fmt::format("the prefix holds {} of bytecode{} (max-size {})\n", format_size(s.prefix_bytes_left),
                       dry ? " after that" : "", format_size(*o.max_size));
  for (const auto& k : s.kept) out += format_kept(k) + "\n";
  if (!s.problems.empty())
    out += fmt::format("{} (reported above)\n", plural(s.problems.size(), "problem", "problems"));
  return out;
}

std::string format_json(const Summary& s, const Options& o) {
  JsonWriter j;
  j.begin_object();
  j.key("dry_run").value(o.dry_run == DryRun::Yes);
  if (o.prefixes.empty()) {
    j.key("paths").begin_array();
    for (const auto& t : o.targets) j.value(t.path.native());
    j.end_array();
    j.key("prefixes").begin_array();
    for (const auto& t : o.targets)
      if (!t.prefix.empty()) j.value(t.prefix.native());
    j.end_array();
  } else {
    j.key("paths").begin_array().end_array();
    j.key("prefixes").begin_array();
    for (const auto& p : o.prefixes) j.value(p.native());
    j.end_array();
  }
  j.key("files").value(s.total.files);
  j.key("directories").value(s.total.dirs);
  j.key("bytes").value(s.total.bytes);
  j.key("seconds").value(s.seconds);
  j.key("reasons").begin_object();
  for (std::size_t i = 0; i < kReasonCount; ++i)
    if (s.by_reason[i]) j.key(to_string(static_cast<Reason>(i))).value(s.by_reason[i]);
  j.end_object();
  j.key("kept_bytecode").value(s.kept_bytecode);
  if (!o.prefixes.empty()) {
    j.key("prefix_bytes_left");
    if (o.max_size) j.value(s.prefix_bytes_left);
    else j.null();
  }
  j.key("kept").begin_array();
  for (const auto& k : s.kept)
    j.begin_object()
        .key("path")
        .value(k.path.native())
        .key("others")
        .value(k.others)
        .key("mount_point")
        .value(k.mount_point)
        .end_object();
  j.end_array();
  j.key("problems").begin_array();
  for (const auto& p : s.problems)
    j.begin_object()
        .key("path")
        .value(p.path.native())
        .key("action")
        .value(p.action)
        .key("error")
        .value(std::string(std::strerror(p.error)))
        .key("errno")
        .value(p.error)
        .end_object();
  j.end_array();
  if (o.listing == Listing::Yes) {
    j.key("removed").begin_array();
    for (const auto& r : s.removed)
      j.begin_object()
          .key("path")
          .value(r.path.native())
          .key("reason")
          .value(to_string(r.reason))
          .key("directory")
          .value(r.directory)
          .key("bytes")
          .value(r.bytes)
          .end_object();
    j.end_array();
  }
  j.end_object();
  return j.str() + "\n";
}

std::string format_progress(const Counts& c, std::uint64_t dirs_seen, DryRun dry_run) {
  return fmt::format("pycache clean: {} dirs walked, {} {} files, {}", format_count(dirs_seen),
                     dry_run == DryRun::Yes ? "would remove" : "removed", format_count(c.files), format_size(c.bytes));
}

}  // namespace pycache::clean
