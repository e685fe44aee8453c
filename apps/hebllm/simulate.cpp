// SPDX-License-Identifier: MIT
// `hebllm simulate`: build a network (from a TOML config or from the HebSNN size flags), run
// it, optionally record its spikes, and print a summary (docs/cli.md "simulate").

#include <algorithm>
#include <charconv>
#include <cmath>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include <CLI/CLI.hpp>

#include <hebllm/build_info.hpp>
#include <hebllm/checkpoint.hpp>
#include <hebllm/engine.hpp>
#include <hebllm/io.hpp>
#include <hebllm/network.hpp>

#include "verbs.hpp"

namespace hebllm::cli {
namespace {

struct simulate_options {
    std::string config;
    // The seed example's network (examples/seed_example.toml): 200 + 1000 + 200 + 200 neurons.
    std::uint32_t sensory = 200;
    std::uint32_t associative = 1000;
    std::uint32_t inhibitory = 200;
    std::uint32_t output = 200;
    double density = 0.1;
    std::optional<double> duration_ms;
    double warmup_ms = 0.0;
    std::optional<double> dt_ms;
    std::optional<std::uint64_t> seed;
    std::string backend = "auto";
    int threads = 0;
    std::string record;
    bool json = false;
    std::string save;                   // checkpoint written after the run (docs/formats.md)
    std::int64_t checkpoint_every = 0;  // and every this many steps while running (0: never)
};

// The network of the seed example when no config is given: neurons 0-4 (sensory) forced to
// spike every step (1000 Hz at dt = 1 ms) for the first 10 ms (fewer in a network smaller
// than 5 neurons).
network_spec network_from_flags(const simulate_options& o) {
    network_spec spec = make_hebsnn(o.sensory, o.associative, o.inhibitory, o.output, o.density,
                                    o.seed.value_or(42));
    stimulus drive;
    drive.kind = stimulus_kind::poisson;
    drive.first = 0;
    drive.count = std::min<std::uint32_t>(5, spec.neuron_count());
    drive.t_start_ms = 0.0;
    drive.t_stop_ms = 10.0;
    drive.rate_hz = 1000.0;
    spec.stimuli.push_back(drive);
    return spec;
}

}  // namespace

// Runs duration_ms (rounded to whole steps as engine::run does); with a checkpoint file, saves
// every `every` steps (0: never) while running and once at the end.
void run_with_checkpoints(engine& eng, double duration_ms, const std::string& save,
                          std::int64_t every) {
    if (save.empty()) {
        eng.run(duration_ms);
        return;
    }
    const std::int64_t steps = std::llround(duration_ms / eng.spec().dt_ms);
    for (std::int64_t k = 1; k <= steps; ++k) {
        eng.step();
        if (every > 0 && k % every == 0 && k != steps) {
            save_checkpoint(eng, save);
        }
    }
    save_checkpoint(eng, save);
}

namespace {

int run_simulate(const simulate_options& o) {
    network_spec spec = o.config.empty() ? network_from_flags(o) : load_network(o.config);
    if (o.duration_ms) {
        spec.duration_ms = *o.duration_ms;
    }
    if (o.dt_ms) {
        spec.dt_ms = *o.dt_ms;
    }
    if (o.seed) {
        spec.seed = *o.seed;
    }
    // Refuse an unknown --record extension before spending time on the run.
    if (!o.record.empty()) {
        spike_format_for(o.record);
    }

    engine_options options;
    options.threads = o.threads;
    options.recording.spikes = !o.record.empty();
    const auto start = std::chrono::steady_clock::now();
    const std::unique_ptr<engine> eng = make_engine(spec, o.backend, options);
    const double construction_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    if (o.warmup_ms > 0.0) {
        // Warm-up: simulated, then left out of every figure and of the recording.
        eng->run(o.warmup_ms);
        eng->reset_stats();
    }
    run_with_checkpoints(*eng, spec.duration_ms, o.save, o.checkpoint_every);
    if (!o.record.empty()) {
        write_spikes(o.record, eng->spikes(), spec.dt_ms);
    }

    // Only the cpu backend is threaded; 0 threads means OpenMP's default.
    const int threads =
        eng->backend() == "cpu" ? (o.threads > 0 ? o.threads : build_info().max_threads) : 1;
    run_summary summary = summarize_run(*eng, threads, construction_s);
    summary.record_path = o.record;
    std::cout << (o.json ? format_summary_json(summary) : format_summary_text(summary));
    return exit_ok;
}

// Checks a number before CLI11 converts it, so that "-1" is refused for an unsigned option
// instead of wrapping around, with a message that says what was expected. Unnamed, so the
// help shows only the type and default.
enum class range_kind { non_negative, positive, unit_interval };

CLI::Validator number_check(range_kind range) {
    return CLI::Validator(
        [range](std::string& text) -> std::string {
            double value = 0.0;
            const char* end = text.data() + text.size();
            const auto [ptr, ec] = std::from_chars(text.data(), end, value);
            if (ec != std::errc() || ptr != end) {
                return "expected a number, got '" + text + "'";
            }
            switch (range) {
                case range_kind::non_negative:
                    return value >= 0.0 ? "" : "must be >= 0, got " + text;
                case range_kind::positive: return value > 0.0 ? "" : "must be > 0, got " + text;
                case range_kind::unit_interval:
                    return value >= 0.0 && value <= 1.0 ? "" : "must be in [0, 1], got " + text;
            }
            return "";
        },
        "");
}

}  // namespace

void add_simulate_verb(CLI::App& app, action& chosen) {
    auto o = std::make_shared<simulate_options>();
    CLI::App* cmd =
        app.add_subcommand("simulate", "Build a network and run it; print spikes, rates and speed");
    cmd->footer(
        "Without --config the network is the seed example: make_hebsnn(sensory, associative,\n"
        "inhibitory, output, density) with neurons 0-4 driven every step for the first 10 ms.\n"
        "Flags given with --config override the config's values.");

    CLI::Option* config =
        cmd->add_option("-c,--config", o->config, "Network config (TOML, docs/formats.md)")
            ->type_name("FILE");
    const std::initializer_list<std::pair<const char*, std::uint32_t*>> sizes = {
        {"--sensory", &o->sensory},
        {"--associative", &o->associative},
        {"--inhibitory", &o->inhibitory},
        {"--output", &o->output}};
    for (const auto& [flag, value] : sizes) {
        cmd->add_option(
               flag, *value,
               std::string("Neurons in the ") + (flag + 2) + " population (without --config)")
            ->capture_default_str()
            ->check(number_check(range_kind::non_negative))
            ->excludes(config);
    }
    cmd->add_option("--density", o->density,
                    "Connection probability between connected populations (without --config)")
        ->capture_default_str()
        ->check(number_check(range_kind::unit_interval))
        ->excludes(config);
    cmd->add_option("-d,--duration", o->duration_ms,
                    "Simulated time in ms (default: the config's, else 100)")
        ->type_name("MS")
        ->check(number_check(range_kind::non_negative));
    cmd->add_option("--warmup", o->warmup_ms,
                    "Simulate this long first and leave it out of every reported figure")
        ->type_name("MS")
        ->check(number_check(range_kind::non_negative));
    cmd->add_option("--dt", o->dt_ms, "Time step in ms (default: the config's, else 1)")
        ->type_name("MS")
        ->check(number_check(range_kind::positive));
    cmd->add_option("--seed", o->seed, "Random seed (default: the config's, else 42)")
        ->check(number_check(range_kind::non_negative));
    cmd->add_option("-b,--backend", o->backend,
                    "auto, reference, cpu or cuda (auto: cuda when a device is usable, else cpu)")
        ->capture_default_str();
    cmd->add_option("-t,--threads", o->threads, "Threads for the cpu backend (0: OpenMP's default)")
        ->capture_default_str()
        ->check(number_check(range_kind::non_negative));
    cmd->add_option("-r,--record", o->record,
                    "Write every spike to FILE: .csv (neuron,time_ms) or .spk (binary)")
        ->type_name("FILE");
    cmd->add_flag("--json", o->json, "Print the summary as one JSON object");
    CLI::Option* save =
        cmd->add_option("--save", o->save,
                        "Write a checkpoint to FILE after the run ('hebllm resume' continues it)")
            ->type_name("FILE");
    cmd->add_option("--checkpoint-every", o->checkpoint_every,
                    "With --save: also write the checkpoint every STEPS steps while running")
        ->type_name("STEPS")
        ->check(number_check(range_kind::positive))
        ->needs(save);

    cmd->callback([o, &chosen] { chosen = [o] { return run_simulate(*o); }; });
}

}  // namespace hebllm::cli
