// SPDX-License-Identifier: MIT
#pragma once
// One registration function per verb (docs/cli.md). Each adds its subcommand and options to the
// app; when the verb is chosen on the command line, its callback stores the work to do in
// `action`, which main() runs after parsing (so that errors in the work are reported by main).

#include <functional>

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

}  // namespace hebllm::cli
