// SPDX-License-Identifier: MIT
#pragma once
// Incoming index of the plastic synapses (CSR by target), built on the host for the device
// (cuda_device.cu) and its emulation (cuda_device_emulated.cpp).

#include <cstdint>
#include <vector>

#include "core/synapse_store.hpp"

namespace hebllm::cuda_rows {

struct incoming_index {
    std::vector<std::uint32_t> count;    // [n] plastic synapses onto each neuron
    std::vector<std::uint64_t> begin;    // [n + 1]
    std::vector<std::uint64_t> synapse;  // [plastic synapses] synapse index, by target
    std::vector<std::uint32_t> source;
    std::vector<std::uint8_t> cls;
};

// Counting sort by target; within a target by synapse index (the order does not matter: each
// synapse has one target, so one writer).
inline incoming_index build_incoming(const detail::synapse_store& store) {
    const std::uint32_t n = store.neuron_count;
    incoming_index x;
    x.count.assign(n, 0);
    const auto each_plastic = [&store, n](auto&& f) {
        for (std::uint32_t j = 0; j < n; ++j) {
            std::uint64_t k = store.row_begin[j];
            for (std::uint32_t g = store.segment_begin[j]; g < store.segment_begin[j + 1]; ++g) {
                const detail::synapse_segment& seg = store.segments[g];
                for (; k < seg.end; ++k) {
                    if (seg.plastic != 0) {
                        f(j, k, seg.plastic);
                    }
                }
            }
        }
    };
    each_plastic(
        [&x, &store](std::uint32_t, std::uint64_t k, std::uint8_t) { ++x.count[store.target[k]]; });
    x.begin.assign(std::size_t{n} + 1, 0);
    for (std::uint32_t i = 0; i < n; ++i) {
        x.begin[i + 1] = x.begin[i] + x.count[i];
    }
    x.synapse.resize(x.begin[n]);
    x.source.resize(x.begin[n]);
    x.cls.resize(x.begin[n]);
    std::vector<std::uint64_t> fill(x.begin.begin(), x.begin.end() - 1);
    each_plastic([&x, &store, &fill](std::uint32_t j, std::uint64_t k, std::uint8_t c) {
        const std::uint64_t e = fill[store.target[k]]++;
        x.synapse[e] = k;
        x.source[e] = j;
        x.cls[e] = c;
    });
    return x;
}

}  // namespace hebllm::cuda_rows
