// SPDX-License-Identifier: MIT
#pragma once
// The part of every engine that does not depend on the backend: inputs, neuromodulation,
// recording, statistics, and the fixed step order (docs/step-order.md). A backend implements
// the four phases; each is one virtual call per step, never per neuron.

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include <hebllm/engine.hpp>

#include "core/synapse_store.hpp"
#include "core/kernels/neuron.hpp"
#include "core/kernels/plasticity.hpp"
#include "core/kernels/random.hpp"

namespace hebllm::detail {

// Neuron state, structure of arrays over all neurons (global ids).
struct neuron_arrays {
    std::vector<double> v;          // mV
    std::vector<double> i_syn;      // synaptic current (mV as R*I)
    std::vector<double> threshold;  // mV, moved by homeostasis
    std::vector<double> theta;      // mV, spike-triggered adaptation
    // STDP traces in closed form (kernels::trace_at), see kernels::post_state.
    std::vector<kernels::post_state> post;
    std::vector<kernels::pre_state> pre;
    std::vector<double> rate_hz;           // homeostasis rate estimate
    std::vector<std::int32_t> refractory;  // refractory steps left
};

// The synapse store of a snapshot, checked (sizes, offsets, targets, delays, classes, weights):
// model_error naming the first inconsistency.
synapse_store store_from_snapshot(const engine_snapshot& from, std::uint32_t n);

// What a backend derives from: the engine's whole behaviour but for the four phases (and the
// hooks below). hebllm::engine, the public class, holds one and forwards to it.
class engine_base {
public:
    virtual ~engine_base() = default;
    engine_base(const engine_base&) = delete;
    engine_base& operator=(const engine_base&) = delete;
    virtual std::string_view backend() const = 0;
    // from: continue from a snapshot (its synapse store is taken instead of building one from
    // the spec; the backend's constructor then calls restore()).
    engine_base(const network_spec& spec, const engine_options& options,
                const engine_snapshot* from = nullptr);

    const network_spec& spec() const { return spec_; }
    std::uint32_t neuron_count() const { return n_; }
    std::uint64_t synapse_count() const { return store_.size(); }
    std::int64_t current_step() const { return step_; }
    void step(const input_fn& fn);
    std::span<const std::uint32_t> last_spikes() const { return spikes_; }
    void add_stimulus(const stimulus& s);
    void set_surprise(double value) { surprise_ = value; }
    void set_reward(double value) { reward_ = value; }
    void set_modulation(double value);
    double modulation() const { return modulation_; }
    void reset_state();
    void reset_stats();
    const std::vector<spike_event>& spikes() const { return recorded_spikes_; }
    const std::vector<state_sample>& samples() const { return samples_; }
    std::vector<std::uint64_t> population_spike_counts() const { return pop_counts_; }
    void clear_recording();
    neuron_state state() const;
    void read_potentials(std::uint32_t first, std::span<double> out) const;
    void read_synaptic_currents(std::uint32_t first, std::span<double> out) const;
    std::vector<synapse_view> synapses();
    run_stats stats() const;
    std::uint64_t synapse_bytes() const { return store_.bytes(); }
    engine_snapshot snapshot(bool record_spikes);
    consolidation_report consolidate();
    growth_report add_synapses(std::span<const synapse_growth> add);
    std::uint64_t remove_synapses_of(std::span<const std::uint32_t> neurons);
    const consolidation_report& last_consolidation() const { return last_report_; }
    std::uint64_t consolidations() const { return consolidations_; }
    // Load the state of a snapshot whose synapse store this engine was constructed with (see
    // the constructor); called by each backend's factory once the engine is complete.
    void restore(const engine_snapshot& from);

protected:
    // Phase 1: advance every neuron and test thresholds.
    // Appends the spiking neurons to `spikes` in increasing id order; returns the number of
    // forced spikes dropped because their neuron was refractory.
    virtual std::uint64_t update_neurons(std::vector<std::uint32_t>& spikes) = 0;
    // Phase 2: push the spikes along their outgoing synapses into the delay ring at
    // step + delay. Returns the number of synaptic events. A backend may also do phase 4's
    // presynaptic work here (it reads stdp_step()).
    virtual std::uint64_t propagate(std::span<const std::uint32_t> spikes) = 0;
    // Phase 3: deliver the input due at this step (synaptic and add_external_input()), then reset
    // the neurons that spiked.
    virtual void deliver_and_reset(std::span<const std::uint32_t> spikes) = 0;
    // Phase 4 (STDP on, at least one spike): the result must equal, synapse by synapse, first
    // depression of the plastic synapses of spiking sources against the targets' post traces,
    // then potentiation of the plastic synapses of spiking targets against the sources' pre
    // traces, with this step's amplitudes (stdp_step()) and traces at this step
    // (pre_trace()/post_trace()). A backend may apply an update later (lazily) as long as every
    // weight it reports or uses is the same. Returns the number of weight updates done now.
    virtual std::uint64_t plasticity(std::span<const std::uint32_t> spikes) = 0;
    // Drop the input in transit (reset_state()).
    virtual void clear_pending() = 0;
    // Bring weights up to date before they are read (for backends that defer updates), and the
    // number of weight updates such a backend applied outside step().
    virtual void sync_weights() {}
    virtual std::uint64_t updates_outside_steps() const { return 0; }
    // Checkpoints (engine_snapshot::pending): read the input in transit into
    // out[d * n + i] (due at step_ + d, d < store_.max_delay), or replace it. A backend that
    // keeps its delay ring elsewhere (a device) must implement both; the defaults throw.
    virtual void read_pending(std::span<std::int64_t> out) const;
    virtual void write_pending(std::span<const std::int64_t> in);
    // Called after restore() replaced the state, and after consolidation compacted the
    // synapse store (weights, rows or counts changed outside step()): drop any deferred work
    // and derived copies (the cpu backend's lazy-STDP histories; a device's copy of the store).
    virtual void state_replaced() {}
    // add_synapses(): called before synapses are inserted into the rows `rows` (sorted,
    // distinct) and after the store has grown. The defaults bring every weight up to date and
    // then drop deferred work (state_replaced()); a backend may do less (the cpu backend
    // catches up the growing rows only).
    virtual void before_growth(std::span<const std::uint32_t> rows) {
        static_cast<void>(rows);
        sync_weights();
    }
    virtual void after_growth(std::span<const store_insertion> added) {
        static_cast<void>(added);
        stats_.plasticity_updates += updates_outside_steps();
        state_replaced();
    }

