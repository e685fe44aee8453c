# SPDX-License-Identifier: MIT
# Layering enforced by the include path (docs/architecture.md): a library under src/ includes
# private headers as "core/...", "backends/cpu/...", "io/..." and so on, relative to src/.
# Instead of all of src/, each target gets a directory of its own in the build tree that holds
# links to the src/ folders its layer may use and nothing else, so an include of a forbidden
# layer does not compile ("No such file or directory").
#
#   hebllm_layer_includes(<target> <folder>...)   folders relative to src/, e.g. core
#                                                 backends/cpu (a nested folder is linked alone)

function(hebllm_layer_includes target)
  set(root "${CMAKE_BINARY_DIR}/layers/${target}")
  # Start from an empty root, so that a folder removed from the list is really gone.
  file(REMOVE_RECURSE "${root}")
  file(MAKE_DIRECTORY "${root}")
  foreach(folder IN LISTS ARGN)
    if(NOT IS_DIRECTORY "${PROJECT_SOURCE_DIR}/src/${folder}")
      message(FATAL_ERROR "hebllm_layer_includes(${target}): no folder src/${folder}")
    endif()
    get_filename_component(parent "${root}/${folder}" DIRECTORY)
    file(MAKE_DIRECTORY "${parent}")
    file(CREATE_LINK "${PROJECT_SOURCE_DIR}/src/${folder}" "${root}/${folder}" SYMBOLIC)
  endforeach()
  target_include_directories(${target} PRIVATE "${root}")
endfunction()
