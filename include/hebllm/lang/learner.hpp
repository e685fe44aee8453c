// SPDX-License-Identifier: MIT
#pragma once
// The spiking next-token learner: a hebllm network that reads text one token at a time, learns
// online with local plasticity only, and predicts the next token from its output neurons
// (docs/language.md "The network learner").
//
// Populations (all sizes per vocabulary token):
//   sensory   spike sources; token t forces its sensory_per_token neurons to spike every step
//             of the presentation (the first present_steps steps of a token's window)
//   context   LIF neurons fed one-to-one by the sensory neurons through a delay line of one
//             window: they replay the previous token while the current one is presented
//   bias      one spike source that fires with every presentation (the learner's prior)
//   output    output_per_token LIF neurons per token, exponential synapses, escape noise
//             (a stochastic threshold); the readout
//   units2, units2_delayed, units3 (not per token; conjunction_order 2 and 3): coincidence
//             detectors recruited on novelty, one per (t-1, t) and (t-2, t-1, t) context
//             seen; an order-3 unit listens to the order-2 unit of (t-1, t) and to the
//             units2_delayed neuron replaying the order-2 unit of (t-2, t-1) one window later
// With grow_outputs (the default) every source grows plastic synapses (weight 0) to the
// outputs of the tokens that follow it; without, sensory, context and bias neurons are wired
// to every output from the start. Optionally each of the three has an inhibitory twin with
// anti-Hebbian plastic synapses (negative stdp_scale), so that a token can also suppress an
// output. docs/learner.md describes the network and what is bookkeeping outside it.
//
// Learning is contrastive three-factor STDP with the neuromodulator set by the learner
// (neuromodulation kind `external`): while a token is presented the output neurons fire from
// what the network predicts and m = m_free < 0, so pre-before-post pairings weaken the
// synapses that drove them; after the prediction window closes the next token's output
// neurons are forced to spike once (the teacher) with m = m_teach > 0, which strengthens the
// synapses from what was just presented. Expected changes vanish when the free firing of each
// output matches m_teach/|m_free| times how often its token follows: the weights become a
// Poisson regression of the next token on the current and previous tokens, learned from spike
// pairings alone. No counts are kept anywhere outside the synaptic weights.
//
// Readout (read before anything about the next token reaches the network): the synaptic
// current of each token's output neurons summed over the last readout_steps steps of the
// prediction window, p = softmax(beta * drive), beta fitted on validation text only.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <hebllm/engine.hpp>
#include <hebllm/lang/predictor.hpp>
#include <hebllm/network.hpp>