    // Escape-noise draws of the current group of four neurons (one Philox call per group);
    // each loop over neurons keeps its own.
    struct escape_draws {
        std::uint32_t group = 0xFFFFFFFFu;
        std::array<std::uint32_t, 4> words{};
    };
    // Phase 1 one neuron after another, in id order (the reference backend, and backends whose
    // neurons live on the host).
    std::uint64_t update_neurons_serial(std::vector<std::uint32_t>& spikes) {
        std::uint64_t dropped = 0;
        escape_draws draws;
        for (std::uint32_t i = 0; i < n_; ++i) {
            const auto r = update_one(i, consts_of(i), draws);
            if (r == kernels::update_result::spike) {
                spikes.push_back(i);
            } else if (r == kernels::update_result::forced_dropped) {
                ++dropped;
            }
        }
        return dropped;
    }
    // The per-neuron work of phase 1, shared by every host backend.
    kernels::update_result update_one(std::uint32_t i, const kernels::neuron_consts& c,
                                      escape_draws& draws) {
        std::uint32_t draw = 0;
        if (c.escape) {
            if (draws.group != (i >> 2)) {
                draws.group = i >> 2;
                draws.words = kernels::philox(
                    spec_.seed, static_cast<std::uint32_t>(kernels::rng_stream::escape), i >> 2,
                    static_cast<std::uint64_t>(step_));
            }
            draw = draws.words[i & 3u];
        }
        return kernels::update_neuron(state_.v[i], state_.i_syn[i], state_.theta[i],
                                      state_.refractory[i], state_.threshold[i], i_ext_[i],
                                      forced_[i] != 0, draw, c);
    }
    // update_one over neurons [b, e) of a population for which plain_escape(c) holds (loud,
    // escape noise, exponential synapses, no settling: the learner's outputs), with the same
    // operations in the same order on raw arrays: one Philox call per group of four, no per-neuron
    // branch on the population's kind. Spikes are appended to `out`; returns the forced spikes
    // dropped while refractory.
    static bool plain_escape(const kernels::neuron_consts& c) {
        return c.escape && !c.spike_source && !c.instantaneous && c.quiet == 0.0;
    }
    std::uint64_t update_escape_range(std::uint32_t b, std::uint32_t e,
                                      const kernels::neuron_consts& c,
                                      std::vector<std::uint32_t>& out) {
        double* const v = state_.v.data();
        double* const i_syn = state_.i_syn.data();
        std::int32_t* const refractory = state_.refractory.data();
        const double* const threshold = state_.threshold.data();
        double* const theta = state_.theta.data();
        const double* const i_ext = i_ext_.data();
        const std::uint8_t* const forced = forced_.data();
        const auto stream = static_cast<std::uint32_t>(kernels::rng_stream::escape);
        const auto step = static_cast<std::uint64_t>(step_);
        std::uint64_t dropped = 0;
        for (std::uint32_t g = b >> 2; g <= (e - 1) >> 2 && b < e; ++g) {
            const std::array<std::uint32_t, 4> draws = kernels::philox(spec_.seed, stream, g, step);
            const std::uint32_t lo = std::max(b, g << 2);
            const std::uint32_t hi = std::min(e, (g << 2) + 4);
            for (std::uint32_t i = lo; i < hi; ++i) {
                // kernels::update_neuron, term by term.
                theta[i] = theta[i] * c.decay_theta;
                std::int32_t r = refractory[i];
                if (r > 0) {
                    r = r - 1;
                    refractory[i] = r;
                }
                const double current = i_syn[i];
                i_syn[i] = current * c.decay_syn;
                if (r > 0) {
                    dropped += forced[i] != 0 ? 1u : 0u;
                    continue;
                }
                const double v_inf = c.v_rest + c.resistance * (c.bias + i_ext[i]);
                double v_new = v_inf + (v[i] - v_inf) * c.decay_m;
                v_new = v_new + c.resistance * current * c.syn_to_v;
                v[i] = v_new;
                if (forced[i] != 0 ||
                    kernels::escape_spike(v_new, threshold[i] + theta[i], draws[i & 3u], c)) {
                    refractory[i] = c.refractory_steps;
                    out.push_back(i);
                }
            }
        }
        return dropped;
    }
    // External synaptic input (poisson_input stimuli) reaching neurons [lo, hi) at the end of
    // this step, in fixed point, added to out[0 .. hi - lo). One Philox call per four neurons:
    // neuron i uses word i % 4 of the call keyed by i / 4, whatever the range.
    void add_external_input(std::uint32_t lo, std::uint32_t hi, std::int64_t* out) const {
        for (const active_input& a : active_inputs_) {
            const std::uint32_t b = std::max(lo, a.first);
            const std::uint32_t e = std::min(hi, a.end);
            std::array<std::uint32_t, 4> r{};
            for (std::uint32_t i = b; i < e; ++i) {
                if (i == b || (i & 3u) == 0) {
                    r = kernels::philox(spec_.seed, a.stream, i >> 2,
                                        static_cast<std::uint64_t>(step_));
                }
                out[i - lo] +=
                    a.amplitude * kernels::binomial_from_table(r[i & 3u], a.cdf, a.guide);
            }
        }
    }
    bool has_external_input() const { return !active_inputs_.empty(); }
    // This step's inputs from the input_fn and the stimuli (valid during update_neurons()).
    bool forced_now(std::uint32_t i) const { return forced_[i] != 0; }
    double current_now(std::uint32_t i) const { return i_ext_[i]; }
    std::span<const std::uint32_t> forced_list() const { return forced_list_; }
    std::span<const std::uint32_t> current_list() const { return current_list_; }
    bool homeostatic_population(std::size_t p) const { return homeostatic_[p] != 0; }

