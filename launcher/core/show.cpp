#include "pycache/show.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "pycache/json.hpp"
#include "pycache/paths.hpp"
#include "pycache/text.hpp"

namespace pycache::show {
namespace {

std::uint32_t le32(std::string_view b, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + i])) << (8 * i);
  return v;
}

// A cache tag as implementations spell it: letters, an optional dash, digits.
bool looks_like_tag(std::string_view tag) {
  std::size_t i = 0;
  while (i < tag.size() && tag[i] >= 'a' && tag[i] <= 'z') ++i;
  if (i == 0) return false;
  if (i < tag.size() && tag[i] == '-') ++i;
  std::size_t digits = i;
  while (i < tag.size() && tag[i] >= '0' && tag[i] <= '9') ++i;
  return i == tag.size() && i > digits;
}

std::string q(const fs::path& p) { return printable(p.native()); }

// The source of `pyc`, or why it can't be told.
std::optional<fs::path> source_for(const Context& ctx, const fs::path& pyc, std::string& why) {
  const std::string name = pyc.filename().native();
  if (pyc.parent_path().filename() == "__pycache__") {
    auto s = pyc::source_from_cache(pyc);
    if (!s) why = "its name is not NAME.TAG[.opt-N].pyc, so its source can't be told";
    return s;
  }
  if (!ctx.prefix.empty() && is_below(pyc.native(), ctx.prefix.native())) {
    auto s = pyc::source_from_cache(pyc, ctx.prefix);
    if (!s) why = "its name is not NAME.TAG[.opt-N].pyc, so its source can't be told";
    return s;
  }
  auto cache = pyc::parse_cache_name(name);
  if (cache && looks_like_tag(cache->tag)) {
    why = "a tagged pyc outside __pycache__ belongs to a cache prefix: pass --cache-prefix DIR to find its source";
    return std::nullopt;
  }
  if (pyc::is_legacy_name(name)) return pyc::source_from_cache(pyc);
  why = "not a pyc name (NAME.pyc, or NAME.TAG.pyc in __pycache__ or a prefix), so its source can't be told";
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Freshness f) {
  switch (f) {
    case Freshness::Fresh: return "fresh";
    case Freshness::Stale: return "stale";
    case Freshness::Orphaned: return "orphaned";
    case Freshness::Unknown: return "unknown";
    case Freshness::Unverifiable: return "unverifiable";
  }
  return "";
}

