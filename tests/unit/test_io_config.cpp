// SPDX-License-Identifier: MIT
// TOML network configs (docs/formats.md "Network configs"): defaults, the [hebsnn] shortcut,
// population-relative stimuli, [files], and save_network -> load_network giving back an equal
// spec, field by field and bit for bit. Malformed configs are tested in tests/robustness/.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <hebllm/errors.hpp>
#include <hebllm/io.hpp>
#include <hebllm/network.hpp>

#include "support/files.hpp"

namespace fs = std::filesystem;

namespace {

using io_config = hebllm::test::temp_dir_test;

hebllm::network_spec parse(const std::string& text) {
    return hebllm::parse_network(text, ".", "test.toml");
}

// Every field of two specs, compared exactly (EXPECT_EQ on doubles: a round trip must be
// bit-exact, not approximately right).
void expect_lif_eq(const hebllm::lif_params& a, const hebllm::lif_params& b) {
    EXPECT_EQ(a.tau_m_ms, b.tau_m_ms);
    EXPECT_EQ(a.v_rest, b.v_rest);
    EXPECT_EQ(a.v_reset, b.v_reset);
    EXPECT_EQ(a.v_threshold, b.v_threshold);
    EXPECT_EQ(a.refractory_ms, b.refractory_ms);
    EXPECT_EQ(a.tau_syn_ms, b.tau_syn_ms);
    EXPECT_EQ(a.resistance, b.resistance);
    EXPECT_EQ(a.bias_current, b.bias_current);
    EXPECT_EQ(a.v_init_min, b.v_init_min);
    EXPECT_EQ(a.v_init_max, b.v_init_max);
    EXPECT_EQ(a.adapt_increment, b.adapt_increment);
    EXPECT_EQ(a.adapt_tau_ms, b.adapt_tau_ms);
    EXPECT_EQ(a.homeostasis, b.homeostasis);
}

void expect_population_eq(const hebllm::population& a, const hebllm::population& b) {
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.model, b.model);
    EXPECT_EQ(a.size, b.size);
    EXPECT_EQ(a.inhibitory, b.inhibitory);
    EXPECT_EQ(a.neurons_per_token, b.neurons_per_token);
    expect_lif_eq(a.lif, b.lif);
}

void expect_projection_eq(const hebllm::projection& a, const hebllm::projection& b) {
    EXPECT_EQ(a.source, b.source);
    EXPECT_EQ(a.target, b.target);
    EXPECT_EQ(a.rule, b.rule);
    EXPECT_EQ(a.density, b.density);
    EXPECT_EQ(a.outdegree, b.outdegree);
    EXPECT_EQ(a.autapses, b.autapses);
    EXPECT_EQ(a.weight.kind, b.weight.kind);
    EXPECT_EQ(a.weight.a, b.weight.a);
    EXPECT_EQ(a.weight.b, b.weight.b);
    EXPECT_EQ(a.weight.scale, b.weight.scale);
    EXPECT_EQ(a.weight.clip_min, b.weight.clip_min);
    EXPECT_EQ(a.weight.clip_max, b.weight.clip_max);
    EXPECT_EQ(a.delay_min_ms, b.delay_min_ms);
    EXPECT_EQ(a.delay_max_ms, b.delay_max_ms);
    EXPECT_EQ(a.plastic, b.plastic);
    EXPECT_EQ(a.stdp_scale, b.stdp_scale);
}

void expect_synapse_eq(const hebllm::synapse_entry& a, const hebllm::synapse_entry& b) {
    EXPECT_EQ(a.pre, b.pre);
    EXPECT_EQ(a.post, b.post);
    EXPECT_EQ(a.weight, b.weight);
    EXPECT_EQ(a.delay_ms, b.delay_ms);
    EXPECT_EQ(a.plastic, b.plastic);
}

void expect_stimulus_eq(const hebllm::stimulus& a, const hebllm::stimulus& b) {
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.first, b.first);
    EXPECT_EQ(a.count, b.count);
    EXPECT_EQ(a.t_start_ms, b.t_start_ms);
    EXPECT_EQ(a.t_stop_ms, b.t_stop_ms);
    EXPECT_EQ(a.rate_hz, b.rate_hz);
    EXPECT_EQ(a.amplitude, b.amplitude);
    EXPECT_EQ(a.sources, b.sources);
}

