// SPDX-License-Identifier: MIT
#pragma once
// The synapse store: CSR by source, each row cut into segments of equal (plastic, delay)
// (docs/dev/synapse-store.md).
//
// Row j holds the outgoing synapses of neuron j sorted by (plastic first, delay, target,
// weight). A segment is a maximal run of one (plastic, delay) pair, so propagation handles a
// whole segment with one ring slot and no per-synapse delay. Weights are magnitudes; the sign is
// the source neuron's Dale sign (negative[j]). Per synapse: 4 bytes target + 4 bytes weight.

#include <cstdint>
#include <span>
#include <vector>

#include <hebllm/network.hpp>

namespace hebllm::detail {

struct synapse_segment {
    std::uint64_t end = 0;     // one past the last synapse of the segment (global index)
    std::uint8_t delay = 1;    // steps, >= 1
    std::uint8_t plastic = 0;  // 0: static; c >= 1: STDP with plasticity class c (stdp_scale[c])
};

struct synapse_store {
    std::uint32_t neuron_count = 0;
    std::vector<std::uint64_t> row_begin;      // [neuron_count + 1] first synapse of each row
    std::vector<std::uint32_t> segment_begin;  // [neuron_count + 1] first segment of each row
    std::vector<synapse_segment> segments;     // [segments]
    std::vector<std::uint32_t> target;         // [S] postsynaptic neuron
    std::vector<float> weight;                 // [S] weight magnitude (mV jump of v or I)
    std::vector<std::uint8_t> negative;        // [neuron_count] 1: inhibitory source
    std::uint32_t max_delay = 1;               // largest delay in steps
    std::uint64_t plastic_synapses = 0;
    std::vector<double> stdp_scale = {0.0};  // [class] STDP scale of each plasticity class

    std::uint64_t size() const { return target.size(); }
    std::uint64_t bytes() const;
};

// Remove every plastic synapse whose weight magnitude is below `below`, keeping the order of
// the rest, dropping empty segments and releasing the freed memory (shrink_to_fit). max_delay
// is kept (delay rings keep their size). Returns the number of synapses removed.
std::uint64_t prune_plastic(synapse_store& s, float below);
// Remove every synapse from or to a neuron i with marked[i] != 0 (marked: one entry per
// neuron), the same way. Returns the number removed.
std::uint64_t remove_synapses_of(synapse_store& s, std::span<const std::uint8_t> marked);

// A synapse to insert into a store (engine::add_synapses): row, plasticity class, delay,
// target, weight magnitude.
struct store_insertion {
    std::uint32_t pre = 0;
    std::uint8_t plastic = 0;
    std::uint8_t delay = 1;
    std::uint32_t target = 0;
    float weight = 0.0f;
};

// Sort `add` in row order and drop the entries whose (pre, class, delay, target) is already in
// the store or earlier in `add`; what is left is exactly what insert_synapses() adds. Returns
// the number of entries dropped. Entries must be valid (ids < neuron_count, delay and class
// known to the store): the engine checks them first.
std::uint64_t drop_existing(const synapse_store& s, std::vector<store_insertion>& add);

// Insert the entries left by drop_existing(), keeping every row in build_synapses() order and
// its segments maximal. Only the rows from the first one that grows to the end move (O(their
// synapses + neuron_count)); memory grows geometrically like a vector.
void insert_synapses(synapse_store& s, const std::vector<store_insertion>& add);

// Expected number of synapses of a validated spec (projections' mean counts + explicit ones).
double expected_synapses(const network_spec& spec);

// A conservative estimate of the bytes an engine for this validated spec allocates: synapse
// store, neuron state, per-thread delay rings and plasticity histories. Used to refuse a network
// that cannot fit before anything large is allocated.
std::uint64_t estimate_engine_bytes(const network_spec& spec, int threads);

// Build the store for a validated spec: random projections (counter-based RNG keyed by the
// seed, so the result does not depend on who builds it), then explicit synapses.
synapse_store build_synapses(const network_spec& spec);

}  // namespace hebllm::detail
