# Prints KEY=VALUE facts about the interpreter running it, for cmake/Python.cmake.
import importlib.util
import sys
import sysconfig

def fact(key, value):
    print(f"{key}={value}")

fact("VERSION", "%d.%d.%d" % sys.version_info[:3])
fact("MAJOR_MINOR", "%d.%d" % sys.version_info[:2])
fact("CACHE_TAG", sys.implementation.cache_tag)
fact("MAGIC", int.from_bytes(importlib.util.MAGIC_NUMBER[:2], "little"))
fact("PREFIX", sys.base_prefix)
fact("EXEC_PREFIX", sys.base_exec_prefix)
fact("STDLIB", sysconfig.get_path("stdlib"))
fact("LIBPL", sysconfig.get_config_var("LIBPL") or "")
fact("LIBRARY", sysconfig.get_config_var("LIBRARY") or "")
libs = " ".join(filter(None, (sysconfig.get_config_var(k) for k in ("LIBS", "MODLIBS", "SYSLIBS"))))
fact("SYSLIBS", " ".join(dict.fromkeys(a for a in libs.split() if a.startswith("-l"))))
fact("ABIFLAGS", getattr(sys, "abiflags", ""))
with open("/proc/self/maps") as maps:
    fact("MAPS_LIBPYTHON", int(any("libpython" in line for line in maps)))
# The interpreter's own binary as it was at build time: a static link freezes
# the C core, and a changed binary (an upgrade) says the core on disk moved on.
import os
_exe = os.stat(os.path.realpath(sys.executable))
fact("EXECUTABLE_REAL", os.path.realpath(sys.executable))
fact("EXECUTABLE_MTIME", int(_exe.st_mtime))
fact("EXECUTABLE_SIZE", _exe.st_size)
fact("BUILD_VERSION", sys.version.replace("\n", " "))
# What getpath looks for from an executable's directory, and a file telling
# this build from another of the same version (its configure shows in the size).
_lib = "python%d.%d%s" % (sys.version_info[0], sys.version_info[1], "t" if "t" in getattr(sys, "abiflags", "") else "")
fact("LIB_NAME", _lib)
fact("ZIP_NAME", "python%d%d%s.zip" % (sys.version_info[0], sys.version_info[1], "t" if "t" in getattr(sys, "abiflags", "") else ""))
_scd = sysconfig._get_sysconfigdata_name() + ".py"
fact("SYSCONFIGDATA", _scd)
try:
    fact("SYSCONFIGDATA_SIZE", os.path.getsize(os.path.join(sysconfig.get_path("stdlib"), _scd)))
except OSError:
    fact("SYSCONFIGDATA_SIZE", 0)
