#include "pycache/getpath.hpp"

#include <sys/stat.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "pycache/paths.hpp"

namespace pycache {
namespace {

bool present(const std::string& p, bool directory = false) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && (!directory || S_ISDIR(st.st_mode));
}

// getpath's search: from `dir` up to (not into) "/", the first directory
// holding one of `landmarks`; empty when none does.
fs::path search_up(const fs::path& dir, std::initializer_list<std::string> landmarks, bool directory) {
  // has_relative_path: d is not "/" (nor empty), as d != d.root_path() says, with no path made.
  for (fs::path d = dir; d.has_relative_path(); d = d.parent_path()) {
    for (const std::string& l : landmarks)
      if (present(joined_path(d.native(), l), directory)) return d;
  }
  return {};
}

}  // namespace

PathInputs path_inputs(const PythonInstall& in, const fs::path& dir, bool python_home_applies) {
  PathInputs out;
  if (python_home_applies) return out;
  if (present(joined_path(dir.native(), "pybuilddir.txt")) ||
      present(joined_path(dir.native(), "Modules/Setup.local"))) {
    out.home = in.home.native();
    return out;
  }
  const std::string lib = "lib/" + in.lib_name;
  // The same build: its prefix is ours, or it holds our sysconfigdata, byte for byte in size.
  auto ours = [&](const fs::path& found) {
    if (found.empty()) return false;
    if (found == in.home || found == in.exec_prefix) return true;
    struct stat st {};
    return in.sysconfigdata_size != 0 &&
           ::stat(joined_path(found.native(), lib + "/" + in.sysconfigdata).c_str(), &st) == 0 &&
           static_cast<std::uint64_t>(st.st_size) == in.sysconfigdata_size;
  };
  fs::path prefix = search_up(dir, {"lib/" + in.zip_name}, false);
  if (prefix.empty()) prefix = search_up(dir, {lib + "/os.py", lib + "/os.pyc"}, false);
  out.prefix = ours(prefix) ? prefix.native() : in.home.native();
  fs::path exec_prefix = search_up(dir, {lib + "/lib-dynload"}, true);
  out.exec_prefix = ours(exec_prefix) ? exec_prefix.native() : in.exec_prefix.native();
  return out;
}

}  // namespace pycache
