#include "pycache/paths.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>

namespace pycache {

fs::path home_dir() {
  if (const char* home = std::getenv("HOME"); home && *home) return home;
  if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir) return pw->pw_dir;
  return {};
}

fs::path expand_user(const fs::path& p) {
  const std::string& s = p.native();
  if (s == "~") return home_dir();
  if (s.starts_with("~/")) return home_dir() / s.substr(2);
  return p;
}

fs::path absolute_from(const fs::path& p, const fs::path& base) {
  fs::path joined = p.is_absolute() ? p : base / p;
  fs::path normal = joined.lexically_normal();
  // lexically_normal keeps a trailing separator ("a/b/"); CPython does not.
  std::string s = normal.native();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

fs::path current_dir() {
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  return ec ? fs::path("/") : cwd;
}

fs::path self_exe() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe;
}

std::optional<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return std::nullopt;
  return data;
}

}  // namespace pycache
