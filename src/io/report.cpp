// SPDX-License-Identifier: MIT
// Run reports: what `hebllm simulate` prints, as text or as one JSON object. Every benchmark
// figure comes with spikes and rates next to it (a silent network is not a fast one).

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include <hebllm/build_info.hpp>
#include <hebllm/engine.hpp>
#include <hebllm/io.hpp>

namespace hebllm {
namespace {

// printf-style append; the formats below are all short.
[[gnu::format(printf, 2, 3)]] void appendf(std::string& out, const char* format, ...) {
    char buffer[512];
    std::va_list args;
    va_start(args, format);
    const int n = std::vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    if (n > 0) {
        out.append(buffer, std::min(static_cast<std::size_t>(n), sizeof buffer - 1));
    }
}

// One line of JSON. Names come from user configs: invalid UTF-8 is replaced instead of throwing.
std::string json_line(const nlohmann::ordered_json& j) {
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace

run_summary summarize_run(const engine& eng, int threads, double construction_s) {
    run_summary s;
    const network_spec& spec = eng.spec();
    const run_stats stats = eng.stats();
    s.backend = std::string(eng.backend());
    s.threads = threads;
    s.neurons = eng.neuron_count();
    s.synapses = eng.synapse_count();
    s.dt_ms = spec.dt_ms;
    s.steps = stats.steps;  // since the last reset_stats() (a warm-up is not counted)
    s.simulated_ms = static_cast<double>(s.steps) * spec.dt_ms;
    s.seed = spec.seed;
    s.spikes = stats.spikes;
    const double seconds = s.simulated_ms / 1000.0;
    const std::vector<std::uint64_t> counts = eng.population_spike_counts();
    for (std::size_t i = 0; i < spec.populations.size(); ++i) {
        population_summary p;
        p.name = spec.populations[i].name;
        p.size = spec.populations[i].size;
        p.spikes = i < counts.size() ? counts[i] : 0;
        p.rate_hz = seconds > 0.0 && p.size > 0
                        ? static_cast<double>(p.spikes) / (static_cast<double>(p.size) * seconds)
                        : 0.0;
        s.populations.push_back(std::move(p));
    }
    s.mean_rate_hz = seconds > 0.0 && s.neurons > 0 ? static_cast<double>(s.spikes) /
                                                          (static_cast<double>(s.neurons) * seconds)
                                                    : 0.0;
    s.construction_s = construction_s;
    s.simulation_s = stats.wall_s;
    s.synaptic_events = stats.synaptic_events;
    s.synaptic_events_per_s =
        stats.wall_s > 0.0 ? static_cast<double>(stats.synaptic_events) / stats.wall_s : 0.0;
    s.synapse_bytes = eng.synapse_bytes();
    s.bytes_per_synapse =
        s.synapses > 0 ? static_cast<double>(s.synapse_bytes) / static_cast<double>(s.synapses)
                       : 0.0;
    s.forced_spikes_dropped = stats.forced_spikes_dropped;
    return s;
}

std::string format_summary_text(const run_summary& s) {
    std::string out;
    appendf(out, "backend           %s (%d thread%s)\n", s.backend.c_str(), s.threads,
            s.threads == 1 ? "" : "s");
    appendf(out, "network           %u neurons, %llu synapses, seed %llu\n", s.neurons,
            static_cast<unsigned long long>(s.synapses), static_cast<unsigned long long>(s.seed));
    appendf(out, "run               %lld steps of %g ms = %g ms simulated\n",
            static_cast<long long>(s.steps), s.dt_ms, s.simulated_ms);
    appendf(out, "spikes            %llu (mean rate %.3f Hz)\n",
            static_cast<unsigned long long>(s.spikes), s.mean_rate_hz);
    std::size_t width = 0;
    for (const population_summary& p : s.populations) {
        width = std::max(width, p.name.size());
    }
    for (const population_summary& p : s.populations) {
        appendf(out, "  %-*s  %8u neurons  %10llu spikes  %10.3f Hz\n", static_cast<int>(width),
                p.name.c_str(), p.size, static_cast<unsigned long long>(p.spikes), p.rate_hz);
    }
    if (s.forced_spikes_dropped > 0) {
        appendf(out, "dropped inputs    %llu forced spikes on refractory neurons\n",
                static_cast<unsigned long long>(s.forced_spikes_dropped));
    }
    appendf(out, "construction      %.6f s\n", s.construction_s);
    appendf(out, "simulation        %.6f s wall\n", s.simulation_s);
    appendf(out, "synaptic events   %llu (%.4g events/s)\n",
            static_cast<unsigned long long>(s.synaptic_events), s.synaptic_events_per_s);
    appendf(out, "synapse memory    %llu bytes (%.2f bytes/synapse)\n",
            static_cast<unsigned long long>(s.synapse_bytes), s.bytes_per_synapse);
    if (!s.record_path.empty()) {
        appendf(out, "recorded spikes   %s\n", s.record_path.c_str());
    }
    return out;
}

std::string format_summary_json(const run_summary& s) {
    // ordered_json keeps the keys in the order of run_summary, which reads better in a log.
    nlohmann::ordered_json j;
    j["backend"] = s.backend;
    j["threads"] = s.threads;
    j["neurons"] = s.neurons;
    j["synapses"] = s.synapses;
    j["dt_ms"] = s.dt_ms;
    j["steps"] = s.steps;
    j["simulated_ms"] = s.simulated_ms;
    j["seed"] = s.seed;
    j["spikes"] = s.spikes;
    j["mean_rate_hz"] = s.mean_rate_hz;
    nlohmann::ordered_json pops = nlohmann::ordered_json::array();
    for (const population_summary& p : s.populations) {
        nlohmann::ordered_json pj;
        pj["name"] = p.name;
        pj["size"] = p.size;
        pj["spikes"] = p.spikes;
        pj["rate_hz"] = p.rate_hz;
        pops.push_back(std::move(pj));
    }
    j["populations"] = std::move(pops);
    j["forced_spikes_dropped"] = s.forced_spikes_dropped;
    j["construction_s"] = s.construction_s;
    j["simulation_s"] = s.simulation_s;
    j["synaptic_events"] = s.synaptic_events;
    j["synaptic_events_per_s"] = s.synaptic_events_per_s;
    j["synapse_bytes"] = s.synapse_bytes;
    j["bytes_per_synapse"] = s.bytes_per_synapse;
    j["record_path"] = s.record_path.empty() ? nlohmann::ordered_json(nullptr)
                                             : nlohmann::ordered_json(s.record_path);
    return json_line(j);
}

std::string format_build_info_text(const build_info_t& info) {
    std::string out;
    appendf(out, "hebllm %s\n", info.version.c_str());
    appendf(out, "build type   %s\n", info.build_type.c_str());
    appendf(out, "compiler     %s\n", info.compiler.c_str());
    appendf(out, "options      %s\n", info.flags.c_str());
    std::string backends;
    for (const std::string& b : info.backends) {
        backends += (backends.empty() ? "" : ", ") + b;
    }
    appendf(out, "backends     %s\n", backends.c_str());
    appendf(out, "max threads  %d (OpenMP, cpu backend)\n", info.max_threads);
    return out;
}

std::string format_build_info_json(const build_info_t& info) {
    nlohmann::ordered_json j;
    j["version"] = info.version;
    j["build_type"] = info.build_type;
    j["compiler"] = info.compiler;
    j["flags"] = info.flags;
    j["backends"] = info.backends;
    j["max_threads"] = info.max_threads;
    return json_line(j);
}

}  // namespace hebllm
