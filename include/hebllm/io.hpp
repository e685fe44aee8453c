// SPDX-License-Identifier: MIT
#pragma once
// Files in and out of hebllm: TOML network configs, CSV synapse and input-spike lists, spike
// recordings (CSV and a compact binary format) and run reports. Every format is described in
// docs/formats.md.
//
// Errors: every problem with a file is a hebllm::file_error whose message names the file, the
// line (where one applies) and the problem, e.g.
//   net.toml:12: unknown key 'tau_mm' in [[population]] 'exc' (did you mean 'tau_m_ms'?)
//   synapses.csv:7: expected 4 fields (pre,post,weight,delay_ms), got 3
// Writes are atomic: the data goes to a temporary file in the target's directory, is flushed
// to disk (fsync) and renamed over the target, so a reader never sees a half-written file and a
// failed write leaves any previous file untouched.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <hebllm/build_info.hpp>
#include <hebllm/engine.hpp>
#include <hebllm/network.hpp>

namespace hebllm {

// ---- network configs (TOML) ---------------------------------------------------------------

// Reads a TOML network config, resolves [files] relative to the config's directory and
// validates the result. Rule violations found by network_spec::validate() are reported as a
// file_error naming the config (the model_error's message is kept).
network_spec load_network(const std::filesystem::path& toml);

// The same from text in memory: base_dir resolves [files] paths, source_name is the file name
// used in error messages.
network_spec parse_network(std::string_view toml_text, const std::filesystem::path& base_dir,
                           const std::string& source_name);

// Writes spec as a TOML config that load_network() reads back to an equal spec (every field is
// written explicitly, numbers in shortest round-trip form). Explicit synapses go to
// `<stem>.synapses.csv` and input spikes to `<stem>.input_spikes.csv` beside the config.
void save_network(const network_spec& spec, const std::filesystem::path& toml);

// ---- CSV lists ----------------------------------------------------------------------------

// Header `pre,post,weight,delay_ms` (global neuron ids, signed weight, delay in ms), or
// `pre,post,weight,delay_ms,plastic` with plastic 0/1/true/false; without that column every
// synapse has plastic = false.
std::vector<synapse_entry> read_synapses_csv(const std::filesystem::path& csv);
// Writes the 5-column form only when some synapse is plastic.
void write_synapses_csv(const std::filesystem::path& csv, std::span<const synapse_entry> synapses);

// Header `neuron,time_ms`.
std::vector<input_spike> read_input_spikes_csv(const std::filesystem::path& csv);
void write_input_spikes_csv(const std::filesystem::path& csv, std::span<const input_spike> spikes);

// ---- spike recordings -----------------------------------------------------------------------

// A spike recording as read back from a file.
struct spike_recording {
    double dt_ms = 0.0;               // time step of the run; spike time = step * dt_ms
    std::vector<spike_event> spikes;  // sorted by (step, neuron)
};

enum class spike_format_kind : std::uint8_t { csv, binary };

// The format chosen by a file's extension: `.csv` -> csv, `.spk` -> binary; anything else is a
// file_error (so a run can refuse a bad --record path before it starts).
spike_format_kind spike_format_for(const std::filesystem::path& path);

// CSV, header `neuron,time_ms`, rows sorted by time then neuron; time = step * dt_ms printed
// in shortest round-trip form.
void write_spikes_csv(const std::filesystem::path& csv, std::span<const spike_event> spikes,
                      double dt_ms);

// Binary (docs/formats.md "Binary spike files"): a 32-byte little-endian header (magic
// "HBSPIKES", version, record size, dt_ms, count) then count records {u32 neuron, i64 step},
// sorted by (step, neuron).
void write_spikes_binary(const std::filesystem::path& spk, std::span<const spike_event> spikes,
                         double dt_ms);
// Validates magic, version, record size, dt and that count matches the file size before
// allocating anything.
spike_recording read_spikes_binary(const std::filesystem::path& spk);

// Chooses the format with spike_format_for().
void write_spikes(const std::filesystem::path& path, std::span<const spike_event> spikes,
                  double dt_ms);

// ---- run reports --------------------------------------------------------------------------

// Spikes and mean rate of one population over a run.
struct population_summary {
    std::string name;
    std::uint32_t size = 0;
    std::uint64_t spikes = 0;
    double rate_hz = 0.0;  // spikes / (size * simulated time)
};

// What `hebllm simulate` reports about a run.
struct run_summary {
    std::string backend;
    int threads = 1;  // threads the backend ran with
    std::uint32_t neurons = 0;
    std::uint64_t synapses = 0;
    double dt_ms = 0.0;
    std::int64_t steps = 0;
    double simulated_ms = 0.0;  // steps * dt_ms
    std::uint64_t seed = 0;
    std::uint64_t spikes = 0;
    std::vector<population_summary> populations;
    double mean_rate_hz = 0.0;    // over all neurons
    double construction_s = 0.0;  // wall time of make_engine()
    double simulation_s = 0.0;    // wall time spent in step()
    std::uint64_t synaptic_events = 0;
    double synaptic_events_per_s = 0.0;  // synaptic_events / simulation_s
    std::uint64_t synapse_bytes = 0;
    double bytes_per_synapse = 0.0;
    std::uint64_t forced_spikes_dropped = 0;
    std::string record_path;  // empty: spikes were not written
};

// Collects the summary of what eng has run so far. threads: the thread count it ran with.
run_summary summarize_run(const engine& eng, int threads, double construction_s);

// Human-readable, several lines, ending in a newline.
std::string format_summary_text(const run_summary& summary);
// One JSON object (keys as in run_summary), ending in a newline.
std::string format_summary_json(const run_summary& summary);

// What `hebllm info` prints: text (several lines) or one JSON object (keys as in
// build_info_t), each ending in a newline.
std::string format_build_info_text(const build_info_t& info);
std::string format_build_info_json(const build_info_t& info);

// ---- HTML activity report (`hebllm report`) ---------------------------------------------------

// One row of a training log (`hebllm train --log`, docs/cli.md "train"): after
// `tokens` training tokens, the mean prequential bits/token and top-1 of the interval that
// ended there.
struct learning_curve_point {
    std::uint64_t tokens = 0;
    double bits = 0.0;
    double top1 = 0.0;
};

// Reads a training log: header `tokens,bits_per_token,top1`, one row per interval.
std::vector<learning_curve_point> read_learning_curve_csv(const std::filesystem::path& csv);

// What `hebllm eval --json` prints, flattened: top-level strings and numbers as (key, value)
// and each object (one per scoring mode: "frozen", "prequential") as a row of its numbers.
struct eval_summary {
    std::vector<std::pair<std::string, std::string>> info;  // e.g. ("model", "m.heb")
    struct mode_row {
        std::string mode;
        std::vector<std::pair<std::string, double>> values;  // ("bits", 3.2), ("top1", 0.4), ...
    };
    std::vector<mode_row> modes;
};
eval_summary read_eval_json(const std::filesystem::path& json);

// A spike recording in either format (spike_format_for): a `.spk` file carries its dt; a CSV
// file's times are converted to steps with dt_ms (a time that is not a whole number of steps
// is a file_error).
spike_recording read_spikes(const std::filesystem::path& path, double dt_ms);

// Everything the report shows; empty parts are left out of the page (with a note).
struct html_report_input {
    std::string title = "hebllm activity report";
    std::vector<std::pair<std::string, std::string>> sources;  // ("spikes", "s.spk"), ...
    // The population layout (neuron ids in declaration order). Empty: one population "all"
    // covering ids 0 .. the largest id in the recording.
    std::vector<population> populations;
    bool has_spikes = false;
    std::string spikes_name;    // the recording's file name, for error messages
    spike_recording recording;  // spikes sorted by (step, neuron)
    double duration_ms = 0.0;   // 0: up to the last spike
    bool has_weights = false;   // synapses given (a checkpoint)
    std::vector<synapse_view> synapses;
    std::vector<learning_curve_point> learning_curve;
    eval_summary eval;
    std::size_t max_raster_spikes = 20000;  // the raster draws a uniform subsample above this
};

// The report as one self-contained HTML page: inline SVG and CSS only (no scripts, fonts,
// images or links to other files or hosts), every text from the input escaped. Plots: spike
// raster coloured by population, binned population rates, ISI histograms with the CV of the
// inter-spike intervals per population, weight histograms per (source -> target) population
// pair, the learning curve and the evaluation table. A neuron id outside the populations is a
// file_error naming spikes_name.
std::string render_html_report(const html_report_input& input);

// render_html_report() written atomically to html.
void write_html_report(const std::filesystem::path& html, const html_report_input& input);

}  // namespace hebllm
