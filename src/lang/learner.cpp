// SPDX-License-Identifier: MIT
// The spiking next-token learner (include/hebllm/lang/learner.hpp, docs/language.md).

#include <hebllm/lang/learner.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <utility>

#include <hebllm/errors.hpp>

namespace hebllm::lang {
namespace {

[[noreturn]] void bad(const std::string& what) {
    throw model_error("learner: " + what);
}

// "'key' needs NEED, got 'text'" (built by appending: GCC 12 warns falsely on operator+ here).
[[noreturn]] void bad_value(std::string_view key, std::string_view need, std::string_view text) {
    std::string m = "'";
    m.append(key).append("' needs ").append(need).append(", got '").append(text).append("'");
    bad(m);
}

double parse_double(std::string_view key, std::string_view text) {
    double v = 0.0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(v)) {
        bad_value(key, "a finite number", text);
    }
    return v;
}

std::uint64_t parse_unsigned(std::string_view key, std::string_view text) {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size()) {
        bad_value(key, "a non-negative integer", text);
    }
    return v;
}

bool parse_bool(std::string_view key, std::string_view text) {
    if (text == "true" || text == "1") {
        return true;
    }
    if (text == "false" || text == "0") {
        return false;
    }
    bad_value(key, "true or false", text);
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

// Membrane time constant of the conjunction units: short enough that they integrate one
// step's input only (coincidence detection at the resolution of a step).
constexpr double conjunction_tau_ms = 0.25;

// Delay-line and conjunction neurons settle to rest once within this of it (lif_params::
// quiet_below), so that the cpu backend skips them between tokens; far below any threshold.
constexpr double quiet_mv = 1e-6;

// SplitMix64's finaliser: the random pool's wiring.
std::uint64_t mix64(std::uint64_t x) {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// One table of every field: name, how to print it, how to set it.
struct field {
    const char* name;
    std::function<std::string(const learner_params&)> get;
    std::function<void(learner_params&, std::string_view)> set;
};

std::string fmt(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

// "3 1 0": unit offsets separated by spaces (a learner state value).
std::string join(const std::vector<std::uint32_t>& units) {
    std::string out;
    for (const std::uint32_t u : units) {
        if (!out.empty()) {
            out += ' ';
        }
        out += std::to_string(u);
    }
    return out;
}

template <typename T>
field unsigned_field(const char* name, T learner_params::*member) {
    return {name, [member](const learner_params& p) { return std::to_string(p.*member); },
            [name, member](learner_params& p, std::string_view v) {
                const std::uint64_t x = parse_unsigned(name, v);
                if (x > std::numeric_limits<T>::max()) {
                    bad(std::string("'") + name + "' is too large: " + std::string(v));
                }
                p.*member = static_cast<T>(x);
            }};
}

field double_field(const char* name, double learner_params::*member) {
    return {name, [member](const learner_params& p) { return fmt(p.*member); },
            [name, member](learner_params& p, std::string_view v) {
                p.*member = parse_double(name, v);
            }};
}

field bool_field(const char* name, bool learner_params::*member) {
    return {
        name,
        [member](const learner_params& p) { return std::string(p.*member ? "true" : "false"); },
        [name, member](learner_params& p, std::string_view v) { p.*member = parse_bool(name, v); }};
}

const std::vector<field>& fields() {
    static const std::vector<field> all = {
        unsigned_field("vocab_size", &learner_params::vocab_size),
        unsigned_field("sensory_per_token", &learner_params::sensory_per_token),
        unsigned_field("output_per_token", &learner_params::output_per_token),
        unsigned_field("present_steps", &learner_params::present_steps),
        unsigned_field("window_steps", &learner_params::window_steps),
        unsigned_field("readout_steps", &learner_params::readout_steps),
        bool_field("context", &learner_params::context),
        bool_field("inhibitory", &learner_params::inhibitory),
        bool_field("plastic", &learner_params::plastic),
        double_field("dt_ms", &learner_params::dt_ms),
        double_field("tau_m_ms", &learner_params::tau_m_ms),
        double_field("tau_syn_ms", &learner_params::tau_syn_ms),
        double_field("threshold", &learner_params::threshold),
        double_field("refractory_ms", &learner_params::refractory_ms),
        double_field("bias_current", &learner_params::bias_current),
        double_field("reset_above_rest", &learner_params::reset_above_rest),
        double_field("escape_width", &learner_params::escape_width),
        double_field("escape_rate_hz", &learner_params::escape_rate_hz),
        unsigned_field("noise_sources", &learner_params::noise_sources),
        double_field("noise_rate_hz", &learner_params::noise_rate_hz),
        double_field("noise_amplitude", &learner_params::noise_amplitude),
        double_field("learning_rate", &learner_params::learning_rate),
        double_field("w_max", &learner_params::w_max),
        double_field("tau_plus_ms", &learner_params::tau_plus_ms),
        double_field("m_free", &learner_params::m_free),
        double_field("m_teach", &learner_params::m_teach),
        double_field("bias_scale", &learner_params::bias_scale),
        double_field("anneal_tokens", &learner_params::anneal_tokens),
        double_field("anneal_power", &learner_params::anneal_power),
        double_field("metaplasticity_tokens", &learner_params::metaplasticity_tokens),
        double_field("metaplasticity_power", &learner_params::metaplasticity_power),
        unsigned_field("sleep_every", &learner_params::sleep_every),
        unsigned_field("sleep_replay", &learner_params::sleep_replay),
        double_field("sleep_plasticity", &learner_params::sleep_plasticity),
        double_field("sleep_prune_below", &learner_params::sleep_prune_below),
        unsigned_field("conjunction_order", &learner_params::conjunction_order),
        unsigned_field("conjunction_units_2", &learner_params::conjunction_units_2),
        unsigned_field("conjunction_units_3", &learner_params::conjunction_units_3),
        bool_field("random_pool", &learner_params::random_pool),
        bool_field("units3_from_units2", &learner_params::units3_from_units2),
        double_field("conjunction_scale", &learner_params::conjunction_scale),
        bool_field("grow_outputs", &learner_params::grow_outputs),
        bool_field("novelty", &learner_params::novelty),
        unsigned_field("max_synapses", &learner_params::max_synapses),
        unsigned_field("seed", &learner_params::seed),
    };
    return all;
}

}  // namespace

void learner_params::validate() const {
    if (vocab_size < 2 || vocab_size > (1u << 20)) {
        bad("vocab_size must be in [2, 1048576], got " + std::to_string(vocab_size));
    }
    if (sensory_per_token == 0 || output_per_token == 0) {
        bad("sensory_per_token and output_per_token must be at least 1");
    }
    const std::uint64_t neurons =
        std::uint64_t{vocab_size} *
        (sensory_per_token * (context ? 2u : 1u) * (inhibitory ? 2u : 1u) + output_per_token);
    if (neurons > (1u << 30)) {
        bad("the network would have " + std::to_string(neurons) + " neurons (too many)");
    }
    if (present_steps < 1 || window_steps < present_steps + 5 || window_steps > 255) {
        bad("need 1 <= present_steps and present_steps + 5 <= window_steps <= 255, got " +
            std::to_string(present_steps) + " and " + std::to_string(window_steps));
    }
    if (readout_steps < 1 || readout_steps > present_steps) {
        bad("readout_steps must be in [1, present_steps], got " + std::to_string(readout_steps));
    }
    if (!(dt_ms > 0.0) || !(tau_m_ms > 0.0) || !(tau_syn_ms > 0.0) || !(tau_plus_ms > 0.0)) {
        bad("dt_ms, tau_m_ms, tau_syn_ms and tau_plus_ms must be > 0 (the readout needs "
            "exponential synapses)");
    }
    if (!(threshold > 0.0) || refractory_ms < 0.0 || noise_rate_hz < 0.0 || noise_amplitude < 0.0 ||
        escape_width < 0.0 || !(escape_rate_hz > 0.0) || !(learning_rate >= 0.0) ||
        !(w_max > 0.0) || !(bias_scale > 0.0)) {
        bad("threshold, w_max, bias_scale and escape_rate_hz must be > 0; refractory_ms, "
            "noise_rate_hz, noise_amplitude, escape_width and learning_rate >= 0");
    }
    if (!(sleep_plasticity >= 0.0) || !(sleep_prune_below >= 0.0)) {
        bad("sleep_plasticity and sleep_prune_below must be >= 0");
    }
    if (anneal_tokens < 0.0 || anneal_power < 0.0) {
        bad("anneal_tokens and anneal_power must be >= 0");
    }
    if (metaplasticity_tokens < 0.0 || metaplasticity_power < 0.0) {
        bad("metaplasticity_tokens and metaplasticity_power must be >= 0");
    }
    if (conjunction_order < 1 || conjunction_order > 3) {
        bad("conjunction_order must be 1, 2 or 3, got " + std::to_string(conjunction_order));
    }
    if (conjunction_order > 1 && !grow_outputs) {
        bad("conjunction units need grow_outputs = true (a dense unit-to-output wiring would "
            "need units x outputs synapses)");
    }
    if (novelty && !grow_outputs) {
        bad("novelty needs grow_outputs = true (the novelty neurons' synapses are grown)");
    }
    if (!(conjunction_scale > 0.0) || !std::isfinite(conjunction_scale)) {
        bad("conjunction_scale must be > 0");
    }
    if (std::uint64_t{conjunction_units_2} + conjunction_units_3 > (1u << 24)) {
        bad("conjunction_units_2 + conjunction_units_3 must be at most 16777216");
    }
    if (!(m_free <= 0.0) || !(m_teach > 0.0)) {
        bad("need m_free <= 0 (anti-Hebbian prediction phase) and m_teach > 0 (teacher)");
    }
}

std::string learner_params::to_text() const {
    std::string out;
    for (const field& f : fields()) {
        out += f.name;
        out += " = ";
        out += f.get(*this);
        out += '\n';
    }
    return out;
}

void learner_params::set(std::string_view key, std::string_view value) {
    for (const field& f : fields()) {
        if (key == f.name) {
            f.set(*this, trim(value));
            return;
        }
    }
    std::string names;
    for (const field& f : fields()) {
        names += names.empty() ? "" : ", ";
        names += f.name;
    }
    bad("unknown parameter '" + std::string(key) + "' (parameters: " + names + ")");
}

learner_params learner_params::from_text(std::string_view text) {
    learner_params p;
    // Files written before conjunction units existed describe the dense one-layer network.
    if (text.find("conjunction_order") == std::string_view::npos) {
        p.conjunction_order = 1;
        p.grow_outputs = false;
    }
    // Files written before the novelty neurons have none.
    if (text.find("novelty") == std::string_view::npos) {
        p.novelty = false;
    }
    // Files written before hierarchical order-3 units describe the flat wiring.
    if (text.find("units3_from_units2") == std::string_view::npos) {
        p.units3_from_units2 = false;
    }
    std::size_t line_no = 0;
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        const std::string_view line = trim(text.substr(0, nl));
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++line_no;
        if (line.empty()) {
            continue;
        }
        const std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) {
            bad("parameter line " + std::to_string(line_no) + " has no '=': '" + std::string(line) +
                "'");
        }
        p.set(trim(line.substr(0, eq)), trim(line.substr(eq + 1)));
    }
    p.validate();
    return p;
}

