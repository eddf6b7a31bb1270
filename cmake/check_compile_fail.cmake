# Runs one compile-fail test (see tests/CMakeLists.txt): builds TARGET in
# BINARY_DIR and passes only if the build FAILS with output matching the
# regexes of SOURCE's leading "// expect: <regex>" lines (CMake syntax),
# with at most MAX_ERRORS (2) lines containing "error:": one mistake, one
# message. Where clang++ is installed (always under CI=true, where it must
# be), SOURCE is also compiled with clang++ -fsyntax-only, under the same
# two conditions, so the diagnostics hold for both compilers.
#
#   cmake -DBINARY_DIR=<build tree> -DTARGET=<target> -DSOURCE=<file.cpp>
#         [-DCONFIG=<config>] -P check_compile_fail.cmake

foreach(var IN ITEMS BINARY_DIR TARGET SOURCE)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "check_compile_fail.cmake: -D${var}=... is required")
  endif()
endforeach()

# Every leading "// expect: <regex>" line is a regex the output must match
# (in any order: compilers print the instantiation context before or after
# the message).
file(STRINGS "${SOURCE}" lines LIMIT_COUNT 12)
set(expects "")
foreach(line IN LISTS lines)
  if(line MATCHES "^//[ \t]*expect:[ \t]*(.*[^ \t\r])[ \t\r]*$")
    list(APPEND expects "${CMAKE_MATCH_1}")
  else()
    break()
  endif()
endforeach()
if(NOT expects)
  message(FATAL_ERROR "${SOURCE}: first line must be \"// expect: <regex>\"")
endif()

# match_all(<compiler name> <output>): every expected regex matches.
function(match_all compiler output)
  foreach(expect IN LISTS expects)
    if(NOT output MATCHES "${expect}")
      message(NOTICE "${compiler} output:\n${output}")
      message(FATAL_ERROR "${SOURCE} failed to compile with ${compiler}, as it must, but the output above "
        "does not match the expected regex:\n  ${expect}")
    endif()
  endforeach()
endfunction()

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
match_all("the build" "${output}")
if(NOT DEFINED MAX_ERRORS)
  set(MAX_ERRORS 2)
endif()

# check_errors(<compiler name> <output>): at most MAX_ERRORS error lines.
function(check_errors compiler output)
  string(REGEX MATCHALL "error:" errors "${output}")
  list(LENGTH errors count)
  if(count GREATER MAX_ERRORS)
    message(NOTICE "${compiler} output:\n${output}")
    message(FATAL_ERROR "${SOURCE}: ${compiler} reports ${count} errors; one mistake must give at most "
      "${MAX_ERRORS}")
  endif()
endfunction()
check_errors("the build" "${output}")
message(STATUS "${SOURCE}: fails to compile as expected, output matches: ${expects}")

# The same with clang++, on the project's include directory.
find_program(CLANGXX NAMES clang++-14 clang++)
if(NOT CLANGXX)
  if("$ENV{CI}" STREQUAL "true")
    message(FATAL_ERROR "clang++ is not installed; CI checks compile errors with both compilers")
  endif()
  message(STATUS "clang++ not found: only the build's compiler was checked")
  return()
endif()
get_filename_component(project_dir "${SOURCE}" DIRECTORY)
get_filename_component(project_dir "${project_dir}/../.." ABSOLUTE)
execute_process(
  COMMAND "${CLANGXX}" -std=c++20 -fsyntax-only -I "${project_dir}/include" "${SOURCE}"
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)
if(result EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled with ${CLANGXX}, but it must not.")
endif()
match_all("${CLANGXX}" "${output}")
check_errors("${CLANGXX}" "${output}")
message(STATUS "${SOURCE}: ${CLANGXX} fails to compile it as expected, output matches")
