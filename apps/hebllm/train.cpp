// SPDX-License-Identifier: MIT
// `hebllm train`: build the spiking learner, let it read the training split of a corpus once
// (online, local plasticity only), fit its readout on the validation split, save the model
// (docs/cli.md "train", docs/language.md).

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include <hebllm/errors.hpp>
#include <hebllm/lang/corpus.hpp>
#include <hebllm/lang/dataset.hpp>
#include <hebllm/lang/generate.hpp>
#include <hebllm/lang/learner.hpp>
#include <hebllm/lang/predictor.hpp>
#include <hebllm/lang/progress.hpp>
#include <hebllm/lang/tokenizer.hpp>

#include "lang_model.hpp"
#include "verbs.hpp"

namespace hebllm::cli {
namespace {

struct train_options {
    std::string corpus;
    std::string tier = "kjv256";
    std::string tokenizer = "word";
    std::uint32_t vocab = 0;  // 0: the tier's
    std::uint64_t seed = 1;
    std::string backend = "auto";
    int threads = 0;
    std::vector<std::string> set;
    bool no_plasticity = false;
    bool shuffle = false;
    std::string save;
    std::uint64_t checkpoint_every = 0;
};

int run_train(const train_options& o) {
    lang::split_spec spec = tier_spec(o.tier);
    spec.kind = lang::parse_tokenizer_kind(o.tokenizer);
    if (o.vocab != 0) {
        spec.vocab = o.vocab;
    }
    const lang::corpus text = lang::read_corpus(o.corpus);
    lang::dataset data = lang::make_dataset(text, spec);

    lang::learner_params p;
    for (const std::string& kv : o.set) {
        const std::size_t eq = kv.find('=');
        if (eq == std::string::npos) {
            throw model_error("--set needs key=value, got '" + kv + "'");
        }
        p.set(kv.substr(0, eq), kv.substr(eq + 1));
    }
    p.vocab_size = data.tok->size();
    p.seed = o.seed;
    p.plastic = !o.no_plasticity;
    engine_options eo;
    eo.threads = o.threads;

    language_model model;
    model.tier = o.tier;
    model.corpus = o.corpus;
    model.learner = std::make_unique<lang::network_learner>(p, o.backend, eo);
    lang::network_learner& net = *model.learner;
    std::cerr << "hebllm train: " << net.name() << ", " << net.network().neuron_count()
              << " neurons, " << net.network().synapse_count() << " synapses on "
              << net.network().backend() << "; " << data.train.size()
              << " training tokens, V = " << data.tok->size()
              << (o.shuffle ? ", shuffled stream" : "") << '\n';

    const std::vector<std::uint32_t> stream =
        o.shuffle ? lang::shuffled_stream(data.train, o.seed) : data.train;
    const auto t0 = std::chrono::steady_clock::now();
    lang::progress bar("train", stream.size());
    const std::uint64_t chunk = o.checkpoint_every != 0 ? o.checkpoint_every : stream.size();
    model.tok = std::move(data.tok);
    for (std::uint64_t done = 0; done < stream.size();) {
        const std::uint64_t n = std::min<std::uint64_t>(chunk, stream.size() - done);
        lang::train(net, std::span<const std::uint32_t>(stream).subspan(done, n), &bar);
        done += n;
        model.trained_tokens = done;
        if (!o.save.empty() && o.checkpoint_every != 0 && done < stream.size()) {
            save_language_model(o.save, model);
        }
    }
    bar.finish();
    const double train_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    lang::progress fit_bar("fit readout", data.validation.size());
    const double val_bits = net.fit_readout(data.validation);
    fit_bar.finish();
    std::printf(
        "trained on %zu tokens in %.1f s (%.0f tokens/s); readout beta %.4g, "
        "validation %.3f bits/token\n",
        stream.size(), train_s, static_cast<double>(stream.size()) / train_s, net.beta(), val_bits);
    if (!o.save.empty()) {
        save_language_model(o.save, model);
        std::printf("saved %s\n", o.save.c_str());
    }
    return exit_ok;
}

}  // namespace

void add_train_verb(CLI::App& app, action& chosen) {
    auto o = std::make_shared<train_options>();
    CLI::App* cmd = app.add_subcommand(
        "train", "Train the spiking learner on a corpus's training split and save the model");
    cmd->add_option("--corpus", o->corpus, "Corpus file (from 'hebllm corpus', or UTF-8 text)")
        ->required();
    cmd->add_option("--tier", o->tier, "Data split: kjv256 (100k/10k/10k tokens) or smoke")
        ->capture_default_str();
    cmd->add_option("--tokenizer", o->tokenizer, "word, subword or character")
        ->capture_default_str();
    cmd->add_option("--vocab", o->vocab, "Vocabulary size (default: the tier's)");
    cmd->add_option("--seed", o->seed, "Network seed")->capture_default_str();
    cmd->add_option("-b,--backend", o->backend, "auto, reference or cpu")->capture_default_str();
    cmd->add_option("-t,--threads", o->threads, "Threads for the cpu backend (0: default)");
    cmd->add_option("--set", o->set,
                    "Learner parameter key=value (repeatable; docs/language.md lists them)");
    cmd->add_flag("--no-plasticity", o->no_plasticity,
                  "The plasticity-off control: same network, STDP disabled");
    cmd->add_flag("--shuffle", o->shuffle, "The shuffled-stream control");
    cmd->add_option("-o,--save", o->save, "Model file to write (atomically)");
    cmd->add_option("--checkpoint-every", o->checkpoint_every,
                    "Also save after every N training tokens (needs --save)");
    cmd->callback([o, &chosen] { chosen = [o] { return run_train(*o); }; });
}

}  // namespace hebllm::cli
