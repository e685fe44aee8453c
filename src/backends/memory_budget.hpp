// SPDX-License-Identifier: MIT
#pragma once
// The memory-budget policy of make_engine: a network whose estimated footprint exceeds the
// memory this process may still allocate is refused before anything is allocated.

#include <cstdint>

#include <hebllm/network.hpp>

namespace hebllm::detail {

// MemAvailable of /proc/meminfo (Linux), else 0 (unknown: no check).
std::uint64_t available_memory_bytes();

// Throws model_error naming the estimate, the neurons, the expected synapses and the memory
// available when the engine for `spec` with `threads` per-thread buffers would not fit.
void check_memory_budget(const network_spec& spec, int threads);

}  // namespace hebllm::detail