bool hierarchical_units(const learner_params& p) {
    return p.conjunction_order >= 3 && p.units3_from_units2 && !p.random_pool;
}

network_spec make_learner_network(const learner_params& p) {
    p.validate();
    const bool hierarchical = hierarchical_units(p);
    network_spec net;
    net.dt_ms = p.dt_ms;
    net.seed = p.seed;
    const std::uint32_t v = p.vocab_size;

    const auto make_population = [](const char* name, population_kind kind, neuron_model_kind model,
                                    std::uint32_t size, std::uint32_t per_token) {
        population q;
        q.name = std::string(name);
        q.kind = kind;
        q.model = model;
        q.size = size;
        q.neurons_per_token = per_token;
        return q;
    };
    population sensory =
        make_population("sensory", population_kind::sensory, neuron_model_kind::spike_source,
                        v * p.sensory_per_token, p.sensory_per_token);
    population context =
        make_population("context", population_kind::associative, neuron_model_kind::lif,
                        v * p.sensory_per_token, p.sensory_per_token);
    context.lif.tau_m_ms = 2.0;
    context.lif.v_threshold = 0.5;
    context.lif.refractory_ms = 0.0;
    context.lif.quiet_below = p.conjunction_order >= 2 ? quiet_mv : 0.0;
    const population bias =
        make_population("bias", population_kind::sensory, neuron_model_kind::spike_source, 1, 1);
    population output = make_population("output", population_kind::output, neuron_model_kind::lif,
                                        v * p.output_per_token, p.output_per_token);
    output.lif.tau_m_ms = p.tau_m_ms;
    output.lif.tau_syn_ms = p.tau_syn_ms;
    output.lif.v_threshold = p.threshold;
    output.lif.refractory_ms = p.refractory_ms;
    output.lif.bias_current = p.bias_current;
    // Start at rest and reset relative to it (v_rest 0, R 1: rest is bias_current).
    output.lif.v_init_min = output.lif.v_init_max = p.bias_current;
    output.lif.v_reset = p.bias_current + p.reset_above_rest;
    output.lif.escape_width = p.escape_width;
    output.lif.escape_rate_hz = p.escape_rate_hz;

    const auto twin = [](population q) {
        q.name += "_inh";
        q.kind = population_kind::inhibitory;
        q.inhibitory = true;
        return q;
    };
    // The context delay line exists for the context pathway or for conjunction units; the
    // second one (t - 2) for order-3 units.
    const bool has_context = p.context || p.conjunction_order >= 2;
    net.populations.push_back(sensory);
    if (p.inhibitory) {
        net.populations.push_back(twin(sensory));
    }
    if (has_context) {
        net.populations.push_back(context);
        if (p.inhibitory && p.context) {
            net.populations.push_back(twin(context));
        }
    }
    net.populations.push_back(bias);
    if (p.inhibitory) {
        net.populations.push_back(twin(bias));
    }
    net.populations.push_back(output);
    if (p.conjunction_order >= 3 && !hierarchical) {
        population context2 = context;
        context2.name = "context2";
        net.populations.push_back(context2);
    }
    // Conjunction units: coincidence detectors. Each of a unit's inputs (order x
    // sensory_per_token delay-line neurons, or two order-2 units for hierarchical order 3)
    // jumps v by 1; the membrane decays by d = exp(-dt / 0.25 ms) per step, and the
    // threshold d (inputs - 1/2) is reached only when every input arrives in the same step
    // (one missing input every step settles at d (inputs - 1) / (1 - d), below it).
    for (std::uint32_t order = 2; order <= p.conjunction_order; ++order) {
        const std::uint32_t size = order == 2 ? p.conjunction_units_2 : p.conjunction_units_3;
        population units =
            make_population(order == 2 ? "units2" : "units3", population_kind::associative,
                            neuron_model_kind::lif, size, 1);
        const double inputs =
            order == 3 && hierarchical ? 2.0 : static_cast<double>(order * p.sensory_per_token);
        const double d = std::exp(-p.dt_ms / conjunction_tau_ms);
        units.lif.tau_m_ms = conjunction_tau_ms;
        units.lif.v_threshold = d * (inputs - 0.5);
        units.lif.refractory_ms = 0.0;
        units.lif.quiet_below = quiet_mv;
        net.populations.push_back(units);
        if (order == 2 && hierarchical) {
            // The order-2 units' delay line: neuron k replays unit k one window later (its
            // synapse is grown when unit k is recruited); order-3 units listen to it.
            population delayed = context;
            delayed.name = "units2_delayed";
            delayed.size = p.conjunction_units_2;
            delayed.neurons_per_token = 1;
            net.populations.push_back(delayed);
        }
    }

    const auto plastic = [](const std::string& source, double scale) {
        projection pr;
        pr.source = source;
        pr.target = "output";
        pr.density = 1.0;
        pr.weight.kind = weight_dist_kind::constant;
        pr.weight.a = 0.0;
        pr.plastic = true;
        pr.stdp_scale = scale;
        return pr;
    };
    for (const double sign : p.grow_outputs ? std::vector<double>{}
                             : p.inhibitory ? std::vector<double>{1.0, -1.0}
                                            : std::vector<double>{1.0}) {
        const std::string suffix = sign < 0.0 ? "_inh" : "";
        net.projections.push_back(plastic("sensory" + suffix, sign));
        if (p.context) {
            net.projections.push_back(plastic("context" + suffix, sign));
        }
        net.projections.push_back(plastic("bias" + suffix, sign * p.bias_scale));
    }
    if (has_context) {
        // The delay line: sensory neuron k drives context neuron k one window later (and
        // context neuron k drives context2 neuron k one window after that).
        const double delay_ms = static_cast<double>(p.window_steps - 1) * p.dt_ms;
        std::vector<std::string> targets = {std::string("context")};
        if (p.inhibitory && p.context) {
            targets.emplace_back("context_inh");
        }
        for (const std::string& target : targets) {
            const std::uint32_t to = net.offset(target);
            for (std::uint32_t k = 0; k < v * p.sensory_per_token; ++k) {
                net.synapses.push_back({k, to + k, 1.0, delay_ms, false});
            }
        }
        if (p.conjunction_order >= 3 && !hierarchical) {
            const std::uint32_t from = net.offset("context");
            const std::uint32_t to = net.offset("context2");
            for (std::uint32_t k = 0; k < v * p.sensory_per_token; ++k) {
                net.synapses.push_back({from + k, to + k, 1.0, delay_ms, false});
            }
        }
    }
    if (p.random_pool) {
        // The control: every unit wired once to a random token at each position (counter-
        // based draws keyed by the seed), never recruited.
        for (std::uint32_t order = 2; order <= p.conjunction_order; ++order) {
            const population& units = net.find(order == 2 ? "units2" : "units3");
            const std::uint32_t first = net.offset(units.name);
            const std::array<std::uint32_t, 3> lines = {net.offset("sensory"),
                                                        net.offset("context"),
                                                        order >= 3 ? net.offset("context2") : 0u};
            for (std::uint32_t u = 0; u < units.size; ++u) {
                for (std::uint32_t pos = 0; pos < order; ++pos) {
                    const std::uint64_t h =
                        mix64(p.seed * 0x9E3779B97F4A7C15ull + (std::uint64_t{order} << 40) +
                              (std::uint64_t{u} << 2) + pos);
                    const auto token = static_cast<std::uint32_t>(h % v);
                    for (std::uint32_t j = 0; j < p.sensory_per_token; ++j) {
                        net.synapses.push_back({lines[pos] + token * p.sensory_per_token + j,
                                                first + u, 1.0, p.dt_ms, false});
                    }
                }
            }
        }
    }

    if (p.novelty) {
        // Last, so that every other neuron keeps its id (and its escape-noise draws).
        population novelty = output;
        novelty.name = "novelty";
        novelty.size = p.output_per_token;
        net.populations.push_back(novelty);
    }

    stimulus noise;
    noise.kind = stimulus_kind::poisson_input;
    noise.first = net.offset("output");
    noise.count = v * p.output_per_token;
    noise.t_start_ms = 0.0;
    noise.t_stop_ms = std::numeric_limits<double>::max();
    noise.rate_hz = p.noise_rate_hz;
    noise.amplitude = p.noise_amplitude;
    noise.sources = p.noise_sources;
    if (p.noise_sources > 0 && p.noise_rate_hz > 0.0 && p.noise_amplitude > 0.0) {
        net.stimuli.push_back(noise);
        if (p.novelty) {
            noise.first = net.offset("novelty");
            noise.count = p.output_per_token;
            net.stimuli.push_back(noise);
        }
    }

    net.stdp.enabled = p.plastic;
    net.stdp.kind = stdp_kind::additive;
    net.stdp.a_plus = 1.0;
    net.stdp.a_minus = 0.0;
    net.stdp.tau_plus_ms = p.tau_plus_ms;
    net.stdp.tau_minus_ms = p.tau_plus_ms;
    net.stdp.w_min = 0.0;
    net.stdp.w_max = p.w_max;
    net.stdp.learning_rate = p.learning_rate;
    // A presented neuron fires every step of the presentation: present_steps spikes a token.
    net.stdp.metaplasticity_spikes = p.metaplasticity_tokens * p.present_steps;
    net.stdp.metaplasticity_power = p.metaplasticity_power;
    net.neuromodulation.enabled = true;
    net.neuromodulation.kind = neuromodulation_kind::external;
    net.neuromodulation.baseline = 0.0;
    if (p.sleep_every > 0) {
        net.consolidation.enabled = true;
        net.consolidation.schedule = consolidation_schedule_kind::on_demand;
        net.consolidation.replay_buffer = p.sleep_replay;
        net.consolidation.replay_steps = 4;
        net.consolidation.replay_plasticity = p.sleep_plasticity;
        net.consolidation.prune_below = p.sleep_prune_below;
    }
    return net;
}

