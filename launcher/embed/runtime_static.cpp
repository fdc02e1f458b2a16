// What a runtime program (pycache-pythonX.Y, linked to its libpython) knows
// from its build: its row of the runtime table, its interpreter's prefix and
// the read-through hook frozen by that interpreter. An embedding module has
// none of it compiled in (launcher/embed/module.cpp).
#include "embed_internal.hpp"
#include "pycache/exit_code.hpp"
#include "read_through_frozen.inc"  // generated: cmake/freeze.py

namespace pycache::embed {

int run_python(const InterpreterConfig& config) {
  return run_python_with(config, {frozen::kReadThroughSource, frozen::kReadThroughCode, sizeof frozen::kReadThroughCode,
                                  frozen::kReadThroughMagic});
}

bool has_builtin_runtime() { return true; }

std::optional<Error> use_interpreter(const std::string& path) {
  return Error{"a program with a Python of its own can't load the interpreter '" + path + "'", kExitInternal};
}

std::optional<Error> use_interpreter(const interpreters::Interpreter&) {
  return Error{"a program with a Python of its own can't load another interpreter", kExitInternal};
}

std::size_t runtime_index() { return PYCACHE_RUNTIME_INDEX; }

std::optional<Error> start_tool_runtime() { return start_tool_runtime_at(PYCACHE_RUNTIME_HOME); }

}  // namespace pycache::embed
