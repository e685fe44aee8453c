// SPDX-License-Identifier: MIT
#include "core/engine_base.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <hebllm/errors.hpp>

#include "core/kernels/fixed_point.hpp"
#include "core/kernels/random.hpp"
#include "core/model_util.hpp"

namespace hebllm {

void engine::run(double duration_ms, const input_fn& fn) {
    if (!std::isfinite(duration_ms) || duration_ms < 0.0) {
        throw model_error("run: duration_ms must be a finite number >= 0, got " +
                          std::to_string(duration_ms));
    }
    const std::int64_t steps = detail::time_to_step(duration_ms, spec().dt_ms);
    for (std::int64_t k = 0; k < steps; ++k) {
        step(fn);
    }
}

void engine::stimulate_token(std::uint32_t token, double duration_ms, double rate_hz,
                             const std::string& population_name) {
    const network_spec& s = spec();
    const population* pop = nullptr;
    if (population_name.empty()) {
        for (const auto& p : s.populations) {
            if (p.kind == population_kind::sensory) {
                pop = &p;
                break;
            }
        }
        if (pop == nullptr) {
            throw model_error("stimulate_token: the network has no sensory population");
        }
    } else {
        pop = &s.find(population_name);
    }
    const std::uint64_t tokens = pop->size / pop->neurons_per_token;
    if (token >= tokens) {
        throw model_error("stimulate_token: token " + std::to_string(token) +
                          " is out of range: population '" + pop->name + "' encodes " +
                          std::to_string(tokens) + " tokens");
    }
    stimulus st;
    st.kind = stimulus_kind::poisson;
    st.first = s.offset(pop->name) + token * pop->neurons_per_token;
    st.count = pop->neurons_per_token;
    st.t_start_ms = time_ms();
    st.t_stop_ms = time_ms() + duration_ms;
    st.rate_hz = rate_hz;
    add_stimulus(st);
}

}  // namespace hebllm

