#pragma once
// What `pycache python list` shows: each interpreter discover() found, with
// whether pycache can embed it (through an embedding module, without loading
// anything to tell) and what `pycache run` does with it today (a runtime of
// this build answers its minor version, or nothing does). The formatters
// return the text and --json reports; the command prints them.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pycache/interpreters.hpp"
#include "pycache/runtime.hpp"
#include "pycache/trust.hpp"

namespace pycache::python_list {

namespace fs = std::filesystem;

// Why pycache cannot embed `in` with the modules of `modules_dir`
// (embed_module::check: its module and its libpython as load() would judge
// them, nothing opened): "refused" for a refused interpreter (its reason is
// its own), "no shared libpython" for a static one, else the loader's
// sentence. nullopt: it can.
std::optional<std::string> why_not_embeddable(const interpreters::Interpreter& in, const fs::path& modules_dir,
                                              const Trust& trust);

struct Row {
  interpreters::Interpreter interpreter;
  std::optional<std::string> not_embeddable;  // nullopt: embeddable
  const runtime::Runtime* runtime = nullptr;  // the runtime of this build `run` uses for its minor, or none
  // Not embeddable, yet trusted: `run` runs it itself, the policy in python's flags (flags_run.hpp).
  bool runs_itself = false;
  // Why `run` never runs it, not even itself (flags_run::refusal), or nullopt.
  std::optional<std::string> not_run;
};

// One row per interpreter, in discovery order; `runtime_for` is
// runtime::find in the command (a seam for tests).
std::vector<Row> rows(const std::vector<interpreters::Interpreter>& found, const fs::path& modules_dir,
                      const Trust& trust, const runtime::Runtime* (*runtime_for)(std::string_view name));

// One line per row: "3.12.1  PATH (also ALIAS, ...)  libpython LIB  embed: yes  run: ...".
std::string format_list(const std::vector<Row>& rows);
// A JSON array, one object per row (json_schema.cpp's "python-list").
std::string format_list_json(const std::vector<Row>& rows);

}  // namespace pycache::python_list