    // STDP of this step: amplitudes (learning rate x modulation x A+-) before the plasticity
    // class's scale, and the per-class scales and bounds.
    struct stdp_step_consts {
        double a_plus = 0.0;
        double a_minus = 0.0;
        std::vector<double> scale;                 // [class]
        std::vector<kernels::stdp_bounds> bounds;  // [class] bounds x scale
        bool nearest = false;
    };
    const stdp_step_consts& stdp_step() const { return stdp_step_; }
    bool stdp_on() const { return stdp_on_; }
    // Traces of neuron i at step s, before the increments of step s.
    double pre_trace(std::uint32_t i, std::int64_t s) const {
        const kernels::pre_state& t = state_.pre[i];
        return kernels::trace_at(s, state_.post[i].last_spike, t.pre_after, t.pre_before,
                                 pre_table_);
    }
    // Only for s after the neuron's last spike (see kernels::post_state).
    double post_trace(std::uint32_t i, std::int64_t s) const {
        const kernels::post_state& t = state_.post[i];
        return kernels::trace_at(s, t.last_spike, t.post_after, 0.0, post_table_);
    }
    std::int64_t last_spike(std::uint32_t i) const { return state_.post[i].last_spike; }
    const kernels::trace_table& pre_table() const { return pre_table_; }
    const kernels::trace_table& post_table() const { return post_table_; }
    // Which population (index into consts_) each neuron range belongs to.
    std::size_t population_count() const { return consts_.size(); }
    std::uint32_t population_begin(std::size_t p) const { return pop_begin_[p]; }
    std::uint32_t population_end(std::size_t p) const { return pop_begin_[p + 1]; }
    const kernels::neuron_consts& consts(std::size_t p) const { return consts_[p]; }
    const kernels::neuron_consts& consts_of(std::uint32_t neuron) const {
        return consts_[population_index_[neuron]];
    }

