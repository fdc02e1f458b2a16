# cpack's post-build script for the Debian package (CPACK_POST_BUILD_SCRIPTS):
# the package's Installed-Size made true. CPack sums the size of every file
# it stages following symbolic links, so each link to pycache-embedded (and
# each man page link) counted as a whole copy of its target: 18.4 MiB for a
# package whose files hold 9.9 MiB. This counts as dpkg-gencontrol does (each
# file's size in KiB rounded up, 1 KiB for each link and directory), writes
# it into the control file and builds the package again with dpkg-deb.
foreach(_deb IN LISTS CPACK_PACKAGE_FILES)
  if(NOT _deb MATCHES "\\.deb$")
    continue()
  endif()
  set(_tree "${CPACK_TOPLEVEL_DIRECTORY}/installed_size")
  file(REMOVE_RECURSE "${_tree}")
  execute_process(COMMAND dpkg-deb -R "${_deb}" "${_tree}" RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "pycache package: dpkg-deb -R ${_deb} failed (${_rc})")
  endif()
  file(GLOB_RECURSE _entries LIST_DIRECTORIES true "${_tree}/*")
  set(_kib 0)
  foreach(_e IN LISTS _entries)
    if(_e MATCHES "^${_tree}/DEBIAN(/|$)")
      continue()
    endif()
    if(IS_SYMLINK "${_e}" OR IS_DIRECTORY "${_e}")
      math(EXPR _kib "${_kib} + 1")
    else()
      file(SIZE "${_e}" _bytes)
      math(EXPR _kib "${_kib} + (${_bytes} + 1023) / 1024")
    endif()
  endforeach()
  file(READ "${_tree}/DEBIAN/control" _control)
  string(REGEX REPLACE "\nInstalled-Size: [0-9]+\n" "\nInstalled-Size: ${_kib}\n" _control "${_control}")
  file(WRITE "${_tree}/DEBIAN/control" "${_control}")
  execute_process(COMMAND dpkg-deb --root-owner-group -Zgzip -b "${_tree}" "${_deb}"
                  RESULT_VARIABLE _rc OUTPUT_QUIET)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "pycache package: dpkg-deb -b ${_deb} failed (${_rc})")
  endif()
  file(REMOVE_RECURSE "${_tree}")
  message(STATUS "pycache package: Installed-Size ${_kib} KiB")
endforeach()
