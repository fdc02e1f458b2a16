# cpack (or scripts/package): the standalone archive and the Debian package,
# from the same install as everything else (cmake/Install.cmake).
#
# Both carry pycache-embedded (as pycache and pycache-python) and every
# embedding module, and no static runtime: every Python, Debian's own
# included, runs on its own shared libpython, so that the distribution's
# updates reach pycache without a rebuild (docs/installing.md gives what that
# costs at start-up). scripts/package makes them from a build of
# pycache-embedded alone (PYCACHE_PYTHONS=none), so that no fact of the
# build machine's Pythons is compiled in.
#
# - TGZ: pycache-VERSION-x86_64-linux.tar.gz, one top directory holding
#   bin/, lib/pycache, share/ (man page, completions, docs): unpack it
#   anywhere and put its bin/ on PATH, as ruff's and uv's archives.
# - DEB: pycache_VERSION_ARCH.deb, installing into /usr; made only where the
#   machine's python3 is a Debian package. It depends on that Python
#   (python3.X), its shared libpython3.X and its libpython3.X-stdlib, at
#   least as new as the build machine's, and on what dpkg-shlibdeps finds
#   the programs link (libc6). The per-generator settings are in
#   cmake/CPackOptions.cmake.
set(PYCACHE_DEB_DEPENDS "")
find_program(PYCACHE_DPKG_QUERY dpkg-query)
if(PYCACHE_DPKG_QUERY AND EXISTS /usr/bin/python3)
  file(REAL_PATH /usr/bin/python3 _python3)
  execute_process(COMMAND ${PYCACHE_DPKG_QUERY} -S "${_python3}" OUTPUT_QUIET ERROR_QUIET RESULT_VARIABLE _rc)
  if(_rc EQUAL 0 AND _python3 MATCHES "/python(3\\.[0-9]+)$")
    set(_mm ${CMAKE_MATCH_1})
    set(_depends "")
    foreach(_pkg python${_mm} libpython${_mm} libpython${_mm}-stdlib)
      execute_process(COMMAND ${PYCACHE_DPKG_QUERY} -W -f=\${Version} ${_pkg} OUTPUT_VARIABLE _v ERROR_QUIET)
      if(_v STREQUAL "")
        message(STATUS "pycache package: ${_pkg} is not installed: no cpack -G DEB")
        set(_depends "")
        break()
      endif()
      list(APPEND _depends "${_pkg} (>= ${_v})")
    endforeach()
    string(REPLACE ";" ", " PYCACHE_DEB_DEPENDS "${_depends}")
  endif()
endif()

set(CPACK_GENERATOR TGZ)
if(PYCACHE_DEB_DEPENDS)
  list(APPEND CPACK_GENERATOR DEB)
else()
  message(STATUS "pycache package: /usr/bin/python3 is no Debian package: the archive only")
endif()
set(CPACK_PACKAGE_NAME pycache)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "The pycache developers")
set(CPACK_PACKAGE_CONTACT "The pycache developers <pycache@packages.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "per-project bytecode policy for CPython")
set(CPACK_STRIP_FILES ON)
# One package of the chosen components (not one per component).
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_ARCHIVE_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_COMPONENTS_ALL embed_modules main docs debian)
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_BINARY_DIR}/CPackOptions.cmake)
configure_file(${PROJECT_SOURCE_DIR}/cmake/CPackOptions.cmake.in ${PROJECT_BINARY_DIR}/CPackOptions.cmake @ONLY)
include(CPack)
