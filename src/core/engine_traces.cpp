// SPDX-License-Identifier: MIT
// engine_base, after the spikes of a step: STDP traces (with presynaptic metaplasticity) and
// homeostatic thresholds.
#include "core/engine_base.hpp"

#include <cmath>

#include <hebllm/errors.hpp>

namespace hebllm::detail {

void engine_base::after_spikes() {
    if (stdp_on_) {
        for (std::uint32_t j : spikes_) {
            const double pre = pre_trace(j, step_);
            const double post = post_trace(j, step_);
            kernels::pre_state& ps = state_.pre[j];
            const stdp_params& sp = spec_.stdp;
            double gain = 1.0;
            if (sp.metaplasticity_spikes > 0.0) {
                gain =
                    std::pow(1.0 + ps.spikes / sp.metaplasticity_spikes, -sp.metaplasticity_power);
                ps.spikes += 1.0;
            }
            ps.pre_before = pre;
            ps.pre_after = kernels::trace_spike(pre, stdp_step_.nearest, gain);
            state_.post[j].post_after = kernels::trace_spike(post, stdp_step_.nearest);
            state_.post[j].prev_spike = state_.post[j].last_spike;
            state_.post[j].last_spike = step_;
        }
    }
    if (homeostasis_on_) {
        std::size_t next = 0;  // cursor into the sorted spike list
        for (std::size_t p = 0; p < consts_.size(); ++p) {
            if (homeostatic_[p] == 0) {
                continue;
            }
            for (std::uint32_t i = pop_begin_[p]; i < pop_begin_[p + 1]; ++i) {
                while (next < spikes_.size() && spikes_[next] < i) {
                    ++next;
                }
                const bool spiked = next < spikes_.size() && spikes_[next] == i;
                kernels::homeostasis_step(state_.rate_hz[i], state_.threshold[i], spiked, homeo_);
            }
        }
    }
}

}  // namespace hebllm::detail