namespace hebllm::lang {

struct learner_params {
    std::uint32_t vocab_size = 256;
    std::uint32_t sensory_per_token = 2;
    std::uint32_t output_per_token = 4;
    std::uint32_t present_steps = 12;  // steps a token is presented (the prediction window)
    std::uint32_t window_steps = 20;   // steps per token (>= present_steps + 5)
    std::uint32_t readout_steps = 8;   // last steps of the prediction window summed by the readout
    bool context = true;               // the previous-token delay line
    bool inhibitory = false;           // anti-Hebbian inhibitory twins of the plastic pathways
    bool plastic = true;               // false: the plasticity-off control (STDP disabled)
    double dt_ms = 1.0;
    // Output neurons.
    double tau_m_ms = 10.0;
    double tau_syn_ms = 2.0;
    double threshold = 1.0;
    double refractory_ms = 2.0;
    double bias_current = -1.3;
    // Where a spike resets the output membrane, above its resting potential (bias_current).
    // 1.3 resets to 0 mV; resetting to rest (0) was measured 0.1-0.2 bits worse on KJV
    // validation (docs/learner.md).
    double reset_above_rest = 1.3;
    double escape_width = 0.25;       // escape noise (docs/model.md): firing rate exponential in v
    double escape_rate_hz = 1000.0;   // hazard at the threshold
    std::uint32_t noise_sources = 0;  // optional Poisson background (poisson_input)
    double noise_rate_hz = 100.0;
    double noise_amplitude = 0.0;
    // Plasticity.
    double learning_rate = 0.03;
    double w_max = 2.0;
    double tau_plus_ms = 10.0;
    double m_free = -1.0;
    double m_teach = 3.0;
    double bias_scale = 0.25;  // stdp_scale of the bias pathway (bounds and rate)
    // Global learning-rate schedule through the neuromodulator: both m_free and m_teach are
    // scaled by (1 + n / anneal_tokens)^-anneal_power after n tokens learned (anneal_tokens or
    // anneal_power 0: constant; off by default, metaplasticity below does better).
    double anneal_tokens = 1000.0;
    double anneal_power = 0.0;
    // Per-input learning-rate decay (presynaptic metaplasticity, docs/model.md): a sensory,
    // context or bias neuron's pairings count (1 + k / metaplasticity_tokens)^-power after it
    // has been presented k times (metaplasticity_tokens 0: off).
    double metaplasticity_tokens = 10.0;
    double metaplasticity_power = 0.85;
    // Sleep (docs/learner.md "Sleep"): every sleep_every learned tokens (0: never) the engine
    // consolidates: it replays its last sleep_replay input patterns with the teacher's
    // neuromodulator times sleep_plasticity, then prunes plastic synapses weaker than
    // sleep_prune_below.
    std::uint32_t sleep_every = 0;
    std::uint32_t sleep_replay = 16;
    double sleep_plasticity = 0.2;
    double sleep_prune_below = 0.0;
    // Associative conjunction units (docs/learner.md "Conjunction units"): coincidence
    // detectors fed by the delay lines, each firing only for its own combination of the last
    // conjunction_order tokens; recruited when a context arrives that no unit answers.
    std::uint32_t conjunction_order = 3;        // 1: none; 2: (t-1, t); 3: also (t-2, t-1, t)
    std::uint32_t conjunction_units_2 = 16000;  // pool of order-2 units (KJV-256 recruits 7,411)
    std::uint32_t conjunction_units_3 = 64000;  // pool of order-3 units (KJV-256: 27,197)
    bool random_pool = false;  // control: the pools wired at random once, never recruited
    // Order-3 units fed by two order-2 units, (t-2, t-1) replayed by a delay line one window
    // later and (t-1, t), instead of by the three token delay lines (docs/learner.md
    // "Hierarchical order 3"): the same units, a fraction of the synaptic events. Files
    // without this key: false (the flat wiring). The random pool is always wired flat.
    bool units3_from_units2 = true;
    // stdp_scale of unit -> output synapses (rate and bound); on KJV-256 validation 0.33, 0.6,
    // 1.0, 1.5 and 2.5 gave 4.212, 4.178, 4.176, 4.201 and 4.276 bits (docs/learner.md).
    double conjunction_scale = 1.0;
    // Output synapses grown on demand (synaptogenesis): a synapse from a source to an output
    // neuron appears when the source spiked in the token's window and the teacher drives that
    // output. false: every sensory, context and bias neuron is wired to every output from the
    // start (the dense one-layer network of earlier versions; needs conjunction_order 1).
    bool grow_outputs = true;
    // The novelty neurons (docs/learner.md "Novel words"): output_per_token output neurons
    // that the teacher drives, beside the token's own, whenever the next token is one it has
    // never taught; their drive is the network's prediction that an unseen word comes next,
    // shared equally among the tokens not yet taught. Needs grow_outputs. Files without this
    // key: false.
    bool novelty = true;
    std::uint64_t max_synapses = 0;  // cap of the engine's synapses (0: none); growth then stops
    std::uint64_t seed = 1;

    // Checks every field; throws model_error naming the field.
    void validate() const;
    // "key = value" lines, and back (unknown keys and bad values are errors).
    std::string to_text() const;
    static learner_params from_text(std::string_view text);
    // Set one field by name from a string ("learning_rate", "0.001"): for --set on the CLI.
    void set(std::string_view key, std::string_view value);
};

// The learner's network as a plain network_spec (for inspection, export, or another backend).
network_spec make_learner_network(const learner_params& p);
// Whether p's order-3 units are fed by order-2 units (units3_from_units2, not the random pool).
bool hierarchical_units(const learner_params& p);

class network_learner final : public predictor {
public:
    // A new, untrained learner on `backend` ("auto", "cpu", "reference", ...).
    explicit network_learner(const learner_params& p, std::string_view backend = "auto",
                             const engine_options& options = {});
    // Continue from a restored engine (a checkpoint) and the text of state_text().
    network_learner(std::unique_ptr<engine> restored, std::string_view state);