network_learner::network_learner(const learner_params& p, std::string_view backend,
                                 const engine_options& options)
    : params_(p) {
    engine_options o = options;
    o.recording.spikes = false;  // the learner reads last_spikes(); recording would grow forever
    if (p.max_synapses > 0) {
        o.max_synapses = p.max_synapses;
    }
    options_ = o;
    engine_ = make_engine(make_learner_network(p), backend, o);
    locate_populations();
}

network_learner::own_state network_learner::save_own() const {
    own_state s;
    s.beta = beta_;
    s.gain_power = gain_power_;
    s.gain_top = gain_top_;
    s.alpha = alpha_;
    s.current = current_;
    s.predicted = predicted_;
    s.learning = learning_;
    s.learned = learned_;
    s.pruned = pruned_;
    s.recruited = recruited_;
    s.free_units = free_units_;
    s.reclaimed = reclaimed_;
    s.grown = grown_;
    s.refused = refused_;
    s.pool_full = pool_full_;
    s.drive = drive_;
    s.counts = counts_;
    s.novel_drive = novel_drive_;
    s.taught = taught_;
    s.untaught = untaught_;
    return s;
}

void network_learner::load_own(const own_state& s) {
    beta_ = s.beta;
    gain_power_ = s.gain_power;
    gain_top_ = s.gain_top;
    alpha_ = s.alpha;
    counts_ = s.counts;
    current_ = s.current;
    predicted_ = s.predicted;
    learning_ = s.learning;
    learned_ = s.learned;
    pruned_ = s.pruned;
    recruited_ = s.recruited;
    free_units_ = s.free_units;
    reclaimed_ = s.reclaimed;
    grown_ = s.grown;
    refused_ = s.refused;
    pool_full_ = s.pool_full;
    drive_ = s.drive;
    novel_drive_ = s.novel_drive;
    taught_ = s.taught;
    untaught_ = s.untaught;
}

