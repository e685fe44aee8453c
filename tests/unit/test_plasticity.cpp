// SPDX-License-Identifier: MIT
// Traces, the STDP window and homeostasis against hand-computed values.
// Reference: the pair-based STDP rule of docs/model.md: a post spike k steps after a pre spike
// adds eta m A+ e^{-k dt/tau+}; a pre spike k steps after a post spike subtracts
// eta m A- e^{-k dt/tau-}; spikes in the same step do not pair. Weights are float32, so the
// tolerance is a few float ulp of the weight (1e-6).

#include <cmath>

#include <gtest/gtest.h>

#include <hebllm/engine.hpp>

#include "support/networks.hpp"

namespace hebllm {
namespace {

using test::lif_population;
using test::passive_lif;
using test::source_population;

// Two neurons: a spike source (pre) and a passive LIF neuron (post), one plastic synapse of
// weight w0 and delay 1 ms. Spikes of both are forced at the given steps.
network_spec pair_network(double w0, std::int64_t pre_step, std::int64_t post_step,
                          stdp_kind kind) {
    network_spec net;
    net.dt_ms = 1.0;
    net.populations = {source_population("pre", 1), lif_population("post", 1, passive_lif())};
    net.synapses = {{0, 1, w0, 1.0, true}};
    net.input_spikes = {{0, static_cast<double>(pre_step)}, {1, static_cast<double>(post_step)}};
    net.stdp.enabled = true;
    net.stdp.kind = kind;
    net.stdp.a_plus = 0.05;
    net.stdp.a_minus = 0.02;
    net.stdp.tau_plus_ms = 20.0;
    net.stdp.tau_minus_ms = 30.0;
    net.stdp.learning_rate = 1.0;
    return net;
}

double final_weight(const network_spec& net, const char* backend) {
    auto e = make_engine(net, backend);
    e->run(100.0);
    return e->synapses().at(0).weight;
}

TEST(plasticity, trace_decays_exponentially_after_a_spike) {
    network_spec net = pair_network(0.5, 0, 90, stdp_kind::additive);
    auto e = make_engine(net, "reference");
    e->step();
    EXPECT_DOUBLE_EQ(e->state().trace_pre[0], 1.0);
    for (int k = 1; k <= 50; ++k) {
        e->step();
        ASSERT_NEAR(e->state().trace_pre[0], std::exp(-k / 20.0), 1e-14) << k;
        ASSERT_NEAR(e->state().trace_post[0], std::exp(-k / 30.0), 1e-14) << k;
    }
}

TEST(plasticity, stdp_window_matches_the_pair_rule) {
    const double w0 = 0.5;
    for (const char* backend : {"reference", "cpu"}) {
        for (int delta = -40; delta <= 40; delta += 5) {
            const std::int64_t pre = 50;
            const std::int64_t post = 50 + delta;
            const double w =
                final_weight(pair_network(w0, pre, post, stdp_kind::additive), backend);
            double expected = w0;
            if (delta > 0) {
                expected += 0.05 * std::exp(-delta / 20.0);
            } else if (delta < 0) {
                expected -= 0.02 * std::exp(delta / 30.0);
            }
            EXPECT_NEAR(w, expected, 1e-6) << backend << " delta " << delta;
        }
    }
}

// Presynaptic metaplasticity: the pre neuron's k-th spike (k = 0, 1, ...) adds
// g_k = (1 + k / n0)^-p to its trace, so a post spike 5 steps after each of several widely
// spaced pre spikes potentiates by A+ g_k e^{-5/20}: pairings of a busy input count less.
TEST(plasticity, metaplasticity_decays_potentiation_with_the_inputs_spike_count) {
    const double w0 = 0.1;
    const double n0 = 2.0;
    const double power = 0.8;
    for (const char* backend : {"reference", "cpu"}) {
        network_spec net = pair_network(w0, 0, 0, stdp_kind::additive);
        net.input_spikes.clear();
        for (int k = 0; k < 6; ++k) {  // pre at 600k, post at 600k + 5: e^-30 of a trace is left
            net.input_spikes.push_back({0, 600.0 * k});
            net.input_spikes.push_back({1, 600.0 * k + 5.0});
        }
        net.stdp.a_minus = 0.0;
        net.stdp.metaplasticity_spikes = n0;
        net.stdp.metaplasticity_power = power;
        auto e = make_engine(net, backend);
        double expected = w0;
        for (int k = 0; k < 6; ++k) {
            e->run(600.0);
            expected += 0.05 * std::pow(1.0 + k / n0, -power) * std::exp(-5.0 / 20.0);
            ASSERT_NEAR(e->synapses().at(0).weight, expected, 1e-6) << backend << " pairing " << k;
        }
        // Off (n0 = 0): every pairing counts fully.
        net.stdp.metaplasticity_spikes = 0.0;
        auto off = make_engine(net, backend);
        off->run(3600.0);
        EXPECT_NEAR(off->synapses().at(0).weight, w0 + 6 * 0.05 * std::exp(-5.0 / 20.0), 1e-6)
            << backend;
    }
}

TEST(plasticity, multiplicative_stdp_scales_with_distance_to_bounds) {
    const double w0 = 0.8;
    const double up = final_weight(pair_network(w0, 10, 15, stdp_kind::multiplicative), "cpu");
    EXPECT_NEAR(up, w0 + 0.05 * (1.0 - w0) * std::exp(-5.0 / 20.0), 1e-6);
    const double down = final_weight(pair_network(w0, 15, 10, stdp_kind::multiplicative), "cpu");
    EXPECT_NEAR(down, w0 - 0.02 * (w0 - 0.0) * std::exp(-5.0 / 30.0), 1e-6);
}

TEST(plasticity, weights_stay_within_bounds) {
    network_spec net = pair_network(0.999, 10, 11, stdp_kind::additive);
    EXPECT_FLOAT_EQ(static_cast<float>(final_weight(net, "cpu")), 1.0f);
    net = pair_network(0.001, 11, 10, stdp_kind::additive);
    EXPECT_FLOAT_EQ(static_cast<float>(final_weight(net, "cpu")), 0.0f);
}

TEST(plasticity, neuromodulator_scales_the_learning_rate) {
    network_spec net = pair_network(0.5, 10, 15, stdp_kind::additive);
    net.neuromodulation.enabled = true;
    net.neuromodulation.kind = neuromodulation_kind::constant;
    net.neuromodulation.baseline = 2.5;
    EXPECT_NEAR(final_weight(net, "reference"), 0.5 + 2.5 * 0.05 * std::exp(-5.0 / 20.0), 1e-6);
    net.neuromodulation.baseline = 0.0;  // m = 0 switches learning off
    EXPECT_FLOAT_EQ(static_cast<float>(final_weight(net, "reference")), 0.5f);
}

TEST(plasticity, novelty_modulation_follows_the_original_formula) {
    // ORIGINAL.md §3.7: 0.5 novelty until five patterns are stored; a pattern never seen before
    // (Jaccard 0 with every stored one) gives novelty 1: m = clip(1.5 + 8, 0.1, 5) = 5; a step
    // with the same empty pattern as all stored ones gives novelty 0: m = 1.5.
    network_spec net;
    net.populations = {source_population("s", 4)};
    net.neuromodulation.enabled = true;
    net.input_spikes = {{0, 20.0}};
    auto e = make_engine(net, "cpu");
    e->step();
    EXPECT_DOUBLE_EQ(e->modulation(), 5.0);  // 1.5 + 8 * 0.5 = 5.5, clipped at 5
    e->run(10.0);
    EXPECT_DOUBLE_EQ(e->modulation(), 1.5);
    e->run(9.0);  // now at step 20: neuron 0 spikes, unlike the 10 compared steps
    e->step();
    EXPECT_DOUBLE_EQ(e->modulation(), 5.0);
    e->set_surprise(0.0);
    e->step();  // back to silence: 9 of 10 compared steps are silent -> novelty 0.1
    EXPECT_NEAR(e->modulation(), 1.5 + 8.0 * 0.1, 1e-12);
}

// A population of LIF neurons driven by a constant current; returns (rate in the first and in
// the last second, in Hz) with homeostasis on.
std::pair<double, double> homeostasis_rates(double amplitude, double target_hz,
                                            bool enabled = true) {
    network_spec net;
    net.dt_ms = 1.0;
    lif_params l = passive_lif(20.0);
    l.v_threshold = 1.0;
    l.refractory_ms = 2.0;
    l.homeostasis = true;
    net.populations = {lif_population("n", 10, l)};
    net.stimuli = {{stimulus_kind::current, 0, 10, 0.0, 1e9, 0.0, amplitude}};
    net.homeostasis.enabled = enabled;
    net.homeostasis.target_rate_hz = target_hz;
    net.homeostasis.tau_rate_ms = 500.0;
    net.homeostasis.eta = 0.05;
    auto e = make_engine(net, "cpu");
    e->run(1000.0);
    const double first = static_cast<double>(e->population_spike_counts()[0]) / 10.0;
    e->run(8000.0);
    e->clear_recording();
    e->run(1000.0);
    const double last = static_cast<double>(e->population_spike_counts()[0]) / 10.0;
    return {first, last};
}

TEST(plasticity, homeostasis_moves_rates_toward_the_target) {
    const double target = 10.0;
    // Strong drive: the rate starts far above the target and comes down.
    const auto [hi_first, hi_last] = homeostasis_rates(3.0, target);
    EXPECT_GT(hi_first, 40.0);
    EXPECT_LT(std::fabs(hi_last - target), 0.25 * std::fabs(hi_first - target));
    EXPECT_NEAR(hi_last, target, 3.0);
    // Drive below threshold: silent without homeostasis; with it the threshold drops until the
    // rate nears the target.
    EXPECT_EQ(homeostasis_rates(0.9, target, false).second, 0.0);
    const auto [lo_first, lo_last] = homeostasis_rates(0.9, target);
    EXPECT_NEAR(lo_last, target, 3.0);
}

}  // namespace
}  // namespace hebllm
