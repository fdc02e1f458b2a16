// embed.hpp for pycache-embedded, the program that links no libpython: every
// call goes to the embedding module of the interpreter it was handed
// (use_interpreter), loaded by core/embed_module.cpp. Until one is loaded
// the calls that need Python fail with one line.
#include <optional>

#include "pycache/embed.hpp"
#include "pycache/embed_module.hpp"
#include "pycache/exit_code.hpp"
#include "pycache/interpreters.hpp"
#include "pycache/log.hpp"

namespace pycache::embed {
namespace {

struct Loaded {
  interpreters::Interpreter interpreter;
  embed_module::Module module;
};
std::optional<Loaded> g_loaded;

Error not_loaded() {
  return Error{"pycache-embedded runs the Python `pycache run` hands it; start pycache or pycache-python instead",
               kExitUsage};
}

}  // namespace

bool has_builtin_runtime() { return false; }

std::optional<Error> use_interpreter(const interpreters::Interpreter& in) {
  // The run's own choice, checked a moment ago in this process.
  auto module =
      embed_module::load(in, embed_module::default_modules_dir(), Trust::current(), embed_module::Checked::Now);
  if (!module) return module.error();
  g_loaded = Loaded{in, std::move(*module)};
  return std::nullopt;
}

std::optional<Error> use_interpreter(const std::string& path) {
  // Handed over by another process: described and checked again.
  auto in = interpreters::inspect(path, Trust::current(), nullptr);
  if (!in) return in.error();
  auto module = embed_module::load(*in, embed_module::default_modules_dir(), Trust::current());
  if (!module) return module.error();
  g_loaded = Loaded{std::move(*in), std::move(*module)};
  return std::nullopt;
}

int run_python(const InterpreterConfig& config) {
  if (!g_loaded) {
    log().error("{}", not_loaded().message);
    return not_loaded().code;
  }
  return embed_module::run_python(g_loaded->module, config);
}

std::string runtime_version() { return g_loaded ? g_loaded->interpreter.version : std::string(); }

// The default row of the runtime table: this program is none of them
// (has_builtin_runtime), but what needs a row gets one.
std::size_t runtime_index() { return 0; }

std::string runtime_build() {
  return g_loaded ? std::string(g_loaded->module.table->runtime_build()) : std::string("none loaded");
}

std::optional<Error> start_tool_runtime() {
  if (!g_loaded) return not_loaded();
  return embed_module::start_tool_runtime(g_loaded->module, g_loaded->interpreter.prefix);
}

std::array<std::uint8_t, 8> source_hash(std::string_view source) {
  return embed_module::source_hash(g_loaded->module, source);
}

std::uint16_t magic_number() { return g_loaded ? embed_module::magic_number(g_loaded->module) : 0; }

Result<std::string> disassemble(std::string_view pyc) {
  if (!g_loaded) return not_loaded();
  return embed_module::disassemble(g_loaded->module, pyc);
}

CompileOutcome compile_source(std::string_view source, const std::string& filename, int optimize) {
  return embed_module::compile_source(g_loaded->module, source, filename, optimize);
}

}  // namespace pycache::embed