void network_learner::hold_state() {
    held_ = std::make_unique<engine_snapshot>(engine_->snapshot(true));
    held_own_ = save_own();
}

void network_learner::restore_held() {
    if (!held_) {
        return;
    }
    engine_ = make_engine(*held_, engine_->backend(), options_);
    load_own(held_own_);
    held_.reset();
}

void network_learner::start_scoring(bool learn) {
    if (!learn && !held_) {
        hold_state();
    }
    learning_ = learn;
}

void network_learner::end_scoring() {
    restore_held();
}

void network_learner::locate_populations() {
    const network_spec& net = engine_->spec();
    const learner_params& p = params_;
    sensory_ = net.offset("sensory");
    sensory_inh_ = p.inhibitory ? net.offset("sensory_inh") : 0;
    bias_ = net.offset("bias");
    output_ = net.offset("output");
    context_ = p.context || p.conjunction_order >= 2 ? net.offset("context") : 0;
    context2_ = p.conjunction_order >= 3 && !hierarchical() ? net.offset("context2") : 0;
    units2_delayed_ = hierarchical() ? net.offset("units2_delayed") : 0;
    sources_end_ = output_;  // sensory, context and bias populations come before the outputs
    for (std::uint32_t order = 2; order <= p.conjunction_order; ++order) {
        const std::string name = order == 2 ? "units2" : "units3";
        units_[order] = net.offset(name);
        units_size_[order] = net.find(name).size;
    }
    novelty_ = p.novelty ? net.offset("novelty") : 0;
    drive_.assign(p.vocab_size, 0.0);
    counts_.assign(p.vocab_size, 0.0);
    current_buf_.assign(std::size_t{p.vocab_size} * p.output_per_token, 0.0);
    novelty_buf_.assign(p.novelty ? p.output_per_token : 0, 0.0);
    taught_.assign(p.vocab_size, 0);
    untaught_ = p.vocab_size;
}

network_learner::network_learner(std::unique_ptr<engine> restored, std::string_view state) {
    if (!restored) {
        bad("no engine to restore");
    }
    options_.recording.spikes = false;
    std::string_view text = state;
    // The state is the parameters followed by a line "--" and the learner's own variables.
    const std::size_t sep = text.find("\n--\n");
    if (sep == std::string_view::npos) {
        bad("the saved learner state is malformed (no '--' separator)");
    }
    params_ = learner_params::from_text(text.substr(0, sep + 1));
    options_.max_synapses = params_.max_synapses;
    std::string_view rest = text.substr(sep + 4);
    std::string_view taught_hex;
    bool has_taught = false;
    engine_ = std::move(restored);
    const network_spec expected = make_learner_network(params_);
    if (engine_->neuron_count() != expected.neuron_count()) {
        bad("the saved network has " + std::to_string(engine_->neuron_count()) +
            " neurons, but its parameters describe " + std::to_string(expected.neuron_count()));
    }
    while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        const std::string_view line = trim(rest.substr(0, nl));
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
        if (line.empty()) {
            continue;
        }
        const std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) {
            bad("malformed learner state line '" + std::string(line) + "'");
        }
        const std::string_view key = trim(line.substr(0, eq));
        const std::string_view value = trim(line.substr(eq + 1));
        if (key == "beta") {
            beta_ = parse_double(key, value);
        } else if (key == "readout_power" || key == "readout_top") {
            const double x = parse_double(key, value);
            if (!std::isfinite(x) || x < 0.0) {
                bad("saved " + std::string(key) + " must be finite and >= 0");
            }
            (key == "readout_power" ? gain_power_ : gain_top_) = x;
        } else if (key == "spike_alpha") {
            alpha_ = parse_double(key, value);
            if (!(alpha_ > 0.0)) {
                bad("spike_alpha must be > 0");
            }
        } else if (key == "current") {
            const double c = parse_double(key, value);
            if (c < -1.0 || c >= params_.vocab_size || c != std::floor(c)) {
                bad("saved current token " + std::string(value) + " is out of range");
            }
            current_ = static_cast<std::int64_t>(c);
        } else if (key == "predicted") {
            predicted_ = parse_bool(key, value);
        } else if (key == "learning") {
            learning_ = parse_bool(key, value);
        } else if (key == "learned") {
            learned_ = parse_unsigned(key, value);
        } else if (key == "recruited2" || key == "recruited3") {
            const std::uint32_t order = key == "recruited2" ? 2 : 3;
            recruited_[order] = parse_unsigned(key, value);
        } else if (key == "reclaimed2" || key == "reclaimed3") {
            const std::uint32_t order = key == "reclaimed2" ? 2 : 3;
            reclaimed_[order] = parse_unsigned(key, value);
        } else if (key == "free2" || key == "free3") {
            const std::uint32_t order = key == "free2" ? 2 : 3;
            std::vector<std::uint32_t>& units = free_units_[order];
            units.clear();
            std::string_view list = value;
            while (!list.empty()) {
                const std::size_t sp = list.find(' ');
                const std::string_view item = list.substr(0, sp);
                list.remove_prefix(sp == std::string_view::npos ? list.size() : sp + 1);
                if (!item.empty()) {
                    const std::uint64_t u = parse_unsigned(key, item);
                    if (u > 0xffffffffull) {
                        bad("saved free unit " + std::string(item) + " is out of range");
                    }
                    units.push_back(static_cast<std::uint32_t>(u));
                }
            }
        } else if (key == "grown") {
            grown_ = parse_unsigned(key, value);
        } else if (key == "refused") {
            refused_ = parse_unsigned(key, value);
        } else if (key == "pool_full") {
            pool_full_ = parse_unsigned(key, value);
        } else if (key == "pruned") {
            pruned_ = parse_unsigned(key, value);
        } else if (key == "taught") {
            taught_hex = value;
            has_taught = true;

        } else {
            bad("unknown learner state '" + std::string(key) + "'");
        }
    }
    locate_populations();
    if (params_.novelty != has_taught) {
        bad(params_.novelty ? "the saved learner has novelty neurons but no 'taught' flags"
                            : "the saved learner has 'taught' flags but no novelty neurons");
    }
    if (has_taught) {
        // One hex digit per four tokens, token 4k + b in bit b of digit k.
        if (taught_hex.size() != (std::size_t{params_.vocab_size} + 3) / 4) {
            bad("the saved 'taught' flags have " + std::to_string(taught_hex.size()) +
                " hex digits, expected " + std::to_string((params_.vocab_size + 3) / 4));
        }
        untaught_ = 0;
        for (std::size_t k = 0; k < taught_hex.size(); ++k) {
            const char c = taught_hex[k];
            const int digit = c >= '0' && c <= '9'   ? c - '0'
                              : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                                     : -1;
            if (digit < 0) {
                bad("the saved 'taught' flags are not lower-case hex digits");
            }
            for (std::uint32_t b = 0; b < 4; ++b) {
                const std::uint64_t t = 4 * k + b;
                const bool set = ((digit >> b) & 1) != 0;
                if (t >= params_.vocab_size) {
                    if (set) {
                        bad("the saved 'taught' flags name a token beyond the vocabulary");
                    }
                    continue;
                }
                taught_[t] = set ? 1 : 0;
                untaught_ += set ? 0u : 1u;
            }
        }
    }
    for (std::uint32_t order = 2; order <= params_.conjunction_order; ++order) {
        if (recruited_[order] > units_size_[order]) {
            bad("the saved learner recruited more order-" + std::to_string(order) +
                " units than its pool holds");
        }
        const std::vector<std::uint32_t>& units = free_units_[order];
        for (std::size_t k = 0; k < units.size(); ++k) {
            if (units[k] >= recruited_[order] || (k > 0 && units[k] >= units[k - 1])) {
                bad("the saved free order-" + std::to_string(order) +
                    " units must be recruited ones, distinct and descending");
            }
        }
        if (units.size() > reclaimed_[order]) {
            bad("the saved learner has more free order-" + std::to_string(order) +
                " units than it reclaimed");
        }
    }

    if (predicted_) {
        // The drive is re-read lazily: a prediction requested now re-runs nothing, so keep the
        // window consistent by marking it as not run (the saved file is taken between tokens).
        predicted_ = false;
    }
}

