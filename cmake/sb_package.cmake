# The Debian package (CPack, DEB generator): `cpack -G DEB` in the build dir, after a
# build and web/build.sh. One package, `switchboard`, with the components
#   runtime   /usr/bin/switchboard, /usr/share/switchboard/web/ (the pages)
#   service   /lib/systemd/system/switchboard.service and the sample
#             /etc/switchboard/switchboard.json (a conffile)
# Depends is computed by dpkg-shlibdeps from the binary. The embedding library
# (`dev`: headers, static libraries, CMake package) is not in the package; it is
# installed with `cmake --install`. See docs/install.md.

# The service files have fixed, absolute Debian paths, and the unit runs
# /usr/bin/switchboard, so they are not part of a plain `cmake --install` (any
# prefix); only the package (prefix /usr) installs them.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/switchboard.service
        DESTINATION /lib/systemd/system COMPONENT service EXCLUDE_FROM_ALL)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/switchboard.json
        DESTINATION /etc/switchboard COMPONENT service EXCLUDE_FROM_ALL)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/install.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT service EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME switchboard)
set(CPACK_PACKAGE_VENDOR "Switchboard")
set(CPACK_PACKAGE_CONTACT "Switchboard maintainers <switchboard@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "actor-based routing engine for customer service")
set(CPACK_PACKAGE_DESCRIPTION
  "Routes customer contacts (voice, chat, email, ...) to agents; one node behind one port: WebSocket, HTTP, metrics and the agent, wallboard and chat pages.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL runtime service)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# conffiles: the sample config; postinst/prerm/postrm: daemon-reload, stop on remove.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/packaging/conffiles ${PROJECT_SOURCE_DIR}/packaging/postinst
  ${PROJECT_SOURCE_DIR}/packaging/prerm ${PROJECT_SOURCE_DIR}/packaging/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# A package without the pages is broken; refuse to build it.
set(CPACK_PRE_BUILD_SCRIPTS ${PROJECT_SOURCE_DIR}/packaging/check_pages.cmake)
include(CPack)
