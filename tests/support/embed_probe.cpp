// embed_probe [--modules DIR] [--read-through] INTERPRETER [PYTHON-ARGS...]: runs python as
// INTERPRETER would, through its embedding module (embed_module.hpp) rather
// than a runtime program: the interpreter described without starting it
// (interpreters::inspect), its libpython and module loaded, the path inputs
// getpath.cpp computes for its install. The bytecode settings are python's
// own (its options, then PYTHON* unless -E/-I), as the policy is not part of
// this; --read-through installs the read-through hook (with a prefix).
// embed_probe [--modules DIR] --tool INTERPRETER SOURCE PYC: the tool
// interpreter through the module instead: its magic number, SOURCE's hash
// and marshalled code (hex), the error compiling "def (:", PYC disassembled.
// Links no libpython: the test that the whole path works without one.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "pycache/embed_module.hpp"
#include "pycache/getpath.hpp"
#include "pycache/interpreters.hpp"
#include "pycache/python_args.hpp"

namespace {

using namespace pycache;

int fail(const std::string& message, int code) {
  std::fprintf(stderr, "pycache: error: %s\n", message.c_str());
  return code;
}

const char* env_value(const PythonArgs& scanned, const char* name) {
  const char* v = scanned.ignore_environment ? nullptr : std::getenv(name);
  return v && *v ? v : nullptr;
}

embed::InterpreterConfig config_of(const interpreters::Interpreter& in, std::vector<std::string> argv) {
  embed::InterpreterConfig c;
  const PythonArgs scanned = scan_python_args(std::span<const std::string>(argv).subspan(1));
  PathInputs paths =
      path_inputs(interpreters::install_of(in), in.real.parent_path(), env_value(scanned, "PYTHONHOME") != nullptr);
  c.home = paths.home;
  c.prefix = paths.prefix;
  c.exec_prefix = paths.exec_prefix;
  c.executable = in.path.native();
  c.argv = std::move(argv);
  c.write_bytecode = !scanned.dont_write_bytecode && !env_value(scanned, "PYTHONDONTWRITEBYTECODE");
  c.optimization_level = scanned.optimize;  // PYTHONOPTIMIZE: CPython raises it again
  if (scanned.pycache_prefix) c.pycache_prefix = *scanned.pycache_prefix;
  else if (const char* p = env_value(scanned, "PYTHONPYCACHEPREFIX")) c.pycache_prefix = p;
  if (scanned.check_hash_pycs) c.check_hash_pycs_mode = *scanned.check_hash_pycs;
  return c;
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::string read_all(const fs::path& file) {
  std::string out;
  if (FILE* f = std::fopen(file.c_str(), "rb")) {
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
    std::fclose(f);
  }
  return out;
}

int tool(const embed_module::Module& module, const interpreters::Interpreter& in, const fs::path& source,
         const fs::path& pyc) {
  if (auto failed = embed_module::start_tool_runtime(module, in.prefix)) return fail(failed->message, failed->code);
  const std::string text = read_all(source);
  const auto h = embed_module::source_hash(module, text);
  std::printf("magic %u\nhash %s\n", embed_module::magic_number(module),
              hex(std::string_view(reinterpret_cast<const char*>(h.data()), h.size())).c_str());
  const embed::CompileOutcome good = embed_module::compile_source(module, text, source.native(), 0);
  std::printf("code %s\n", good.ok ? hex(good.code).c_str() : good.message.c_str());
  const embed::CompileOutcome bad = embed_module::compile_source(module, "def (:\n", "bad.py", 0);
  std::printf("error %s %d %d %s\n", bad.error_type.c_str(), bad.line, bad.column, bad.message.c_str());
  auto dis = embed_module::disassemble(module, read_all(pyc));
  if (!dis) return fail(dis.error().message, dis.error().code);
  std::fputs(dis->c_str(), stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  fs::path modules = embed_module::default_modules_dir();
  bool read_through = false, tool_mode = false;
  for (;;) {
    if (args.size() >= 2 && args[0] == "--modules") {
      modules = args[1];
      args.erase(args.begin(), args.begin() + 2);
    } else if (!args.empty() && args[0] == "--read-through") {
      read_through = true;
      args.erase(args.begin());
    } else if (!args.empty() && args[0] == "--tool") {
      tool_mode = true;
      args.erase(args.begin());
    } else {
      break;
    }
  }
  if (args.empty())
    return fail("usage: embed_probe [--modules DIR] [--read-through] INTERPRETER [PYTHON-ARGS...]", kExitUsage);
  const Trust trust = Trust::current();
  auto in = interpreters::inspect(args[0], trust, nullptr);
  if (!in) return fail(in.error().message, in.error().code);
  auto module = embed_module::load(*in, modules, trust);
  if (!module) return fail(module.error().message, module.error().code);
  if (tool_mode)
    return args.size() == 3 ? tool(*module, *in, args[1], args[2]) : fail("--tool: SOURCE PYC", kExitUsage);
  embed::InterpreterConfig config = config_of(*in, std::move(args));
  config.read_through = read_through;
  return embed_module::run_python(*module, config);
}
