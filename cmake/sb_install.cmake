# `cmake --install <build> [--prefix P]`: the `switchboard` command, the pages, and
# the embedding library as a CMake package, so that an embedder writes
#   find_package(switchboard CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE switchboard::node)
# Layout under the prefix (GNUInstallDirs):
#   bin/switchboard
#   share/switchboard/web/          the pages (web/dist), when web/build.sh has run
#   include/switchboard/{engine,storage,actors,proto}/   the headers, repo-relative
#   lib/libsb_{engine,proto,storage,actors}.a
#   lib/cmake/switchboard/          switchboardConfig.cmake, targets, FindCAF.cmake
# Components: `runtime` (command, pages), `dev` (headers, libraries, package
# config); `service` (systemd unit, /etc config) is installed only for the .deb
# (cmake/sb_package.cmake).
include(CMakePackageConfigHelpers)

set(SB_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/switchboard)

install(TARGETS switchboard RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)

# The pages are built by web/build.sh (npm), not by CMake, so they are installed
# when present and skipped otherwise; `serve` then says it has no web dir. The .deb
# refuses to be built without them (packaging/check_pages.cmake).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/web/dist/ DESTINATION ${SB_INSTALL_WEBDIR}
        COMPONENT runtime OPTIONAL)

# The embedding library: the facade (sb_actors, exported as switchboard::node) and
# the static libraries under it. Their headers are the folders' headers, installed
# whole (root headers are a folder's API; engine/internal/ is included by
# engine/learned_stats.h and engine/routing_domain.h); storage/codecs.h includes the
# generated proto/switchboard.pb.h, so that is installed too.
set_target_properties(sb_actors PROPERTIES EXPORT_NAME node)
install(TARGETS sb_engine sb_proto sb_storage sb_actors
        EXPORT switchboard_targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/engine ${PROJECT_SOURCE_DIR}/storage
                  ${PROJECT_SOURCE_DIR}/actors
        DESTINATION ${SB_INSTALL_INCLUDEDIR} COMPONENT dev
        FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/proto/switchboard.pb.h
        DESTINATION ${SB_INSTALL_INCLUDEDIR}/proto COMPONENT dev)

install(EXPORT switchboard_targets NAMESPACE switchboard::
        FILE switchboardTargets.cmake DESTINATION ${SB_INSTALL_CMAKEDIR} COMPONENT dev)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/switchboardConfig.cmake.in
  ${PROJECT_BINARY_DIR}/switchboardConfig.cmake
  INSTALL_DESTINATION ${SB_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/switchboardConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/switchboardConfig.cmake
              ${PROJECT_BINARY_DIR}/switchboardConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FindCAF.cmake
        DESTINATION ${SB_INSTALL_CMAKEDIR} COMPONENT dev)
