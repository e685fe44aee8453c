// SPDX-License-Identifier: MIT
// `hebllm chat`: an interactive loop. Every line typed is read by the network with learning on
// (it keeps learning from what it is told), then the network answers by continuing the text
// without learning from its own words (docs/cli.md "chat").

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <iostream>
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

struct chat_options {
    std::string model;
    std::string save;
    std::uint32_t tokens = 20;
    double temperature = 0.8;
    std::uint64_t seed = 1;
    std::string backend = "auto";
    int threads = 0;
};

int run_chat(const chat_options& o) {
    language_model m = load_language_model(o.model, o.backend, o.threads);
    const bool interactive = isatty(STDIN_FILENO) != 0;
    lang::sampler pick(o.seed, o.temperature);
    if (interactive) {
        std::cout << "hebllm chat: type a line; the network learns from it and answers.\n"
                     "':save' writes the model"
                  << (o.save.empty() ? " (needs --save)" : "")
                  << ", ':quit' or end of input leaves.\n";
    }
    std::string line;
    while (true) {
        if (interactive) {
            std::cout << "> " << std::flush;
        }
        if (!std::getline(std::cin, line) || line == ":quit") {
            break;
        }
        if (line == ":save") {
            if (o.save.empty()) {
                std::cout << "(no --save file given)\n";
            } else {
                save_language_model(o.save, m);
                std::cout << "(saved " << o.save << ")\n";
            }
            continue;
        }
        const std::vector<std::uint32_t> heard = m.tok->encode(line);
        for (const std::uint32_t t : heard) {
            m.learner->observe(t, true);
        }
        m.trained_tokens += heard.size();
        const std::vector<std::uint32_t> said =
            lang::continue_text(*m.learner, {}, o.tokens, pick, false);
        std::cout << m.tok->decode(said) << std::endl;
    }
    if (!o.save.empty()) {
        save_language_model(o.save, m);
    }
    return exit_ok;
}

}  // namespace

void add_chat_verb(CLI::App& app, action& chosen) {
    auto o = std::make_shared<chat_options>();
    CLI::App* cmd = app.add_subcommand(
        "chat", "Talk to a trained model; it keeps learning from every line typed");
    cmd->add_option("-m,--model", o->model, "Model file from 'hebllm train'")->required();
    cmd->add_option("-o,--save", o->save, "Write the model here on ':save' and at the end");
    cmd->add_option("-n,--tokens", o->tokens, "Tokens per answer")->capture_default_str();
    cmd->add_option("--temperature", o->temperature, "Sampling temperature")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 100.0));
    cmd->add_option("--seed", o->seed, "Sampling seed")->capture_default_str();
    cmd->add_option("-b,--backend", o->backend, "auto, reference or cpu")->capture_default_str();
    cmd->add_option("-t,--threads", o->threads, "Threads for the cpu backend (0: default)");
    cmd->callback([o, &chosen] { chosen = [o] { return run_chat(*o); }; });
}

}  // namespace hebllm::cli
