// SPDX-License-Identifier: MIT
// Every backend and thread count against the reference backend: bit-identical spike trains,
// final weights and neuron state (docs/determinism.md). Each config has STDP, homeostasis and
// neuromodulation on, delays of 1-5 steps, >= 2,000 neurons and >= 500 ms; the test also
// checks that the network is neither silent nor running away, so that equality means something.

#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <hebllm/engine.hpp>

#include "support/networks.hpp"

namespace hebllm {
namespace {

struct config {
    std::string name;
    network_spec net;
    input_fn input;
};

// 1) The original HebSNN layout (make_hebsnn) at 2,000 neurons, driven by Poisson input on
//    rotating sensory groups, instantaneous synapses, additive all-to-all STDP, novelty modulation.
config hebsnn_config() {
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
config ei_config() {
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
    l.bias_current = 19.0;
    l.homeostasis = true;
    population e = test::lif_population("E", 1600, l);
    lif_params li = l;
    li.homeostasis = false;
    li.tau_syn_ms = 20.0;  // equal to tau_m: the degenerate exact solution
    population i = test::lif_population("I", 400, li, true);
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
    net.homeostasis.enabled = true;
    net.homeostasis.target_rate_hz = 8.0;
    net.homeostasis.eta = 0.02;
    net.neuromodulation.enabled = true;
    net.neuromodulation.kind = neuromodulation_kind::novelty;
    net.neuromodulation.baseline = 0.5;
    net.neuromodulation.w_novelty = 1.0;
    net.neuromodulation.m_max = 2.0;
    net.stimuli.push_back({stimulus_kind::poisson, 0, 1600, 0.0, 600.0, 5.0, 0.0});
    return c;
}

// 3) Spike-source input population projecting (Bernoulli) into a recurrent LIF network with
//    mixed synapse types, current pulses from a callback, adaptation, surprise and reward.
config mixed_config() {
    config c;
    c.name = "mixed";
    network_spec& net = c.net;
    net.dt_ms = 1.0;
    net.seed = 99;
    population in = test::source_population("in", 200);
    lif_params a = default_lif_params(population_kind::associative);
    a.homeostasis = true;
    a.v_init_min = -0.1;
    a.v_init_max = 0.5;
    population assoc = test::lif_population("assoc", 1500, a);
    assoc.kind = population_kind::associative;
    lif_params inh = default_lif_params(population_kind::inhibitory);
    inh.tau_syn_ms = 3.0;
    population ip = test::lif_population("inh", 300, inh, true);
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
        return pr;
    };
    net.projections = {proj("in", "assoc", 0.05, 1.5, true), proj("assoc", "assoc", 0.05, 0.2, true),
                       proj("assoc", "inh", 0.1, 0.8, false), proj("inh", "assoc", 0.1, 2.5, false),
                       proj("inh", "inh", 0.05, 0.5, false)};
    net.stdp.enabled = true;
    net.homeostasis.enabled = true;
    net.homeostasis.target_rate_hz = 5.0;
    net.homeostasis.eta = 0.01;
    net.neuromodulation.enabled = true;
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

outcome simulate(const config& c, const char* backend, int threads, double duration_ms) {
    engine_options opt;
    opt.threads = threads;
    auto e = make_engine(c.net, backend, opt);
    for (std::int64_t s = 0; s < static_cast<std::int64_t>(duration_ms / c.net.dt_ms); ++s) {
        if (s % 100 == 50) {
            e->set_surprise(0.5);
            e->set_reward(0.25);
        }
        e->step(c.input);
    }
    return {e->spikes(), e->synapses(), e->state(), e->stats()};
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

void expect_identical(const outcome& ref, const outcome& got, const std::string& what) {
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

class equivalence : public ::testing::TestWithParam<int> {};

TEST_P(equivalence, cpu_matches_reference_bit_for_bit) {
    const std::vector<config> configs = {hebsnn_config(), ei_config(), mixed_config()};
    const config& c = configs.at(static_cast<std::size_t>(GetParam()));
    const double duration = 600.0;
    ASSERT_GE(c.net.neuron_count(), 2000u);
    const outcome ref = simulate(c, "reference", 1, duration);

    // The network must be doing something: mean rate between 1 and 100 Hz, weights changed.
    const double rate = static_cast<double>(ref.spikes.size()) /
                        (c.net.neuron_count() * duration / 1000.0);
    EXPECT_GT(rate, 1.0) << c.name << " is nearly silent";
    EXPECT_LT(rate, 100.0) << c.name << " runs away";
    EXPECT_GT(ref.stats.plasticity_updates, 1000u) << c.name;
    std::printf("[ %s ] %zu spikes, %.2f Hz, %llu synapses, %llu STDP updates\n", c.name.c_str(),
                ref.spikes.size(), rate, static_cast<unsigned long long>(ref.synapses.size()),
                static_cast<unsigned long long>(ref.stats.plasticity_updates));

    for (const int threads : {1, 2, 3}) {
        expect_identical(ref, simulate(c, "cpu", threads, duration),
                         c.name + " cpu " + std::to_string(threads) + " threads");
    }
}

std::string config_name(const ::testing::TestParamInfo<int>& p) {
    const char* names[] = {"hebsnn", "ei_exponential", "mixed"};
    return names[p.param];
}

INSTANTIATE_TEST_SUITE_P(configs, equivalence, ::testing::Values(0, 1, 2), config_name);

TEST(determinism, same_seed_same_spikes_different_seed_different_spikes) {
    config c = hebsnn_config();
    const outcome a = simulate(c, "cpu", 2, 200.0);
    const outcome b = simulate(c, "cpu", 2, 200.0);
    EXPECT_EQ(a.spikes, b.spikes);
    c.net.seed = 8;
    const outcome d = simulate(c, "cpu", 2, 200.0);
    EXPECT_NE(a.spikes, d.spikes);
}

}  // namespace
}  // namespace hebllm
