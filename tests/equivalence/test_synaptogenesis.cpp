// SPDX-License-Identifier: MIT
// Structural plasticity: synapses added to a running network (engine::add_synapses).
// - The store after insertion equals a store built with the same synapses from the start.
// - Growth driven by the network's own spikes while it learns (STDP on, new plasticity classes,
//   several delays, duplicates) is bit-identical on the reference and cpu backends at 1, 2, 3
//   and 7 threads with every parallel path forced on, and survives a snapshot (continuing on
//   the other backend) exactly.
// - The memory cap and bad requests are refused with a clear error and change nothing.
// - Neurons detached while the network learns (engine::remove_synapses_of) lose exactly their
//   synapses, bit-identically on both backends and thread counts and across a snapshot.

#include <cstring>
#include <set>
#include <tuple>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <hebllm/engine.hpp>
#include <hebllm/errors.hpp>

#include "equivalence/configs.hpp"

namespace hebllm {
namespace {

using namespace hebllm::test;

// Synapses grown from the spikes of a step: each spiking neuron j (one in three) sends one new
// synapse to a target chosen from j and the step, with a delay of 1-3 steps; one in two is
// plastic, with the scale 0.7 (a class the network did not have) or 1.5 (one it had).
std::vector<synapse_growth> growth_from(std::span<const std::uint32_t> spikes, std::int64_t step,
                                        std::uint32_t n) {
    std::vector<synapse_growth> add;
    for (const std::uint32_t j : spikes) {
        if ((j + static_cast<std::uint32_t>(step)) % 3 != 0) {
            continue;
        }
        synapse_growth g;
        g.pre = j;
        g.post = (j * 7919u + static_cast<std::uint32_t>(step) * 31u) % n;
        g.weight = 0.05f + 0.01f * static_cast<float>(j % 5);
        g.delay_steps = 1 + j % 3;
        g.stdp_scale = j % 2 == 0 ? 0.0 : (j % 4 == 1 ? 0.7 : 1.5);
        add.push_back(g);
        add.push_back(g);  // asked for twice: added once
    }
    return add;
}

struct grown {
    outcome out;
    std::uint64_t added = 0;
    std::uint64_t existing = 0;
    std::uint64_t removed = 0;
};

// Runs config c for `steps`, growing synapses every 3rd step from that step's spikes; with
// detach, every 40th step also removes every synapse from or to three neurons chosen from the
// step (one of them a neuron that just spiked, when one did).
grown grow_run(engine& e, const config& c, std::int64_t from_step, std::int64_t steps,
               bool detach = false) {
    grown g;
    for (std::int64_t s = from_step; s < steps; ++s) {
        if (c.net.neuromodulation.kind == neuromodulation_kind::external && s % 30 == 0) {
            e.set_modulation(s % 90 == 0 ? -0.7 : 1.3);
        }
        e.step(c.input);
        if (s % 3 == 0) {
            const growth_report r =
                e.add_synapses(growth_from(e.last_spikes(), s, e.neuron_count()));
            g.added += r.added;
            g.existing += r.existing;
        }
        if (detach && s % 40 == 20) {
            const auto n = e.neuron_count();
            std::vector<std::uint32_t> gone = {static_cast<std::uint32_t>(s * 37 % n),
                                               static_cast<std::uint32_t>((s * 101 + 5) % n)};
            if (!e.last_spikes().empty()) {
                gone.push_back(
                    e.last_spikes()[static_cast<std::size_t>(s) % e.last_spikes().size()]);
            }
            g.removed += e.remove_synapses_of(gone);
        }
    }
    g.out = {e.spikes(), e.synapses(), e.state(), e.stats()};
    return g;
}

engine_options every_path_parallel(int threads) {
    engine_options o;
    o.threads = threads;
    o.parallel_neurons = 0;
    o.parallel_events = 0;
    return o;
}

TEST(synaptogenesis, insertion_equals_building_with_the_synapses) {
    network_spec net;
    net.populations = {lif_population("a", 40, default_lif_params(population_kind::associative))};
    net.stdp.enabled = true;
    for (std::uint32_t k = 0; k < 200; ++k) {
        net.synapses.push_back(
            {k % 40, (k * 13) % 40, 0.1 + 0.001 * k, 1.0 + static_cast<double>(k % 4), k % 3 == 0});
    }
    std::vector<synapse_growth> add;
    network_spec both = net;
    for (std::uint32_t k = 0; k < 120; ++k) {
        synapse_growth g;
        g.pre = (k * 17) % 40;
        g.post = (k * 5 + 3) % 40;
        g.weight = 0.2f + 0.001f * static_cast<float>(k);
        g.delay_steps = 1 + k % 4;
        g.stdp_scale = k % 3 == 0 ? 1.0 : 0.0;
        add.push_back(g);
    }
    auto e = make_engine(net, "reference");
    const std::uint64_t before = e->synapse_count();
    const growth_report r = e->add_synapses(add);
    // What building with them from the start gives, minus those whose (pre, post, delay,
    // plastic) exists already (every plastic synapse here has STDP scale 1: one class).
    std::set<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, bool>> have;
    for (const synapse_entry& s : net.synapses) {
        have.insert({s.pre, s.post, static_cast<std::uint32_t>(s.delay_ms), s.plastic});
    }
    std::uint64_t fresh = 0;
    for (const synapse_growth& g : add) {
        if (have.insert({g.pre, g.post, g.delay_steps, g.stdp_scale != 0.0}).second) {
            both.synapses.push_back({g.pre, g.post, static_cast<double>(g.weight),
                                     static_cast<double>(g.delay_steps), g.stdp_scale != 0.0});
            ++fresh;
        }
    }
    EXPECT_EQ(r.added, fresh);
    EXPECT_EQ(r.added + r.existing, add.size());
    EXPECT_EQ(e->synapse_count(), before + r.added);
    const std::vector<synapse_view> got = e->synapses();
    const std::vector<synapse_view> built = make_engine(both, "reference")->synapses();
    ASSERT_EQ(got.size(), built.size());
    for (std::size_t k = 0; k < got.size(); ++k) {
        EXPECT_EQ(got[k].pre, built[k].pre) << k;
        EXPECT_EQ(got[k].post, built[k].post) << k;
        EXPECT_EQ(got[k].delay_steps, built[k].delay_steps) << k;
        EXPECT_EQ(got[k].weight, built[k].weight) << k;
    }
    // Adding the same again adds nothing.
    const growth_report again = e->add_synapses(add);
    EXPECT_EQ(again.added, 0u);
    EXPECT_EQ(again.existing, add.size());
}

class synaptogenesis_equivalence : public ::testing::TestWithParam<int> {};

TEST_P(synaptogenesis_equivalence, grown_while_learning_is_bit_identical) {
    const std::vector<config> configs = {ei_config(), mixed_config()};
    const config& c = configs.at(static_cast<std::size_t>(GetParam()));
    const auto steps = static_cast<std::int64_t>(300.0 / c.net.dt_ms);
    auto ref_engine = make_engine(c.net, "reference");
    const grown ref = grow_run(*ref_engine, c, 0, steps);
    EXPECT_GT(ref.added, 300u) << c.name;
    EXPECT_GT(ref.existing, ref.added / 2) << c.name;  // the duplicates at least
    EXPECT_GT(ref.out.stats.plasticity_updates, 1000u) << c.name;
    std::printf("[ %s ] %llu synapses grown, %zu spikes\n", c.name.c_str(),
                static_cast<unsigned long long>(ref.added), ref.out.spikes.size());
    for (const int threads : {1, 2, 3, 7}) {
        auto e = make_engine(c.net, "cpu", every_path_parallel(threads));
        expect_identical(ref.out, grow_run(*e, c, 0, steps).out,
                         c.name + " cpu " + std::to_string(threads) + " threads");
    }
    // A snapshot half way, continued on the other backend, ends where the straight run did.
    auto first = make_engine(c.net, "cpu", every_path_parallel(2));
    grow_run(*first, c, 0, steps / 2);
    const engine_snapshot snap = first->snapshot(true);
    auto second = make_engine(snap, "reference");
    expect_identical(ref.out, grow_run(*second, c, steps / 2, steps).out,
                     c.name + " cpu then reference from a snapshot");
}

std::string config_name(const ::testing::TestParamInfo<int>& p) {
    const char* names[] = {"ei_exponential", "mixed"};
    return names[p.param];
}

INSTANTIATE_TEST_SUITE_P(configs, synaptogenesis_equivalence, ::testing::Values(0, 1), config_name);

TEST(synaptogenesis, detached_while_learning_is_bit_identical) {
    const config c = mixed_config();
    const auto steps = static_cast<std::int64_t>(300.0 / c.net.dt_ms);
    auto ref_engine = make_engine(c.net, "reference");
    const grown ref = grow_run(*ref_engine, c, 0, steps, true);
    EXPECT_GT(ref.removed, 100u);
    EXPECT_GT(ref.out.stats.plasticity_updates, 1000u);
    for (const int threads : {1, 2, 3, 7}) {
        auto e = make_engine(c.net, "cpu", every_path_parallel(threads));
        const grown got = grow_run(*e, c, 0, steps, true);
        EXPECT_EQ(got.removed, ref.removed);
        expect_identical(ref.out, got.out,
                         "detaching, cpu " + std::to_string(threads) + " threads");
    }
    auto first = make_engine(c.net, "cpu", every_path_parallel(2));
    grow_run(*first, c, 0, steps / 2, true);
    const engine_snapshot snap = first->snapshot(true);
    auto second = make_engine(snap, "reference");
    expect_identical(ref.out, grow_run(*second, c, steps / 2, steps, true).out,
                     "detaching, cpu then reference from a snapshot");
}

// Exactly the synapses from or to the neurons go, on both backends, with weights brought up
// to date first; an id outside the network changes nothing.
TEST(synaptogenesis, remove_synapses_of_removes_exactly_theirs) {
    const config c = ei_config();
    for (const char* backend : {"reference", "cpu"}) {
        auto e = make_engine(c.net, backend);
        for (int s = 0; s < 150; ++s) {
            e->step(c.input);
        }
        const std::vector<synapse_view> before = e->synapses();
        const std::vector<std::uint32_t> gone = {3, 400, 1999, 400};
        EXPECT_THROW(e->remove_synapses_of(std::vector<std::uint32_t>{5, e->neuron_count()}),
                     model_error);
        EXPECT_EQ(e->synapse_count(), before.size());
        std::vector<synapse_view> kept;
        for (const synapse_view& v : before) {
            const auto touches = [&](std::uint32_t i) { return i == 3 || i == 400 || i == 1999; };
            if (!touches(v.pre) && !touches(v.post)) {
                kept.push_back(v);
            }
        }
        EXPECT_EQ(e->remove_synapses_of(gone), before.size() - kept.size()) << backend;
        const std::vector<synapse_view> after = e->synapses();
        ASSERT_EQ(after.size(), kept.size()) << backend;
        for (std::size_t k = 0; k < kept.size(); ++k) {
            ASSERT_EQ(after[k].pre, kept[k].pre) << backend << " " << k;
            ASSERT_EQ(after[k].post, kept[k].post) << backend << " " << k;
            ASSERT_EQ(after[k].weight, kept[k].weight) << backend << " " << k;
        }
        EXPECT_GT(before.size() - kept.size(), 0u);
    }
}

TEST(synaptogenesis, cap_and_bad_requests_change_nothing) {
    const config c = mixed_config();
    engine_options o;
    auto probe = make_engine(c.net, "cpu", o);
    o.max_synapses = probe->synapse_count() + 2;
    auto e = make_engine(c.net, "cpu", o);
    const std::vector<synapse_view> before = e->synapses();
    std::vector<synapse_growth> three(3);
    for (std::uint32_t k = 0; k < 3; ++k) {
        three[k].pre = 0;
        three[k].post = 1000 + k;
        three[k].stdp_scale = 0.3;
    }
    try {
        e->add_synapses(three);
        FAIL() << "growing past max_synapses must throw";
    } catch (const capacity_error& err) {
        EXPECT_NE(std::string(err.what()).find("max_synapses"), std::string::npos) << err.what();
    }
    EXPECT_EQ(e->synapse_count(), before.size());
    const auto refused = [&](synapse_growth g, const char* words) {
        try {
            e->add_synapses(std::vector<synapse_growth>{g});
            ADD_FAILURE() << "accepted: " << words;
        } catch (const model_error& err) {
            EXPECT_NE(std::string(err.what()).find(words), std::string::npos) << err.what();
        }
    };
    synapse_growth g;
    g.post = e->neuron_count();
    refused(g, "outside");
    g.post = 1;
    g.delay_steps = 6;  // the network's delays are 1-5 steps
    refused(g, "delay 6");
    g.delay_steps = 0;
    refused(g, "delay 0");
    g.delay_steps = 1;
    g.weight = -1.0f;
    refused(g, "weight");
    EXPECT_EQ(e->synapse_count(), before.size());
    // Two more fit.
    three.pop_back();
    EXPECT_EQ(e->add_synapses(three).added, 2u);

    network_spec quiet = c.net;
    quiet.stdp.enabled = false;
    auto s = make_engine(quiet, "cpu");
    synapse_growth p;
    p.post = 1;
    p.stdp_scale = 1.0;
    EXPECT_THROW(s->add_synapses(std::vector<synapse_growth>{p}), model_error);
}

}  // namespace
}  // namespace hebllm
