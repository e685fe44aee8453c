// SPDX-License-Identifier: MIT
#pragma once
// One registration function per verb (docs/cli.md). Each adds its subcommand and options to the
// app; when the verb is chosen on the command line, its callback stores the work to do in
// `action`, which main() runs after parsing (so that errors in the work are reported by main).

#include <cstdint>
#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace hebllm::cli {

// The work of the chosen verb; returns the process exit code.
using action = std::function<int()>;

// Exit codes (docs/cli.md "Exit codes").
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;    // a failure that is not the input's fault
inline constexpr int exit_bad_input = 2;  // bad arguments, bad files, invalid networks

void add_simulate_verb(CLI::App& app, action& chosen);
void add_info_verb(CLI::App& app, action& chosen);
void add_corpus_verb(CLI::App& app, action& chosen);    // corpus.cpp (language layer)
void add_baseline_verb(CLI::App& app, action& chosen);  // baseline.cpp (language layer)
void add_train_verb(CLI::App& app, action& chosen);     // train.cpp (the spiking learner)
void add_eval_verb(CLI::App& app, action& chosen);      // eval.cpp
void add_generate_verb(CLI::App& app, action& chosen);  // generate.cpp
void add_chat_verb(CLI::App& app, action& chosen);      // chat.cpp
void add_resume_verb(CLI::App& app, action& chosen);
void add_report_verb(CLI::App& app, action& chosen);  // report.cpp (HTML activity report)

}  // namespace hebllm::cli

namespace hebllm {
class engine;
}  // namespace hebllm

namespace hebllm::cli {

// simulate.cpp, also used by resume: run duration_ms (rounded to whole steps); with a
// checkpoint file `save`, write it every `every` steps (0: never) and after the run.
void run_with_checkpoints(engine& eng, double duration_ms, const std::string& save,
                          std::int64_t every);

}  // namespace hebllm::cli
