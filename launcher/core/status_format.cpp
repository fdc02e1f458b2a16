// The human and --json forms of a status report (declared in status.hpp).
#include "pycache/status.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "pycache/json.hpp"
#include "pycache/paths.hpp"
#include "pycache/policy_report.hpp"
#include "pycache/text.hpp"
#include "pycache/units.hpp"

namespace pycache::status {

std::string format_bytes(std::uint64_t bytes) {
  // The table's compact "B" below 1 kB; above, the units every command prints.
  return bytes < 1000 ? fmt::format("{} B", bytes) : format_size(bytes);
}

namespace {

constexpr const char* kRed = "\x1b[31m";
constexpr const char* kYellow = "\x1b[33m";
constexpr const char* kGreen = "\x1b[32m";
constexpr const char* kBold = "\x1b[1m";
constexpr const char* kReset = "\x1b[0m";

std::string paint(std::string text, const char* code, Color color) {
  if (color == Color::No || text.empty()) return text;
  return code + text + kReset;
}

std::string shown(const fs::path& p, const fs::path& base) {
  if (!base.empty() && is_below(p.native(), base.native())) return printable(p.lexically_relative(base).native());
  return printable(p.native());
}

std::string count_or_dash(std::uint64_t n) { return n == 0 ? "-" : format_count(n); }

const char* state_color(State s) {
  switch (s) {
    case State::Fresh: return kGreen;
    case State::Stale:
    case State::Orphaned: return kYellow;
    case State::Sourceless:
    case State::Invalid: return kRed;
    case State::Unverified: return "";
  }
  return "";
}

std::string modes_text(const Group& g) {
  std::string out;
  int kinds = 0;
  for (std::size_t m = 0; m < kModeCount; ++m) kinds += g.modes[m] > 0;
  for (std::size_t m = 0; m < kModeCount; ++m) {
    if (g.modes[m] == 0) continue;
    if (!out.empty()) out += ", ";
    out += to_string(static_cast<pyc::Invalidation>(m));
    if (kinds > 1) out += " " + format_count(g.modes[m]);
  }
  return out.empty() ? "-" : out;
}

std::string states_summary(const std::array<std::uint64_t, kStateCount>& states) {
  std::string out;
  for (std::size_t s = 0; s < kStateCount; ++s) {
    if (states[s] == 0) continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", format_count(states[s]), to_string(static_cast<State>(s)));
  }
  return out;
}

std::string table(const RootStatus& r, Color color) {
  std::vector<std::string> head = {"WHERE", "TAG", "OPT", "FILES"};
  for (std::size_t s = 0; s < kStateCount; ++s) {
    std::string n(to_string(static_cast<State>(s)));
    for (char& c : n) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    head.push_back(n);
  }
  head.push_back("SIZE");
  head.push_back("MODES");
  std::vector<std::vector<std::string>> rows;
  for (const auto& g : r.groups) {
    std::vector<std::string> row = {std::string(to_string(g.key.location)),
                                    g.key.pytest ? g.key.tag + " pytest" : g.key.tag, std::to_string(g.key.optimize),
                                    std::to_string(g.files)};
    for (std::size_t s = 0; s < kStateCount; ++s) row.push_back(count_or_dash(g.states[s]));
    row.push_back(format_bytes(g.bytes));
    row.push_back(modes_text(g));
    rows.push_back(std::move(row));
  }
  std::vector<std::size_t> width(head.size());
  for (std::size_t c = 0; c < head.size(); ++c) {
    width[c] = head[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  auto left = [&](std::size_t c) { return c <= 1 || c + 1 == head.size(); };  // WHERE, TAG, MODES
  std::string out = "  ";
  for (std::size_t c = 0; c < head.size(); ++c) {
    std::string cell = left(c) ? fmt::format("{:<{}}", head[c], width[c]) : fmt::format("{:>{}}", head[c], width[c]);
    if (c + 1 == head.size()) cell = head[c];
    out += paint(cell, kBold, color);
    out += c + 1 == head.size() ? "\n" : "  ";
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out += "  ";
    for (std::size_t c = 0; c < head.size(); ++c) {
      const std::string& v = rows[i][c];
      std::string cell = left(c) ? fmt::format("{:<{}}", v, width[c]) : fmt::format("{:>{}}", v, width[c]);
      if (c + 1 == head.size()) cell = v;
      if (c >= 4 && c < 4 + kStateCount && v != "-") cell = paint(cell, state_color(static_cast<State>(c - 4)), color);
      out += cell;
      out += c + 1 == head.size() ? "\n" : "  ";
    }
  }
  return out;
}

// The files worth naming, a few of each: --json and --check list them all.
std::string notable_lines(const RootStatus& r, Color color) {
  constexpr std::size_t kListed = 10;
  std::string out;
  for (std::size_t i = 0; i < r.sourceless.size() && i < kListed; ++i)
    out += paint(fmt::format("  sourceless: {} ({}): importable although its source is gone\n",
                             shown(r.sourceless[i].path, r.target.root), r.sourceless[i].detail),
                 kRed, color);
  if (r.sourceless.size() > kListed)
    out += fmt::format("  sourceless: {} more (--check lists them)\n", r.sourceless.size() - kListed);
  for (std::size_t i = 0; i < r.invalid.size() && i < kListed; ++i)
    out += paint(fmt::format("  invalid: {}: {}\n", shown(r.invalid[i].path, r.target.root), r.invalid[i].detail), kRed,
                 color);
  if (r.invalid.size() > kListed)
    out += fmt::format("  invalid: {} more (--json lists them)\n", r.invalid.size() - kListed);
  for (std::size_t i = 0; i < r.not_regular.size() && i < kListed; ++i)
    out += paint(
        fmt::format("  not regular: {}: {}\n", shown(r.not_regular[i].path, r.target.root), r.not_regular[i].detail),
        kRed, color);
  if (r.not_regular.size() > kListed)
    out += fmt::format("  not regular: {} more (--check lists them)\n", r.not_regular.size() - kListed);
  return out;
}

}  // namespace

std::string format_human(const Report& report, Color color) {
  std::string out;
  bool first = true;
  for (const auto& r : report.roots) {
    if (!first) out += "\n";
    first = false;
    out += paint(printable(r.target.root.native()), kBold, color) + "\n";
    // The policy, as `pycache policy` prints it, indented.
    std::string policy = format_policy(r.target.policy);
    std::size_t at = 0;
    while (at < policy.size()) {
      std::size_t nl = policy.find('\n', at);
      std::string_view line = std::string_view(policy).substr(at, nl - at);
      if (line.starts_with("# policy file: ")) out += fmt::format("  policy file: {}\n", line.substr(15));
      else out += fmt::format("    {}\n", line);
      at = nl == std::string::npos ? policy.size() : nl + 1;
    }

    const Expected& e = r.expected;
    std::string where = e.location == Location::Prefix ? "the prefix" : "__pycache__";
    out += fmt::format("  sources: {}; {} opt {} in {}: {} compiled", plural(e.sources, ".py file", ".py files"), e.tag,
                       e.optimize, where, format_count(e.compiled));
    if (e.compiled > 0) out += fmt::format(" ({})", states_summary(e.states));
    if (e.pytest_only > 0) out += fmt::format(", {} rewritten by pytest only", format_count(e.pytest_only));
    out += fmt::format(", {} missing\n", format_count(e.sources - e.compiled - e.pytest_only));

    if (r.groups.empty()) out += "  bytecode: none\n";
    else out += table(r, color);
    if (r.temp_files > 0)
      out += fmt::format("  temp files: {} ({}), left by interrupted writes\n", format_count(r.temp_files),
                         format_bytes(r.temp_bytes));
    out += notable_lines(r, color);

    if (r.prefix) {
      const PrefixUsage& p = *r.prefix;
      out += fmt::format("  prefix: {}: ", printable(p.path.native()));
      if (!p.exists) out += "does not exist yet\n";
      else {
        out += fmt::format("{}, {}", plural(p.files, "file", "files"), format_bytes(p.bytes));
        if (!p.max_size) out += " (no prefix-max-size)\n";
        else if (p.bytes > *p.max_size)
          out += paint(fmt::format(", over its prefix-max-size of {}\n", format_bytes(*p.max_size)), kRed, color);
        else
          out += fmt::format(" of {} ({:.0f}%)\n", format_bytes(*p.max_size),
                             100.0 * static_cast<double>(p.bytes) / static_cast<double>(*p.max_size));
      }
    }
    if (r.git) {
      const GitReport& g = *r.git;
      out += fmt::format("  git: work tree {}", printable(g.work_tree.native()));
      if (!g.error.empty()) out += fmt::format(": {}\n", g.error);
      else {
        out += "\n";
        std::string tracked = plural(g.tracked.size(), "bytecode file", "bytecode files") + " tracked";
        if (!g.tracked.empty()) tracked = paint(tracked, kRed, color);
        out += fmt::format("    {}, {} untracked ones not ignored\n", tracked, g.unignored.size());
        out += fmt::format("    ignore rules cover __pycache__/: {}, legacy *.pyc: {}",
                           g.ignores_pycache ? "yes" : "no", g.ignores_legacy ? "yes" : "no");
        if (g.ignores_prefix) out += fmt::format(", the cache prefix: {}", *g.ignores_prefix ? "yes" : "no");
        out += "\n";
      }
    }
  }
  if (!report.errors.empty())
    out += fmt::format("\n{} paths could not be read (see the warnings)\n", report.errors.size());
  if (report.findings.empty()) out += "\ncheck: no problems\n";
  else
    out += paint(fmt::format("\ncheck: {} {} (list them with --check)\n", report.findings.size(),
                             report.findings.size() == 1 ? "problem" : "problems"),
                 kRed, color);
  return out;
}

std::string format_findings(const Report& report, const fs::path& base, Color color) {
  std::string out;
  std::size_t width = 0;
  for (const auto& f : report.findings) width = std::max(width, to_string(f.kind).size());
  for (const auto& f : report.findings)
    out += fmt::format("{}  {}: {}\n", paint(fmt::format("{:<{}}", to_string(f.kind), width), kRed, color),
                       shown(f.path, base), f.detail);
  if (report.findings.empty()) out += "pycache status: no problems\n";
  else
    out += fmt::format("pycache status: {} {}\n", report.findings.size(),
                       report.findings.size() == 1 ? "problem" : "problems");
  return out;
}

namespace {

void states_json(JsonWriter& j, const std::array<std::uint64_t, kStateCount>& states) {
  j.begin_object();
  for (std::size_t s = 0; s < kStateCount; ++s) j.key(to_string(static_cast<State>(s))).value(states[s]);
  j.end_object();
}

void notables_json(JsonWriter& j, const std::vector<Notable>& v) {
  j.begin_array();
  for (const auto& n : v)
    j.begin_object().key("path").value(n.path.native()).key("detail").value(n.detail).end_object();
  j.end_array();
}

void paths_json(JsonWriter& j, const std::vector<fs::path>& v) {
  j.begin_array();
  for (const auto& p : v) j.value(p.native());
  j.end_array();
}

void expected_json(JsonWriter& j, const Expected& e) {
  j.begin_object();
  j.key("location").value(to_string(e.location));
  j.key("tag").value(e.tag);
  j.key("optimize").value(e.optimize);
  j.key("compiled").value(e.compiled);
  j.key("missing").value(e.sources - e.compiled - e.pytest_only);
  j.key("pytest_only").value(e.pytest_only);
  j.key("states");
  states_json(j, e.states);
  j.end_object();
}

void group_json(JsonWriter& j, const Group& g) {
  j.begin_object();
  j.key("location").value(to_string(g.key.location));
  j.key("tag").value(g.key.tag);
  j.key("optimize").value(g.key.optimize);
  j.key("pytest").value(g.key.pytest);
  j.key("files").value(g.files);
  j.key("bytes").value(g.bytes);
  j.key("states");
  states_json(j, g.states);
  j.key("modes").begin_object();
  for (std::size_t m = 0; m < kModeCount; ++m)
    j.key(pyc::to_string(static_cast<pyc::Invalidation>(m))).value(g.modes[m]);
  j.end_object();
  j.end_object();
}

void prefix_json(JsonWriter& j, const std::optional<PrefixUsage>& prefix) {
  if (!prefix) {
    j.null();
    return;
  }
  const PrefixUsage& p = *prefix;
  j.begin_object();
  j.key("path").value(p.path.native());
  j.key("exists").value(p.exists);
  j.key("files").value(p.files);
  j.key("bytes").value(p.bytes);
  j.key("max_size");
  if (p.max_size) j.value(*p.max_size);
  else j.null();
  j.key("over_limit").value(p.max_size.has_value() && p.bytes > *p.max_size);
  j.end_object();
}

void git_json(JsonWriter& j, const std::optional<GitReport>& git) {
  if (!git) {
    j.null();
    return;
  }
  const GitReport& g = *git;
  j.begin_object();
  j.key("work_tree").value(g.work_tree.native());
  j.key("error");
  if (g.error.empty()) j.null();
  else j.value(g.error);
  j.key("tracked");
  paths_json(j, g.tracked);
  j.key("tracked_ignored");
  paths_json(j, g.tracked_ignored);
  j.key("unignored");
  paths_json(j, g.unignored);
  j.key("ignores_pycache").value(g.ignores_pycache);
  j.key("ignores_legacy").value(g.ignores_legacy);
  j.key("ignores_prefix");
  if (g.ignores_prefix) j.value(*g.ignores_prefix);
  else j.null();
  j.end_object();
}

void root_json(JsonWriter& j, const RootStatus& r) {
  j.begin_object();
  j.key("root").value(r.target.root.native());
  std::string policy = format_policy_json(r.target.policy);
  while (!policy.empty() && policy.back() == '\n') policy.pop_back();
  j.key("policy").raw(policy);
  j.key("sources").value(r.expected.sources);
  j.key("expected");
  expected_json(j, r.expected);
  j.key("groups").begin_array();
  for (const auto& g : r.groups) group_json(j, g);
  j.end_array();
  j.key("temp_files").begin_object().key("files").value(r.temp_files).key("bytes").value(r.temp_bytes).end_object();
  j.key("sourceless");
  notables_json(j, r.sourceless);
  j.key("invalid");
  notables_json(j, r.invalid);
  j.key("bytecode_dirs");
  notables_json(j, r.bytecode_dirs);
  j.key("legacy");
  notables_json(j, r.legacy);
  j.key("not_regular");
  notables_json(j, r.not_regular);
  j.key("prefix");
  prefix_json(j, r.prefix);
  j.key("git");
  git_json(j, r.git);
  j.end_object();
}

}  // namespace

std::string format_json(const Report& report) {
  JsonWriter j;
  j.begin_object();
  j.key("schema").value(1);
  j.key("cache_tag").value(report.current_tag);
  j.key("roots").begin_array();
  for (const auto& r : report.roots) root_json(j, r);
  j.end_array();
  j.key("findings").begin_array();
  for (const auto& f : report.findings)
    j.begin_object()
        .key("kind")
        .value(to_string(f.kind))
        .key("path")
        .value(f.path.native())
        .key("detail")
        .value(f.detail)
        .end_object();
  j.end_array();
  j.key("errors").begin_array();
  for (const auto& e : report.errors)
    j.begin_object().key("path").value(e.path.native()).key("error").value(std::strerror(e.error)).end_object();
  j.end_array();
  j.end_object();
  return j.str() + "\n";
}

}  // namespace pycache::status
