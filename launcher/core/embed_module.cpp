#include "pycache/embed_module.hpp"

#include <dlfcn.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <charconv>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "pycache/elf.hpp"
#include "pycache/embed_read_through.inc"  // generated: launcher/CMakeLists.txt
#include "pycache/paths.hpp"
#include "pycache/read_through_source.inc"  // generated: launcher/CMakeLists.txt
#include "pycache/text.hpp"

namespace pycache::embed_module {
namespace {

Error failure(std::string message) { return Error{std::move(message), kExitEnvironment}; }

std::string quoted(const fs::path& p) { return fmt::format("'{}'", printable(p.native())); }

// Why the library `file` must not be loaded: it is not a regular file, it
// or a directory or link on the way to it belongs to someone else, or
// anyone may write it or replace it. nullopt when it may be loaded.
std::optional<std::string> distrust_library(const Trust& trust, const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return "it is not a regular file";
  if (auto why = distrust_directory(trust, file, Exclusive::No)) return why;
  if (!trust.listed(file) && (st.st_mode & S_IWOTH)) return "it is writable by everyone";
  return std::nullopt;
}

// "libpython3.12d.so.1.0" -> {"3.12", "d"}; nullopt when not so named.
// (Not std::regex: compiling one costs 0.6 M instructions, 1.5% of a start.)
std::optional<std::pair<std::string, std::string>> split_library_name(std::string_view file) {
  constexpr std::string_view kStem = "libpython3.";
  if (file.substr(0, kStem.size()) != kStem) return std::nullopt;
  std::size_t at = kStem.size();
  const std::size_t digits = at;
  while (at < file.size() && file[at] >= '0' && file[at] <= '9') ++at;
  if (at == digits) return std::nullopt;
  const std::size_t letters = at;
  while (at < file.size() && file[at] >= 'a' && file[at] <= 'z') ++at;
  if (file.substr(at, 3) != ".so") return std::nullopt;
  return std::pair{std::string(file.substr(kStem.size() - 2, letters - kStem.size() + 2)),
                   std::string(file.substr(letters, at - letters))};
}

// The interpreter's libpython, judged by its name: libpython3.12.so.1.0 for
// 3.12, libpython3.13t.so.1.0 for 3.13t; a debug build (d: Py_TRACE_REFS
// changes every object's layout) or another version is refused.
std::optional<Error> check_library_name(const interpreters::Interpreter& in) {
  const auto parts = split_library_name(in.libpython.filename().native());
  if (!parts)
    return failure(fmt::format("Python {}'s library {} is not named as a libpython", in.name(), quoted(in.libpython)));
  const auto& [version, flags] = *parts;
  if (flags.find('d') != std::string::npos)
    return failure(fmt::format("Python {}'s library {} is a debug build, which no embedding module fits", in.name(),
                               quoted(in.libpython)));
  const std::string named = version + (flags.find('t') != std::string::npos ? "t" : "");
  if (named != in.name())
    return failure(fmt::format("Python {}'s library {} is Python {}'s", in.name(), quoted(in.libpython), named));
  return std::nullopt;
}

// Whether release `a` ("3.12.0", "3.13.0rc1") comes before release `b`
// ("3.12.1"): by major, minor and micro; a pre-release before its release.
bool older_release(std::string_view a, std::string_view b) {
  auto parts = [](std::string_view v) {
    std::array<int, 4> out{0, 0, 0, 1};  // the last: 1 for a release, 0 for a pre-release
    for (int i = 0; i < 3 && !v.empty(); ++i) {
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out[static_cast<std::size_t>(i)]);
      if (ec != std::errc()) break;
      v.remove_prefix(static_cast<std::size_t>(end - v.data()));
      if (!v.empty() && v[0] == '.') v.remove_prefix(1);
    }
    if (!v.empty() && std::isalpha(static_cast<unsigned char>(v[0]))) out[3] = 0;
    return out;
  };
  return parts(a) < parts(b);
}

std::optional<Error> check_table(const interpreters::Interpreter& in, const fs::path& file, const PycacheEmbedV1* t) {
  if (!t || t->table_version != PYCACHE_EMBED_TABLE_VERSION || t->table_size < sizeof(PycacheEmbedV1))
    return failure(fmt::format("the embedding module {} is of another pycache (table version {}, not {})", quoted(file),
                               t ? t->table_version : 0, PYCACHE_EMBED_TABLE_VERSION));
  const std::string built = fmt::format("{}.{}{}", t->major, t->minor, t->free_threaded ? "t" : "");
  if (built != in.name())
    return failure(
        fmt::format("the embedding module {} was built for Python {}, not {}", quoted(file), built, in.name()));
  if (t->headers_version && older_release(in.version, t->headers_version))
    return failure(
        fmt::format("the embedding module {} was built with the headers of Python {}, a later release "
                    "than this Python {}, whose library may lack what it calls",
                    quoted(file), t->headers_version, in.version));
  return std::nullopt;
}

std::string dl_error() {
  const char* e = ::dlerror();
  return e ? std::string(e) : std::string("unknown error");
}

// The checks that need no dlopen: trust (check_trust) first, then what
// embedding needs.
std::optional<Error> check_before_loading(const interpreters::Interpreter& in, const fs::path& modules_dir,
                                          const Trust& trust);

// The hook frozen for the module's version, if the build froze one.
const generated::FrozenHook* frozen_hook(const PycacheEmbedV1& table) {
  const std::string name = fmt::format("{}.{}{}", table.major, table.minor, table.free_threaded ? "t" : "");
  for (const auto& hook : generated::kFrozenReadThrough)
    if (hook.name && name == hook.name) return &hook;
  return nullptr;
}

// What a call's sink received.
struct Collected {
  std::string error, text, code, error_type;
};

void collect(void* context, int field, const char* data, std::size_t size) {
  auto& c = *static_cast<Collected*>(context);
  std::string value(data, size);
  switch (field) {
    case kPycacheEmbedText: c.text = std::move(value); break;
    case kPycacheEmbedCode: c.code = std::move(value); break;
    case kPycacheEmbedErrorType: c.error_type = std::move(value); break;
    default: c.error = std::move(value); break;
  }
}

Error error_of(int status, Collected& c) {
  return Error{c.error.empty() ? std::string("the embedding module failed without saying why") : std::move(c.error),
               static_cast<ExitCode>(status)};
}

}  // namespace

