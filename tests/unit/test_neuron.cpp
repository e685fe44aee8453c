// SPDX-License-Identifier: MIT
// The LIF neuron against its closed-form solution, refractoriness and delay delivery.
// Reference: the analytic solution of the linear ODEs (docs/model.md "Neuron"). Tolerance:
// exact integration multiplies by exp(-dt/tau) once per step, so after k steps the relative
// error is about k ulp; 1e-12 absolute on values of order 1 mV is generous and still catches
// any Euler-like error (which would be ~1e-3).

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <hebllm/engine.hpp>
#include <hebllm/errors.hpp>

#include "support/networks.hpp"

namespace hebllm {
namespace {

using test::lif_population;
using test::passive_lif;
using test::source_population;

TEST(neuron, membrane_under_constant_current_follows_closed_form) {
    for (const char* backend : {"reference", "cpu"}) {
        network_spec net;
        net.dt_ms = 0.125;  // a power of two: t = k * dt is exact
        lif_params l = passive_lif(10.0);
        l.v_rest = -0.5;
        l.v_init_min = l.v_init_max = 0.25;
        net.populations = {lif_population("n", 1, l)};
        const double amplitude = 2.0;
        net.stimuli = {{stimulus_kind::current, 0, 1, 0.0, 1000.0, 0.0, amplitude}};
        auto e = make_engine(net, backend);
        const double v_inf = l.v_rest + amplitude;
        for (int k = 1; k <= 400; ++k) {
            e->step();
            const double t = k * net.dt_ms;
            const double expected = v_inf + (0.25 - v_inf) * std::exp(-t / l.tau_m_ms);
            ASSERT_NEAR(e->state().v[0], expected, 1e-12) << backend << " step " << k;
        }
    }
}

TEST(neuron, exponential_synapse_psp_follows_closed_form) {
    // One spike over a synapse of weight w and delay D steps, emitted at step 0: I jumps by w at
    // the end of step D, so after the update of step D + k the membrane shows the PSP at t = k dt:
    // v(t) = w tau_s / (tau_s - tau_m) (e^{-t/tau_s} - e^{-t/tau_m}).
    for (const double tau_syn : {5.0, 20.0}) {  // 20 = tau_m: the degenerate case t/tau e^{-t/tau}
        network_spec net;
        net.dt_ms = 0.25;
        net.populations = {source_population("in", 1),
                           lif_population("n", 1, passive_lif(20.0, tau_syn))};
        const double w = 0.75;
        const int delay = 3;
        net.synapses = {{0, 1, w, delay * net.dt_ms, false}};
        net.input_spikes = {{0, 0.0}};
        for (const char* backend : {"reference", "cpu"}) {
            auto e = make_engine(net, backend);
            for (int s = 0; s <= delay; ++s) {
                e->step();
                ASSERT_EQ(e->state().v[1], 0.0) << "no input may arrive before the end of step D";
            }
            EXPECT_DOUBLE_EQ(e->state().i_syn[1], w);
            for (int k = 1; k <= 200; ++k) {
                e->step();
                const double t = k * net.dt_ms;
                const double expected = tau_syn == 20.0
                                            ? w * t / 20.0 * std::exp(-t / 20.0)
                                            : w * tau_syn / (tau_syn - 20.0) *
                                                  (std::exp(-t / tau_syn) - std::exp(-t / 20.0));
                ASSERT_NEAR(e->state().v[1], expected, 1e-12)
                    << backend << " tau_syn " << tau_syn << " k " << k;
            }
        }
    }
}

TEST(neuron, instantaneous_synapse_jumps_v_at_end_of_step_n_plus_delay) {
    network_spec net;
    net.dt_ms = 1.0;
    net.populations = {source_population("in", 1), lif_population("n", 1, passive_lif(20.0))};
    net.synapses = {{0, 1, 0.5, 4.0, false}};
    net.input_spikes = {{0, 2.0}};  // spike at step 2, arrives at the end of step 6
    auto e = make_engine(net, "cpu");
    for (int s = 0; s <= 5; ++s) {
        e->step();
        EXPECT_EQ(e->state().v[1], 0.0) << "step " << s;
    }
    e->step();  // step 6
    EXPECT_DOUBLE_EQ(e->state().v[1], 0.5);
    e->step();
    EXPECT_NEAR(e->state().v[1], 0.5 * std::exp(-1.0 / 20.0), 1e-15);
    EXPECT_EQ(e->stats().synaptic_events, 1u);
}

TEST(neuron, refractory_period_freezes_v_for_r_minus_one_steps) {
    // A neuron forced to spike at step 0 with refractory 2 ms at dt 0.1 ms (R = 20 steps) keeps
    // v = v_reset during steps 1..19 and integrates again from step 20 (Brian2's convention).
    network_spec net;
    net.dt_ms = 0.1;
    lif_params l = passive_lif(20.0);
    l.refractory_ms = 2.0;
    l.v_reset = -1.0;
    net.populations = {lif_population("n", 1, l)};
    net.stimuli = {{stimulus_kind::current, 0, 1, 0.0, 100.0, 0.0, 3.0}};
    net.input_spikes = {{0, 0.0}};
    auto e = make_engine(net, "reference");
    e->step();
    ASSERT_EQ(e->last_spikes().size(), 1u);
    EXPECT_EQ(e->state().v[0], -1.0);
    for (int k = 1; k <= 19; ++k) {
        e->step();
        EXPECT_EQ(e->state().v[0], -1.0) << "step " << k;
    }
    e->step();
    const double v_inf = 3.0;
    EXPECT_NEAR(e->state().v[0], v_inf + (-1.0 - v_inf) * std::exp(-0.1 / 20.0), 1e-12);
}

TEST(neuron, forced_spike_on_refractory_neuron_is_dropped_and_counted) {
    network_spec net;
    lif_params l = passive_lif(20.0);
    l.refractory_ms = 3.0;
    net.populations = {lif_population("n", 1, l)};
    net.input_spikes = {{0, 0.0}, {0, 1.0}, {0, 2.0}, {0, 3.0}};
    auto e = make_engine(net, "cpu");
    e->run(5.0);
    ASSERT_EQ(e->spikes().size(), 2u);
    EXPECT_EQ(e->spikes()[0].step, 0);
    EXPECT_EQ(e->spikes()[1].step, 3);
    EXPECT_EQ(e->stats().forced_spikes_dropped, 2u);
}

TEST(neuron, threshold_crossing_is_strict_and_resets) {
    // v_inf = 1.0 exactly at threshold 1.0 is never crossed; slightly above is.
    network_spec net;
    lif_params l = passive_lif(10.0);
    l.v_threshold = 1.0;
    l.refractory_ms = 0.0;
    l.v_reset = 0.0;
    net.populations = {lif_population("a", 1, l), lif_population("b", 1, l)};
    net.stimuli = {{stimulus_kind::current, 0, 1, 0.0, 1e6, 0.0, 1.0},
                   {stimulus_kind::current, 1, 1, 0.0, 1e6, 0.0, 1.5}};
    auto e = make_engine(net, "cpu");
    e->run(200.0);
    const auto counts = e->population_spike_counts();
    EXPECT_EQ(counts[0], 0u);
    // Period of the driven neuron: t* = tau ln(v_inf / (v_inf - thr)) = 10 ln 3 = 10.99 ms,
    // so a spike every 11 steps: 200 / 11 = 18 spikes.
    EXPECT_EQ(counts[1], 18u);
}

TEST(neuron, adaptation_raises_threshold_by_increment_and_decays) {
    network_spec net;
    lif_params l = passive_lif(20.0);
    l.adapt_increment = 0.1;
    l.adapt_tau_ms = 50.0;
    net.populations = {lif_population("n", 1, l)};
    net.input_spikes = {{0, 0.0}};
    auto e = make_engine(net, "reference");
    e->step();
    EXPECT_DOUBLE_EQ(e->state().theta[0], 0.1);
    e->run(10.0);
    EXPECT_NEAR(e->state().theta[0], 0.1 * std::exp(-10.0 / 50.0), 1e-15);
}

TEST(neuron, cheap_reads_of_potentials_and_currents_match_state) {
    for (const char* backend : {"reference", "cpu"}) {
        network_spec net;
        net.populations = {source_population("in", 2),
                           lif_population("n", 3, passive_lif(10.0, 2.0))};
        projection pr;
        pr.source = std::string("in");
        pr.target = std::string("n");
        pr.density = 1.0;
        pr.weight.a = 0.3;
        net.projections = {pr};
        auto e = make_engine(net, backend);
        for (int k = 0; k < 5; ++k) {
            e->step([](std::int64_t, double, input_sink& in) { in.spike(0); });
        }
        const neuron_state s = e->state();
        std::vector<double> v(3);
        std::vector<double> i(3);
        e->read_potentials(2, v);
        e->read_synaptic_currents(2, i);
        for (std::size_t k = 0; k < 3; ++k) {
            EXPECT_EQ(v[k], s.v[2 + k]) << backend;
            EXPECT_EQ(i[k], s.i_syn[2 + k]) << backend;
        }
        EXPECT_GT(i[0], 0.0) << backend;
        EXPECT_THROW(e->read_potentials(3, v), model_error) << backend;
    }
}

}  // namespace
}  // namespace hebllm
