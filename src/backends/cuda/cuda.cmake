# SPDX-License-Identifier: MIT
# Included by src/backends/CMakeLists.txt when HEBLLM_HAVE_CUDA. Only cuda_device.cu is
# compiled by nvcc; the engine is plain C++ with the project's flags.
add_library(hebllm_backend_cuda_device STATIC cuda/cuda_device.cu)
set_target_properties(hebllm_backend_cuda_device PROPERTIES
  CUDA_STANDARD 20 CUDA_STANDARD_REQUIRED ON CUDA_EXTENSIONS OFF)
hebllm_layer_includes(hebllm_backend_cuda_device core backends/cuda)
target_include_directories(hebllm_backend_cuda_device PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_include_directories(hebllm_backend_cuda_device SYSTEM PRIVATE ${RANDOM123_INCLUDE_DIR})
# Determinism (docs/determinism.md): no FMA contraction, no fast math; host side as hebllm_flags.
target_compile_options(hebllm_backend_cuda_device PRIVATE
  $<$<COMPILE_LANGUAGE:CUDA>:-fmad=false --prec-div=true --prec-sqrt=true
    --ftz=false --expt-relaxed-constexpr
    -Xcompiler=-Wall,-Wextra,-ffp-contract=off,-fno-fast-math>)
if(HEBLLM_WERROR)
  target_compile_options(hebllm_backend_cuda_device PRIVATE
    $<$<COMPILE_LANGUAGE:CUDA>:--Werror=all-warnings -Xcompiler=-Werror>)
endif()
target_link_libraries(hebllm_backend_cuda_device PUBLIC CUDA::cudart_static)

add_library(hebllm_backend_cuda STATIC cuda/cuda_engine.cpp)
hebllm_layer_includes(hebllm_backend_cuda core backends/cuda)
target_link_libraries(hebllm_backend_cuda PUBLIC hebllm_core hebllm_backend_cuda_device
                      PRIVATE hebllm_flags)
