#include "pycache/handoff.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "pycache/exit_code.hpp"
#include "pycache/log.hpp"
#include "pycache/text.hpp"

namespace pycache {

namespace {

// Length-prefixed fields: "7:/a/path" for a string, the count first for a list.
void put(std::string& out, std::string_view s) {
  out += std::to_string(s.size());
  out += ':';
  out += s;
}

bool take(std::string_view& in, std::string& out) {
  auto colon = in.find(':');
  std::size_t n = 0;
  if (colon == std::string_view::npos) return false;
  auto [end, ec] = std::from_chars(in.data(), in.data() + colon, n);
  if (ec != std::errc() || end != in.data() + colon || n > in.size() - colon - 1) return false;
  out.assign(in.substr(colon + 1, n));
  in.remove_prefix(colon + 1 + n);
  return true;
}

}  // namespace

std::string encode_handoff(const embed::InterpreterConfig& c) {
  std::string out = "1;";
  for (const std::string* s : {&c.executable, &c.base_executable, &c.home, &c.prefix, &c.exec_prefix, &c.pycache_prefix,
                               &c.check_hash_pycs_mode})
    put(out, *s);
  put(out, c.write_bytecode ? "1" : "0");
  put(out, std::to_string(c.optimization_level));
  put(out, c.read_through ? "1" : "0");
  put(out, std::to_string(c.environment_after_init.size()));
  for (const auto& [name, value] : c.environment_after_init) {
    put(out, name);
    put(out, value ? "1" + *value : "0");
  }
  return out;
}

std::optional<embed::InterpreterConfig> decode_handoff(std::string_view in) {
  if (!in.starts_with("1;")) return std::nullopt;
  in.remove_prefix(2);
  embed::InterpreterConfig c;
  for (std::string* s : {&c.executable, &c.base_executable, &c.home, &c.prefix, &c.exec_prefix, &c.pycache_prefix,
                         &c.check_hash_pycs_mode})
    if (!take(in, *s)) return std::nullopt;
  std::string write, level, through, count;
  if (!take(in, write) || !take(in, level) || !take(in, through) || !take(in, count)) return std::nullopt;
  c.write_bytecode = write == "1";
  c.read_through = through == "1";
  if (level.size() != 1 || level[0] < '0' || level[0] > '2') return std::nullopt;
  c.optimization_level = level[0] - '0';
  std::size_t n = 0;
  if (std::from_chars(count.data(), count.data() + count.size(), n).ec != std::errc() || n > 64) return std::nullopt;
  for (std::size_t i = 0; i < n; ++i) {
    std::string name, value;
    if (!take(in, name) || !take(in, value) || value.empty()) return std::nullopt;
    c.environment_after_init.emplace_back(name,
                                          value[0] == '1' ? std::optional<std::string>(value.substr(1)) : std::nullopt);
  }
  if (!in.empty()) return std::nullopt;
  return c;
}

int hand_off(const runtime::Runtime& rt, const embed::InterpreterConfig& config) {
  const std::string program = runtime::program_path(rt)->native();
  setenv(kHandoffVariable, encode_handoff(config).c_str(), 1);
  std::vector<char*> argv;
  for (const auto& a : config.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(program.c_str(), argv.data());
  const int e = errno;
  unsetenv(kHandoffVariable);
  log().error("cannot start the Python {} runtime '{}': {}", rt.name, printable(program), std::strerror(e));
  return kExitEnvironment;
}

}  // namespace pycache
