# SPDX-License-Identifier: MIT
# The optional CUDA backend (docs/dev/cuda-backend.md).
# HEBLLM_CUDA=AUTO (default): build it when a CUDA compiler is found (on PATH, CUDACXX, or
# /usr/local/cuda/bin/nvcc); ON: require one; OFF: never. Sets HEBLLM_HAVE_CUDA.
set(HEBLLM_CUDA "AUTO" CACHE STRING "Build the CUDA backend: AUTO, ON or OFF")
set_property(CACHE HEBLLM_CUDA PROPERTY STRINGS AUTO ON OFF)
string(TOUPPER "${HEBLLM_CUDA}" hebllm_cuda_mode)
if(NOT hebllm_cuda_mode MATCHES "^(AUTO|ON|OFF|TRUE|FALSE|YES|NO|1|0)$")
  message(FATAL_ERROR "HEBLLM_CUDA must be AUTO, ON or OFF (got '${HEBLLM_CUDA}')")
endif()
set(HEBLLM_HAVE_CUDA OFF)
if(NOT hebllm_cuda_mode MATCHES "^(OFF|FALSE|NO|0)$")
  # nvcc is often not on PATH: point check_language at the usual install location.
  if(NOT CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX})
    find_program(hebllm_nvcc nvcc PATHS /usr/local/cuda/bin /opt/cuda/bin NO_CACHE)
    if(hebllm_nvcc)
      set(CMAKE_CUDA_COMPILER "${hebllm_nvcc}" CACHE FILEPATH "CUDA compiler")
    endif()
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 80 90)
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    # CMake 3.25 does not know the C++20 flag of nvcc 13 (which supports it).
    if(NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
      set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
      set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
    endif()
    set(HEBLLM_HAVE_CUDA ON)
    message(STATUS "hebllm: CUDA backend on (${CMAKE_CUDA_COMPILER}, "
                   "architectures ${CMAKE_CUDA_ARCHITECTURES})")
  elseif(hebllm_cuda_mode MATCHES "^(ON|TRUE|YES|1)$")
    message(FATAL_ERROR "HEBLLM_CUDA=ON but no CUDA compiler was found (set CMAKE_CUDA_COMPILER "
                        "or put nvcc on PATH)")
  else()
    message(STATUS "hebllm: CUDA backend off (no CUDA compiler found)")
  endif()
else()
  message(STATUS "hebllm: CUDA backend off (HEBLLM_CUDA=${HEBLLM_CUDA})")
endif()