void expect_input_spike_eq(const hebllm::input_spike& a, const hebllm::input_spike& b) {
    EXPECT_EQ(a.neuron, b.neuron);
    EXPECT_EQ(a.time_ms, b.time_ms);
}

// Two lists of equal length, compared element by element, each under a trace naming `what`
// and the index. A length mismatch is a fatal failure: wrap calls in ASSERT_NO_FATAL_FAILURE.
template <class T, class ExpectElementEq>
void expect_each_eq(const std::vector<T>& a, const std::vector<T>& b, const std::string& what,
                    ExpectElementEq expect_element_eq) {
    ASSERT_EQ(a.size(), b.size()) << what << " count";
    for (std::size_t i = 0; i < a.size(); ++i) {
        SCOPED_TRACE(what + " " + std::to_string(i));
        expect_element_eq(a[i], b[i]);
    }
}

void expect_spec_eq(const hebllm::network_spec& a, const hebllm::network_spec& b) {
    EXPECT_EQ(a.dt_ms, b.dt_ms);
    EXPECT_EQ(a.duration_ms, b.duration_ms);
    EXPECT_EQ(a.seed, b.seed);
    ASSERT_NO_FATAL_FAILURE(
        expect_each_eq(a.populations, b.populations, "population", expect_population_eq));
    ASSERT_NO_FATAL_FAILURE(
        expect_each_eq(a.projections, b.projections, "projection", expect_projection_eq));
    ASSERT_NO_FATAL_FAILURE(expect_each_eq(a.synapses, b.synapses, "synapse", expect_synapse_eq));
    EXPECT_EQ(a.stdp.enabled, b.stdp.enabled);
    EXPECT_EQ(a.stdp.kind, b.stdp.kind);
    EXPECT_EQ(a.stdp.pairing, b.stdp.pairing);
    EXPECT_EQ(a.stdp.a_plus, b.stdp.a_plus);
    EXPECT_EQ(a.stdp.a_minus, b.stdp.a_minus);
    EXPECT_EQ(a.stdp.tau_plus_ms, b.stdp.tau_plus_ms);
    EXPECT_EQ(a.stdp.tau_minus_ms, b.stdp.tau_minus_ms);
    EXPECT_EQ(a.stdp.w_min, b.stdp.w_min);
    EXPECT_EQ(a.stdp.w_max, b.stdp.w_max);
    EXPECT_EQ(a.stdp.learning_rate, b.stdp.learning_rate);
    EXPECT_EQ(a.stdp.metaplasticity_spikes, b.stdp.metaplasticity_spikes);
    EXPECT_EQ(a.stdp.metaplasticity_power, b.stdp.metaplasticity_power);
    EXPECT_EQ(a.homeostasis.enabled, b.homeostasis.enabled);
    EXPECT_EQ(a.homeostasis.target_rate_hz, b.homeostasis.target_rate_hz);
    EXPECT_EQ(a.homeostasis.tau_rate_ms, b.homeostasis.tau_rate_ms);
    EXPECT_EQ(a.homeostasis.eta, b.homeostasis.eta);
    EXPECT_EQ(a.homeostasis.threshold_min, b.homeostasis.threshold_min);
    EXPECT_EQ(a.homeostasis.threshold_max, b.homeostasis.threshold_max);
    const auto& m = a.neuromodulation;
    const auto& n = b.neuromodulation;
    EXPECT_EQ(m.enabled, n.enabled);
    EXPECT_EQ(m.kind, n.kind);
    EXPECT_EQ(m.baseline, n.baseline);
    EXPECT_EQ(m.w_novelty, n.w_novelty);
    EXPECT_EQ(m.w_surprise, n.w_surprise);
    EXPECT_EQ(m.w_reward, n.w_reward);
    EXPECT_EQ(m.decay_surprise, n.decay_surprise);
    EXPECT_EQ(m.decay_reward, n.decay_reward);
    EXPECT_EQ(m.history, n.history);
    EXPECT_EQ(m.compare, n.compare);
    EXPECT_EQ(m.m_min, n.m_min);
    EXPECT_EQ(m.m_max, n.m_max);
    ASSERT_NO_FATAL_FAILURE(expect_each_eq(a.stimuli, b.stimuli, "stimulus", expect_stimulus_eq));
    ASSERT_NO_FATAL_FAILURE(
        expect_each_eq(a.input_spikes, b.input_spikes, "input spike", expect_input_spike_eq));
}

