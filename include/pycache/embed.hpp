#pragma once
// The embedded CPython. This interface is the only way into the interpreter:
// only launcher/embed/ includes Python.h, and version differences between
// CPython 3.8 and 3.13 stay behind it.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pycache/error.hpp"

namespace pycache::interpreters {
struct Interpreter;
}  // namespace pycache::interpreters

namespace pycache::embed {

struct InterpreterConfig {
  std::vector<std::string> argv;  // argv[0] then python's own arguments, as bytes
  std::string executable;         // sys.executable: absolute path of a program that speaks python
  std::string base_executable;    // sys._base_executable (what `-m venv` links to); empty: CPython's choice
  std::string home;               // PyConfig.home; empty lets CPython search (PYTHONHOME)
  std::string prefix;             // PyConfig.prefix and exec_prefix, preset (see getpath.hpp); empty: CPython's
  std::string exec_prefix;
  // The bytecode policy, applied after CPython has parsed argv and the
  // environment so that it is exactly what pycache resolved.
  bool write_bytecode = true;
  int optimization_level = 0;
  std::string pycache_prefix;  // absolute, or empty for __pycache__
  std::string check_hash_pycs_mode = "default";
  // With a prefix: a valid pyc in the source's own __pycache__ (validated by
  // importlib's own checks) is used before the prefix is consulted.
  bool read_through = false;
  // Environment variables to set (or unset, nullopt) once CPython has read
  // them, in the C environment and os.environ alike: with propagate = "none"
  // the program and its children see the environment it was started with.
  std::vector<std::pair<std::string, std::optional<std::string>>> environment_after_init;
};

// Initialises CPython with `config` and runs it as `python` would (Py_RunMain).
// Returns the process exit status; like python it may also end the process
// itself (sys.exit, KeyboardInterrupt). Call nothing after it.
int run_python(const InterpreterConfig& config);

// Whether this program embeds a runtime of its own (pycache-pythonX.Y, its
// libpython linked in) or none: pycache-embedded loads the interpreter it is
// handed through that interpreter's embedding module (use_interpreter).
bool has_builtin_runtime();
// pycache-embedded: the interpreter at `path` described again (its trust
// checked again: a parent is not taken at its word), its libpython and
// module loaded; every call of this header then goes to it. An Error
// (kExitEnvironment, one line) when that can't be; always one in a program
// with a runtime of its own.
std::optional<Error> use_interpreter(const std::string& path);
// The same for an interpreter this process has just described and checked
// (the run's own choice): not described twice.
std::optional<Error> use_interpreter(const interpreters::Interpreter& interpreter);

// "3.11.2" of the libpython actually loaded.
std::string runtime_version();
// Which runtime of pycache::runtime::all() this program embeds.
std::size_t runtime_index();
// Its whole sys.version: "3.11.2 (main, Mar 13 2023, 12:18:29) [GCC 12.2.0]".
std::string runtime_build();

// An interpreter for pycache's own work (compile, show): the isolated config,
// no site, no signal handlers, never writing bytecode. Started on first call,
// once per process; later calls return at once. Not for `run`.
std::optional<Error> start_tool_runtime();

// importlib.util.source_hash(source): the 8 bytes a hash-based pyc stores,
// computed by the embedded interpreter itself (needs start_tool_runtime()).
std::array<std::uint8_t, 8> source_hash(std::string_view source);

// The embedded interpreter's magic number (e.g. 3495) and cache tag.
std::uint16_t magic_number();

// dis.dis of the code object in `pyc` (a whole .pyc file: marshal.loads of
// what follows its 16-byte header), as text; needs start_tool_runtime().
// Errors (kExitFailure, one line) when the magic is not the embedded
// interpreter's, or the body is not a marshalled code object; never a crash
// for truncated data (marshal raises, the error is reported).
Result<std::string> disassemble(std::string_view pyc);

// A warning the compiler issued (SyntaxWarning, ...), as warnings.warn_explicit got it.
struct CompileWarning {
  std::string category;  // "SyntaxWarning", "DeprecationWarning", ...
  std::string message;
  int line = 0;  // 1-based, 0 when unknown
};

// What compiling one source gave: the marshalled code object, or the error.
struct CompileOutcome {
  bool ok = false;
  std::string code;        // marshal.dumps(code object), the bytes after a pyc's header
  std::string error_type;  // "SyntaxError", "IndentationError", "TabError", "ValueError", ...
  std::string message;     // SyntaxError.msg, or str(exception) for other errors
  int line = 0;            // SyntaxError.lineno (1-based), 0 when unknown
  int column = 0;          // SyntaxError.offset (1-based), 0 when unknown
  // The warnings the compiler issued that the warning filters let through,
  // in order (none when it fails). They are returned, not shown: shown by
  // Python they would name co_filename, the absolute path, where the caller
  // names the file as the user gave it.
  std::vector<CompileWarning> warnings;
};

// Compiles `source` (the file's bytes) as importlib's SourceLoader does:
// compile(source, filename, 'exec', dont_inherit=True, optimize=optimize),
// then marshal.dumps. Bytes are decoded as Python decodes a source file (a
// coding cookie or BOM, else UTF-8). `filename` becomes co_filename (import
// passes the absolute source path). The compiler's warnings are recorded
// (warnings.catch_warnings(record=True)) into the outcome, never printed.
// Needs start_tool_runtime(), and must be
// called from the thread that started it.
CompileOutcome compile_source(std::string_view source, const std::string& filename, int optimize);

}  // namespace pycache::embed
