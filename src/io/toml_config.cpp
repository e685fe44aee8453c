// SPDX-License-Identifier: MIT
// TOML network configs (docs/formats.md "Network configs"). Reading is strict: every key must
// be known, every value must have the right type, and every problem is a file_error with the
// line of the offending key. Range rules that belong to the model (sizes, densities, time
// constants, ...) are checked by network_spec::validate(); the reader checks only what it must
// to convert a value (an integer that does not fit, a density outside [0, 1] that would
// otherwise be reported without a line) and what only the file knows (names, duplicates,
// population-relative stimulus ranges).

#include <algorithm>
#include <charconv>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <iterator>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include <hebllm/errors.hpp>
#include <hebllm/io.hpp>
#include <hebllm/network.hpp>

#include "core/model_util.hpp"
#include "io/file_util.hpp"

namespace hebllm {
namespace {

// ---- enum names: one table per enum, used for reading and writing ---------------------------

template <class E>
struct enum_name {
    std::string_view name;
    E value;
};

constexpr enum_name<population_kind> population_kind_names[] = {
    {"sensory", population_kind::sensory},
    {"associative", population_kind::associative},
    {"inhibitory", population_kind::inhibitory},
    {"output", population_kind::output},
    {"other", population_kind::other}};
constexpr enum_name<neuron_model_kind> neuron_model_names[] = {
    {"lif", neuron_model_kind::lif}, {"spike_source", neuron_model_kind::spike_source}};
constexpr enum_name<weight_dist_kind> weight_dist_names[] = {
    {"constant", weight_dist_kind::constant},
    {"uniform", weight_dist_kind::uniform},
    {"normal", weight_dist_kind::normal},
    {"lognormal", weight_dist_kind::lognormal}};
constexpr enum_name<connect_rule_kind> connect_rule_names[] = {
    {"bernoulli", connect_rule_kind::bernoulli},
    {"fixed_outdegree", connect_rule_kind::fixed_outdegree}};
constexpr enum_name<stdp_kind> stdp_kind_names[] = {{"additive", stdp_kind::additive},
                                                    {"multiplicative", stdp_kind::multiplicative}};
constexpr enum_name<stdp_pairing_kind> stdp_pairing_names[] = {
    {"all_to_all", stdp_pairing_kind::all_to_all}, {"nearest", stdp_pairing_kind::nearest}};
constexpr enum_name<neuromodulation_kind> neuromodulation_kind_names[] = {
    {"constant", neuromodulation_kind::constant},
    {"novelty", neuromodulation_kind::novelty},
    {"external", neuromodulation_kind::external}};
constexpr enum_name<consolidation_schedule_kind> consolidation_schedule_names[] = {
    {"on_demand", consolidation_schedule_kind::on_demand},
    {"interval", consolidation_schedule_kind::interval},
    {"activity", consolidation_schedule_kind::activity}};
constexpr enum_name<stimulus_kind> stimulus_kind_names[] = {
    {"poisson", stimulus_kind::poisson},
    {"current", stimulus_kind::current},
    {"poisson_input", stimulus_kind::poisson_input}};

template <class E, std::size_t N>
std::string_view name_of(const enum_name<E> (&names)[N], E value) {
    for (const auto& n : names) {
        if (n.value == value) {
            return n.name;
        }
    }
    throw internal_error("io: enum value without a name");
}

// ---- key lists: what each table may contain ------------------------------------------------

using key_list = std::span<const std::string_view>;

// clang-format off
constexpr std::string_view top_keys[] = {
    "simulation", "hebsnn", "population", "projection", "stdp", "homeostasis",
    "neuromodulation", "consolidation", "stimulus", "files"};
constexpr std::string_view simulation_keys[] = {"dt_ms", "duration_ms", "seed"};
constexpr std::string_view hebsnn_keys[] = {
    "sensory", "associative", "inhibitory", "output", "density"};
constexpr std::string_view population_keys[] = {
    "name", "kind", "model", "size", "inhibitory", "neurons_per_token",
    // lif_params
    "tau_m_ms", "v_rest", "v_reset", "v_threshold", "refractory_ms", "tau_syn_ms", "resistance",
    "bias_current", "v_init_min", "v_init_max", "adapt_increment", "adapt_tau_ms", "escape_width", "escape_rate_hz",
    "quiet_below", "homeostasis"};
constexpr std::string_view projection_keys[] = {
    "source", "target", "rule", "density", "outdegree", "autapses", "plastic", "delay_min_ms",
    "delay_max_ms", "weight", "stdp_scale"};
constexpr std::string_view weight_keys[] = {"dist", "a", "b", "scale", "min", "max"};
constexpr std::string_view stdp_keys[] = {
    "enabled", "kind", "pairing", "a_plus", "a_minus", "tau_plus_ms", "tau_minus_ms", "w_min",
    "w_max", "learning_rate", "metaplasticity_spikes", "metaplasticity_power"};
constexpr std::string_view homeostasis_keys[] = {
    "enabled", "target_rate_hz", "tau_rate_ms", "eta", "threshold_min", "threshold_max"};
constexpr std::string_view neuromodulation_keys[] = {
    "enabled", "kind", "baseline", "w_novelty", "w_surprise", "w_reward", "decay_surprise",
    "decay_reward", "history", "compare", "m_min", "m_max"};
constexpr std::string_view consolidation_keys[] = {
    "enabled", "schedule", "interval_ms", "activity_spikes", "replay_buffer", "replay_steps",
    "replay_plasticity", "strengthen_fraction", "strengthen_factor", "prune_below"};
constexpr std::string_view stimulus_keys[] = {
    "kind", "population", "first", "count", "t_start_ms", "t_stop_ms", "rate_hz", "amplitude",
    "sources"};
constexpr std::string_view files_keys[] = {"synapses", "input_spikes"};
// clang-format on

// ---- field lists: the keys of a parameter table and the members they hold, in file order ---
// One list serves both reading and writing. f(key, member) is called for each field, or
// f(key, member, names) for an enum; P is the parameter struct, const for writing.

template <class P, class T>
concept params_of = std::same_as<std::remove_const_t<P>, T>;

template <params_of<lif_params> P, class F>
void for_each_field(P& p, F&& f) {
    f("tau_m_ms", p.tau_m_ms);
    f("v_rest", p.v_rest);
    f("v_reset", p.v_reset);
    f("v_threshold", p.v_threshold);
    f("refractory_ms", p.refractory_ms);
    f("tau_syn_ms", p.tau_syn_ms);
    f("resistance", p.resistance);
    f("bias_current", p.bias_current);
    f("v_init_min", p.v_init_min);
    f("v_init_max", p.v_init_max);
    f("adapt_increment", p.adapt_increment);
    f("adapt_tau_ms", p.adapt_tau_ms);
    f("escape_width", p.escape_width);
    f("escape_rate_hz", p.escape_rate_hz);
    f("quiet_below", p.quiet_below);
    f("homeostasis", p.homeostasis);
}

template <params_of<stdp_params> P, class F>
void for_each_field(P& p, F&& f) {
    f("enabled", p.enabled);
    f("kind", p.kind, stdp_kind_names);
    f("pairing", p.pairing, stdp_pairing_names);
    f("a_plus", p.a_plus);
    f("a_minus", p.a_minus);
    f("tau_plus_ms", p.tau_plus_ms);
    f("tau_minus_ms", p.tau_minus_ms);
    f("w_min", p.w_min);
    f("w_max", p.w_max);
    f("learning_rate", p.learning_rate);
    f("metaplasticity_spikes", p.metaplasticity_spikes);
    f("metaplasticity_power", p.metaplasticity_power);
}

template <params_of<homeostasis_params> P, class F>
void for_each_field(P& p, F&& f) {
    f("enabled", p.enabled);
    f("target_rate_hz", p.target_rate_hz);
    f("tau_rate_ms", p.tau_rate_ms);
    f("eta", p.eta);
    f("threshold_min", p.threshold_min);
    f("threshold_max", p.threshold_max);
}

template <params_of<neuromodulation_params> P, class F>
void for_each_field(P& p, F&& f) {
    f("enabled", p.enabled);
    f("kind", p.kind, neuromodulation_kind_names);
    f("baseline", p.baseline);
    f("w_novelty", p.w_novelty);
    f("w_surprise", p.w_surprise);
    f("w_reward", p.w_reward);
    f("decay_surprise", p.decay_surprise);
    f("decay_reward", p.decay_reward);
    f("history", p.history);
    f("compare", p.compare);
    f("m_min", p.m_min);
    f("m_max", p.m_max);
}

template <params_of<consolidation_params> P, class F>
void for_each_field(P& p, F&& f) {
    f("enabled", p.enabled);
    f("schedule", p.schedule, consolidation_schedule_names);
    f("interval_ms", p.interval_ms);
    f("activity_spikes", p.activity_spikes);
    f("replay_buffer", p.replay_buffer);
    f("replay_steps", p.replay_steps);
    f("replay_plasticity", p.replay_plasticity);
    f("strengthen_fraction", p.strengthen_fraction);
    f("strengthen_factor", p.strengthen_factor);
    f("prune_below", p.prune_below);
}

// ---- helpers ----------------------------------------------------------------------------------

std::size_t line_of(const toml::node& node) {
    return node.source().begin.line;
}

const char* type_name(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::none: return "nothing";
        case toml::node_type::table: return "table";
        case toml::node_type::array: return "array";
        case toml::node_type::string: return "string";
        case toml::node_type::integer: return "integer";
        case toml::node_type::floating_point: return "float";
        case toml::node_type::boolean: return "boolean";
        case toml::node_type::date: return "date";
        case toml::node_type::time: return "time";
        case toml::node_type::date_time: return "date-time";
    }
    return "unknown type";
}

// Edit distance counting a swap of two neighbours as one edit (optimal string alignment),
// for "did you mean" hints on misspelt keys ("stpd" -> "stdp" is one edit).
std::size_t edit_distance(std::string_view a, std::string_view b) {
    const std::size_t w = b.size() + 1;
    std::vector<std::size_t> d((a.size() + 1) * w);
    for (std::size_t i = 0; i <= a.size(); ++i) {
        d[i * w] = i;
    }
    for (std::size_t j = 0; j <= b.size(); ++j) {
        d[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            std::size_t best = std::min(
                {d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1, d[(i - 1) * w + j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                best = std::min(best, d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = best;
        }
    }
    return d[a.size() * w + b.size()];
}

std::string suggestion(std::string_view key, key_list allowed) {
    std::string_view best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (const std::string_view k : allowed) {
        const std::size_t d = edit_distance(key, k);
        if (d < best_distance) {
            best_distance = d;
            best = k;
        }
    }
    // A third of the key's length: catches typos without suggesting unrelated names.
    if (best_distance <= std::max<std::size_t>(1, key.size() / 3)) {
        return " (did you mean '" + std::string(best) + "'?)";
    }
    return "";
}

std::string in_quotes(std::string_view s) {
    return "'" + std::string(s) + "'";
}

// Reads the keys of one table with type checks; every error names the file, the line of the
// key and the table (its context, e.g. "[[population]] 'exc'").
class table_reader {
public:
    table_reader(const toml::table& table, const std::string& file, std::string context)
        : table_(table), file_(file), context_(std::move(context)) {}

    void rename(std::string context) { context_ = std::move(context); }
    const std::string& context() const { return context_; }
    const toml::table& table() const { return table_; }

    std::size_t table_line() const { return line_of(table_); }
    std::size_t line(std::string_view key) const {
        const toml::node* n = table_.get(key);
        const std::size_t l = n != nullptr ? line_of(*n) : 0;
        return l != 0 ? l : table_line();
    }
    bool has(std::string_view key) const { return table_.contains(key); }

    [[noreturn]] void fail_at(std::size_t line, const std::string& problem,
                              const std::string& hint = "") const {
        throw file_error(file_, line, problem + " in " + context_ + hint);
    }
    [[noreturn]] void fail(std::string_view key, const std::string& problem) const {
        fail_at(line(key), problem);
    }
    [[noreturn]] void missing(std::string_view key) const {
        fail_at(table_line(), "missing required key " + in_quotes(key));
    }

    // Every key must be in allowed; the first unknown one (by line) is reported.
    void check_keys(key_list allowed) const {
        const toml::key* worst = nullptr;
        std::size_t worst_line = 0;
        for (auto&& [k, v] : table_) {
            if (std::find(allowed.begin(), allowed.end(), k.str()) != allowed.end()) {
                continue;
            }
            std::size_t l = k.source().begin.line;
            if (l == 0) {
                l = line_of(v);
            }
            if (worst == nullptr || l < worst_line) {
                worst = &k;
                worst_line = l;
            }
        }
        if (worst != nullptr) {
            fail_at(worst_line != 0 ? worst_line : table_line(),
                    "unknown key " + in_quotes(worst->str()), suggestion(worst->str(), allowed));
        }
    }

    bool read(std::string_view key, double& out) const {
        const toml::node* n = table_.get(key);
        if (n == nullptr) {
            return false;
        }
        if (const auto* f = n->as_floating_point()) {
            if (std::isnan(f->get())) {
                fail(key, in_quotes(key) + " must be a number, got nan");
            }
            out = f->get();
        } else if (const auto* i = n->as_integer()) {
            out = static_cast<double>(i->get());
        } else {
            fail(key, in_quotes(key) + " must be a number, got " + type_name(*n));
        }
        return true;
    }

    bool read(std::string_view key, bool& out) const {
        return read_as(key, out, "a boolean (true or false)");
    }
    bool read(std::string_view key, std::string& out) const {
        return read_as(key, out, "a string");
    }

    // An integer in [min, 2^32 - 1]; a negative value is reported as such, never wrapped.
    bool read_u32(std::string_view key, std::uint32_t& out, std::uint32_t min = 0) const {
        const std::int64_t* i = value_of<std::int64_t>(key, "an integer");
        if (i == nullptr) {
            return false;
        }
        const std::int64_t v = *i;
        constexpr std::int64_t max = std::numeric_limits<std::uint32_t>::max();
        if (v < static_cast<std::int64_t>(min) || v > max) {
            fail(key, in_quotes(key) + " must be an integer in [" + std::to_string(min) + ", " +
                          std::to_string(max) + "], got " + std::to_string(v));
        }
        out = static_cast<std::uint32_t>(v);
        return true;
    }

    // A non-negative integer, or a string of decimal digits for values above 2^63 - 1 (TOML
    // integers are signed 64-bit).
    bool read_u64(std::string_view key, std::uint64_t& out) const {
        const toml::node* n = table_.get(key);
        if (n == nullptr) {
            return false;
        }
        if (const auto* i = n->as_integer()) {
            if (i->get() < 0) {
                fail(key, in_quotes(key) + " must be a non-negative integer, got " +
                              std::to_string(i->get()));
            }
            out = static_cast<std::uint64_t>(i->get());
        } else if (const auto* s = n->as_string()) {
            const std::string& text = s->get();
            const char* end = text.data() + text.size();
            const auto r = std::from_chars(text.data(), end, out);
            if (r.ec != std::errc() || r.ptr != end || text.empty()) {
                fail(key, in_quotes(key) +
                              " must be a non-negative integer (or a string of decimal "
                              "digits up to 18446744073709551615), got \"" +
                              text + "\"");
            }
        } else {
            fail(key, in_quotes(key) + " must be a non-negative integer, got " + type_name(*n));
        }
        return true;
    }

    template <class E, std::size_t N>
    bool read_enum(std::string_view key, E& out, const enum_name<E> (&names)[N]) const {
        std::string text;
        if (!read(key, text)) {
            return false;
        }
        std::string choices;
        for (const auto& n : names) {
            if (n.name == text) {
                out = n.value;
                return true;
            }
            choices += (choices.empty() ? "" : "|") + std::string(n.name);
        }
        fail(key, in_quotes(key) + " must be one of " + choices + ", got \"" + text + "\"");
    }

    // A probability-like value in [0, 1]: checked here so the error carries its line.
    bool read_fraction(std::string_view key, double& out) const {
        double v = out;
        if (!read(key, v)) {
            return false;
        }
        if (!(v >= 0.0 && v <= 1.0)) {
            fail(key, in_quotes(key) + " must be in [0, 1], got " + io_detail::format_double(v));
        }
        out = v;
        return true;
    }

private:
    // The value of key if it is a T (bool, std::string or std::int64_t), nullptr if key is
    // absent; a value of another type is reported as "'key' must be <what>, got <type>".
    template <class T>
    const T* value_of(std::string_view key, const char* what) const {
        const toml::node* n = table_.get(key);
        if (n == nullptr) {
            return nullptr;
        }
        const toml::value<T>* v = n->as<T>();
        if (v == nullptr) {
            fail(key, in_quotes(key) + " must be " + what + ", got " + type_name(*n));
        }
        return &v->get();
    }

    template <class T>
    bool read_as(std::string_view key, T& out, const char* what) const {
        const T* v = value_of<T>(key, what);
        if (v != nullptr) {
            out = *v;
        }
        return v != nullptr;
    }

    const toml::table& table_;
    const std::string& file_;
    std::string context_;
};

// Reads the fields of a parameter struct (for_each_field) that the table has.
struct field_reader {
    const table_reader& r;
    void operator()(std::string_view key, double& v) const { r.read(key, v); }
    void operator()(std::string_view key, bool& v) const { r.read(key, v); }
    void operator()(std::string_view key, std::uint32_t& v) const { r.read_u32(key, v); }
    template <class E, std::size_t N>
    void operator()(std::string_view key, E& v, const enum_name<E> (&names)[N]) const {
        r.read_enum(key, v, names);
    }
};

// Reads a whole TOML document into a network_spec (without validating it).
class config_reader {
public:
    config_reader(const toml::table& root, const std::string& file, std::filesystem::path base_dir)
        : root_(root), file_(file), base_dir_(std::move(base_dir)) {}

    network_spec read() {
        check_top_keys();

        // [simulation] is read first: [hebsnn] needs the seed.
        std::optional<double> dt_ms, duration_ms;
        std::optional<std::uint64_t> seed;
        if (const toml::table* t = table_at("simulation")) {
            table_reader r(*t, file_, "[simulation]");
            r.check_keys(simulation_keys);
            double v = 0.0;
            if (r.read("dt_ms", v)) {
                dt_ms = v;
            }
            if (r.read("duration_ms", v)) {
                duration_ms = v;
            }
            std::uint64_t s = 0;
            if (r.read_u64("seed", s)) {
                seed = s;
            }
        }

        const std::vector<const toml::table*> populations = tables_at("population");
        const std::vector<const toml::table*> projections = tables_at("projection");
        network_spec spec;
        if (const toml::table* t = table_at("hebsnn")) {
            table_reader r(*t, file_, "[hebsnn]");
            r.check_keys(hebsnn_keys);
            const toml::table* clash = !populations.empty()   ? populations.front()
                                       : !projections.empty() ? projections.front()
                                                              : nullptr;
            if (clash != nullptr) {
                throw file_error(
                    file_, line_of(*clash),
                    std::string(!populations.empty() ? "[[population]]" : "[[projection]]") +
                        " cannot be combined with [hebsnn] (line " +
                        std::to_string(r.table_line()) +
                        "), which builds the populations and projections itself");
            }
            // Defaults: the seed example (200 + 1000 + 200 + 200 neurons, density 0.1).
            std::uint32_t sensory = 200, associative = 1000, inhibitory = 200, output = 200;
            double density = 0.1;
            r.read_u32("sensory", sensory);
            r.read_u32("associative", associative);
            r.read_u32("inhibitory", inhibitory);
            r.read_u32("output", output);
            r.read_fraction("density", density);
            try {
                spec = make_hebsnn(sensory, associative, inhibitory, output, density,
                                   seed.value_or(spec.seed));
            } catch (const model_error& e) {
                throw file_error(file_, r.table_line(), std::string(e.what()) + " in [hebsnn]");
            }
        }
        if (dt_ms) {
            spec.dt_ms = *dt_ms;
        }
        if (duration_ms) {
            spec.duration_ms = *duration_ms;
        }
        if (seed) {
            spec.seed = *seed;
        }

        for (std::size_t i = 0; i < populations.size(); ++i) {
            read_population(*populations[i], i, spec);
        }
        for (std::size_t i = 0; i < projections.size(); ++i) {
            read_projection(*projections[i], i, spec);
        }

        if (const toml::table* t = table_at("stdp")) {
            read_params(*t, "[stdp]", stdp_keys, spec.stdp);
        }
        if (const toml::table* t = table_at("homeostasis")) {
            read_params(*t, "[homeostasis]", homeostasis_keys, spec.homeostasis);
        }
        if (const toml::table* t = table_at("neuromodulation")) {
            read_params(*t, "[neuromodulation]", neuromodulation_keys, spec.neuromodulation);
        }
        if (const toml::table* t = table_at("consolidation")) {
            read_params(*t, "[consolidation]", consolidation_keys, spec.consolidation);
        }
        const std::vector<const toml::table*> stimuli = tables_at("stimulus");
        for (std::size_t i = 0; i < stimuli.size(); ++i) {
            read_stimulus(*stimuli[i], i, spec);
        }
        if (const toml::table* t = table_at("files")) {
            read_files(*t, spec);
        }
        return spec;
    }

private:
    void check_top_keys() const {
        for (auto&& [k, v] : root_) {
            if (std::find(std::begin(top_keys), std::end(top_keys), k.str()) !=
                std::end(top_keys)) {
                continue;
            }
            std::size_t l = k.source().begin.line;
            if (l == 0) {
                l = line_of(v);
            }
            std::string what = "unknown key " + in_quotes(k.str());
            if (v.is_table()) {
                what = "unknown table [" + std::string(k.str()) + "]";
            }
            if (v.is_array_of_tables()) {
                what = "unknown table [[" + std::string(k.str()) + "]]";
            }
            throw file_error(file_, l, what + suggestion(k.str(), top_keys));
        }
    }

    // A top-level table such as [stdp], or nullptr if absent.
    const toml::table* table_at(std::string_view key) const {
        const toml::node* n = root_.get(key);
        if (n == nullptr) {
            return nullptr;
        }
        if (const toml::table* t = n->as_table()) {
            return t;
        }
        throw file_error(file_, line_of(*n),
                         in_quotes(key) + " must be a table ([" + std::string(key) + "]), got " +
                             (n->is_array_of_tables()
                                  ? std::string("an array of tables [[") + std::string(key) + "]]"
                                  : std::string(type_name(*n))));
    }

    // The tables of an array of tables such as [[population]], in file order.
    std::vector<const toml::table*> tables_at(std::string_view key) const {
        std::vector<const toml::table*> result;
        const toml::node* n = root_.get(key);
        if (n == nullptr) {
            return result;
        }
        const toml::array* a = n->as_array();
        if (a == nullptr) {
            throw file_error(file_, line_of(*n),
                             in_quotes(key) + " must be an array of tables ([[" + std::string(key) +
                                 "]]), got " +
                                 (n->is_table() ? "a single table [" + std::string(key) + "]"
                                                : std::string(type_name(*n))));
        }
        for (const toml::node& element : *a) {
            const toml::table* t = element.as_table();
            if (t == nullptr) {
                const std::size_t l = line_of(element);
                throw file_error(file_, l != 0 ? l : line_of(*n),
                                 in_quotes(key) + " must be an array of tables ([[" +
                                     std::string(key) + "]]), but an element is a " +
                                     type_name(element));
            }
            result.push_back(t);
        }
        return result;
    }

    void read_population(const toml::table& t, std::size_t index, network_spec& spec) {
        table_reader r(t, file_, "[[population]] #" + std::to_string(index + 1));
        population pop;
        if (!r.read("name", pop.name)) {
            r.missing("name");
        }
        if (pop.name.empty()) {
            r.fail("name", "'name' must not be empty");
        }
        r.rename("[[population]] " + in_quotes(pop.name));
        r.check_keys(population_keys);
        for (std::size_t j = 0; j < spec.populations.size(); ++j) {
            if (spec.populations[j].name == pop.name) {
                r.fail("name", "duplicate population name " + in_quotes(pop.name) +
                                   " (first declared at line " +
                                   std::to_string(population_lines_[j]) + ")");
            }
        }
        r.read_enum("kind", pop.kind, population_kind_names);
        r.read_enum("model", pop.model, neuron_model_names);
        if (!r.read_u32("size", pop.size, 1)) {
            r.missing("size");
        }
        pop.inhibitory = pop.kind == population_kind::inhibitory;
        r.read("inhibitory", pop.inhibitory);
        r.read_u32("neurons_per_token", pop.neurons_per_token);
        pop.lif = default_lif_params(pop.kind);
        for_each_field(pop.lif, field_reader{r});
        spec.populations.push_back(std::move(pop));
        population_lines_.push_back(r.line("name"));
    }

    // The population called name, or a file_error at key's line listing the known names.
    const population& find_population(const table_reader& r, std::string_view key,
                                      const std::string& name, const network_spec& spec) const {
        std::string known;
        for (const population& p : spec.populations) {
            if (p.name == name) {
                return p;
            }
            known += (known.empty() ? "" : ", ") + p.name;
        }
        r.fail(key, "unknown population " + in_quotes(name) + " in " + in_quotes(key) +
                        (known.empty() ? " (no populations are declared)"
                                       : " (populations: " + known + ")"));
    }

    void read_projection(const toml::table& t, std::size_t index, network_spec& spec) const {
        table_reader r(t, file_, "[[projection]] #" + std::to_string(index + 1));
        projection proj;
        if (!r.read("source", proj.source)) {
            r.missing("source");
        }
        if (!r.read("target", proj.target)) {
            r.missing("target");
        }
        r.rename("[[projection]] " + in_quotes(proj.source) + " -> " + in_quotes(proj.target));
        r.check_keys(projection_keys);
        find_population(r, "source", proj.source, spec);
        // A target may be a '+'-joined union of populations ("E+I").
        for (const std::string& name : detail::split_union(proj.target)) {
            find_population(r, "target", name, spec);
        }
        r.read_enum("rule", proj.rule, connect_rule_names);
        r.read_fraction("density", proj.density);
        r.read_u32("outdegree", proj.outdegree);
        r.read("autapses", proj.autapses);
        r.read("plastic", proj.plastic);
        r.read("delay_min_ms", proj.delay_min_ms);
        r.read("delay_max_ms", proj.delay_max_ms);
        r.read("stdp_scale", proj.stdp_scale);
        if (const toml::node* w = t.get("weight")) {
            const toml::table* wt = w->as_table();
            if (wt == nullptr) {
                r.fail("weight",
                       "'weight' must be a table such as { dist = \"constant\", a = 0.1 }, got " +
                           std::string(type_name(*w)));
            }
            table_reader wr(*wt, file_, "'weight' of " + r.context());
            wr.check_keys(weight_keys);
            wr.read_enum("dist", proj.weight.kind, weight_dist_names);
            wr.read("a", proj.weight.a);
            wr.read("b", proj.weight.b);
            wr.read("scale", proj.weight.scale);
            wr.read("min", proj.weight.clip_min);
            wr.read("max", proj.weight.clip_max);
        }
        spec.projections.push_back(std::move(proj));
    }

    // A parameter table such as [stdp]: only the keys of its field list, each optional.
    template <class P>
    void read_params(const toml::table& t, const std::string& context, key_list keys, P& p) const {
        table_reader r(t, file_, context);
        r.check_keys(keys);
        for_each_field(p, field_reader{r});
    }

    void read_stimulus(const toml::table& t, std::size_t index, network_spec& spec) const {
        table_reader r(t, file_, "[[stimulus]] #" + std::to_string(index + 1));
        r.check_keys(stimulus_keys);
        stimulus s;
        if (!r.read_enum("kind", s.kind, stimulus_kind_names)) {
            r.missing("kind");
        }
        r.read_u32("first", s.first);
        const bool has_count = r.read_u32("count", s.count);
        std::string population_name;
        if (r.read("population", population_name)) {
            // first/count are relative to the population; count defaults to the rest of it.
            const population& p = find_population(r, "population", population_name, spec);
            if (s.first >= p.size) {
                r.fail("first", "'first' = " + std::to_string(s.first) + " is outside population " +
                                    in_quotes(p.name) + " of size " + std::to_string(p.size));
            }
            if (!has_count) {
                s.count = p.size - s.first;
            }
            if (s.count > p.size - s.first) {
                r.fail("count", "neurons [" + std::to_string(s.first) + ", " +
                                    std::to_string(std::uint64_t{s.first} + s.count) +
                                    ") are outside population " + in_quotes(p.name) + " of size " +
                                    std::to_string(p.size));
            }
            s.first += spec.offset(p.name);
        } else if (!has_count) {
            r.fail_at(r.table_line(),
                      "missing required key 'count' (or give 'population' to drive a "
                      "whole population)");
        }
        r.read("t_start_ms", s.t_start_ms);
        if (!r.read("t_stop_ms", s.t_stop_ms)) {
            r.missing("t_stop_ms");
        }
        if (!r.read("rate_hz", s.rate_hz) && s.kind != stimulus_kind::current) {
            r.missing("rate_hz");
        }
        if (!r.read("amplitude", s.amplitude) && s.kind != stimulus_kind::poisson) {
            r.missing("amplitude");
        }
        if (!r.read_u32("sources", s.sources) && s.kind == stimulus_kind::poisson_input) {
            r.missing("sources");
        }
        spec.stimuli.push_back(s);
    }

    // Reads a CSV named in [files]; a file that cannot be opened is reported with the config
    // line that names it.
    template <class Reader>
    auto read_listed_file(const table_reader& r, std::string_view key, Reader reader) const {
        std::string name;
        r.read(key, name);
        if (name.empty()) {
            r.fail(key, in_quotes(key) + " must name a file");
        }
        std::filesystem::path path(name);
        if (path.is_relative()) {
            path = base_dir_ / path;
        }
        try {
            return reader(path);
        } catch (const file_error& e) {
            if (e.line() != 0) {
                throw;
            }
            throw file_error(e.file(), 0,
                             std::string(e.what()).substr(e.file().size() + 2) + " (named by " +
                                 in_quotes(key) + " in [files] at " + file_ + ":" +
                                 std::to_string(r.line(key)) + ")");
        }
    }

    void read_files(const toml::table& t, network_spec& spec) const {
        table_reader r(t, file_, "[files]");
        r.check_keys(files_keys);
        if (r.has("synapses")) {
            std::vector<synapse_entry> synapses = read_listed_file(
                r, "synapses", [](const std::filesystem::path& p) { return read_synapses_csv(p); });
            spec.synapses.insert(spec.synapses.end(), synapses.begin(), synapses.end());
        }
        if (r.has("input_spikes")) {
            std::vector<input_spike> spikes = read_listed_file(
                r, "input_spikes",
                [](const std::filesystem::path& p) { return read_input_spikes_csv(p); });
            spec.input_spikes.insert(spec.input_spikes.end(), spikes.begin(), spikes.end());
        }
    }

    const toml::table& root_;
    const std::string& file_;
    std::filesystem::path base_dir_;
    std::vector<std::size_t> population_lines_;  // line of each population's name, for duplicates
};

// ---- writing ------------------------------------------------------------------------------

// A TOML float that reads back exactly: shortest round-trip digits, with ".0" added where
// std::to_chars prints an integer (TOML would read "1" as an integer).
void put_float(std::string& out, double v) {
    if (std::isnan(v)) {
        out += "nan";
        return;
    }
    if (std::isinf(v)) {
        out += v > 0 ? "inf" : "-inf";
        return;
    }
    const std::size_t start = out.size();
    io_detail::append_double(out, v);
    if (out.find_first_of(".eE", start) == std::string::npos) {
        out += ".0";
    }
}

void put_string(std::string& out, std::string_view s) {
    out += '"';
    for (const char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\f': out += "\\f"; break;
            case '\r': out += "\\r"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
                    static constexpr char hex[] = "0123456789ABCDEF";
                    out += "\\u00";
                    out += hex[(static_cast<unsigned char>(c) >> 4) & 0xF];
                    out += hex[static_cast<unsigned char>(c) & 0xF];
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

// Appends `key = value` lines.
class toml_writer {
public:
    explicit toml_writer(std::string& out) : out_(out) {}
    void key(std::string_view k) {
        out_ += k;
        out_ += " = ";
    }
    void num(std::string_view k, double v) {
        key(k);
        put_float(out_, v);
        out_ += '\n';
    }
    void uint(std::string_view k, std::uint64_t v) {
        key(k);
        if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            // Beyond TOML's signed 64-bit integers: written as a decimal string.
            out_ += '"';
            io_detail::append_uint(out_, v);
            out_ += '"';
        } else {
            io_detail::append_uint(out_, v);
        }
        out_ += '\n';
    }
    void boolean(std::string_view k, bool v) {
        key(k);
        out_ += v ? "true\n" : "false\n";
    }
    void str(std::string_view k, std::string_view v) {
        key(k);
        put_string(out_, v);
        out_ += '\n';
    }

private:
    std::string& out_;
};

// Writes every field of a parameter struct (for_each_field).
struct field_writer {
    toml_writer& w;
    void operator()(std::string_view key, const double& v) const { w.num(key, v); }
    void operator()(std::string_view key, const bool& v) const { w.boolean(key, v); }
    void operator()(std::string_view key, const std::uint32_t& v) const { w.uint(key, v); }
    template <class E, std::size_t N>
    void operator()(std::string_view key, const E& v, const enum_name<E> (&names)[N]) const {
        w.str(key, name_of(names, v));
    }
};

std::string to_toml(const network_spec& spec, const std::string& synapses_file,
                    const std::string& input_spikes_file) {
    std::string out;
    toml_writer w(out);
    out += "# hebllm network config (format: docs/formats.md), written by hebllm::save_network.\n";
    out += "\n[simulation]\n";
    w.num("dt_ms", spec.dt_ms);
    w.num("duration_ms", spec.duration_ms);
    w.uint("seed", spec.seed);

    for (const population& p : spec.populations) {
        out += "\n[[population]]\n";
        w.str("name", p.name);
        w.str("kind", name_of(population_kind_names, p.kind));
        w.str("model", name_of(neuron_model_names, p.model));
        w.uint("size", p.size);
        w.boolean("inhibitory", p.inhibitory);
        w.uint("neurons_per_token", p.neurons_per_token);
        for_each_field(p.lif, field_writer{w});
    }

    for (const projection& p : spec.projections) {
        out += "\n[[projection]]\n";
        w.str("source", p.source);
        w.str("target", p.target);
        w.str("rule", name_of(connect_rule_names, p.rule));
        w.num("density", p.density);
        w.uint("outdegree", p.outdegree);
        w.boolean("autapses", p.autapses);
        w.boolean("plastic", p.plastic);
        w.num("delay_min_ms", p.delay_min_ms);
        w.num("delay_max_ms", p.delay_max_ms);
        w.num("stdp_scale", p.stdp_scale);
        out += "weight = { dist = ";
        put_string(out, name_of(weight_dist_names, p.weight.kind));
        out += ", a = ";
        put_float(out, p.weight.a);
        out += ", b = ";
        put_float(out, p.weight.b);
        out += ", scale = ";
        put_float(out, p.weight.scale);
        out += ", min = ";
        put_float(out, p.weight.clip_min);
        out += ", max = ";
        put_float(out, p.weight.clip_max);
        out += " }\n";
    }

    out += "\n[stdp]\n";
    for_each_field(spec.stdp, field_writer{w});
    out += "\n[homeostasis]\n";
    for_each_field(spec.homeostasis, field_writer{w});
    out += "\n[neuromodulation]\n";
    for_each_field(spec.neuromodulation, field_writer{w});
    out += "\n[consolidation]\n";
    for_each_field(spec.consolidation, field_writer{w});

    for (const stimulus& s : spec.stimuli) {
        out += "\n[[stimulus]]\n";
        w.str("kind", name_of(stimulus_kind_names, s.kind));
        w.uint("first", s.first);
        w.uint("count", s.count);
        w.num("t_start_ms", s.t_start_ms);
        w.num("t_stop_ms", s.t_stop_ms);
        w.num("rate_hz", s.rate_hz);
        w.num("amplitude", s.amplitude);
        if (s.kind == stimulus_kind::poisson_input) {
            w.uint("sources", s.sources);
        }
    }

    if (!synapses_file.empty() || !input_spikes_file.empty()) {
        out += "\n[files]\n";
        if (!synapses_file.empty()) {
            w.str("synapses", synapses_file);
        }
        if (!input_spikes_file.empty()) {
            w.str("input_spikes", input_spikes_file);
        }
    }
    return out;
}

}  // namespace

network_spec parse_network(std::string_view toml_text, const std::filesystem::path& base_dir,
                           const std::string& source_name) {
    toml::table root;
    try {
        root = toml::parse(toml_text, source_name);
    } catch (const toml::parse_error& e) {
        throw file_error(source_name, e.source().begin.line, std::string(e.description()));
    }
    network_spec spec = config_reader(root, source_name, base_dir).read();
    try {
        spec.validate();
    } catch (const model_error& e) {
        throw file_error(source_name, 0, e.what());
    }
    return spec;
}

network_spec load_network(const std::filesystem::path& toml) {
    const std::string text = io_detail::read_file(toml);
    return parse_network(text, toml.parent_path(), toml.string());
}

void save_network(const network_spec& spec, const std::filesystem::path& toml) {
    const std::string stem = toml.stem().string();
    std::string synapses_file, input_spikes_file;
    // The CSVs first, so the config never names a file that is not there yet.
    if (!spec.synapses.empty()) {
        synapses_file = stem + ".synapses.csv";
        write_synapses_csv(toml.parent_path() / synapses_file, spec.synapses);
    }
    if (!spec.input_spikes.empty()) {
        input_spikes_file = stem + ".input_spikes.csv";
        write_input_spikes_csv(toml.parent_path() / input_spikes_file, spec.input_spikes);
    }
    io_detail::write_file_atomic(toml, to_toml(spec, synapses_file, input_spikes_file));
}

}  // namespace hebllm

namespace hebllm::io_detail {

// For checkpoints (src/io/checkpoint.cpp): the config without explicit synapses and input
// spikes, which the checkpoint stores in binary sections.
std::string network_toml_text(const network_spec& spec) {
    return to_toml(spec, "", "");
}

}  // namespace hebllm::io_detail
