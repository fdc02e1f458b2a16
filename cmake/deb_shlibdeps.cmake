# cpack's pre-build script for the Debian package (CPACK_PRE_BUILD_SCRIPTS,
# run in cpack's own scope once the package's files are staged): the Depends
# on the shared libraries of every ELF file it ships, from dpkg-shlibdeps.
#
# CPack's own CPACK_DEBIAN_PACKAGE_SHLIBDEPS would do the same, but it also
# adds an `ldconfig` postinst and postrm for any shared object in a directory
# under /usr/lib (the embedding modules in /usr/lib/pycache), which ldconfig
# never reads: lintian warns (maintscript-calls-ldconfig), and nothing needs them.
find_program(_shlibdeps dpkg-shlibdeps)
if(NOT _shlibdeps)
  message(FATAL_ERROR "pycache package: dpkg-shlibdeps (dpkg-dev) is needed to make the Depends")
endif()
file(GLOB_RECURSE _files LIST_DIRECTORIES false "${CPACK_TEMPORARY_DIRECTORY}/*")
set(_elf "")
foreach(_f IN LISTS _files)
  if(IS_SYMLINK "${_f}")
    continue()
  endif()
  file(READ "${_f}" _magic LIMIT 4 HEX)
  if(_magic STREQUAL "7f454c46")
    list(APPEND _elf "${_f}")
  endif()
endforeach()
# dpkg-shlibdeps wants a debian/control where it runs; an empty one will do.
set(_scratch "${CPACK_TOPLEVEL_DIRECTORY}/shlibdeps")
file(WRITE "${_scratch}/debian/control" "")
execute_process(COMMAND ${CMAKE_COMMAND} -E env LC_ALL=C ${_shlibdeps} --ignore-missing-info -O ${_elf}
                WORKING_DIRECTORY "${_scratch}" RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0 OR NOT _out MATCHES "shlibs:Depends=([^\n]*)")
  message(FATAL_ERROR "pycache package: dpkg-shlibdeps failed (${_rc}):\n${_err}")
endif()
if(CPACK_DEBIAN_PACKAGE_DEPENDS STREQUAL "")
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "${CMAKE_MATCH_1}")
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "${CPACK_DEBIAN_PACKAGE_DEPENDS}, ${CMAKE_MATCH_1}")
endif()
