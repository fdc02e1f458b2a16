#pragma once
// A project's main.py that reports which Python ran it: sys.version, the
// prefixes, the libpython it mapped, and the Python of a child started as
// sys.executable. Shared by the install tests (a `cmake --install` of this
// build) and the artifact tests (the wheel, archive and .deb, installed).
#include <sstream>
#include <string>
#include <vector>

namespace pycache::test {

struct Probe {
  std::string version, prefix, base_prefix, libpython, child;
};

inline constexpr const char* kProbe =
    "import subprocess, sys, mod\n"
    "maps = [l.split()[-1] for l in open('/proc/self/maps') if '/libpython3' in l]\n"
    "print(repr(sys.version))\n"
    "print(sys.prefix)\n"
    "print(sys.base_prefix)\n"
    "print(maps[0] if maps else '-')\n"
    "child = subprocess.run([sys.executable, '-c', 'import sys; print(repr(sys.version))'],\n"
    "                       capture_output=True, text=True)\n"
    "print(child.stdout.strip() or child.stderr.strip())\n";

inline Probe parse_probe(const std::string& out) {
  std::vector<std::string> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  lines.resize(5);
  return {lines[0], lines[1], lines[2], lines[3], lines[4]};
}

// The cache tag of Python `minor`: "3.12" -> "cpython-312".
inline std::string tag_of(const std::string& minor) { return "cpython-3" + minor.substr(2); }

}  // namespace pycache::test
