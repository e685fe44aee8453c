// SPDX-License-Identifier: MIT
// The pattern-training workload of the original system's examples/optimized_demo.py
// (ORIGINAL.md §6.3, the source of "10 epochs on 8 patterns in ~15 seconds" at "1400+" neurons),
// written against the public API only.
//
// Network: make_hebsnn(200, 1000, 200, 200, 0.1) = 1,600 neurons (the "1400+" network).
// Patterns: 8 patterns of 3-4 distinct random sensory tokens (std::mt19937_64 seeded with
// --pattern-seed, so every run trains on the same patterns; the original's were unseeded).
// Training: epochs x patterns; before each pattern engine::reset_state() (the original's
// reset(): neuron state and input in transit, weights kept); token i of a pattern is presented
// during [20 i, 20 (i + 1)) ms by forcing its sensory neuron(s) to spike at 1000 Hz, i.e. every
// step at dt = 1 ms, as far as refractoriness allows (the engine drops forced spikes on
// refractory neurons); the pattern runs for 20 ms x its length.
//
// Output: one JSON line with the wall time of the training loop, the simulated time, spikes,
// synaptic events, STDP updates and the weight change, so that a silent or frozen network
// cannot pass for a fast one.
//
//   seed_training [--threads N] [--backend auto|reference|cpu] [--epochs E] [--patterns P]
//                 [--seed S] [--pattern-seed S] [--token-ms MS]

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <hebllm/hebllm.hpp>

namespace {

struct options {
    int threads = 0;
    std::string backend = "auto";
    int epochs = 10;
    int patterns = 8;
    std::uint64_t seed = 42;  // network seed (the original's seed=42)
    std::uint64_t pattern_seed = 1;
    double token_ms = 20.0;
};

[[noreturn]] void usage(const char* message) {
    std::fprintf(stderr,
                 "seed_training: %s\nusage: seed_training [--threads N] [--backend NAME] "
                 "[--epochs E] [--patterns P] [--seed S] [--pattern-seed S] [--token-ms MS]\n",
                 message);
    std::exit(2);
}

long long parse_int(const char* text, long long lo, long long hi) {
    char* end = nullptr;
    const long long v = std::strtoll(text, &end, 10);
    if (end == text || *end != '\0' || v < lo || v > hi) {
        usage((std::string("bad integer '") + text + "'").c_str());
    }
    return v;
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            usage("help");
        }
        if (i + 1 >= argc) {
            usage(("missing value after " + arg).c_str());
        }
        const char* value = argv[++i];
        if (arg == "--threads") {
            o.threads = static_cast<int>(parse_int(value, 0, 1024));
        } else if (arg == "--backend") {
            o.backend = value;
        } else if (arg == "--epochs") {
            o.epochs = static_cast<int>(parse_int(value, 0, 1000000));
        } else if (arg == "--patterns") {
            o.patterns = static_cast<int>(parse_int(value, 1, 1000000));
        } else if (arg == "--seed") {
            o.seed = static_cast<std::uint64_t>(parse_int(value, 0, 1LL << 62));
        } else if (arg == "--pattern-seed") {
            o.pattern_seed = static_cast<std::uint64_t>(parse_int(value, 0, 1LL << 62));
        } else if (arg == "--token-ms") {
            char* end = nullptr;
            o.token_ms = std::strtod(value, &end);
            if (end == value || *end != '\0' || !(o.token_ms > 0.0)) {
                usage("--token-ms must be a positive number");
            }
        } else {
            usage(("unknown option " + arg).c_str());
        }
    }
    return o;
}

// 8 patterns of 3-4 distinct tokens drawn from [0, n_tokens).
std::vector<std::vector<std::uint32_t>> make_patterns(int count, std::uint32_t n_tokens,
                                                      std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::vector<std::uint32_t>> patterns;
    for (int p = 0; p < count; ++p) {
        const std::uint32_t length =
            std::min<std::uint32_t>(3 + static_cast<std::uint32_t>(rng() % 2), n_tokens);
        std::vector<std::uint32_t> tokens;
        while (tokens.size() < length) {
            const auto t = static_cast<std::uint32_t>(rng() % n_tokens);
            if (std::find(tokens.begin(), tokens.end(), t) == tokens.end()) {
                tokens.push_back(t);
            }
        }
        patterns.push_back(std::move(tokens));
    }
    return patterns;
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "\"";
}

