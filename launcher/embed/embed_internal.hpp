#pragma once
// What the embedding code shares between its two builds: a runtime program
// (pycache-pythonX.Y, linked to one libpython, facts compiled in) and an
// embedding module (pycache-embed-3.X.so, loaded at run time, told at run
// time). Neither this header nor its users' callers include Python.h.
#include <cstddef>

#include "pycache/embed.hpp"

namespace pycache::embed {

// The read-through hook: its source, and its code marshalled for `magic`
// (used when that is the loaded libpython's magic number); code may be null.
struct ReadThroughHook {
  const char* source = nullptr;
  const unsigned char* code = nullptr;
  std::size_t code_size = 0;
  long magic = 0;
};

// run_python, with the hook given.
int run_python_with(const InterpreterConfig& config, const ReadThroughHook& hook);

// start_tool_runtime, with PyConfig.home given.
std::optional<Error> start_tool_runtime_at(const char* home);

}  // namespace pycache::embed
