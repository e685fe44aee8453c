// SPDX-License-Identifier: MIT
#pragma once
// What a network *does*: the Engine interface shared by every backend.
//
// Determinism: for the same network_spec (seed included) every backend and every thread
// count produces bit-identical spike trains, weights and neuron state
// (docs/determinism.md). The step order is fixed and documented in docs/step-order.md.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <hebllm/engine_state.hpp>
#include <hebllm/network.hpp>

namespace hebllm {

// A spike: neuron id and the step in which it crossed threshold (time = step * dt).
struct spike_event {
    std::uint32_t neuron = 0;
    std::int64_t step = 0;
    friend bool operator==(const spike_event&, const spike_event&) = default;
};

// Inputs a per-step callback may add (the equivalent of the original input_fn(t)).
class input_sink {
public:
    // Force neuron to spike in this step (dropped if it is a refractory LIF neuron).
    void spike(std::uint32_t neuron) { spikes_.push_back(neuron); }
    // Add a constant current (mV, as R*I) to neuron during this step.
    void current(std::uint32_t neuron, double amplitude) {
        currents_.push_back({neuron, amplitude});
    }
    struct current_entry {
        std::uint32_t neuron;
        double amplitude;
    };
    std::vector<std::uint32_t>& spikes() { return spikes_; }
    std::vector<current_entry>& currents() { return currents_; }
    void clear() {
        spikes_.clear();
        currents_.clear();
    }

private:
    std::vector<std::uint32_t> spikes_;
    std::vector<current_entry> currents_;
};

using input_fn = std::function<void(std::int64_t step, double t_ms, input_sink& in)>;

// A copy of every neuron's state (for tests, recording and export).
struct neuron_state {
    std::vector<double> v;           // membrane potential (mV)
    std::vector<double> i_syn;       // synaptic current (mV, as R*I); 0 for instantaneous synapses
    std::vector<double> threshold;   // homeostatic threshold (mV)
    std::vector<double> theta;       // spike-triggered threshold adaptation (mV)
    std::vector<double> trace_pre;   // STDP presynaptic trace
    std::vector<double> trace_post;  // STDP postsynaptic trace
    std::vector<double> rate_hz;     // homeostasis rate estimate
    std::vector<std::int32_t> refractory_steps;  // steps of refractoriness left
};

// One synapse as seen from outside: signed weight, delay in steps.
struct synapse_view {
    std::uint32_t pre = 0;
    std::uint32_t post = 0;
    std::uint32_t delay_steps = 0;
    float weight = 0.0f;
};

// A sampled value of one neuron's state.
struct state_sample {
    std::int64_t step = 0;
    std::uint32_t neuron = 0;
    double v = 0.0;
    double threshold = 0.0;  // effective: homeostatic threshold + theta
    double trace_pre = 0.0;
    double trace_post = 0.0;
};

struct recording_options {
    bool spikes = true;                         // keep every spike_event
    std::vector<std::uint32_t> sample_neurons;  // neurons whose state is sampled
    std::uint32_t sample_every = 1;             // sampling interval in steps
};

struct engine_options {
    int threads = 0;  // cpu backend: 0 = OpenMP's default
    recording_options recording;
    // cpu backend: below these sizes a phase runs on one thread (waking a team costs more than
    // the work). Results never depend on them; 0 makes every phase parallel (the equivalence
    // tests use that to reach every parallel path with small networks).
    std::uint32_t parallel_neurons = 8192;  // neuron update, delivery and flushes
    std::uint64_t parallel_events = 32768;  // synaptic events of one step's propagation
    // The most synapses the engine may hold once synapses are added while running
    // (engine::add_synapses); 0: no limit beyond the 2^32 of the store.
    std::uint64_t max_synapses = 0;
};

// A synapse to add to a running network (engine::add_synapses).
struct synapse_growth {
    std::uint32_t pre = 0;
    std::uint32_t post = 0;
    float weight = 0.0f;            // magnitude: the source neuron's sign applies (Dale's law)
    std::uint32_t delay_steps = 1;  // in [1, the network's largest delay]: rings keep their size
    double stdp_scale = 0.0;        // 0: static; otherwise plastic with this STDP scale
};

// What engine::add_synapses did.
struct growth_report {
    std::uint64_t added = 0;     // new synapses
    std::uint64_t existing = 0;  // asked for but already there (same pre, post, delay, class)
};

// Counters of the work done since the engine was made.
struct run_stats {
    std::int64_t steps = 0;
    std::uint64_t spikes = 0;
    std::uint64_t synaptic_events = 0;  // spikes x outgoing synapses delivered
    // Synapse weight updates by STDP applied so far (a pairing whose amplitude is 0, e.g. with
    // the neuromodulator at 0, changes nothing and is not counted). The cpu backend applies
    // potentiation lazily: updates still pending are counted once weights are read (synapses(),
    // reset_state()); the total then equals the reference backend's.
    std::uint64_t plasticity_updates = 0;
    std::uint64_t forced_spikes_dropped = 0;  // forced spikes that hit refractory neurons
    double wall_s = 0.0;                      // wall time spent in step()
};

// What one consolidation did (engine::consolidate(), docs/model.md "Consolidation").
struct consolidation_report {
    std::int64_t step = 0;  // the step at which it ended
    std::uint32_t patterns_replayed = 0;
    std::int64_t replayed_steps = 0;  // simulated steps spent replaying (counted in stats())
    std::uint64_t strengthened = 0;   // plastic synapses made stronger
    std::uint64_t pruned = 0;         // synapses removed
    std::uint64_t synapses_before = 0;
    std::uint64_t synapses_after = 0;
    std::uint64_t bytes_before = 0;  // synapse_bytes()
    std::uint64_t bytes_after = 0;
    std::uint64_t bytes_freed() const { return bytes_before - bytes_after; }
};

namespace detail {
class engine_base;
}

class engine final {
public:
    // Made by make_engine(): the backend behind it is private (src/core/engine_base.hpp; the
    // extension point for a new backend is the step's phases there, not this API).
    explicit engine(std::unique_ptr<detail::engine_base> impl);
    ~engine();
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    std::string_view backend() const;
    const network_spec& spec() const;
    std::uint32_t neuron_count() const;
    std::uint64_t synapse_count() const;
    std::int64_t current_step() const;
    double time_ms() const { return static_cast<double>(current_step()) * spec().dt_ms; }