    std::string name() const override;
    std::uint32_t vocab_size() const override { return params_.vocab_size; }
    void predict(std::span<double> p) override;
    void observe(std::uint32_t token, bool learn) override;
    // Frozen scoring switches plasticity and growth off from the first token on and keeps a
    // copy of the whole state (engine and learner), which end_scoring() puts back: a frozen
    // pass changes nothing at all, spike counters and membrane potentials included.
    void start_scoring(bool learn) override;
    void end_scoring() override;

    // Readout sharpness; fit_readout() sets it from a stream it predicts frozen (no learning),
    // minimising bits/token. Returns the bits/token at the fitted beta.
    double beta() const { return beta_; }
    void set_beta(double beta);
    // Divisive normalisation of the readout (docs/learner.md "Readout"): the softmax's
    // sharpness is beta x (s / s_ref)^-power, s the strongest output drive of the window and
    // s_ref its mean over the fitting stream; fit_readout() fits power with beta (0: off).
    double readout_power() const { return gain_power_; }
    double readout_top() const { return gain_top_; }
    // Fits both decoders on one frozen pass over `stream` (the whole state is put back):
    // beta of the scored softmax-of-drive readout, and alpha of the spike-count decoder
    // (p proportional to a token's output spikes in the prediction window plus alpha).
    // Uses at most the first 2^24 / vocab_size tokens of the stream (memory).
    // Returns the drive readout's bits/token at the fitted beta.
    double fit_readout(std::span<const std::uint32_t> stream);
    void fit_held_out(std::span<const std::uint32_t> stream) override { fit_readout(stream); }
    // Which decoder predict() uses: the drive (default, the scored one) or the spike counts
    // alone (to see how much the spikes by themselves predict).
    enum class readout { drive, spike_counts };
    void set_readout(readout r) { readout_ = r; }
    double spike_alpha() const { return alpha_; }

    const learner_params& params() const { return params_; }
    std::uint64_t pruned_synapses() const { return pruned_; }
    // Structural plasticity so far: units recruited per order (index 2 and 3), synapses grown,
    // growth refused at the synapse cap, recruitments refused because a pool was full.
    std::uint64_t recruited(std::uint32_t order) const {
        return order < recruited_.size() ? recruited_[order] : 0;
    }
    // Units of an order reclaimed in sleep so far (their synapses removed, the unit free for a
    // new context), and units of an order that answer a context now.
    std::uint64_t reclaimed(std::uint32_t order) const {
        return order < reclaimed_.size() ? reclaimed_[order] : 0;
    }
    std::uint64_t live_units(std::uint32_t order) const {
        return order < recruited_.size() ? recruited_[order] - free_units_[order].size() : 0;
    }
    std::uint64_t grown_synapses() const { return grown_; }
    std::uint64_t refused_growth() const { return refused_; }
    std::uint64_t pool_full() const { return pool_full_; }
    // Tokens the teacher has never driven (the vocabulary size at first).
    std::uint32_t untaught_tokens() const { return untaught_; }
    engine& network() { return *engine_; }
    const engine& network() const { return *engine_; }
    // Everything outside the engine needed to continue exactly: the parameters, beta, the
    // token being presented and where in its window the network is.
    std::string state_text() const;

private:
    void run_prediction_window();
    void step_with(double modulation, std::int64_t teacher_token, bool teach_novelty = false);
    void sleep();
    double schedule() const;
    // The learner's own variables (everything but the engine and the parameters).
    struct own_state {
        double beta = 0.046;
        double gain_power = 0.0, gain_top = 0.0;
        double alpha = 1.0;
        std::int64_t current = -1;
        bool predicted = false;
        bool learning = true;
        std::uint64_t learned = 0, pruned = 0;
        std::array<std::uint64_t, 4> recruited{};
        std::array<std::vector<std::uint32_t>, 4> free_units{};
        std::array<std::uint64_t, 4> reclaimed{};
        std::uint64_t grown = 0, refused = 0, pool_full = 0;
        std::vector<double> drive;
        std::vector<double> counts;
        double novel_drive = 0.0;
        std::vector<std::uint8_t> taught;
        std::uint32_t untaught = 0;
    };
    // One frozen pass over a stream: per token the drive of every token's outputs (V values),
    // the novelty neurons' drive and the output spike counts (V values).
    void frozen_pass(std::span<const std::uint32_t> stream, std::vector<float>& drives,
                     std::vector<float>& novel, std::vector<float>& counts);
    own_state save_own() const;
    void load_own(const own_state& s);
    // Frozen passes: hold a copy of the state, put it back.
    void hold_state();
    void restore_held();
    void locate_populations();
    void note_spikes(std::uint32_t k);
    void recruit();
    void recruit_from_units2();
    // The next unit of an order for a new context (a reclaimed one first, lowest index first),
    // or -1 when the pool is full (counted in pool_full_).
    std::int64_t take_unit(std::uint32_t order);
    void reclaim_units();
    void add_growth();
    bool hierarchical() const;
    void grow_outputs(std::uint32_t token, bool novel);
    std::string taught_text() const;
    double scale_of(std::uint32_t source) const;

