# Runs one compile-fail test (see tests/CMakeLists.txt): builds TARGET in
# BINARY_DIR and passes only if the build FAILS with output matching the
# regex on SOURCE's first line, "// expect: <regex>" (CMake regex syntax).
#
#   cmake -DBINARY_DIR=<build tree> -DTARGET=<target> -DSOURCE=<file.cpp>
#         [-DCONFIG=<config>] -P check_compile_fail.cmake

foreach(var IN ITEMS BINARY_DIR TARGET SOURCE)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "check_compile_fail.cmake: -D${var}=... is required")
  endif()
endforeach()

file(READ "${SOURCE}" head LIMIT 4096)
string(FIND "${head}" "\n" eol)
if(eol GREATER_EQUAL 0)
  string(SUBSTRING "${head}" 0 ${eol} head)
endif()
if(NOT head MATCHES "^//[ \t]*expect:[ \t]*(.*[^ \t\r])[ \t\r]*$")
  message(FATAL_ERROR "${SOURCE}: first line must be \"// expect: <regex>\", "
    "got:\n${head}")
endif()
set(expect "${CMAKE_MATCH_1}")

set(config_args "")
if(DEFINED CONFIG AND NOT "${CONFIG}" STREQUAL "")
  set(config_args --config "${CONFIG}")
endif()

# Plain ASCII quotes in diagnostics whatever the caller's locale.
set(ENV{LC_ALL} C)
execute_process(
  COMMAND "${CMAKE_COMMAND}" --build "${BINARY_DIR}" --target "${TARGET}" ${config_args}
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)

# The build output is printed verbatim (NOTICE), the verdict after it.
if(result EQUAL 0)
  message(NOTICE "Build output:\n${output}")
  message(FATAL_ERROR "${SOURCE} compiled, but it must not.")
endif()
if(NOT output MATCHES "${expect}")
  message(NOTICE "Build output:\n${output}")
  message(FATAL_ERROR "${SOURCE} failed to compile, as it must, but the "
    "output above does not match the expected regex:\n  ${expect}")
endif()
message(STATUS "${SOURCE}: fails to compile as expected, output matches: ${expect}")
