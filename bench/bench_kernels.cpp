// SPDX-License-Identifier: MIT
// Micro-benchmarks (Google Benchmark). Questions answered:
// - bm_lif_kernel: what does one neuron update cost (the per-element kernel alone)?
// - bm_step/stdp:0: what does one step of a driven 4,000 x 400 network cost without plasticity
//   (neuron update + propagation + delivery), per synaptic event?
// - bm_step/stdp:1: the same with STDP on E->E: what does plasticity add per event?
// Run: build/bin/bench_kernels [--benchmark_filter=...]; counters report events/s.

#include <benchmark/benchmark.h>

#include <cmath>

#include <hebllm/hebllm.hpp>

#include "core/kernels/neuron.hpp"

namespace {

void bm_lif_kernel(benchmark::State& state) {
    hebllm::kernels::neuron_consts c;
    c.decay_m = std::exp(-0.05);
    c.decay_syn = std::exp(-0.2);
    c.syn_to_v = 0.03;
    c.instantaneous = false;
    std::vector<double> v(4096, 0.0);
    std::vector<double> i(4096, 0.1);
    std::vector<double> th(4096, 0.0);
    std::vector<std::int32_t> r(4096, 0);
    for (auto _ : state) {
        for (std::size_t k = 0; k < v.size(); ++k) {
            benchmark::DoNotOptimize(
                hebllm::kernels::update_neuron(v[k], i[k], th[k], r[k], 1e9, 0.01, false, 0, c));
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * v.size()));
}
BENCHMARK(bm_lif_kernel);

// The standard random network of bench/brian2_bench.py: N LIF neurons (80 % excitatory),
// exponential synapses, K outgoing synapses per neuron, Poisson input calibrated to ~7 Hz.
hebllm::network_spec standard_network(std::uint32_t n, std::uint32_t k, bool plastic) {
    using namespace hebllm;
    network_spec net;
    net.dt_ms = 1.0;
    net.seed = 1;
    lif_params l;
    l.tau_m_ms = 20.0;
    l.tau_syn_ms = 5.0;
    l.v_threshold = 20.0;
    l.refractory_ms = 2.0;
    l.v_init_max = 20.0;
    const auto ne = static_cast<std::uint32_t>(std::lround(0.8 * n));
    population e{"E", population_kind::other, neuron_model_kind::lif, ne, false, l, 1};
    population i{"I", population_kind::other, neuron_model_kind::lif, n - ne, true, l, 1};
    net.populations = {e, i};
    const double w = 2.0 * std::sqrt(100.0 / k);
    const auto kee = static_cast<std::uint32_t>(std::lround(0.8 * k));
    const auto proj = [&](const char* s, const char* t, std::uint32_t out, double weight, bool p) {
        projection pr;
        pr.source = std::string(s);  // not `= s`: GCC 12 warns falsely (-Wrestrict) on that
        pr.target = std::string(t);
        pr.rule = connect_rule_kind::fixed_outdegree;
        pr.outdegree = out;
        pr.autapses = true;
        pr.weight = {weight_dist_kind::constant, weight, 0.0, 1.0, 0.0, 1e30};
        pr.plastic = p;
        return pr;
    };
    net.projections = {proj("E", "E", kee, w, plastic), proj("E", "I", k - kee, w, false),
                       proj("I", "E+I", k, 5.0 * w, false)};
    net.stdp.enabled = plastic;
    net.stdp.w_max = 2.0 * w;
    net.stdp.a_plus = 0.01 * net.stdp.w_max;
    net.stdp.a_minus = 1.05 * net.stdp.a_plus;
    stimulus drive;
    drive.kind = stimulus_kind::poisson_input;
    drive.count = n;
    drive.t_stop_ms = 1e12;
    drive.sources = kee;
    drive.rate_hz = 0.98 * 20.0 / (kee * w * 5.0) * 1000.0;
    drive.amplitude = w;
    net.stimuli = {drive};
    return net;
}

void bm_step(benchmark::State& state) {
    hebllm::engine_options opt;
    opt.threads = 1;
    opt.recording.spikes = false;
    auto e = hebllm::make_engine(standard_network(4000, 400, state.range(0) != 0), "cpu", opt);
    e->run(200.0);  // into the steady state
    e->reset_stats();
    for (auto _ : state) {
        e->step();
    }
    const auto s = e->stats();
    state.counters["events/s"] =
        benchmark::Counter(static_cast<double>(s.synaptic_events), benchmark::Counter::kIsRate);
    state.counters["rate_hz"] =
        static_cast<double>(s.spikes) / 4000.0 / (static_cast<double>(s.steps) / 1000.0);
}
BENCHMARK(bm_step)->ArgName("stdp")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