    learner_params params_;
    engine_options options_;
    std::unique_ptr<engine> engine_;
    std::unique_ptr<engine_snapshot> held_;  // state before a frozen pass
    own_state held_own_;
    double beta_ = 0.046;      // what fit_readout gives on KJV validation text (docs/learner.md)
    double alpha_ = 1.0;       // spike-count decoder smoothing (fit_readout)
    double gain_power_ = 0.0;  // readout normalisation (readout_power(); 0: none)
    double gain_top_ = 0.0;    // its reference strongest drive (readout_top())
    // The factor on beta for a window whose strongest output drive is `strongest`.
    double gain(double strongest) const;
    readout readout_ = readout::drive;
    std::vector<double> counts_;  // [vocab] output spikes of the last window's readout steps
    std::int64_t current_ = -1;   // token being presented (-1: none yet)
    bool predicted_ = false;      // the prediction window of current_ has run
    bool learning_ = true;        // free-phase plasticity follows the last observe()
    std::uint64_t learned_ = 0;   // tokens learned so far (the schedule's clock)
    std::uint64_t pruned_ = 0;    // synapses removed by sleep
    std::vector<double> drive_;   // [vocab] summed synaptic current of the last window
    std::vector<double> current_buf_;
    // Novel words (docs/learner.md "Novel words"): the novelty neurons' summed current of the
    // last window, and which tokens the teacher has driven at least once (bookkeeping beside
    // the network: one flag per token, saved in the learner state) and how many have not.
    double novel_drive_ = 0.0;
    std::vector<double> novelty_buf_;
    std::vector<std::uint8_t> taught_;
    std::uint32_t untaught_ = 0;
    // Global ids.
    std::uint32_t sensory_ = 0, sensory_inh_ = 0, bias_ = 0, output_ = 0, novelty_ = 0;
    std::uint32_t context_ = 0, context2_ = 0;   // delay lines (t - 1, t - 2)
    std::uint32_t units2_delayed_ = 0;           // the order-2 units' delay line (hierarchical)
    std::array<std::uint32_t, 4> units_{};       // [order] first unit (orders 2, 3)
    std::array<std::uint32_t, 4> units_size_{};  // [order] pool size
    std::uint32_t sources_end_ = 0;              // sensory .. bias: [0, sources_end_) are sources
    // Structural plasticity (docs/learner.md: what is bookkeeping and what is a synapse).
    std::array<std::uint64_t, 4>
        recruited_{};  // [order] units taken from the pool (the next fresh one)
    // [order] offsets of units reclaimed in sleep and not yet reused, descending (the smallest
    // is reused first), and how many were reclaimed in all.
    std::array<std::vector<std::uint32_t>, 4> free_units_{};
    std::array<std::uint64_t, 4> reclaimed_{};
    std::uint64_t grown_ = 0, refused_ = 0, pool_full_ = 0;
    std::vector<std::uint32_t> active_;      // sources that spiked in this token's window
    std::vector<std::uint32_t> delay_line_;  // delay-line neurons spiking at window step 0
    std::array<bool, 4> answered_{};         // [order] a unit of that order answered the context
    // Hierarchical order 3: the order-2 unit and the order-2 delay-line neuron that spiked at
    // window step 4 (-1: none).
    std::int64_t unit2_now_ = -1, unit2_before_ = -1;
    std::vector<synapse_growth> growth_;
    std::vector<std::uint32_t> recruit_inputs_;  // recruit() scratch
};

}  // namespace hebllm::lang
