# The embedding modules: one shared module per CPython minor version whose
# headers this machine has, lib/pycache/pycache-embed-3.X[t].so, loaded at
# run time after the interpreter's own libpython (include/pycache/embed_module.hpp).
# Headers are found, never an interpreter started: /usr/include,
# /usr/local/include, pyenv's versions and uv's managed Pythons, each
# include/python3.X[t]/ holding Python.h and patchlevel.h. Of several for one
# minor version the oldest patch release is taken: what its inline functions
# and macros call, every later libpython of the minor version has.
#
# PYCACHE_EMBED_PYTHONS: `all` (every minor version >= 3.8 found), `none`,
# or a ;-list of names (3.12, 3.13t: that version's headers as found) and
# include directories (/opt/py/include/python3.12).
#
# Sets PYCACHE_EMBED_NAMES (3.8;3.9;...) and, per name N with id I (N without
# the dot), PYCACHE_EMBED_<I>_INCLUDE and PYCACHE_EMBED_<I>_VERSION.
set(PYCACHE_EMBED_PYTHONS "all" CACHE STRING
    "Embedding modules to build: 'all' minor versions whose headers are found, 'none', or a ;-list of names (3.12, 3.13t) and include directories")

# The version (3.11.2) of the headers in `dir` into <out>, and its name (3.11, 3.13t) into <out>_NAME; empty when none.
function(pycache_embed_headers dir out)
  set(${out} "" PARENT_SCOPE)
  get_filename_component(leaf "${dir}" NAME)
  if(NOT leaf MATCHES "^python(3\\.[0-9]+)(t?)$" OR NOT EXISTS "${dir}/Python.h" OR NOT EXISTS "${dir}/patchlevel.h")
    return()
  endif()
  set(minor "${CMAKE_MATCH_1}")
  set(name "${CMAKE_MATCH_1}${CMAKE_MATCH_2}")
  file(STRINGS "${dir}/patchlevel.h" line REGEX "^#define[ \t]+PY_VERSION[ \t]+\"")
  if(NOT line MATCHES "\"([0-9]+\\.[0-9]+\\.[0-9]+)")
    return()
  endif()
  set(version "${CMAKE_MATCH_1}")
  string(REPLACE "." "\\." minor_re "${minor}")
  if(version VERSION_LESS 3.8 OR NOT version MATCHES "^${minor_re}\\.")
    return()
  endif()
  set(${out} "${version}" PARENT_SCOPE)
  set(${out}_NAME "${name}" PARENT_SCOPE)
endfunction()

function(pycache_embed_candidates out)
  if(DEFINED ENV{PYENV_ROOT})
    set(pyenv_root "$ENV{PYENV_ROOT}")
  else()
    set(pyenv_root "$ENV{HOME}/.pyenv")
  endif()
  set(uv_root "$ENV{HOME}/.local/share/uv/python")
  if(DEFINED ENV{UV_PYTHON_INSTALL_DIR})
    set(uv_root "$ENV{UV_PYTHON_INSTALL_DIR}")
  endif()
  file(GLOB found LIST_DIRECTORIES true /usr/include/python3.* /usr/local/include/python3.*
       "${pyenv_root}/versions/*/include/python3.*" "${uv_root}/*/include/python3.*")
  set(${out} "${found}" PARENT_SCOPE)
endfunction()

# Every minor version's oldest headers: PYCACHE_EMBED_<id>_INCLUDE/_VERSION.
pycache_embed_candidates(_embed_candidates)
set(_embed_found "")
foreach(_dir IN LISTS _embed_candidates)
  pycache_embed_headers("${_dir}" _v)
  if(_v STREQUAL "")
    continue()
  endif()
  string(REPLACE "." "" _id "${_v_NAME}")
  if(NOT _id IN_LIST _embed_found)
    list(APPEND _embed_found ${_id})
  elseif(NOT _v VERSION_LESS _embed_${_id}_VERSION)
    continue()
  endif()
  set(_embed_${_id}_NAME "${_v_NAME}")
  set(_embed_${_id}_VERSION "${_v}")
  set(_embed_${_id}_INCLUDE "${_dir}")
endforeach()

