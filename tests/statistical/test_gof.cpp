// SPDX-License-Identifier: MIT
// The goodness-of-fit helpers of tests/support/gof.hpp against closed forms, published table
// values and samples whose law is known: they accept the right distribution and reject a wrong
// one.

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "support/gof.hpp"

namespace hebllm::test {
namespace {

// Q(a, x) in closed form: Q(1/2, x) = erfc(sqrt x), Q(a + 1, x) = Q(a, x) + x^a e^-x / G(a + 1),
// and for integer a the Poisson sum Q(a, x) = e^-x sum_{k < a} x^k / k!. Both branches of the
// implementation (series below x = a + 1, continued fraction above) are reached, down to
// Q = 1e-22 where only relative accuracy means anything.
TEST(gof, regularized_gamma_q_matches_closed_forms) {
    for (double x : {0.01, 0.5, 1.0, 3.0, 30.0, 50.0}) {
        EXPECT_NEAR(regularized_gamma_q(1.0, x) / std::exp(-x), 1.0, 1e-13) << x;
        const double half = std::erfc(std::sqrt(x));
        EXPECT_NEAR(regularized_gamma_q(0.5, x) / half, 1.0, 1e-12) << x;
        const double three_halves = half + std::sqrt(x) * std::exp(-x) / std::tgamma(1.5);
        EXPECT_NEAR(regularized_gamma_q(1.5, x) / three_halves, 1.0, 1e-12) << x;
        const double five_halves =
            three_halves + std::pow(x, 1.5) * std::exp(-x) / std::tgamma(2.5);
        EXPECT_NEAR(regularized_gamma_q(2.5, x) / five_halves, 1.0, 1e-12) << x;
    }
    const auto poisson_sum = [](int a, double x) {
        double s = 0.0;
        for (int k = 0; k < a; ++k) {
            s += std::exp(k * std::log(x) - x - std::lgamma(k + 1.0));
        }
        return s;
    };
    for (int a : {2, 10, 50, 500}) {
        for (double f : {0.3, 0.8, 1.0, 1.25, 1.6}) {
            const double x = f * a;
            EXPECT_NEAR(regularized_gamma_q(a, x) / poisson_sum(a, x), 1.0, 1e-10) << a << " " << x;
        }
    }
    EXPECT_EQ(regularized_gamma_q(3.0, 0.0), 1.0);
    EXPECT_THROW(regularized_gamma_q(0.0, 1.0), std::invalid_argument);
}

// Upper percentage points of the chi-square law (Abramowitz & Stegun, Table 26.8; 7 digits):
// the p-value at each tabulated point is the tabulated level.
TEST(gof, chi_square_p_values_match_tables) {
    struct point {
        double statistic;
        int dof;
        double level;
    };
    for (const point& t :
         {point{3.841459, 1, 0.05}, point{6.634897, 1, 0.01}, point{10.82757, 1, 0.001},
          point{18.30704, 10, 0.05}, point{23.20925, 10, 0.01}, point{20.51501, 5, 0.001},
          point{124.3421, 100, 0.05}, point{149.4493, 100, 0.001}, point{0.1025866, 2, 0.95}}) {
        EXPECT_NEAR(chi_square_p_value(t.statistic, t.dof) / t.level, 1.0, 2e-5)
            << t.statistic << " dof " << t.dof;
    }
}

// Critical values of the Kolmogorov distribution (Smirnov 1948; 5 digits), and two values of
// the series 2 sum (-1)^(j-1) exp(-2 j^2 lambda^2) evaluated to 17 digits with mpmath 1.3, one
// on each side of the implementation's switch between its two forms at lambda = 1.18.
TEST(gof, kolmogorov_q_matches_tables) {
    EXPECT_NEAR(kolmogorov_q(1.22385), 0.10, 1e-5);
    EXPECT_NEAR(kolmogorov_q(1.35810), 0.05, 1e-5);
    EXPECT_NEAR(kolmogorov_q(1.62762), 0.01, 1e-6);
    EXPECT_NEAR(kolmogorov_q(1.94947), 0.001, 1e-7);
    EXPECT_NEAR(kolmogorov_q(0.5), 0.96394524366487509, 1e-14);
    EXPECT_NEAR(kolmogorov_q(1.0), 0.26999967167735452, 1e-14);
    EXPECT_NEAR(kolmogorov_q(1.18 - 1e-12), kolmogorov_q(1.18 + 1e-12), 1e-11);
    EXPECT_EQ(kolmogorov_q(0.0), 1.0);
    EXPECT_LT(kolmogorov_q(4.0), 1e-13);
}

// Hand-computed statistics: counts {10, 20, 30} against 1/3 each expect 20, chi^2 = 10 with 2
// degrees of freedom, p = Q(1, 5) = e^-5. Expected counts {1, 1, 48, 48, 2} pool into
// {50, 50}. The sample {0.1, 0.4, 0.7} against U(0, 1) has D = 1 - 0.7 = 0.3.
TEST(gof, statistics_by_hand) {
    const std::vector<std::uint64_t> observed = {10, 20, 30};
    const std::vector<double> third = {1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0};
    const chi_square_result r = chi_square_test(observed, third);
    EXPECT_NEAR(r.statistic, 10.0, 1e-12);
    EXPECT_EQ(r.dof, 2);
    EXPECT_NEAR(r.p_value, std::exp(-5.0), 1e-15);

    const std::vector<std::uint64_t> pooled_observed = {3, 0, 40, 50, 7};  // groups 43 and 57
    const std::vector<double> pooled_p = {0.01, 0.01, 0.48, 0.48, 0.02};
    const chi_square_result pooled = chi_square_test(pooled_observed, pooled_p);
    EXPECT_EQ(pooled.dof, 1);
    EXPECT_NEAR(pooled.statistic, 2.0 * 49.0 / 50.0, 1e-12);

    // A count where the model puts probability 0 rejects outright.
    const std::vector<std::uint64_t> impossible = {0, 1, 99};
    const std::vector<double> no_middle = {0.5, 0.0, 0.5};
    EXPECT_EQ(chi_square_test(impossible, no_middle).p_value, 0.0);
    EXPECT_THROW(chi_square_test(observed, pooled_p), std::invalid_argument);

    const ks_result ks = ks_test({0.7, 0.1, 0.4}, [](double x) { return x; });
    EXPECT_NEAR(ks.statistic, 0.3, 1e-15);
}

TEST(gof, distributions_sum_to_one) {
    const std::vector<double> b = binomial_pmf(10000, 0.05);
    double sum = 0.0;
    for (double p : b) {
        sum += p;
    }
    EXPECT_NEAR(sum, 1.0, 1e-10);
    EXPECT_NEAR(binomial_pmf(4, 0.5)[2], 6.0 / 16.0, 1e-15);
    const std::vector<double> g = shifted_geometric_bins(0.2, 3, 10);
    sum = 0.0;
    for (double p : g) {
        sum += p;
    }
    EXPECT_NEAR(sum, 1.0, 1e-15);
    EXPECT_EQ(g[2], 0.0);
    EXPECT_NEAR(g[4], 0.8 * 0.2, 1e-15);
    EXPECT_NEAR(g[9], std::pow(0.8, 6), 1e-15);
}

// Samples with a known law, drawn by inversion from std::mt19937_64 (whose output the standard
// fixes; std::*_distribution is implementation-defined and would make the numbers differ between
// standard libraries). Fixed seed: each check is deterministic; over seeds the accepting ones
// would fail with probability 0.1 %. The wrong alternatives (a rate off by 10 %, a binomial
// probability off by 4 %, twice a binomial of half the size) give p-values below 1e-10.
double uniform01(std::mt19937_64& g) {
    return (static_cast<double>(g() >> 11) + 0.5) * 0x1p-53;  // in (0, 1)
}

TEST(gof, accepts_the_right_law_and_rejects_a_wrong_one) {
    std::mt19937_64 g(20240611);
    std::vector<double> exponential(20000);
    for (double& x : exponential) {
        x = -std::log(uniform01(g));  // Exp(1)
    }
    const auto exp_cdf = [](double rate) {
        return [rate](double x) { return x <= 0.0 ? 0.0 : -std::expm1(-rate * x); };
    };
    EXPECT_GT(ks_test(exponential, exp_cdf(1.0)).p_value, 1e-3);
    EXPECT_LT(ks_test(exponential, exp_cdf(1.1)).p_value, 1e-10);

    // 20,000 Binomial(50, 0.2) counts against the right pmf and one with p = 0.208.
    std::vector<std::int64_t> counts(20000);
    for (std::int64_t& c : counts) {
        c = 0;
        for (int i = 0; i < 50; ++i) {
            c += uniform01(g) < 0.2 ? 1 : 0;
        }
    }
    const std::vector<std::uint64_t> h = tail_histogram(counts, 51);
    EXPECT_GT(chi_square_test(h, binomial_pmf(50, 0.2)).p_value, 1e-3);
    EXPECT_LT(chi_square_test(h, binomial_pmf(50, 0.208)).p_value, 1e-10);

    // Same mean, wrong shape: twice Binomial(25, 0.2) has twice the variance.
    std::vector<std::int64_t> doubled(counts.size());
    for (std::size_t i = 0; i < counts.size(); ++i) {
        std::int64_t c = 0;
        for (int k = 0; k < 25; ++k) {
            c += uniform01(g) < 0.2 ? 1 : 0;
        }
        doubled[i] = 2 * c;
    }
    EXPECT_LT(chi_square_test(tail_histogram(doubled, 51), binomial_pmf(50, 0.2)).p_value, 1e-10);
}

}  // namespace
}  // namespace hebllm::test
