// SPDX-License-Identifier: MIT
// Per-element kernels against hand-computed values.

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "core/kernels/fixed_point.hpp"
#include "core/kernels/neuron.hpp"
#include "core/kernels/plasticity.hpp"
#include "core/kernels/random.hpp"

namespace hebllm::kernels {
namespace {

TEST(kernels, fixed_point_is_exact_for_representable_weights_and_order_free) {
    EXPECT_EQ(to_fixed(0.5f, false), std::int64_t{1} << 31);
    EXPECT_EQ(to_fixed(0.5f, true), -(std::int64_t{1} << 31));
    EXPECT_EQ(from_fixed(to_fixed(0.1f, false)), static_cast<double>(0.1f));
    // Summation order does not matter for integers (it does for doubles).
    const float w[] = {0.1f, 1e-3f, 0.7f, 3.3f, 1e-5f};
    std::int64_t fwd = 0;
    std::int64_t bwd = 0;
    for (int k = 0; k < 5; ++k) {
        fwd += to_fixed(w[k], k % 2 == 1);
        bwd += to_fixed(w[4 - k], (4 - k) % 2 == 1);
    }
    EXPECT_EQ(fwd, bwd);
}

TEST(kernels, philox_is_a_pure_function_of_its_key_and_counter) {
    EXPECT_EQ(philox(42, 1, 2, 3), philox(42, 1, 2, 3));
    EXPECT_NE(philox(42, 1, 2, 3), philox(43, 1, 2, 3));
    EXPECT_NE(philox(42, 1, 2, 3), philox(42, 1, 2, 4));
    const auto u = uniform2(7, 0, 0, 0);
    EXPECT_GE(u[0], 0.0);
    EXPECT_LT(u[0], 1.0);
    EXPECT_EQ(uniform_from(0xFFFFFFFFu, 0xFFFFFFFFu), 1.0 - std::ldexp(1.0, -53));
}

TEST(kernels, homeostasis_step_moves_threshold_with_rate_error) {
    homeostasis_consts c{std::exp(-1.0 / 100.0), 10.0, 0.001, 5.0, -10.0, 10.0};
    double rate = 5.0;
    double thr = 1.0;
    homeostasis_step(rate, thr, true, c);
    EXPECT_NEAR(rate, 5.0 * std::exp(-0.01) + 10.0, 1e-12);
    EXPECT_NEAR(thr, 1.0 + 0.001 * (rate - 5.0), 1e-15);
}

TEST(kernels, portable_exp_matches_libm_to_a_few_ulp) {
    double worst = 0.0;
    for (double x = -60.0; x <= 60.0; x += 0.00731) {
        const double rel = std::abs(portable_exp(x) - std::exp(x)) / std::exp(x);
        worst = std::max(worst, rel);
    }
    EXPECT_LT(worst, 4e-16 * 8);
    EXPECT_EQ(portable_exp(0.0), 1.0);
    EXPECT_EQ(portable_exp(-800.0), 0.0);
    EXPECT_TRUE(std::isfinite(portable_exp(1000.0)));
}

}  // namespace
}  // namespace hebllm::kernels
