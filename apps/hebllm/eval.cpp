// SPDX-License-Identifier: MIT
// `hebllm eval`: score a trained model on the test split of its corpus, frozen (all plasticity
// off) and, on request, prequential (predict, score, then learn) (docs/cli.md "eval").

#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <hebllm/errors.hpp>
#include <hebllm/lang/corpus.hpp>
#include <hebllm/lang/dataset.hpp>
#include <hebllm/lang/predictor.hpp>
#include <hebllm/lang/progress.hpp>
#include <hebllm/lang/tokenizer.hpp>

#include "lang_model.hpp"
#include "verbs.hpp"

namespace hebllm::cli {
namespace {

struct eval_options {
    std::string model;
    std::string corpus;
    bool prequential = false;
    std::string backend = "auto";
    int threads = 0;
    bool json = false;
    split_sizes sizes;  // overrides of the sizes the model file records
};

void print_row(const char* mode, const lang::eval_result& r, bool json, bool last) {
    if (json) {
        std::printf(
            "  \"%s\": {\"bits\": %.4f, \"top1\": %.4f, \"top5\": %.4f, \"tokens\": %llu, "
            "\"wall_s\": %.3f, \"tokens_per_s\": %.1f}%s\n",
            mode, r.bits, r.top1, r.top5, static_cast<unsigned long long>(r.tokens), r.wall_s,
            r.tokens_per_s, last ? "" : ",");
    } else {
        std::printf("%-12s %8.3f %8.1f%% %8.1f%% %8llu %10.0f\n", mode, r.bits, 100.0 * r.top1,
                    100.0 * r.top5, static_cast<unsigned long long>(r.tokens), r.tokens_per_s);
    }
}

int run_eval(const eval_options& o) {
    language_model m = load_language_model(o.model, o.backend, o.threads);
    const lang::split_spec spec = model_split(m, o.sizes);
    const lang::dataset data = lang::make_dataset(lang::read_corpus(o.corpus), spec);
    if (data.tok->fingerprint() != m.tok->fingerprint()) {
        throw model_error("the model " + o.model + " was trained with another vocabulary than " +
                          o.corpus + " gives for tier " + m.tier + " with " +
                          std::to_string(spec.train_tokens) +
                          " training tokens (tokenizer fingerprints differ): evaluate it on its "
                          "own corpus and training size");
    }
    if (o.json) {
        std::printf("{\n  \"model\": \"%s\",\n  \"learner\": \"%s\",\n  \"test_unk_rate\": %.4f,\n",
                    o.model.c_str(), m.learner->name().c_str(), data.test_unk_rate);
    } else {
        std::printf("%s on %s (%s, %zu test tokens, <unk> rate %.1f%%)\n",
                    m.learner->name().c_str(), o.corpus.c_str(), m.tier.c_str(), data.test.size(),
                    100.0 * data.test_unk_rate);
        std::printf("%-12s %8s %9s %9s %8s %10s\n", "mode", "bits", "top-1", "top-5", "tokens",
                    "tokens/s");
    }
    {
        lang::progress bar("eval frozen", data.test.size());
        const lang::eval_result r = lang::evaluate(*m.learner, data.test, false, &bar);
        bar.finish();
        print_row("frozen", r, o.json, !o.prequential);
    }
    if (o.prequential) {
        // A fresh copy of the model, so the prequential pass starts where training ended.
        language_model again = load_language_model(o.model, o.backend, o.threads);
        lang::progress bar("eval prequential", data.test.size());
        const lang::eval_result r = lang::evaluate(*again.learner, data.test, true, &bar);
        bar.finish();
        print_row("prequential", r, o.json, true);
    }
    if (o.json) {
        std::printf("}\n");
    }
    return exit_ok;
}

}  // namespace

void add_eval_verb(CLI::App& app, action& chosen) {
    auto o = std::make_shared<eval_options>();
    CLI::App* cmd = app.add_subcommand(
        "eval", "Score a trained model on its corpus's test split (bits/token, strict top-1/5)");
    cmd->add_option("-m,--model", o->model, "Model file from 'hebllm train'")->required();
    cmd->add_option("--corpus", o->corpus, "The corpus the model was trained on")->required();
    add_split_size_options(*cmd, o->sizes, false, "the model file's");
    cmd->add_flag("--prequential", o->prequential,
                  "Also score prequentially (predict, score, then learn)");
    cmd->add_option("-b,--backend", o->backend, "auto, reference or cpu")->capture_default_str();
    cmd->add_option("-t,--threads", o->threads, "Threads for the cpu backend (0: default)");
    cmd->add_flag("--json", o->json, "Print the results as one JSON object");
    cmd->callback([o, &chosen] { chosen = [o] { return run_eval(*o); }; });
}

}  // namespace hebllm::cli
