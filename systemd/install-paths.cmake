# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Files that name other installed files (the unit's ExecStart=, the udev rule's RUN+=) are
# configured at install time, not at configure time: `cmake --install BUILD --prefix /usr`
# (what packagers and tests/lint do with a build configured for /usr/local) must write /usr
# paths into them, matching where the programs really land.

# tdxd_install_paths_code(VAR): sets VAR to CMake code that, run at install time, defines
# sbindir, bindir, TDXD_LIBEXECDIR and sysconfdir for the prefix in use then.
function(tdxd_install_paths_code var)
  set(code "")
  foreach(d SBINDIR BINDIR LIBEXECDIR)
    string(TOLOWER "${d}" v)
    if(IS_ABSOLUTE "${CMAKE_INSTALL_${d}}")
      string(APPEND code "set(${v} \"${CMAKE_INSTALL_${d}}\")\n")
    else()
      string(APPEND code "set(${v} \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_${d}}\")\n")
    endif()
  endforeach()
  string(APPEND code "set(TDXD_LIBEXECDIR \"\${libexecdir}/tdxd\")\n")
  # GNUInstallDirs' rule, applied to the install-time prefix: /usr -> /etc.
  if(IS_ABSOLUTE "${CMAKE_INSTALL_SYSCONFDIR}")
    string(APPEND code "set(sysconfdir \"${CMAKE_INSTALL_SYSCONFDIR}\")\n")
  else()
    string(APPEND code
      "if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")\n"
      "  set(sysconfdir \"/${CMAKE_INSTALL_SYSCONFDIR}\")\n"
      "else()\n"
      "  set(sysconfdir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_SYSCONFDIR}\")\n"
      "endif()\n")
  endif()
  set(${var} "${code}" PARENT_SCOPE)
endfunction()

# tdxd_install_configured(SRC DESTINATION): configures SRC (a .in file, @VAR@ only) at
# install time and installs the result, named SRC without .in, to DESTINATION (relative to
# the install prefix).
function(tdxd_install_configured src destination)
  get_filename_component(name "${src}" NAME)
  string(REGEX REPLACE "\\.in$" "" name "${name}")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/install/${name}")
  tdxd_install_paths_code(paths)
  install(CODE "${paths}configure_file(\"${CMAKE_CURRENT_SOURCE_DIR}/${src}\" \"${out}\" @ONLY)")
  install(FILES "${out}" DESTINATION "${destination}")
endfunction()
