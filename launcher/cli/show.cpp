// pycache show FILE [--dis] [--json]: one pyc decoded, or one source's pycs.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>

#include "cli11_support.hpp"
#include "prologue.hpp"
#include "pycache/embed.hpp"
#include "pycache/embed_module.hpp"
#include "pycache/fs.hpp"
#include "pycache/handoff.hpp"
#include "pycache/interpreters.hpp"
#include "pycache/launch.hpp"
#include "pycache/log.hpp"
#include "pycache/paths.hpp"
#include "pycache/python_choice.hpp"
#include "pycache/runtime.hpp"
#include "pycache/show.hpp"
#include "pycache/subprocess.hpp"
#include "pycache/text.hpp"

namespace pycache::cli {
namespace {

struct ShowOptions {
  std::string file;
  std::string cache_prefix;
  PolicyFlags policy;
  bool dis = false;
  bool json = false;
};

std::unique_ptr<CLI::App> show_app(ShowOptions& o) {
  auto app = make_app("show",
                      "Decode a .pyc: magic and Python version, invalidation mode, the source mtime and size or "
                      "hash, its source and whether it is fresh now. For a .py: where its pycs live under the "
                      "policy (each optimization level) and the same report for each.");
  app->add_option("FILE", o.file, "a .pyc (any name), or a .py")->required()->check(non_empty());
  app->add_flag("--dis", o.dis,
                "disassemble the code object (the embedded interpreter's dis; same Python version only)");
  app->add_flag("--json", o.json, "machine-readable output (schema: docs/reference/json.md)");
  add_cache_prefix_option(*app, o.cache_prefix,
                          "the cache prefix to map prefix pycs and sources with (default: the policy's)");
  add_policy_flags(*app, o.policy);
  return app;
}

// importlib.util.source_hash as the CPython of `magic` computes it.
std::optional<show::SourceHash> hash_source(std::string_view source, std::uint16_t magic, std::string& error) {
  auto version = pyc::python_version_for_magic(magic);
  if (!version) {
    error = fmt::format("magic {} is no CPython release pycache knows", magic);
    return std::nullopt;
  }
  return pyc::source_hash(source, magic, pyc::uses_siphash13(*version));
}

// An interpreter of the machine whose pycs carry `magic` and that
// pycache-embedded can load: the project's (`in`), else the first found.
std::optional<fs::path> interpreter_for_magic(std::uint16_t magic, const interpreters::Interpreter* in) {
  if (in && pyc::magic_of_version(in->major_minor) == magic) return in->path;
  auto version = pyc::python_version_for_magic(magic);
  if (!version || pyc::magic_of_version(*version) != magic) return std::nullopt;
  const EnvLookup env = process_environment();
  const Trust trust = Trust::current();
  interpreters::VersionCache cache(interpreters::VersionCache::default_file(env));
  for (auto& found : interpreters::discover(env, trust, &cache, *version).found)
    if (!found.refused && !embed_module::check(found, embed_module::default_modules_dir(), trust)) return found.path;
  return std::nullopt;
}

// The disassembly of `pyc` by the runtime of its magic number (any this
// build has), else by an interpreter of the machine of that magic (the
// project's first); or an Error naming the Python it is for.
Result<std::string> disassembly(const fs::path& pyc, std::uint16_t magic, const interpreters::Interpreter* in) {
  const runtime::Runtime* rt = nullptr;
  for (const auto& r : runtime::all())
    if (r.magic == magic && runtime::program_path(r)) rt = &r;
  std::vector<std::string> argv{kInternalArgv0, "dis", pyc.native()};
  fs::path program;
  if (rt) {
    program = *runtime::program_path(*rt);
  } else if (auto found = interpreter_for_magic(magic, in)) {
    program = embedded_program();
    argv.push_back(found->native());
  } else {
    auto v = pyc::python_version_for_magic(magic);
    return Error{fmt::format("'{}' is bytecode for {} (magic {}), and no interpreter of it that pycache can load was "
                             "found (pycache python list): disassemble it with that Python's dis",
                             printable(pyc.native()), v ? "Python " + *v : std::string("an unknown Python"), magic),
                 kExitFailure};
  }
  auto out = run_program(argv, {}, {}, program);
  if (!out) return out.error();
  if (out->exit_code != 0) {
    // Its one error line, without its own "pycache: error: ".
    std::string line = out->err.substr(0, out->err.find('\n'));
    constexpr std::string_view kPrefix = "pycache: error: ";
    if (line.starts_with(kPrefix)) line.erase(0, kPrefix.size());
    return Error{line.empty() ? fmt::format("'{}': the disassembly failed", printable(pyc.native())) : line,
                 kExitFailure};
  }
  return std::move(out->out);
}

// The report of a source's pycs (and the disassembly of the one its level reads).
std::string show_source(const ShowOptions& o, const show::Context& ctx, const fs::path& file, int optimize,
                        const std::function<void(const show::PycReport&)>& want_dis,
                        const std::optional<std::string>& dis, int& status) {
  show::SourceReport r = show::inspect_source(ctx, file, optimize);
  if (o.dis) {
    const auto& level = r.levels[static_cast<std::size_t>(std::clamp(optimize, 0, 2))];
    if (level.report) {
      want_dis(*level.report);
    } else {
      log().error("no pyc to disassemble: '{}' {}", printable(level.path.native()),
                  level.exists ? "is not a valid pyc"
                  : level.stat_error == ENOENT || level.stat_error == ENOTDIR
                      ? "does not exist"
                      : fmt::format("can't be stat'ed: {}", std::strerror(level.stat_error)));
      status = kExitFailure;
    }
  }
  return o.json ? show::format_source_json(r, dis) : show::format_source(r);
}

}  // namespace

int show_main(Args args) {
  ShowOptions o;
  auto app = show_app(o);
  if (auto rc = parse(*app, args)) return *rc;

  auto prologue =
      start_command("show", o.policy, {.python = {}, .cache_prefix = o.cache_prefix, .default_excludes = true});
  if (!prologue) return fail(prologue.error());
  const fs::path& cwd = prologue->cwd;
  // A missing .py is no error: its pycs may exist without it.
  auto located = prologue->locate(o.file, Symlinks::Follow, Missing::AllowSource);
  if (!located) return fail(located.error());
  const fs::path file = located->path;
  const bool source_mode = file.extension() == ".py";

  fs::path start = cwd;
  if (source_mode) start = file.parent_path();
  else if (file.parent_path().filename() == "__pycache__") start = file.parent_path().parent_path();
  auto found = prologue->target(start);
  if (!found) return fail(found.error());
  const Policy& policy = found->resolution.policy;
  const PythonChoice& choice = found->python;
  // A source's pycs are named by its Python's tag and carry its magic.
  if (source_mode && !choice.runtime && !choice.interpreter) return fail(require_runtime(choice).error());
  const runtime::Runtime* rt = choice.runtime ? choice.runtime : runtime::self();
  const interpreters::Interpreter* in = choice.interpreter ? &*choice.interpreter : nullptr;

  show::Context ctx;
  ctx.fs = &real_fs();
  ctx.prefix = policy.cache_prefix();
  ctx.check_hash_pycs = policy.check_hash_pycs();
  ctx.tag = in || !rt ? choice.cache_tag : std::string(rt->cache_tag);
  ctx.magic = in ? pyc::magic_of_version(in->major_minor).value_or(0) : rt ? rt->magic : 0;
  ctx.hash = hash_source;

  std::optional<std::string> dis;
  int status = kExitOk;
  auto want_dis = [&](const show::PycReport& r) {
    if (!o.dis) return;
    auto text = disassembly(r.path, r.header.magic, in);
    if (text) dis = std::move(*text);
    else status = fail(text.error());
  };

  std::string out;
  if (source_mode) {
    out = show_source(o, ctx, file, policy.optimize(), want_dis, dis, status);
  } else {
    auto r = show::inspect_pyc(ctx, file);
    if (!r) return fail(r.error());
    want_dis(*r);
    out = o.json ? show::format_pyc_json(*r, dis) : show::format_pyc(*r);
  }
  if (dis && !o.json) out += "\ndisassembly:\n" + *dis;
  std::fputs(out.c_str(), stdout);
  return status;
}

CommandDoc show_doc() {
  ShowOptions o;
  return doc_from_app(*show_app(o), "pycache show [options] FILE");
}

}  // namespace pycache::cli
