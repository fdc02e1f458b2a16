// The interpreter pycache's own commands use (compile, show).
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <fmt/format.h>

#include <cstring>

#include "embed_internal.hpp"

namespace pycache::embed {

std::optional<Error> start_tool_runtime_at(const char* home) {
  if (Py_IsInitialized()) return std::nullopt;
  PyConfig config;
  PyConfig_InitIsolatedConfig(&config);
  config.site_import = 0;
  config.write_bytecode = 0;
  config.install_signal_handlers = 0;
  config.parse_argv = 0;
  auto check = [&](PyStatus s) -> bool { return !PyStatus_Exception(s); };
  bool ok = (!home || !*home || check(PyConfig_SetBytesString(&config, &config.home, home))) &&
            check(PyConfig_SetBytesString(&config, &config.program_name, "pycache"));
  PyStatus status = ok ? Py_InitializeFromConfig(&config) : PyStatus_Error("could not configure");
  PyConfig_Clear(&config);
  if (PyStatus_Exception(status))
    return Error{fmt::format("the embedded Python {} could not start: {}", runtime_version(),
                             status.err_msg ? status.err_msg : "unknown error"),
                 kExitEnvironment};
  return std::nullopt;
}

std::array<std::uint8_t, 8> source_hash(std::string_view source) {
  std::array<std::uint8_t, 8> out{};
  // Looked up once: a no-op checked-hash run calls this for every source.
  static PyObject* fn = [] {
    PyObject* imp = PyImport_ImportModule("_imp");
    PyObject* f = imp ? PyObject_GetAttrString(imp, "source_hash") : nullptr;
    Py_XDECREF(imp);
    if (!f) PyErr_Clear();
    return f;
  }();
  // importlib.util.source_hash keys the hash with the raw 4-byte magic.
  static PyObject* key = PyLong_FromLong(PyImport_GetMagicNumber());
  PyObject* data = PyBytes_FromStringAndSize(source.data(), static_cast<Py_ssize_t>(source.size()));
  PyObject* result = fn && key && data ? PyObject_CallFunctionObjArgs(fn, key, data, nullptr) : nullptr;
  if (result && PyBytes_Check(result) && PyBytes_GET_SIZE(result) == 8)
    std::memcpy(out.data(), PyBytes_AS_STRING(result), 8);
  else PyErr_Clear();
  Py_XDECREF(result);
  Py_XDECREF(data);
  return out;
}

std::uint16_t magic_number() { return static_cast<std::uint16_t>(PyImport_GetMagicNumber() & 0xffff); }

}  // namespace pycache::embed
