// SPDX-License-Identifier: MIT
// `hebllm resume`: load a checkpoint written by `hebllm simulate --save` (or by the C++ API),
// run it further, optionally save it again and record its spikes (docs/cli.md "resume").

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include <hebllm/build_info.hpp>
#include <hebllm/checkpoint.hpp>
#include <hebllm/engine.hpp>
#include <hebllm/io.hpp>

#include "verbs.hpp"

namespace hebllm::cli {
namespace {

struct resume_options {
    std::string file;
    double duration_ms = 0.0;
    std::string backend = "auto";
    int threads = 0;
    std::string save;
    std::int64_t checkpoint_every = 0;
    std::string record;
    bool json = false;
};

int run_resume(const resume_options& o) {
    if (!o.record.empty()) {
        spike_format_for(o.record);  // refuse a bad extension before the run
    }
    engine_options options;
    options.threads = o.threads;
    options.recording.spikes = !o.record.empty();
    const auto start = std::chrono::steady_clock::now();
    loaded_checkpoint loaded = load_checkpoint(o.file, o.backend, options);
    engine& eng = *loaded.engine;
    const double construction_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run_with_checkpoints(eng, o.duration_ms, o.save, o.checkpoint_every);
    if (!o.record.empty()) {
        write_spikes(o.record, eng.spikes(), eng.spec().dt_ms);
    }
    const int threads =
        eng.backend() == "cpu" ? (o.threads > 0 ? o.threads : build_info().max_threads) : 1;
    run_summary summary = summarize_run(eng, threads, construction_s);
    summary.record_path = o.record;
    std::cout << (o.json ? format_summary_json(summary) : format_summary_text(summary));
    return exit_ok;
}

}  // namespace

void add_resume_verb(CLI::App& app, action& chosen) {
    auto o = std::make_shared<resume_options>();
    CLI::App* cmd = app.add_subcommand(
        "resume", "Continue a run from a checkpoint (hebllm simulate --save) exactly");
    cmd->footer(
        "The summary counts the whole run, from step 0 of the original simulation. With\n"
        "--record, the spikes recorded before the checkpoint (if it kept them) are written too.");
    cmd->add_option("file", o->file, "Checkpoint file")->required()->type_name("FILE");
    cmd->add_option("-d,--duration", o->duration_ms, "Simulated time to add, in ms")
        ->required()
        ->type_name("MS")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("-b,--backend", o->backend,
                    "auto, reference or cpu (need not be the one that saved it)")
        ->capture_default_str();
    cmd->add_option("-t,--threads", o->threads, "Threads for the cpu backend (0: OpenMP's default)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    CLI::Option* save =
        cmd->add_option("--save", o->save, "Write a checkpoint to FILE after the run (may be FILE)")
            ->type_name("FILE");
    cmd->add_option("--checkpoint-every", o->checkpoint_every,
                    "With --save: also write the checkpoint every STEPS steps while running")
        ->type_name("STEPS")
        ->check(CLI::PositiveNumber)
        ->needs(save);
    cmd->add_option("-r,--record", o->record,
                    "Write every spike to FILE: .csv (neuron,time_ms) or .spk (binary)")
        ->type_name("FILE");
    cmd->add_flag("--json", o->json, "Print the summary as one JSON object");
    cmd->callback([o, &chosen] { chosen = [o] { return run_resume(*o); }; });
}

}  // namespace hebllm::cli
