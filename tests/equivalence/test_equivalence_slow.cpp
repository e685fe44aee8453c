// SPDX-License-Identifier: MIT
// Slow equivalence test (label slow): a larger network for longer.

#include <cstdio>

#include <gtest/gtest.h>

#include "equivalence/configs.hpp"

namespace hebllm {
namespace {

using namespace hebllm::test;

// Slow: a 10,000-neuron HebSNN network for 2 s of biological time with every mechanism on.
TEST(equivalence_slow, large_hebsnn_network_two_seconds) {
    config c;
    c.net = make_hebsnn(1250, 6250, 1250, 1250, 0.02, 3);
    c.net.stimuli.push_back({stimulus_kind::poisson, 0, 1250, 0.0, 2000.0, 30.0, 0.0});
    const outcome ref = simulate(c, "reference", 1, 2000.0);
    const double rate = static_cast<double>(ref.spikes.size()) / (10000.0 * 2.0);
    EXPECT_GT(rate, 1.0);
    EXPECT_LT(rate, 100.0);
    std::printf("[ large ] %zu spikes, %.2f Hz, %zu synapses\n", ref.spikes.size(), rate,
                ref.synapses.size());
    for (const int threads : {1, 2}) {
        expect_identical(ref, simulate(c, "cpu", threads, 2000.0),
                         "large cpu " + std::to_string(threads) + " threads");
    }
}

}  // namespace
}  // namespace hebllm