// A valid network in which every field differs from its default, with awkward numbers
// (0.1, 1/3, 1e-300, a seed beyond TOML's signed 64-bit integers, a name needing escapes).
hebllm::network_spec every_field_spec() {
    using namespace hebllm;
    network_spec s;
    s.dt_ms = 0.1;
    s.duration_ms = 123.456;
    s.seed = std::numeric_limits<std::uint64_t>::max();

    population in;
    in.name = "in \"quoted\" \\ name";
    in.kind = population_kind::sensory;
    in.model = neuron_model_kind::spike_source;
    in.size = 3;
    in.neurons_per_token = 3;
    in.lif = default_lif_params(population_kind::sensory);
    population exc;
    exc.name = "exc";
    exc.kind = population_kind::associative;
    exc.size = 10;
    exc.neurons_per_token = 2;
    exc.lif = {19.5, -0.25, -0.5, 0.7, 2.5, 5.0, 1.0 / 3.0, 0.01, -0.1, 0.2, 0.05, 250.0, true};
    population inh;
    inh.name = "inh";
    inh.kind = population_kind::inhibitory;
    inh.inhibitory = true;
    inh.size = 4;
    inh.lif = default_lif_params(population_kind::inhibitory);
    inh.lif.refractory_ms = 1.0;
    s.populations = {in, exc, inh};

    projection ee;
    ee.source = "exc";
    ee.target = "exc";
    ee.density = 0.3;
    ee.autapses = true;
    ee.plastic = true;
    ee.weight = {weight_dist_kind::lognormal, -2.302585092994046, 0.5, 0.75, 0.01, 1.0};
    ee.delay_min_ms = 1.0;
    ee.delay_max_ms = 5.0;
    projection ei;
    ei.source = "exc";
    ei.target = "inh";
    ei.rule = connect_rule_kind::fixed_outdegree;
    ei.outdegree = 2;
    ei.weight = {weight_dist_kind::uniform, 0.1, 0.2, 1.0, 0.0, 1e30};
    ei.delay_min_ms = 0.5;
    ei.delay_max_ms = 0.5;
    projection ie;
    ie.source = "inh";
    ie.target = "exc+inh";  // a union target
    ie.stdp_scale = 0.375;
    ie.density = 1.0;
    ie.weight = {weight_dist_kind::normal, 0.3, 0.05, 2.0, 0.0, 0.9};
    projection xe;
    xe.source = in.name;
    xe.target = "exc";
    xe.density = 0.0;
    xe.weight = {weight_dist_kind::constant, 0.4, 0.0, 1.0, 0.0, 1e30};
    s.projections = {ee, ei, ie, xe};

    // Global ids: in 0-2, exc 3-12, inh 13-16.
    s.synapses = {{0, 3, 0.5, 1.0, true},
                  {13, 5, -0.2, 0.30000000000000004, false},
                  {4, 14, 1e-300, 2.0, false}};

    s.stdp = {true,
              stdp_kind::multiplicative,
              stdp_pairing_kind::nearest,
              0.011,
              0.0125,
              16.8,
              33.7,
              0.001,
              0.95,
              0.5};
    s.homeostasis = {true, 3.5, 500.0, 0.002, -1.0, 2.0};
    s.neuromodulation = {
        true, neuromodulation_kind::constant, 1.25, 4.0, 2.0, 1.0, 0.95, 0.7, 50, 5, 0.2, 3.0};

    stimulus drive;
    drive.kind = stimulus_kind::poisson;
    drive.first = 0;
    drive.count = 3;
    drive.t_start_ms = 0.0;
    drive.t_stop_ms = 10.0;
    drive.rate_hz = 1000.0;
    stimulus current;
    current.kind = stimulus_kind::current;
    current.first = 3;
    current.count = 2;
    current.t_start_ms = 5.0;
    current.t_stop_ms = 15.5;
    current.amplitude = 0.7;
    stimulus poisson_input;
    poisson_input.kind = stimulus_kind::poisson_input;
    poisson_input.first = 3;
    poisson_input.count = 14;
    poisson_input.t_stop_ms = 1e9;
    poisson_input.rate_hz = 8.459;
    poisson_input.sources = 800;
    poisson_input.amplitude = -0.25;
    s.stimuli = {drive, current, poisson_input};
    s.input_spikes = {{1, 2.0}, {2, 0.1}, {0, 1.0 / 3.0}};
    s.validate();
    return s;
}

