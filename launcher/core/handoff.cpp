#include "pycache/handoff.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "pycache/embed.hpp"
#include "pycache/exit_code.hpp"
#include "pycache/log.hpp"
#include "pycache/paths.hpp"
#include "pycache/text.hpp"
#include "pycache/wire.hpp"

namespace pycache {

namespace {

// The format and its version: a child of another version reads none of it.
constexpr std::string_view kTag = "handoff/3";
using EnvironmentList = std::vector<std::pair<std::string, std::optional<std::string>>>;
// At most this many variables to restore: more is not a plan of ours.
constexpr std::size_t kMaxEnvironment = 64;

// The fields of InterpreterConfig the hand-off carries (all but argv, which
// is the program's own), in their order on the wire: one list for both ways.
template <class Config, class Visit>
void visit_handed_fields(Config& c, Visit&& visit) {
  visit(c.executable);
  visit(c.base_executable);
  visit(c.home);
  visit(c.prefix);
  visit(c.exec_prefix);
  visit(c.write_bytecode);
  visit(c.optimization_level);
  visit(c.pycache_prefix);
  visit(c.check_hash_pycs_mode);
  visit(c.read_through);
  visit(c.environment_after_init);
}

void put(wire::Writer& w, const std::string& s) { w.field(s); }
void put(wire::Writer& w, bool b) { w.flag(b); }
void put(wire::Writer& w, int n) { w.number(n); }
void put(wire::Writer& w, const EnvironmentList& list) {
  w.number(list.size());
  for (const auto& [name, value] : list) {
    w.field(name).flag(value.has_value());
    if (value) w.field(*value);
  }
}

bool get(wire::Reader& r, std::string& s) { return r.field(s); }
bool get(wire::Reader& r, bool& b) { return r.flag(b); }
bool get(wire::Reader& r, int& n) { return r.number(n); }
bool get(wire::Reader& r, EnvironmentList& list) {
  std::size_t n = 0;
  if (!r.number(n) || n > kMaxEnvironment) return false;
  for (std::size_t i = 0; i < n; ++i) {
    std::string name;
    bool set = false;
    if (!r.field(name) || !r.flag(set)) return false;
    std::optional<std::string> value;
    if (set && !r.field(value.emplace())) return false;
    list.emplace_back(std::move(name), std::move(value));
  }
  return true;
}

}  // namespace

std::string encode_handoff(const embed::InterpreterConfig& c, const std::string& interpreter) {
  wire::Writer w(kTag);
  w.field(interpreter);
  visit_handed_fields(c, [&](const auto& field) { put(w, field); });
  return w.take();
}

std::optional<embed::InterpreterConfig> decode_handoff(std::string_view text, std::string* interpreter) {
  wire::Reader r(text);
  embed::InterpreterConfig c;
  std::string path;
  bool ok = r.tag(kTag) && r.field(path);
  visit_handed_fields(c, [&](auto& field) { ok = ok && get(r, field); });
  if (!ok || !r.done() || c.optimization_level < 0 || c.optimization_level > 2) return std::nullopt;
  if (interpreter) *interpreter = std::move(path);
  return c;
}

namespace {

// execv's `program` with the plan; returns only when that fails, having said so.
int exec_with_plan(const std::string& program, const std::string& what, const embed::InterpreterConfig& config,
                   const std::string& interpreter) {
  setenv(kHandoffVariable, encode_handoff(config, interpreter).c_str(), 1);
  std::vector<char*> argv;
  for (const auto& a : config.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(program.c_str(), argv.data());
  const int e = errno;
  unsetenv(kHandoffVariable);
  log().error("cannot start {} '{}': {}", what, printable(program), std::strerror(e));
  return kExitEnvironment;
}

}  // namespace

// pycache-embedded is itself wherever it is started from: in a wheel it is
// two copies, `pycache` and `pycache-python`, and no file of that name.
std::filesystem::path embedded_program() {
  if (!embed::has_builtin_runtime()) return self_exe();
  return joined_path(self_exe_dir(), kEmbeddedProgram);
}

int hand_off(const runtime::Runtime& rt, const embed::InterpreterConfig& config) {
  return exec_with_plan(runtime::program_path(rt)->native(), fmt::format("the Python {} runtime", rt.name), config, {});
}

int hand_off_embedded(const std::string& interpreter, const embed::InterpreterConfig& config) {
  return exec_with_plan(embedded_program().native(), "the embedding program", config, interpreter);
}

}  // namespace pycache
