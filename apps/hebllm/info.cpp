// SPDX-License-Identifier: MIT
// `hebllm info`: what this build contains (docs/cli.md "info").

#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include <hebllm/build_info.hpp>
#include <hebllm/io.hpp>

#include "verbs.hpp"

namespace hebllm::cli {
namespace {

int run_info(bool json) {
    const build_info_t& info = build_info();
    std::cout << (json ? format_build_info_json(info) : format_build_info_text(info));
    return exit_ok;
}

}  // namespace

void add_info_verb(CLI::App& app, action& chosen) {
    auto json = std::make_shared<bool>(false);
    CLI::App* cmd = app.add_subcommand(
        "info", "Print the version, build options, backends and OpenMP threads of this build");
    cmd->add_flag("--json", *json, "Print the same as one JSON object");
    cmd->callback([json, &chosen] { chosen = [json] { return run_info(*json); }; });
}

}  // namespace hebllm::cli
