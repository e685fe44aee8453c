// SPDX-License-Identifier: MIT
#pragma once
// Counter-based random numbers (Philox4x32-10 from Random123), keyed by the network seed and
// indexed by (stream, id, counter). No generator state is carried from one draw to the next, so
// any backend, thread or rank computes the same number for the same (stream, id, counter).

#include <array>
#include <cstdint>

#include <Random123/philox.h>

#include "core/kernels/hd.hpp"

namespace hebllm::kernels {

// Streams: one per purpose so that draws for different purposes never collide.
enum class rng_stream : std::uint32_t {
    connect = 1u << 24,    // + projection index: targets of a source neuron
    weight = 2u << 24,     // + projection index: weights and delays
    initial_v = 3u << 24,  // initial membrane potential
    stimulus = 4u << 24,   // + stimulus index: Poisson forced spikes
    escape = 5u << 24,     // escape-noise threshold draws (id = neuron / 4, counter = step)
};

HEBLLM_HD inline std::array<std::uint32_t, 4> philox(std::uint64_t seed, std::uint32_t stream,
                                                     std::uint32_t id, std::uint64_t counter) {
    using gen = r123::Philox4x32;
    const gen::key_type key = {
        {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
    const gen::ctr_type ctr = {{static_cast<std::uint32_t>(counter),
                                static_cast<std::uint32_t>(counter >> 32), id, stream}};
    const gen::ctr_type r = gen()(ctr, key);
    return {r[0], r[1], r[2], r[3]};
}

// A double uniform in [0, 1) from two 32-bit words (53 random bits).
HEBLLM_HD inline double uniform_from(std::uint32_t hi, std::uint32_t lo) {
    const std::uint64_t bits = (static_cast<std::uint64_t>(hi >> 5) << 26) | (lo >> 6);
    return static_cast<double>(bits) * (1.0 / 9007199254740992.0);  // 2^-53
}

// Two independent uniforms in [0, 1) for (stream, id, counter).
HEBLLM_HD inline std::array<double, 2> uniform2(std::uint64_t seed, std::uint32_t stream,
                                                std::uint32_t id, std::uint64_t counter) {
    const auto r = philox(seed, stream, id, counter);
    return {uniform_from(r[0], r[1]), uniform_from(r[2], r[3])};
}

// Binomial draw by inversion: the smallest k with u < cdf[k], where cdf[k] = P(X <= k) * 2^32
// (the last entry is 2^32, so the search always ends). guide[b] is the smallest k with
// cdf[k] > b * 2^24, so the search starts at most a step or two from the answer. Both tables
// are built once per stimulus.
HEBLLM_HD inline std::uint32_t binomial_from_table(std::uint32_t u, const std::uint64_t* cdf,
                                                   const std::uint32_t* guide) {
    std::uint32_t k = guide[u >> 24];
    while (u >= cdf[k]) {
        ++k;
    }
    return k;
}

}  // namespace hebllm::kernels
