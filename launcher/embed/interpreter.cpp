// The interpreter start-up sequence (ARCHITECTURE.md, "Start-up"): the
// comments say what would break if a step moved.
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <marshal.h>

#include "embed_internal.hpp"

#include <cstdlib>
#include <cstring>
#include <cwchar>
#include <utility>
#include <vector>

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

// The read-through hook (read_through.py, which says what it does), frozen by
// the build with a runtime's interpreter. The frozen code runs when its
// magic number is this libpython's; otherwise (a libpython updated under a
// built pycache, a module given no frozen code) the source is compiled here,
// which is only slower.
void install_read_through(const ReadThroughHook& hook) {
  PyObject* globals = PyDict_New();
  if (!globals) return PyErr_Clear();
  PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins());
  PyObject* code = nullptr;
  if (hook.code && PyImport_GetMagicNumber() == hook.magic) {
    code = PyMarshal_ReadObjectFromString(reinterpret_cast<const char*>(hook.code),
                                          static_cast<Py_ssize_t>(hook.code_size));
  }
  if (!code && hook.source) {
    PyErr_Clear();
    code = Py_CompileString(hook.source, "<pycache read-through>", Py_file_input);
  }
  PyObject* r = code ? PyEval_EvalCode(code, globals, globals) : nullptr;
  if (!r) PyErr_Clear();  // fail open: CPython's own behaviour remains
  Py_XDECREF(r);
  Py_XDECREF(code);
  Py_DECREF(globals);
}

#if PY_VERSION_HEX >= 0x030A0000
bool has_xoption(const PyWideStringList& list, const wchar_t* name) {
  const std::size_t n = std::wcslen(name);
  for (Py_ssize_t i = 0; i < list.length; ++i) {
    const wchar_t* o = list.items[i];
    if (std::wcsncmp(o, name, n) == 0 && (o[n] == L'\0' || o[n] == L'=')) return true;
  }
  return false;
}
#endif

// -X warn_default_encoding (3.10+) survives only on python's own path:
// Py_InitializeFromConfig reads the config a second time, and that read's
// pre-parser takes warn_default_encoding from argv (which it is not given
// once PyConfig_Read has parsed it, parse_argv = 2) or from the environment,
// then stores the answer over the field. So that read gets the -X options
// back, in an argv that holds nothing else it counts and gives the same
// sys.argv: the program name, the -X options, then -c CMD, -m MOD or --, and
// the program's arguments.
PyStatus keep_warn_default_encoding(PyConfig* c) {
#if PY_VERSION_HEX >= 0x030A0000
  if (c->parse_argv != 2 || !has_xoption(c->xoptions, L"warn_default_encoding")) return PyStatus_Ok();
  std::vector<wchar_t*> v;
  v.push_back(c->orig_argv.length ? c->orig_argv.items[0] : const_cast<wchar_t*>(L"python"));
  for (Py_ssize_t i = 0; i < c->xoptions.length; ++i) {
    v.push_back(const_cast<wchar_t*>(L"-X"));
    v.push_back(c->xoptions.items[i]);
  }
  const bool named = c->run_command || c->run_module;
  if (c->run_command) {
    v.push_back(const_cast<wchar_t*>(L"-c"));
    v.push_back(c->run_command);
  } else if (c->run_module) {
    v.push_back(const_cast<wchar_t*>(L"-m"));
    v.push_back(c->run_module);
  }
  const bool bare_stdin = !named && !c->run_filename && c->argv.length == 1 && c->argv.items[0][0] == L'\0';
  if (!bare_stdin) {
    if (!named) v.push_back(const_cast<wchar_t*>(L"--"));
    for (Py_ssize_t i = named ? 1 : 0; i < c->argv.length; ++i) v.push_back(c->argv.items[i]);
  }
  // v points into the lists about to be replaced: copy it first.
  PyWideStringList copy = {0, nullptr};
  PyStatus s = PyConfig_SetWideStringList(c, &copy, static_cast<Py_ssize_t>(v.size()), v.data());
  if (PyStatus_Exception(s)) return s;
  s = PyConfig_SetWideStringList(c, &c->argv, copy.length, copy.items);
  for (Py_ssize_t i = 0; i < copy.length; ++i) PyMem_RawFree(copy.items[i]);
  PyMem_RawFree(copy.items);
  if (PyStatus_Exception(s)) return s;
  s = PyConfig_SetWideStringList(c, &c->xoptions, 0, nullptr);  // the read adds every -X again
  if (PyStatus_Exception(s)) return s;
  c->parse_argv = 1;
#else
  (void)c;
#endif
  return PyStatus_Ok();
}

}  // namespace

int run_python_with(const InterpreterConfig& cfg, const ReadThroughHook& hook) {
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
  // 3.11's getpath.py keeps a preset prefix and exec_prefix and still does
  // the rest (._pth files, venvs); before it, getpath.c is given home.
#if PY_VERSION_HEX >= 0x030B0000
  const std::string& home = cfg.home;
  for (auto [field, value] :
       {std::pair{&config.prefix, &cfg.prefix}, std::pair{&config.exec_prefix, &cfg.exec_prefix}}) {
    if (value->empty()) continue;
    status = PyConfig_SetBytesString(&config, field, value->c_str());
    if (PyStatus_Exception(status)) fail(&config, status);
  }
#else
  const std::string& home = cfg.home.empty() ? cfg.prefix : cfg.home;
#endif
  if (!home.empty()) {
    status = PyConfig_SetBytesString(&config, &config.home, home.c_str());
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

  status = keep_warn_default_encoding(&config);
  if (PyStatus_Exception(status)) fail(&config, status);
  status = Py_InitializeFromConfig(&config);
  if (PyStatus_Exception(status)) fail(&config, status);
  PyConfig_Clear(&config);
  restore_environment(cfg.environment_after_init);
  if (cfg.read_through && !cfg.pycache_prefix.empty()) install_read_through(hook);
  return Py_RunMain();
}

std::string runtime_build() { return Py_GetVersion(); }

std::string runtime_version() {
  const char* v = Py_GetVersion();
  return std::string(v, std::strcspn(v, " "));
}

}  // namespace pycache::embed
