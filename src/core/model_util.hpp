// SPDX-License-Identifier: MIT
#pragma once
// Small conversions shared by validation, connectivity and the engines.

#include <cmath>
#include <cstdint>

namespace hebllm::detail {

inline constexpr long long max_delay_steps = 255;             // delays are stored in 8 bits
inline constexpr std::uint64_t max_neurons = 0xFFFFFFFEull;   // 32-bit neuron ids
inline constexpr std::uint64_t max_synapses = 0xFFFFFFFEull;  // keeps synapse counts in 32 bits

// Whole steps of a duration: round to nearest (a delay of 0.3 ms at dt 0.1 ms is 3 steps even
// though 0.3 / 0.1 = 2.9999999999999996 in binary).
inline long long delay_steps(double ms, double dt) {
    return std::llround(ms / dt);
}
inline std::int64_t time_to_step(double ms, double dt) {
    return std::llround(ms / dt);
}

}  // namespace hebllm::detail

#include <string>
#include <vector>

namespace hebllm::detail {

// The populations named by a projection target: "E" or a '+'-joined union such as "E+I".
inline std::vector<std::string> split_union(const std::string& names) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t plus = names.find('+', start);
        out.push_back(
            names.substr(start, plus == std::string::npos ? std::string::npos : plus - start));
        if (plus == std::string::npos) {
            return out;
        }
        start = plus + 1;
    }
}

}  // namespace hebllm::detail
