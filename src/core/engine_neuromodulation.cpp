// SPDX-License-Identifier: MIT
// engine_base, neuromodulation: the modulator m of each step (external, or novelty, surprise
// and reward; ORIGINAL.md §3.7).
#include "core/engine_base.hpp"

#include <algorithm>
#include <cmath>

#include <hebllm/errors.hpp>

namespace hebllm::detail {

namespace {

double jaccard(const std::vector<std::uint32_t>& a, std::span<const std::uint32_t> b) {
    if (a.empty() && b.empty()) {
        return 1.0;
    }
    std::size_t i = 0;
    std::size_t j = 0;
    std::size_t common = 0;
    while (i < a.size() && j < b.size()) {
        if (a[i] == b[j]) {
            ++common;
            ++i;
            ++j;
        } else if (a[i] < b[j]) {
            ++i;
        } else {
            ++j;
        }
    }
    const std::size_t uni = a.size() + b.size() - common;
    return static_cast<double>(common) / static_cast<double>(uni);
}

}  // namespace

void engine_base::set_modulation(double value) {
    if (!spec_.neuromodulation.enabled ||
        spec_.neuromodulation.kind != neuromodulation_kind::external) {
        throw model_error(
            "set_modulation needs [neuromodulation] enabled with kind = \"external\"");
    }
    if (!std::isfinite(value)) {
        throw model_error("set_modulation: the modulator must be finite");
    }
    external_m_ = value;
}

double engine_base::update_modulation() {
    const neuromodulation_params& nm = spec_.neuromodulation;
    if (!nm.enabled) {
        return 1.0;
    }
    if (nm.kind == neuromodulation_kind::external) {
        return external_m_;
    }
    double m = nm.baseline;
    if (nm.kind == neuromodulation_kind::novelty) {
        // ORIGINAL.md §3.7: novelty 0.5 until five activity patterns are known, then one minus
        // the mean Jaccard similarity with the last `compare` patterns.
        double novelty = 0.5;
        if (history_size_ + 1 >= 5) {
            const std::size_t k = std::min<std::size_t>(nm.compare, history_size_);
            double sum = 0.0;
            for (std::size_t i = 1; i <= k; ++i) {
                const std::size_t slot = (history_next_ + history_.size() - i) % history_.size();
                sum += jaccard(history_[slot], spikes_);
            }
            novelty = std::max(0.0, 1.0 - sum / static_cast<double>(k));
        }
        m = std::clamp(nm.baseline + nm.w_novelty * novelty + nm.w_surprise * surprise_ +
                           nm.w_reward * reward_,
                       nm.m_min, nm.m_max);
        history_[history_next_].assign(spikes_.begin(), spikes_.end());
        history_next_ = (history_next_ + 1) % history_.size();
        history_size_ = std::min(history_size_ + 1, history_.size());
    }
    surprise_ *= nm.decay_surprise;
    reward_ *= nm.decay_reward;
    return m;
}

}  // namespace hebllm::detail
