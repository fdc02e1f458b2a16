# The interpreters pycache embeds: one runtime (a pycache-pythonX.Y program)
# per interpreter, all from one configure. PYCACHE_PYTHONS is a ;-list of
# interpreters, or `all` for every CPython >= 3.10 found (Debian's
# /usr/bin/python3.X, pyenv's versions, then others on PATH). The first one is
# the default runtime: `pycache` and `pycache-python` are it.
#
# Each runtime links libpython the way its interpreter's own binary does
# (Debian's: static, non-PIE; pyenv's: shared, with a runtime path to its lib/).
# FindPython3 finds one interpreter per configure (its results are cached
# globally), so it checks the default; every runtime's headers and library
# come from its interpreter's own sysconfig (cmake/python_facts.py).
#
# Sets: PYCACHE_RUNTIMES (names: 3.11;3.12;...), and per name N with id I
# (N without the dot): PYCACHE_RUNTIME_<I>_<FACT> and the INTERFACE target
# pycache_python_<I>; PYCACHE_DEFAULT_RUNTIME_ID.
#
# `none` builds no runtime: pycache-embedded and its modules alone, with no
# fact of the build machine's Pythons compiled in. It is what the wheel, the
# archive and the Debian package carry (scripts/package): one program for
# whatever CPython the machine it lands on has (docs/installing.md).
set(PYCACHE_PYTHONS "/usr/bin/python3" CACHE STRING
    "Interpreters to build runtimes for: a ;-list of paths, 'all' for every CPython >= 3.10 found (the first is the default), or 'none'")

# KEY=VALUE facts of `interpreter` into <out>_<KEY> in the caller; <out>_OK false when it can't be queried.
function(pycache_python_facts interpreter out)
  set(${out}_OK FALSE PARENT_SCOPE)
  if(NOT EXISTS "${interpreter}")
    return()
  endif()
  execute_process(
    COMMAND "${interpreter}" -I -S "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/python_facts.py"
    OUTPUT_VARIABLE facts RESULT_VARIABLE rc ERROR_QUIET TIMEOUT 60)
  if(NOT rc EQUAL 0)
    return()
  endif()
  string(REGEX MATCHALL "[^\n]+" lines "${facts}")
  foreach(line IN LISTS lines)
    if(line MATCHES "^([A-Z_]+)=(.*)$")
      set(${out}_${CMAKE_MATCH_1} "${CMAKE_MATCH_2}" PARENT_SCOPE)
    endif()
  endforeach()
  set(${out}_OK TRUE PARENT_SCOPE)
endfunction()

# Every candidate for `all`, in the order that decides which one of a version wins.
function(pycache_all_pythons out)
  file(GLOB system LIST_DIRECTORIES false /usr/bin/python3.*)
  if(DEFINED ENV{PYENV_ROOT})
    set(pyenv_root "$ENV{PYENV_ROOT}")
  else()
    set(pyenv_root "$ENV{HOME}/.pyenv")
  endif()
  file(GLOB pyenv LIST_DIRECTORIES false "${pyenv_root}/versions/*/bin/python3.*")
  list(SORT pyenv COMPARE NATURAL ORDER DESCENDING)  # the newest patch release of each version first
  set(on_path "")
  string(REPLACE ":" ";" path_dirs "$ENV{PATH}")
  foreach(dir IN LISTS path_dirs)
    file(GLOB found LIST_DIRECTORIES false "${dir}/python3.*")
    list(APPEND on_path ${found})
  endforeach()
  set(all "")
  foreach(candidate IN LISTS system pyenv on_path)
    if(candidate MATCHES "/python3\\.[0-9]+t?$")
      list(APPEND all "${candidate}")
    endif()
  endforeach()
  set(${out} "${all}" PARENT_SCOPE)
endfunction()

set(_explicit TRUE)
set(_candidates "${PYCACHE_PYTHONS}")
if(PYCACHE_PYTHONS STREQUAL "none")
  set(_candidates "")
elseif(PYCACHE_PYTHONS STREQUAL "all")
  set(_explicit FALSE)
  pycache_all_pythons(_candidates)
endif()

