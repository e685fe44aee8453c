// SPDX-License-Identifier: MIT
#pragma once
// Networks and helpers of the equivalence tests: each config has STDP, homeostasis and
// neuromodulation on, delays of 1-5 steps and >= 2,000 neurons.

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <hebllm/engine.hpp>

#include "support/networks.hpp"

namespace hebllm::test {

struct config {
    std::string name;
    network_spec net;
    input_fn input;
};

// 1) The original HebSNN layout (make_hebsnn) at 2,000 neurons, driven by Poisson input on
//    rotating sensory groups, instantaneous synapses, additive all-to-all STDP, novelty modulation.
inline config hebsnn_config() {
    config c;
    c.name = "hebsnn";
    c.net = make_hebsnn(250, 1250, 250, 250, 0.1, 7);
    c.net.stimuli.push_back({stimulus_kind::poisson, 0, 250, 0.0, 500.0, 40.0, 0.0});
    c.net.homeostasis.eta = 0.01;
    c.input = [](std::int64_t step, double, input_sink& in) {
        const auto group = static_cast<std::uint32_t>((step / 50) % 10);
        if (step % 50 < 20) {
            for (std::uint32_t k = 0; k < 5; ++k) {
                in.spike(group * 25 + k);
            }
        }
    };
    return c;
}

// 2) An 80/20 E/I network with exponential synapses, fixed out-degree, multiplicative nearest-
//    spike STDP on E->E, homeostasis on E, random initial v, bias drive, dt 0.5 ms.
inline config ei_config() {
    config c;
    c.name = "ei_exponential";
    network_spec& net = c.net;
    net.dt_ms = 0.5;
    net.seed = 12345;
    lif_params l;
    l.tau_m_ms = 20.0;
    l.tau_syn_ms = 5.0;
    l.v_rest = 0.0;
    l.v_reset = 0.0;
    l.v_threshold = 20.0;
    l.refractory_ms = 2.0;
    l.v_init_min = 0.0;
    l.v_init_max = 20.0;
    l.bias_current = 18.0;
    l.homeostasis = true;
    population e = lif_population("E", 1600, l);
    lif_params li = l;
    li.homeostasis = false;
    li.tau_syn_ms = 20.0;   // equal to tau_m: the degenerate exact solution
    li.escape_width = 1.0;  // stochastic threshold (escape noise)
    li.escape_rate_hz = 200.0;
    population i = lif_population("I", 400, li, true);
    net.populations = {e, i};
    const auto proj = [](const char* s, const char* t, std::uint32_t k, double w, bool plastic) {
        projection p;
        p.source = s;
        p.target = t;
        p.rule = connect_rule_kind::fixed_outdegree;
        p.outdegree = k;
        p.weight = {weight_dist_kind::normal, w, 0.2 * w, 1.0, 0.0, 10.0};
        p.delay_min_ms = 0.5;
        p.delay_max_ms = 2.5;
        p.plastic = plastic;
        return p;
    };
    net.projections = {proj("E", "E", 160, 0.5, true), proj("E", "I", 40, 0.5, false),
                       proj("I", "E", 160, 2.5, false), proj("I", "I", 40, 2.5, false)};
    net.stdp.enabled = true;
    net.stdp.kind = stdp_kind::multiplicative;
    net.stdp.pairing = stdp_pairing_kind::nearest;
    net.stdp.w_max = 1.0;
    net.stdp.a_plus = 0.01;
    net.stdp.a_minus = 0.012;
    net.stdp.metaplasticity_spikes = 5.0;  // presynaptic metaplasticity, nearest pairing
    net.stdp.metaplasticity_power = 0.7;
    net.homeostasis.enabled = true;
    net.homeostasis.target_rate_hz = 8.0;
    net.homeostasis.eta = 0.02;
    net.neuromodulation.enabled = true;
    net.neuromodulation.kind = neuromodulation_kind::novelty;
    net.neuromodulation.baseline = 0.5;
    net.neuromodulation.w_novelty = 1.0;
    net.neuromodulation.m_max = 2.0;
    net.stimuli.push_back({stimulus_kind::poisson, 0, 1600, 0.0, 600.0, 5.0, 0.0});
    // Brian2-style Poisson input on every neuron (E and I), excitatory and inhibitory events.
    net.stimuli.push_back({stimulus_kind::poisson_input, 0, 2000, 0.0, 600.0, 20.0, 0.4, 50});
    net.stimuli.push_back({stimulus_kind::poisson_input, 1000, 1000, 100.0, 600.0, 10.0, -0.6, 30});
    return c;
}

// 3) Spike-source input population projecting (Bernoulli) into a recurrent LIF network with
//    mixed synapse types, current pulses from a callback, adaptation, surprise and reward.
inline config mixed_config() {
    config c;
    c.name = "mixed";
    network_spec& net = c.net;
    net.dt_ms = 1.0;
    net.seed = 99;
    population in = source_population("in", 200);
    lif_params a = default_lif_params(population_kind::associative);
    a.homeostasis = true;
    a.v_init_min = -0.1;
    a.v_init_max = 0.5;
    population assoc = lif_population("assoc", 1500, a);
    assoc.kind = population_kind::associative;
    lif_params inh = default_lif_params(population_kind::inhibitory);
    inh.tau_syn_ms = 3.0;
    population ip = lif_population("inh", 300, inh, true);
    net.populations = {in, assoc, ip};
    const auto proj = [](const char* s, const char* t, double p, double scale, bool plastic) {
        projection pr;
        pr.source = s;
        pr.target = t;
        pr.density = p;
        pr.weight = {weight_dist_kind::lognormal, -2.3, 0.5, scale, 0.0, 1.0};
        pr.delay_min_ms = 1.0;
        pr.delay_max_ms = 5.0;
        pr.plastic = plastic;
        pr.stdp_scale = scale;  // two plasticity classes
        return pr;
    };
    net.projections = {proj("in", "assoc", 0.05, 1.5, true),
                       proj("assoc", "assoc", 0.05, 0.2, true),
                       proj("assoc", "inh", 0.1, 0.8, false), proj("inh", "assoc", 0.1, 2.5, false),
                       proj("inh", "inh", 0.05, 0.5, false)};
    // Anti-Hebbian plastic inhibition (a negative scale: a third plasticity class).
    net.projections[3].plastic = true;
    net.projections[3].stdp_scale = -2.5;
    net.stdp.enabled = true;
    net.stdp.metaplasticity_spikes = 20.0;  // presynaptic metaplasticity, all-to-all pairing
    net.stdp.metaplasticity_power = 0.5;
    net.homeostasis.enabled = true;
    net.homeostasis.target_rate_hz = 5.0;
    net.homeostasis.eta = 0.01;
    net.neuromodulation.enabled = true;
    // The trainer sets m itself, with both signs (anti-Hebbian phases).
    net.neuromodulation.kind = neuromodulation_kind::external;
    net.stimuli.push_back({stimulus_kind::poisson, 0, 200, 0.0, 700.0, 20.0, 0.0});
    c.input = [](std::int64_t step, double t, input_sink& sink) {
        if (step % 97 < 5) {
            for (std::uint32_t k = 0; k < 50; ++k) {
                sink.current(200 + (static_cast<std::uint32_t>(step) * 13 + k * 7) % 1500, 0.3);
            }
        }
        if (t > 300.0 && step % 40 == 0) {
            sink.spike(1700 + static_cast<std::uint32_t>(step % 300));
        }
    };
    return c;
}

struct outcome {
    std::vector<spike_event> spikes;
    std::vector<synapse_view> synapses;
    neuron_state state;
    run_stats stats;
};

// Runs c on e for duration_ms with the test's neuromodulation inputs.
inline outcome drive(engine& eng, const config& c, double duration_ms) {
    for (std::int64_t s = 0; s < static_cast<std::int64_t>(duration_ms / c.net.dt_ms); ++s) {
        if (s % 100 == 50) {
            eng.set_surprise(0.5);
            eng.set_reward(0.25);
        }
        if (c.net.neuromodulation.kind == neuromodulation_kind::external && s % 30 == 0) {
            eng.set_modulation(s % 90 == 0 ? -0.7 : 1.3);
        }
        eng.step(c.input);
    }
    return {eng.spikes(), eng.synapses(), eng.state(), eng.stats()};
}

// every_path: the cpu backend's parallel thresholds at 0, so that every phase (neuron update,
// delivery, flushes, propagation) runs on all threads however small the network.
inline outcome simulate(const config& c, const char* backend, int threads, double duration_ms,
                        bool every_path = false) {
    engine_options opt;
    opt.threads = threads;
    if (every_path) {
        opt.parallel_neurons = 0;
        opt.parallel_events = 0;
    }
    auto e = make_engine(c.net, backend, opt);
    return drive(*e, c, duration_ms);
}

inline bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

inline void expect_identical(const outcome& ref, const outcome& got, const std::string& what) {
    ASSERT_EQ(ref.spikes.size(), got.spikes.size()) << what;
    for (std::size_t k = 0; k < ref.spikes.size(); ++k) {
        ASSERT_EQ(ref.spikes[k], got.spikes[k])
            << what << ": first different spike #" << k << ": reference (" << ref.spikes[k].neuron
            << ", step " << ref.spikes[k].step << ") vs (" << got.spikes[k].neuron << ", step "
            << got.spikes[k].step << ")";
    }
    ASSERT_EQ(ref.synapses.size(), got.synapses.size()) << what;
    std::size_t differing = 0;
    for (std::size_t k = 0; k < ref.synapses.size(); ++k) {
        const auto& a = ref.synapses[k];
        const auto& b = got.synapses[k];
        if (a.pre != b.pre || a.post != b.post || a.delay_steps != b.delay_steps ||
            std::memcmp(&a.weight, &b.weight, sizeof(float)) != 0) {
            ++differing;
        }
    }
    EXPECT_EQ(differing, 0u) << what << ": synapses differing from the reference";
    EXPECT_TRUE(same_bits(ref.state.v, got.state.v)) << what << ": v";
    EXPECT_TRUE(same_bits(ref.state.i_syn, got.state.i_syn)) << what << ": i_syn";
    EXPECT_TRUE(same_bits(ref.state.threshold, got.state.threshold)) << what << ": threshold";
    EXPECT_TRUE(same_bits(ref.state.theta, got.state.theta)) << what << ": theta";
    EXPECT_TRUE(same_bits(ref.state.trace_pre, got.state.trace_pre)) << what << ": trace_pre";
    EXPECT_TRUE(same_bits(ref.state.trace_post, got.state.trace_post)) << what << ": trace_post";
    EXPECT_TRUE(same_bits(ref.state.rate_hz, got.state.rate_hz)) << what << ": rate";
    EXPECT_EQ(ref.state.refractory_steps, got.state.refractory_steps) << what;
    EXPECT_EQ(ref.stats.synaptic_events, got.stats.synaptic_events) << what;
    EXPECT_EQ(ref.stats.plasticity_updates, got.stats.plasticity_updates) << what;
}

}  // namespace hebllm::test
