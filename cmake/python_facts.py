# Prints KEY=VALUE facts about the interpreter running it, for cmake/Python.cmake:
# what pycache needs to embed it (headers, libpython, how its own binary links
# it) and to run its code where it lies (prefix, standard library, getpath's
# landmarks, the bytecode it reads).
import importlib.util
import os
import sys
import sysconfig


def fact(key, value):
    print(f"{key}={value}")


def var(name):
    return sysconfig.get_config_var(name) or ""


free_threaded = "t" in getattr(sys, "abiflags", "")
t = "t" if free_threaded else ""
fact("IMPLEMENTATION", sys.implementation.name)
fact("VERSION", "%d.%d.%d" % sys.version_info[:3])
fact("MAJOR_MINOR", "%d.%d" % sys.version_info[:2])
fact("NAME", "%d.%d%s" % (sys.version_info[0], sys.version_info[1], t))  # pycache-python3.13t
fact("HEXVERSION", sys.hexversion)
fact("FREE_THREADED", "true" if free_threaded else "false")
fact("ABIFLAGS", getattr(sys, "abiflags", ""))
fact("CACHE_TAG", sys.implementation.cache_tag)
fact("MAGIC", int.from_bytes(importlib.util.MAGIC_NUMBER[:2], "little"))
fact("PREFIX", sys.base_prefix)
fact("EXEC_PREFIX", sys.base_exec_prefix)
fact("STDLIB", sysconfig.get_path("stdlib"))
fact("INCLUDE", sysconfig.get_path("include") or var("INCLUDEPY"))
fact("LIBPL", var("LIBPL"))
fact("LIBRARY", var("LIBRARY"))      # libpython3.X.a, in LIBPL
fact("LIBDIR", var("LIBDIR"))
fact("LDLIBRARY", var("LDLIBRARY"))  # libpython3.X.so (or the .a when not shared)
fact("SHARED", var("Py_ENABLE_SHARED") or 0)
libs = " ".join(filter(None, (var(k) for k in ("LIBS", "MODLIBS", "SYSLIBS"))))
fact("SYSLIBS", " ".join(dict.fromkeys(a for a in libs.split() if a.startswith("-l"))))
with open("/proc/self/maps") as maps:
    fact("MAPS_LIBPYTHON", int(any("libpython" in line for line in maps)))
# The interpreter's own binary as it was at build time: a static link freezes
# the C core, and a changed binary (an upgrade) says the core on disk moved on.
real = os.path.realpath(sys.executable)
st = os.stat(real)
fact("EXECUTABLE_REAL", real)
fact("EXECUTABLE_MTIME", int(st.st_mtime))
fact("EXECUTABLE_SIZE", st.st_size)
fact("BUILD_VERSION", sys.version.replace("\n", " ").replace('"', "'"))
# What getpath looks for from an executable's directory, and a file telling
# this build from another of the same version (its configure shows in the size).
fact("LIB_NAME", "python%d.%d%s" % (sys.version_info[0], sys.version_info[1], t))
fact("ZIP_NAME", "python%d%d%s.zip" % (sys.version_info[0], sys.version_info[1], t))
scd = sysconfig._get_sysconfigdata_name() + ".py"
fact("SYSCONFIGDATA", scd)
try:
    fact("SYSCONFIGDATA_SIZE", os.path.getsize(os.path.join(sysconfig.get_path("stdlib"), scd)))
except OSError:
    fact("SYSCONFIGDATA_SIZE", 0)
