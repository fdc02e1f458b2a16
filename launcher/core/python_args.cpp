#include "pycache/python_args.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "pycache/paths.hpp"

namespace pycache {
namespace {
constexpr std::array<std::string_view, 6> kLongOptions{
    "--check-hash-based-pycs", "--help", "--version", "--help-env", "--help-xoptions", "--help-all"};
}

bool is_python_long_option(std::string_view arg) {
  return std::find(kLongOptions.begin(), kLongOptions.end(), arg) != kLongOptions.end();
}

PythonArgs scan_python_args(std::span<const std::string> args) {
  PythonArgs out;
  auto take_x_option = [&](std::string_view x) {
    constexpr std::string_view kPrefix = "pycache_prefix=";
    if (x.starts_with(kPrefix)) out.pycache_prefix = std::string(x.substr(kPrefix.size()));
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--") {
      if (i + 1 < args.size()) {
        out.target = args[i + 1] == "-" ? PythonTarget::Stdin : PythonTarget::Script;
        out.target_value = args[i + 1];
      }
      return out;
    }
    if (arg.starts_with("--")) {
      if (arg == "--check-hash-based-pycs") {
        if (i + 1 < args.size()) out.check_hash_pycs = args[++i];
      } else if (arg == "--help" || arg == "--version" || arg.starts_with("--help-")) {
        out.target = PythonTarget::InfoOnly;
      }
      continue;  // anything else: CPython reports it
    }
    if (arg.size() < 2 || arg[0] != '-') {
      out.target = arg == "-" ? PythonTarget::Stdin : PythonTarget::Script;
      out.target_value = std::string(arg);
      return out;
    }
    // A cluster of short options: -BOO, -Wdefault, -cCMD, -X opt.
    for (std::size_t k = 1; k < arg.size(); ++k) {
      char c = arg[k];
      if (c == 'c' || c == 'm' || c == 'W' || c == 'X') {
        std::string value;
        if (k + 1 < arg.size()) value = std::string(arg.substr(k + 1));
        else if (i + 1 < args.size()) value = args[++i];
        else return out;  // CPython reports the missing argument
        if (c == 'c') {
          if (out.target != PythonTarget::InfoOnly) out.target = PythonTarget::Command;
          return out;
        }
        if (c == 'm') {
          if (out.target != PythonTarget::InfoOnly) out.target = PythonTarget::Module;
          out.target_value = value;
          return out;
        }
        if (c == 'X') take_x_option(value);
        break;
      }
      switch (c) {
        case 'B': out.dont_write_bytecode = true; break;
        case 'O': ++out.optimize; break;
        case 'E': out.ignore_environment = true; break;
        case 'I': out.isolated = out.ignore_environment = true; break;
        case 'h':
        case '?':
        case 'V': out.target = PythonTarget::InfoOnly; break;
        default: break;
      }
    }
  }
  return out;
}

Layer python_options_layer(const PythonArgs& args, const fs::path& cwd) {
  Layer layer;
  if (args.dont_write_bytecode) layer.set(Key::WriteBytecode, false, Origin{Source::CommandLine, "-B"});
  if (args.optimize > 0)
    layer.set(Key::Optimize, std::int64_t{std::min(args.optimize, 2)},
              Origin{Source::CommandLine, args.optimize == 1 ? "-O" : "-OO"});
  if (args.pycache_prefix)
    layer.set(Key::CachePrefix,
              args.pycache_prefix->empty() ? std::string() : absolute_from(*args.pycache_prefix, cwd).native(),
              Origin{Source::CommandLine, "-X pycache_prefix"});
  if (args.check_hash_pycs) {
    if (auto v = normalize_value(Key::CheckHashBasedPycs, *args.check_hash_pycs, cwd))
      layer.set(Key::CheckHashBasedPycs, std::move(*v), Origin{Source::CommandLine, "--check-hash-based-pycs"});
  }
  return layer;
}

}  // namespace pycache
