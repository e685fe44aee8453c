// SPDX-License-Identifier: MIT
#pragma once
// The synapse store: CSR by source plus an incoming index of the plastic synapses
// (docs/dev/synapse-store.md).
//
// Row j holds the outgoing synapses of neuron j: first its plastic synapses, then its static
// ones, each part sorted by (target, delay, weight). Weights are magnitudes; the sign is the
// source neuron's Dale sign (negative[j]). The incoming index lists, for each target, the ids
// of its plastic afferent synapses in increasing id order, with their sources.

#include <cstdint>
#include <vector>

#include <hebllm/network.hpp>

namespace hebllm::detail {

struct synapse_store {
    std::uint32_t neuron_count = 0;
    std::vector<std::uint64_t> row_begin;      // [neuron_count + 1] first synapse of each row
    std::vector<std::uint32_t> plastic_count;  // [neuron_count] plastic synapses at a row's start
    std::vector<std::uint32_t> target;         // [S] postsynaptic neuron
    std::vector<float> weight;                 // [S] weight magnitude (mV jump of v or I)
    std::vector<std::uint8_t> delay;           // [S] delay in steps, >= 1
    std::vector<std::uint8_t> negative;        // [neuron_count] 1: inhibitory source
    std::vector<std::uint64_t> in_begin;       // [neuron_count + 1] incoming index rows
    std::vector<std::uint32_t> in_synapse;     // [S_plastic] synapse id
    std::vector<std::uint32_t> in_source;      // [S_plastic] its source neuron
    std::uint32_t max_delay = 1;               // largest delay in steps

    std::uint64_t size() const { return target.size(); }
    std::uint64_t bytes() const;
};

// Build the store for a validated spec: random projections (counter-based RNG keyed by the
// seed, so the result does not depend on who builds it), then explicit synapses.
synapse_store build_synapses(const network_spec& spec);

}  // namespace hebllm::detail
