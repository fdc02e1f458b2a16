# The interpreter pycache embeds. By default the system one (/usr/bin/python3,
# whose python3-* Debian packages the tests use); PYCACHE_PYTHON picks another
# (e.g. a pyenv build) for the version matrix.
set(PYCACHE_PYTHON "/usr/bin/python3" CACHE FILEPATH "Python interpreter whose libpython pycache embeds")
set(PYCACHE_PYTHON_LINK "AUTO" CACHE STRING "How to link libpython: AUTO (as the interpreter's own python does), STATIC or SHARED")
set_property(CACHE PYCACHE_PYTHON_LINK PROPERTY STRINGS AUTO STATIC SHARED)

if(NOT EXISTS "${PYCACHE_PYTHON}")
  message(FATAL_ERROR "PYCACHE_PYTHON: no interpreter at '${PYCACHE_PYTHON}'")
endif()
set(Python3_EXECUTABLE "${PYCACHE_PYTHON}")
find_package(Python3 3.8 REQUIRED COMPONENTS Interpreter Development.Embed)

# Facts about the target interpreter, baked into the binary (build_config.hpp)
# and handed to the tests, so that both compare against the very same python.
execute_process(
  COMMAND "${Python3_EXECUTABLE}" -I -S "${CMAKE_CURRENT_LIST_DIR}/python_facts.py"
  OUTPUT_VARIABLE _facts RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "could not query ${Python3_EXECUTABLE} (cmake/python_facts.py failed)")
endif()
string(REGEX MATCHALL "[^\n]+" _lines "${_facts}")
foreach(_line IN LISTS _lines)
  if(_line MATCHES "^([A-Z_]+)=(.*)$")
    set(PYTHON_FACT_${CMAKE_MATCH_1} "${CMAKE_MATCH_2}")
  endif()
endforeach()

# AUTO links libpython the way the interpreter's own python binary does:
# Debian's /usr/bin/python3 is a static, non-PIE executable, pyenv's links
# libpythonX.Y.so. Anything else costs start-up time against that python.
set(_link "${PYCACHE_PYTHON_LINK}")
if(_link STREQUAL "AUTO")
  if(PYTHON_FACT_MAPS_LIBPYTHON STREQUAL "0" AND EXISTS "${PYTHON_FACT_LIBPL}/${PYTHON_FACT_LIBRARY}")
    set(_link STATIC)
  else()
    set(_link SHARED)
  endif()
endif()
set(PYCACHE_PYTHON_LINK_RESOLVED "${_link}")
if(PYTHON_FACT_ABIFLAGS MATCHES "t")
  set(PYCACHE_PYTHON_FREE_THREADED true)
else()
  set(PYCACHE_PYTHON_FREE_THREADED false)
endif()

add_library(pycache_python INTERFACE)
target_include_directories(pycache_python SYSTEM INTERFACE ${Python3_INCLUDE_DIRS})
if(_link STREQUAL "STATIC")
  separate_arguments(_syslibs UNIX_COMMAND "${PYTHON_FACT_SYSLIBS}")
  target_link_libraries(pycache_python INTERFACE "${PYTHON_FACT_LIBPL}/${PYTHON_FACT_LIBRARY}" ${_syslibs})
  set(PYCACHE_NEEDS_NO_PIE ON)
else()
  target_link_libraries(pycache_python INTERFACE Python3::Python)
  set(PYCACHE_NEEDS_NO_PIE OFF)
endif()

message(STATUS "pycache embeds ${Python3_EXECUTABLE} (Python ${PYTHON_FACT_VERSION}, ${PYTHON_FACT_CACHE_TAG}), linked ${_link}, home ${PYTHON_FACT_PREFIX}")