// The 'taught' flags as a state line (novelty on): token 4k + b in bit b of hex digit k.
std::string network_learner::taught_text() const {
    if (!params_.novelty) {
        return {};
    }
    std::string hex((taught_.size() + 3) / 4, '0');
    for (std::size_t t = 0; t < taught_.size(); ++t) {
        if (taught_[t] != 0) {
            const int digit =
                (hex[t / 4] <= '9' ? hex[t / 4] - '0' : hex[t / 4] - 'a' + 10) | (1 << (t % 4));
            hex[t / 4] = static_cast<char>(digit < 10 ? '0' + digit : 'a' + digit - 10);
        }
    }
    return "taught = " + hex + "\n";
}

std::string network_learner::state_text() const {
    if (predicted_) {
        bad("the learner state can only be saved between tokens: observe() the token that "
            "predict() was called for first");
    }
    return params_.to_text() + "--\n" + "beta = " + fmt(beta_) +
           "\nreadout_power = " + fmt(gain_power_) + "\nreadout_top = " + fmt(gain_top_) +
           "\nspike_alpha = " + fmt(alpha_) + "\ncurrent = " + std::to_string(current_) +
           "\npredicted = false\nlearning = " + (learning_ ? "true" : "false") +
           "\nlearned = " + std::to_string(learned_) +
           "\nrecruited2 = " + std::to_string(recruited_[2]) +
           "\nrecruited3 = " + std::to_string(recruited_[3]) +
           "\nreclaimed2 = " + std::to_string(reclaimed_[2]) +
           "\nreclaimed3 = " + std::to_string(reclaimed_[3]) + "\nfree2 = " + join(free_units_[2]) +
           "\nfree3 = " + join(free_units_[3]) + "\ngrown = " + std::to_string(grown_) +
           "\nrefused = " + std::to_string(refused_) +
           "\npool_full = " + std::to_string(pool_full_) + "\npruned = " + std::to_string(pruned_) +
           "\n" + taught_text();
}

bool network_learner::hierarchical() const {
    return hierarchical_units(params_);
}

std::string network_learner::name() const {
    return params_.plastic ? "spiking network" : "spiking network, plasticity off";
}

double network_learner::gain(double strongest) const {
    if (gain_power_ == 0.0 || !(gain_top_ > 0.0)) {
        return 1.0;
    }
    return std::pow(std::max(strongest, 1e-3 * gain_top_) / gain_top_, -gain_power_);
}

void network_learner::set_beta(double beta) {
    if (!std::isfinite(beta) || beta < 0.0) {
        bad("beta must be finite and >= 0");
    }
    beta_ = beta;
}

double network_learner::schedule() const {
    if (params_.anneal_tokens <= 0.0) {
        return 1.0;
    }
    return std::pow(1.0 + static_cast<double>(learned_) / params_.anneal_tokens,
                    -params_.anneal_power);
}

void network_learner::step_with(double modulation, std::int64_t teacher_token, bool teach_novelty) {
    engine_->set_modulation(params_.plastic ? modulation * schedule() : 0.0);
    // What the step presents, captured by one reference beside `this`: the callback then fits
    // std::function's inline buffer and a step allocates nothing.
    struct presentation {
        std::uint32_t k;
        std::int64_t teacher_token;
        bool novelty;
    };
    const presentation now{
        static_cast<std::uint32_t>(engine_->current_step() % params_.window_steps), teacher_token,
        teach_novelty};
    engine_->step([this, &now](std::int64_t, double, input_sink& in) {
        const std::uint32_t k = now.k;
        const std::int64_t teacher = now.teacher_token;
        if (k < params_.present_steps) {
            in.spike(bias_);
            if (params_.inhibitory) {
                in.spike(bias_ + 1);
            }
            if (current_ >= 0) {
                const std::uint32_t first =
                    static_cast<std::uint32_t>(current_) * params_.sensory_per_token;
                for (std::uint32_t j = 0; j < params_.sensory_per_token; ++j) {
                    in.spike(sensory_ + first + j);
                    if (params_.inhibitory) {
                        in.spike(sensory_inh_ + first + j);
                    }
                }
            }
        }
        if (teacher >= 0) {
            const std::uint32_t first =
                output_ + static_cast<std::uint32_t>(teacher) * params_.output_per_token;
            for (std::uint32_t j = 0; j < params_.output_per_token; ++j) {
                in.spike(first + j);
                if (now.novelty) {
                    in.spike(novelty_ + j);
                }
            }
        }
    });
}

