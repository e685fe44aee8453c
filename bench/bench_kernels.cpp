// SPDX-License-Identifier: MIT
// Micro-benchmarks: one engine step of the seed network (neuron update + propagation +
// plasticity) and the per-neuron LIF kernel. Question answered: how much does one step cost,
// and how much of it is the neuron update?

#include <benchmark/benchmark.h>

#include <hebllm/hebllm.hpp>

#include "core/kernels/neuron.hpp"

namespace {

void bm_lif_kernel(benchmark::State& state) {
    hebllm::kernels::neuron_consts c;
    c.decay_m = 0.95;
    c.v_rest = -0.1;
    c.instantaneous = true;
    std::vector<double> v(4096, 0.0);
    std::vector<double> i(4096, 0.0);
    std::vector<double> th(4096, 0.0);
    std::vector<std::int32_t> r(4096, 0);
    for (auto _ : state) {
        for (std::size_t k = 0; k < v.size(); ++k) {
            benchmark::DoNotOptimize(
                hebllm::kernels::update_neuron(v[k], i[k], th[k], r[k], 1e9, 0.01, false, c));
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * v.size()));
}
BENCHMARK(bm_lif_kernel);

void bm_seed_step(benchmark::State& state) {
    auto net = hebllm::make_hebsnn(200, 1000, 200, 200, 0.1);
    net.stimuli.push_back({hebllm::stimulus_kind::poisson, 0, 200, 0.0, 1e12, 10.0, 0.0});
    hebllm::engine_options opt;
    opt.threads = static_cast<int>(state.range(0));
    opt.recording.spikes = false;
    auto e = hebllm::make_engine(net, "cpu", opt);
    e->run(200.0);  // warm up into the driven regime
    for (auto _ : state) {
        e->step();
    }
    state.counters["spikes/step"] = benchmark::Counter(static_cast<double>(e->stats().spikes) /
                                                       static_cast<double>(e->stats().steps));
}
BENCHMARK(bm_seed_step)->Arg(1)->Arg(2);

}  // namespace

BENCHMARK_MAIN();
