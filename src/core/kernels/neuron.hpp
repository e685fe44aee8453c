// SPDX-License-Identifier: MIT
#pragma once
// One neuron, one step: exact integration of the LIF membrane and its synaptic current,
// refractoriness, spike-triggered threshold adaptation and the threshold test
// (docs/model.md "Neuron"; step order in docs/step-order.md).

#include <cmath>
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
    bool instantaneous = true;    // tau_syn == 0: input jumps v
    bool spike_source = false;    // no dynamics: spikes only when forced
    bool escape = false;          // stochastic threshold (escape noise)
    double escape_width = 1.0;    // mV
    double escape_rate_dt = 0.0;  // escape_rate_hz * dt: hazard per step at the threshold
    double quiet = 0.0;           // lif_params::quiet_below (0: off)
    // Derived by set_escape() for escape_spike()'s quick rejection: log2(e) / escape_width and
    // log2(escape_rate_dt * 2^32) + 1.
    double escape_log2_gain = 0.0;
    double escape_log2_floor = 0.0;
};

// exp(x) with the same bits on every backend (no libm): x = k ln2 + r with |r| <= ln2 / 2,
// e^r from its Taylor polynomial to degree 13 (relative error below 1e-15), times 2^k.
// Arguments below -700 give 0, above 700 give exp(700); NaN gives 0 (the conversion to an
// integer below would be undefined), so a NaN hazard never fires.
HEBLLM_HD inline double portable_exp(double x) {
    if (!(x >= -700.0)) {
        return 0.0;
    }
    if (x > 700.0) {
        x = 700.0;
    }
    constexpr double ln2_hi = 6.93147180369123816490e-01;
    constexpr double ln2_lo = 1.90821492927058770002e-10;
    constexpr double inv_ln2 = 1.44269504088896338700e+00;
    const double kd = x * inv_ln2;
    const std::int64_t k = static_cast<std::int64_t>(kd < 0.0 ? kd - 0.5 : kd + 0.5);
    const double r = (x - static_cast<double>(k) * ln2_hi) - static_cast<double>(k) * ln2_lo;
    double p = 1.0 / 6227020800.0;  // 1/13!
    constexpr double inv_fact[] = {1.0 / 479001600.0,
                                   1.0 / 39916800.0,
                                   1.0 / 3628800.0,
                                   1.0 / 362880.0,
                                   1.0 / 40320.0,
                                   1.0 / 5040.0,
                                   1.0 / 720.0,
                                   1.0 / 120.0,
                                   1.0 / 24.0,
                                   1.0 / 6.0,
                                   0.5,
                                   1.0,
                                   1.0};
    for (const double c : inv_fact) {
        p = p * r + c;
    }
    // 2^k by building the double's exponent directly (k in [-1010, 1010]), in two halves so
    // that each factor stays a normal number.
    const std::int64_t k1 = k / 2;
    const std::int64_t k2 = k - k1;
    const auto pow2 = [](std::int64_t e) {
        const std::uint64_t bits = static_cast<std::uint64_t>(e + 1023) << 52;
        double d = 0.0;
        static_assert(sizeof d == sizeof bits);
        __builtin_memcpy(&d, &bits, sizeof d);
        return d;
    };
    return p * pow2(k1) * pow2(k2);
}

// The escape-noise decision: spike when draw < p * 2^32, p = 1 - exp(-h),
// h = rate_dt * exp((v - threshold) / width) (the series below h = 1e-3).
HEBLLM_HD inline bool escape_spike_exact(double v, double threshold, std::uint32_t draw,
                                         const neuron_consts& c) {
    const double hazard = c.escape_rate_dt * portable_exp((v - threshold) / c.escape_width);
    // p = 1 - e^-h; below h = 1e-3 (nearly every neuron, nearly every step) by its series,
    // which is also more accurate there (relative error < h^4/120 < 1e-14) than the
    // cancelling difference, and saves the second exponential.
    const double p =
        hazard < 1e-3
            ? hazard * (1.0 - hazard * (0.5 - hazard * (1.0 / 6.0 - hazard * (1.0 / 24.0))))
            : 1.0 - portable_exp(-hazard);
    return static_cast<double>(draw) < p * 4294967296.0;
}

