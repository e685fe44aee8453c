// SPDX-License-Identifier: MIT
// What does pruning at consolidation buy? (bench/results/consolidation.md)
//
// A plastic 80/20 E/I network (N neurons, K synapses per neuron, STDP on E->E, Poisson
// drive) learns for a warm-up second; then the time per step is measured over `steps` steps,
// one consolidation prunes the plastic synapses below the given quantile of plastic weight
// magnitudes, and the time per step is measured again over the same number of steps.
// Repeated `reps` times (fresh engine each time); prints a Markdown table with mean ± sd.
//
//   consolidation_bench [N=4000] [K=400] [quantile=0.5] [steps=1000] [reps=3] [threads=0]

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <hebllm/engine.hpp>
#include <hebllm/network.hpp>

namespace {

using namespace hebllm;

network_spec make_net(std::uint32_t n, std::uint32_t k) {
    network_spec net;
    net.seed = 7;
    lif_params l;
    l.tau_m_ms = 20.0;
    l.tau_syn_ms = 5.0;
    l.v_threshold = 20.0;
    l.v_init_max = 20.0;
    l.refractory_ms = 2.0;
    population e{"E", population_kind::associative, neuron_model_kind::lif, n * 4 / 5, false, l};
    population i{"I", population_kind::inhibitory, neuron_model_kind::lif, n / 5, true, l};
    net.populations = {e, i};
    const auto proj = [&](const char* s, const char* t, std::uint32_t deg, double w, bool p) {
        projection pr;
        pr.source = s;
        pr.target = t;
        pr.rule = connect_rule_kind::fixed_outdegree;
        pr.outdegree = deg;
        pr.weight = {weight_dist_kind::uniform, 0.0, 2.0 * w, 1.0, 0.0, 10.0};
        pr.delay_min_ms = 1.0;
        pr.delay_max_ms = 3.0;
        pr.plastic = p;
        return pr;
    };
    net.projections = {proj("E", "E+I", k, 0.2, false), proj("I", "E+I", k, 1.0, false)};
    net.projections[0].target = "E";
    net.projections[0].outdegree = k * 4 / 5;
    net.projections[0].plastic = true;
    net.projections.push_back(proj("E", "I", k / 5, 0.2, false));
    net.stdp.enabled = true;
    net.stdp.w_max = 1.0;
    net.stdp.a_plus = 0.01;
    net.stdp.a_minus = 0.0105;
    net.stimuli.push_back({stimulus_kind::poisson_input, 0, n, 0.0, 1e9, 10.0, 4.5, 100});
    net.consolidation.enabled = true;
    net.consolidation.replay_buffer = 0;
    return net;
}

double time_steps(engine& e, std::int64_t steps) {
    const auto t0 = std::chrono::steady_clock::now();
    for (std::int64_t s = 0; s < steps; ++s) {
        e.step();
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
           static_cast<double>(steps);
}

struct stat {
    double mean = 0.0;
    double sd = 0.0;
};

stat summarize(const std::vector<double>& v) {
    stat s;
    for (double x : v) {
        s.mean += x;
    }
    s.mean /= static_cast<double>(v.size());
    for (double x : v) {
        s.sd += (x - s.mean) * (x - s.mean);
    }
    s.sd = v.size() > 1 ? std::sqrt(s.sd / static_cast<double>(v.size() - 1)) : 0.0;
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    const auto arg = [&](int i, double d) { return argc > i ? std::atof(argv[i]) : d; };
    const auto n = static_cast<std::uint32_t>(arg(1, 4000));
    const auto k = static_cast<std::uint32_t>(arg(2, 400));
    const double quantile = arg(3, 0.5);
    const auto steps = static_cast<std::int64_t>(arg(4, 1000));
    const int reps = static_cast<int>(arg(5, 3));
    engine_options opt;
    opt.threads = static_cast<int>(arg(6, 0));
    opt.recording.spikes = false;

    std::vector<double> before, after, rate_before, rate_after;
    consolidation_report last;
    for (int r = 0; r < reps; ++r) {
        network_spec net = make_net(n, k);
        // The threshold: the quantile of plastic weights after learning, from a probe run.
        auto probe = make_engine(net, "cpu", opt);
        probe->run(1000.0);
        std::vector<float> w;
        for (const synapse_view& s : probe->synapses()) {
            if (s.pre < n * 4 / 5 && s.post < n * 4 / 5) {
                w.push_back(std::fabs(s.weight));
            }
        }
        const auto q = static_cast<std::size_t>(quantile * static_cast<double>(w.size()));
        std::nth_element(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(q), w.end());
        net.consolidation.prune_below = w[q];
        auto e = make_engine(net, "cpu", opt);
        e->run(1000.0);  // warm-up: learning
        // Bring the cpu backend's lazy STDP up to date, as consolidate() does, so that both
        // measurements start from empty spike histories (else "before" pays for long catch-ups).
        (void)e->synapses();
        const std::uint64_t s0 = e->stats().spikes;
        before.push_back(time_steps(*e, steps));
        const std::uint64_t s1 = e->stats().spikes;
        last = e->consolidate();
        const std::uint64_t s2 = e->stats().spikes;
        after.push_back(time_steps(*e, steps));
        const std::uint64_t s3 = e->stats().spikes;
        const double sim_s = static_cast<double>(steps) * net.dt_ms / 1000.0;
        rate_before.push_back(static_cast<double>(s1 - s0) / n / sim_s);
        rate_after.push_back(static_cast<double>(s3 - s2) / n / sim_s);
    }
    const stat b = summarize(before);
    const stat a = summarize(after);
    std::printf(
        "| network | synapses before | after | pruned | bytes freed | step before (ms) | "
        "step after (ms) | rate before / after (Hz) |\n|---|---|---|---|---|---|---|---|\n");
    std::printf(
        "| %u neurons x %u, STDP E->E, prune below the %.0f%% quantile | %llu | %llu | "
        "%llu | %llu (%.1f MiB) | %.4f ± %.4f | %.4f ± %.4f | %.2f / %.2f |\n",
        n, k, quantile * 100.0, static_cast<unsigned long long>(last.synapses_before),
        static_cast<unsigned long long>(last.synapses_after),
        static_cast<unsigned long long>(last.pruned),
        static_cast<unsigned long long>(last.bytes_freed()),
        static_cast<double>(last.bytes_freed()) / 1048576.0, b.mean * 1e3, b.sd * 1e3, a.mean * 1e3,
        a.sd * 1e3, summarize(rate_before).mean, summarize(rate_after).mean);
    return 0;
}
