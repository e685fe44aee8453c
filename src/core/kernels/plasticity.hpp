// SPDX-License-Identifier: MIT
#pragma once
// Pair-based STDP with per-neuron traces, and homeostatic thresholds (docs/model.md).
// Traces are decayed at the start of a step (before plasticity) and incremented after it, so a
// pairing at distance k steps is weighted exactly by exp(-k dt / tau); spikes in the same step
// do not pair.

#include <cstdint>

#include "core/kernels/hd.hpp"

namespace hebllm::kernels {

// Constants of one step's STDP (amplitudes already multiplied by learning rate and modulation).
struct stdp_consts {
    double a_plus = 0.0;   // potentiation amplitude this step
    double a_minus = 0.0;  // depression amplitude this step
    double w_min = 0.0;
    double w_max = 1.0;
    bool multiplicative = false;
};

HEBLLM_HD inline double clamp_weight(double w, double lo, double hi) {
    return w < lo ? lo : (w > hi ? hi : w);
}

// Presynaptic spike on a synapse whose target has trace x_post: depression.
HEBLLM_HD inline float stdp_pre(float w, double x_post, const stdp_consts& c) {
    const double wd = static_cast<double>(w);
    const double factor = c.multiplicative ? (wd - c.w_min) : 1.0;
    return static_cast<float>(clamp_weight(wd - c.a_minus * x_post * factor, c.w_min, c.w_max));
}

// Postsynaptic spike on a synapse whose source has trace x_pre: potentiation.
HEBLLM_HD inline float stdp_post(float w, double x_pre, const stdp_consts& c) {
    const double wd = static_cast<double>(w);
    const double factor = c.multiplicative ? (c.w_max - wd) : 1.0;
    return static_cast<float>(clamp_weight(wd + c.a_plus * x_pre * factor, c.w_min, c.w_max));
}

// Trace after a spike: all-to-all pairing adds 1, nearest-spike pairing sets 1.
HEBLLM_HD inline double trace_spike(double x, bool nearest) {
    return nearest ? 1.0 : x + 1.0;
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