    // Advance one step / run for duration_ms (rounded to whole steps).
    void step(const input_fn& fn = {});
    void run(double duration_ms, const input_fn& fn = {});

    // Spikes of the last step, sorted by neuron id.
    std::span<const std::uint32_t> last_spikes() const;

    // Inputs added while running (same semantics as network_spec::stimuli/input_spikes).
    void add_stimulus(const stimulus& s);
    // Drive the neurons of `token` in population `population_name` (default: the first sensory
    // population) with forced Poisson spikes at rate_hz for duration_ms, starting now.
    void stimulate_token(std::uint32_t token, double duration_ms, double rate_hz = 1000.0,
                         const std::string& population_name = "");

    // Neuromodulation inputs (decay every step); modulation() is the m used in the last step.
    void set_surprise(double value);
    void set_reward(double value);
    // The modulator itself, for neuromodulation kind `external` (a model_error otherwise);
    // used from the next step on until changed.
    void set_modulation(double value);
    double modulation() const;

    // Put every neuron back into its initial state (v, synaptic current, adaptation, traces,
    // refractoriness) and drop input still in transit; weights, homeostatic thresholds, the
    // neuromodulator and the step counter are kept (the original network's reset()).
    void reset_state();
    // Zero the counters of stats() and the recordings (e.g. after a warm-up).
    void reset_stats();

    const std::vector<spike_event>& spikes() const;    // recorded spikes
    const std::vector<state_sample>& samples() const;  // recorded samples
    std::vector<std::uint64_t> population_spike_counts() const;
    void clear_recording();

    neuron_state state() const;
    // Cheap reads of one state variable of neurons [first, first + out.size()) after the last
    // step, for readouts that run every step (state() copies everything). Throws model_error
    // if the range is out of bounds.
    void read_potentials(std::uint32_t first, std::span<double> out) const;
    void read_synaptic_currents(std::uint32_t first, std::span<double> out) const;
    // Every synapse, sorted by (pre, post). Not const: a backend that defers weight updates
    // (the cpu backend's lazy STDP, a device's copy) brings the weights up to date first, which
    // changes no result but writes the engine's memory (so no concurrent calls on one engine).
    std::vector<synapse_view> synapses();
    run_stats stats() const;  // a copy: safe to call from several threads at once
    // Bytes held by the synapse store (excluding recordings).
    std::uint64_t synapse_bytes() const;

    // Sleep consolidation now (needs [consolidation] enabled): replay the buffered input
    // patterns at reduced plasticity, strengthen the strongest plastic synapses, prune the weak
    // ones (the synapse store shrinks). Runs by itself on the spec's schedule inside step().
    // Same result on every backend and thread count.
    consolidation_report consolidate();
    // The last consolidation, scheduled or not (all zero before the first), and how many ran.
    const consolidation_report& last_consolidation() const;
    std::uint64_t consolidations() const;

    // Structural plasticity: add synapses between steps (they carry spikes and learn from the
    // next step on; spikes already in transit are unaffected). A synapse whose pre, post,
    // delay and plasticity class already exist is not added twice (counted as existing).
    // Same result on every backend and thread count; kept by snapshot() and checkpoints.
    // Throws model_error for an invalid synapse (ids, delay, weight, plastic without [stdp])
    // and capacity_error past engine_options::max_synapses, in both cases changing nothing.
    growth_report add_synapses(std::span<const synapse_growth> add);
    // Remove every synapse from or to the given neurons (structural plasticity: a neuron
    // detached from the network, e.g. a conjunction unit reclaimed in sleep). Weights are
    // brought up to date first; spikes already in transit still arrive. Same result on every
    // backend and thread count. Throws model_error for an id outside the network, changing
    // nothing. Returns the number of synapses removed.
    std::uint64_t remove_synapses_of(std::span<const std::uint32_t> neurons);

    // Everything needed to continue exactly (engine_state.hpp; weights brought up to date
    // first, which changes no result but, like synapses(), writes the engine: not const).
    // record_spikes: include the recorded spikes.
    engine_snapshot snapshot(bool record_spikes = true);

private:
    std::unique_ptr<detail::engine_base> impl_;
};

// Names of the backends compiled into this build ("reference", "cpu", ...).
std::vector<std::string> available_backends();
// Make an engine. backend: "auto" (cpu; cuda once verified on a device), "reference", "cpu" or
// "cuda" (built with HEBLLM_CUDA; refused without a device of compute capability >= 8.0).
// Validates spec and refuses, before allocating, a network that does not fit in memory.
std::unique_ptr<engine> make_engine(const network_spec& spec, std::string_view backend = "auto",
                                    const engine_options& options = {});
// Continue from a snapshot on any backend: the result of the next steps is the same as if the
// engine that took the snapshot had gone on. Throws model_error if the snapshot is inconsistent.
std::unique_ptr<engine> make_engine(const engine_snapshot& from, std::string_view backend = "auto",
                                    const engine_options& options = {});

}  // namespace hebllm
