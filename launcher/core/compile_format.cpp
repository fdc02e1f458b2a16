// The human and --json forms of a compile's failures, summary and progress (declared in compile.hpp).
#include "pycache/compile.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "pycache/json.hpp"
#include "pycache/units.hpp"

namespace pycache::compile {

std::string format_failure(const Failure& f) {
  if (f.error_type.empty()) return fmt::format("{}: {}", f.path, f.message);
  if (f.line > 0 && f.column > 0)
    return fmt::format("{}:{}:{}: {}: {}", f.path, f.line, f.column, f.error_type, f.message);
  if (f.line > 0) return fmt::format("{}:{}: {}: {}", f.path, f.line, f.error_type, f.message);
  return fmt::format("{}: {}: {}", f.path, f.error_type, f.message);
}

namespace {

std::string levels_text(const Options& o) {
  std::vector<int> all;
  for (const auto& r : o.roots)
    for (int l : r.levels)
      if (std::find(all.begin(), all.end(), l) == all.end()) all.push_back(l);
  std::sort(all.begin(), all.end());
  return fmt::format("{}", fmt::join(all, ","));
}

}  // namespace

std::string format_summary(const Summary& s, const Options& o) {
  const std::uint64_t errors = s.failures.size() - s.compile_errors();
  std::string out =
      fmt::format("{} ({}, optimize {}): {} written, {} up to date", plural(s.sources, "source", "sources"),
                  pyc::to_string(o.mode), levels_text(o), plural(s.written, "pyc", "pycs"), format_count(s.up_to_date));
  if (s.compile_errors()) out += fmt::format(", {} failed to compile", format_count(s.compile_errors()));
  if (errors) out += fmt::format(", {}", plural(errors, "error", "errors"));
  if (s.skipped_symlinks) out += fmt::format(", {} skipped", plural(s.skipped_symlinks, "symlink", "symlinks"));
  out += fmt::format(" [{}, {:.2f} s]\n", plural(s.workers, "worker", "workers"), s.seconds);
  return out;
}

std::string format_summary_json(const Summary& s, const Options& o) {
  JsonWriter w;
  w.begin_object();
  w.key("sources").value(s.sources);
  w.key("written").value(s.written);
  w.key("up_to_date").value(s.up_to_date);
  w.key("compiled").value(s.compiled);
  w.key("compile_errors").value(s.compile_errors());
  w.key("errors").value(static_cast<std::uint64_t>(s.failures.size() - s.compile_errors()));
  w.key("skipped_symlinks").value(s.skipped_symlinks);
  w.key("hashed").value(s.hashed);
  w.key("invalidation_mode").value(pyc::to_string(o.mode));
  w.key("force").value(o.force == Force::Yes);
  w.key("workers").value(static_cast<std::uint64_t>(s.workers));
  w.key("seconds").value(s.seconds);
  w.key("roots").begin_array();
  for (const auto& r : o.roots) {
    w.begin_object();
    w.key("path").value(r.path.native());
    w.key("cache_prefix").value(r.cache_prefix.native());
    w.key("optimize").begin_array();
    for (int l : r.levels) w.value(l);
    w.end_array();
    w.key("write_bytecode").value(r.write_bytecode);
    w.end_object();
  }
  w.end_array();
  w.key("failures").begin_array();
  for (const auto& f : s.failures) {
    w.begin_object();
    w.key("path").value(f.path);
    w.key("type").value(f.error_type.empty() ? std::string("OSError") : f.error_type);
    w.key("message").value(f.message);
    w.key("line").value(f.line);
    w.key("column").value(f.column);
    w.end_object();
  }
  w.end_array();
  if (s.fatal) w.key("fatal").value(*s.fatal);
  else w.key("fatal").null();
  w.end_object();
  return w.str() + "\n";
}

std::string format_progress(const Progress& p) {
  return fmt::format("compile: {}, {} up to date, {}/{} compiled", plural(p.sources, "source", "sources"),
                     format_count(p.up_to_date), format_count(p.done), format_count(p.queued));
}

}  // namespace pycache::compile
