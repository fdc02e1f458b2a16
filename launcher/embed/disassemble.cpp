// show --dis: marshal.loads + dis.dis, by the embedded interpreter itself.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <fmt/format.h>

#include "pycache/embed.hpp"

namespace pycache::embed {
namespace {

// "EOFError: marshal data too short" for the pending exception, cleared.
std::string take_exception() {
  PyObject *type = nullptr, *value = nullptr, *trace = nullptr;
  PyErr_Fetch(&type, &value, &trace);
  PyErr_NormalizeException(&type, &value, &trace);
  std::string out = "unknown error";
  if (type) {
    PyObject* name = PyObject_GetAttrString(type, "__name__");
    PyObject* text = value ? PyObject_Str(value) : nullptr;
    const char* n = name ? PyUnicode_AsUTF8(name) : nullptr;
    const char* t = text ? PyUnicode_AsUTF8(text) : nullptr;
    out = n ? n : "error";
    if (t && *t) out += fmt::format(": {}", t);
    Py_XDECREF(name);
    Py_XDECREF(text);
  }
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(trace);
  PyErr_Clear();
  return out;
}

struct Ref {  // owns one reference
  PyObject* p = nullptr;
  explicit Ref(PyObject* o) : p(o) {}
  ~Ref() { Py_XDECREF(p); }
  Ref(const Ref&) = delete;
  Ref& operator=(const Ref&) = delete;
  explicit operator bool() const { return p != nullptr; }
};

}  // namespace

Result<std::string> disassemble(std::string_view pyc) {
  if (pyc.size() < 16) return Error{"truncated pyc: no code object after the header", kExitFailure};
  const unsigned magic = static_cast<unsigned char>(pyc[0]) | static_cast<unsigned char>(pyc[1]) << 8;
  if (magic != magic_number())
    return Error{fmt::format("magic number {} is not the embedded Python {}'s ({}): it can't disassemble this pyc",
                             magic, runtime_version(), magic_number()),
                 kExitFailure};
  Ref marshal(PyImport_ImportModule("marshal"));
  Ref dis(marshal ? PyImport_ImportModule("dis") : nullptr);
  Ref io(dis ? PyImport_ImportModule("io") : nullptr);
  if (!io)
    return Error{"the embedded interpreter can't import marshal, dis and io: " + take_exception(), kExitEnvironment};

  Ref data(PyBytes_FromStringAndSize(pyc.data() + 16, static_cast<Py_ssize_t>(pyc.size() - 16)));
  Ref code(data ? PyObject_CallMethod(marshal.p, "loads", "O", data.p) : nullptr);
  if (!code) return Error{"could not load the code object: " + take_exception(), kExitFailure};
  if (!PyCode_Check(code.p))
    return Error{
        fmt::format("the pyc holds an object of type {} where a code object belongs", Py_TYPE(code.p)->tp_name),
        kExitFailure};

  Ref buffer(PyObject_CallMethod(io.p, "StringIO", nullptr));
  Ref fn(buffer ? PyObject_GetAttrString(dis.p, "dis") : nullptr);
  Ref args(fn ? PyTuple_Pack(1, code.p) : nullptr);
  Ref kwargs(args ? Py_BuildValue("{s:O}", "file", buffer.p) : nullptr);
  Ref done(kwargs ? PyObject_Call(fn.p, args.p, kwargs.p) : nullptr);
  if (!done) return Error{"could not disassemble the code object: " + take_exception(), kExitFailure};
  Ref text(PyObject_CallMethod(buffer.p, "getvalue", nullptr));
  Py_ssize_t size = 0;
  const char* utf8 = text ? PyUnicode_AsUTF8AndSize(text.p, &size) : nullptr;
  if (!utf8) return Error{"could not read the disassembly: " + take_exception(), kExitFailure};
  return std::string(utf8, static_cast<std::size_t>(size));
}

}  // namespace pycache::embed
