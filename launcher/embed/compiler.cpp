// Source -> marshalled code object, the way importlib's SourceLoader does it.
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <marshal.h>

#include <cstring>

#include "pycache/embed.hpp"

namespace pycache::embed {
namespace {

// A strong reference released at scope exit.
struct Ref {
  PyObject* p = nullptr;
  explicit Ref(PyObject* o) : p(o) {}
  Ref(const Ref&) = delete;
  Ref& operator=(const Ref&) = delete;
  ~Ref() { Py_XDECREF(p); }
  explicit operator bool() const { return p != nullptr; }
};

std::string utf8_of(PyObject* o) {
  if (!o) return {};
  Ref text(PyObject_Str(o));
  if (!text) {
    PyErr_Clear();
    return {};
  }
  Py_ssize_t n = 0;
  // surrogateescape'd bytes of a path come back as the original bytes.
  Ref bytes(PyUnicode_AsEncodedString(text.p, "utf-8", "surrogateescape"));
  if (!bytes) {
    PyErr_Clear();
    const char* s = PyUnicode_AsUTF8AndSize(text.p, &n);
    if (!s) PyErr_Clear();
    return s ? std::string(s, static_cast<std::size_t>(n)) : std::string();
  }
  return std::string(PyBytes_AS_STRING(bytes.p), static_cast<std::size_t>(PyBytes_GET_SIZE(bytes.p)));
}

int int_attr(PyObject* o, const char* name) {
  Ref v(PyObject_GetAttrString(o, name));
  if (!v || !PyLong_Check(v.p)) {
    PyErr_Clear();
    return 0;
  }
  long n = PyLong_AsLong(v.p);
  if (n == -1 && PyErr_Occurred()) PyErr_Clear();
  return n > 0 && n < (1L << 30) ? static_cast<int>(n) : 0;
}

// Takes the pending exception and describes it.
void take_error(CompileOutcome& out) {
#if PY_VERSION_HEX >= 0x030C0000
  Ref exc(PyErr_GetRaisedException());
#else
  PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
  PyErr_Fetch(&type, &value, &tb);
  PyErr_NormalizeException(&type, &value, &tb);
  Py_XDECREF(type);
  Py_XDECREF(tb);
  Ref exc(value);
#endif
  if (!exc) {
    out.error_type = "SystemError";
    out.message = "compile failed without an exception";
    return;
  }
  const char* name = Py_TYPE(exc.p)->tp_name;
  const char* dot = name ? std::strrchr(name, '.') : nullptr;
  out.error_type = dot ? dot + 1 : (name ? name : "Exception");
  if (PyObject_IsInstance(exc.p, PyExc_SyntaxError) == 1) {
    Ref msg(PyObject_GetAttrString(exc.p, "msg"));
    if (!msg) PyErr_Clear();
    out.message = msg && msg.p != Py_None ? utf8_of(msg.p) : utf8_of(exc.p);
    out.line = int_attr(exc.p, "lineno");
    out.column = int_attr(exc.p, "offset");
  } else {
    out.message = utf8_of(exc.p);
  }
  PyErr_Clear();
}

}  // namespace

CompileOutcome compile_source(std::string_view source, const std::string& filename, int optimize) {
  CompileOutcome out;
  // Looked up once: the builtins and marshal never change under us.
  static PyObject* compile_fn = PyDict_GetItemString(PyEval_GetBuiltins(), "compile");
  static PyObject* dumps_fn = [] {
    PyObject* marshal = PyImport_ImportModule("marshal");
    PyObject* fn = marshal ? PyObject_GetAttrString(marshal, "dumps") : nullptr;
    Py_XDECREF(marshal);
    return fn;
  }();
  if (!compile_fn || !dumps_fn) {
    PyErr_Clear();
    out.error_type = "SystemError";
    out.message = "the embedded interpreter has no compile() or marshal.dumps()";
    return out;
  }

  Ref data(PyBytes_FromStringAndSize(source.data(), static_cast<Py_ssize_t>(source.size())));
  // importlib passes the path as str: decoded with the filesystem encoding.
  Ref path(PyUnicode_DecodeFSDefaultAndSize(filename.data(), static_cast<Py_ssize_t>(filename.size())));
  Ref mode(PyUnicode_FromString("exec"));
  Ref args(data && path && mode ? PyTuple_Pack(3, data.p, path.p, mode.p) : nullptr);
  Ref kwargs(PyDict_New());
  Ref level(PyLong_FromLong(optimize));
  if (!args || !kwargs || !level || PyDict_SetItemString(kwargs.p, "dont_inherit", Py_True) != 0 ||
      PyDict_SetItemString(kwargs.p, "optimize", level.p) != 0) {
    take_error(out);
    return out;
  }
  Ref code(PyObject_Call(compile_fn, args.p, kwargs.p));
  if (!code) {
    take_error(out);
    return out;
  }
  // marshal sets a reference flag on every object whose refcount is above 1.
  // In importlib the code object is held by the caller's frame when
  // marshal.dumps sees it; hold a second reference too, so that the first
  // byte of our output is the one import writes.
  Py_INCREF(code.p);
  Ref held(code.p);
  Ref dumped(PyObject_CallFunctionObjArgs(dumps_fn, code.p, nullptr));
  if (!dumped || !PyBytes_Check(dumped.p)) {
    take_error(out);
    return out;
  }
  out.code.assign(PyBytes_AS_STRING(dumped.p), static_cast<std::size_t>(PyBytes_GET_SIZE(dumped.p)));
  out.ok = true;
  return out;
}

}  // namespace pycache::embed
