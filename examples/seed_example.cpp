// SPDX-License-Identifier: MIT
// The seed's usage example in C++: the original
//   network = JAXHebSNN(n_sensory=200, n_associative=1000, n_inhibitory=200, n_output=200,
//                       connectivity_density=0.1)
//   result = network.run(100.0, input_fn=input_fn)   # neurons 0-4 driven for t < 10 ms
// Build: part of the project (target seed_example); run: build/bin/seed_example

#include <cstdio>

#include <hebllm/hebllm.hpp>

int main() {
    try {
        const hebllm::network_spec net = hebllm::make_hebsnn(200, 1000, 200, 200, 0.1);
        auto engine = hebllm::make_engine(net);  // "auto": the fastest backend built

        // input_fn(t): force neurons 0-4 to spike during the first 10 ms.
        const auto input_fn = [](std::int64_t /*step*/, double t_ms, hebllm::input_sink& in) {
            if (t_ms < 10.0) {
                for (std::uint32_t i = 0; i < 5; ++i) {
                    in.spike(i);
                }
            }
        };
        engine->run(100.0, input_fn);

        const auto counts = engine->population_spike_counts();
        std::printf("backend %s: %u neurons, %llu synapses, %.0f ms simulated in %.3f ms\n",
                    std::string(engine->backend()).c_str(), engine->neuron_count(),
                    static_cast<unsigned long long>(engine->synapse_count()), engine->time_ms(),
                    engine->stats().wall_s * 1e3);
        for (std::size_t p = 0; p < net.populations.size(); ++p) {
            const auto& pop = net.populations[p];
            std::printf("  %-12s %5u neurons %7llu spikes %7.2f Hz\n", pop.name.c_str(), pop.size,
                        static_cast<unsigned long long>(counts[p]),
                        static_cast<double>(counts[p]) / pop.size / (engine->time_ms() / 1000.0));
        }
        std::printf("  synaptic events %llu, STDP updates %llu\n",
                    static_cast<unsigned long long>(engine->stats().synaptic_events),
                    static_cast<unsigned long long>(engine->stats().plasticity_updates));
        return 0;
    } catch (const hebllm::error& e) {
        std::fprintf(stderr, "seed_example: error: %s\n", e.what());
        return 1;
    }
}
