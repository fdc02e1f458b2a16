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

// compile() under warnings.catch_warnings(record=True): the filters decide
// as they would, and what they let through comes back instead of going to
// stderr under the absolute co_filename. The warnings are returned as
// (category, message, line) triples, so that nothing of them is alive when
// marshal counts references (see compile_source).
constexpr const char* kCompileRecording = R"PY(
def compile_recording(source, filename, level):
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        code = compile(source, filename, 'exec', dont_inherit=True, optimize=level)
    return code, [(w.category.__name__, str(w.message), w.lineno or 0) for w in caught]
)PY";

PyObject* make_compile_recording() {
  Ref globals(PyDict_New());
  if (!globals || PyDict_SetItemString(globals.p, "__builtins__", PyEval_GetBuiltins()) != 0) return nullptr;
  Ref done(PyRun_String(kCompileRecording, Py_file_input, globals.p, globals.p));
  if (!done) return nullptr;
  PyObject* fn = PyDict_GetItemString(globals.p, "compile_recording");
  Py_XINCREF(fn);
  return fn;
}

// The (category, message, line) triples of compile_recording's list.
void take_warnings(PyObject* list, CompileOutcome& out) {
  if (!list || !PyList_Check(list)) return;
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); ++i) {
    PyObject* w = PyList_GET_ITEM(list, i);
    if (!PyTuple_Check(w) || PyTuple_GET_SIZE(w) != 3) continue;
    long line = PyLong_AsLong(PyTuple_GET_ITEM(w, 2));
    if (line == -1 && PyErr_Occurred()) PyErr_Clear();
    out.warnings.push_back(CompileWarning{utf8_of(PyTuple_GET_ITEM(w, 0)), utf8_of(PyTuple_GET_ITEM(w, 1)),
                                          line > 0 && line < (1L << 30) ? static_cast<int>(line) : 0});
  }
}

}  // namespace

CompileOutcome compile_source(std::string_view source, const std::string& filename, int optimize) {
  CompileOutcome out;
  // Looked up once: the builtins and marshal never change under us.
  static PyObject* compile_fn = make_compile_recording();
  static PyObject* dumps_fn = [] {
    PyObject* marshal = PyImport_ImportModule("marshal");
    PyObject* fn = marshal ? PyObject_GetAttrString(marshal, "dumps") : nullptr;
    Py_XDECREF(marshal);
    return fn;
  }();
  if (!compile_fn || !dumps_fn) {
    PyErr_Clear();
    out.error_type = "SystemError";
    out.message = "the embedded interpreter has no compile(), warnings or marshal.dumps()";
    return out;
  }

  Ref data(PyBytes_FromStringAndSize(source.data(), static_cast<Py_ssize_t>(source.size())));
  // importlib passes the path as str: decoded with the filesystem encoding.
  Ref path(PyUnicode_DecodeFSDefaultAndSize(filename.data(), static_cast<Py_ssize_t>(filename.size())));
  Ref level(PyLong_FromLong(optimize));
  Ref args(data && path && level ? PyTuple_Pack(3, data.p, path.p, level.p) : nullptr);
  Ref result(args ? PyObject_Call(compile_fn, args.p, nullptr) : nullptr);
  if (!result || !PyTuple_Check(result.p) || PyTuple_GET_SIZE(result.p) != 2) {
    take_error(out);
    return out;
  }
  take_warnings(PyTuple_GET_ITEM(result.p, 1), out);
  // The code object alone from here, with one reference, as compile() returned it.
  Ref code(PyTuple_GET_ITEM(result.p, 0));
  Py_INCREF(code.p);
  Py_DECREF(result.p);
  result.p = nullptr;
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
