// SPDX-License-Identifier: MIT
#include "core/engine_base.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>

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
    c.quiet = c.spike_source ? 0.0 : l.quiet_below;
    if (l.escape_width > 0.0 && !c.spike_source) {
        kernels::set_escape(c, l.escape_width, l.escape_rate_hz * dt / 1000.0);
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

engine_base::engine_base(const network_spec& spec, const engine_options& options,
                         const engine_snapshot* from)
    : spec_(spec), options_(options) {
    spec_.validate();
    n_ = spec_.neuron_count();
    store_ = from != nullptr ? store_from_snapshot(*from, n_) : build_synapses(spec_);

    pop_begin_.push_back(0);
    for (const auto& p : spec_.populations) {
        consts_.push_back(make_consts(p, spec_.dt_ms));
        pop_begin_.push_back(pop_begin_.back() + p.size);
        homeostatic_.push_back(p.lif.homeostasis && p.model == neuron_model_kind::lif ? 1 : 0);
    }
    population_index_.resize(n_);
    for (std::size_t p = 0; p + 1 < pop_begin_.size(); ++p) {
        std::fill(population_index_.begin() + pop_begin_[p],
                  population_index_.begin() + pop_begin_[p + 1], static_cast<std::uint32_t>(p));
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
        stdp_step_.bounds.push_back(class_bounds(scale));
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

run_stats engine_base::stats() const {
    // No sync_weights() here: reading counters every step must stay cheap (see run_stats).
    run_stats s = stats_;
    s.plasticity_updates += updates_outside_steps();
    return s;
}

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
    // The live stimuli, in index order; those that have ended leave the list for good.
    std::size_t kept = 0;
    for (const std::uint32_t k : live_stimuli_) {
        if (step_ >= stimulus_steps_[k].second) {
            input_cdf_[k] = {};
            input_guide_[k] = {};
            continue;
        }
        live_stimuli_[kept++] = k;
    }
    live_stimuli_.resize(kept);
    for (const std::uint32_t k : live_stimuli_) {
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
    // plasticity_factor_ is 1 outside replay: (lr * 1) * m * a is lr * m * a, bit for bit.
    const double rate = spec_.stdp.learning_rate * plasticity_factor_;
    stdp_step_.a_plus = rate * modulation_ * spec_.stdp.a_plus;
    stdp_step_.a_minus = rate * modulation_ * spec_.stdp.a_minus;
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
    if (!in_consolidation_) {
        spikes_since_consolidation_ += spikes_.size();
        if (consolidation_due()) {
            consolidate();
        }
    }
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

// ---- snapshots (checkpoints) -----------------------------------------------------------------

namespace hebllm::detail {

namespace {

[[noreturn]] void bad_snapshot(const std::string& what) {
    throw model_error("snapshot: " + what);
}

template <class T>
void check_size(const std::vector<T>& v, std::uint64_t n, const char* name) {
    if (v.size() != n) {
        bad_snapshot(std::string(name) + " has " + std::to_string(v.size()) +
                     " entries, expected " + std::to_string(n));
    }
}

}  // namespace

synapse_store store_from_snapshot(const engine_snapshot& f, std::uint32_t n) {
    check_size(f.row_begin, std::uint64_t{n} + 1, "row_begin");
    check_size(f.segment_begin, std::uint64_t{n} + 1, "segment_begin");
    check_size(f.negative, n, "negative");
    const std::uint64_t segments = f.segment_end.size();
    check_size(f.segment_delay, segments, "segment_delay");
    check_size(f.segment_plastic, segments, "segment_plastic");
    check_size(f.weight, f.target.size(), "weight");
    if (f.row_begin[0] != 0 || f.row_begin[n] != f.target.size()) {
        bad_snapshot("row_begin does not span the synapse arrays");
    }
    if (f.segment_begin[0] != 0 || f.segment_begin[n] != segments) {
        bad_snapshot("segment_begin does not span the segments");
    }
    if (f.stdp_scale.empty() || f.max_delay < 1 || f.max_delay > 255) {
        bad_snapshot("stdp_scale is empty or max_delay is outside [1, 255]");
    }
    // All offsets monotone first, so that every row's ranges lie inside the arrays
    // (fuzz_checkpoint found a later row's offset beyond the segments).
    for (std::uint32_t j = 0; j < n; ++j) {
        if (f.row_begin[j + 1] < f.row_begin[j] || f.segment_begin[j + 1] < f.segment_begin[j]) {
            bad_snapshot("row or segment offsets decrease at neuron " + std::to_string(j));
        }
    }
    synapse_store s;
    s.neuron_count = n;
    s.max_delay = f.max_delay;
    s.stdp_scale = f.stdp_scale;
    for (std::uint32_t j = 0; j < n; ++j) {
        std::uint64_t end = f.row_begin[j];
        for (std::uint32_t g = f.segment_begin[j]; g < f.segment_begin[j + 1]; ++g) {
            if (f.segment_end[g] < end || f.segment_delay[g] < 1 ||
                f.segment_delay[g] > f.max_delay || f.segment_plastic[g] >= f.stdp_scale.size()) {
                bad_snapshot("segment " + std::to_string(g) + " of neuron " + std::to_string(j) +
                             " is inconsistent (end, delay or plasticity class)");
            }
            if (f.segment_plastic[g] != 0) {
                s.plastic_synapses += f.segment_end[g] - end;
            }
            end = f.segment_end[g];
        }
        if (end != f.row_begin[j + 1]) {
            bad_snapshot("the segments of neuron " + std::to_string(j) + " do not cover its row");
        }
    }
    for (std::size_t k = 0; k < f.target.size(); ++k) {
        // 2^30 mV: far above any real weight, and its fixed-point value (2^62) still leaves
        // room for sums (docs/determinism.md: 2^-32 mV units in 64 bits).
        if (f.target[k] >= n || !(f.weight[k] >= 0.0f && f.weight[k] <= 0x1p30f)) {
            bad_snapshot("synapse " + std::to_string(k) +
                         " has a target out of range or a weight outside [0, 2^30] mV");
        }
    }
    s.row_begin = f.row_begin;
    s.segment_begin = f.segment_begin;
    s.segments.resize(segments);
    for (std::uint64_t g = 0; g < segments; ++g) {
        s.segments[g] = {f.segment_end[g], f.segment_delay[g], f.segment_plastic[g]};
    }
    s.target = f.target;
    s.weight = f.weight;
    s.negative = f.negative;
    return s;
}

void engine_base::read_pending(std::span<std::int64_t> /*out*/) const {
    throw backend_error("backend '" + std::string(backend()) +
                        "' cannot save its input in transit");
}

void engine_base::write_pending(std::span<const std::int64_t> /*in*/) {
    throw backend_error("backend '" + std::string(backend()) + "' cannot load input in transit");
}

engine_snapshot engine_base::snapshot(bool record_spikes) const {
    sync_weights();  // exact: the cpu backend's flush applies the reference's updates
    engine_snapshot f;
    f.spec = spec_;
    f.step = step_;
    f.row_begin = store_.row_begin;
    f.segment_begin = store_.segment_begin;
    for (const synapse_segment& g : store_.segments) {
        f.segment_end.push_back(g.end);
        f.segment_delay.push_back(g.delay);
        f.segment_plastic.push_back(g.plastic);
    }
    f.target = store_.target;
    f.weight = store_.weight;
    f.negative = store_.negative;
    f.stdp_scale = store_.stdp_scale;
    f.max_delay = store_.max_delay;

    f.v = state_.v;
    f.i_syn = state_.i_syn;
    f.threshold = state_.threshold;
    f.theta = state_.theta;
    f.rate_hz = state_.rate_hz;
    f.refractory = state_.refractory;
    f.pre_after.resize(n_);
    f.pre_before.resize(n_);
    f.post_after.resize(n_);
    f.pre_spikes.resize(n_);
    f.last_spike.resize(n_);
    f.prev_spike.resize(n_);
    for (std::uint32_t i = 0; i < n_; ++i) {
        f.pre_after[i] = state_.pre[i].pre_after;
        f.pre_before[i] = state_.pre[i].pre_before;
        f.post_after[i] = state_.post[i].post_after;
        f.pre_spikes[i] = state_.pre[i].spikes;
        f.last_spike[i] = state_.post[i].last_spike;
        f.prev_spike[i] = state_.post[i].prev_spike;
    }
    f.pending.assign(static_cast<std::size_t>(store_.max_delay) * n_, 0);
    read_pending(f.pending);

    f.stimuli = stimuli_;
    for (std::size_t k = next_input_; k < input_spikes_.size(); ++k) {
        f.input_spike_step.push_back(input_spikes_[k].first);
        f.input_spike_neuron.push_back(input_spikes_[k].second);
    }

    f.history_begin.push_back(0);
    for (const auto& h : history_) {
        f.history_ids.insert(f.history_ids.end(), h.begin(), h.end());
        f.history_begin.push_back(f.history_ids.size());
    }
    f.history_next = history_next_;
    f.history_size = history_size_;
    f.surprise = surprise_;
    f.reward = reward_;
    f.external_m = external_m_;
    f.modulation = modulation_;

    export_consolidation(f);

    const run_stats& st = stats();
    f.stats_steps = st.steps;
    f.stats_spikes = st.spikes;
    f.stats_synaptic_events = st.synaptic_events;
    f.stats_plasticity_updates = st.plasticity_updates;
    f.stats_forced_spikes_dropped = st.forced_spikes_dropped;
    f.stats_wall_s = st.wall_s;
    f.population_spike_counts = pop_counts_;
    f.has_recorded_spikes = record_spikes;
    if (record_spikes) {
        f.recorded_neuron.reserve(recorded_spikes_.size());
        f.recorded_step.reserve(recorded_spikes_.size());
        for (const spike_event& e : recorded_spikes_) {
            f.recorded_neuron.push_back(e.neuron);
            f.recorded_step.push_back(e.step);
        }
    }
    return f;
}

void engine_base::restore(const engine_snapshot& f) {
    const std::uint64_t n = n_;
    for (const auto* a : {&f.v, &f.i_syn, &f.threshold, &f.theta, &f.rate_hz, &f.pre_after,
                          &f.pre_before, &f.post_after, &f.pre_spikes}) {
        check_size(*a, n, "a neuron state array");
    }
    check_size(f.last_spike, n, "last_spike");
    check_size(f.prev_spike, n, "prev_spike");
    check_size(f.refractory, n, "refractory");
    check_size(f.pending, n * store_.max_delay, "pending");
    check_size(f.input_spike_neuron, f.input_spike_step.size(), "input_spike_neuron");
    check_size(f.history_begin, std::uint64_t{history_.size()} + 1, "history_begin");
    check_size(f.population_spike_counts, pop_counts_.size(), "population_spike_counts");
    if (f.step < 0 || f.history_next >= std::max<std::size_t>(history_.size(), 1) ||
        f.history_size > history_.size()) {
        bad_snapshot("step or neuromodulation history cursor out of range");
    }
    if (f.step > (std::int64_t{1} << 62)) {
        bad_snapshot("step " + std::to_string(f.step) + " is beyond 2^62");
    }
    for (std::uint32_t i = 0; i < n_; ++i) {
        const auto valid = [&](std::int64_t s) {
            return s == kernels::never_spiked || (s >= 0 && s < f.step);
        };
        if (!valid(f.last_spike[i]) || !valid(f.prev_spike[i]) ||
            f.prev_spike[i] > f.last_spike[i]) {
            bad_snapshot("neuron " + std::to_string(i) +
                         ": its last spikes are not before the snapshot's step, or out of order");
        }
        if (!(f.pre_spikes[i] >= 0.0 && f.pre_spikes[i] <= 9007199254740992.0 &&
              f.pre_spikes[i] == std::floor(f.pre_spikes[i]))) {
            bad_snapshot("neuron " + std::to_string(i) +
                         ": its metaplasticity spike count is not a whole number in [0, 2^53]");
        }
    }
    for (const std::int64_t q : f.pending) {
        if (q > (std::int64_t{1} << 62) || q < -(std::int64_t{1} << 62)) {
            bad_snapshot("input in transit beyond the fixed-point range");
        }
    }
    step_ = f.step;
    state_.v = f.v;
    state_.i_syn = f.i_syn;
    state_.threshold = f.threshold;
    state_.theta = f.theta;
    state_.rate_hz = f.rate_hz;
    state_.refractory = f.refractory;
    for (std::uint32_t i = 0; i < n_; ++i) {
        state_.pre[i] = {f.pre_after[i], f.pre_before[i], f.pre_spikes[i]};
        state_.post[i].post_after = f.post_after[i];
        state_.post[i].last_spike = f.last_spike[i];
        state_.post[i].prev_spike = f.prev_spike[i];
    }

    stimuli_.clear();
    stimulus_steps_.clear();
    live_stimuli_.clear();
    input_cdf_.clear();
    input_guide_.clear();
    for (const stimulus& st : f.stimuli) {
        network_spec probe;
        probe.populations = spec_.populations;
        probe.dt_ms = spec_.dt_ms;
        probe.stimuli = {st};
        probe.validate();
        add_stimulus_unchecked(st);
    }
    input_spikes_.clear();
    for (std::size_t k = 0; k < f.input_spike_step.size(); ++k) {
        if (f.input_spike_neuron[k] >= n_ ||
            (k > 0 && f.input_spike_step[k] < f.input_spike_step[k - 1])) {
            bad_snapshot("input spikes out of range or not sorted by step");
        }
        input_spikes_.emplace_back(f.input_spike_step[k], f.input_spike_neuron[k]);
    }
    next_input_ = 0;

    for (std::size_t k = 0; k < history_.size(); ++k) {
        const std::uint64_t b = f.history_begin[k];
        const std::uint64_t e = f.history_begin[k + 1];
        if (b > e || e > f.history_ids.size()) {
            bad_snapshot("neuromodulation history offsets out of range");
        }
        history_[k].assign(f.history_ids.begin() + static_cast<std::ptrdiff_t>(b),
                           f.history_ids.begin() + static_cast<std::ptrdiff_t>(e));
    }
    history_next_ = f.history_next;
    history_size_ = f.history_size;
    surprise_ = f.surprise;
    reward_ = f.reward;
    external_m_ = f.external_m;
    modulation_ = f.modulation;

    import_consolidation(f);

    stats_ = run_stats{};
    stats_.steps = f.stats_steps;
    stats_.spikes = f.stats_spikes;
    stats_.synaptic_events = f.stats_synaptic_events;
    stats_.plasticity_updates = f.stats_plasticity_updates;
    stats_.forced_spikes_dropped = f.stats_forced_spikes_dropped;
    stats_.wall_s = f.stats_wall_s;
    pop_counts_ = f.population_spike_counts;
    recorded_spikes_.clear();
    if (f.has_recorded_spikes) {
        check_size(f.recorded_step, f.recorded_neuron.size(), "recorded_step");
        recorded_spikes_.reserve(f.recorded_neuron.size());
        for (std::size_t k = 0; k < f.recorded_neuron.size(); ++k) {
            recorded_spikes_.push_back({f.recorded_neuron[k], f.recorded_step[k]});
        }
    }
    samples_.clear();
    state_replaced();
    write_pending(f.pending);
}

}  // namespace hebllm::detail

namespace hebllm::detail {

void engine_base::export_consolidation(engine_snapshot& f) const {
    f.replay_begin.assign(1, 0);
    for (const auto& p : replay_) {
        f.replay_ids.insert(f.replay_ids.end(), p.begin(), p.end());
        f.replay_begin.push_back(f.replay_ids.size());
    }
    f.replay_step = replay_step_;
    f.last_consolidation_step = last_consolidation_step_;
    f.spikes_since_consolidation = spikes_since_consolidation_;
    f.consolidations = consolidations_;
}

void engine_base::import_consolidation(const engine_snapshot& f) {
    const std::size_t patterns = f.replay_step.size();
    if (f.replay_begin.size() != patterns + 1 || f.replay_begin[0] != 0 ||
        patterns > spec_.consolidation.replay_buffer) {
        bad_snapshot("the replay buffer's offsets do not match its patterns or exceed its size");
    }
    replay_.assign(patterns, {});
    for (std::size_t k = 0; k < patterns; ++k) {
        const std::uint64_t b = f.replay_begin[k];
        const std::uint64_t e = f.replay_begin[k + 1];
        if (b > e || e > f.replay_ids.size()) {
            bad_snapshot("replay buffer offsets out of range");
        }
        for (std::uint64_t i = b; i < e; ++i) {
            if (f.replay_ids[i] >= n_) {
                bad_snapshot("replay buffer neuron out of range");
            }
        }
        replay_[k].assign(f.replay_ids.begin() + static_cast<std::ptrdiff_t>(b),
                          f.replay_ids.begin() + static_cast<std::ptrdiff_t>(e));
    }
    replay_step_ = f.replay_step;
    last_consolidation_step_ = f.last_consolidation_step;
    spikes_since_consolidation_ = f.spikes_since_consolidation;
    consolidations_ = f.consolidations;
}

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
