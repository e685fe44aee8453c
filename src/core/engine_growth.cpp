// SPDX-License-Identifier: MIT
// engine_base, structural plasticity: synapses added to and removed from a running network.
#include "core/engine_base.hpp"

#include <algorithm>
#include <cmath>

#include <hebllm/errors.hpp>

namespace hebllm::detail {

kernels::stdp_bounds engine_base::class_bounds(double scale) const {
    // A negative scale turns the rule around (anti-Hebbian); the bounds use its magnitude.
    return {spec_.stdp.w_min * std::abs(scale), spec_.stdp.w_max * std::abs(scale),
            spec_.stdp.kind == stdp_kind::multiplicative};
}

std::uint64_t engine_base::remove_synapses_of(std::span<const std::uint32_t> neurons) {
    if (in_consolidation_) {
        throw model_error("remove_synapses_of() called during a consolidation (from an input_fn?)");
    }
    std::vector<std::uint8_t> marked(n_, 0);
    for (const std::uint32_t i : neurons) {
        if (i >= n_) {
            throw model_error("remove_synapses_of: neuron " + std::to_string(i) +
                              " is outside [0, " + std::to_string(n_) + ")");
        }
        marked[i] = 1;
    }
    if (neurons.empty()) {
        return 0;
    }
    // As after a consolidation's pruning: weights up to date (exact), then the backend drops
    // its deferred state and derived copies of the store.
    sync_weights();
    const std::uint64_t removed = detail::remove_synapses_of(store_, marked);
    stats_.plasticity_updates += updates_outside_steps();
    state_replaced();
    return removed;
}

growth_report engine_base::add_synapses(std::span<const synapse_growth> add) {
    if (in_consolidation_) {
        throw model_error("add_synapses() called during a consolidation (from an input_fn?)");
    }
    growth_report report;
    if (add.empty()) {
        return report;
    }
    // Check everything and map STDP scales to plasticity classes before changing anything.
    std::vector<double> scales = store_.stdp_scale;
    growth_.clear();
    growth_.reserve(add.size());
    for (const synapse_growth& g : add) {
        if (g.pre >= n_ || g.post >= n_) {
            throw model_error("add_synapses: synapse " + std::to_string(g.pre) + " -> " +
                              std::to_string(g.post) + " names a neuron outside [0, " +
                              std::to_string(n_) + ")");
        }
        if (g.delay_steps < 1 || g.delay_steps > store_.max_delay) {
            throw model_error("add_synapses: delay " + std::to_string(g.delay_steps) +
                              " steps is outside [1, " + std::to_string(store_.max_delay) +
                              "], the delays this network's rings hold");
        }
        if (!std::isfinite(g.weight) || g.weight < 0.0f || !std::isfinite(g.stdp_scale)) {
            throw model_error(
                "add_synapses: the weight magnitude must be finite and >= 0 and "
                "the STDP scale finite");
        }
        std::uint8_t cls = 0;
        if (g.stdp_scale != 0.0) {
            if (!spec_.stdp.enabled) {
                throw model_error("add_synapses: a plastic synapse needs [stdp] enabled");
            }
            auto it = std::find(scales.begin() + 1, scales.end(), g.stdp_scale);
            if (it == scales.end()) {
                if (scales.size() > 255) {
                    throw model_error("add_synapses: more than 255 STDP scales");
                }
                it = scales.insert(scales.end(), g.stdp_scale);
            }
            cls = static_cast<std::uint8_t>(it - scales.begin());
        }
        growth_.push_back({g.pre, cls, static_cast<std::uint8_t>(g.delay_steps), g.post, g.weight});
    }
    report.existing = drop_existing(store_, growth_);
    report.added = growth_.size();
    const std::uint64_t cap =
        options_.max_synapses > 0 ? options_.max_synapses : std::uint64_t{0xFFFFFFFFu};
    if (store_.size() + report.added > cap) {
        throw capacity_error("add_synapses: " + std::to_string(report.added) +
                             " new synapses would take the network from " +
                             std::to_string(store_.size()) + " past its limit of " +
                             std::to_string(cap) + " synapses (engine_options::max_synapses)");
    }
    if (report.added == 0) {
        return report;
    }
    for (std::size_t c = store_.stdp_scale.size(); c < scales.size(); ++c) {
        store_.stdp_scale.push_back(scales[c]);
        stdp_step_.scale.push_back(scales[c]);
        stdp_step_.bounds.push_back(class_bounds(scales[c]));
    }
    std::vector<std::uint32_t> rows;
    for (const store_insertion& e : growth_) {
        if (rows.empty() || rows.back() != e.pre) {
            rows.push_back(e.pre);
        }
    }
    before_growth(rows);
    insert_synapses(store_, growth_);
    after_growth(growth_);
    return report;
}

}  // namespace hebllm::detail
