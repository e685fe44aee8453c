// SPDX-License-Identifier: MIT
#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include <hebllm/errors.hpp>
#include <hebllm/network.hpp>

#include "core/model_util.hpp"
#include "core/synapse_store.hpp"

namespace hebllm {

namespace {

template <typename... Args>
[[noreturn]] void fail(const Args&... parts) {
    std::ostringstream out;
    out.precision(17);
    (out << ... << parts);
    throw model_error(out.str());
}

void require_finite(double value, const std::string& where, const char* field) {
    if (!std::isfinite(value)) {
        fail(where, ": ", field, " must be a finite number, got ", value);
    }
}

void require_positive(double value, const std::string& where, const char* field) {
    require_finite(value, where, field);
    if (value <= 0.0) {
        fail(where, ": ", field, " must be > 0, got ", value);
    }
}

void require_non_negative(double value, const std::string& where, const char* field) {
    require_finite(value, where, field);
    if (value < 0.0) {
        fail(where, ": ", field, " must be >= 0, got ", value);
    }
}

void validate_population(const population& p, double dt) {
    const std::string where = "population '" + p.name + "'";
    if (p.name.empty()) {
        fail("a population has an empty name");
    }
    if (p.size == 0) {
        fail(where, ": size must be > 0");
    }
    if (p.neurons_per_token == 0) {
        fail(where, ": neurons_per_token must be >= 1");
    }
    const lif_params& l = p.lif;
    require_positive(l.tau_m_ms, where, "tau_m_ms");
    require_non_negative(l.tau_syn_ms, where, "tau_syn_ms");
    require_non_negative(l.refractory_ms, where, "refractory_ms");
    require_positive(l.adapt_tau_ms, where, "adapt_tau_ms");
    require_non_negative(l.escape_width, where, "escape_width");
    require_positive(l.escape_rate_hz, where, "escape_rate_hz");
    require_non_negative(l.quiet_below, where, "quiet_below");
    if (l.escape_width > 0.0 && p.model != neuron_model_kind::lif) {
        fail(where, ": escape_width needs LIF neurons (a spike source only spikes when forced)");
    }
    for (const auto& [value, name] :
         {std::pair{l.v_rest, "v_rest"}, std::pair{l.v_reset, "v_reset"},
          std::pair{l.v_threshold, "v_threshold"}, std::pair{l.resistance, "resistance"},
          std::pair{l.bias_current, "bias_current"}, std::pair{l.v_init_min, "v_init_min"},
          std::pair{l.v_init_max, "v_init_max"}, std::pair{l.adapt_increment, "adapt_increment"}}) {
        require_finite(value, where, name);
    }
    if (l.v_init_min > l.v_init_max) {
        fail(where, ": v_init_min (", l.v_init_min, ") must not exceed v_init_max (", l.v_init_max,
             ")");
    }
    if (l.refractory_ms / dt > 1e9) {
        fail(where, ": refractory_ms ", l.refractory_ms, " is more than 1e9 steps of dt ", dt);
    }
}

void check_delay(double delay_ms, double dt, const std::string& where, const char* field) {
    require_finite(delay_ms, where, field);
    const long long steps = detail::delay_steps(delay_ms, dt);
    if (steps < 1) {
        fail(where, ": ", field, " = ", delay_ms, " ms is less than one step (dt = ", dt,
             " ms); delays must be at least 1 step");
    }
    if (steps > detail::max_delay_steps) {
        fail(where, ": ", field, " = ", delay_ms, " ms is ", steps, " steps; at most ",
             detail::max_delay_steps, " steps are supported");
    }
}

void validate_weight(const weight_dist& w, const std::string& where) {
    require_finite(w.a, where, "weight.a");
    require_finite(w.b, where, "weight.b");
    require_finite(w.scale, where, "weight.scale");
    require_non_negative(w.clip_min, where, "weight.min");
    if (std::isnan(w.clip_max) || w.clip_max < w.clip_min) {
        fail(where, ": weight.max (", w.clip_max, ") must be >= weight.min (", w.clip_min, ")");
    }
    if (w.scale < 0.0) {
        fail(where,
             ": weight.scale must be >= 0 (weights are magnitudes; the sign comes from the "
             "source population), got ",
             w.scale);
    }
    if ((w.kind == weight_dist_kind::normal || w.kind == weight_dist_kind::lognormal) && w.b < 0) {
        fail(where, ": weight.b (standard deviation) must be >= 0, got ", w.b);
    }
    if (w.kind == weight_dist_kind::uniform && w.b < w.a) {
        fail(where, ": uniform weight needs a <= b, got a = ", w.a, ", b = ", w.b);
    }
    if (w.kind == weight_dist_kind::constant && w.a < 0) {
        fail(where, ": constant weight magnitude must be >= 0, got ", w.a);
    }
}

}  // namespace

lif_params default_lif_params(population_kind kind) {
    // ORIGINAL.md §1.1: tau_m 20 ms for all; threshold / v_rest (= reset) / refractory per kind;
    // associative neurons carry an adaptive threshold (+0.1 per spike, tau 500 ms).
    lif_params p;
    switch (kind) {
        case population_kind::sensory:
            p.v_threshold = 0.5;
            p.v_rest = p.v_reset = 0.0;
            p.refractory_ms = 2.0;
            break;
        case population_kind::associative:
            p.v_threshold = 0.6;
            p.v_rest = p.v_reset = -0.1;
            p.refractory_ms = 4.0;
            p.adapt_increment = 0.1;
            p.adapt_tau_ms = 500.0;
            break;
        case population_kind::inhibitory:
            p.v_threshold = 0.4;
            p.v_rest = p.v_reset = -0.2;
            p.refractory_ms = 3.0;
            break;
        case population_kind::output:
            p.v_threshold = 0.8;
            p.v_rest = p.v_reset = -0.1;
            p.refractory_ms = 5.0;
            break;
        case population_kind::other: break;
    }
    p.v_init_min = p.v_init_max = p.v_rest;
    return p;
}

std::uint32_t network_spec::neuron_count() const {
    std::uint64_t n = 0;
    for (const auto& p : populations) {
        n += p.size;
    }
    if (n > detail::max_neurons) {
        fail("the network has ", n, " neurons; at most ", detail::max_neurons, " are supported");
    }
    return static_cast<std::uint32_t>(n);
}

const population& network_spec::find(const std::string& name) const {
    for (const auto& p : populations) {
        if (p.name == name) {
            return p;
        }
    }
    std::string known;
    for (const auto& p : populations) {
        known += (known.empty() ? "'" : ", '") + p.name + "'";
    }
    fail("unknown population '", name, "' (known: ", known.empty() ? "none" : known, ")");
}

std::uint32_t network_spec::offset(const std::string& name) const {
    std::uint32_t off = 0;
    for (const auto& p : populations) {
        if (p.name == name) {
            return off;
        }
        off += p.size;
    }
    (void)find(name);  // throws the message listing the known names
    return 0;
}

std::size_t network_spec::population_of(std::uint32_t neuron) const {
    std::uint64_t end = 0;
    for (std::size_t k = 0; k < populations.size(); ++k) {
        end += populations[k].size;
        if (neuron < end) {
            return k;
        }
    }
    fail("neuron id ", neuron, " is out of range (the network has ", end, " neurons)");
}

void network_spec::validate() const {
    if (!std::isfinite(dt_ms) || dt_ms <= 0.0) {
        fail("dt_ms must be a positive finite number, got ", dt_ms);
    }
    if (dt_ms > 1000.0) {
        fail("dt_ms = ", dt_ms, " is larger than 1000 ms");
    }
    if (!std::isfinite(duration_ms) || duration_ms < 0.0) {
        fail("duration_ms must be a finite number >= 0, got ", duration_ms);
    }
    if (duration_ms / dt_ms > 1e15) {
        fail("duration_ms / dt_ms = ", duration_ms / dt_ms, " steps is too many");
    }
    if (populations.empty()) {
        fail("the network has no populations");
    }
    std::set<std::string> names;
    for (const auto& p : populations) {
        validate_population(p, dt_ms);
        if (!names.insert(p.name).second) {
            fail("population name '", p.name, "' is used twice");
        }
    }
    const std::uint32_t n = neuron_count();

    for (std::size_t k = 0; k < projections.size(); ++k) {
        const projection& pr = projections[k];
        const std::string where =
            "projection " + std::to_string(k) + " ('" + pr.source + "' -> '" + pr.target + "')";
        (void)find(pr.source);  // throws for an unknown source
        std::uint64_t dst_size = 0;
        bool source_in_target = false;
        std::set<std::string> seen;
        for (const std::string& name : detail::split_union(pr.target)) {
            const population& dst = find(name);
            if (!seen.insert(name).second) {
                fail(where, ": population '", name, "' appears twice in the target");
            }
            if (dst.model == neuron_model_kind::spike_source) {
                fail(where, ": the target population '", name,
                     "' is a spike_source and cannot receive synapses");
            }
            dst_size += dst.size;
            source_in_target = source_in_target || name == pr.source;
        }
        if (pr.rule == connect_rule_kind::bernoulli) {
            if (!(pr.density >= 0.0 && pr.density <= 1.0)) {
                fail(where, ": density must be in [0, 1], got ", pr.density);
            }
        } else {
            const std::uint64_t available =
                dst_size - ((source_in_target && !pr.autapses) ? 1u : 0u);
            if (pr.outdegree > available) {
                fail(where, ": outdegree ", pr.outdegree, " exceeds the ", available,
                     " distinct targets available");
            }
        }
        validate_weight(pr.weight, where);
        if (!std::isfinite(pr.stdp_scale) || pr.stdp_scale == 0.0) {
            fail(where, ": stdp_scale must be a finite non-zero number, got ", pr.stdp_scale);
        }
        check_delay(pr.delay_min_ms, dt_ms, where, "delay_min_ms");
        check_delay(pr.delay_max_ms, dt_ms, where, "delay_max_ms");
        if (pr.delay_max_ms < pr.delay_min_ms) {
            fail(where, ": delay_max_ms (", pr.delay_max_ms, ") is less than delay_min_ms (",
                 pr.delay_min_ms, ")");
        }
    }
    // Projections are valid here, so their expected size can be computed.
    const double estimated_synapses = detail::expected_synapses(*this);
    if (estimated_synapses > static_cast<double>(detail::max_synapses)) {
        fail("the network would have about ", estimated_synapses, " synapses; at most ",
             detail::max_synapses, " are supported");
    }
    for (std::size_t k = 0; k < synapses.size(); ++k) {
        const synapse_entry& s = synapses[k];
        const std::string where = "synapse " + std::to_string(k) + " (" + std::to_string(s.pre) +
                                  " -> " + std::to_string(s.post) + ")";
        if (s.pre >= n || s.post >= n) {
            fail(where, ": neuron id out of range (the network has ", n, " neurons)");
        }
        require_finite(s.weight, where, "weight");
        const population& src = populations[population_of(s.pre)];
        if (populations[population_of(s.post)].model == neuron_model_kind::spike_source) {
            fail(where, ": the target neuron is a spike_source and cannot receive synapses");
        }
        if (src.inhibitory ? s.weight > 0.0 : s.weight < 0.0) {
            fail(where, ": weight ", s.weight, " has the wrong sign for Dale's law: population '",
                 src.name, "' is ", src.inhibitory ? "inhibitory" : "excitatory",
                 src.inhibitory ? " (weights must be <= 0)" : " (weights must be >= 0)");
        }
        if (std::fabs(s.weight) > 3.0e38) {
            fail(where, ": |weight| ", s.weight, " does not fit a 32-bit float");
        }
        check_delay(s.delay_ms, dt_ms, where, "delay_ms");
    }

    const std::string stdp_where = "[stdp]";
    require_positive(stdp.tau_plus_ms, stdp_where, "tau_plus_ms");
    require_positive(stdp.tau_minus_ms, stdp_where, "tau_minus_ms");
    require_non_negative(stdp.a_plus, stdp_where, "a_plus");
    require_non_negative(stdp.a_minus, stdp_where, "a_minus");
    require_non_negative(stdp.learning_rate, stdp_where, "learning_rate");
    require_non_negative(stdp.metaplasticity_spikes, stdp_where, "metaplasticity_spikes");
    require_non_negative(stdp.metaplasticity_power, stdp_where, "metaplasticity_power");
    require_non_negative(stdp.w_min, stdp_where, "w_min");
    require_finite(stdp.w_max, stdp_where, "w_max");
    if (stdp.w_max < stdp.w_min) {
        fail("[stdp]: w_max (", stdp.w_max, ") must be >= w_min (", stdp.w_min, ")");
    }

    const std::string h_where = "[homeostasis]";
    require_non_negative(homeostasis.target_rate_hz, h_where, "target_rate_hz");
    require_positive(homeostasis.tau_rate_ms, h_where, "tau_rate_ms");
    require_finite(homeostasis.eta, h_where, "eta");
    if (homeostasis.threshold_max < homeostasis.threshold_min) {
        fail("[homeostasis]: threshold_max must be >= threshold_min");
    }

    const neuromodulation_params& nm = neuromodulation;
    const std::string m_where = "[neuromodulation]";
    for (const auto& [value, name] :
         {std::pair{nm.baseline, "baseline"}, std::pair{nm.w_novelty, "w_novelty"},
          std::pair{nm.w_surprise, "w_surprise"}, std::pair{nm.w_reward, "w_reward"},
          std::pair{nm.decay_surprise, "decay_surprise"},
          std::pair{nm.decay_reward, "decay_reward"}, std::pair{nm.m_min, "m_min"},
          std::pair{nm.m_max, "m_max"}}) {
        require_finite(value, m_where, name);
    }
    if (nm.history == 0 || nm.compare == 0 || nm.compare > nm.history) {
        fail("[neuromodulation]: need 1 <= compare <= history, got compare = ", nm.compare,
             ", history = ", nm.history);
    }
    if (nm.history > 100000) {
        fail("[neuromodulation]: history ", nm.history, " is larger than 100000 steps");
    }
    if (nm.m_max < nm.m_min) {
        fail("[neuromodulation]: m_max must be >= m_min");
    }

    const consolidation_params& cs = consolidation;
    const std::string c_where = "[consolidation]";
    require_positive(cs.interval_ms, c_where, "interval_ms");
    require_non_negative(cs.replay_plasticity, c_where, "replay_plasticity");
    require_non_negative(cs.prune_below, c_where, "prune_below");
    require_finite(cs.strengthen_factor, c_where, "strengthen_factor");
    if (!(cs.strengthen_fraction >= 0.0 && cs.strengthen_fraction <= 1.0)) {
        fail("[consolidation]: strengthen_fraction must be in [0, 1], got ",
             cs.strengthen_fraction);
    }
    if (cs.strengthen_factor < 1.0) {
        fail("[consolidation]: strengthen_factor must be >= 1, got ", cs.strengthen_factor);
    }
    if (cs.replay_buffer > 10000) {
        fail("[consolidation]: replay_buffer ", cs.replay_buffer, " is larger than 10000 patterns");
    }
    if (cs.replay_steps > 100000) {
        fail("[consolidation]: replay_steps ", cs.replay_steps, " is larger than 100000");
    }
    if (cs.schedule == consolidation_schedule_kind::activity && cs.activity_spikes == 0) {
        fail("[consolidation]: activity_spikes must be >= 1 with schedule = \"activity\"");
    }
    if (cs.schedule == consolidation_schedule_kind::interval && cs.interval_ms < dt_ms) {
        fail("[consolidation]: interval_ms (", cs.interval_ms, ") must be at least one step (",
             dt_ms, " ms)");
    }

    for (std::size_t k = 0; k < stimuli.size(); ++k) {
        const stimulus& s = stimuli[k];
        const std::string where = "stimulus " + std::to_string(k);
        if (static_cast<std::uint64_t>(s.first) + s.count > n) {
            fail(where, ": neurons [", s.first, ", ", static_cast<std::uint64_t>(s.first) + s.count,
                 ") exceed the network's ", n, " neurons");
        }
        require_finite(s.t_start_ms, where, "t_start_ms");
        require_finite(s.t_stop_ms, where, "t_stop_ms");
        require_non_negative(s.rate_hz, where, "rate_hz");
        require_finite(s.amplitude, where, "amplitude");
        if (s.kind == stimulus_kind::poisson_input) {
            if (s.sources == 0) {
                fail(where, ": poisson_input needs sources >= 1");
            }
            if (s.rate_hz * dt_ms / 1000.0 > 1.0) {
                fail(where, ": rate_hz ", s.rate_hz, " exceeds one event per step (dt = ", dt_ms,
                     " ms) per source");
            }
        }
        if (s.t_stop_ms < s.t_start_ms) {
            fail(where, ": t_stop_ms (", s.t_stop_ms, ") is before t_start_ms (", s.t_start_ms,
                 ")");
        }
    }
    for (std::size_t k = 0; k < input_spikes.size(); ++k) {
        const input_spike& s = input_spikes[k];
        if (s.neuron >= n) {
            fail("input spike ", k, ": neuron ", s.neuron, " is out of range (the network has ", n,
                 " neurons)");
        }
        if (!std::isfinite(s.time_ms) || s.time_ms < 0.0) {
            fail("input spike ", k, ": time_ms must be a finite number >= 0, got ", s.time_ms);
        }
    }
}

network_spec make_hebsnn(std::uint32_t n_sensory, std::uint32_t n_associative,
                         std::uint32_t n_inhibitory, std::uint32_t n_output,
                         double connectivity_density, std::uint64_t seed) {
    network_spec net;
    net.seed = seed;
    net.dt_ms = 1.0;
    net.duration_ms = 100.0;
    const auto add = [&](const char* name, population_kind kind, std::uint32_t size) {
        if (size == 0) {
            return;
        }
        population p;
        p.name = name;
        p.kind = kind;
        p.size = size;
        p.inhibitory = kind == population_kind::inhibitory;
        p.lif = default_lif_params(kind);
        net.populations.push_back(p);
    };
    add("sensory", population_kind::sensory, n_sensory);
    add("associative", population_kind::associative, n_associative);
    add("inhibitory", population_kind::inhibitory, n_inhibitory);
    add("output", population_kind::output, n_output);

    // Weights: the JAXHebSNN draw clip(0.1 * lognormal(0, 0.5), 0.01, 1) (ORIGINAL.md §2.2),
    // scaled per pathway so that the network neither stays silent nor runs away
    // (docs/model.md "The HebSNN network" gives the reasoning and the measured rates).
    const auto connect = [&](const char* src, const char* dst, double scale, bool plastic) {
        bool have_src = false;
        bool have_dst = false;
        for (const auto& p : net.populations) {
            have_src = have_src || p.name == src;
            have_dst = have_dst || p.name == dst;
        }
        if (!have_src || !have_dst) {
            return;
        }
        projection pr;
        pr.source = src;
        pr.target = dst;
        pr.rule = connect_rule_kind::bernoulli;
        pr.density = connectivity_density;
        // clip(0.1 lognormal, 0.01, 1) scaled: the clip bounds, and the STDP amplitudes and
        // bounds, scale with the weights.
        pr.weight = {weight_dist_kind::lognormal, std::log(0.1), 0.5, scale, 0.01 * scale, scale};
        pr.stdp_scale = scale;
        pr.delay_min_ms = 1.0;
        pr.delay_max_ms = 5.0;
        pr.plastic = plastic;
        net.projections.push_back(pr);
    };
    const double d = connectivity_density > 0 ? connectivity_density : 1.0;
    // Per-pathway gains, normalised by the expected in-degree so that the mean input per
    // presynaptic spike rate does not grow with network size.
    const auto per_input = [&](std::uint32_t n_src, double total) {
        const double k = std::max(1.0, d * n_src);
        return total / k;
    };
    connect("sensory", "associative", per_input(n_sensory, 40.0), true);
    connect("associative", "associative", per_input(n_associative, 40.0), true);
    connect("associative", "inhibitory", per_input(n_associative, 60.0), false);
    connect("inhibitory", "associative", per_input(n_inhibitory, 120.0), false);
    connect("inhibitory", "inhibitory", per_input(n_inhibitory, 20.0), false);
    connect("associative", "output", per_input(n_associative, 40.0), true);
    connect("inhibitory", "output", per_input(n_inhibitory, 80.0), false);
    connect("output", "inhibitory", per_input(n_output, 20.0), false);

    // Balanced STDP in units of each pathway's weight scale (stdp_scale): A- = 1.05 A+ as in the
    // plan's regimes (ORIGINAL.md §1.7), with A+ = 0.005, 5 % of the median initial weight per
    // pairing before neuromodulation. The JAXHebSNN pair 0.05 / 0.02 (half the median weight
    // per pairing, potentiation-dominated) drives every correlated pathway to its bound and the
    // network runs away under training (docs/model.md).
    net.stdp.enabled = true;
    net.stdp.a_plus = 0.005;
    net.stdp.a_minus = 0.00525;
    net.homeostasis.enabled = true;
    for (auto& p : net.populations) {
        p.lif.homeostasis =
            p.kind == population_kind::associative || p.kind == population_kind::output;
    }
    net.neuromodulation.enabled = true;
    net.neuromodulation.kind = neuromodulation_kind::novelty;
    return net;
}

const char* to_string(population_kind kind) {
    switch (kind) {
        case population_kind::sensory: return "sensory";
        case population_kind::associative: return "associative";
        case population_kind::inhibitory: return "inhibitory";
        case population_kind::output: return "output";
        case population_kind::other: return "other";
    }
    return "?";
}
const char* to_string(neuron_model_kind kind) {
    return kind == neuron_model_kind::lif ? "lif" : "spike_source";
}
const char* to_string(weight_dist_kind kind) {
    switch (kind) {
        case weight_dist_kind::constant: return "constant";
        case weight_dist_kind::uniform: return "uniform";
        case weight_dist_kind::normal: return "normal";
        case weight_dist_kind::lognormal: return "lognormal";
    }
    return "?";
}
const char* to_string(connect_rule_kind kind) {
    return kind == connect_rule_kind::bernoulli ? "bernoulli" : "fixed_outdegree";
}
const char* to_string(stdp_kind kind) {
    return kind == stdp_kind::additive ? "additive" : "multiplicative";
}
const char* to_string(stdp_pairing_kind kind) {
    return kind == stdp_pairing_kind::all_to_all ? "all_to_all" : "nearest";
}
const char* to_string(neuromodulation_kind kind) {
    switch (kind) {
        case neuromodulation_kind::constant: return "constant";
        case neuromodulation_kind::novelty: return "novelty";
        case neuromodulation_kind::external: return "external";
    }
    return "?";
}
const char* to_string(consolidation_schedule_kind kind) {
    switch (kind) {
        case consolidation_schedule_kind::on_demand: return "on_demand";
        case consolidation_schedule_kind::interval: return "interval";
        case consolidation_schedule_kind::activity: return "activity";
    }
    return "?";
}
const char* to_string(stimulus_kind kind) {
    switch (kind) {
        case stimulus_kind::poisson: return "poisson";
        case stimulus_kind::current: return "current";
        case stimulus_kind::poisson_input: return "poisson_input";
    }
    return "?";
}

}  // namespace hebllm
