// SPDX-License-Identifier: MIT
#pragma once
// The part of every engine that does not depend on the backend: inputs, neuromodulation,
// recording, statistics, and the fixed step order (docs/step-order.md). A backend implements
// the four phases; each is one virtual call per step, never per neuron.

#include <cstdint>
#include <span>
#include <vector>

#include <hebllm/engine.hpp>

#include "core/synapse_store.hpp"
#include "core/kernels/neuron.hpp"
#include "core/kernels/plasticity.hpp"

namespace hebllm::detail {

// Neuron state, structure of arrays over all neurons (global ids).
struct neuron_arrays {
    std::vector<double> v;                 // mV
    std::vector<double> i_syn;             // synaptic current (mV as R*I)
    std::vector<double> threshold;         // mV, moved by homeostasis
    std::vector<double> theta;             // mV, spike-triggered adaptation
    std::vector<double> trace_pre;         // STDP presynaptic trace (dimensionless)
    std::vector<double> trace_post;        // STDP postsynaptic trace
    std::vector<double> rate_hz;           // homeostasis rate estimate
    std::vector<std::int32_t> refractory;  // refractory steps left
};

class engine_base : public engine {
public:
    engine_base(const network_spec& spec, const engine_options& options);

    const network_spec& spec() const override { return spec_; }
    std::uint32_t neuron_count() const override { return n_; }
    std::uint64_t synapse_count() const override { return store_.size(); }
    std::int64_t current_step() const override { return step_; }
    void step(const input_fn& fn) override;
    std::span<const std::uint32_t> last_spikes() const override { return spikes_; }
    void add_stimulus(const stimulus& s) override;
    void set_surprise(double value) override { surprise_ = value; }
    void set_reward(double value) override { reward_ = value; }
    double modulation() const override { return modulation_; }
    const std::vector<spike_event>& spikes() const override { return recorded_spikes_; }
    const std::vector<state_sample>& samples() const override { return samples_; }
    std::vector<std::uint64_t> population_spike_counts() const override { return pop_counts_; }
    void clear_recording() override;
    neuron_state state() const override;
    std::vector<synapse_view> synapses() const override;
    const run_stats& stats() const override { return stats_; }
    std::uint64_t synapse_bytes() const override { return store_.bytes(); }

protected:
    // Phase 1: advance every neuron (traces decayed first when STDP is on) and test thresholds.
    // Appends the spiking neurons to `spikes` in increasing id order; returns the number of
    // forced spikes dropped because their neuron was refractory.
    virtual std::uint64_t update_neurons(std::vector<std::uint32_t>& spikes) = 0;
    // Phase 2: push the spikes along their outgoing synapses into the delay ring at
    // step + delay. Returns the number of synaptic events.
    virtual std::uint64_t propagate(std::span<const std::uint32_t> spikes) = 0;
    // Phase 3: deliver the input due at this step, then reset the neurons that spiked.
    virtual void deliver_and_reset(std::span<const std::uint32_t> spikes) = 0;
    // Phase 4: STDP on the plastic synapses of the spiking neurons (pre: depression, then
    // post: potentiation). Returns the number of weight updates.
    virtual std::uint64_t plasticity(std::span<const std::uint32_t> spikes,
                                     const kernels::stdp_consts& c) = 0;

    // The per-neuron work of phase 1, shared by every host backend.
    kernels::update_result update_one(std::uint32_t i, const kernels::neuron_consts& c) {
        if (stdp_on_) {
            state_.trace_pre[i] = state_.trace_pre[i] * decay_pre_;
            state_.trace_post[i] = state_.trace_post[i] * decay_post_;
        }
        return kernels::update_neuron(state_.v[i], state_.i_syn[i], state_.theta[i],
                                      state_.refractory[i], state_.threshold[i], i_ext_[i],
                                      forced_[i] != 0, c);
    }
    // Which population (index into consts_) each neuron range belongs to.
    std::size_t population_count() const { return consts_.size(); }
    std::uint32_t population_begin(std::size_t p) const { return pop_begin_[p]; }
    std::uint32_t population_end(std::size_t p) const { return pop_begin_[p + 1]; }
    const kernels::neuron_consts& consts(std::size_t p) const { return consts_[p]; }
    const kernels::neuron_consts& consts_of(std::uint32_t neuron) const;

    network_spec spec_;
    engine_options options_;
    std::uint32_t n_ = 0;
    synapse_store store_;
    neuron_arrays state_;
    std::int64_t step_ = 0;

private:
    void gather_inputs(const input_fn& fn);
    void clear_inputs();
    double update_modulation();
    void after_spikes();  // trace increments and homeostasis
    void record();

    std::vector<kernels::neuron_consts> consts_;
    std::vector<std::uint32_t> pop_begin_;   // [populations + 1]
    std::vector<std::uint8_t> homeostatic_;  // [populations]
    bool stdp_on_ = false;
    bool homeostasis_on_ = false;
    double decay_pre_ = 1.0;
    double decay_post_ = 1.0;
    kernels::homeostasis_consts homeo_{};

    // Inputs of the current step (dense, cleared after use through the touched lists).
    std::vector<std::uint8_t> forced_;
    std::vector<double> i_ext_;
    std::vector<std::uint32_t> forced_list_;
    std::vector<std::uint32_t> current_list_;
    std::vector<stimulus> stimuli_;
    std::vector<std::pair<std::int64_t, std::uint32_t>> input_spikes_;  // (step, neuron), sorted
    std::size_t next_input_ = 0;
    input_sink sink_;

    // Neuromodulation.
    std::vector<std::vector<std::uint32_t>> history_;  // ring of past spike sets
    std::size_t history_next_ = 0;
    std::size_t history_size_ = 0;
    double surprise_ = 0.0;
    double reward_ = 0.0;
    double modulation_ = 1.0;

    std::vector<std::uint32_t> spikes_;
    std::vector<spike_event> recorded_spikes_;
    std::vector<state_sample> samples_;
    std::vector<std::uint64_t> pop_counts_;
    run_stats stats_;
};

}  // namespace hebllm::detail
