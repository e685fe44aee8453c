// SPDX-License-Identifier: MIT
#pragma once
// The per-warp work of the cuda backend's kernels, written once: cuda_device.cu runs it with
// one warp per spike (lane = lane id, lanes = 32, atomic ring additions); the host emulation
// (cuda_device_emulated.cpp, tested on every build) runs it with one lane. The per-element
// arithmetic is the shared kernels of src/core/kernels/ (docs/dev/cuda-backend.md).

#include <cstdint>

#include "core/kernels/fixed_point.hpp"
#include "core/kernels/hd.hpp"
#include "core/kernels/plasticity.hpp"
#include "core/synapse_store.hpp"

namespace hebllm::cuda_rows {

// STDP amplitudes of one plasticity class in the current step (amplitude x class scale).
struct stdp_class {
    double a_minus = 0.0;
    double a_plus = 0.0;
    kernels::stdp_bounds bounds{};
};

// Two's-complement addition of a fixed-point value: integer, so the order does not matter.
HEBLLM_HD inline void ring_add(unsigned long long* p, std::int64_t q) {
#if defined(__CUDA_ARCH__)
    atomicAdd(p, static_cast<unsigned long long>(q));
#else
    *p += static_cast<unsigned long long>(q);
#endif
}

struct store_view {
    const std::uint64_t* row_begin;
    const std::uint32_t* segment_begin;
    const detail::synapse_segment* segments;
    const std::uint32_t* target;
    float* weight;
    const std::uint8_t* negative;
};

// Row of spiking neuron j, synapses lane, lane + lanes, ... of each segment: its weight into ring
// slot (step + delay) & slot_mask; with stdp, a plastic synapse is then depressed against its
// target's post trace at this step (reference_engine's phase 4, presynaptic part).
HEBLLM_HD inline void propagate_row(std::uint32_t j, unsigned lane, unsigned lanes,
                                    const store_view& s, unsigned long long* ring, std::uint32_t n,
                                    std::uint64_t slot_mask, std::int64_t step,
                                    const stdp_class* classes, bool stdp,
                                    const kernels::post_state* post,
                                    const kernels::trace_table& post_table) {
    const bool neg = s.negative[j] != 0;
    std::uint64_t begin = s.row_begin[j];
    for (std::uint32_t g = s.segment_begin[j]; g < s.segment_begin[j + 1]; ++g) {
        const detail::synapse_segment seg = s.segments[g];
        const std::uint64_t slot = static_cast<std::uint64_t>(step + seg.delay) & slot_mask;
        unsigned long long* base = ring + slot * n;
        const bool plastic = stdp && seg.plastic != 0;
        for (std::uint64_t k = begin + lane; k < seg.end; k += lanes) {
            const std::uint32_t t = s.target[k];
            const float wk = s.weight[k];
            ring_add(base + t, kernels::to_fixed(wk, neg));
            if (plastic) {
                const stdp_class& c = classes[seg.plastic];
                const kernels::post_state p = post[t];
                const double x_post =
                    kernels::trace_at(step, p.last_spike, p.post_after, 0.0, post_table);
                s.weight[k] = kernels::stdp_pre(wk, x_post, c.a_minus, c.bounds);
            }
        }
        begin = seg.end;
    }
}

struct incoming_view {
    const std::uint64_t* begin;    // [n + 1]
    const std::uint64_t* synapse;  // [plastic synapses] synapse index
    const std::uint32_t* source;   // its source neuron
    const std::uint8_t* cls;       // its plasticity class
};

// Plastic synapses onto spiking neuron i, entries lane, lane + lanes, ...: potentiation against
// the source's pre trace at this step (phase 4, postsynaptic part).
HEBLLM_HD inline void potentiate_target(std::uint32_t i, unsigned lane, unsigned lanes,
                                        const incoming_view& in, float* weight,
                                        const stdp_class* classes, std::int64_t step,
                                        const kernels::post_state* post,
                                        const kernels::pre_state* pre,
                                        const kernels::trace_table& pre_table) {
    for (std::uint64_t e = in.begin[i] + lane; e < in.begin[i + 1]; e += lanes) {
        const std::uint32_t j = in.source[e];
        const std::uint64_t k = in.synapse[e];
        const stdp_class& c = classes[in.cls[e]];
        const double x_pre = kernels::trace_at(step, post[j].last_spike, pre[j].pre_after,
                                               pre[j].pre_before, pre_table);
        weight[k] = kernels::stdp_post(weight[k], x_pre, c.a_plus, c.bounds);
    }
}

}  // namespace hebllm::cuda_rows
