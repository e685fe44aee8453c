// SPDX-License-Identifier: MIT
#pragma once
// Pair-based STDP with per-neuron traces, and homeostatic thresholds (docs/model.md).
// Plasticity in step s reads traces decayed to s, before the increments of step s, so a pairing
// at distance k steps is weighted by exp(-k dt / tau); spikes in the same step do not pair.

#include <cstdint>

#include "core/kernels/hd.hpp"

namespace hebllm::kernels {

// Bounds and kind of the STDP rule; the amplitudes of a step (learning rate x modulation x A)
// are passed separately because lazy schemes apply updates of earlier steps.
struct stdp_bounds {
    double w_min = 0.0;
    double w_max = 1.0;
    bool multiplicative = false;
};

HEBLLM_HD inline double clamp_weight(double w, double lo, double hi) {
    return w < lo ? lo : (w > hi ? hi : w);
}

// Presynaptic spike on a synapse whose target has trace x_post: depression.
HEBLLM_HD inline float stdp_pre(float w, double x_post, double a_minus, const stdp_bounds& c) {
    const double wd = static_cast<double>(w);
    const double factor = c.multiplicative ? (wd - c.w_min) : 1.0;
    return static_cast<float>(clamp_weight(wd - a_minus * x_post * factor, c.w_min, c.w_max));
}

// Postsynaptic spike on a synapse whose source has trace x_pre: potentiation.
HEBLLM_HD inline float stdp_post(float w, double x_pre, double a_plus, const stdp_bounds& c) {
    const double wd = static_cast<double>(w);
    const double factor = c.multiplicative ? (c.w_max - wd) : 1.0;
    return static_cast<float>(clamp_weight(wd + a_plus * x_pre * factor, c.w_min, c.w_max));
}

// Traces in closed form. A neuron's trace is stored as its value right after its last spike
// (`after`, at step t_last) and right before it (`before`); at a later step s it is
// after * decay[s - t_last] with decay[k] = exp(-k dt / tau) from a table computed once, and 0
// beyond the table (decay below 1e-20). Evaluated at s == t_last it is the value before that
// step's increment. No per-step decay of every neuron is needed, and every backend evaluates
// the same products.
struct trace_table {
    const double* decay = nullptr;  // decay[k] = exp(-k dt / tau)
    std::int64_t size = 0;
};

inline constexpr std::int64_t never_spiked = -(std::int64_t{1} << 60);

// One neuron's trace state, split by who reads it. The target end of every plastic synapse
// reads `post_state` (16 bytes: last spike step and post trace), so the random accesses of
// propagation touch one small record (with the two last spike steps, lazy potentiation needs
// no other access in the common case of at most one postsynaptic spike to catch up on); the source
// end, read once per row, holds the pre trace. The postsynaptic trace is never read at the step of
// the neuron's own last spike (plasticity of step s runs before the spikes of s are recorded, and
// lazy schemes re-read presynaptic traces only), so it needs no `before` value.
struct alignas(32) post_state {
    std::int64_t last_spike = never_spiked;  // step of the last spike
    std::int64_t prev_spike = never_spiked;  // step of the spike before it
    double post_after = 0.0;                 // postsynaptic trace right after the last spike
    double unused = 0.0;                     // keeps the record at 32 bytes: one per half line
};
struct pre_state {
    double pre_after = 0.0;   // presynaptic trace right after the last spike
    double pre_before = 0.0;  // and right before it
    double spikes = 0.0;      // spikes so far (exact below 2^53): the metaplasticity clock
};

HEBLLM_HD inline double trace_at(std::int64_t s, std::int64_t t_last, double after, double before,
                                 const trace_table& t) {
    if (s == t_last) {
        return before;
    }
    const std::int64_t k = s - t_last;
    return k < t.size ? after * t.decay[k] : 0.0;
}

// Trace after a spike: all-to-all pairing adds `gain` (1 without metaplasticity),
// nearest-spike pairing sets it.
HEBLLM_HD inline double trace_spike(double x, bool nearest, double gain = 1.0) {
    return nearest ? gain : x + gain;
}

struct homeostasis_consts {
    double decay_rate = 1.0;     // exp(-dt / tau_rate)
    double spike_rate_hz = 0.0;  // rate-estimate increment per spike: 1000 / tau_rate_ms
    double gain = 0.0;           // threshold change per Hz of error in one step: eta * dt / 1000
    double target_hz = 0.0;
    double threshold_min = 0.0;
    double threshold_max = 0.0;
};

// One step of the homeostatic threshold: exponential rate estimate (Hz), then the threshold
// moves by gain * (rate - target), within bounds.
HEBLLM_HD inline void homeostasis_step(double& rate_hz, double& threshold, bool spiked,
                                       const homeostasis_consts& c) {
    rate_hz = rate_hz * c.decay_rate + (spiked ? c.spike_rate_hz : 0.0);
    threshold = clamp_weight(threshold + c.gain * (rate_hz - c.target_hz), c.threshold_min,
                             c.threshold_max);
}

}  // namespace hebllm::kernels
