# Runs one consumer test (see tests/CMakeLists.txt): the project in
# tests/consumer/ is configured and built against cachet, then its own tests
# (one per executable) are run with ctest
#   MODE=find_package      cachet configured alone (tests and examples off,
#                          CACHET_INSTALL=ON), installed into WORK_DIR/prefix,
#                          then found with find_package(cachet CONFIG);
#   MODE=add_subdirectory  cachet added with add_subdirectory(CACHET_SOURCE_DIR);
#   MODE=fetch_content     cachet got with FetchContent, its repository
#                          replaced by CACHET_SOURCE_DIR
#                          (FETCHCONTENT_SOURCE_DIR_CACHET): no download.
# WORK_DIR is wiped first. Any failing step stops the test with its output.
#
#   cmake -DMODE=... -DCACHET_SOURCE_DIR=... -DCONSUMER_SOURCE_DIR=...
#         -DWORK_DIR=... [-DGENERATOR=...] [-DMAKE_PROGRAM=...]
#         [-DCXX_COMPILER=...] [-DTOOLCHAIN_FILE=...] [-DBUILD_TYPE=...]
#         [-DPREFIX_PATH=a|b] -P run_consumer_test.cmake

foreach(var IN ITEMS MODE CACHET_SOURCE_DIR CONSUMER_SOURCE_DIR WORK_DIR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_consumer_test.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT MODE MATCHES "^(find_package|add_subdirectory|fetch_content)$")
  message(FATAL_ERROR "run_consumer_test.cmake: MODE must be find_package, "
    "add_subdirectory or fetch_content, not '${MODE}'")
endif()

# run_step(<description> <command>...): runs the command, stops on failure.
function(run_step what)
  list(JOIN ARGN " " command_line)
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    # Output verbatim (NOTICE), then the verdict.
    message(NOTICE "Command: ${command_line}\nOutput:\n${output}")
    message(FATAL_ERROR "consumer.${MODE}: ${what} FAILED (exit ${result})")
  endif()
  message(STATUS "consumer.${MODE}: ${what}: ok")
endfunction()

# Options every configure step shares: same generator, compiler, build type.
set(configure_args "")
if(DEFINED GENERATOR AND NOT GENERATOR STREQUAL "")
  list(APPEND configure_args -G "${GENERATOR}")
endif()
foreach(pair IN ITEMS MAKE_PROGRAM:CMAKE_MAKE_PROGRAM CXX_COMPILER:CMAKE_CXX_COMPILER
                      TOOLCHAIN_FILE:CMAKE_TOOLCHAIN_FILE BUILD_TYPE:CMAKE_BUILD_TYPE)
  string(REPLACE ":" ";" pair "${pair}")
  list(GET pair 0 from)
  list(GET pair 1 to)
  if(DEFINED ${from} AND NOT "${${from}}" STREQUAL "")
    list(APPEND configure_args "-D${to}=${${from}}")
  endif()
endforeach()
set(config_args "")
set(ctest_config_args "")
if(DEFINED BUILD_TYPE AND NOT BUILD_TYPE STREQUAL "")
  set(config_args --config "${BUILD_TYPE}")
  set(ctest_config_args -C "${BUILD_TYPE}")
endif()
set(prefix_path "")
if(DEFINED PREFIX_PATH)
  string(REPLACE "|" ";" prefix_path "${PREFIX_PATH}")
endif()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(consumer_build "${WORK_DIR}/consumer-build")

if(MODE STREQUAL "find_package")
  set(cachet_build "${WORK_DIR}/cachet-build")
  set(prefix "${WORK_DIR}/prefix")
  run_step("configure cachet"
    "${CMAKE_COMMAND}" -S "${CACHET_SOURCE_DIR}" -B "${cachet_build}" ${configure_args}
    -DCACHET_BUILD_TESTS=OFF -DCACHET_BUILD_EXAMPLES=OFF -DCACHET_BUILD_BENCH=OFF
    -DCACHET_INSTALL=ON "-DCMAKE_INSTALL_PREFIX=${prefix}")
  run_step("build cachet" "${CMAKE_COMMAND}" --build "${cachet_build}" ${config_args})
  run_step("install cachet"
    "${CMAKE_COMMAND}" --install "${cachet_build}" --prefix "${prefix}" ${config_args})
  foreach(installed IN ITEMS include/cachet/cachet.hpp)
    if(NOT EXISTS "${prefix}/${installed}")
      message(FATAL_ERROR "consumer.${MODE}: ${installed} was not installed")
    endif()
  endforeach()
  file(GLOB_RECURSE config_file "${prefix}/*/cachetConfig.cmake")
  if(NOT config_file)
    message(FATAL_ERROR "consumer.${MODE}: no cachetConfig.cmake installed under ${prefix}")
  endif()

  list(PREPEND prefix_path "${prefix}")
  run_step("configure consumer"
    "${CMAKE_COMMAND}" -S "${CONSUMER_SOURCE_DIR}" -B "${consumer_build}" ${configure_args}
    -DCACHET_CONSUME_VIA=find_package "-DCMAKE_PREFIX_PATH=${prefix_path}"
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
  # The package found must be the one just installed.
  file(STRINGS "${consumer_build}/CMakeCache.txt" cachet_dir REGEX "^cachet_DIR:")
  string(REGEX REPLACE "^[^=]*=" "" cachet_dir "${cachet_dir}")
  string(FIND "${cachet_dir}" "${prefix}/" at)
  if(NOT at EQUAL 0)
    message(FATAL_ERROR "consumer.${MODE}: found cachet in '${cachet_dir}', "
      "not under the test prefix ${prefix}")
  endif()
else()
  set(extra_args "")
  if(prefix_path)
    set(extra_args "-DCMAKE_PREFIX_PATH=${prefix_path}")
  endif()
  if(MODE STREQUAL "add_subdirectory")
    list(APPEND extra_args "-DCACHET_SOURCE_DIR=${CACHET_SOURCE_DIR}")
  else()
    list(APPEND extra_args "-DFETCHCONTENT_SOURCE_DIR_CACHET=${CACHET_SOURCE_DIR}")
  endif()
  run_step("configure consumer"
    "${CMAKE_COMMAND}" -S "${CONSUMER_SOURCE_DIR}" -B "${consumer_build}" ${configure_args}
    -DCACHET_CONSUME_VIA=${MODE} ${extra_args})
endif()

run_step("build consumer" "${CMAKE_COMMAND}" --build "${consumer_build}" ${config_args})

# The consumer registers one test per executable it built.
run_step("run consumer"
  "${CMAKE_CTEST_COMMAND}" --test-dir "${consumer_build}" ${ctest_config_args}
  --output-on-failure --no-tests=error)
