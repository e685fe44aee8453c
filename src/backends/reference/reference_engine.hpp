// SPDX-License-Identifier: MIT
#pragma once
// The reference backend: the oracle of every test. One neuron and one synapse at a time, no
// threads, no incoming index (potentiation scans every plastic synapse), one delay ring.

#include <memory>

#include <hebllm/engine.hpp>

namespace hebllm::reference {

// from: continue from a snapshot (make_engine(const engine_snapshot&, ...)).
std::unique_ptr<engine> make_reference_engine(const network_spec& spec,
                                              const engine_options& options,
                                              const engine_snapshot* from = nullptr);

}  // namespace hebllm::reference
