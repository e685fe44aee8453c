# SPDX-License-Identifier: MIT
# Compiler flags shared by every hebllm target (interface target hebllm_flags).
add_library(hebllm_flags INTERFACE)
target_compile_options(hebllm_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  # Determinism (docs/determinism.md): no contraction of a*b+c into FMA, no fast-math.
  -ffp-contract=off -fno-fast-math)
if(HEBLLM_WERROR)
  target_compile_options(hebllm_flags INTERFACE -Werror)
endif()
if(HEBLLM_NATIVE)
  target_compile_options(hebllm_flags INTERFACE -march=native)
endif()
if(HEBLLM_SANITIZE)
  target_compile_options(hebllm_flags INTERFACE -fsanitize=${HEBLLM_SANITIZE} -fno-omit-frame-pointer
                                                -fno-sanitize-recover=all)
  target_link_options(hebllm_flags INTERFACE -fsanitize=${HEBLLM_SANITIZE})
endif()

# hebllm_add_test(NAME SOURCES... LABELS label... [LIBS lib...] [TIMEOUT s])
# One GoogleTest executable, its tests discovered by ctest with the given labels.
function(hebllm_add_test name)
  cmake_parse_arguments(arg "" "TIMEOUT" "SOURCES;LABELS;LIBS" ${ARGN})
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 300)
  endif()
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE ${arg_LIBS} GTest::gtest_main hebllm_flags)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  # One label per executable: gtest_discover_tests cannot pass a list through PROPERTIES.
  list(LENGTH arg_LABELS n_labels)
  if(NOT n_labels EQUAL 1)
    message(FATAL_ERROR "hebllm_add_test(${name}): give exactly one label")
  endif()
  gtest_discover_tests(${name} PROPERTIES LABELS ${arg_LABELS} TIMEOUT ${arg_TIMEOUT}
                       DISCOVERY_TIMEOUT 60)
endfunction()