void network_learner::sleep() {
    // Replay with the teacher's sign, scaled by the schedule (consolidate() multiplies the
    // learning rate by sleep_plasticity), then quiet steps until the next window starts.
    engine_->set_modulation(params_.plastic ? params_.m_teach * schedule() : 0.0);
    const consolidation_report r = engine_->consolidate();
    pruned_ += r.pruned;
    reclaim_units();
    while (engine_->current_step() % params_.window_steps != 0) {
        step_with(0.0, -1);
    }
}

double network_learner::scale_of(std::uint32_t source) const {
    if (source >= output_) {
        return params_.conjunction_scale;  // a conjunction unit
    }
    if (source == bias_ || (params_.inhibitory && source == bias_ + 1)) {
        return params_.bias_scale;
    }
    return 1.0;  // sensory or context
}

// What the structural plasticity needs from the spikes of window step k (learning only): the
// sources that spiked (for output growth), the delay-line neurons active at step 0 (a delay-line
// neuron fires every other step: its input of a spike's step is delivered before the reset),
// whether each order's units answered the context (order 2 and flat order 3 at step 2,
// hierarchical order 3 at step 4) and which order-2 unit spiked at step 2.
void network_learner::note_spikes(std::uint32_t k) {
    const std::uint32_t sensory_end = sensory_ + params_.vocab_size * params_.sensory_per_token;
    const std::uint32_t context_end = context_ + params_.vocab_size * params_.sensory_per_token;
    const bool flat3 = params_.conjunction_order >= 3 && !hierarchical();
    const std::uint32_t context2_end = context2_ + params_.vocab_size * params_.sensory_per_token;
    if (k == 2) {
        answered_.fill(false);
    }
    const std::uint32_t answer_step_3 = flat3 ? 2 : 4;
    for (const std::uint32_t i : engine_->last_spikes()) {
        const bool is_context = params_.conjunction_order >= 2 && i >= context_ && i < context_end;
        const bool is_context2 = flat3 && i >= context2_ && i < context2_end;
        if (k == 0 && ((i >= sensory_ && i < sensory_end) || is_context || is_context2)) {
            delay_line_.push_back(i);
        }
        std::uint32_t order = 0;
        for (std::uint32_t o = 2; o <= params_.conjunction_order; ++o) {
            if (i >= units_[o] && i < units_[o] + units_size_[o]) {
                order = o;
            }
        }
        if ((order == 2 && k == 2) || (order == 3 && k == answer_step_3)) {
            answered_[order] = true;
        }
        if (k == 4 && hierarchical()) {
            if (order == 2) {
                unit2_now_ = i;
            } else if (i >= units2_delayed_ && i < units2_delayed_ + units_size_[2]) {
                unit2_before_ = i;
            }
        }
        // Sources of output synapses: sensory, the context pathway, bias, units.
        const bool direct_context = is_context && params_.context;
        if ((i < sources_end_ && !is_context && !is_context2) || direct_context || order != 0) {
            active_.push_back(i);
        }
    }
}

// Recruitment (structural plasticity driven by the network's activity): for each order whose
// units stayed silent at window step 2 (no unit knows this context: the novelty signal) while
// every delay line of that order is active, the next free unit grows one synapse from each
// active delay-line neuron of those positions, so that from the next step on it fires for this
// combination and no other. Order 3 of a hierarchical network is recruited at step 4 instead
// (recruit_from_units2).
void network_learner::recruit() {
    if (params_.random_pool || params_.conjunction_order < 2) {
        return;
    }
    const std::uint32_t line = params_.vocab_size * params_.sensory_per_token;
    const std::uint32_t last_order = hierarchical() ? 2 : params_.conjunction_order;
    growth_.clear();
    for (std::uint32_t order = 2; order <= last_order; ++order) {
        if (answered_[order]) {
            continue;
        }
        const std::array<std::uint32_t, 3> begin = {sensory_, context_, context2_};
        std::vector<std::uint32_t>& inputs = recruit_inputs_;
        inputs.clear();
        for (std::uint32_t pos = 0; pos < order; ++pos) {
            std::uint32_t found = 0;
            for (const std::uint32_t i : delay_line_) {
                if (i >= begin[pos] && i < begin[pos] + line) {
                    inputs.push_back(i);
                    ++found;
                }
            }
            if (found != params_.sensory_per_token) {
                inputs.clear();  // a position is silent (start of the stream): no context yet
                break;
            }
        }
        if (inputs.empty()) {
            continue;
        }
        const std::int64_t offset = take_unit(order);
        if (offset < 0) {
            continue;
        }
        const auto unit = units_[order] + static_cast<std::uint32_t>(offset);
        for (const std::uint32_t i : inputs) {
            synapse_growth g;
            g.pre = i;
            g.post = unit;
            g.weight = 1.0f;
            g.delay_steps = 1;
            growth_.push_back(g);
        }
        if (order == 2 && hierarchical()) {
            // Its delay line: the unit's spikes replayed one window later.
            synapse_growth g;
            g.pre = unit;
            g.post = units2_delayed_ + static_cast<std::uint32_t>(offset);
            g.weight = 1.0f;
            g.delay_steps = params_.window_steps - 3;
            growth_.push_back(g);
        }
    }
    add_growth();
}

// Hierarchical order 3 (window step 4): an order-3 unit is the coincidence of the delay-line
// replay of the order-2 unit of (t - 2, t - 1) and the order-2 unit of (t - 1, t). Both spike
// at steps 2, 4, ..., 12 (from step 4 when recruited at step 2) and a spike is felt two steps
// later, so a unit fires at steps 4, 6, ..., 12. When none fired at step 4 while both
// order-2 neurons did, the next free unit grows one synapse from each; it fires from step 8
// on (a new synapse carries spikes from the next step on).
void network_learner::recruit_from_units2() {
    if (answered_[3] || unit2_before_ < 0 || unit2_now_ < 0) {
        return;
    }
    const std::int64_t offset = take_unit(3);
    if (offset < 0) {
        return;
    }
    const auto unit = units_[3] + static_cast<std::uint32_t>(offset);
    growth_.clear();
    synapse_growth g;
    g.post = unit;
    g.weight = 1.0f;
    g.delay_steps = 1;
    g.pre = static_cast<std::uint32_t>(unit2_before_);
    growth_.push_back(g);
    g.pre = static_cast<std::uint32_t>(unit2_now_);
    growth_.push_back(g);
    add_growth();
}

std::int64_t network_learner::take_unit(std::uint32_t order) {
    std::vector<std::uint32_t>& free = free_units_[order];
    if (!free.empty()) {
        const std::uint32_t u = free.back();
        free.pop_back();
        return u;
    }
    if (recruited_[order] >= units_size_[order]) {
        ++pool_full_;
        return -1;
    }
    return static_cast<std::int64_t>(recruited_[order]++);
}

