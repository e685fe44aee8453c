// SPDX-License-Identifier: MIT
// Sleep consolidation (docs/model.md "Consolidation") is bit-identical on every backend and
// thread count, pruning included: the equivalence networks with consolidation on a schedule
// and on demand, compared with the reference (spikes, weights, state, counters), and a
// snapshot taken after pruning continues exactly on another backend.

#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include <hebllm/engine.hpp>
#include <hebllm/errors.hpp>

#include "equivalence/configs.hpp"

namespace hebllm::test {
namespace {

config with_consolidation(config c, consolidation_schedule_kind schedule) {
    consolidation_params& k = c.net.consolidation;
    k.enabled = true;
    k.schedule = schedule;
    k.interval_ms = 120.0;
    k.activity_spikes = 600;
    k.replay_buffer = 4;
    k.replay_steps = 8;
    k.replay_plasticity = 0.3;
    k.strengthen_fraction = 0.05;
    k.strengthen_factor = 1.1;
    return c;
}

// The lower quartile of weight magnitudes after a short run: pruning plastic synapses below it
// removes a good part of them (the exact figure does not matter, only that backends agree).
double prune_threshold(const config& c) {
    auto e = make_engine(c.net, "cpu");
    e->run(20.0, c.input);
    const auto plastic = e->synapses();
    std::vector<float> w;
    for (const synapse_view& s : plastic) {
        w.push_back(std::fabs(s.weight));
    }
    std::nth_element(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(w.size() / 4), w.end());
    return w[w.size() / 4];
}

struct run_result {
    outcome out;
    std::uint64_t consolidations = 0;
    std::uint64_t synapses_start = 0;
    std::uint64_t bytes_start = 0;
    std::uint64_t synapses_end = 0;
    std::uint64_t bytes_end = 0;
};

run_result run(const config& c, const char* backend, int threads, std::int64_t steps) {
    engine_options opt;
    opt.threads = threads;
    auto e = make_engine(c.net, backend, opt);
    run_result r;
    r.synapses_start = e->synapse_count();
    r.bytes_start = e->synapse_bytes();
    for (std::int64_t s = 0; s < steps; ++s) {
        if (s % 100 == 50) {
            e->set_surprise(0.5);
            e->set_reward(0.25);
        }
        if (c.net.neuromodulation.kind == neuromodulation_kind::external && s % 30 == 0) {
            e->set_modulation(s % 90 == 0 ? -0.7 : 1.3);
        }
        if (s == 200) {
            (void)e->consolidate();  // on demand too
        }
        e->step(c.input);
    }
    r.consolidations = e->consolidations();
    r.synapses_end = e->synapse_count();
    r.bytes_end = e->synapse_bytes();
    r.out = {e->spikes(), e->synapses(), e->state(), e->stats()};
    return r;
}

void check_config(config c, consolidation_schedule_kind schedule) {
    c = with_consolidation(c, schedule);
    c.net.consolidation.prune_below = prune_threshold(c);
    const run_result ref = run(c, "reference", 1, 400);
    if (schedule == consolidation_schedule_kind::on_demand) {
        EXPECT_EQ(ref.consolidations, 1u) << c.name;
    } else {
        EXPECT_GE(ref.consolidations, 2u) << c.name;
    }
    EXPECT_LT(ref.synapses_end, ref.synapses_start) << c.name << ": nothing was pruned";
    EXPECT_LT(ref.bytes_end, ref.bytes_start) << c.name;
    for (int threads : {1, 2, 3}) {
        const run_result got = run(c, "cpu", threads, 400);
        EXPECT_EQ(got.consolidations, ref.consolidations);
        EXPECT_EQ(got.synapses_end, ref.synapses_end);
        expect_identical(ref.out, got.out, c.name + " cpu x" + std::to_string(threads));
    }
}

TEST(Consolidation, HebsnnIntervalScheduleBitIdentical) {
    check_config(hebsnn_config(), consolidation_schedule_kind::interval);
}

TEST(Consolidation, EiActivityScheduleBitIdentical) {
    check_config(ei_config(), consolidation_schedule_kind::activity);
}

TEST(Consolidation, MixedOnDemandBitIdentical) {
    check_config(mixed_config(), consolidation_schedule_kind::on_demand);
}

// A snapshot after pruning (replay buffer and schedule state included) continues on another
// backend exactly as the engine that took it.
TEST(Consolidation, SnapshotAfterPruningContinuesExactly) {
    config c = with_consolidation(hebsnn_config(), consolidation_schedule_kind::interval);
    c.net.consolidation.prune_below = prune_threshold(c);
    engine_options two;
    two.threads = 2;
    auto straight = make_engine(c.net, "cpu", two);
    straight->run(250.0, c.input);
    ASSERT_GE(straight->consolidations(), 1u);
    ASSERT_LT(straight->synapse_count(), straight->last_consolidation().synapses_before);
    const engine_snapshot snap = straight->snapshot();
    EXPECT_FALSE(snap.replay_step.empty());
    auto resumed = make_engine(snap, "reference");
    straight->run(150.0, c.input);
    resumed->run(150.0, c.input);
    EXPECT_EQ(resumed->consolidations(), straight->consolidations());
    expect_identical(
        {straight->spikes(), straight->synapses(), straight->state(), straight->stats()},
        {resumed->spikes(), resumed->synapses(), resumed->state(), resumed->stats()},
        "resumed after pruning");
}

TEST(Consolidation, ReportAndErrors) {
    config c = with_consolidation(mixed_config(), consolidation_schedule_kind::on_demand);
    c.net.consolidation.prune_below = 1e9;  // every plastic synapse
    auto e = make_engine(c.net, "cpu");
    e->run(50.0, c.input);
    const std::uint64_t before = e->synapse_count();
    const consolidation_report r = e->consolidate();
    EXPECT_EQ(r.synapses_before, before);
    EXPECT_EQ(r.synapses_after, e->synapse_count());
    EXPECT_EQ(r.pruned, r.synapses_before - r.synapses_after);
    EXPECT_GT(r.pruned, 0u);
    EXPECT_EQ(r.bytes_freed(), r.bytes_before - r.bytes_after);
    EXPECT_GT(r.bytes_freed(), 0u);
    EXPECT_EQ(r.replayed_steps, std::int64_t{r.patterns_replayed} * 8);
    EXPECT_EQ(e->last_consolidation().step, e->current_step());
    e->run(20.0, c.input);  // runs on with no plastic synapse left
    for (const synapse_view& s : e->synapses()) {
        EXPECT_NE(s.pre, 0xFFFFFFFFu);
    }

    network_spec off = mixed_config().net;
    auto plain = make_engine(off, "reference");
    EXPECT_THROW((void)plain->consolidate(), model_error);
    off.consolidation.strengthen_fraction = 1.5;
    EXPECT_THROW(off.validate(), model_error);
}

}  // namespace
}  // namespace hebllm::test