set(PYCACHE_RUNTIMES "")
set(PYCACHE_RUNTIME_IDS "")
foreach(_python IN LISTS _candidates)
  pycache_python_facts("${_python}" _f)
  set(_why "")
  if(NOT _f_OK)
    set(_why "cannot be run or queried")
  elseif(NOT _f_IMPLEMENTATION STREQUAL "cpython")
    set(_why "is not CPython")
  elseif(_f_HEXVERSION LESS 50987008 AND NOT _explicit)  # 0x030A0000: `all` starts at 3.10
    set(_why "is older than 3.10")
  elseif(_f_HEXVERSION LESS 50855936)  # 0x03080000: PyConfig
    set(_why "is older than 3.8")
  elseif(NOT EXISTS "${_f_INCLUDE}/Python.h")
    set(_why "has no headers (${_f_INCLUDE}/Python.h)")
  endif()
  if(_why STREQUAL "")
    string(REPLACE "." "" _id "${_f_NAME}")
    if(_id IN_LIST PYCACHE_RUNTIME_IDS)
      if(_explicit)
        message(FATAL_ERROR "PYCACHE_PYTHONS: two interpreters for Python ${_f_NAME} (${_python}, ${PYCACHE_RUNTIME_${_id}_INTERPRETER})")
      endif()
      continue()  # `all`: the first one found of each version
    endif()
    # Linked as the interpreter's own binary links it, if that library is there.
    set(_static "${_f_LIBPL}/${_f_LIBRARY}")
    set(_shared "${_f_LIBDIR}/${_f_LDLIBRARY}")
    if(_f_MAPS_LIBPYTHON STREQUAL "0" AND EXISTS "${_static}")
      set(_link static)
      set(_lib "${_static}")
    elseif(_f_SHARED STREQUAL "1" AND EXISTS "${_shared}")
      set(_link shared)
      set(_lib "${_shared}")
    elseif(EXISTS "${_static}")
      set(_link static)
      set(_lib "${_static}")
    else()
      set(_why "has no libpython to embed (neither ${_static} nor ${_shared})")
    endif()
  endif()
  if(NOT _why STREQUAL "")
    if(_explicit)
      message(FATAL_ERROR "PYCACHE_PYTHONS: ${_python} ${_why}")
    endif()
    message(STATUS "pycache: skipping ${_python}: it ${_why}")
    continue()
  endif()
  list(APPEND PYCACHE_RUNTIMES "${_f_NAME}")
  list(APPEND PYCACHE_RUNTIME_IDS "${_id}")
  foreach(_key VERSION MAJOR_MINOR NAME FREE_THREADED CACHE_TAG MAGIC PREFIX EXEC_PREFIX STDLIB INCLUDE SYSLIBS
               EXECUTABLE_REAL EXECUTABLE_MTIME EXECUTABLE_SIZE BUILD_VERSION LIB_NAME ZIP_NAME SYSCONFIGDATA
               SYSCONFIGDATA_SIZE LIBDIR)
    set(PYCACHE_RUNTIME_${_id}_${_key} "${_f_${_key}}")
  endforeach()
  set(PYCACHE_RUNTIME_${_id}_INTERPRETER "${_python}")
  set(PYCACHE_RUNTIME_${_id}_LINK "${_link}")
  set(PYCACHE_RUNTIME_${_id}_LIBRARY "${_lib}")
endforeach()

set(PYCACHE_DEFAULT_RUNTIME_ID "")
if(PYCACHE_PYTHONS STREQUAL "none")
  if(PYCACHE_BUILD_TESTS)
    message(FATAL_ERROR "PYCACHE_PYTHONS=none builds no runtime, and the tests run one: add -DPYCACHE_BUILD_TESTS=OFF")
  endif()
  message(STATUS "pycache: no runtime (PYCACHE_PYTHONS=none): pycache-embedded and its modules only")
elseif(NOT PYCACHE_RUNTIMES)
  message(FATAL_ERROR "PYCACHE_PYTHONS=${PYCACHE_PYTHONS}: no interpreter pycache can embed")
else()
  list(GET PYCACHE_RUNTIME_IDS 0 PYCACHE_DEFAULT_RUNTIME_ID)
  # The default one through FindPython3 too: it checks the headers and library
  # the runtime is built against.
  set(Python3_EXECUTABLE "${PYCACHE_RUNTIME_${PYCACHE_DEFAULT_RUNTIME_ID}_INTERPRETER}")
  find_package(Python3 3.8 REQUIRED COMPONENTS Interpreter Development.Embed)
endif()

