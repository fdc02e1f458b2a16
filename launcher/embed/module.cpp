// An embedding module's entry point (lib/pycache/pycache-embed-3.X[t].so):
// the table of include/pycache/embed_abi.h over the same embedding code a
// runtime program links. Compiled against one minor version's headers, not
// linked to libpython (the loader has made one global first); everything
// but the entry is hidden.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <string>
#include <vector>

#include "embed_internal.hpp"
#include "pycache/embed_abi.h"

namespace pycache::embed {
namespace {

std::string text(const char* s) { return s ? std::string(s) : std::string(); }

InterpreterConfig from_abi(const PycacheEmbedConfigV1& c) {
  InterpreterConfig in;
  for (std::size_t i = 0; i < c.argc; ++i) in.argv.emplace_back(text(c.argv[i]));
  in.executable = text(c.executable);
  in.base_executable = text(c.base_executable);
  in.home = text(c.home);
  in.prefix = text(c.prefix);
  in.exec_prefix = text(c.exec_prefix);
  in.write_bytecode = c.write_bytecode != 0;
  in.optimization_level = c.optimization_level;
  in.pycache_prefix = text(c.pycache_prefix);
  if (c.check_hash_pycs_mode && *c.check_hash_pycs_mode) in.check_hash_pycs_mode = c.check_hash_pycs_mode;
  in.read_through = c.read_through != 0;
  for (std::size_t i = 0; i < c.environment_count; ++i) {
    const char* value = c.environment_values[i];
    in.environment_after_init.emplace_back(text(c.environment_names[i]),
                                           value ? std::optional<std::string>(value) : std::nullopt);
  }
  return in;
}

int abi_run_python(const PycacheEmbedConfigV1* c) {
  InterpreterConfig in = from_abi(*c);
  const ReadThroughHook hook{c->read_through_source, c->read_through_code, c->read_through_code_size,
                             c->read_through_magic};
  return run_python_with(in, hook);
}

const char* abi_runtime_build() { return Py_GetVersion(); }

void put(PycacheEmbedSink sink, void* context, int field, const std::string& s) {
  if (sink) sink(context, field, s.data(), s.size());
}

int abi_start_tool_runtime(const char* home, PycacheEmbedSink sink, void* context) {
  auto failed = start_tool_runtime_at(home);
  if (!failed) return 0;
  put(sink, context, kPycacheEmbedError, failed->message);
  return failed->code;
}

void abi_source_hash(const char* source, std::size_t size, unsigned char out[8]) {
  const auto h = source_hash(std::string_view(source, size));
  for (std::size_t i = 0; i < h.size(); ++i) out[i] = h[i];
}

std::uint16_t abi_magic_number() { return magic_number(); }

int abi_disassemble(const char* pyc, std::size_t size, PycacheEmbedSink sink, void* context) {
  auto done = disassemble(std::string_view(pyc, size));
  if (!done) {
    put(sink, context, kPycacheEmbedError, done.error().message);
    return done.error().code;
  }
  put(sink, context, kPycacheEmbedText, *done);
  return 0;
}

void abi_compile_source(const char* source, std::size_t size, const char* filename, int optimize,
                        PycacheEmbedCompileV1* out, PycacheEmbedSink sink, void* context) {
  CompileOutcome o = compile_source(std::string_view(source, size), text(filename), optimize);
  *out = {o.ok ? 1 : 0, o.line, o.column};
  if (o.ok) put(sink, context, kPycacheEmbedCode, o.code);
  else {
    put(sink, context, kPycacheEmbedErrorType, o.error_type);
    put(sink, context, kPycacheEmbedError, o.message);
  }
}

#ifdef Py_GIL_DISABLED
constexpr int kFreeThreaded = 1;
#else
constexpr int kFreeThreaded = 0;
#endif

constexpr PycacheEmbedV1 kTable = {
    PYCACHE_EMBED_TABLE_VERSION,
    sizeof(PycacheEmbedV1),
    PY_MAJOR_VERSION,
    PY_MINOR_VERSION,
    kFreeThreaded,
    PY_VERSION_HEX,
    PY_VERSION,
    abi_run_python,
    abi_runtime_build,
    abi_start_tool_runtime,
    abi_source_hash,
    abi_magic_number,
    abi_disassemble,
    abi_compile_source,
};

}  // namespace
}  // namespace pycache::embed

extern "C" __attribute__((visibility("default"))) const PycacheEmbedV1* pycache_embed_v1() {
  return &pycache::embed::kTable;
}