int run(const options& o) {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    const hebllm::network_spec spec = hebllm::make_hebsnn(200, 1000, 200, 200, 0.1, o.seed);
    hebllm::engine_options eo;
    eo.threads = o.threads;
    eo.recording.spikes = false;
    const std::unique_ptr<hebllm::engine> eng = hebllm::make_engine(spec, o.backend, eo);
    const double construction_s = std::chrono::duration<double>(clock::now() - t0).count();

    const hebllm::population& sensory = spec.find("sensory");
    const std::uint32_t sensory_first = spec.offset("sensory");
    const std::uint32_t per_token = std::max<std::uint32_t>(1, sensory.neurons_per_token);
    const std::uint32_t n_tokens = sensory.size / per_token;
    if (n_tokens == 0) {
        throw std::runtime_error("the sensory population holds no token");
    }
    const auto patterns = make_patterns(o.patterns, n_tokens, o.pattern_seed);

    const double dt = spec.dt_ms;
    // 1000 Hz forced spikes: one every max(1, round(1 ms / dt)) steps.
    const std::int64_t spike_every = std::max<std::int64_t>(1, std::llround(1.0 / dt));

    const std::vector<hebllm::synapse_view> before = eng->synapses();

    double simulated_ms = 0.0;
    const auto t_train = clock::now();
    for (int epoch = 0; epoch < o.epochs; ++epoch) {
        for (const auto& pattern : patterns) {
            eng->reset_state();
            const std::int64_t first_step = eng->current_step();
            const double t0_ms = eng->time_ms();
            const double length_ms = o.token_ms * static_cast<double>(pattern.size());
            eng->run(length_ms, [&](std::int64_t step, double t_ms, hebllm::input_sink& in) {
                const double local = t_ms - t0_ms;
                const auto index = static_cast<std::size_t>(std::floor(local / o.token_ms));
                if (index >= pattern.size() || (step - first_step) % spike_every != 0) {
                    return;
                }
                const std::uint32_t first = sensory_first + pattern[index] * per_token;
                for (std::uint32_t k = 0; k < per_token; ++k) {
                    in.spike(first + k);
                }
            });
            simulated_ms += static_cast<double>(eng->current_step() - first_step) * dt;
        }
    }
    const double wall_s = std::chrono::duration<double>(clock::now() - t_train).count();

    const std::vector<hebllm::synapse_view> after = eng->synapses();
    double sum_abs = 0.0;
    double sum_signed = 0.0;
    std::uint64_t changed = 0;
    const std::size_t n = std::min(before.size(), after.size());
    for (std::size_t i = 0; i < n; ++i) {
        const double d =
            static_cast<double>(after[i].weight) - static_cast<double>(before[i].weight);
        sum_abs += std::fabs(d);
        sum_signed += d;
        changed += d != 0.0 ? 1 : 0;
    }
    const hebllm::run_stats st = eng->stats();
    const std::vector<std::uint64_t> counts = eng->population_spike_counts();

    std::string pops = "{";
    for (std::size_t i = 0; i < spec.populations.size() && i < counts.size(); ++i) {
        if (i > 0) {
            pops += ',';
        }
        pops += json_string(spec.populations[i].name);
        pops += ':';
        pops += std::to_string(counts[i]);
    }
    pops += "}";
    std::string pattern_text = "[";
    for (std::size_t p = 0; p < patterns.size(); ++p) {
        pattern_text += p ? ",[" : "[";
        for (std::size_t k = 0; k < patterns[p].size(); ++k) {
            if (k > 0) {
                pattern_text += ',';
            }
            pattern_text += std::to_string(patterns[p][k]);
        }
        pattern_text += "]";
    }
    pattern_text += "]";

    const double denom = n > 0 ? static_cast<double>(n) : 1.0;
    std::printf(
        "{\"workload\":\"seed_training\",\"backend\":%s,\"threads\":%d,\"neurons\":%u,"
        "\"synapses\":%llu,\"epochs\":%d,\"patterns\":%s,\"construction_s\":%.9g,"
        "\"wall_s\":%.9g,\"step_wall_s\":%.9g,\"simulated_ms\":%.9g,\"steps\":%lld,"
        "\"spikes\":%llu,\"population_spikes\":%s,\"synaptic_events\":%llu,"
        "\"stdp_updates\":%llu,\"forced_spikes_dropped\":%llu,"
        "\"mean_abs_weight_change\":%.9g,\"mean_weight_change\":%.9g,"
        "\"weights_changed\":%llu}\n",
        json_string(std::string(eng->backend())).c_str(), o.threads, eng->neuron_count(),
        static_cast<unsigned long long>(eng->synapse_count()), o.epochs, pattern_text.c_str(),
        construction_s, wall_s, st.wall_s, simulated_ms, static_cast<long long>(st.steps),
        static_cast<unsigned long long>(st.spikes), pops.c_str(),
        static_cast<unsigned long long>(st.synaptic_events),
        static_cast<unsigned long long>(st.plasticity_updates),
        static_cast<unsigned long long>(st.forced_spikes_dropped), sum_abs / denom,
        sum_signed / denom, static_cast<unsigned long long>(changed));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(parse(argc, argv));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "seed_training: %s\n", e.what());
        return 1;
    }
}
