// SPDX-License-Identifier: MIT
// engine_base, snapshots: everything needed to continue exactly (checkpoints, the consolidation
// state included), and restoring it.
#include "core/engine_base.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include <hebllm/errors.hpp>

#include "core/model_util.hpp"

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

// Row k of a list of lists kept as offsets into one id array (the neuromodulation history,
// the replay buffer) into out; names `what` when the offsets or, below id_limit, an id are out
// of range.
void unpack_row(const std::vector<std::uint64_t>& begin, const std::vector<std::uint32_t>& ids,
                std::size_t k, const std::string& what, std::uint64_t id_limit,
                std::vector<std::uint32_t>& out) {
    const std::uint64_t b = begin[k];
    const std::uint64_t e = begin[k + 1];
    if (b > e || e > ids.size()) {
        bad_snapshot(what + " offsets out of range");
    }
    for (std::uint64_t i = b; i < e; ++i) {
        if (ids[i] >= id_limit) {
            bad_snapshot(what + " neuron out of range");
        }
    }
    out.assign(ids.begin() + static_cast<std::ptrdiff_t>(b),
               ids.begin() + static_cast<std::ptrdiff_t>(e));
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

engine_snapshot engine_base::snapshot(bool record_spikes) {
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
    const std::pair<const std::vector<double>*, const char*> arrays[] = {
        {&f.v, "membrane potential"},
        {&f.i_syn, "synaptic current"},
        {&f.threshold, "threshold"},
        {&f.theta, "threshold adaptation"},
        {&f.rate_hz, "rate estimate"},
        {&f.pre_after, "presynaptic trace"},
        {&f.pre_before, "presynaptic trace"},
        {&f.post_after, "postsynaptic trace"},
        {&f.pre_spikes, "metaplasticity spike count"}};
    for (const auto& [a, name] : arrays) {
        check_size(*a, n, name);
        // A NaN or an infinity would spread through the dynamics and the weights, and reach
        // conversions to integers (fuzz_checkpoint found a NaN potential).
        const auto bad =
            std::find_if(a->begin(), a->end(), [](double x) { return !std::isfinite(x); });
        if (bad != a->end()) {
            bad_snapshot("neuron " + std::to_string(bad - a->begin()) + ": its " + name +
                         " is not a finite number");
        }
    }
    for (const double x : {f.surprise, f.reward, f.external_m, f.modulation}) {
        if (!std::isfinite(x)) {
            bad_snapshot("a neuromodulation value (surprise, reward or modulator) is not finite");
        }
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
        unpack_row(f.history_begin, f.history_ids, k, "neuromodulation history",
                   std::numeric_limits<std::uint64_t>::max(), history_[k]);
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
        unpack_row(f.replay_begin, f.replay_ids, k, "replay buffer", n_, replay_[k]);
    }
    replay_step_ = f.replay_step;
    last_consolidation_step_ = f.last_consolidation_step;
    spikes_since_consolidation_ = f.spikes_since_consolidation;
    consolidations_ = f.consolidations;
}

}  // namespace hebllm::detail
