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

#include "equivalence/configs.hpp"

namespace hebllm {
namespace {

using namespace hebllm::test;

class equivalence : public ::testing::TestWithParam<int> {};

TEST_P(equivalence, cpu_matches_reference_bit_for_bit) {
    const std::vector<config> configs = {hebsnn_config(), ei_config(), mixed_config()};
    const config& c = configs.at(static_cast<std::size_t>(GetParam()));
    const double duration = 600.0;
    ASSERT_GE(c.net.neuron_count(), 2000u);
    const outcome ref = simulate(c, "reference", 1, duration);

    // The network must be doing something: mean rate between 1 and 100 Hz, weights changed.
    const double rate =
        static_cast<double>(ref.spikes.size()) / (c.net.neuron_count() * duration / 1000.0);
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
    // Parallel thresholds 0: every phase on every thread, the multi-ring delivery included
    // (at the default thresholds networks of this size run most phases on one thread).
    for (const int threads : {1, 2, 3, 7}) {
        expect_identical(
            ref, simulate(c, "cpu", threads, duration, true),
            c.name + " cpu " + std::to_string(threads) + " threads, parallel thresholds 0");
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