std::string module_file_name(const interpreters::Interpreter& interpreter) {
  return fmt::format("pycache-embed-{}.so", interpreter.name());
}

fs::path default_modules_dir() {
  const std::string prefix = self_exe_dir(2);
  return prefix.empty() ? fs::path() : fs::path(child_path(prefix, "lib/pycache"));
}

std::optional<Error> check(const interpreters::Interpreter& in, const fs::path& modules_dir, const Trust& trust) {
  return check_before_loading(in, modules_dir, trust);
}

std::optional<Error> check_trust(const interpreters::Interpreter& in, const fs::path& modules_dir, const Trust& trust) {
  if (in.refused)
    return failure(fmt::format("Python {} at {} is not used: {}", in.name(), quoted(in.path), *in.refused));
  if (!in.libpython.empty())
    if (auto why = distrust_library(trust, in.libpython))
      return failure(fmt::format("Python {}'s library {} is not loaded: {}", in.name(), quoted(in.libpython), *why));
  const fs::path file = modules_dir / module_file_name(in);
  struct stat st {};
  if (::stat(file.c_str(), &st) == 0)  // a module that is missing is no finding of trust
    if (auto why = distrust_library(trust, file))
      return failure(fmt::format("the embedding module {} is not loaded: {}", quoted(file), *why));
  return std::nullopt;
}

namespace {

std::optional<Error> check_before_loading(const interpreters::Interpreter& in, const fs::path& modules_dir,
                                          const Trust& trust) {
  if (auto e = check_trust(in, modules_dir, trust)) return e;
  return check_loadable(in, modules_dir);
}

}  // namespace

std::optional<Error> check_loadable(const interpreters::Interpreter& in, const fs::path& modules_dir) {
  if (in.libpython.empty())
    return failure(fmt::format("Python {} at {} has no shared libpython to load (it is linked statically)", in.name(),
                               quoted(in.path)));
  if (auto e = check_library_name(in)) return e;
  const fs::path file = modules_dir / module_file_name(in);
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0)
    return failure(fmt::format("no embedding module for Python {}: {} is missing", in.name(), quoted(file)));
  return std::nullopt;
}

