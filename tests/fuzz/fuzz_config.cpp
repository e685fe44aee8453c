// SPDX-License-Identifier: MIT
// libFuzzer harness: parse_network() on arbitrary TOML text, then, for small networks, the
// whole path to a running engine: make_engine(spec, "reference") and a few steps. This catches
// specs that validate() lets through but the engine cannot handle (docs/fuzzing.md).
//
// [files] paths resolve against the harness's scratch directory, which holds a valid
// synapses.csv and input_spikes.csv so that seeds may name them.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <hebllm/engine.hpp>
#include <hebllm/io.hpp>
#include <hebllm/network.hpp>

#include "fuzz_common.hpp"

namespace {

// Limits on what is simulated (parsing alone is always fuzzed): large but valid networks are
// not bugs, they only make each run slow.
constexpr std::uint32_t max_neurons = 2000;
constexpr double max_projected_synapses = 200000.0;
constexpr double max_delay_steps = 1000.0;
constexpr std::int64_t steps = 20;

// Neurons in a projection target: one population or a '+'-joined union.
double target_size(const hebllm::network_spec& spec, std::string_view target) {
    double total = 0.0;
    while (!target.empty()) {
        const std::size_t plus = target.find('+');
        const std::string_view name = target.substr(0, plus);
        total += spec.find(std::string(name)).size;
        if (plus == std::string_view::npos) {
            break;
        }
        target.remove_prefix(plus + 1);
    }
    return total;
}

// Whether spec is small enough to build and step within the fuzzer's time limit.
bool small_enough(const hebllm::network_spec& spec) {
    try {
        if (spec.neuron_count() > max_neurons || !(spec.dt_ms > 0.0)) {
            return false;
        }
        double synapses = static_cast<double>(spec.synapses.size());
        for (const auto& p : spec.projections) {
            const double src = spec.find(p.source).size;
            const double tgt = target_size(spec, p.target);
            synapses += p.rule == hebllm::connect_rule_kind::bernoulli
                            ? std::clamp(p.density, 0.0, 1.0) * src * tgt
                            : static_cast<double>(p.outdegree) * src;
            if (!(p.delay_max_ms / spec.dt_ms <= max_delay_steps)) {
                return false;
            }
        }
        for (const auto& s : spec.synapses) {
            if (!(s.delay_ms / spec.dt_ms <= max_delay_steps)) {
                return false;
            }
        }
        for (const auto& s : spec.stimuli) {
            if (s.sources > 100000) {
                return false;
            }
        }
        if (spec.neuromodulation.history > 10000 || spec.input_spikes.size() > 100000 ||
            spec.stimuli.size() > 1000) {
            return false;
        }
        return synapses <= max_projected_synapses;
    } catch (const hebllm::error&) {
        // A name validate() accepted but find() does not: let make_engine() report it.
        return true;
    }
}

void write_fixture(const char* name, std::string_view text) {
    hebllm_fuzz::write_input(name, reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    write_fixture("synapses.csv", "pre,post,weight,delay_ms\n0,1,0.5,1\n1,0,0.25,2\n");
    write_fixture("input_spikes.csv", "neuron,time_ms\n0,1\n1,2.5\n");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    hebllm_fuzz::expect_clean([&] {
        const hebllm::network_spec spec =
            hebllm::parse_network(text, hebllm_fuzz::scratch_dir(), "fuzz.toml");
        if (!small_enough(spec)) {
            return;
        }
        auto eng = hebllm::make_engine(spec, "reference");
        for (std::int64_t i = 0; i < steps; ++i) {
            eng->step();
        }
        (void)eng->spikes();
        (void)eng->synapses();
    });
    return 0;
}
