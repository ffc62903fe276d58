# CPack pre-build script: the package must carry the pages. They come from
# web/dist, which web/build.sh builds (scripts/test.sh and scripts/run.sh run it).
file(GLOB_RECURSE _sb_index "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/index.html")
list(FILTER _sb_index INCLUDE REGEX "/share/switchboard/web/index.html$")
if(NOT _sb_index)
  message(FATAL_ERROR "switchboard package: no pages in the staging tree "
                      "(${CPACK_TEMPORARY_INSTALL_DIRECTORY}); run web/build.sh first")
endif()
