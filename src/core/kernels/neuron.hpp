// SPDX-License-Identifier: MIT
#pragma once
// One neuron, one step: exact integration of the LIF membrane and its synaptic current,
// refractoriness, spike-triggered threshold adaptation and the threshold test
// (docs/model.md "Neuron"; step order in docs/step-order.md).

#include <cstdint>

#include "core/kernels/hd.hpp"

namespace hebllm::kernels {

// Per-population constants, computed once from lif_params and dt (see make_neuron_consts).
struct neuron_consts {
    double v_rest = 0.0;       // mV
    double v_reset = 0.0;      // mV
    double resistance = 1.0;   // R
    double bias = 0.0;         // constant current
    double decay_m = 0.0;      // exp(-dt / tau_m)
    double decay_syn = 0.0;    // exp(-dt / tau_syn); 0 for instantaneous synapses
    double syn_to_v = 0.0;     // v gain per unit of I over one step (exact solution)
    double decay_theta = 1.0;  // exp(-dt / adapt_tau)
    double adapt_increment = 0.0;
    std::int32_t refractory_steps = 0;
    bool instantaneous = true;  // tau_syn == 0: input jumps v
    bool spike_source = false;  // no dynamics: spikes only when forced
};

enum class update_result : std::uint8_t { none, spike, forced_dropped };

// Advance one neuron by one step and test its threshold.
// v, i_syn, theta, refractory are updated in place. i_ext: external current in this step.
// forced: an input forces a spike (ignored, and reported, while refractory).
// On a spike the caller later sets refractory (already done here) and resets v (reset_neuron),
// so that input delivered in the same step sees the neuron as refractory.
HEBLLM_HD inline update_result update_neuron(double& v, double& i_syn, double& theta,
                                             std::int32_t& refractory, double threshold,
                                             double i_ext, bool forced, const neuron_consts& c) {
    if (c.spike_source) {
        return forced ? update_result::spike : update_result::none;
    }
    theta = theta * c.decay_theta;
    if (refractory > 0) {
        refractory = refractory - 1;
    }
    const bool refractory_now = refractory > 0;
    if (!refractory_now) {
        // v(t+dt) = v_inf + (v - v_inf) e^{-dt/tau_m} + R I(t) k, with v_inf = v_rest + R(bias +
        // i_ext)
        const double v_inf = c.v_rest + c.resistance * (c.bias + i_ext);
        double v_new = v_inf + (v - v_inf) * c.decay_m;
        if (!c.instantaneous) {
            v_new = v_new + c.resistance * i_syn * c.syn_to_v;
        }
        v = v_new;
    }
    if (!c.instantaneous) {
        i_syn = i_syn * c.decay_syn;
    }
    if (refractory_now) {
        return forced ? update_result::forced_dropped : update_result::none;
    }
    if (forced || v > threshold + theta) {
        refractory = c.refractory_steps;
        return update_result::spike;
    }
    return update_result::none;
}

// Deliver the synaptic input summed for this step (after the threshold test, before reset).
// Instantaneous synapses add to v, except while refractory (including the step of a spike);
// exponential synapses add to the current.
HEBLLM_HD inline void deliver_input(double& v, double& i_syn, std::int32_t refractory, double input,
                                    const neuron_consts& c) {
    if (c.instantaneous) {
        if (refractory == 0) {
            v = v + input;
        }
    } else {
        i_syn = i_syn + input;
    }
}

// Reset after a spike.
HEBLLM_HD inline void reset_neuron(double& v, double& theta, const neuron_consts& c) {
    v = c.v_reset;
    theta = theta + c.adapt_increment;
}

}  // namespace hebllm::kernels
