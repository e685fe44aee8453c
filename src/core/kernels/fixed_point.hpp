// SPDX-License-Identifier: MIT
#pragma once
// Synaptic input is summed in 64-bit fixed point so that the order of additions (threads,
// GPU atomics, ranks) cannot change the result (docs/determinism.md).
// One unit is 2^-32 mV: a float weight >= 2^-9 converts exactly (24-bit mantissa), smaller
// weights are truncated toward zero at 2.3e-10 mV resolution. |sum| must stay below 2^31 mV.

#include <cstdint>

#include "core/kernels/hd.hpp"

namespace hebllm::kernels {

inline constexpr double fixed_one = 4294967296.0;        // 2^32
inline constexpr double fixed_inv = 1.0 / 4294967296.0;  // 2^-32, exact

// Fixed-point value of a weight magnitude with the source's Dale sign.
HEBLLM_HD inline std::int64_t to_fixed(float magnitude, bool negative) {
    const auto q = static_cast<std::int64_t>(static_cast<double>(magnitude) * fixed_one);
    return negative ? -q : q;
}

HEBLLM_HD inline double from_fixed(std::int64_t q) {
    return static_cast<double>(q) * fixed_inv;
}

}  // namespace hebllm::kernels
