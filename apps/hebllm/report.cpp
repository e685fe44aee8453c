// SPDX-License-Identifier: MIT
// `hebllm report`: one self-contained HTML page (inline SVG) from a spike recording, the
// network's layout (a config or a checkpoint), a training log and an evaluation
// (docs/cli.md "report"; the page itself: hebllm::render_html_report in src/io/html_report.cpp).

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include <hebllm/build_info.hpp>
#include <hebllm/checkpoint.hpp>
#include <hebllm/engine.hpp>
#include <hebllm/errors.hpp>
#include <hebllm/io.hpp>
#include <hebllm/network.hpp>

#include "verbs.hpp"

namespace hebllm::cli {
namespace {

struct report_options {
    std::string spikes;
    std::string config;
    std::string checkpoint;
    std::string log;
    std::string eval;
    std::string output;
    std::string title = "hebllm activity report";
    std::size_t max_spikes = 20000;
};

int run_report(const report_options& o) {
    if (o.spikes.empty() && o.checkpoint.empty() && o.log.empty() && o.eval.empty()) {
        throw model_error(
            "nothing to report: give --spikes, --checkpoint, --log or --eval (or several)");
    }
    html_report_input in;
    in.title = o.title;
    in.max_raster_spikes = o.max_spikes;
    in.sources.emplace_back("made by", "hebllm " + build_info().version + " report");
    std::optional<network_spec> spec;
    if (!o.config.empty()) {
        spec = load_network(o.config);
        in.sources.emplace_back("network config", o.config);
        in.duration_ms = spec->duration_ms;
    } else if (!o.checkpoint.empty()) {
        engine_options options;
        options.threads = 1;
        loaded_checkpoint ck = load_checkpoint(o.checkpoint, "auto", options);
        spec = ck.engine->spec();
        in.sources.emplace_back("checkpoint", o.checkpoint);
        in.duration_ms = ck.engine->time_ms();
        in.has_weights = true;
        in.synapses = ck.engine->synapses();  // not const: brings deferred weights up to date
    }
    if (spec) {
        in.populations = spec->populations;
    }
    if (!o.spikes.empty()) {
        in.has_spikes = true;
        in.spikes_name = o.spikes;
        // A CSV recording's times are converted with the network's dt (1 ms without a network).
        in.recording = read_spikes(o.spikes, spec ? spec->dt_ms : 1.0);
        in.sources.emplace_back("spikes", o.spikes);
    }
    if (!o.log.empty()) {
        in.learning_curve = read_learning_curve_csv(o.log);
        in.sources.emplace_back("training log", o.log);
    }
    if (!o.eval.empty()) {
        in.eval = read_eval_json(o.eval);
        in.sources.emplace_back("evaluation", o.eval);
    }
    write_html_report(o.output, in);
    std::cout << "wrote " << o.output << '\n';
    return exit_ok;
}

}  // namespace

void add_report_verb(CLI::App& app, action& chosen) {
    auto o = std::make_shared<report_options>();
    CLI::App* cmd = app.add_subcommand(
        "report", "Write a self-contained HTML activity report (inline SVG plots, no scripts)");
    cmd->add_option("--spikes", o->spikes,
                    "Spike recording (.spk or .csv, from 'hebllm simulate --record')");
    CLI::Option* config =
        cmd->add_option("--config", o->config, "Network config (TOML): the population layout");
    cmd->add_option("--checkpoint", o->checkpoint,
                    "Checkpoint or model file: the population layout and the weights")
        ->excludes(config);
    cmd->add_option("--log", o->log, "Training log (CSV from 'hebllm train --log')");
    cmd->add_option("--eval", o->eval, "Evaluation (the JSON 'hebllm eval --json' prints)");
    cmd->add_option("-o,--output", o->output, "HTML file to write (atomically)")->required();
    cmd->add_option("--title", o->title, "Title of the page")->capture_default_str();
    cmd->add_option("--max-spikes", o->max_spikes,
                    "Most spikes drawn in the raster (a uniform subsample above)")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}));
    cmd->callback([o, &chosen] { chosen = [o] { return run_report(*o); }; });
}

}  // namespace hebllm::cli
