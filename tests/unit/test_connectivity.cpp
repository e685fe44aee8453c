// SPDX-License-Identifier: MIT
// The synapse store built from connectivity rules: structure, Dale's law, delays, incoming index.

#include <algorithm>
#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include <hebllm/engine.hpp>
#include <hebllm/errors.hpp>

#include "core/synapse_store.hpp"
#include "support/networks.hpp"

namespace hebllm {
namespace {

network_spec two_populations(connect_rule_kind rule) {
    network_spec net;
    net.populations = {test::lif_population("e", 300), test::lif_population("i", 100, {}, true)};
    projection p;
    p.source = "e";
    p.target = "e";
    p.rule = rule;
    p.density = 0.2;
    p.outdegree = 37;
    p.weight = {weight_dist_kind::uniform, 0.1, 0.3, 1.0, 0.0, 1.0};
    p.delay_min_ms = 1.0;
    p.delay_max_ms = 5.0;
    p.plastic = true;
    net.projections.push_back(p);
    p.source = "i";
    p.target = "e";
    p.plastic = false;
    net.projections.push_back(p);
    return net;
}

TEST(connectivity, fixed_outdegree_gives_distinct_targets_without_autapses) {
    const network_spec net = two_populations(connect_rule_kind::fixed_outdegree);
    const detail::synapse_store s = detail::build_synapses(net);
    ASSERT_EQ(s.size(), 400u * 37u);
    for (std::uint32_t j = 0; j < 400; ++j) {
        std::set<std::uint32_t> targets;
        for (std::uint64_t k = s.row_begin[j]; k < s.row_begin[j + 1]; ++k) {
            EXPECT_LT(s.target[k], 300u);
            EXPECT_NE(s.target[k], j) << "autapse";
            targets.insert(s.target[k]);
            EXPECT_GE(s.weight[k], 0.1f);
            EXPECT_LT(s.weight[k], 0.3f);
        }
        EXPECT_EQ(targets.size(), 37u) << "row " << j;
        std::uint64_t plastic = 0;
        for (std::uint32_t g = s.segment_begin[j]; g < s.segment_begin[j + 1]; ++g) {
            const std::uint64_t begin = g == 0 ? 0 : s.segments[g - 1].end;
            plastic += s.segments[g].plastic != 0 ? s.segments[g].end - begin : 0;
            EXPECT_GE(s.segments[g].delay, 1);
            EXPECT_LE(s.segments[g].delay, 5);
        }
        EXPECT_EQ(plastic, j < 300 ? 37u : 0u);
        EXPECT_EQ(s.negative[j], j < 300 ? 0 : 1);
    }
}

TEST(connectivity, segments_partition_rows_by_plasticity_then_delay) {
    const detail::synapse_store s =
        detail::build_synapses(two_populations(connect_rule_kind::bernoulli));
    ASSERT_EQ(s.segment_begin.back(), s.segments.size());
    ASSERT_EQ(s.segments.back().end, s.size());
    for (std::uint32_t j = 0; j < s.neuron_count; ++j) {
        std::uint64_t k = s.row_begin[j];
        int last_key = -1;
        for (std::uint32_t g = s.segment_begin[j]; g < s.segment_begin[j + 1]; ++g) {
            const auto& seg = s.segments[g];
            EXPECT_GT(seg.end, k) << "empty segment in row " << j;
            // Plastic segments first, then static; delays increase within each part.
            const int key = (seg.plastic != 0 ? 0 : 1000) + seg.delay;
            EXPECT_GT(key, last_key);
            last_key = key;
            for (std::uint64_t m = k + 1; m < seg.end; ++m) {
                EXPECT_LE(s.target[m - 1], s.target[m]) << "targets sorted within a segment";
            }
            k = seg.end;
        }
        EXPECT_EQ(k, s.row_begin[j + 1]);
    }
}

TEST(connectivity, union_target_spreads_fixed_outdegree_over_both_populations) {
    network_spec net = two_populations(connect_rule_kind::fixed_outdegree);
    net.projections[1].target = "e+i";  // inhibitory sources: 37 targets among all 400 neurons
    const detail::synapse_store s = detail::build_synapses(net);
    std::uint64_t to_i = 0;
    for (std::uint32_t j = 300; j < 400; ++j) {
        std::set<std::uint32_t> targets(s.target.begin() + static_cast<long>(s.row_begin[j]),
                                        s.target.begin() + static_cast<long>(s.row_begin[j + 1]));
        EXPECT_EQ(targets.size(), 37u);
        EXPECT_EQ(targets.count(j), 0u) << "no autapse";
        to_i += static_cast<std::uint64_t>(std::count_if(targets.begin(), targets.end(),
                                                         [](std::uint32_t t) { return t >= 300; }));
    }
    // 3,700 draws, a quarter of the union is inhibitory: about 925 (binomial sd ~26).
    EXPECT_NEAR(static_cast<double>(to_i), 3700.0 * 99.0 / 399.0, 5 * 26.0);
    net.projections[1].target = "e+x";
    EXPECT_THROW(net.validate(), model_error);
}

TEST(connectivity, engines_report_signed_weights_and_the_same_graph) {
    const network_spec net = two_populations(connect_rule_kind::bernoulli);
    const auto a = make_engine(net, "reference")->synapses();
    const auto b = make_engine(net, "cpu")->synapses();
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
        EXPECT_EQ(a[k].pre, b[k].pre);
        EXPECT_EQ(a[k].post, b[k].post);
        EXPECT_EQ(a[k].weight, b[k].weight);
        EXPECT_EQ(a[k].pre >= 300, a[k].weight < 0) << "Dale's law";
    }
}

TEST(connectivity, explicit_synapses_keep_their_weights_and_delays) {
    network_spec net;
    net.dt_ms = 0.1;
    net.populations = {test::lif_population("e", 3), test::lif_population("i", 2, {}, true)};
    net.synapses = {{0, 1, 0.25, 0.3, false}, {3, 0, -0.5, 1.2, false}, {0, 2, 0.125, 0.1, false}};
    const auto syn = make_engine(net, "cpu")->synapses();
    ASSERT_EQ(syn.size(), 3u);
    EXPECT_EQ(syn[0].post, 1u);
    EXPECT_EQ(syn[0].delay_steps, 3u);  // 0.3 / 0.1 rounds to 3 despite binary fractions
    EXPECT_EQ(syn[0].weight, 0.25f);
    EXPECT_EQ(syn[1].post, 2u);
    EXPECT_EQ(syn[2].pre, 3u);
    EXPECT_EQ(syn[2].delay_steps, 12u);
    EXPECT_EQ(syn[2].weight, -0.5f);
}

TEST(connectivity, dale_violation_in_explicit_synapse_is_refused) {
    network_spec net;
    net.populations = {test::lif_population("e", 2)};
    net.synapses = {{0, 1, -0.5, 1.0, false}};
    try {
        net.validate();
        FAIL() << "expected model_error";
    } catch (const model_error& e) {
        EXPECT_NE(std::string(e.what()).find("Dale"), std::string::npos) << e.what();
    }
}

TEST(connectivity, impossible_sizes_are_refused_before_allocating) {
    network_spec net;
    net.populations = {test::lif_population("e", 3000000000u),
                       test::lif_population("f", 3000000000u)};
    EXPECT_THROW(net.validate(), model_error);
    network_spec dense;
    dense.populations = {test::lif_population("e", 200000)};
    projection p;
    p.source = p.target = "e";
    p.density = 1.0;
    dense.projections = {p};
    EXPECT_THROW(dense.validate(), model_error);  // 4e10 synapses
}

TEST(connectivity, network_larger_than_memory_is_refused_with_the_estimate) {
    if (!std::filesystem::exists("/proc/meminfo")) {
        GTEST_SKIP() << "no /proc/meminfo: the memory check is not available here";
    }
    network_spec net;  // valid, but 2e9 neurons need ~500 GB of state
    net.populations = {test::lif_population("huge", 2000000000u)};
    try {
        (void)make_engine(net, "cpu");
        FAIL() << "expected model_error";
    } catch (const model_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("GiB"), std::string::npos) << what;
        EXPECT_NE(what.find("refused before allocating"), std::string::npos) << what;
    }
}

}  // namespace
}  // namespace hebllm