// The same decision, exactly, usually without an exponential. A draw d >= 1 is at least
// 2^b, b = floor(log2 d) (its top bit); p <= h = rate_dt e^x with x = (v - threshold) / width, so
// b >= log2(rate_dt 2^32) + x log2(e) + 1 means d >= 2 h 2^32 > p 2^32: no spike. The margin of
// 1 (a factor 2) covers the rounding of every quantity involved (portable_exp and the series are
// within 1e-14 of their true values; the test's own rounding is below 1e-12), so the test never
// rejects a draw the formula would accept. At rest a neuron's p is small (1e-4 for the learner's
// outputs) and nearly every draw is rejected by one multiply-add and a comparison.
HEBLLM_HD inline int top_bit(std::uint32_t x) {  // floor(log2 x), x >= 1
#if defined(__CUDA_ARCH__)
    return 31 - __clz(x);
#else
    return 31 - __builtin_clz(x);
#endif
}

HEBLLM_HD inline bool escape_spike(double v, double threshold, std::uint32_t draw,
                                   const neuron_consts& c) {
    if (draw != 0 && static_cast<double>(top_bit(draw)) >=
                         (v - threshold) * c.escape_log2_gain + c.escape_log2_floor) {
        return false;
    }
    return escape_spike_exact(v, threshold, draw, c);
}

// Escape-noise constants: width (mV) and hazard per step at the threshold, and the two derived
// ones of escape_spike()'s test (host only: std::log2).
inline void set_escape(neuron_consts& c, double width, double rate_dt) {
    c.escape = true;
    c.escape_width = width;
    c.escape_rate_dt = rate_dt;
    c.escape_log2_gain = 1.4426950408889634 / width;  // log2(e) / width
    // log2(rate_dt 2^32) + 1; rate 0 gives -inf: every draw but 0 is rejected, and 0 never
    // spikes either (p = 0).
    c.escape_log2_floor = rate_dt > 0.0 ? std::log2(rate_dt) + 33.0 : -HUGE_VAL;
}

enum class update_result : std::uint8_t { none, spike, forced_dropped };

// Advance one neuron by one step and test its threshold.
// v, i_syn, theta, refractory are updated in place. i_ext: external current in this step.
// forced: an input forces a spike (ignored, and reported, while refractory).
// On a spike the caller later sets refractory (already done here) and resets v (reset_neuron),
// so that input delivered in the same step sees the neuron as refractory.
// draw: a uniform 32-bit word, used only by escape-noise neurons.
HEBLLM_HD inline update_result update_neuron(double& v, double& i_syn, double& theta,
                                             std::int32_t& refractory, double threshold,
                                             double i_ext, bool forced, std::uint32_t draw,
                                             const neuron_consts& c) {
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
    if (c.quiet > 0.0 && !refractory_now) {
        // Settling: the remainders below `quiet` are set to their limits exactly.
        if (!c.instantaneous && i_syn < c.quiet && i_syn > -c.quiet) {
            i_syn = 0.0;
        }
        const double v_inf = c.v_rest + c.resistance * (c.bias + i_ext);
        if ((c.instantaneous || i_syn == 0.0) && v - v_inf < c.quiet && v_inf - v < c.quiet) {
            v = v_inf;
        }
    }
    if (refractory_now) {
        return forced ? update_result::forced_dropped : update_result::none;
    }
    bool spike = forced;
    if (!spike && c.escape) {
        spike = escape_spike(v, threshold + theta, draw, c);
    } else if (!spike) {
        spike = v > threshold + theta;
    }
    if (spike) {
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
