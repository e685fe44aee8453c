// SPDX-License-Identifier: MIT
#pragma once
// HEBLLM_HD marks per-element kernels that every backend calls: __host__ __device__ under nvcc,
// nothing otherwise. The arithmetic is written once (docs/architecture.md).
#if defined(__CUDACC__)
#define HEBLLM_HD __host__ __device__
#else
#define HEBLLM_HD
#endif
