// SPDX-License-Identifier: MIT
#pragma once
// Small network builders shared by the tests.

#include <cstdint>
#include <string>

#include <hebllm/network.hpp>

namespace hebllm::test {

// A population of `size` LIF neurons with the given parameters (kind other).
inline population lif_population(const std::string& name, std::uint32_t size, lif_params lif = {},
                                 bool inhibitory = false) {
    population p;
    p.name = name;
    p.size = size;
    p.lif = lif;
    p.inhibitory = inhibitory;
    return p;
}

inline population source_population(const std::string& name, std::uint32_t size) {
    population p;
    p.name = name;
    p.model = neuron_model_kind::spike_source;
    p.size = size;
    return p;
}

// LIF parameters of a neuron that never reaches threshold by itself.
inline lif_params passive_lif(double tau_m = 20.0, double tau_syn = 0.0) {
    lif_params l;
    l.tau_m_ms = tau_m;
    l.tau_syn_ms = tau_syn;
    l.v_threshold = 1e9;
    l.refractory_ms = 0.0;
    return l;
}

}  // namespace hebllm::test
