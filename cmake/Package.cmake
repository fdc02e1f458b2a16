# cpack -G DEB (or scripts/package): pycache_VERSION_ARCH.deb, installing into
# /usr. pycache-embedded (as pycache and pycache-python) and every embedding
# module (/usr/lib/pycache) go in, and no static runtime: every Python,
# Debian's own included, runs on its own shared libpython, so that Debian's
# updates of it reach pycache without a rebuild (docs/installing.md gives
# what that costs at start-up). The package is made only when the default
# runtime's Python is itself from a Debian package (a pyenv Python needs a
# pyenv under /root); it depends on that Python (python3.X), its
# shared libpython3.X and its libpython3.X-stdlib, at least as new as the one
# built against, and on what dpkg-shlibdeps finds the programs link (libc6).
set(_components main embed_modules)
set(_depends "")
set(_default_packaged FALSE)
find_program(PYCACHE_DPKG_QUERY dpkg-query)
foreach(_id IN LISTS PYCACHE_RUNTIME_IDS)
  set(_owner "")
  if(PYCACHE_DPKG_QUERY)
    execute_process(COMMAND ${PYCACHE_DPKG_QUERY} -S "${PYCACHE_RUNTIME_${_id}_EXECUTABLE_REAL}"
                    OUTPUT_VARIABLE _owner ERROR_QUIET RESULT_VARIABLE _rc)
    if(NOT _rc EQUAL 0)
      set(_owner "")
    endif()
  endif()
  if(_owner STREQUAL "")
    message(STATUS "pycache package: runtime ${PYCACHE_RUNTIME_${_id}_NAME} left out (its Python is no Debian package)")
    continue()
  endif()
  if(NOT _id STREQUAL PYCACHE_DEFAULT_RUNTIME_ID)
    continue()
  endif()
  set(_default_packaged TRUE)
  set(_mm ${PYCACHE_RUNTIME_${_id}_MAJOR_MINOR})
  foreach(_pkg python${_mm} libpython${_mm} libpython${_mm}-stdlib)
    execute_process(COMMAND ${PYCACHE_DPKG_QUERY} -W -f=\${Version} ${_pkg} OUTPUT_VARIABLE _v ERROR_QUIET)
    list(APPEND _depends "${_pkg} (>= ${_v})")
  endforeach()
endforeach()

if(NOT _default_packaged)
  message(STATUS "pycache package: the default runtime's Python is no Debian package: no cpack -G DEB")
  return()
endif()

string(REPLACE ";" ", " CPACK_DEBIAN_PACKAGE_DEPENDS "${_depends}")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pycache)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "The pycache developers")
set(CPACK_PACKAGE_CONTACT "The pycache developers <pycache@packages.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "per-project bytecode policy for CPython")
# The long description (CPack puts the summary first and indents each line).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "pycache makes Python bytecode a policy of each project, read from
[tool.pycache] in pyproject.toml or from pycache.toml: whether .pyc files
are written, where (beside the sources or under a cache prefix), at which
optimization level, and how hash-based pycs are checked.
.
pycache-python is python under that policy, with python's command line,
streams, exit status and signals; pycache clean, compile, status and show
cover the rest of the bytecode's life.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION python)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps run by cmake/deb_shlibdeps.cmake, not by CPack's own
# SHLIBDEPS, which would call ldconfig for the modules (see that script).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
set(CPACK_PRE_BUILD_SCRIPTS ${PROJECT_SOURCE_DIR}/cmake/deb_shlibdeps.cmake)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# One package of the chosen components (not one per component).
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_COMPONENTS_ALL ${_components})
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
