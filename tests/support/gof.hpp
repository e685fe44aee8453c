// SPDX-License-Identifier: MIT
#pragma once
// Goodness-of-fit helpers for the statistical tests: Pearson's chi-square test of a histogram
// against a discrete distribution, the one-sample Kolmogorov-Smirnov test against a continuous
// CDF, and the distributions the simulator's random processes follow (binomial, shifted
// geometric). Checked against closed forms and table values in tests/statistical/test_gof.cpp.
//
// How a test uses them: with a fixed seed the simulator is deterministic, so a p-value is a
// fixed number and a check "p > 1e-3" passes or fails the same way on every run. Over seeds, a
// correct implementation would fail it with probability 0.1 % (the significance level); a wrong
// one (wrong rate, correlated draws, a biased generator) gives p-values far below it.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <vector>

namespace hebllm::test {

// The regularized upper incomplete gamma function Q(a, x) = Gamma(a, x) / Gamma(a), a > 0,
// x >= 0: the series of P = 1 - Q below x = a + 1, the continued fraction of Q above it
// (modified Lentz), both to double precision. Q is not small where 1 - P is used (Q(a, a + 1)
// is near 1/2), so tiny p-values keep their relative accuracy.
inline double regularized_gamma_q(double a, double x) {
    if (!(a > 0.0) || !(x >= 0.0)) {
        throw std::invalid_argument("regularized_gamma_q: needs a > 0 and x >= 0");
    }
    if (x == 0.0) {
        return 1.0;
    }
    if (std::isinf(x)) {
        return 0.0;
    }
    const double log_prefactor = a * std::log(x) - x - std::lgamma(a);  // log(x^a e^-x / G(a))
    constexpr int max_iterations = 100000;
    constexpr double eps = 1e-17;
    if (x < a + 1.0) {
        // P(a, x) = x^a e^-x / G(a) * sum_k x^k / (a (a+1) ... (a+k))
        double term = 1.0 / a;
        double sum = term;
        for (int k = 1; k < max_iterations; ++k) {
            term *= x / (a + k);
            sum += term;
            if (term < sum * eps) {
                return 1.0 - sum * std::exp(log_prefactor);
            }
        }
    } else {
        // Q(a, x) = x^a e^-x / G(a) * 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / ...))
        constexpr double tiny = 1e-300;
        double b = x + 1.0 - a;
        double c = 1.0 / tiny;
        double d = 1.0 / b;
        double h = d;
        for (int i = 1; i < max_iterations; ++i) {
            const double an = -i * (i - a);
            b += 2.0;
            d = an * d + b;
            d = std::fabs(d) < tiny ? tiny : d;
            c = b + an / c;
            c = std::fabs(c) < tiny ? tiny : c;
            d = 1.0 / d;
            const double delta = d * c;
            h *= delta;
            if (std::fabs(delta - 1.0) < eps * 10.0) {
                return std::exp(log_prefactor) * h;
            }
        }
    }
    throw std::runtime_error("regularized_gamma_q: no convergence");
}

// P(X > statistic) for X chi-square distributed with dof degrees of freedom.
inline double chi_square_p_value(double statistic, double dof) {
    return regularized_gamma_q(dof / 2.0, statistic / 2.0);
}

struct chi_square_result {
    double statistic = 0.0;
    int dof = 0;           // pooled bins - 1
    double p_value = 0.0;  // P(chi-square(dof) > statistic); 0 for an impossible observation
};

// Pearson's chi-square test of observed counts against bin probabilities (same length, summing
// to 1: the last bin is usually an upper tail). Adjacent bins are pooled from the left until
// each group expects at least min_expected counts (the usual rule of 5 under which the
// statistic is close enough to its chi-square law); a remainder short of it joins the last
// group. A count in a bin of probability exactly 0 rejects outright (p = 0): the model says it
// cannot happen.
inline chi_square_result chi_square_test(std::span<const std::uint64_t> observed,
                                         std::span<const double> probability,
                                         double min_expected = 5.0) {
    if (observed.size() != probability.size() || observed.empty()) {
        throw std::invalid_argument("chi_square_test: observed and probability differ in size");
    }
    double total_p = 0.0;
    double n = 0.0;
    for (std::size_t i = 0; i < observed.size(); ++i) {
        if (!(probability[i] >= 0.0)) {
            throw std::invalid_argument("chi_square_test: negative probability");
        }
        if (probability[i] == 0.0 && observed[i] > 0) {
            return {std::numeric_limits<double>::infinity(), 0, 0.0};
        }
        total_p += probability[i];
        n += static_cast<double>(observed[i]);
    }
    if (std::fabs(total_p - 1.0) > 1e-9) {
        throw std::invalid_argument("chi_square_test: probabilities do not sum to 1");
    }
    std::vector<double> group_observed;
    std::vector<double> group_expected;
    double o = 0.0;
    double e = 0.0;
    for (std::size_t i = 0; i < observed.size(); ++i) {
        o += static_cast<double>(observed[i]);
        e += n * probability[i];
        if (e >= min_expected) {
            group_observed.push_back(o);
            group_expected.push_back(e);
            o = e = 0.0;
        }
    }
    if (e > 0.0 || o > 0.0) {
        if (group_expected.empty()) {
            throw std::invalid_argument("chi_square_test: too few counts for one group");
        }
        group_observed.back() += o;
        group_expected.back() += e;
    }
    if (group_expected.size() < 2) {
        throw std::invalid_argument("chi_square_test: fewer than 2 groups after pooling");
    }
    double statistic = 0.0;
    for (std::size_t g = 0; g < group_expected.size(); ++g) {
        const double diff = group_observed[g] - group_expected[g];
        statistic += diff * diff / group_expected[g];
    }
    const int dof = static_cast<int>(group_expected.size()) - 1;
    return {statistic, dof, chi_square_p_value(statistic, dof)};
}

// Counts of the values 0, 1, ..., bins - 2 and, in the last bin, of every value >= bins - 1.
inline std::vector<std::uint64_t> tail_histogram(const std::vector<std::int64_t>& values,
                                                 std::size_t bins) {
    std::vector<std::uint64_t> h(bins, 0);
    for (std::int64_t v : values) {
        if (v < 0) {
            throw std::invalid_argument("tail_histogram: negative value");
        }
        ++h[std::min(static_cast<std::size_t>(v), bins - 1)];
    }
    return h;
}

// Binomial(n, p) probabilities of k = 0 .. n, in log space: for n = 1e4, lgamma(n + 1) = 8e4 is
// known to ~1e-11 absolute, so each probability to ~1e-10 relative, far finer than any
// chi-square test resolves.
inline std::vector<double> binomial_pmf(std::uint64_t n, double p) {
    std::vector<double> pmf(n + 1);
    const double nd = static_cast<double>(n);
    for (std::uint64_t k = 0; k <= n; ++k) {
        const double kd = static_cast<double>(k);
        const double log_choose =
            std::lgamma(nd + 1.0) - std::lgamma(kd + 1.0) - std::lgamma(nd - kd + 1.0);
        const double log_pk =
            (k == 0 ? 0.0 : kd * std::log(p)) + (k == n ? 0.0 : (nd - kd) * std::log1p(-p));
        pmf[k] = std::exp(log_choose + log_pk);
    }
    return pmf;
}

// Bin probabilities of a waiting time W = shift + G, G ~ Geometric(p) on {0, 1, ...}
// (P(W = shift + j) = (1 - p)^j p), over the bins 0 .. bins - 2 and the tail W >= bins - 1
// (bins - 1 > shift). A Bernoulli process of probability p per step: shift 1 gives its
// inter-spike intervals, shift 0 the wait for its first event.
inline std::vector<double> shifted_geometric_bins(double p, std::size_t shift, std::size_t bins) {
    if (bins < shift + 2) {
        throw std::invalid_argument("shifted_geometric_bins: need bins - 1 > shift");
    }
    std::vector<double> prob(bins, 0.0);
    for (std::size_t w = shift; w + 1 < bins; ++w) {
        prob[w] = std::exp(static_cast<double>(w - shift) * std::log1p(-p)) * p;
    }
    prob[bins - 1] = std::exp(static_cast<double>(bins - 1 - shift) * std::log1p(-p));
    return prob;
}

// P(K > lambda) for the Kolmogorov distribution (the limit law of sqrt(n) D_n): the alternating
// series 2 sum_j (-1)^(j-1) exp(-2 j^2 lambda^2) above lambda = 1.18, where it converges in a few
// terms, and below it 1 - sqrt(2 pi) / lambda sum_j exp(-(2j-1)^2 pi^2 / (8 lambda^2)), which
// converges fast there.
inline double kolmogorov_q(double lambda) {
    if (!(lambda > 0.0)) {
        return 1.0;
    }
    constexpr double pi = 3.14159265358979323846;
    if (lambda < 1.18) {
        const double f = -pi * pi / (8.0 * lambda * lambda);
        double sum = 0.0;
        for (int j = 1; j <= 20; ++j) {
            const double m = 2.0 * j - 1.0;
            sum += std::exp(m * m * f);
        }
        return std::clamp(1.0 - std::sqrt(2.0 * pi) / lambda * sum, 0.0, 1.0);
    }
    double sum = 0.0;
    double sign = 1.0;
    for (int j = 1; j <= 100; ++j) {
        const double term = std::exp(-2.0 * j * j * lambda * lambda);
        sum += sign * term;
        if (term < 1e-18) {
            break;
        }
        sign = -sign;
    }
    return std::clamp(2.0 * sum, 0.0, 1.0);
}

struct ks_result {
    double statistic = 0.0;  // D_n = sup |F_n(x) - F(x)|
    double p_value = 0.0;
};

// One-sample Kolmogorov-Smirnov test of a sample against a continuous CDF. The p-value is the
// asymptotic Kolmogorov law at lambda = (sqrt(n) + 0.12 + 0.11 / sqrt(n)) D (Stephens' finite-n
// correction; it changes lambda by 0.04 % at n = 1e5).
template <typename Cdf>
ks_result ks_test(std::vector<double> sample, Cdf cdf) {
    if (sample.empty()) {
        throw std::invalid_argument("ks_test: empty sample");
    }
    std::sort(sample.begin(), sample.end());
    const double n = static_cast<double>(sample.size());
    double d = 0.0;
    for (std::size_t i = 0; i < sample.size(); ++i) {
        const double f = cdf(sample[i]);
        d = std::max({d, static_cast<double>(i + 1) / n - f, f - static_cast<double>(i) / n});
    }
    const double sqrt_n = std::sqrt(n);
    return {d, kolmogorov_q((sqrt_n + 0.12 + 0.11 / sqrt_n) * d)};
}

}  // namespace hebllm::test