namespace hebllm::detail {

namespace {

kernels::neuron_consts make_consts(const population& p, double dt) {
    kernels::neuron_consts c;
    const lif_params& l = p.lif;
    c.spike_source = p.model == neuron_model_kind::spike_source;
    c.v_rest = l.v_rest;
    c.v_reset = l.v_reset;
    c.resistance = l.resistance;
    c.bias = l.bias_current;
    c.decay_m = std::exp(-dt / l.tau_m_ms);
    c.instantaneous = l.tau_syn_ms == 0.0;
    if (!c.instantaneous) {
        c.decay_syn = std::exp(-dt / l.tau_syn_ms);
        // Exact solution of dv/dt = (-(v - v_rest) + R I)/tau_m, dI/dt = -I/tau_s over dt:
        // the contribution of I(t) to v(t + dt) is R I(t) tau_s/(tau_s - tau_m) (e_s - e_m).
        if (l.tau_syn_ms == l.tau_m_ms) {
            c.syn_to_v = dt / l.tau_m_ms * c.decay_m;
        } else {
            c.syn_to_v = l.tau_syn_ms / (l.tau_syn_ms - l.tau_m_ms) * (c.decay_syn - c.decay_m);
        }
    }
    c.decay_theta = std::exp(-dt / l.adapt_tau_ms);
    c.adapt_increment = l.adapt_increment;
    c.refractory_steps = static_cast<std::int32_t>(time_to_step(l.refractory_ms, dt));
    c.escape = l.escape_width > 0.0 && !c.spike_source;
    if (c.escape) {
        c.escape_width = l.escape_width;
        c.escape_rate_dt = l.escape_rate_hz * dt / 1000.0;
    }
    return c;
}

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

engine_base::engine_base(const network_spec& spec, const engine_options& options)
    : spec_(spec), options_(options) {
    spec_.validate();
    n_ = spec_.neuron_count();
    store_ = build_synapses(spec_);

    pop_begin_.push_back(0);
    for (const auto& p : spec_.populations) {
        consts_.push_back(make_consts(p, spec_.dt_ms));
        pop_begin_.push_back(pop_begin_.back() + p.size);
        homeostatic_.push_back(p.lif.homeostasis && p.model == neuron_model_kind::lif ? 1 : 0);
    }
    stdp_on_ = spec_.stdp.enabled;
    homeostasis_on_ = spec_.homeostasis.enabled;
    // Trace decay tables: exp(-k dt / tau) up to the step where it falls below e^-46 = 1e-20;
    // older spikes count as zero (docs/model.md "STDP").
    const auto decay_table = [&](double tau, std::vector<double>& table) {
        const double steps = std::ceil(46.0 * tau / spec_.dt_ms) + 1.0;
        if (steps > 1e7) {
            throw model_error("[stdp]: tau / dt = " + std::to_string(tau / spec_.dt_ms) +
                              " steps is too long for the trace tables (at most 2e5)");
        }
        table.resize(static_cast<std::size_t>(steps));
        for (std::size_t k = 0; k < table.size(); ++k) {
            table[k] = std::exp(-static_cast<double>(k) * spec_.dt_ms / tau);
        }
    };
    if (stdp_on_) {
        decay_table(spec_.stdp.tau_plus_ms, pre_decay_);
        decay_table(spec_.stdp.tau_minus_ms, post_decay_);
    } else {
        pre_decay_.assign(1, 1.0);
        post_decay_.assign(1, 1.0);
    }
    pre_table_ = {pre_decay_.data(), static_cast<std::int64_t>(pre_decay_.size())};
    post_table_ = {post_decay_.data(), static_cast<std::int64_t>(post_decay_.size())};
    stdp_step_.scale = store_.stdp_scale;
    for (const double scale : store_.stdp_scale) {
        // A negative scale turns the rule around (anti-Hebbian); the bounds use its magnitude.
        stdp_step_.bounds.push_back({spec_.stdp.w_min * std::abs(scale),
                                     spec_.stdp.w_max * std::abs(scale),
                                     spec_.stdp.kind == stdp_kind::multiplicative});
    }
    stdp_step_.nearest = spec_.stdp.pairing == stdp_pairing_kind::nearest;
    const homeostasis_params& h = spec_.homeostasis;
    homeo_.decay_rate = std::exp(-spec_.dt_ms / h.tau_rate_ms);
    homeo_.spike_rate_hz = 1000.0 / h.tau_rate_ms;
    homeo_.gain = h.eta * spec_.dt_ms / 1000.0;
    homeo_.target_hz = h.target_rate_hz;
    homeo_.threshold_min = h.threshold_min;
    homeo_.threshold_max = h.threshold_max;

    state_.threshold.resize(n_);
    state_.rate_hz.assign(n_, h.target_rate_hz);
    for (std::size_t p = 0; p < spec_.populations.size(); ++p) {
        std::fill(state_.threshold.begin() + pop_begin_[p],
                  state_.threshold.begin() + pop_begin_[p + 1],
                  spec_.populations[p].lif.v_threshold);
    }
    init_neurons();

    forced_.assign(n_, 0);
    i_ext_.assign(n_, 0.0);
    for (const stimulus& st : spec_.stimuli) {
        add_stimulus_unchecked(st);
    }
    for (const input_spike& s : spec_.input_spikes) {
        input_spikes_.emplace_back(time_to_step(s.time_ms, spec_.dt_ms), s.neuron);
    }
    std::sort(input_spikes_.begin(), input_spikes_.end());
    history_.resize(spec_.neuromodulation.history);
    pop_counts_.assign(spec_.populations.size(), 0);
    modulation_ = spec_.neuromodulation.enabled ? spec_.neuromodulation.baseline : 1.0;
    external_m_ = spec_.neuromodulation.baseline;
    for (std::uint32_t neuron : options_.recording.sample_neurons) {
        if (neuron >= n_) {
            throw model_error("recording: sampled neuron " + std::to_string(neuron) +
                              " is out of range (the network has " + std::to_string(n_) +
                              " neurons)");
        }
    }
    if (options_.recording.sample_every == 0) {
        throw model_error("recording: sample_every must be >= 1");
    }
}

const kernels::neuron_consts& engine_base::consts_of(std::uint32_t neuron) const {
    const auto it = std::upper_bound(pop_begin_.begin(), pop_begin_.end(), neuron);
    return consts_[static_cast<std::size_t>(it - pop_begin_.begin()) - 1];
}

void engine_base::init_neurons() {
    state_.v.resize(n_);
    state_.i_syn.assign(n_, 0.0);
    state_.theta.assign(n_, 0.0);
    state_.refractory.assign(n_, 0);
    state_.post.assign(n_, kernels::post_state{});
    state_.pre.assign(n_, kernels::pre_state{});
    const auto init_stream = static_cast<std::uint32_t>(kernels::rng_stream::initial_v);
    for (std::size_t p = 0; p < spec_.populations.size(); ++p) {
        const lif_params& l = spec_.populations[p].lif;
        for (std::uint32_t i = pop_begin_[p]; i < pop_begin_[p + 1]; ++i) {
            if (l.v_init_max > l.v_init_min) {
                const double u = kernels::uniform2(spec_.seed, init_stream, i, 0)[0];
                state_.v[i] = l.v_init_min + (l.v_init_max - l.v_init_min) * u;
            } else {
                state_.v[i] = l.v_init_min;
            }
        }
    }
}

void engine_base::reset_state() {
    sync_weights();
    init_neurons();
    clear_pending();
}

void engine_base::reset_stats() {
    stats_ = run_stats{};
    clear_recording();
}

const run_stats& engine_base::stats() const {
    // No sync_weights() here: reading counters every step must stay cheap (see run_stats).
    stats_view_ = stats_;
    stats_view_.plasticity_updates += updates_outside_steps();
    return stats_view_;
}

void engine_base::add_stimulus_unchecked(const stimulus& s) {
    stimuli_.push_back(s);
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
    std::vector<std::uint32_t> guide(256, 0);
    if (!cdf.empty()) {
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
    for (std::size_t k = 0; k < stimuli_.size(); ++k) {
        const stimulus& s = stimuli_[k];
        if (step_ < time_to_step(s.t_start_ms, dt) || step_ >= time_to_step(s.t_stop_ms, dt)) {
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

void engine_base::set_modulation(double value) {
    if (!spec_.neuromodulation.enabled ||
        spec_.neuromodulation.kind != neuromodulation_kind::external) {
        throw model_error("set_modulation needs [neuromodulation] enabled with kind = \"external\"");
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

void engine_base::after_spikes() {
    if (stdp_on_) {
        for (std::uint32_t j : spikes_) {
            const double pre = pre_trace(j, step_);
            const double post = post_trace(j, step_);
            state_.pre[j].pre_before = pre;
            state_.pre[j].pre_after = kernels::trace_spike(pre, stdp_step_.nearest);
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

void engine_base::record() {
    std::size_t p = 0;
    for (std::uint32_t j : spikes_) {
        while (j >= pop_begin_[p + 1]) {
            ++p;
        }
        ++pop_counts_[p];
    }
    const recording_options& r = options_.recording;
    if (r.spikes) {
        for (std::uint32_t j : spikes_) {
            recorded_spikes_.push_back({j, step_});
        }
    }
    if (!r.sample_neurons.empty() && step_ % r.sample_every == 0) {
        for (std::uint32_t i : r.sample_neurons) {
            samples_.push_back({step_, i, state_.v[i], state_.threshold[i] + state_.theta[i],
                                trace_after_step(i, true), trace_after_step(i, false)});
        }
    }
}

void engine_base::step(const input_fn& fn) {
    const auto t0 = std::chrono::steady_clock::now();
    gather_inputs(fn);
    spikes_.clear();
    stats_.forced_spikes_dropped += update_neurons(spikes_);
    clear_inputs();
    modulation_ = update_modulation();
    stdp_step_.a_plus = spec_.stdp.learning_rate * modulation_ * spec_.stdp.a_plus;
    stdp_step_.a_minus = spec_.stdp.learning_rate * modulation_ * spec_.stdp.a_minus;
    stats_.synaptic_events += propagate(spikes_);
    deliver_and_reset(spikes_);
    if (stdp_on_) {
        stats_.plasticity_updates += plasticity(spikes_);
    }
    after_spikes();
    stats_.spikes += spikes_.size();
    record();
    ++step_;
    ++stats_.steps;
    stats_.wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void engine_base::clear_recording() {
    recorded_spikes_.clear();
    samples_.clear();
    std::fill(pop_counts_.begin(), pop_counts_.end(), 0);
}

namespace {
void read_range(const std::vector<double>& from, std::uint32_t first, std::span<double> out,
                const char* what) {
    if (first > from.size() || out.size() > from.size() - first) {
        throw model_error(std::string(what) + ": neurons [" + std::to_string(first) + ", " +
                          std::to_string(std::uint64_t{first} + out.size()) +
                          ") are out of range (the network has " + std::to_string(from.size()) +
                          " neurons)");
    }
    std::copy_n(from.begin() + first, out.size(), out.begin());
}
}  // namespace

void engine_base::read_potentials(std::uint32_t first, std::span<double> out) const {
    read_range(state_.v, first, out, "read_potentials");
}

void engine_base::read_synaptic_currents(std::uint32_t first, std::span<double> out) const {
    read_range(state_.i_syn, first, out, "read_synaptic_currents");
}

neuron_state engine_base::state() const {
    neuron_state s;
    s.v = state_.v;
    s.i_syn = state_.i_syn;
    s.threshold = state_.threshold;
    s.theta = state_.theta;
    s.trace_pre.resize(n_);
    s.trace_post.resize(n_);
    for (std::uint32_t i = 0; i < n_; ++i) {
        s.trace_pre[i] = trace_after_step(i, true);
        s.trace_post[i] = trace_after_step(i, false);
    }
    s.rate_hz = state_.rate_hz;
    s.refractory_steps = state_.refractory;
    return s;
}

double engine_base::trace_after_step(std::uint32_t i, bool pre) const {
    // The trace at the end of the last completed step (increments included).
    const std::int64_t k = (step_ - 1) - state_.post[i].last_spike;
    const kernels::trace_table& t = pre ? pre_table_ : post_table_;
    const double after = pre ? state_.pre[i].pre_after : state_.post[i].post_after;
    return k >= 0 && k < t.size ? after * t.decay[k] : 0.0;
}

std::vector<synapse_view> engine_base::synapses() const {
    sync_weights();
    std::vector<synapse_view> out;
    out.reserve(store_.size());
    for (std::uint32_t j = 0; j < n_; ++j) {
        const float sign = store_.negative[j] != 0 ? -1.0f : 1.0f;
        for (std::uint32_t g = store_.segment_begin[j]; g < store_.segment_begin[j + 1]; ++g) {
            const std::uint64_t begin =
                g == store_.segment_begin[j] ? store_.row_begin[j] : store_.segments[g - 1].end;
            for (std::uint64_t k = begin; k < store_.segments[g].end; ++k) {
                out.push_back(
                    {j, store_.target[k], store_.segments[g].delay, sign * store_.weight[k]});
            }
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const synapse_view& a, const synapse_view& b) {
        return a.pre != b.pre ? a.pre < b.pre : a.post < b.post;
    });
    return out;
}

}  // namespace hebllm::detail
