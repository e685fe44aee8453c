// SPDX-License-Identifier: MIT
// `hebllm info`: what this build contains (docs/cli.md "info").

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <hebllm/build_info.hpp>
#include <hebllm/io.hpp>

#include "verbs.hpp"

namespace hebllm::cli {
namespace {

int run_info(bool json) {
    const build_info_t& info = build_info();
    std::cout << (json ? format_build_info_json(info) : format_build_info_text(info));
    if (!json) {
        // Asked now, not at build time: a build with the cuda backend may run without a GPU.
        const std::vector<std::string> devices = cuda_devices();
        if (devices.empty()) {
            std::cout << "cuda devices no CUDA device\n";
        }
        for (const std::string& d : devices) {
            std::cout << "cuda device  " << d << "\n";
        }
    }
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