// Sleep, after pruning: a recruited unit that no longer reaches anything is reclaimed, its
// synapses removed and the unit made free for a new context. An order-3 unit is unused when
// every synapse it grew to an output was pruned; an order-2 unit when its own synapses and its
// delayed twin's lead only to itself's twin and to order-3 units reclaimed now (a unit that an
// order-3 unit still listens to is kept). Decided from the synapses alone.
void network_learner::reclaim_units() {
    if (params_.random_pool || params_.conjunction_order < 2 || !params_.grow_outputs) {
        return;
    }
    const std::uint32_t n2 = static_cast<std::uint32_t>(recruited_[2]);
    const auto n3 = static_cast<std::uint32_t>(recruited_[3]);  // 0 below order 3
    std::vector<std::uint8_t> keep2(n2, 0);
    std::vector<std::uint8_t> keep3(n3, 0);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> to_units3;  // (order-2 unit, order-3 unit)
    const bool twins = hierarchical();
    for (const synapse_view& s : engine_->synapses()) {
        if (n3 > 0 && s.pre >= units_[3] && s.pre < units_[3] + n3) {
            keep3[s.pre - units_[3]] = 1;
            continue;
        }
        std::uint32_t u = 0;
        if (s.pre >= units_[2] && s.pre < units_[2] + n2) {
            u = s.pre - units_[2];
            if (twins && s.post == units2_delayed_ + u) {
                continue;  // its own delay line
            }
        } else if (twins && s.pre >= units2_delayed_ && s.pre < units2_delayed_ + n2) {
            u = s.pre - units2_delayed_;
        } else {
            continue;
        }
        if (n3 > 0 && s.post >= units_[3] && s.post < units_[3] + n3) {
            to_units3.emplace_back(u, s.post - units_[3]);
        } else {
            keep2[u] = 1;
        }
    }
    for (const auto& [u, v] : to_units3) {
        keep2[u] = static_cast<std::uint8_t>(keep2[u] | keep3[v]);
    }
    std::vector<std::uint32_t> detach;
    const auto collect = [&](std::uint32_t order, const std::vector<std::uint8_t>& keep) {
        std::vector<std::uint32_t>& free = free_units_[order];
        std::vector<std::uint8_t> is_free(keep.size(), 0);
        for (const std::uint32_t u : free) {
            is_free[u] = 1;
        }
        for (std::uint32_t u = 0; u < keep.size(); ++u) {
            if (keep[u] == 0 && is_free[u] == 0) {
                detach.push_back(units_[order] + u);
                if (order == 2 && twins) {
                    detach.push_back(units2_delayed_ + u);
                }
                free.push_back(u);
                ++reclaimed_[order];
            }
        }
        std::sort(free.begin(), free.end(), std::greater<>());
    };
    collect(3, keep3);
    collect(2, keep2);
    if (!detach.empty()) {
        engine_->remove_synapses_of(detach);
    }
}

void network_learner::add_growth() {
    if (!growth_.empty()) {
        try {
            grown_ += engine_->add_synapses(growth_).added;
        } catch (const capacity_error&) {
            ++refused_;  // at the cap: the network stops growing
        }
    }
}

// Synaptogenesis at the teacher: every source that spiked in this window grows a synapse to
// each output neuron of the token the teacher is about to drive (weight 0: the teacher's
// pairing is what makes it count), and, for a token never taught before (`novel`), to each
// novelty neuron; existing ones are left as they are.
void network_learner::grow_outputs(std::uint32_t token, bool novel) {
    std::sort(active_.begin(), active_.end());
    active_.erase(std::unique(active_.begin(), active_.end()), active_.end());
    growth_.clear();
    const std::uint32_t first = output_ + token * params_.output_per_token;
    for (const std::uint32_t j : active_) {
        const network_spec& net = engine_->spec();
        const bool inhibitory =
            params_.inhibitory && net.populations[net.population_of(j)].inhibitory;
        const double scale = scale_of(j) * (inhibitory ? -1.0 : 1.0);
        for (std::uint32_t c = 0; c < params_.output_per_token; ++c) {
            synapse_growth g;
            g.pre = j;
            g.post = first + c;
            g.delay_steps = 1;
            g.stdp_scale = params_.plastic ? scale : 0.0;
            growth_.push_back(g);
            if (novel) {
                g.post = novelty_ + c;
                growth_.push_back(g);
            }
        }
    }
    add_growth();
}

void network_learner::run_prediction_window() {
    // Steps [0, present_steps + 2) of the window: the token's spikes reach the outputs one step
    // after they are emitted and show in the outputs' spikes one step later.
    std::fill(drive_.begin(), drive_.end(), 0.0);
    std::fill(counts_.begin(), counts_.end(), 0.0);
    novel_drive_ = 0.0;
    const std::uint32_t end = params_.present_steps + 2;
    // Without plasticity grown synapses would stay at weight 0: the control grows nothing.
    const bool structural = learning_ && params_.grow_outputs && params_.plastic;
    const bool hierarchical3 = hierarchical();
    active_.clear();
    delay_line_.clear();
    unit2_now_ = -1;
    unit2_before_ = -1;
    for (std::uint32_t k = 0; k < end; ++k) {
        step_with(learning_ ? params_.m_free : 0.0, -1);
        if (structural) {
            note_spikes(k);
            if (k == 2) {
                recruit();
            } else if (k == 4 && hierarchical3) {
                recruit_from_units2();
            }
        }
        if (k + params_.readout_steps >= end) {
            engine_->read_synaptic_currents(output_, current_buf_);
            for (std::size_t i = 0; i < current_buf_.size(); ++i) {
                drive_[i / params_.output_per_token] += current_buf_[i];
            }
            if (params_.novelty) {
                engine_->read_synaptic_currents(novelty_, novelty_buf_);
                for (const double c : novelty_buf_) {
                    novel_drive_ += c;
                }
            }
            // The spike-count decoder's input: output spikes of the same steps.
            const std::uint32_t output_end =
                output_ + params_.vocab_size * params_.output_per_token;
            for (const std::uint32_t i : engine_->last_spikes()) {
                if (i >= output_ && i < output_end) {
                    counts_[(i - output_) / params_.output_per_token] += 1.0;
                }
            }
        }
    }
    predicted_ = true;
}

void network_learner::predict(std::span<double> p) {
    if (p.size() != params_.vocab_size) {
        throw internal_error("predict: the distribution has the wrong size");
    }
    if (!predicted_) {
        run_prediction_window();
    }
    if (readout_ == readout::spike_counts) {
        // p proportional to the output spikes of each token plus alpha (fitted on validation).
        double z = 0.0;
        for (std::size_t i = 0; i < p.size(); ++i) {
            p[i] = counts_[i] + alpha_;
            z += p[i];
        }
        for (double& x : p) {
            x /= z;
        }
        return;
    }
    // Softmax of b x drive, b = beta x gain(strongest drive); with novelty neurons and
    // untaught tokens, exp(b x novel drive) more, shared equally among the untaught tokens.
    const bool novel = params_.novelty && untaught_ > 0;
    const double strongest = *std::max_element(drive_.begin(), drive_.end());
    const double b = beta_ * gain(strongest);
    const double top =
        std::max(strongest, novel ? novel_drive_ : -std::numeric_limits<double>::infinity());
    const double share = novel ? std::exp(b * (novel_drive_ - top)) / untaught_ : 0.0;
    double z = 0.0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        p[i] = std::exp(b * (drive_[i] - top)) + (taught_[i] == 0 ? share : 0.0);
        z += p[i];
    }
    for (double& x : p) {
        x /= z;
    }
}

