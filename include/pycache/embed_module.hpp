#pragma once
// Loading an embedding module (lib/pycache/pycache-embed-3.X[t].so, built per
// CPython minor version: cmake/EmbedModules.cmake) for an interpreter found
// on the machine (interpreters.hpp): its own libpython first, dlopen'ed
// RTLD_GLOBAL so that the module's Py* symbols (and every extension module's
// of lib-dynload) are that library's, then the module, RTLD_LOCAL. Neither
// this header nor its implementation includes Python.h: the module's
// table (embed_abi.h) is the way in. A program that loads a module must not
// link any libpython itself (its own Py* would preempt the loaded ones).
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "pycache/embed.hpp"
#include "pycache/embed_abi.h"
#include "pycache/error.hpp"
#include "pycache/interpreters.hpp"
#include "pycache/trust.hpp"

namespace pycache::embed_module {

namespace fs = std::filesystem;

struct Module {
  const PycacheEmbedV1* table = nullptr;
  fs::path libpython;  // the library loaded
  fs::path file;       // the module loaded
  // Never closed: a libpython cannot be unloaded, nor a module that uses it.
  void* libpython_handle = nullptr;
  void* module_handle = nullptr;
};

// "pycache-embed-3.12.so", "pycache-embed-3.13t.so".
std::string module_file_name(const interpreters::Interpreter& interpreter);

// Where this program's modules are: ../lib/pycache beside the directory of
// the running program (/proc/self/exe), in the build tree as installed.
fs::path default_modules_dir();

// The checks load() makes before it opens anything: the same errors for a
// refused interpreter, no shared libpython, a debug or misnamed libpython, no
// module, a libpython or module of another user's or writable by everyone.
// nullopt when load() would go on to dlopen. Loads nothing, starts nothing.
std::optional<Error> check(const interpreters::Interpreter& interpreter, const fs::path& modules_dir,
                           const Trust& trust = Trust::current());

// check()'s findings that are not about trust: no shared libpython, a debug
// or misnamed one, no module. For a caller that has just had check_trust()'s
// nullopt for the same interpreter and directory (check() is both).
std::optional<Error> check_loadable(const interpreters::Interpreter& interpreter, const fs::path& modules_dir);

// check()'s findings that are about trust alone: the interpreter refused,
// its libpython or the module (when there is one) another user's, writable
// by everyone, or below a directory that is. Such an interpreter is neither
// loaded nor run. nullopt: nothing about trust (check() may still find that
// it can't be embedded).
std::optional<Error> check_trust(const interpreters::Interpreter& interpreter, const fs::path& modules_dir,
                                 const Trust& trust = Trust::current());

// Loads the module of `interpreter` from `modules_dir`. One-line errors
// (kExitEnvironment): the interpreter is refused; it has no shared
// libpython; its libpython is a debug build (libpython3.Xd.so: another
// object layout) or names another version than the interpreter; there is no
// module for it; the libpython or the module belongs to another user than
// trust.uid and root, is writable by everyone, or lies below a directory
// that is; dlopen or dlsym fails; the module's table is of another version,
// or built for another minor version or threading model, or with the
// headers of a later patch release than the interpreter (the module is bound
// lazily, as python binds its libpython: it may call what an older one lacks).
// Checked::Now: this process described and checked `interpreter` (check())
// a moment ago, in directories only trusted users can change: the checks
// are not made twice. Anything handed over from another process is
// Checked::Again.
enum class Checked { Again, Now };
Result<Module> load(const interpreters::Interpreter& interpreter, const fs::path& modules_dir,
                    const Trust& trust = Trust::current(), Checked checked = Checked::Again);

// embed::run_python through the module: flattens `config` for the table
// (the read-through hook's source included). Like run_python it may end the
// process; call nothing after it.
int run_python(const Module& module, const embed::InterpreterConfig& config);

// The tool interpreter (embed::start_tool_runtime and what needs it),
// through the module: the same calls, the same errors. `home` is the
// interpreter's prefix.
std::optional<Error> start_tool_runtime(const Module& module, const fs::path& home);
std::array<std::uint8_t, 8> source_hash(const Module& module, std::string_view source);
std::uint16_t magic_number(const Module& module);
Result<std::string> disassemble(const Module& module, std::string_view pyc);
embed::CompileOutcome compile_source(const Module& module, std::string_view source, const std::string& filename,
                                     int optimize);

}  // namespace pycache::embed_module
