// SPDX-License-Identifier: MIT
// engine_base, inputs: stimuli (Poisson spikes, Poisson input, currents), forced spikes and
// currents of the input callback, gathered each step.
#include "core/engine_base.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include <hebllm/errors.hpp>

#include "core/kernels/fixed_point.hpp"
#include "core/kernels/random.hpp"
#include "core/model_util.hpp"

namespace hebllm::detail {

void engine_base::add_stimulus_unchecked(const stimulus& s) {
    // Stimulus k draws from stream rng_stream::stimulus + k: at most 2^24 of them.
    if (stimuli_.size() >= (std::size_t{1} << 24)) {
        throw model_error(
            "add_stimulus: the network already has 16777216 stimuli, the most "
            "its random streams can tell apart");
    }
    const std::int64_t stop = time_to_step(s.t_stop_ms, spec_.dt_ms);
    stimuli_.push_back(s);
    stimulus_steps_.emplace_back(time_to_step(s.t_start_ms, spec_.dt_ms), stop);
    if (stop > step_) {
        live_stimuli_.push_back(static_cast<std::uint32_t>(stimuli_.size() - 1));
    }
    std::vector<std::uint64_t> cdf;
    if (s.kind == stimulus_kind::poisson_input) {
        // P(X <= k) for X ~ Binomial(sources, p), scaled to 2^32, until the rest is below 2^-33.
        const double p = s.rate_hz * spec_.dt_ms / 1000.0;
        const double n = s.sources;
        double pmf = std::pow(1.0 - p, n);
        double sum = 0.0;
        for (std::uint32_t k = 0; k < s.sources && sum < 1.0 - 0x1p-33; ++k) {
            sum += pmf;
            cdf.push_back(static_cast<std::uint64_t>(std::min(sum, 1.0) * 0x1p32));
            pmf = pmf * (n - k) / (k + 1.0) * (p / (1.0 - p));
        }
        cdf.push_back(std::uint64_t{1} << 32);  // everything above: the last count
    }
    std::vector<std::uint32_t> guide;
    if (!cdf.empty()) {
        guide.assign(256, 0);
        std::uint32_t k = 0;
        for (std::uint32_t b = 0; b < 256; ++b) {
            while (cdf[k] <= (std::uint64_t{b} << 24)) {
                ++k;
            }
            guide[b] = k;
        }
    }
    input_cdf_.push_back(std::move(cdf));
    input_guide_.push_back(std::move(guide));
}

void engine_base::add_stimulus(const stimulus& s) {
    network_spec probe;
    probe.populations = spec_.populations;
    probe.dt_ms = spec_.dt_ms;
    probe.stimuli = {s};
    probe.validate();  // same rules as stimuli given in the spec
    add_stimulus_unchecked(s);
}

void engine_base::gather_inputs(const input_fn& fn) {
    const double dt = spec_.dt_ms;
    const auto force = [&](std::uint32_t i) {
        if (forced_[i] == 0) {
            forced_[i] = 1;
            forced_list_.push_back(i);
        }
    };
    const auto inject = [&](std::uint32_t i, double amplitude) {
        if (i_ext_[i] == 0.0) {
            current_list_.push_back(i);
        }
        i_ext_[i] += amplitude;
    };
    while (next_input_ < input_spikes_.size() && input_spikes_[next_input_].first <= step_) {
        if (input_spikes_[next_input_].first == step_) {
            force(input_spikes_[next_input_].second);
        }
        ++next_input_;
    }
    active_inputs_.clear();
    // The live stimuli, in index order, in one pass: those that have ended leave the list for
    // good (their tables freed), those not yet started wait.
    std::size_t kept = 0;
    for (std::size_t at = 0; at < live_stimuli_.size(); ++at) {
        const std::uint32_t k = live_stimuli_[at];
        if (step_ >= stimulus_steps_[k].second) {
            input_cdf_[k] = {};
            input_guide_[k] = {};
            continue;
        }
        live_stimuli_[kept++] = k;
        const stimulus& s = stimuli_[k];
        if (step_ < stimulus_steps_[k].first) {
            continue;
        }
        const auto stream = static_cast<std::uint32_t>(kernels::rng_stream::stimulus) +
                            static_cast<std::uint32_t>(k);
        if (s.kind == stimulus_kind::poisson_input) {
            active_inputs_.push_back(
                {s.first, s.first + s.count, stream,
                 kernels::to_fixed(static_cast<float>(std::fabs(s.amplitude)), s.amplitude < 0.0),
                 input_cdf_[k].data(), input_guide_[k].data()});
            continue;
        }
        if (s.kind == stimulus_kind::current) {
            for (std::uint32_t i = s.first; i < s.first + s.count; ++i) {
                inject(i, s.amplitude);
            }
            continue;
        }
        const double p = s.rate_hz * dt / 1000.0;
        for (std::uint32_t i = s.first; i < s.first + s.count; ++i) {
            if (p >= 1.0 || kernels::uniform2(spec_.seed, stream, i,
                                              static_cast<std::uint64_t>(step_))[0] < p) {
                force(i);
            }
        }
    }
    live_stimuli_.resize(kept);
    if (fn) {
        sink_.clear();
        fn(step_, static_cast<double>(step_) * dt, sink_);
        for (std::uint32_t i : sink_.spikes()) {
            if (i >= n_) {
                throw model_error("input_fn: forced spike on neuron " + std::to_string(i) +
                                  ", out of range (the network has " + std::to_string(n_) +
                                  " neurons)");
            }
            force(i);
        }
        for (const auto& c : sink_.currents()) {
            if (c.neuron >= n_ || !std::isfinite(c.amplitude)) {
                throw model_error("input_fn: current on neuron " + std::to_string(c.neuron) +
                                  " is out of range or not finite");
            }
            inject(c.neuron, c.amplitude);
        }
    }
    remember_pattern();
}

void engine_base::clear_inputs() {
    for (std::uint32_t i : forced_list_) {
        forced_[i] = 0;
    }
    for (std::uint32_t i : current_list_) {
        i_ext_[i] = 0.0;
    }
    forced_list_.clear();
    current_list_.clear();
}

}  // namespace hebllm::detail