Result<Module> load(const interpreters::Interpreter& in, const fs::path& modules_dir, const Trust& trust,
                    Checked checked) {
  Module m;
  m.libpython = in.libpython;
  m.file = modules_dir / module_file_name(in);
  if (checked == Checked::Again)
    if (auto e = check_before_loading(in, modules_dir, trust)) return *e;
  // Mapping a file cut short faults inside dlopen (SIGBUS): said in one line instead.
  if (auto bad = elf::check_segments(m.libpython))
    return failure(
        fmt::format("Python {}'s library {} could not be loaded: {}", in.name(), quoted(m.libpython), bad->message));
  if (auto bad = elf::check_segments(m.file))
    return failure(fmt::format("the embedding module {} could not be loaded: {}", quoted(m.file), bad->message));
  // Lazy, as python's own binary binds its libpython: binding all of it now
  // cost 1.3 M instructions a start (3.12), the module's own 0.1 M. What the
  // module calls is in every libpython of its minor version from its
  // headers' patch release on: check_table refuses an older one.
  m.libpython_handle = ::dlopen(m.libpython.c_str(), RTLD_LAZY | RTLD_GLOBAL);
  if (!m.libpython_handle)
    return failure(
        fmt::format("Python {}'s library {} could not be loaded: {}", in.name(), quoted(m.libpython), dl_error()));
  m.module_handle = ::dlopen(m.file.c_str(), RTLD_LAZY | RTLD_LOCAL);
  if (!m.module_handle)
    return failure(fmt::format("the embedding module {} could not be loaded: {}", quoted(m.file), dl_error()));
  void* entry = ::dlsym(m.module_handle, PYCACHE_EMBED_ENTRY);
  if (!entry)
    return failure(
        fmt::format("the embedding module {} has no entry {}: {}", quoted(m.file), PYCACHE_EMBED_ENTRY, dl_error()));
  m.table = reinterpret_cast<PycacheEmbedEntryV1>(entry)();
  if (auto e = check_table(in, m.file, m.table)) return *e;
  return m;
}

int run_python(const Module& module, const embed::InterpreterConfig& in) {
  std::vector<const char*> argv, names, values;
  for (const auto& a : in.argv) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  for (const auto& [name, value] : in.environment_after_init) {
    names.push_back(name.c_str());
    values.push_back(value ? value->c_str() : nullptr);
  }
  PycacheEmbedConfigV1 c{};
  c.argc = in.argv.size();
  c.argv = argv.data();
  c.executable = in.executable.c_str();
  c.base_executable = in.base_executable.c_str();
  c.home = in.home.c_str();
  c.prefix = in.prefix.c_str();
  c.exec_prefix = in.exec_prefix.c_str();
  c.write_bytecode = in.write_bytecode ? 1 : 0;
  c.optimization_level = in.optimization_level;
  c.pycache_prefix = in.pycache_prefix.c_str();
  c.check_hash_pycs_mode = in.check_hash_pycs_mode.c_str();
  c.read_through = in.read_through ? 1 : 0;
  c.read_through_source = generated::kReadThroughSource;
  if (const auto* hook = in.read_through ? frozen_hook(*module.table) : nullptr) {
    c.read_through_code = hook->code;
    c.read_through_code_size = hook->size;
    c.read_through_magic = hook->magic;
  }
  c.environment_count = names.size();
  c.environment_names = names.data();
  c.environment_values = values.data();
  return module.table->run_python(&c);
}

std::optional<Error> start_tool_runtime(const Module& module, const fs::path& home) {
  Collected c;
  const int status = module.table->start_tool_runtime(home.c_str(), collect, &c);
  if (status != 0) return error_of(status, c);
  return std::nullopt;
}

std::array<std::uint8_t, 8> source_hash(const Module& module, std::string_view source) {
  std::array<std::uint8_t, 8> out{};
  module.table->source_hash(source.data(), source.size(), out.data());
  return out;
}

std::uint16_t magic_number(const Module& module) { return module.table->magic_number(); }

Result<std::string> disassemble(const Module& module, std::string_view pyc) {
  Collected c;
  const int status = module.table->disassemble(pyc.data(), pyc.size(), collect, &c);
  if (status != 0) return error_of(status, c);
  return std::move(c.text);
}

embed::CompileOutcome compile_source(const Module& module, std::string_view source, const std::string& filename,
                                     int optimize) {
  Collected c;
  PycacheEmbedCompileV1 r{};
  module.table->compile_source(source.data(), source.size(), filename.c_str(), optimize, &r, collect, &c);
  embed::CompileOutcome out;
  out.ok = r.ok != 0;
  out.line = r.line;
  out.column = r.column;
  out.code = std::move(c.code);
  out.error_type = std::move(c.error_type);
  out.message = std::move(c.error);
  return out;
}

}  // namespace pycache::embed_module
