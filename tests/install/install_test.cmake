# SPDX-License-Identifier: MIT
# cmake -P script of the ctest test install.find_package_and_pkg_config (tests/install/
# CMakeLists.txt passes the variables below). Installs the build into WORK_DIR/prefix, then
#   1. every public header is installed, and no installed CMake or pkg-config file names the
#      source or build tree;
#   2. tests/install/consumer (find_package(hebllm), hebllm::hebllm) builds
#      examples/seed_example.cpp against the prefix and prints what the in-tree seed_example
#      prints (the wall time masked);
#   3. the same with `c++ -std=c++20 seed_example.cpp $(pkg-config --cflags --libs hebllm)`.
cmake_minimum_required(VERSION 3.25)

foreach(v BUILD_DIR SOURCE_DIR WORK_DIR GENERATOR CXX PKG_CONFIG IN_TREE_SEED)
  if(NOT ${v})
    message(FATAL_ERROR "install_test.cmake: -D${v}=... is required")
  endif()
endforeach()
if(NOT CONFIG)
  set(CONFIG Release)
endif()
set(prefix ${WORK_DIR}/prefix)
set(seed_source ${SOURCE_DIR}/examples/seed_example.cpp)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

# run(<what> <output-var> COMMAND...): run a command, stop the test with its output if it fails.
function(run what out_var)
  string(TIMESTAMP t0 "%s")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(TIMESTAMP t1 "%s")
  math(EXPR dt "${t1} - ${t0}")
  if(NOT rc EQUAL 0)
    string(JOIN " " cmd ${ARGN})
    message(FATAL_ERROR "${what} failed (exit ${rc}):\n  ${cmd}\n--- stdout ---\n${out}\n--- stderr ---\n${err}")
  endif()
  message(STATUS "${what}: ok (${dt} s)")
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

# The seed example's output without its wall time, which differs run to run.
function(normalise text out_var)
  string(REGEX REPLACE "simulated in [0-9.]+ ms" "simulated in <wall> ms" text "${text}")
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

# --- install -----------------------------------------------------------------------------
run("cmake --install (hebllm_dev)" ignored
    ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --config ${CONFIG}
    --component hebllm_dev)
run("cmake --install (hebllm_cli)" ignored
    ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --config ${CONFIG}
    --component hebllm_cli)
run("installed bin/hebllm info" ignored ${prefix}/bin/hebllm info)

# 1. Every public header, and nothing that points back into the source or build tree.
file(GLOB_RECURSE public RELATIVE ${SOURCE_DIR}/include ${SOURCE_DIR}/include/*.hpp)
file(GLOB_RECURSE installed RELATIVE ${prefix}/include ${prefix}/include/*.hpp)
list(SORT public)
list(SORT installed)
if(NOT public STREQUAL installed)
  message(FATAL_ERROR "installed headers differ from include/:\n  public:    ${public}\n"
                      "  installed: ${installed}")
endif()
file(GLOB_RECURSE package_files ${prefix}/*.cmake ${prefix}/*.pc)
set(pc_file "")
foreach(f IN LISTS package_files)
  if(f MATCHES "/hebllm\\.pc$")
    set(pc_file ${f})
  endif()
  file(READ ${f} text)
  string(REPLACE "${prefix}" "<prefix>" text "${text}")
  foreach(tree IN ITEMS ${SOURCE_DIR} ${BUILD_DIR})
    string(FIND "${text}" "${tree}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${f} names ${tree}: the installed package must not use the build "
                          "or source tree")
    endif()
  endforeach()
endforeach()
if(NOT pc_file)
  message(FATAL_ERROR "no hebllm.pc installed under ${prefix}")
endif()
message(STATUS "installed: ${prefix} (${pc_file})")

run("in-tree seed_example" expected ${IN_TREE_SEED})
normalise("${expected}" expected)
if(NOT expected MATCHES "associative +1000 neurons +[1-9]")
  message(FATAL_ERROR "the in-tree seed_example printed no associative spikes:\n${expected}")
endif()

# 2. find_package(hebllm) -------------------------------------------------------------------
set(consumer ${WORK_DIR}/consumer)
set(generator_args -G ${GENERATOR})
if(MAKE_PROGRAM)
  list(APPEND generator_args -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM})
endif()
run("configure the consumer project" ignored
    ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/install/consumer -B ${consumer} ${generator_args}
    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=${CONFIG}
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    -DHEBLLM_EXAMPLE_SOURCE=${seed_source})
file(STRINGS ${consumer}/CMakeCache.txt found REGEX "^hebllm_DIR:")
string(REGEX REPLACE "^[^=]*=" "" found "${found}")
file(REAL_PATH "${found}" found)
file(REAL_PATH "${prefix}" real_prefix)
string(FIND "${found}" "${real_prefix}/" at)
if(NOT at EQUAL 0)
  message(FATAL_ERROR "find_package(hebllm) found ${found}, not the package in ${prefix}")
endif()
run("build the consumer project" ignored ${CMAKE_COMMAND} --build ${consumer} --config ${CONFIG})
set(consumer_seed ${consumer}/seed_example)
if(NOT EXISTS ${consumer_seed})
  set(consumer_seed ${consumer}/${CONFIG}/seed_example)  # multi-config generators
endif()
run("seed_example via find_package" got ${consumer_seed})
normalise("${got}" got)
if(NOT got STREQUAL expected)
  message(FATAL_ERROR "seed_example built through find_package(hebllm) printed\n${got}\n"
                      "the in-tree seed_example printed\n${expected}")
endif()

# 3. pkg-config ------------------------------------------------------------------------------
get_filename_component(pc_dir ${pc_file} DIRECTORY)
set(ENV{PKG_CONFIG_PATH} "${pc_dir}")
run("pkg-config --variable=prefix hebllm" pc_prefix ${PKG_CONFIG} --variable=prefix hebllm)
string(STRIP "${pc_prefix}" pc_prefix)
if(NOT pc_prefix STREQUAL prefix)
  message(FATAL_ERROR "hebllm.pc says prefix=${pc_prefix}, installed to ${prefix}")
endif()
run("pkg-config --cflags --libs hebllm" flags ${PKG_CONFIG} --cflags --libs hebllm)
string(STRIP "${flags}" flags)
message(STATUS "  ${flags}")
separate_arguments(flags UNIX_COMMAND "${flags}")
set(pc_seed ${WORK_DIR}/seed_example_pkgconfig)
run("c++ -std=c++20 seed_example.cpp $(pkg-config ...)" ignored
    ${CXX} -std=c++20 ${seed_source} ${flags} -o ${pc_seed})
run("seed_example via pkg-config" got ${pc_seed})
normalise("${got}" got)
if(NOT got STREQUAL expected)
  message(FATAL_ERROR "seed_example built through pkg-config printed\n${got}\n"
                      "the in-tree seed_example printed\n${expected}")
endif()
message(STATUS "find_package and pkg-config builds print the in-tree output:\n${expected}")