void network_learner::observe(std::uint32_t token, bool learn) {
    if (token >= params_.vocab_size) {
        bad("token id " + std::to_string(token) + " is outside the vocabulary of " +
            std::to_string(params_.vocab_size));
    }
    if (!predicted_) {
        run_prediction_window();
    }
    // The rest of the window: a quiet step, the teacher one step later, then quiet steps.
    const std::uint32_t teacher_step = params_.present_steps + 3;
    for (std::uint32_t k = params_.present_steps + 2; k < params_.window_steps; ++k) {
        const bool teach = learn && k == teacher_step;
        const bool novel = teach && params_.novelty && taught_[token] == 0;
        if (teach && learning_ && params_.grow_outputs && params_.plastic) {
            grow_outputs(token, novel);
        }
        step_with(teach ? params_.m_teach : 0.0, teach ? static_cast<std::int64_t>(token) : -1,
                  novel);
    }
    if (learn && taught_[token] == 0) {
        taught_[token] = 1;
        --untaught_;
    }
    current_ = token;
    predicted_ = false;
    learning_ = learn;
    if (learn) {
        ++learned_;
        if (params_.sleep_every > 0 && learned_ % params_.sleep_every == 0) {
            sleep();
        }
    }
}

namespace {

// Golden-section search for the minimum of f over log x, x in [lo, hi] (f unimodal there).
double golden_log(const std::function<double(double)>& f, double lo, double hi) {
    lo = std::log(lo);
    hi = std::log(hi);
    const double g = (std::sqrt(5.0) - 1.0) / 2.0;
    double a = hi - g * (hi - lo);
    double b = lo + g * (hi - lo);
    double fa = f(std::exp(a));
    double fb = f(std::exp(b));
    for (int it = 0; it < 40; ++it) {
        if (fa < fb) {
            hi = b;
            b = a;
            fb = fa;
            a = hi - g * (hi - lo);
            fa = f(std::exp(a));
        } else {
            lo = a;
            a = b;
            fa = fb;
            b = lo + g * (hi - lo);
            fb = f(std::exp(b));
        }
    }
    return std::exp(0.5 * (lo + hi));
}

}  // namespace

void network_learner::frozen_pass(std::span<const std::uint32_t> stream, std::vector<float>& drives,
                                  std::vector<float>& novel, std::vector<float>& counts) {
    if (stream.empty()) {
        bad("cannot fit a readout on an empty stream");
    }
    // One frozen pass; the whole state is put back afterwards.
    const bool held_here = !held_;
    if (held_here) {
        hold_state();
    }
    learning_ = false;
    drives.clear();
    novel.clear();
    counts.clear();
    drives.reserve(stream.size() * params_.vocab_size);
    novel.reserve(stream.size());
    counts.reserve(stream.size() * params_.vocab_size);
    for (const std::uint32_t t : stream) {
        if (!predicted_) {
            run_prediction_window();
        }
        drives.insert(drives.end(), drive_.begin(), drive_.end());
        novel.push_back(static_cast<float>(novel_drive_));
        counts.insert(counts.end(), counts_.begin(), counts_.end());
        observe(t, false);
    }
    if (held_here) {
        restore_held();
    }
}

double network_learner::fit_readout(std::span<const std::uint32_t> stream) {
    // Both decoders' inputs are kept for every token: at most 2^24 values each (64 MiB), so
    // at most 2^24 / V tokens of the stream (all 10,000 validation tokens at V = 256; the first
    // 4,096 at V = 4,096).
    stream = stream.first(std::min<std::size_t>(
        stream.size(), std::max<std::size_t>(1, (std::size_t{1} << 24) / params_.vocab_size)));
    std::vector<float> drives;
    std::vector<float> novel;
    std::vector<float> counts;
    frozen_pass(stream, drives, novel, counts);
    const std::size_t v = params_.vocab_size;
    // predict()'s distribution; a frozen pass teaches nothing, so the untaught tokens stay
    // the same over the stream.
    const bool with_novelty = params_.novelty && untaught_ > 0;
    // The strongest drive of each window and its mean, the normalisation's reference.
    std::vector<double> strongest(stream.size());
    double mean_strongest = 0.0;
    for (std::size_t n = 0; n < stream.size(); ++n) {
        const float* d = drives.data() + n * v;
        strongest[n] = *std::max_element(d, d + v);
        mean_strongest += strongest[n];
    }
    mean_strongest /= static_cast<double>(stream.size());
    gain_top_ = mean_strongest > 0.0 ? mean_strongest : 0.0;
    const auto bits_at = [&](double beta0) {
        double sum = 0.0;
        for (std::size_t n = 0; n < stream.size(); ++n) {
            const float* d = drives.data() + n * v;
            const double dn = novel[n];
            const double beta = beta0 * gain(strongest[n]);
            const double top = std::max(
                strongest[n], with_novelty ? dn : -std::numeric_limits<double>::infinity());
            const double mass = with_novelty ? std::exp(beta * (dn - top)) : 0.0;
            double z = mass;  // the untaught tokens' shares add up to it
            for (std::size_t i = 0; i < v; ++i) {
                z += std::exp(beta * (d[i] - top));
            }
            const std::uint32_t t = stream[n];
            // log of the target's weight, exp(a) (+ exp(b), its share), without underflow.
            const double a = beta * (d[t] - top);
            double log_own = a;
            if (with_novelty && taught_[t] == 0) {
                const double b = beta * (dn - top) - std::log(static_cast<double>(untaught_));
                log_own = std::max(a, b) + std::log1p(std::exp(-std::abs(a - b)));
            }
            sum += std::log(z) - log_own;
        }
        return sum / static_cast<double>(stream.size()) / std::log(2.0);
    };
    // beta for each normalisation power of a small grid (0: none); the best pair is kept, the
    // smaller power on a tie. Without any drive (nothing learned) there is nothing to normalise.
    double best_bits = std::numeric_limits<double>::infinity();
    double best_beta = 0.046;
    double best_power = 0.0;
    for (const double power : {0.0, 0.25, 0.5, 0.75, 1.0, 1.25}) {
        if (power > 0.0 && gain_top_ <= 0.0) {
            break;
        }
        gain_power_ = power;
        const double beta = golden_log(bits_at, 1e-4, 100.0);
        const double bits = bits_at(beta);
        if (bits < best_bits) {
            best_bits = bits;
            best_beta = beta;
            best_power = power;
        }
    }
    beta_ = best_beta;
    gain_power_ = best_power;
    const auto c = [&](double alpha) {
        double sum = 0.0;
        for (std::size_t n = 0; n < stream.size(); ++n) {
            const float* k = counts.data() + n * v;
            double total = 0.0;
            for (std::size_t i = 0; i < v; ++i) {
                total += k[i];
            }
            sum -= std::log2((k[stream[n]] + alpha) / (total + alpha * static_cast<double>(v)));
        }
        return sum / static_cast<double>(stream.size());
    };
    alpha_ = golden_log(c, 1e-4, 1e3);
    return bits_at(beta_);
}

}  // namespace hebllm::lang