TEST_F(io_config, save_then_load_gives_an_equal_spec) {
    const hebllm::network_spec original = every_field_spec();
    hebllm::save_network(original, dir_ / "net.toml");
    EXPECT_TRUE(fs::exists(dir_ / "net.synapses.csv"));
    EXPECT_TRUE(fs::exists(dir_ / "net.input_spikes.csv"));
    const hebllm::network_spec loaded = hebllm::load_network(dir_ / "net.toml");
    expect_spec_eq(original, loaded);
    // A second round trip writes the same bytes.
    hebllm::save_network(loaded, dir_ / "again.toml");
    std::ifstream a(dir_ / "net.toml"), b(dir_ / "again.toml");
    std::string la, lb;
    std::size_t line = 0;
    while (std::getline(a, la)) {
        ++line;
        ASSERT_TRUE(static_cast<bool>(std::getline(b, lb)));
        if (la.rfind("synapses =", 0) == 0 || la.rfind("input_spikes =", 0) == 0)
            continue;
        EXPECT_EQ(la, lb) << "line " << line;
    }
}

TEST_F(io_config, save_then_load_hebsnn_network) {
    const hebllm::network_spec original = hebllm::make_hebsnn(20, 100, 20, 20, 0.2, 7);
    hebllm::save_network(original, dir_ / "heb.toml");
    EXPECT_FALSE(fs::exists(dir_ / "heb.synapses.csv"));  // no explicit synapses, no CSV
    expect_spec_eq(original, hebllm::load_network(dir_ / "heb.toml"));
}

TEST(io_config_parse, minimal_config_takes_documented_defaults) {
    const hebllm::network_spec s = parse(R"(
[[population]]
name = "a"
size = 5

[[population]]
name = "b"
kind = "inhibitory"
size = 2
)");
    const hebllm::network_spec d;
    EXPECT_EQ(s.dt_ms, d.dt_ms);
    EXPECT_EQ(s.duration_ms, d.duration_ms);
    EXPECT_EQ(s.seed, d.seed);
    ASSERT_EQ(s.populations.size(), 2u);
    EXPECT_EQ(s.populations[0].kind, hebllm::population_kind::other);
    EXPECT_EQ(s.populations[0].model, hebllm::neuron_model_kind::lif);
    EXPECT_FALSE(s.populations[0].inhibitory);
    EXPECT_EQ(s.populations[0].neurons_per_token, 1u);
    expect_lif_eq(s.populations[0].lif, hebllm::default_lif_params(hebllm::population_kind::other));
    EXPECT_TRUE(s.populations[1].inhibitory);  // default follows kind
    expect_lif_eq(s.populations[1].lif,
                  hebllm::default_lif_params(hebllm::population_kind::inhibitory));
    EXPECT_TRUE(s.projections.empty());
    EXPECT_FALSE(s.stdp.enabled);
}

TEST(io_config_parse, fields_override_defaults_and_integers_are_accepted_as_numbers) {
    const hebllm::network_spec s = parse(R"(
[simulation]
dt_ms = 0.5
duration_ms = 20     # an integer where a float is expected is fine
seed = 9

[[population]]
name = "exc"
kind = "associative"
size = 8
tau_m_ms = 10
v_threshold = 0.75
inhibitory = false

[[projection]]
source = "exc"
target = "exc"
rule = "fixed_outdegree"
outdegree = 3
weight = { dist = "uniform", a = 0.1, b = 0.2, min = 0.0, max = 0.5 }
delay_min_ms = 1
delay_max_ms = 2
)");
    EXPECT_EQ(s.dt_ms, 0.5);
    EXPECT_EQ(s.duration_ms, 20.0);
    EXPECT_EQ(s.seed, 9u);
    EXPECT_EQ(s.populations[0].lif.tau_m_ms, 10.0);
    EXPECT_EQ(s.populations[0].lif.v_threshold, 0.75);
    ASSERT_EQ(s.projections.size(), 1u);
    const hebllm::projection& p = s.projections[0];
    EXPECT_EQ(p.rule, hebllm::connect_rule_kind::fixed_outdegree);
    EXPECT_EQ(p.outdegree, 3u);
    EXPECT_EQ(p.weight.kind, hebllm::weight_dist_kind::uniform);
    EXPECT_EQ(p.weight.a, 0.1);
    EXPECT_EQ(p.weight.b, 0.2);
    EXPECT_EQ(p.weight.scale, 1.0);  // not named: the weight_dist default
    EXPECT_EQ(p.weight.clip_max, 0.5);
    EXPECT_EQ(p.delay_max_ms, 2.0);
}