std::string format_time(std::uint32_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string hex(const SourceHash& h) {
  std::string out;
  for (auto b : h) out += fmt::format("{:02x}", b);
  return out;
}

namespace {

// The pyc's stat and header, or the one-line error of a file that is none.
Result<PycReport> read_pyc(const Context& ctx, const fs::path& path) {
  FileSystem& fs = *ctx.fs;
  FileStat st;
  if (int e = fs.lstat(path, st)) {
    if (e == ENOENT) return Error{fmt::format("'{}': no such file", q(path)), kExitUsage};
    return Error{fmt::format("'{}': {}", q(path), std::strerror(e)), kExitFailure};
  }
  if (st.type == FileType::Directory) return Error{fmt::format("'{}' is a directory, not a pyc", q(path)), kExitUsage};
  if (st.type != FileType::Regular) return Error{fmt::format("'{}' is not a regular file", q(path)), kExitFailure};
  std::string bytes;
  if (int e = fs.read(path, pyc::kHeaderSize, bytes))
    return Error{fmt::format("'{}': {}", q(path), std::strerror(e)), kExitFailure};
  auto header = pyc::parse_header(bytes);
  if (!header) return Error{fmt::format("'{}': {}", q(path), header.error().message), kExitFailure};
  PycReport r;
  r.path = path;
  r.size = st.size;
  r.header = *header;
  const std::uint16_t magic = r.header.magic;
  if (magic >= 3390 && magic < 20000 && bytes.size() >= 8) r.flags = le32(bytes, 4);
  r.python = pyc::python_version_for_magic(magic);
  r.loadable = magic == ctx.magic;
  return r;
}

// Whether the import system checks it, under check-hash-based-pycs.
void set_import_check(const Context& ctx, PycReport& r) {
  switch (r.header.mode) {
    case pyc::Invalidation::Timestamp:
      r.checked_at_import = true;
      r.checked_why = "timestamp pycs are always checked against their source's mtime and size";
      break;
    case pyc::Invalidation::CheckedHash:
      r.checked_at_import = ctx.check_hash_pycs != "never";
      r.checked_why = fmt::format("checked-hash, check-hash-based-pycs = \"{}\"", ctx.check_hash_pycs);
      break;
    case pyc::Invalidation::UncheckedHash:
      r.checked_at_import = ctx.check_hash_pycs == "always";
      r.checked_why = fmt::format("unchecked-hash, check-hash-based-pycs = \"{}\"", ctx.check_hash_pycs);
      break;
  }
}

// The lstat of r.source (a symlink followed, as the import system does) into
// `src` and `file`; false, with the verdict in `r`, when it is no readable file.
bool stat_source(const Context& ctx, PycReport& r, FileStat& src, fs::path& file) {
  int e = ctx.fs->lstat(*r.source, src);
  file = *r.source;
  if (e == 0 && src.type == FileType::Symlink) {
    std::error_code ec;
    file = fs::canonical(*r.source, ec);
    e = ec ? ec.value() : ctx.fs->lstat(file, src);
  }
  if (e == ENOENT || e == ENOTDIR) {
    r.freshness = Freshness::Orphaned;
    r.detail = fmt::format("its source {} does not exist", q(*r.source));
    return false;
  }
  if (e != 0 || src.type != FileType::Regular) {
    r.freshness = Freshness::Unverifiable;
    r.detail =
        fmt::format("its source {} can't be read: {}", q(*r.source), e ? std::strerror(e) : "not a regular file");
    return false;
  }
  return true;
}

// A timestamp pyc against its source's mtime (importlib's int(st_mtime),
// rounding included) and, from 3.3 on, size.
void check_timestamp(PycReport& r, const FileStat& src) {
  const std::uint16_t magic = r.header.magic;
  auto mtime = pyc::header_mtime(src.mtime_ns);
  auto size = static_cast<std::uint32_t>(src.size & 0xffffffffu);
  std::vector<std::string> diffs;
  if (mtime != r.header.source_mtime)
    diffs.push_back(fmt::format("the source's mtime is {}, the pyc records {}", format_time(mtime),
                                format_time(r.header.source_mtime)));
  if (pyc::header_has_size(magic) && size != r.header.source_size)
    diffs.push_back(fmt::format("the source's size is {} bytes, the pyc records {}", size, r.header.source_size));
  r.freshness = diffs.empty() ? Freshness::Fresh : Freshness::Stale;
  if (diffs.empty())
    r.detail = pyc::header_has_size(magic) ? "the source's mtime and size match" : "the source's mtime matches";
  else r.detail = diffs.size() == 1 ? diffs[0] : diffs[0] + "; " + diffs[1];
}

// Hash pycs: importlib.util.source_hash is keyed by the magic of the
// Python computing it (and its SipHash variant), which ctx.hash takes.
void check_hash(const Context& ctx, PycReport& r, const fs::path& file, const FileStat& src) {
  if (!ctx.hash) {
    r.freshness = Freshness::Unverifiable;
    r.detail = "the source's hash was not computed";
    return;
  }
  std::string content;
  if (int re = ctx.fs->read(file, static_cast<std::size_t>(src.size) + 65536, content)) {
    r.freshness = Freshness::Unverifiable;
    r.detail = fmt::format("its source {} can't be read: {}", q(*r.source), std::strerror(re));
    return;
  }
  std::string error;
  r.actual_hash = ctx.hash(content, r.header.magic, error);
  if (!r.actual_hash) {
    r.freshness = Freshness::Unverifiable;
    r.detail = "the source's hash could not be computed: " + error;
    return;
  }
  r.freshness = *r.actual_hash == r.header.source_hash ? Freshness::Fresh : Freshness::Stale;
  r.detail = r.freshness == Freshness::Fresh ? "the source's hash matches"
                                             : fmt::format("the source's hash is now {}", hex(*r.actual_hash));
}

}  // namespace

Result<PycReport> inspect_pyc(const Context& ctx, const fs::path& path) {
  auto read = read_pyc(ctx, path);
  if (!read) return read;
  PycReport r = std::move(*read);
  set_import_check(ctx, r);
  std::string why;
  r.source = source_for(ctx, path, why);
  if (!r.source) {
    r.freshness = Freshness::Unknown;
    r.detail = why;
    return r;
  }
  FileStat src;
  fs::path source_file;
  if (!stat_source(ctx, r, src, source_file)) return r;
  if (r.header.mode == pyc::Invalidation::Timestamp) check_timestamp(r, src);
  else check_hash(ctx, r, source_file, src);
  return r;
}

SourceReport inspect_source(const Context& ctx, const fs::path& source, int policy_optimize) {
  FileSystem& fs = *ctx.fs;
  SourceReport r;
  r.source = source;
  r.tag = ctx.tag;
  r.prefix = ctx.prefix;
  FileStat st;
  r.stat_error = fs.lstat(source, st);
  r.exists = r.stat_error == 0;
  for (int level = 0; level <= 2; ++level) {
    LevelReport l;
    l.optimize = level;
    l.policy_level = level == policy_optimize;
    l.path = pyc::cache_from_source(source, ctx.tag, level, ctx.prefix);
    FileStat pst;
    l.stat_error = fs.lstat(l.path, pst);
    l.exists = l.stat_error == 0;
    if (l.exists) {
      auto rep = inspect_pyc(ctx, l.path);
      if (rep) l.report = std::move(*rep);
      else l.error = rep.error().message;
    }
    r.levels.push_back(std::move(l));
  }

  // Every other pyc of this module: in __pycache__, in the prefix mirror, legacy.
  const std::string file = source.filename().native();
  auto dot = file.rfind('.');
  const std::string stem = (dot == std::string::npos || dot == 0) ? file : file.substr(0, dot);
  std::vector<fs::path> dirs = {source.parent_path() / "__pycache__"};
  if (!ctx.prefix.empty()) dirs.push_back(pyc::cache_from_source(source, ctx.tag, 0, ctx.prefix).parent_path());
  std::vector<DirEntry> entries;
  for (const auto& dir : dirs) {
    if (fs.list(dir, entries) != 0) continue;
    for (const auto& e : entries) {
      auto name = pyc::parse_cache_name(e.name);
      if (!name || name->module != stem) continue;
      fs::path p = dir / e.name;
      bool known = std::any_of(r.levels.begin(), r.levels.end(), [&](const LevelReport& l) { return l.path == p; });
      if (!known) r.others.push_back(p);
    }
  }
  for (const char* ext : {".pyc", ".pyo"}) {
    fs::path legacy = source.parent_path() / (stem + ext);
    FileStat lst;
    if (fs.lstat(legacy, lst) == 0) r.others.push_back(legacy);
  }
  std::sort(r.others.begin(), r.others.end());
  return r;
}

// ---- formatting ----------------------------------------------------------

namespace {

void pyc_lines(std::string& out, const PycReport& r, std::string_view indent) {
  auto line = [&](std::string_view label, const std::string& text) {
    out += fmt::format("{}{:<8}{}\n", indent, label, text);
  };
  const auto& h = r.header;
  std::string magic =
      fmt::format("{}: {}", h.magic, r.python ? "Python " + *r.python : std::string("unknown Python version"));
  magic += r.loadable ? " (the embedded interpreter's)" : " (not the embedded interpreter's)";
  line("magic", magic);
  if (r.flags) line("flags", fmt::format("{:#x}: {}", *r.flags, pyc::to_string(h.mode)));
  else line("flags", "none (a header from before Python 3.7: timestamp)");
  if (h.mode == pyc::Invalidation::Timestamp) {
    line("mtime", fmt::format("{} ({})", format_time(h.source_mtime), h.source_mtime));
    if (pyc::header_has_size(h.magic)) line("size", fmt::format("{} bytes", h.source_size));
  } else {
    line("hash", hex(h.source_hash));
  }
  line("source", r.source ? q(*r.source) : std::string("unknown"));
  line("status", fmt::format("{}: {}", to_string(r.freshness), r.detail));
  std::string imp = r.checked_at_import ? "checks it" : "does not check it";
  imp += fmt::format(" ({})", r.checked_why);
  if (!r.checked_at_import && r.freshness == Freshness::Stale) imp += ": the stale bytecode runs";
  line("import", imp);
}

void pyc_json(JsonWriter& j, const PycReport& r) {
  const auto& h = r.header;
  j.begin_object();
  j.key("kind").value("pyc");
  j.key("path").value(r.path.native());
  j.key("size").value(r.size);
  j.key("magic").value(static_cast<std::int64_t>(h.magic));
  j.key("python");
  if (r.python) j.value(*r.python);
  else j.null();
  j.key("loadable").value(r.loadable);
  j.key("flags");
  if (r.flags) j.value(static_cast<std::int64_t>(*r.flags));
  else j.null();
  j.key("mode").value(pyc::to_string(h.mode));
  const bool ts = h.mode == pyc::Invalidation::Timestamp;
  j.key("source_mtime");
  if (ts) j.value(static_cast<std::int64_t>(h.source_mtime));
  else j.null();
  j.key("source_mtime_utc");
  if (ts) {
    std::string t = format_time(h.source_mtime);  // "YYYY-MM-DD HH:MM:SS UTC" -> ISO 8601
    j.value(t.substr(0, 10) + "T" + t.substr(11, 8) + "Z");
  } else {
    j.null();
  }
  j.key("source_size");
  if (ts && pyc::header_has_size(h.magic)) j.value(static_cast<std::int64_t>(h.source_size));
  else j.null();
  j.key("source_hash");
  if (!ts) j.value(hex(h.source_hash));
  else j.null();
  j.key("source");
  if (r.source) j.value(r.source->native());
  else j.null();
  j.key("freshness").value(to_string(r.freshness));
  j.key("detail").value(r.detail);
  j.key("actual_hash");
  if (r.actual_hash) j.value(hex(*r.actual_hash));
  else j.null();
  j.key("checked_at_import").value(r.checked_at_import);
  j.end_object();
}

}  // namespace

std::string format_pyc(const PycReport& r) {
  std::string out = fmt::format("{:<8}{} ({} bytes)\n", "pyc", q(r.path), r.size);
  pyc_lines(out, r, "");
  return out;
}

std::string format_pyc_json(const PycReport& r, const std::optional<std::string>& disassembly) {
  JsonWriter j;
  pyc_json(j, r);
  std::string out = j.str();
  if (disassembly) {
    JsonWriter d;
    d.value(*disassembly);
    out.insert(out.size() - 1, ",\"disassembly\":" + d.str());
  }
  return out + "\n";
}

namespace {
// Why a path was not found: absent, or what the errno says.
std::string missing(int error) {
  if (error == ENOENT || error == ENOTDIR) return "does not exist";
  return fmt::format("cannot stat: {}", std::strerror(error));
}
}  // namespace

std::string format_source(const SourceReport& r) {
  std::string out =
      fmt::format("{:<8}{}{}\n", "source", q(r.source), r.exists ? "" : " (" + missing(r.stat_error) + ")");
  out += fmt::format("{:<8}cache tag {}, {}\n", "policy", r.tag,
                     r.prefix.empty() ? std::string("pycs in __pycache__") : "pycs under the prefix " + q(r.prefix));
  for (const auto& l : r.levels) {
    std::string label = fmt::format("opt {}", l.optimize);
    std::string mark = l.policy_level ? ", the policy's level" : "";
    if (!l.exists) {
      const bool absent = l.stat_error == ENOENT || l.stat_error == ENOTDIR;
      out += fmt::format("{:<8}{}: {}{}\n", label, q(l.path), absent ? "none" : missing(l.stat_error), mark);
      continue;
    }
    if (l.report) out += fmt::format("{:<8}{}: {} bytes{}\n", label, q(l.path), l.report->size, mark);
    else out += fmt::format("{:<8}{}{}\n", label, q(l.path), mark);
    if (l.report) pyc_lines(out, *l.report, "  ");
    else out += fmt::format("  {:<8}{}\n", "error", l.error);
  }
  for (const auto& o : r.others) out += fmt::format("{:<8}{}\n", "other", q(o));
  return out;
}

std::string format_source_json(const SourceReport& r, const std::optional<std::string>& disassembly) {
  JsonWriter j;
  j.begin_object();
  j.key("kind").value("source");
  j.key("path").value(r.source.native());
  j.key("exists").value(r.exists);
  j.key("stat_error");
  if (r.exists || r.stat_error == ENOENT || r.stat_error == ENOTDIR) j.null();
  else j.value(std::string(std::strerror(r.stat_error)));
  j.key("cache_tag").value(r.tag);
  j.key("prefix");
  if (r.prefix.empty()) j.null();
  else j.value(r.prefix.native());
  j.key("levels").begin_array();
  for (const auto& l : r.levels) {
    j.begin_object();
    j.key("optimize").value(l.optimize);
    j.key("path").value(l.path.native());
    j.key("exists").value(l.exists);
    j.key("policy_level").value(l.policy_level);
    j.key("report");
    if (l.report) {
      JsonWriter sub;
      pyc_json(sub, *l.report);
      j.raw(sub.str());
    } else {
      j.null();
    }
    j.key("error");
    if (l.error.empty()) j.null();
    else j.value(l.error);
    j.end_object();
  }
  j.end_array();
  j.key("others").begin_array();
  for (const auto& o : r.others) j.value(o.native());
  j.end_array();
  if (disassembly) j.key("disassembly").value(*disassembly);
  j.end_object();
  return j.str() + "\n";
}

}  // namespace pycache::show
