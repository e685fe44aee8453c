// SPDX-License-Identifier: MIT
#pragma once
// Everything an engine needs to continue exactly where another one stopped: engine::snapshot()
// fills it, make_engine(const engine_snapshot&, ...) continues from it on any backend, and
// hebllm::save_checkpoint / load_checkpoint (checkpoint.hpp) put it in a file
// (docs/formats.md "Checkpoints").
//
// Random numbers are counter-based (Philox keyed by seed, stream, id and step), so the seed in
// `spec` and the step counter are the whole random-number state: nothing else is stored.

#include <cstdint>
#include <vector>

#include <hebllm/network.hpp>

namespace hebllm {

// Engine-held counters and recordings (engine.hpp has the full run_stats).
struct engine_snapshot {
    network_spec spec;      // the engine's spec (seed, explicit synapses and stimuli included)
    std::int64_t step = 0;  // the next step to run

    // Synapse store, CSR by source (docs/dev/synapse-store.md), weights brought up to date.
    std::vector<std::uint64_t> row_begin;       // [n + 1]
    std::vector<std::uint32_t> segment_begin;   // [n + 1]
    std::vector<std::uint64_t> segment_end;     // [segments]
    std::vector<std::uint8_t> segment_delay;    // [segments] steps >= 1
    std::vector<std::uint8_t> segment_plastic;  // [segments] 0 static, c >= 1 class
    std::vector<std::uint32_t> target;          // [S]
    std::vector<float> weight;                  // [S] magnitude
    std::vector<std::uint8_t> negative;         // [n] 1: inhibitory source
    std::vector<double> stdp_scale;             // [classes]
    std::uint32_t max_delay = 1;                // steps; sets the delay-ring size

    // Neuron state (global ids). Traces in the engine's closed form (kernels::post_state).
    std::vector<double> v, i_syn, threshold, theta, rate_hz;
    std::vector<double> pre_after, pre_before, post_after;
    std::vector<double> pre_spikes;  // spikes counted by metaplasticity (all 0 without it)
    std::vector<std::int64_t> last_spike, prev_spike;
    std::vector<std::int32_t> refractory;

    // Input in transit: pending[d * n + i], 64-bit fixed point (2^-32 mV), due at the end of
    // step `step + d`, d in [0, max_delay).
    std::vector<std::int64_t> pending;

    // Inputs: every stimulus (the spec's first, then those added while running; its index is
    // its random stream) and the explicit input spikes not yet given, as (step, neuron).
    std::vector<stimulus> stimuli;
    std::vector<std::int64_t> input_spike_step;
    std::vector<std::uint32_t> input_spike_neuron;

    // Neuromodulation: the ring of past spike sets (slot k: ids history_ids[history_begin[k] ..
    // history_begin[k + 1])), its cursor and fill, and the modulator's inputs.
    std::vector<std::uint64_t> history_begin;  // [history + 1]
    std::vector<std::uint32_t> history_ids;
    std::uint64_t history_next = 0;
    std::uint64_t history_size = 0;
    double surprise = 0.0;
    double reward = 0.0;
    double external_m = 1.0;
    double modulation = 1.0;

    // Consolidation (docs/model.md "Consolidation"): the replay buffer (pattern k: forced
    // neurons replay_ids[replay_begin[k] .. replay_begin[k + 1]) given at replay_step[k]) and
    // the schedule's state.
    std::vector<std::uint64_t> replay_begin;  // [patterns + 1]
    std::vector<std::uint32_t> replay_ids;
    std::vector<std::int64_t> replay_step;
    std::int64_t last_consolidation_step = 0;
    std::uint64_t spikes_since_consolidation = 0;
    std::uint64_t consolidations = 0;

    // Counters (engine::stats(), wall time included) and recordings.
    std::int64_t stats_steps = 0;
    std::uint64_t stats_spikes = 0;
    std::uint64_t stats_synaptic_events = 0;
    std::uint64_t stats_plasticity_updates = 0;
    std::uint64_t stats_forced_spikes_dropped = 0;
    double stats_wall_s = 0.0;
    std::vector<std::uint64_t> population_spike_counts;
    bool has_recorded_spikes = false;  // false: recorded spikes were not kept
    std::vector<std::uint32_t> recorded_neuron;
    std::vector<std::int64_t> recorded_step;
};

}  // namespace hebllm
