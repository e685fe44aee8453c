// SPDX-License-Identifier: MIT
#pragma once
// What a network *is*: populations, neuron parameters, connectivity rules, plasticity rules
// and inputs. Plain data; network_spec::validate() checks every rule and names the offending
// object. The equations behind each field are in docs/model.md; the defaults and where each
// comes from (the original HebLLM system, ORIGINAL.md §1.1) are listed there too.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hebllm {

enum class population_kind : std::uint8_t { sensory, associative, inhibitory, output, other };

// lif: leaky integrate-and-fire. spike_source: no dynamics, spikes only when an input forces it
// (the equivalent of Brian2's SpikeGeneratorGroup).
enum class neuron_model_kind : std::uint8_t { lif, spike_source };

// Parameters of one population's neurons. Voltages in mV (the original model is dimensionless;
// its thresholds 0.5 ... 0.8 are read as mV), times in ms, currents in mV (R*I).
struct lif_params {
    double tau_m_ms = 20.0;      // membrane time constant
    double v_rest = 0.0;         // resting potential
    double v_reset = 0.0;        // potential after a spike
    double v_threshold = 0.5;    // initial threshold (homeostasis may move it)
    double refractory_ms = 2.0;  // absolute refractory period; rounded to whole steps
    double tau_syn_ms =
        0.0;  // 0: instantaneous synapses (weight jumps v); > 0: exponential current
    double resistance = 1.0;       // R in dv/dt = (-(v - v_rest) + R*I) / tau_m
    double bias_current = 0.0;     // constant I added to the synaptic current
    double v_init_min = 0.0;       // initial v drawn uniformly in [v_init_min, v_init_max]
    double v_init_max = 0.0;       // (equal bounds: a constant initial value)
    double adapt_increment = 0.0;  // spike-triggered threshold increase theta += increment
    double adapt_tau_ms = 500.0;   // decay time constant of theta
    // Escape noise (docs/model.md "Escape noise"): 0 = the deterministic threshold test; > 0 =
    // a stochastic threshold, spiking in a step with probability
    // 1 - exp(-escape_rate_hz * dt * exp((v - threshold) / escape_width)).
    double escape_width = 0.0;       // mV
    double escape_rate_hz = 1000.0;  // hazard at v = threshold
    // Settling (docs/model.md "Neuron"): 0 = off; > 0: once |I_syn| and then |v - v_inf| fall
    // below it (mV), they are set to 0 and v_inf exactly, so that a neuron left alone comes to
    // rest in a few steps instead of decaying through subnormal numbers for hundreds (the cpu
    // backend then skips it until input arrives).
    double quiet_below = 0.0;
    bool homeostasis = false;  // threshold of these neurons follows the homeostasis rule
};

struct population {
    std::string name;
    population_kind kind = population_kind::other;
    neuron_model_kind model = neuron_model_kind::lif;
    std::uint32_t size = 0;
    bool inhibitory =
        false;  // Dale's law: every outgoing weight of an inhibitory neuron is negative
    lif_params lif;
    // Neurons of token t are [t * neurons_per_token, (t + 1) * neurons_per_token) within the
    // population (used for sensory and output populations; at least 1).
    std::uint32_t neurons_per_token = 1;
};

// Default neuron parameters of the original system's four populations (ORIGINAL.md §1.1).
lif_params default_lif_params(population_kind kind);

enum class weight_dist_kind : std::uint8_t { constant, uniform, normal, lognormal };

// Weight magnitude distribution of a projection; the sign comes from the source population.
// constant: a; uniform: [a, b); normal: mean a, sd b; lognormal: exp(N(a, b)).
// Every draw is multiplied by scale and then clipped to [clip_min, clip_max].
struct weight_dist {
    weight_dist_kind kind = weight_dist_kind::constant;
    double a = 0.1;
    double b = 0.0;
    double scale = 1.0;
    double clip_min = 0.0;
    double clip_max = 1e30;
};

enum class connect_rule_kind : std::uint8_t {
    bernoulli,        // each (source, target) pair independently with probability density
    fixed_outdegree,  // every source neuron has exactly outdegree distinct targets
};

