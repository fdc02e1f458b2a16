#include "pycache/runtime.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <tuple>
#include <vector>

#include "pycache/embed.hpp"
#include "pycache/paths.hpp"

namespace pycache::runtime {
namespace {

#include "pycache/runtimes.inc"  // kRuntimes

}  // namespace

std::string Runtime::program() const { return "pycache-python" + std::string(name); }

PythonInstall Runtime::install() const {
  return {std::string(prefix),   std::string(stdlib),        std::string(exec_prefix), std::string(lib_name),
          std::string(zip_name), std::string(sysconfigdata), sysconfigdata_size};
}

std::span<const Runtime> all() { return kRuntimes; }

const Runtime* self() {
  if (kRuntimes.empty()) return nullptr;
  return &kRuntimes[embed::runtime_index()];
}

bool is_self(const Runtime& r) { return embed::has_builtin_runtime() && &r == self(); }

const Runtime* find(std::string_view request) {
  for (const auto& r : kRuntimes)
    if (r.name == request || r.version == request) return &r;
  return nullptr;
}

std::optional<fs::path> program_path(const Runtime& r) {
  const fs::path& me = self_exe();
  if (is_self(r)) return me;
  fs::path sibling = me.parent_path() / r.program();
  if (::access(sibling.c_str(), X_OK) != 0) return std::nullopt;
  return sibling;
}

std::string available_names() {
  std::vector<const Runtime*> present;
  for (const auto& r : kRuntimes)
    if (program_path(r)) present.push_back(&r);
  auto key = [](const Runtime* r) {
    int major = 0, minor = 0;
    auto dot = r->major_minor.find('.');
    std::from_chars(r->major_minor.data(), r->major_minor.data() + dot, major);
    std::from_chars(r->major_minor.data() + dot + 1, r->major_minor.data() + r->major_minor.size(), minor);
    return std::tuple(major, minor, r->free_threaded);
  };
  std::sort(present.begin(), present.end(), [&](auto* a, auto* b) { return key(a) < key(b); });
  std::string out;
  for (std::size_t i = 0; i < present.size(); ++i) {
    if (i > 0) out += i + 1 == present.size() ? " and " : ", ";
    out += present[i]->name;
  }
  return out;
}

}  // namespace pycache::runtime
