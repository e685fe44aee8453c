// SPDX-License-Identifier: MIT
// Statistical properties with fixed seeds and stated significance levels: the moments of each
// random process, and a goodness-of-fit test of its whole distribution against the exact law
// docs/model.md gives it (chi-square for counts and waiting times, which are integers;
// Kolmogorov-Smirnov for continuous weights; helpers in tests/support/gof.hpp).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <hebllm/engine.hpp>

#include "support/gof.hpp"
#include "support/networks.hpp"

namespace hebllm {
namespace {

using test::binomial_pmf;
using test::chi_square_result;
using test::chi_square_test;
using test::shifted_geometric_bins;
using test::tail_histogram;

// Significance level of every goodness-of-fit check: p > 1e-3. The simulator is deterministic
// and each test's seed is fixed, so a check is a deterministic pass or fail, never a flaky one;
// over seeds, a correct implementation would fail a given check with probability 0.1 % (its
// false-failure rate). The samples are sized so that a law a few per cent off (rate, density,
// sigma) or a refractory period one step off gives p-values orders of magnitude below it.
constexpr double significance = 1e-3;

void expect_fits(const chi_square_result& r, const std::string& what) {
    EXPECT_GT(r.p_value, significance)
        << what << ": chi^2 = " << r.statistic << ", " << r.dof << " degrees of freedom";
}

// Waiting times of a per-step Bernoulli process read off the recorded spikes of neurons
// [first, first + n) over steps [0, steps):
// - first: the step of each neuron's first spike (Geometric(p) on {0, 1, ...}), `steps` when it
//   has none;
// - gaps: for every spike at a step s < steps - horizon, the number of steps to the same neuron's
//   next spike, or `steps` when none follows before the end (then the gap is at least horizon).
// Whether a spike at s counts depends only on what came before it, and the gap after it only on
// what comes after, so the gaps are independent draws of the inter-spike law (shift 1, or the
// refractory steps, plus a Geometric(p)); waiting only for gaps that end inside the window
// would favour short ones. Tests bin them with a tail at or below horizon, so a missing next
// spike lands in the tail bin, exactly where its gap belongs.
struct waiting_times {
    std::vector<std::int64_t> first;
    std::vector<std::int64_t> gaps;
};

waiting_times waiting_times_of(const std::vector<spike_event>& spikes, std::uint32_t first,
                               std::uint32_t n, std::int64_t steps, std::int64_t horizon) {
    std::vector<std::vector<std::int64_t>> by_neuron(n);
    for (const auto& s : spikes) {  // recorded in step order
        if (s.neuron >= first && s.neuron - first < n) {
            by_neuron[s.neuron - first].push_back(s.step);
        }
    }
    waiting_times w;
    for (const auto& t : by_neuron) {
        w.first.push_back(t.empty() ? steps : t.front());
        for (std::size_t i = 0; i < t.size() && t[i] < steps - horizon; ++i) {
            w.gaps.push_back(i + 1 < t.size() ? t[i + 1] - t[i] : steps);
        }
    }
    return w;
}

// Bernoulli connectivity: the synapse count is Binomial(pairs, p). With 1,000 x 1,000 pairs
// minus the diagonal and p = 0.05 the standard deviation is 218; a 4-sigma band fails with
// probability 6e-5 for a correct generator, and the seed is fixed, so the test is not flaky.
// Each of the 1,000 out-degrees (one per source) and each of the 1,000 in-degrees (one per
// target) is Binomial(999, 0.05): chi-square tests of both histograms against that pmf check
// the geometric-gap generator's whole law, not just its mean.
TEST(statistical, bernoulli_connectivity_has_binomial_count) {
    network_spec net;
    net.populations = {test::lif_population("e", 1000)};
    projection p;
    p.source = p.target = "e";
    p.density = 0.05;
    net.projections = {p};
    const double pairs = 1000.0 * 999.0;
    const double mean = pairs * 0.05;
    const double sd = std::sqrt(pairs * 0.05 * 0.95);
    auto e = make_engine(net, "cpu");
    const auto n = static_cast<double>(e->synapse_count());
    EXPECT_NEAR(n, mean, 4.0 * sd);

    std::vector<std::int64_t> out_degree(1000, 0);
    std::vector<std::int64_t> in_degree(1000, 0);
    for (const auto& syn : e->synapses()) {
        ++out_degree[syn.pre];
        ++in_degree[syn.post];
    }
    const std::vector<double> pmf = binomial_pmf(999, 0.05);
    expect_fits(chi_square_test(tail_histogram(out_degree, pmf.size()), pmf), "out-degrees");
    expect_fits(chi_square_test(tail_histogram(in_degree, pmf.size()), pmf), "in-degrees");
}

// Poisson stimulus: spike counts of 1,000 forced neurons at 50 Hz over 2 s have mean 100 and
// variance 100 (Bernoulli per step: variance 100 * (1 - 0.05) = 95). The mean of 1,000 counts
// has sd 0.31; a 4-sigma band. Whole laws, by chi-square: each neuron's count is
// Binomial(2000, 0.05); each step's count over the 1,000 neurons is Binomial(1000, 0.05) (the
// neurons draw independently); the gap from a spike to the neuron's next one is Geometric(0.05)
// on {1, 2, ...} (the steps draw independently: a process with memory would distort it).
TEST(statistical, poisson_stimulus_has_the_requested_rate) {
    network_spec net;
    net.populations = {test::source_population("s", 1000)};
    net.stimuli = {{stimulus_kind::poisson, 0, 1000, 0.0, 2000.0, 50.0, 0.0}};
    auto e = make_engine(net, "cpu");
    e->run(2000.0);
    std::vector<int> counts(1000, 0);
    for (const auto& s : e->spikes()) {
        ++counts[s.neuron];
    }
    double sum = 0.0;
    double sq = 0.0;
    for (int c : counts) {
        sum += c;
        sq += static_cast<double>(c) * c;
    }
    const double mean = sum / 1000.0;
    const double var = sq / 1000.0 - mean * mean;
    EXPECT_NEAR(mean, 100.0, 4.0 * std::sqrt(95.0 / 1000.0));
    EXPECT_NEAR(var, 95.0, 20.0);  // sd of the sample variance ~ 95 * sqrt(2/999) = 4.3

    const double p = 50.0 * 1e-3;  // rate x dt per step
    const std::vector<std::int64_t> per_neuron(counts.begin(), counts.end());
    const std::vector<double> neuron_pmf = binomial_pmf(2000, p);
    expect_fits(chi_square_test(tail_histogram(per_neuron, neuron_pmf.size()), neuron_pmf),
                "spike counts per neuron");

    std::vector<std::int64_t> per_step(2000, 0);
    for (const auto& s : e->spikes()) {
        ++per_step[static_cast<std::size_t>(s.step)];
    }
    const std::vector<double> step_pmf = binomial_pmf(1000, p);
    expect_fits(chi_square_test(tail_histogram(per_step, step_pmf.size()), step_pmf),
                "spike counts per step");

    // About 75,000 gaps, after the spikes of steps [0, 1500); tail bin >= 200 (expects ~3).
    const waiting_times w = waiting_times_of(e->spikes(), 0, 1000, 2000, 500);
    expect_fits(chi_square_test(tail_histogram(w.gaps, 201), shifted_geometric_bins(p, 1, 201)),
                "inter-spike intervals");
}

// A stimulus per token, as a program that presents text through stimulate_token() adds them:
// each one forces its token's neurons exactly in its own window (rate x dt >= 1: every step)
// and never again after it ends, however many have ended before, and one that starts later
// waits for its start. Closed form: the spikes are known step by step.
TEST(statistical, stimulus_per_token_fires_exactly_in_its_window) {
    network_spec net;
    population sensory = test::source_population("s", 100);
    sensory.kind = population_kind::sensory;
    sensory.neurons_per_token = 2;
    net.populations = {sensory};
    const int tokens = 3000;
    const auto token_at = [](int k) { return static_cast<std::uint32_t>((k * 7 + k / 3) % 50); };
    for (const char* backend : {"reference", "cpu"}) {
        auto e = make_engine(net, backend);
        stimulus late;  // neurons 0 and 1 at steps [5000, 5003)
        late.kind = stimulus_kind::poisson;
        late.first = 0;
        late.count = 2;
        late.t_start_ms = 5000.0;
        late.t_stop_ms = 5003.0;
        late.rate_hz = 1e6;
        e->add_stimulus(late);
        for (int k = 0; k < tokens; ++k) {
            e->stimulate_token(token_at(k), 2.0, 1e6);
            e->run(2.0);
        }
        std::vector<std::vector<std::uint32_t>> by_step(2 * tokens);
        for (const auto& s : e->spikes()) {
            ASSERT_LT(s.step, 2 * tokens);
            by_step[static_cast<std::size_t>(s.step)].push_back(s.neuron);
        }
        for (int step = 0; step < 2 * tokens; ++step) {
            const std::uint32_t t = token_at(step / 2);
            std::vector<std::uint32_t> expected = {2 * t, 2 * t + 1};
            if (step >= 5000 && step < 5003 && t != 0) {
                expected.insert(expected.begin(), {0u, 1u});
            }
            std::sort(expected.begin(), expected.end());
            auto got = by_step[static_cast<std::size_t>(step)];
            std::sort(got.begin(), got.end());
            ASSERT_EQ(got, expected) << backend << " step " << step;
        }
    }
}

// poisson_input (Brian2's PoissonInput): each step a neuron receives amplitude x Binomial(n, p).
// Integrated without leak (tau_m = 1e12 ms) over T = 100 steps, v is amplitude times a
// Binomial(T n, p) count: mean 500 and variance 475 for n = 100, p = 0.05. Over 2,000 neurons the
// mean has sd 0.49 and the sample variance sd ~15; 4-sigma bands. Whole laws, by chi-square:
// the 2,000 totals against Binomial(10000, 0.05), and the 200,000 per-step counts (the rise of
// v in each step) against Binomial(100, 0.05), which checks the inversion table bin by bin.
TEST(statistical, poisson_input_delivers_binomial_counts) {
    network_spec net;
    lif_params l = test::passive_lif(1e12, 0.0);
    net.populations = {test::lif_population("n", 2000, l)};
    stimulus st;
    st.kind = stimulus_kind::poisson_input;
    st.count = 2000;
    st.t_stop_ms = 1e9;
    st.rate_hz = 50.0;
    st.sources = 100;
    st.amplitude = 0.5;
    net.stimuli = {st};
    const std::vector<double> step_pmf = binomial_pmf(100, 0.05);
    const std::vector<double> total_pmf = binomial_pmf(100 * 100, 0.05);
    for (const char* backend : {"reference", "cpu"}) {
        auto e = make_engine(net, backend);
        std::vector<double> before(2000, 0.0);
        std::vector<double> v(2000, 0.0);
        std::vector<std::int64_t> per_step;
        per_step.reserve(2000 * 100);
        for (int step = 0; step < 100; ++step) {
            e->step();
            e->read_potentials(0, v);
            for (std::size_t i = 0; i < v.size(); ++i) {
                const double count = (v[i] - before[i]) / 0.5;
                ASSERT_NEAR(count, std::round(count), 1e-6) << "whole events only";
                per_step.push_back(std::llround(count));
            }
            before = v;
        }
        double sum = 0.0;
        double sq = 0.0;
        std::vector<std::int64_t> totals;
        for (double x : v) {
            const double count = x / 0.5;
            ASSERT_NEAR(count, std::round(count), 1e-6) << "whole events only";
            sum += count;
            sq += count * count;
            totals.push_back(std::llround(count));
        }
        const double mean = sum / 2000.0;
        const double var = sq / 2000.0 - mean * mean;
        EXPECT_NEAR(mean, 500.0, 4.0 * std::sqrt(475.0 / 2000.0)) << backend;
        EXPECT_NEAR(var, 475.0, 4.0 * 15.0) << backend;
        expect_fits(chi_square_test(tail_histogram(per_step, step_pmf.size()), step_pmf),
                    std::string(backend) + ": events per step");
        expect_fits(chi_square_test(tail_histogram(totals, total_pmf.size()), total_pmf),
                    std::string(backend) + ": events over 100 steps");
    }
}

// Escape noise: a neuron held at v below its threshold spikes in each step with probability
// p = 1 - exp(-rate * dt * exp((v - threshold) / width)) (docs/model.md "Escape noise"), so
// the count over N neurons and T steps is Binomial(N T, p). Both backends, within 5 s.d.
// With v constant (v_rest = v_reset = v_init, no input) the hazard is the same in every step the
// neuron is not refractory, and its waiting times follow geometric laws, checked by chi-square:
// without a refractory period each neuron's count is Binomial(T, p), its first spike comes at
// step Geometric(p) on {0, 1, ...} and its inter-spike intervals are Geometric(p) on {1, 2, ...};
// with a refractory period of R = 3 steps (spiking in step n, it cannot spike in n+1 .. n+R-1)
// they are R - 1 + Geometric(p), never shorter than R.
TEST(statistical, escape_noise_spikes_at_the_closed_form_hazard) {
    const double p = 1.0 - std::exp(-500.0 * 1e-3 * std::exp((0.2 - 1.0) / 0.25));  // 0.0202
    const int steps = 2000;
    const std::vector<double> count_pmf = binomial_pmf(steps, p);
    for (const char* backend : {"reference", "cpu"}) {
        network_spec net;
        lif_params l = test::passive_lif(10.0);
        l.v_rest = 0.2;
        l.v_reset = 0.2;
        l.v_init_min = l.v_init_max = 0.2;
        l.v_threshold = 1.0;
        l.refractory_ms = 0.0;
        l.escape_width = 0.25;
        l.escape_rate_hz = 500.0;
        lif_params r = l;
        r.refractory_ms = 3.0;
        net.populations = {test::lif_population("n", 2000, l), test::lif_population("r", 2000, r)};
        auto e = make_engine(net, backend);
        e->run(steps * net.dt_ms);
        const double trials = 2000.0 * steps;
        const auto count = static_cast<double>(e->population_spike_counts()[0]);
        EXPECT_NEAR(count, trials * p, 5.0 * std::sqrt(trials * p * (1.0 - p))) << backend;

        const std::string name(backend);
        std::vector<std::int64_t> per_neuron(2000, 0);
        for (const auto& s : e->spikes()) {
            if (s.neuron < 2000) {
                ++per_neuron[s.neuron];
            }
        }
        expect_fits(chi_square_test(tail_histogram(per_neuron, count_pmf.size()), count_pmf),
                    name + ": spike counts per neuron");
        // The first spikes of all 4,000 neurons (refractoriness acts only after a spike), in
        // groups expecting >= 100 (~30 groups: against a wrong rate, a few full bins have more
        // power than 160 thin ones), and ~60,000 gaps per population after the spikes of steps
        // [0, 1500); tail bins >= 200.
        const waiting_times all = waiting_times_of(e->spikes(), 0, 4000, steps, 500);
        expect_fits(chi_square_test(tail_histogram(all.first, 201),
                                    shifted_geometric_bins(p, 0, 201), 100.0),
                    name + ": first spike");
        const waiting_times free = waiting_times_of(e->spikes(), 0, 2000, steps, 500);
        expect_fits(
            chi_square_test(tail_histogram(free.gaps, 201), shifted_geometric_bins(p, 1, 201)),
            name + ": inter-spike intervals");
        const waiting_times refractory = waiting_times_of(e->spikes(), 2000, 2000, steps, 500);
        expect_fits(chi_square_test(tail_histogram(refractory.gaps, 201),
                                    shifted_geometric_bins(p, 3, 201)),
                    name + ": inter-spike intervals, refractory 3 steps");
    }
}

// Weight distributions: lognormal(mu, sigma) has median exp(mu), and the 100,000 weights pass a
// Kolmogorov-Smirnov test against the lognormal CDF Phi((log w - mu) / sigma) (clipping at 100
// never acts; float storage moves the CDF by < 1e-7, against the test's resolution of
// ~1 / sqrt(n) = 3e-3). Fixed out-degree: every source picks 50 distinct targets among the 1,999
// others, uniformly, so each target is picked by each source with probability 50/1999,
// independently across sources, and its in-degree is Binomial(1999, 50/1999) (chi-square).
TEST(statistical, lognormal_weights_have_the_requested_median) {
    network_spec net;
    net.populations = {test::lif_population("e", 2000)};
    projection p;
    p.source = p.target = "e";
    p.rule = connect_rule_kind::fixed_outdegree;
    p.outdegree = 50;
    const double mu = std::log(0.1);
    const double sigma = 0.5;
    p.weight = {weight_dist_kind::lognormal, mu, sigma, 1.0, 0.0, 100.0};
    net.projections = {p};
    auto syn = make_engine(net, "cpu")->synapses();
    std::vector<float> w;
    std::vector<double> weights;
    std::vector<std::int64_t> out_degree(2000, 0);
    std::vector<std::int64_t> in_degree(2000, 0);
    for (const auto& s : syn) {
        w.push_back(s.weight);
        weights.push_back(s.weight);
        ++out_degree[s.pre];
        ++in_degree[s.post];
    }
    std::nth_element(w.begin(), w.begin() + static_cast<long>(w.size() / 2), w.end());
    // The sample median of 1e5 draws has sd ~ sigma * median * sqrt(pi/2 / n) = 2e-4.
    EXPECT_NEAR(w[w.size() / 2], 0.1, 1e-3);

    const test::ks_result ks = test::ks_test(weights, [mu, sigma](double x) {
        return x <= 0.0 ? 0.0 : 0.5 * std::erfc(-(std::log(x) - mu) / (sigma * std::sqrt(2.0)));
    });
    EXPECT_GT(ks.p_value, significance) << "lognormal weights: D = " << ks.statistic;

    for (std::int64_t d : out_degree) {
        ASSERT_EQ(d, 50);
    }
    const std::vector<double> pmf = binomial_pmf(1999, 50.0 / 1999.0);
    expect_fits(chi_square_test(tail_histogram(in_degree, pmf.size()), pmf),
                "fixed out-degree: in-degrees");
}

}  // namespace
}  // namespace hebllm
