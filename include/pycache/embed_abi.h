#pragma once
// The boundary between pycache and an embedding module
// (lib/pycache/pycache-embed-3.X[t].so): plain C, so that what crosses it is
// only pointers, integers and C strings whatever each side was built with.
// A module is compiled against one CPython minor version's headers and is
// not linked to libpython: its Py* symbols come from the libpython the
// loader (include/pycache/embed_module.hpp) has dlopen'ed RTLD_GLOBAL before
// it. It exports one symbol, kPycacheEmbedEntry, returning its table.
//
// A change of any struct below is a new table version (a new entry name and
// struct names ending in V2): a module and a loader of different versions
// refuse each other, never misread each other.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PYCACHE_EMBED_TABLE_VERSION 1
#define PYCACHE_EMBED_ENTRY "pycache_embed_v1"

// embed::InterpreterConfig, flattened (embed.hpp says what each field does).
// Strings are NUL-terminated bytes; NULL or "" means empty.
struct PycacheEmbedConfigV1 {
  size_t argc;
  const char* const* argv;
  const char* executable;
  const char* base_executable;
  const char* home;
  const char* prefix;
  const char* exec_prefix;
  int write_bytecode;
  int optimization_level;
  const char* pycache_prefix;
  const char* check_hash_pycs_mode;
  int read_through;
  // The read-through hook: its source (launcher/embed/read_through.py), and
  // optionally its code marshalled for `read_through_magic` (used when that
  // is the loaded libpython's magic number, else the source is compiled).
  const char* read_through_source;
  const unsigned char* read_through_code;
  size_t read_through_code_size;
  long read_through_magic;
  // Variables set (value non-NULL) or unset (NULL) after initialisation.
  size_t environment_count;
  const char* const* environment_names;
  const char* const* environment_values;
};

// Where a call's text results go: `sink(context, field, data, size)`.
typedef void (*PycacheEmbedSink)(void* context, int field, const char* data, size_t size);
enum PycacheEmbedField {
  kPycacheEmbedError = 0,     // a one-line error message
  kPycacheEmbedText = 1,      // disassemble(): the text
  kPycacheEmbedCode = 2,      // compile_source(): marshal.dumps(code)
  kPycacheEmbedErrorType = 3  // compile_source(): "SyntaxError", ...
};

// embed::CompileOutcome's scalars; its strings go to the sink (code, error
// type, kPycacheEmbedError for the message).
struct PycacheEmbedCompileV1 {
  int ok;
  int line;
  int column;
};

struct PycacheEmbedV1 {
  uint32_t table_version;  // PYCACHE_EMBED_TABLE_VERSION
  uint32_t table_size;     // sizeof(struct PycacheEmbedV1) of the module
  // The CPython ABI the module was compiled for.
  int major;
  int minor;
  int free_threaded;            // Py_GIL_DISABLED headers (a 3.13t module)
  uint32_t py_version_hex;      // PY_VERSION_HEX of its headers
  const char* headers_version;  // PY_VERSION of its headers, "3.11.2"

  // embed::run_python: initialises CPython and runs it as python would;
  // returns the exit status, or may end the process itself.
  int (*run_python)(const struct PycacheEmbedConfigV1* config);
  // Py_GetVersion() of the loaded libpython: "3.11.2 (main, ...) [GCC ...]".
  const char* (*runtime_build)(void);
  // embed::start_tool_runtime with PyConfig.home = `home`: 0 when started,
  // else an exit status, and the message through the sink.
  int (*start_tool_runtime)(const char* home, PycacheEmbedSink sink, void* context);
  void (*source_hash)(const char* source, size_t size, unsigned char out[8]);
  uint16_t (*magic_number)(void);
  // embed::disassemble: 0 and the text, or an exit status and the message.
  int (*disassemble)(const char* pyc, size_t size, PycacheEmbedSink sink, void* context);
  void (*compile_source)(const char* source, size_t size, const char* filename, int optimize,
                         struct PycacheEmbedCompileV1* out, PycacheEmbedSink sink, void* context);
};

typedef const struct PycacheEmbedV1* (*PycacheEmbedEntryV1)(void);

#ifdef __cplusplus
}
#endif
