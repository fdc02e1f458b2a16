// The interpreter start-up sequence. See ../shared notes "embedding" for why
// each step is where it is; the comments here say only what would break.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "pycache/embed.hpp"

#include <cstdlib>
#include <cstring>

namespace pycache::embed {
namespace {

// Replaces a wide-string field with a byte string decoded as CPython decodes
// argv (the locale encoding, surrogateescape), or clears it.
PyStatus set_field(PyConfig* config, wchar_t** field, const std::string& value) {
  if (value.empty()) {
    PyMem_RawFree(*field);
    *field = nullptr;
    return PyStatus_Ok();
  }
  return PyConfig_SetBytesString(config, field, value.c_str());
}

[[noreturn]] void fail(PyConfig* config, PyStatus status) {
  PyConfig_Clear(config);
  if (PyStatus_IsExit(status)) std::exit(status.exitcode);
  Py_ExitStatusException(status);
}

// os.environ is a snapshot taken when os is imported (during initialisation
// when site runs): update it through its own methods, which also call
// putenv/unsetenv; without os yet, the C environment is all there is.
void restore_environment(const std::vector<std::pair<std::string, std::optional<std::string>>>& vars) {
  if (vars.empty()) return;
  PyObject* modules = PyImport_GetModuleDict();
  PyObject* os = modules ? PyDict_GetItemString(modules, "os") : nullptr;  // borrowed
  PyObject* environ = os ? PyObject_GetAttrString(os, "environ") : nullptr;
  for (const auto& [name, value] : vars) {
    if (value) setenv(name.c_str(), value->c_str(), 1);
    else unsetenv(name.c_str());
    if (!environ) continue;
    PyObject* key = PyUnicode_DecodeFSDefault(name.c_str());
    PyObject* val = value ? PyUnicode_DecodeFSDefault(value->c_str()) : nullptr;
    if (key && value && val) {
      if (PyObject_SetItem(environ, key, val) < 0) PyErr_Clear();
    } else if (key && !value) {
      PyObject* r = PyObject_CallMethod(environ, "pop", "OO", key, Py_None);
      if (!r) PyErr_Clear();
      Py_XDECREF(r);
    }
    Py_XDECREF(val);
    Py_XDECREF(key);
  }
  Py_XDECREF(environ);
  PyErr_Clear();
}

}  // namespace

int run_python(const InterpreterConfig& cfg) {
  PyConfig config;
  // The python config, not the isolated one: it parses argv, reads the
  // environment, installs the SIGINT handler and sets up stdio as python does.
  PyConfig_InitPythonConfig(&config);

  std::vector<char*> argv;
  argv.reserve(cfg.argv.size() + 1);
  for (const auto& a : cfg.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // First: it pre-initialises from argv, so -X utf8 / -E / -I count.
  PyStatus status = PyConfig_SetBytesArgv(&config, static_cast<Py_ssize_t>(cfg.argv.size()), argv.data());
  if (PyStatus_Exception(status)) fail(&config, status);

  // Path inputs go before PyConfig_Read (3.8 computes paths there).
  status = PyConfig_SetBytesString(&config, &config.program_name, cfg.argv.empty() ? "python" : cfg.argv[0].c_str());
  if (PyStatus_Exception(status)) fail(&config, status);
  status = PyConfig_SetBytesString(&config, &config.executable, cfg.executable.c_str());
  if (PyStatus_Exception(status)) fail(&config, status);
  if (!cfg.base_executable.empty()) {
    status = PyConfig_SetBytesString(&config, &config.base_executable, cfg.base_executable.c_str());
    if (PyStatus_Exception(status)) fail(&config, status);
  }
  if (!cfg.home.empty()) {
    status = PyConfig_SetBytesString(&config, &config.home, cfg.home.c_str());
    if (PyStatus_Exception(status)) fail(&config, status);
  }

  status = PyConfig_Read(&config);
  if (PyStatus_Exception(status)) fail(&config, status);
#if PY_VERSION_HEX < 0x030A0000
  // 3.8/3.9 parse argv again in Py_InitializeFromConfig unless told not to.
  config.parse_argv = 0;
#endif

  // The policy, after the read: set before it, each -O would add to it.
  config.write_bytecode = cfg.write_bytecode ? 1 : 0;
  config.optimization_level = cfg.optimization_level;
  status = set_field(&config, &config.pycache_prefix, cfg.pycache_prefix);
  if (PyStatus_Exception(status)) fail(&config, status);
  status = PyConfig_SetBytesString(&config, &config.check_hash_pycs_mode, cfg.check_hash_pycs_mode.c_str());
  if (PyStatus_Exception(status)) fail(&config, status);

  status = Py_InitializeFromConfig(&config);
  if (PyStatus_Exception(status)) fail(&config, status);
  PyConfig_Clear(&config);
  restore_environment(cfg.environment_after_init);
  return Py_RunMain();
}

std::string runtime_version() {
  const char* v = Py_GetVersion();
  return std::string(v, std::strcspn(v, " "));
}

}  // namespace pycache::embed