set(PYCACHE_EMBED_NAMES "")
set(PYCACHE_EMBED_IDS "")
macro(_pycache_embed_take id)
  if(NOT ${id} IN_LIST PYCACHE_EMBED_IDS)
    list(APPEND PYCACHE_EMBED_IDS ${id})
    list(APPEND PYCACHE_EMBED_NAMES "${_embed_${id}_NAME}")
    set(PYCACHE_EMBED_${id}_INCLUDE "${_embed_${id}_INCLUDE}")
    set(PYCACHE_EMBED_${id}_VERSION "${_embed_${id}_VERSION}")
  endif()
endmacro()
if(PYCACHE_EMBED_PYTHONS STREQUAL "all")
  list(SORT _embed_found COMPARE NATURAL)
  foreach(_id IN LISTS _embed_found)
    _pycache_embed_take(${_id})
  endforeach()
elseif(NOT PYCACHE_EMBED_PYTHONS STREQUAL "none")
  foreach(_want IN LISTS PYCACHE_EMBED_PYTHONS)
    if(IS_ABSOLUTE "${_want}")
      pycache_embed_headers("${_want}" _v)
      if(_v STREQUAL "")
        message(FATAL_ERROR "PYCACHE_EMBED_PYTHONS: ${_want} holds no CPython >= 3.8 headers (python3.X[t]/Python.h, patchlevel.h)")
      endif()
      string(REPLACE "." "" _id "${_v_NAME}")
      set(_embed_${_id}_NAME "${_v_NAME}")
      set(_embed_${_id}_VERSION "${_v}")
      set(_embed_${_id}_INCLUDE "${_want}")
    else()
      string(REPLACE "." "" _id "${_want}")
      if(NOT _id IN_LIST _embed_found)
        message(FATAL_ERROR "PYCACHE_EMBED_PYTHONS: no headers found for Python ${_want}")
      endif()
    endif()
    _pycache_embed_take(${_id})
  endforeach()
endif()

# The interpreter beside each minor version's headers (PREFIX/bin/python3.X[t]
# for PREFIX/include/python3.X[t]), if there is one: the build runs it to
# freeze the read-through hook for that version (launcher/CMakeLists.txt).
foreach(_id IN LISTS PYCACHE_EMBED_IDS)
  get_filename_component(_prefix "${PYCACHE_EMBED_${_id}_INCLUDE}/../.." ABSOLUTE)
  set(PYCACHE_EMBED_${_id}_INTERPRETER "")
  if(EXISTS "${_prefix}/bin/python${_embed_${_id}_NAME}")
    set(PYCACHE_EMBED_${_id}_INTERPRETER "${_prefix}/bin/python${_embed_${_id}_NAME}")
  endif()
endforeach()

set(PYCACHE_EMBED_MODULES_DIR ${PROJECT_BINARY_DIR}/lib/pycache)

# The module of minor version <id>, from `sources` (launcher/embed/ but the
# runtime programs' own runtime_static.cpp).
function(pycache_embed_module id)
  set(target pycache_embed_module_${id})
  add_library(${target} MODULE ${ARGN})
  target_include_directories(${target} SYSTEM PRIVATE "${PYCACHE_EMBED_${id}_INCLUDE}")
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(${target} PRIVATE pycache_deps pycache_warnings pycache_sanitizers)
  # What GCC picks by itself in 3.13's pyatomic.h; clang 14 (clang-tidy) finds
  # no __atomic_load with __has_builtin and stops with #error.
  target_compile_definitions(${target} PRIVATE _Py_USE_GCC_BUILTIN_ATOMICS=1)
  set_target_properties(${target} PROPERTIES
    PREFIX "" OUTPUT_NAME "pycache-embed-${_embed_${id}_NAME}"
    LIBRARY_OUTPUT_DIRECTORY ${PYCACHE_EMBED_MODULES_DIR}
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  # No libpython (the loader's, global, provides Py*); libstdc++ inside and
  # hidden, as the programs link it: one shared object less to map.
  target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc -Wl,--exclude-libs,ALL)
  # Installed by cmake/Install.cmake, with pycache-embedded.
  set(hook "read-through hook frozen by ${PYCACHE_EMBED_${id}_INTERPRETER}")
  if(PYCACHE_EMBED_${id}_INTERPRETER STREQUAL "")
    set(hook "no interpreter to freeze the read-through hook: compiled at each start that uses it")
  endif()
  message(STATUS "pycache embedding module ${_embed_${id}_NAME}: headers of Python "
                 "${PYCACHE_EMBED_${id}_VERSION} (${PYCACHE_EMBED_${id}_INCLUDE}), ${hook}")
endfunction()
