#include "pycache/flags_run.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

#include "pycache/embed_module.hpp"
#include "pycache/exit_code.hpp"
#include "pycache/log.hpp"
#include "pycache/text.hpp"

namespace pycache::flags_run {
namespace {

// The minor version of "3.12", or -1.
int minor_of(const std::string& major_minor) {
  if (!major_minor.starts_with("3.")) return -1;
  int minor = -1;
  auto [end, ec] = std::from_chars(major_minor.data() + 2, major_minor.data() + major_minor.size(), minor);
  return ec == std::errc() ? minor : -1;
}

// The flags for `write_bytecode`, `level` (beyond the user's `-O`s),
// `prefix` and `mode`.
std::vector<std::string> flags_of(bool write_bytecode, int level, const std::string& prefix, const std::string& mode,
                                  const PythonArgs& user) {
  std::vector<std::string> out;
  if (!write_bytecode && !user.dont_write_bytecode) out.emplace_back("-B");
  // python adds each -O: the user's own stay where they are, ours make up the rest.
  const int more = level - user.optimize;
  if (more >= 2) out.emplace_back("-OO");
  else if (more == 1) out.emplace_back("-O");
  if (!prefix.empty()) {
    out.emplace_back("-X");
    out.emplace_back("pycache_prefix=" + prefix);
  }
  if (!mode.empty() && mode != "default") {
    out.emplace_back("--check-hash-based-pycs");
    out.emplace_back(mode);
  }
  return out;
}

std::vector<std::string> flags_of(const embed::InterpreterConfig& c, const PythonArgs& user) {
  return flags_of(c.write_bytecode, c.optimization_level, c.pycache_prefix, c.check_hash_pycs_mode, user);
}

std::string joined(const std::vector<std::string>& flags) {
  std::string out;
  for (const auto& f : flags) out += (out.empty() ? "" : " ") + f;
  return out.empty() ? std::string("none") : out;
}

}  // namespace

std::optional<std::string> refusal(const interpreters::Interpreter& in, const fs::path& modules_dir,
                                   const Trust& trust) {
  if (auto e = embed_module::check_trust(in, modules_dir, trust)) return e->message;
  if (minor_of(in.major_minor) < 8)
    return fmt::format("Python {} at '{}' is not used: it has no -X pycache_prefix (pycache runs Python 3.8 and later)",
                       in.name(), printable(in.path.native()));
  return std::nullopt;
}

Decision decide(const interpreters::Interpreter& in, const fs::path& modules_dir, const fs::path& embedded_program,
                const Trust& trust) {
  if (auto why = refusal(in, modules_dir, trust)) return {How::Refused, std::move(*why)};
  if (::access(embedded_program.c_str(), X_OK) != 0)
    return {How::Flags, fmt::format("this pycache has no {}", printable(embedded_program.filename().native()))};
  // check() less the trust checks refusal() has just made.
  if (auto e = embed_module::check_loadable(in, modules_dir)) return {How::Flags, e->message};
  return {How::Embedded, {}};
}

Command command(const std::string& python, const embed::InterpreterConfig& config,
                const std::vector<std::pair<std::string, std::optional<std::string>>>& environment,
                const PythonArgs& user) {
  Command c;
  c.program = python;
  c.argv.push_back(python);
  for (auto& f : flags_of(config, user)) c.argv.push_back(std::move(f));
  if (!config.argv.empty()) c.argv.insert(c.argv.end(), config.argv.begin() + 1, config.argv.end());
  c.environment = environment;
  // propagate = "none": a variable the program was started without stays
  // unset (the flags carry the policy); one it had keeps the policy's value,
  // which python reads at start and this process can't put back after.
  for (const auto& [name, original] : config.environment_after_init)
    if (!original) c.environment.emplace_back(name, std::nullopt);
  c.environment.emplace_back("PYTHONEXECUTABLE", std::nullopt);
  return c;
}

std::string flags_text(const embed::InterpreterConfig& config, const PythonArgs& user) {
  return joined(flags_of(config, user));
}

std::string flags_text(const Policy& policy) {
  return joined(flags_of(policy.write_bytecode(), policy.optimize(), policy.cache_prefix(), policy.check_hash_pycs(),
                         PythonArgs{}));
}

std::string program_for(const interpreters::Interpreter& in, const Policy& policy) {
  const std::string& venv = policy.venv();
  if (venv.empty() || venv == "none") return in.path.native();
  std::error_code ec;
  const fs::path real = fs::canonical(in.real.empty() ? in.path : in.real, ec);
  if (ec) return in.path.native();
  for (const std::string& name : {"python" + in.name(), std::string("python3"), std::string("python")}) {
    const fs::path candidate = fs::path(venv) / "bin" / name;
    std::error_code e;
    if (fs::canonical(candidate, e) == real && !e) return candidate.native();
  }
  return in.path.native();
}

std::string origin_text(const interpreters::Interpreter& in, const std::string& why, const std::string& flags) {
  return fmt::format("{}, not embedded ({}): run itself with python's flags {}", interpreters::found_text(in), why,
                     flags);
}

void record_choice(Policy& policy, const PythonChoice& choice) {
  if (choice.runtime || !choice.interpreter || choice.not_embedded.empty()) return;
  Origin origin = choice.origin;
  origin.where += "; " + origin_text(*choice.interpreter, choice.not_embedded, flags_text(policy));
  policy.override(Key::Python, choice.interpreter->path.native(), origin);
}

int exec(const Command& c) {
  for (const auto& [name, value] : c.environment) {
    if (value) ::setenv(name.c_str(), value->c_str(), 1);
    else ::unsetenv(name.c_str());
  }
  std::vector<char*> argv;
  argv.reserve(c.argv.size() + 1);
  for (const auto& a : c.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(c.program.c_str(), argv.data());
  const int e = errno;
  log().error("cannot start the Python '{}': {}", printable(c.program), std::strerror(e));
  return kExitEnvironment;
}

}  // namespace pycache::flags_run
