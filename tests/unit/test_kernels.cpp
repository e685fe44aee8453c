// SPDX-License-Identifier: MIT
// Per-element kernels against hand-computed values.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

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

// Random123's published known answers for Philox4x32-10 (tests/kat_vectors of the Random123
// distribution, the three "philox4x32 10" lines: counter[4] key[2] -> result[4]), through the
// generator and through kernels::philox, whose layout they pin: key = (seed low, seed high),
// counter = (step low, step high, id, stream). Every backend's random numbers (initial
// potentials, connectivity, Poisson input, escape noise) are these words.
TEST(kernels, philox_matches_random123_known_answers_and_pins_the_layout) {
    struct kat {
        std::array<std::uint32_t, 4> ctr;
        std::array<std::uint32_t, 2> key;
        std::array<std::uint32_t, 4> expect;
    };
    const std::array<kat, 3> kats = {{
        {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}},
        {{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
         {0xffffffffu, 0xffffffffu},
         {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}},
        {{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
         {0xa4093822u, 0x299f31d0u},
         {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}},
    }};
    for (const kat& k : kats) {
        using gen = r123::Philox4x32;
        const gen::ctr_type ctr = {{k.ctr[0], k.ctr[1], k.ctr[2], k.ctr[3]}};
        const gen::key_type key = {{k.key[0], k.key[1]}};
        const gen::ctr_type r = gen()(ctr, key);
        EXPECT_EQ((std::array<std::uint32_t, 4>{r[0], r[1], r[2], r[3]}), k.expect);
        const std::uint64_t seed = (std::uint64_t{k.key[1]} << 32) | k.key[0];
        const std::uint64_t step = (std::uint64_t{k.ctr[1]} << 32) | k.ctr[0];
        EXPECT_EQ(philox(seed, k.ctr[3], k.ctr[2], step), k.expect);
    }
    // The streams are distinct counter words: the escape draws of neuron group 0 at step 0 of
    // seed 0 are the generator's output for counter (0, 0, 0, escape).
    using gen = r123::Philox4x32;
    const auto escape = static_cast<std::uint32_t>(rng_stream::escape);
    const gen::ctr_type r = gen()({{0, 0, 0, escape}}, {{0, 0}});
    EXPECT_EQ(philox(0, escape, 0, 0), (std::array<std::uint32_t, 4>{r[0], r[1], r[2], r[3]}));
}

TEST(kernels, homeostasis_step_moves_threshold_with_rate_error) {
    homeostasis_consts c{std::exp(-1.0 / 100.0), 10.0, 0.001, 5.0, -10.0, 10.0};
    double rate = 5.0;
    double thr = 1.0;
    homeostasis_step(rate, thr, true, c);
    EXPECT_NEAR(rate, 5.0 * std::exp(-0.01) + 10.0, 1e-12);
    EXPECT_NEAR(thr, 1.0 + 0.001 * (rate - 5.0), 1e-15);
}

// The escape-noise shortcut (a bound instead of the exponential for most draws) decides
// exactly as the direct formula, for potentials from far below to far above threshold, draws
// across the whole range and at the edges, and several rates and widths.
TEST(kernels, escape_spike_shortcut_decides_exactly_as_the_formula) {
    std::uint64_t x = 12345;
    const auto next = [&x] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    std::uint64_t spikes = 0;
    std::uint64_t cases = 0;
    for (const double width : {0.05, 0.25, 1.0, 4.0}) {
        for (const double rate_dt : {1e-6, 0.001, 1.0, 50.0}) {
            neuron_consts c;
            set_escape(c, width, rate_dt);
            for (int n = 0; n < 200000; ++n) {
                const double v = -300.0 * width + static_cast<double>(next() % 1000000) *
                                                      (330.0 * width / 1000000.0);
                std::uint32_t draw = static_cast<std::uint32_t>(next());
                if (n % 7 == 0) {
                    draw = static_cast<std::uint32_t>(next() % 16);  // near 0
                }
                if (n % 11 == 0) {
                    draw = 0xFFFFFFFFu - static_cast<std::uint32_t>(next() % 16);
                }
                const bool fast = escape_spike(v, 1.0, draw, c);
                ASSERT_EQ(fast, escape_spike_exact(v, 1.0, draw, c))
                    << "v " << v << " draw " << draw << " width " << width << " rate " << rate_dt;
                spikes += fast ? 1u : 0u;
                ++cases;
            }
            // At the exact decision boundary: the draw just below and at p * 2^32.
            for (double v = -20.0 * width; v < 5.0 * width; v += width * 0.0137) {
                const double h = rate_dt * portable_exp((v - 1.0) / width);
                const double p = h < 1e-3 ? h * (1.0 - h * (0.5 - h * (1.0 / 6.0 - h / 24.0)))
                                          : 1.0 - portable_exp(-h);
                const double edge = p * 4294967296.0;
                if (edge >= 1.0 && edge < 4294967295.0) {
                    for (const double d : {edge - 1.0, edge, edge + 1.0}) {
                        const auto draw = static_cast<std::uint32_t>(d);
                        ASSERT_EQ(escape_spike(v, 1.0, draw, c),
                                  escape_spike_exact(v, 1.0, draw, c))
                            << "boundary v " << v;
                    }
                }
            }
        }
    }
    // Far below threshold (x < -600, where only a draw of 0 could spike) and far above.
    neuron_consts c;
    set_escape(c, 1.0, 1.0);
    for (const double v : {-650.0, -690.0, -705.0, -1e6, 650.0, 1e6}) {
        for (const std::uint32_t draw : {0u, 1u, 2u, 0x80000000u, 0xFFFFFFFFu}) {
            EXPECT_EQ(escape_spike(v, 1.0, draw, c), escape_spike_exact(v, 1.0, draw, c))
                << v << " " << draw;
        }
    }
    EXPECT_GT(spikes, cases / 100);  // both outcomes are exercised
    EXPECT_LT(spikes, cases);
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
