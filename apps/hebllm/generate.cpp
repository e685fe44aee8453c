// SPDX-License-Identifier: MIT
// `hebllm generate`: feed a prompt to a trained model (no learning) and let it continue the
// text by sampling its own predictions (docs/cli.md "generate").

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <hebllm/lang/generate.hpp>
#include <hebllm/lang/tokenizer.hpp>

#include "lang_model.hpp"
#include "verbs.hpp"

namespace hebllm::cli {
namespace {

struct generate_options {
    std::string model;
    std::string prompt;
    std::uint32_t tokens = 30;
    double temperature = 1.0;
    std::uint64_t seed = 1;
    std::string backend = "auto";
    int threads = 0;
};

int run_generate(const generate_options& o) {
    language_model m = load_language_model(o.model, o.backend, o.threads);
    const std::vector<std::uint32_t> prompt = m.tok->encode(o.prompt);
    lang::sampler pick(o.seed, o.temperature);
    const std::vector<std::uint32_t> out =
        lang::continue_text(*m.learner, prompt, o.tokens, pick, false);
    std::printf("%s%s%s\n", o.prompt.c_str(), o.prompt.empty() ? "" : " ",
                m.tok->decode(out).c_str());
    return exit_ok;
}

}  // namespace

void add_generate_verb(CLI::App& app, action& chosen) {
    auto o = std::make_shared<generate_options>();
    CLI::App* cmd = app.add_subcommand("generate", "Continue a prompt with a trained model");
    cmd->add_option("-m,--model", o->model, "Model file from 'hebllm train'")->required();
    cmd->add_option("-p,--prompt", o->prompt, "Text to start from")->capture_default_str();
    cmd->add_option("-n,--tokens", o->tokens, "Tokens to generate")->capture_default_str();
    cmd->add_option("--temperature", o->temperature,
                    "Sampling temperature (0: always the most likely token)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 100.0));
    cmd->add_option("--seed", o->seed, "Sampling seed")->capture_default_str();
    cmd->add_option("-b,--backend", o->backend, "auto, reference or cpu")->capture_default_str();
    cmd->add_option("-t,--threads", o->threads, "Threads for the cpu backend (0: default)");
    cmd->callback([o, &chosen] { chosen = [o] { return run_generate(*o); }; });
}

}  // namespace hebllm::cli
