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
