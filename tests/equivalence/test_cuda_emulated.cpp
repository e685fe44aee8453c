// SPDX-License-Identifier: MIT
// The cuda backend's engine on the host emulation of its device (cuda_device_emulated.cpp, the
// same per-warp code with one lane and warps in reverse order) against the reference backend:
// bit-identical spikes, weights and state with every mechanism on, weight read-back and
// reset_state() in the middle of a run, and a resume from a snapshot. Runs on every build, GPU
// or not; it checks the engine's protocol with the device, not CUDA (test_cuda.cpp does that).

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <hebllm/engine.hpp>

#include "backends/cuda/cuda_device.hpp"
#include "backends/cuda/cuda_engine.hpp"
#include "equivalence/configs.hpp"

namespace hebllm {
namespace {

using namespace hebllm::test;

outcome run_emulated(const config& c, double duration_ms) {
    auto e = cuda_emulated::make_cuda_engine(c.net, engine_options{});
    EXPECT_EQ(e->backend(), "cuda");
    return drive(*e, c, duration_ms);
}

class cuda_emulated_equivalence : public ::testing::TestWithParam<int> {};

TEST_P(cuda_emulated_equivalence, matches_reference_bit_for_bit) {
    const std::vector<config> configs = {hebsnn_config(), ei_config(), mixed_config()};
    const config& c = configs.at(static_cast<std::size_t>(GetParam()));
    const double duration = 600.0;
    const outcome ref = simulate(c, "reference", 1, duration);
    EXPECT_GT(ref.stats.plasticity_updates, 1000u) << c.name;
    expect_identical(ref, run_emulated(c, duration), c.name + " cuda (emulated device)");
}

std::string config_name(const ::testing::TestParamInfo<int>& p) {
    const char* names[] = {"hebsnn", "ei_exponential", "mixed"};
    return names[p.param];
}

INSTANTIATE_TEST_SUITE_P(configs, cuda_emulated_equivalence, ::testing::Values(0, 1, 2),
                         config_name);

TEST(cuda_emulated, weights_read_midway_and_reset_state_match_reference) {
    const config c = ei_config();
    auto ref = make_engine(c.net, "reference");
    auto dev = cuda_emulated::make_cuda_engine(c.net, engine_options{});
    for (int phase = 0; phase < 3; ++phase) {
        for (int s = 0; s < 150; ++s) {
            ref->step(c.input);
            dev->step(c.input);
        }
        const auto a = ref->synapses();
        const auto b = dev->synapses();
        ASSERT_EQ(a.size(), b.size());
        std::size_t differing = 0;
        for (std::size_t k = 0; k < a.size(); ++k) {
            differing += a[k].weight != b[k].weight ? 1 : 0;
        }
        EXPECT_EQ(differing, 0u) << "phase " << phase;
        if (phase == 1) {
            ref->reset_state();
            dev->reset_state();
        }
    }
    EXPECT_EQ(ref->spikes(), dev->spikes());
    EXPECT_EQ(ref->stats().plasticity_updates, dev->stats().plasticity_updates);
}

TEST(cuda_emulated, resume_from_a_snapshot_matches_a_straight_run) {
    const config c = mixed_config();
    auto straight = make_engine(c.net, "reference");
    auto first = cuda_emulated::make_cuda_engine(c.net, engine_options{});
    for (int s = 0; s < 200; ++s) {
        straight->step(c.input);
        first->step(c.input);
    }
    const engine_snapshot snap = first->snapshot(true);
    auto resumed = cuda_emulated::make_cuda_engine(snap.spec, engine_options{}, &snap);
    for (int s = 0; s < 200; ++s) {
        straight->step(c.input);
        resumed->step(c.input);
    }
    EXPECT_EQ(straight->spikes(), resumed->spikes());
    const auto a = straight->synapses();
    const auto b = resumed->synapses();
    ASSERT_EQ(a.size(), b.size());
    std::size_t differing = 0;
    for (std::size_t k = 0; k < a.size(); ++k) {
        differing += a[k].weight != b[k].weight ? 1 : 0;
    }
    EXPECT_EQ(differing, 0u);
}

// The backend refuses, by name and before allocating anything, a machine without a device and a
// device 0 older than compute capability 8.0 (its code is built for sm_80 and sm_90 only).
TEST(cuda_emulated, devices_below_compute_capability_8_are_refused_with_the_reason) {
    using cuda_emulated::device_info;
    EXPECT_EQ(cuda_emulated::unusable_reason(), "");  // the emulated device is an sm_80
    EXPECT_NE(cuda_emulated::unusable_reason({}).find("no CUDA device"), std::string::npos);
    const std::vector<device_info> old = {{0, "Tesla V100", 7, 0, 16ull << 30},
                                          {1, "A100", 8, 0, 40ull << 30}};
    const std::string why = cuda_emulated::unusable_reason(old);
    EXPECT_NE(why.find("device 0 (Tesla V100) has compute capability 7.0"), std::string::npos)
        << why;
    EXPECT_NE(why.find("needs 8.0 or newer"), std::string::npos) << why;
    EXPECT_EQ(cuda_emulated::unusable_reason({{0, "H100", 9, 0, 80ull << 30}}), "");
}

}  // namespace
}  // namespace hebllm
