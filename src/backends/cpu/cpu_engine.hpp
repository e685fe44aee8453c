// SPDX-License-Identifier: MIT
#pragma once
// The cpu backend: event-driven propagation over the CSR store, per-thread delay rings summed
// in fixed point at delivery, lazy STDP potentiation (no incoming index), OpenMP threads with a
// fixed partition of neurons and spikes. Bit-identical to the reference backend for any
// thread count (docs/determinism.md).

#include <memory>

#include <hebllm/engine.hpp>

namespace hebllm {

// OpenMP threads available to the cpu backend.
int cpu_backend_max_threads();

}  // namespace hebllm

namespace hebllm::cpu {

// from: continue from a snapshot (make_engine(const engine_snapshot&, ...)).
std::unique_ptr<engine> make_cpu_engine(const network_spec& spec, const engine_options& options,
                                        const engine_snapshot* from = nullptr);

}  // namespace hebllm::cpu