    network_spec spec_;
    engine_options options_;
    std::uint32_t n_ = 0;
    synapse_store store_;
    neuron_arrays state_;
    std::int64_t step_ = 0;
    run_stats stats_;

private:
    struct active_input {
        std::uint32_t first;
        std::uint32_t end;
        std::uint32_t stream;
        std::int64_t amplitude;      // fixed point
        const std::uint64_t* cdf;    // binomial table
        const std::uint32_t* guide;  // its guide table (256 entries)
    };

    void init_neurons();
    kernels::stdp_bounds class_bounds(double scale) const;
    void remember_pattern();
    bool consolidation_due() const;
    void export_consolidation(engine_snapshot& f) const;
    void import_consolidation(const engine_snapshot& f);
    double trace_after_step(std::uint32_t i, bool pre) const;
    void add_stimulus_unchecked(const stimulus& s);
    void gather_inputs(const input_fn& fn);
    void clear_inputs();
    double update_modulation();
    void after_spikes();  // trace increments and homeostasis
    void record();

    std::vector<kernels::neuron_consts> consts_;
    std::vector<std::uint32_t> pop_begin_;         // [populations + 1]
    std::vector<std::uint32_t> population_index_;  // [n] population of each neuron
    std::vector<std::uint8_t> homeostatic_;        // [populations]
    bool stdp_on_ = false;
    bool homeostasis_on_ = false;
    std::vector<double> pre_decay_;   // exp(-k dt / tau+), k < size
    std::vector<double> post_decay_;  // exp(-k dt / tau-)
    kernels::trace_table pre_table_;
    kernels::trace_table post_table_;
    stdp_step_consts stdp_step_;
    kernels::homeostasis_consts homeo_{};

    // Inputs of the current step (dense, cleared after use through the touched lists).
    std::vector<std::uint8_t> forced_;
    std::vector<double> i_ext_;
    std::vector<std::uint32_t> forced_list_;
    std::vector<std::uint32_t> current_list_;
    // Every stimulus ever added (its index is its random stream, and checkpoints keep them
    // all); only the live ones (not yet ended, in index order) are looked at each step, and an
    // ended one's tables are freed, so a program that adds a stimulus per token does not slow
    // down as it runs.
    std::vector<stimulus> stimuli_;
    std::vector<std::pair<std::int64_t, std::int64_t>> stimulus_steps_;  // [stimulus] [start, stop)
    std::vector<std::uint32_t> live_stimuli_;
    std::vector<std::vector<std::uint64_t>>
        input_cdf_;  // [stimulus] binomial table (poisson_input)
    std::vector<std::vector<std::uint32_t>> input_guide_;  // [stimulus] its guide table
    std::vector<active_input> active_inputs_;
    std::vector<std::pair<std::int64_t, std::uint32_t>> input_spikes_;  // (step, neuron), sorted
    std::size_t next_input_ = 0;
    input_sink sink_;

    // Neuromodulation.
    std::vector<std::vector<std::uint32_t>> history_;  // ring of past spike sets
    std::size_t history_next_ = 0;
    std::size_t history_size_ = 0;
    double surprise_ = 0.0;
    double external_m_ = 1.0;  // neuromodulation kind external
    double reward_ = 0.0;
    double modulation_ = 1.0;

    // Consolidation: the replay buffer (oldest first) and the schedule's state.
    std::vector<std::vector<std::uint32_t>> replay_;
    std::vector<std::int64_t> replay_step_;
    std::int64_t last_consolidation_step_ = 0;
    std::uint64_t spikes_since_consolidation_ = 0;
    std::uint64_t consolidations_ = 0;
    bool in_consolidation_ = false;
    double plasticity_factor_ = 1.0;  // replay_plasticity while replaying
    consolidation_report last_report_;

    std::vector<std::uint32_t> spikes_;
    std::vector<spike_event> recorded_spikes_;
    std::vector<store_insertion> growth_;  // add_synapses() scratch
    std::vector<state_sample> samples_;
    std::vector<std::uint64_t> pop_counts_;
};

}  // namespace hebllm::detail