// A random projection from one population to another.
struct projection {
    std::string source;
    std::string target;  // a population, or a '+'-joined union such as "E+I" (in that order)
    connect_rule_kind rule = connect_rule_kind::bernoulli;
    double density = 0.1;         // bernoulli
    std::uint32_t outdegree = 0;  // fixed_outdegree
    bool autapses = false;        // allow i -> i when source == target
    weight_dist weight;
    double delay_min_ms = 1.0;  // integer delays in steps, uniform in
    double delay_max_ms = 1.0;  // [round(min/dt), round(max/dt)], each at least 1
    bool plastic = false;       // STDP acts on this projection
    // STDP amplitudes and weight bounds of this projection's synapses are those of [stdp]
    // multiplied by stdp_scale (> 0), so pathways with weights of different size learn at the
    // same relative rate. Explicit plastic synapses use 1. A negative scale makes the pathway
    // anti-Hebbian (amplitudes times scale, bounds times |scale|): e.g. plastic inhibition that
    // weakens where the excitatory pathway beside it strengthens.
    double stdp_scale = 1.0;
};

// One synapse given explicitly (imported from synapses.csv). weight is signed: its sign must
// agree with the source population's Dale sign.
struct synapse_entry {
    std::uint32_t pre = 0;
    std::uint32_t post = 0;
    double weight = 0.0;
    double delay_ms = 1.0;
    bool plastic = false;
};

enum class stdp_kind : std::uint8_t { additive, multiplicative };
enum class stdp_pairing_kind : std::uint8_t { all_to_all, nearest };

// Pair-based STDP with per-neuron exponential traces (docs/model.md "STDP").
// Defaults: JAXHebSNN's A+ 0.05, A- 0.02, tau 20 ms, bounds [0, 1] (ORIGINAL.md §3.3).
struct stdp_params {
    bool enabled = false;
    stdp_kind kind = stdp_kind::additive;
    stdp_pairing_kind pairing = stdp_pairing_kind::all_to_all;
    double a_plus = 0.05;
    double a_minus = 0.02;
    double tau_plus_ms = 20.0;
    double tau_minus_ms = 20.0;
    double w_min = 0.0;  // bounds on the weight magnitude
    double w_max = 1.0;
    double learning_rate = 1.0;  // multiplies both amplitudes (and the neuromodulator)
    // Presynaptic metaplasticity (docs/model.md "Metaplasticity"): a neuron's n-th spike adds
    // (1 + (n - 1) / metaplasticity_spikes)^-metaplasticity_power to its presynaptic trace
    // instead of 1, so synapses from neurons that have fired often learn more slowly (a
    // per-input learning-rate decay). metaplasticity_spikes 0: off (every spike adds 1).
    double metaplasticity_spikes = 0.0;
    double metaplasticity_power = 0.5;
};

// Homeostatic thresholds: each neuron's threshold moves toward a target firing rate
// (the intrinsic plasticity of the original plan, ORIGINAL.md §1.7).
struct homeostasis_params {
    bool enabled = false;
    double target_rate_hz = 5.0;
    double tau_rate_ms = 1000.0;  // time constant of each neuron's rate estimate
    double eta = 0.001;           // threshold change per second per Hz of rate error
    double threshold_min = -1e30;
    double threshold_max = 1e30;
};

enum class neuromodulation_kind : std::uint8_t {
    constant,  // m = baseline
    novelty,   // the original NeuromodulationSystem (ORIGINAL.md §3.7)
    // m = the value last given to engine::set_modulation (initially baseline), held from step
    // to step, neither clipped nor decayed; a negative m turns STDP around (anti-Hebbian).
    // For trainers that compute their own three-factor signal (e.g. a prediction error).
    external,
};

// A global neuromodulator m that multiplies the learning rates (three-factor learning).
// novelty: m = clip(baseline + w_novelty*n + w_surprise*s + w_reward*r, m_min, m_max), with
// n = 1 - mean Jaccard similarity of this step's spike set with the last `compare` of the
// `history` previous steps (0.5 while fewer than 5 are stored), s and r set through the engine
// and decayed every step.
struct neuromodulation_params {
    bool enabled = false;
    neuromodulation_kind kind = neuromodulation_kind::novelty;
    double baseline = 1.5;
    double w_novelty = 8.0;
    double w_surprise = 3.0;
    double w_reward = 2.0;
    double decay_surprise = 0.9;  // per step
    double decay_reward = 0.8;    // per step
    std::uint32_t history = 100;
    std::uint32_t compare = 10;
    double m_min = 0.1;
    double m_max = 5.0;
};

// When consolidation runs by itself (engine::consolidate() may be called at any time).
enum class consolidation_schedule_kind : std::uint8_t {
    on_demand,  // only when engine::consolidate() is called
    interval,   // every interval_ms of simulated time
    activity,   // when the spikes since the last consolidation reach activity_spikes
};

