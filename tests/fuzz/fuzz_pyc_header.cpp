// libFuzzer target for the pyc header parser (and the cache-name parser, on
// the same bytes as a file name). Build: cmake -DPYCACHE_FUZZ=ON with clang
// (CONTRIBUTING.md, "Fuzzing"). Besides memory errors (ASan/UBSan), it traps when:
//  - an error message is empty or spans lines (errors must be one line);
//  - a PEP 552 header does not survive format_header + parse_header;
//  - a parsed cache name, rebuilt by cache_from_source, does not parse back
//    to the same module, tag and level (".opt-03" is accepted, as importlib
//    accepts it, and rebuilt canonically as ".opt-3").
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "pycache/pyc.hpp"

using namespace pycache::pyc;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  auto header = parse_header(bytes);
  if (!header) {
    const std::string& m = header.error().message;
    if (m.empty() || m.find('\n') != std::string::npos) __builtin_trap();
  } else {
    (void)python_version_for_magic(header->magic);
    (void)to_string(header->mode);
    const bool pep552 = header->magic >= 3390 && header->magic < 20000;
    if (pep552) {
      auto again = parse_header(format_header(*header));
      if (!again || !(*again == *header)) __builtin_trap();
    }
  }

  if (bytes.find('/') == std::string_view::npos && bytes.find('\0') == std::string_view::npos) {
    auto name = parse_cache_name(bytes);
    if (name && name->kind == CacheKind::Pyc) {
      // NAME.TAG[.opt-N].pyc is what cache_from_source writes for NAME.py.
      std::string rebuilt =
          cache_from_source("/d/" + name->module + ".py", name->tag, name->optimize).filename().native();
      auto again = parse_cache_name(rebuilt);
      if (!again || again->kind != CacheKind::Pyc || again->module != name->module || again->tag != name->tag ||
          again->optimize != name->optimize)
        __builtin_trap();
    }
    (void)is_legacy_name(bytes);
  }
  return 0;
}