foreach(_id IN LISTS PYCACHE_RUNTIME_IDS)
  add_library(pycache_python_${_id} INTERFACE)
  target_include_directories(pycache_python_${_id} SYSTEM INTERFACE "${PYCACHE_RUNTIME_${_id}_INCLUDE}")
  if(PYCACHE_RUNTIME_${_id}_LINK STREQUAL "static")
    separate_arguments(_syslibs UNIX_COMMAND "${PYCACHE_RUNTIME_${_id}_SYSLIBS}")
    target_link_libraries(pycache_python_${_id} INTERFACE "${PYCACHE_RUNTIME_${_id}_LIBRARY}" ${_syslibs})
  else()
    target_link_libraries(pycache_python_${_id} INTERFACE "${PYCACHE_RUNTIME_${_id}_LIBRARY}")
  endif()
  message(STATUS "pycache runtime ${PYCACHE_RUNTIME_${_id}_NAME}: ${PYCACHE_RUNTIME_${_id}_INTERPRETER} "
                 "(Python ${PYCACHE_RUNTIME_${_id}_VERSION}, ${PYCACHE_RUNTIME_${_id}_CACHE_TAG}), linked "
                 "${PYCACHE_RUNTIME_${_id}_LINK} to ${PYCACHE_RUNTIME_${_id}_LIBRARY}")
endforeach()

# The runtime table every binary carries (launcher/core/runtime.cpp): the
# default first.
list(LENGTH PYCACHE_RUNTIME_IDS PYCACHE_RUNTIME_COUNT)
set(PYCACHE_RUNTIME_ROWS "")
foreach(_id IN LISTS PYCACHE_RUNTIME_IDS)
  macro(_q var)
    set(_${var} "R\"pc(${PYCACHE_RUNTIME_${_id}_${var}})pc\"")
  endmacro()
  foreach(_v NAME VERSION MAJOR_MINOR CACHE_TAG INTERPRETER EXECUTABLE_REAL BUILD_VERSION LINK LIBRARY PREFIX
             EXEC_PREFIX STDLIB LIB_NAME ZIP_NAME SYSCONFIGDATA)
    _q(${_v})
  endforeach()
  string(APPEND PYCACHE_RUNTIME_ROWS
    "    {${_NAME}, ${_VERSION}, ${_MAJOR_MINOR}, ${PYCACHE_RUNTIME_${_id}_FREE_THREADED}, ${_CACHE_TAG}, "
    "${PYCACHE_RUNTIME_${_id}_MAGIC}, ${_INTERPRETER}, ${_EXECUTABLE_REAL}, ${PYCACHE_RUNTIME_${_id}_EXECUTABLE_MTIME}, "
    "${PYCACHE_RUNTIME_${_id}_EXECUTABLE_SIZE}, ${_BUILD_VERSION}, ${_LINK}, ${_LIBRARY}, ${_PREFIX}, ${_EXEC_PREFIX}, "
    "${_STDLIB}, ${_LIB_NAME}, ${_ZIP_NAME}, ${_SYSCONFIGDATA}, ${PYCACHE_RUNTIME_${_id}_SYSCONFIGDATA_SIZE}},\n")
endforeach()

# Links a program (a runtime, or a test) with the core and runtime <id>'s
# embedding, the way that runtime's interpreter links libpython.
function(pycache_runtime_link target id)
  target_link_libraries(${target} PRIVATE pycache_core pycache_embed_${id} pycache_warnings)
  # Extension modules (lib-dynload) resolve libpython's symbols in the program.
  set_target_properties(${target} PROPERTIES ENABLE_EXPORTS ON)
  if(PYCACHE_RUNTIME_${id}_LINK STREQUAL "static")
    # libpythonX.Y.a is not position-independent, as Debian's own python binary.
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE OFF)
    target_link_options(${target} PRIVATE -no-pie)
  else()
    # The interpreter's own lib/, installed or not: its libpython lives there.
    set_target_properties(${target} PROPERTIES BUILD_RPATH "${PYCACHE_RUNTIME_${id}_LIBDIR}"
                                               INSTALL_RPATH "${PYCACHE_RUNTIME_${id}_LIBDIR}")
  endif()
  # Fewer shared objects for the loader to map: python's own binary needs none of these.
  target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc)
  # The mark of a pycache program (interpreters::kProgramSoname): never taken for a CPython.
  target_link_options(${target} PRIVATE -Wl,-soname,pycache.program)
endfunction()
