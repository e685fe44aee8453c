// SPDX-License-Identifier: MIT
#include "backends/memory_budget.hpp"

#include <cstdio>
#include <fstream>
#include <string>

#include <hebllm/errors.hpp>

#include "core/synapse_store.hpp"

namespace hebllm::detail {

namespace {

std::string gib(std::uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", static_cast<double>(bytes) / 1073741824.0);
    return text;
}

}  // namespace

std::uint64_t available_memory_bytes() {
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    std::uint64_t kib = 0;
    std::string unit;
    while (meminfo >> key >> kib >> unit) {
        if (key == "MemAvailable:") {
            return kib * 1024;
        }
    }
    return 0;
}

void check_memory_budget(const network_spec& spec, int threads) {
    spec.validate();
    const std::uint64_t need = estimate_engine_bytes(spec, threads);
    const std::uint64_t have = available_memory_bytes();
    if (have > 0 && need > have) {
        throw model_error("the network needs about " + gib(need) + " GiB (" +
                          std::to_string(spec.neuron_count()) + " neurons, about " +
                          std::to_string(static_cast<std::uint64_t>(expected_synapses(spec))) +
                          " synapses), more than the " + gib(have) +
                          " GiB of memory available; refused before allocating");
    }
}

}  // namespace hebllm::detail
