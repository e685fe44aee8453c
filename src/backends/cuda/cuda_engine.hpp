// SPDX-License-Identifier: MIT
#pragma once
// The cuda backend (built with HEBLLM_CUDA): synapse store, delay ring, propagation and STDP on
// one CUDA device; neuron update, inputs, neuromodulation and recording on the host through
// engine_base (docs/dev/cuda-backend.md). Bit-identical to the reference backend by design
// (fixed-point ring with integer atomics, the shared HEBLLM_HD kernels, -fmad=false).

#include <memory>
#include <string>
#include <vector>

#include <hebllm/engine.hpp>

// The host emulation (tests/equivalence/test_cuda_emulated.cpp) builds this engine into
// namespace hebllm::cuda_emulated with HEBLLM_CUDA_NS=cuda_emulated.
#if !defined(HEBLLM_CUDA_NS)
#define HEBLLM_CUDA_NS cuda
#endif

namespace hebllm::HEBLLM_CUDA_NS {

// The oldest compute capability the backend runs on: its device code is built for sm_80 and
// sm_90 only (cuda.cmake), so an older device has no kernel image for it.
inline constexpr int minimum_compute_major = 8;

struct device_info;  // backends/cuda/cuda_device.hpp

// Why the backend cannot run on these devices ("" when it can): none, or device 0 (the one the
// engine uses) older than compute capability 8.0. The first form asks the driver.
std::string unusable_reason();
std::string unusable_reason(const std::vector<device_info>& devices);
// One line per device ("0: NVIDIA H100 80GB HBM3, sm_90, 79.1 GiB"), empty without one;
// a device below compute capability 8.0 is marked unsupported.
std::vector<std::string> describe_devices();

// from: continue from a snapshot. Throws backend_error naming unusable_reason() when the
// backend cannot run here (before anything is allocated).
std::unique_ptr<engine> make_cuda_engine(const network_spec& spec, const engine_options& options,
                                         const engine_snapshot* from = nullptr);

}  // namespace hebllm::HEBLLM_CUDA_NS
