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

std::vector<synapse_view> engine_base::synapses() {
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
