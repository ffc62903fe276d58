# sb_cc_library(NAME name SRCS ... DEPS ... PRIVATE_DEPS ...): one library per folder,
# sources listed explicitly, warnings on for our own code only. DEPS are linked
# PUBLIC: list there only what the folder's headers include (it leaks to every user);
# PRIVATE_DEPS are what only the .cc files use. Include paths are the repo root and
# the build dir (generated protobuf headers) in the tree, include/switchboard once
# installed (cmake/sb_install.cmake).
function(sb_cc_library)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${A_NAME} STATIC ${A_SRCS})
  target_include_directories(${A_NAME} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}>
    $<INSTALL_INTERFACE:${SB_INSTALL_INCLUDEDIR}>)
  target_compile_features(${A_NAME} PUBLIC cxx_std_20)
  target_link_libraries(${A_NAME} PUBLIC ${A_DEPS} PRIVATE ${A_PRIVATE_DEPS})
  target_compile_options(${A_NAME} PRIVATE ${SB_WARNINGS})
endfunction()

# sb_cc_test(NAME name SRCS ... DEPS ...): one GoogleTest binary, discovered by CTest.
function(sb_cc_test)
  cmake_parse_arguments(A "" "NAME;TIMEOUT" "SRCS;DEPS" ${ARGN})
  add_executable(${A_NAME} ${A_SRCS})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_options(${A_NAME} PRIVATE ${SB_WARNINGS})
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 300)
  endif()
  gtest_discover_tests(${A_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT ${A_TIMEOUT})
endfunction()