TEST(io_config_parse, hebsnn_shortcut_matches_make_hebsnn_with_overrides_on_top) {
    const hebllm::network_spec s = parse(R"(
[simulation]
seed = 5
duration_ms = 50.0

[hebsnn]
sensory = 10
associative = 40
inhibitory = 10
output = 10
density = 0.2

[stdp]
enabled = true
a_plus = 0.125

[[stimulus]]
kind = "poisson"
population = "sensory"
first = 2
count = 3
t_stop_ms = 10.0
rate_hz = 1000.0
)");
    hebllm::network_spec expected = hebllm::make_hebsnn(10, 40, 10, 10, 0.2, 5);
    expected.duration_ms = 50.0;
    expected.stdp.enabled = true;
    expected.stdp.a_plus = 0.125;
    hebllm::stimulus drive;
    drive.kind = hebllm::stimulus_kind::poisson;
    drive.first = expected.offset("sensory") + 2;
    drive.count = 3;
    drive.t_stop_ms = 10.0;
    drive.rate_hz = 1000.0;
    expected.stimuli.push_back(drive);
    expect_spec_eq(expected, s);
}

TEST(io_config_parse, stimulus_relative_to_population_defaults_to_the_rest_of_it) {
    const hebllm::network_spec s = parse(R"(
[[population]]
name = "a"
size = 5
[[population]]
name = "b"
size = 7

[[stimulus]]
kind = "current"
population = "b"
first = 1
t_start_ms = 2.0
t_stop_ms = 4.0
amplitude = 1.5
)");
    ASSERT_EQ(s.stimuli.size(), 1u);
    EXPECT_EQ(s.stimuli[0].kind, hebllm::stimulus_kind::current);
    EXPECT_EQ(s.stimuli[0].first, 6u);  // 5 neurons of 'a', then neuron 1 of 'b'
    EXPECT_EQ(s.stimuli[0].count, 6u);
    EXPECT_EQ(s.stimuli[0].amplitude, 1.5);
}

TEST_F(io_config, files_are_resolved_relative_to_the_config) {
    fs::create_directories(dir_ / "data");
    write("data/syn.csv", "pre,post,weight,delay_ms\n0,1,0.5,2\n");
    write("data/in.csv", "neuron,time_ms\n0,3\n");
    const fs::path cfg = write("net.toml", R"(
[[population]]
name = "a"
size = 2

[files]
synapses = "data/syn.csv"
input_spikes = "data/in.csv"
)");
    const hebllm::network_spec s = hebllm::load_network(cfg);
    ASSERT_EQ(s.synapses.size(), 1u);
    EXPECT_EQ(s.synapses[0].post, 1u);
    EXPECT_EQ(s.synapses[0].weight, 0.5);
    ASSERT_EQ(s.input_spikes.size(), 1u);
    EXPECT_EQ(s.input_spikes[0].time_ms, 3.0);
}

#ifdef HEBLLM_SOURCE_DIR
// Every ```toml block of docs/formats.md must load (doc examples are tests).
TEST_F(io_config, examples_in_docs_formats_md_load) {
    std::ifstream in(fs::path(HEBLLM_SOURCE_DIR) / "docs" / "formats.md");
    ASSERT_TRUE(in.good());
    // The CSV files the full example names in [files].
    write("extra_synapses.csv", "pre,post,weight,delay_ms\n0,200,0.05,1\n900,300,-0.2,2.5\n");
    write("input_spikes.csv", "neuron,time_ms\n0,0\n0,12.5\n3,1\n");
    std::string line, block;
    bool inside = false;
    int blocks = 0;
    while (std::getline(in, line)) {
        if (!inside && line == "```toml") {
            inside = true;
            block.clear();
        } else if (inside && line == "```") {
            inside = false;
            ++blocks;
            SCOPED_TRACE("toml block " + std::to_string(blocks) + ":\n" + block);
            const fs::path cfg = write("doc" + std::to_string(blocks) + ".toml", block);
            EXPECT_NO_THROW(hebllm::load_network(cfg));
        } else if (inside) {
            block += line + "\n";
        }
    }
    EXPECT_GE(blocks, 2);
}
#endif

}  // namespace
