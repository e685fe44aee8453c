// SPDX-License-Identifier: MIT
// engine_base, sleep consolidation: the replay buffer, replay, strengthening and pruning.
#include "core/engine_base.hpp"

#include <algorithm>
#include <functional>

#include <hebllm/errors.hpp>

#include "core/model_util.hpp"

namespace hebllm::detail {

// ---- consolidation ----------------------------------------------------------------------------

// The step's forced spikes as a pattern for replay: kept when it differs from the last one
// kept, the oldest dropped when the buffer is full.
void engine_base::remember_pattern() {
    const consolidation_params& c = spec_.consolidation;
    if (!c.enabled || c.replay_buffer == 0 || in_consolidation_ || forced_list_.empty()) {
        return;
    }
    std::vector<std::uint32_t> p = forced_list_;
    std::sort(p.begin(), p.end());
    if (!replay_.empty() && replay_.back() == p) {
        return;
    }
    if (replay_.size() == c.replay_buffer) {
        replay_.erase(replay_.begin());
        replay_step_.erase(replay_step_.begin());
    }
    replay_.push_back(std::move(p));
    replay_step_.push_back(step_);
}

bool engine_base::consolidation_due() const {
    const consolidation_params& c = spec_.consolidation;
    if (!c.enabled || in_consolidation_) {
        return false;
    }
    switch (c.schedule) {
        case consolidation_schedule_kind::on_demand: return false;
        case consolidation_schedule_kind::interval:
            return step_ - last_consolidation_step_ >= time_to_step(c.interval_ms, spec_.dt_ms);
        case consolidation_schedule_kind::activity:
            return spikes_since_consolidation_ >= c.activity_spikes;
    }
    return false;
}

consolidation_report engine_base::consolidate() {
    const consolidation_params& c = spec_.consolidation;
    if (!c.enabled) {
        throw model_error("consolidate() needs [consolidation] enabled = true");
    }
    if (in_consolidation_) {
        throw model_error("consolidate() called during a consolidation (from an input_fn?)");
    }
    consolidation_report r;
    r.synapses_before = store_.size();
    r.bytes_before = store_.bytes();

    // 1. Replay, oldest pattern first: the pattern forced in the first step, then the network
    //    runs free; STDP at replay_plasticity times its rate. Ordinary steps, so every backend
    //    gives the same result.
    const std::vector<std::vector<std::uint32_t>> patterns = replay_;
    in_consolidation_ = true;
    plasticity_factor_ = c.replay_plasticity;
    try {
        for (const auto& p : patterns) {
            for (std::uint32_t k = 0; k < c.replay_steps; ++k) {
                if (k == 0) {
                    step([&p](std::int64_t, double, input_sink& in) {
                        for (std::uint32_t i : p) {
                            in.spike(i);
                        }
                    });
                } else {
                    step({});
                }
                ++r.replayed_steps;
            }
            ++r.patterns_replayed;
        }
    } catch (...) {
        in_consolidation_ = false;
        plasticity_factor_ = 1.0;
        throw;
    }
    in_consolidation_ = false;
    plasticity_factor_ = 1.0;

    // 2. Strengthen the strongest plastic synapses, 3. prune the weak ones. Weights first
    //    brought up to date (exact); afterwards the backend drops its deferred state.
    sync_weights();
    if (c.strengthen_fraction > 0.0 && c.strengthen_factor > 1.0 && store_.plastic_synapses > 0) {
        std::vector<float> w;
        w.reserve(store_.plastic_synapses);
        std::uint64_t k = 0;
        for (const synapse_segment& g : store_.segments) {
            for (; k < g.end; ++k) {
                if (g.plastic != 0) {
                    w.push_back(store_.weight[k]);
                }
            }
        }
        const auto top =
            static_cast<std::size_t>(c.strengthen_fraction * static_cast<double>(w.size()));
        if (top > 0) {
            std::nth_element(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(top - 1), w.end(),
                             std::greater<>());
            const float threshold = w[top - 1];
            k = 0;
            for (const synapse_segment& g : store_.segments) {
                for (; k < g.end; ++k) {
                    if (g.plastic != 0 && store_.weight[k] >= threshold &&
                        store_.weight[k] > 0.0f) {
                        const double hi = stdp_step_.bounds[g.plastic].w_max;
                        store_.weight[k] = static_cast<float>(std::min(
                            static_cast<double>(store_.weight[k]) * c.strengthen_factor, hi));
                        ++r.strengthened;
                    }
                }
            }
        }
    }
    if (c.prune_below > 0.0) {
        r.pruned = prune_plastic(store_, static_cast<float>(c.prune_below));
    }
    // The backend's count of updates made outside steps restarts with state_replaced().
    stats_.plasticity_updates += updates_outside_steps();
    state_replaced();

    last_consolidation_step_ = step_;
    spikes_since_consolidation_ = 0;
    ++consolidations_;
    r.step = step_;
    r.synapses_after = store_.size();
    r.bytes_after = store_.bytes();
    last_report_ = r;
    return r;
}

}  // namespace hebllm::detail
