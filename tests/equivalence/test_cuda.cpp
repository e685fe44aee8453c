// SPDX-License-Identifier: MIT
// The cuda backend against the reference backend: bit-identical spike trains, final weights and
// neuron state on the equivalence configs (STDP, homeostasis, neuromodulation incl. kind
// external, poisson_input, forced spikes, callbacks). Label `cuda`: skipped, with "no CUDA
// device", where none is usable (docs/dev/cuda-backend.md).

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <hebllm/build_info.hpp>
#include <hebllm/engine.hpp>
#include <hebllm/errors.hpp>

#include "equivalence/configs.hpp"

namespace hebllm {
namespace {

using namespace hebllm::test;

// Device 0 is present and supported (describe_devices marks one below compute capability 8.0).
bool cuda_usable() {
    const auto devices = cuda_devices();
    return !devices.empty() && devices.front().find("unsupported") == std::string::npos;
}

class cuda_equivalence : public ::testing::TestWithParam<int> {};

TEST_P(cuda_equivalence, cuda_matches_reference_bit_for_bit) {
    if (!cuda_usable()) {
        GTEST_SKIP() << "no CUDA device";
    }
    const std::vector<config> configs = {hebsnn_config(), ei_config(), mixed_config()};
    const config& c = configs.at(static_cast<std::size_t>(GetParam()));
    const double duration = 600.0;
    const outcome ref = simulate(c, "reference", 1, duration);
    EXPECT_GT(ref.stats.plasticity_updates, 1000u) << c.name;
    expect_identical(ref, simulate(c, "cuda", 1, duration), c.name + " cuda");
}

std::string config_name(const ::testing::TestParamInfo<int>& p) {
    const char* names[] = {"hebsnn", "ei_exponential", "mixed"};
    return names[p.param];
}

INSTANTIATE_TEST_SUITE_P(configs, cuda_equivalence, ::testing::Values(0, 1, 2), config_name);

// "auto" picks the cpu backend, device or not, until the cuda backend has passed these tests on
// a device (src/backends/registry.cpp); cuda runs when asked for by name.
TEST(cuda_backend, auto_picks_cpu_until_cuda_is_verified_on_a_device) {
    const config c = hebsnn_config();
    EXPECT_EQ(make_engine(c.net, "auto")->backend(), "cpu");
}

TEST(cuda_backend, reset_and_reread_weights_match_reference) {
    if (!cuda_usable()) {
        GTEST_SKIP() << "no CUDA device";
    }
    // Weights read in the middle of a run, then a reset_state() (ring and traces dropped),
    // then more steps: the device must pick up the host's state each time.
    const config c = ei_config();
    auto ref = make_engine(c.net, "reference");
    auto gpu = make_engine(c.net, "cuda");
    for (int phase = 0; phase < 2; ++phase) {
        for (int s = 0; s < 150; ++s) {
            ref->step(c.input);
            gpu->step(c.input);
        }
        const auto a = ref->synapses();
        const auto b = gpu->synapses();
        ASSERT_EQ(a.size(), b.size());
        std::size_t differing = 0;
        for (std::size_t k = 0; k < a.size(); ++k) {
            differing += a[k].weight != b[k].weight ? 1 : 0;
        }
        EXPECT_EQ(differing, 0u) << "phase " << phase;
        ref->reset_state();
        gpu->reset_state();
    }
    EXPECT_EQ(ref->spikes(), gpu->spikes());
}

TEST(cuda_backend, without_a_device_the_backend_says_so) {
    bool built = false;
    for (const auto& b : available_backends()) {
        built = built || b == "cuda";
    }
    if (!built) {
        GTEST_SKIP() << "cuda backend not built";
    }
    if (!cuda_devices().empty()) {
        GTEST_SKIP() << "a CUDA device is present";
    }
    const config c = hebsnn_config();
    try {
        (void)make_engine(c.net, "cuda");
        FAIL() << "expected backend_error";
    } catch (const backend_error& e) {
        EXPECT_NE(std::string(e.what()).find("no CUDA device"), std::string::npos) << e.what();
    }
    EXPECT_EQ(make_engine(c.net, "auto")->backend(), "cpu");
}

}  // namespace
}  // namespace hebllm
