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

// Number of usable CUDA devices (0 without a driver or device).
int usable_devices();
// One line per device ("0: NVIDIA H100 80GB HBM3, sm_90, 79.1 GiB"), empty without one.
std::vector<std::string> describe_devices();

// from: continue from a snapshot. Throws backend_error when no device is usable.
std::unique_ptr<engine> make_cuda_engine(const network_spec& spec, const engine_options& options,
                                         const engine_snapshot* from = nullptr);

}  // namespace hebllm::HEBLLM_CUDA_NS