// Sleep consolidation (docs/model.md "Consolidation"): the engine keeps the last
// `replay_buffer` input patterns (the distinct sets of forced spikes given to it: token
// stimulations, input spikes, callbacks); a consolidation replays each for `replay_steps` steps
// with STDP scaled by `replay_plasticity`, multiplies the strongest `strengthen_fraction` of
// plastic weights by `strengthen_factor` (clipped to the class's upper bound), then removes
// every plastic synapse whose weight magnitude is below `prune_below`, compacting the synapse
// store.
struct consolidation_params {
    bool enabled = false;
    consolidation_schedule_kind schedule = consolidation_schedule_kind::on_demand;
    double interval_ms = 10000.0;            // schedule interval: simulated time between two
    std::uint32_t activity_spikes = 100000;  // schedule activity: spikes between two
    std::uint32_t replay_buffer = 16;        // patterns kept (0: no replay)
    std::uint32_t replay_steps = 20;   // steps each pattern is replayed for (forced in the first)
    double replay_plasticity = 0.2;    // STDP learning-rate factor during replay, >= 0
    double strengthen_fraction = 0.0;  // in [0, 1]
    double strengthen_factor = 1.0;    // >= 1
    double prune_below = 0.0;          // weight magnitude; 0: no pruning
};

enum class stimulus_kind : std::uint8_t {
    poisson,  // forced spikes, each step with probability rate_hz * dt (rate >= 1/dt: every step)
    current,  // constant current (mV, as R*I) added during the window
    // Brian2's PoissonInput: each step every neuron receives amplitude x Binomial(sources,
    // rate_hz * dt) as synaptic input (delivered like a spike's weight, at the end of the step).
    poisson_input,
};

// Drive applied to neurons [first, first + count) for t in [t_start_ms, t_stop_ms).
// Forced spikes on a refractory LIF neuron are dropped (docs/model.md "Inputs").
struct stimulus {
    stimulus_kind kind = stimulus_kind::poisson;
    std::uint32_t first = 0;
    std::uint32_t count = 0;
    double t_start_ms = 0.0;
    double t_stop_ms = 0.0;
    double rate_hz = 0.0;
    double amplitude = 0.0;
    std::uint32_t sources = 0;  // poisson_input: independent Poisson sources per neuron
};

// An explicit input spike: neuron is forced to spike at time_ms (rounded to the step).
struct input_spike {
    std::uint32_t neuron = 0;
    double time_ms = 0.0;
};

// A complete network description. Populations are laid out in declaration order: the global
// id of neuron k of population p is offset(p) + k.
struct network_spec {
    double dt_ms = 1.0;
    double duration_ms = 100.0;  // default run length for `hebllm simulate`
    std::uint64_t seed = 42;
    std::vector<population> populations;
    std::vector<projection> projections;
    std::vector<synapse_entry> synapses;  // explicit synapses, added after the projections
    stdp_params stdp;
    homeostasis_params homeostasis;
    neuromodulation_params neuromodulation;
    consolidation_params consolidation;
    std::vector<stimulus> stimuli;
    std::vector<input_spike> input_spikes;

    // Checks every rule; throws model_error naming the object, the value and the rule.
    void validate() const;

    std::uint32_t neuron_count() const;
    // Global id of the first neuron of a population; throws model_error for an unknown name.
    std::uint32_t offset(const std::string& population_name) const;
    const population& find(const std::string& population_name) const;
    // Index of the population holding a global neuron id.
    std::size_t population_of(std::uint32_t neuron) const;
};

// The original JAXHebSNN(n_sensory, n_associative, n_inhibitory, n_output,
// connectivity_density) as a hebllm network: four populations with the original parameters,
// random connectivity of the given density between populations, integer delays of 1-5 ms,
// Dale's law, and hebllm's stabilising defaults (docs/model.md "The HebSNN network").
network_spec make_hebsnn(std::uint32_t n_sensory, std::uint32_t n_associative,
                         std::uint32_t n_inhibitory, std::uint32_t n_output,
                         double connectivity_density = 0.1, std::uint64_t seed = 42);

const char* to_string(population_kind kind);
const char* to_string(neuron_model_kind kind);
const char* to_string(weight_dist_kind kind);
const char* to_string(connect_rule_kind kind);
const char* to_string(stdp_kind kind);
const char* to_string(stdp_pairing_kind kind);
const char* to_string(neuromodulation_kind kind);
const char* to_string(stimulus_kind kind);
const char* to_string(consolidation_schedule_kind kind);

}  // namespace hebllm
