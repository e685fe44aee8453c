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
#include <hebllm/lang/metrics.hpp>
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
    std::string resume;             // continue training from this model file
    std::uint64_t stop_after = 0;   // stop (and save, unfitted) after this many tokens; 0: all
    std::uint32_t sleep_every = 0;  // --set sleep_every
    split_sizes sizes;              // --train-tokens, --valid-tokens, --test-tokens
    std::string log;                // the learning curve (CSV) to write
    std::uint64_t log_every = 1000;
};

// The training log (--log, docs/cli.md "train"): each token is predicted before it
// is learned (prequential, so the bits are honest), and every log_every tokens one row with the
// interval's mean bits/token and top-1. Predicting first changes nothing: observe() runs the
// same prediction window itself when predict() was not called (tested: same model bytes).
struct train_log {
    std::string path;
    std::uint64_t every = 1000;
    std::string text = "tokens,bits_per_token,top1\n";
    lang::scorer interval;
    std::vector<double> p;

    void row(std::uint64_t tokens) {
        char line[96];
        std::snprintf(line, sizeof line, "%llu,%.6f,%.6f\n",
                      static_cast<unsigned long long>(tokens), interval.bits(), interval.top1());
        text += line;
        interval = lang::scorer();
    }
    // Writes what there is so far (atomically, the whole file each time).
    void write() const { lang::write_file_atomic(path, text); }
};

// lang::train with the log: tokens [first, first + stream.size()) of the training stream.
void train_logged(lang::network_learner& net, std::span<const std::uint32_t> stream,
                  std::uint64_t first, train_log& log, lang::progress& bar) {
    log.p.resize(net.vocab_size());
    for (std::size_t i = 0; i < stream.size(); ++i) {
        const std::uint32_t t = stream[i];
        if (t >= net.vocab_size()) {
            throw model_error("token id " + std::to_string(t) + " out of range for " + net.name() +
                              " (vocabulary of " + std::to_string(net.vocab_size()) + " tokens)");
        }
        net.predict(log.p);
        log.interval.add(log.p, t);
        net.observe(t, true);
        const std::uint64_t done = first + i + 1;
        if (done % log.every == 0) {
            log.row(done);
        }
        if ((i & 255) == 255) {
            bar.update(done);
        }
    }
    bar.update(first + stream.size());
}

// Continue a run saved by --checkpoint-every or --stop-after: same split, same stream, from
// the token where it stopped; the result is the same as one run straight through.
language_model resume_model(const train_options& o, lang::dataset& data) {
    language_model model = load_language_model(o.resume, o.backend, o.threads);
    const lang::split_spec spec = model_split(model);
    model.sizes = split_sizes::of(spec);  // a file from before the sizes were recorded
    data = lang::make_dataset(lang::read_corpus(o.corpus), spec);
    if (data.tok->fingerprint() != model.tok->fingerprint()) {
        throw model_error("the model " + o.resume + " was trained with another vocabulary than " +
                          o.corpus + " gives for tier " + model.tier +
                          ": resume it on its own corpus");
    }
    if (model.trained_tokens > data.train.size()) {
        throw model_error("the model " + o.resume + " has read " +
                          std::to_string(model.trained_tokens) + " tokens, more than the " +
                          std::to_string(data.train.size()) + " of its training split");
    }
    return model;
}

int run_train(const train_options& o) {
    if (!o.resume.empty()) {
        if (!o.set.empty() || o.no_plasticity || o.shuffle || o.sleep_every != 0 || o.sizes.any()) {
            throw model_error(
                "--resume continues a saved run as it was configured: drop --set, "
                "--no-plasticity, --shuffle, --sleep-every and the split sizes "
                "(--train-tokens, --valid-tokens, --test-tokens)");
        }
    }
    lang::split_spec spec = o.sizes.applied_to(lang::split_spec::tier(o.tier));
    spec.kind = lang::parse_tokenizer_kind(o.tokenizer);
    if (o.vocab != 0) {
        spec.vocab = o.vocab;
    }
    lang::dataset data;
    language_model model;
    if (!o.resume.empty()) {
        model = resume_model(o, data);
    } else {
        data = lang::make_dataset(lang::read_corpus(o.corpus), spec);
    }

    lang::learner_params p;
    for (const std::string& kv : o.set) {
        const std::size_t eq = kv.find('=');
        if (eq == std::string::npos) {
            throw model_error("--set needs key=value, got '" + kv + "'");
        }
        p.set(kv.substr(0, eq), kv.substr(eq + 1));
    }
    if (o.sleep_every != 0) {
        p.sleep_every = o.sleep_every;
    }
    p.vocab_size = data.tok->size();
    p.seed = o.seed;
    p.plastic = !o.no_plasticity;
    engine_options eo;
    eo.threads = o.threads;

    if (o.resume.empty()) {
        model.tier = o.tier;
        model.sizes = split_sizes::of(spec);
        model.corpus = o.corpus;
        model.shuffled = o.shuffle;
        model.learner = std::make_unique<lang::network_learner>(p, o.backend, eo);
    }
    lang::network_learner& net = *model.learner;
    std::cerr << "hebllm train: " << net.name() << ", " << net.network().neuron_count()
              << " neurons, " << net.network().synapse_count() << " synapses on "
              << net.network().backend() << "; " << data.train.size()
              << " training tokens, V = " << data.tok->size()
              << (model.shuffled ? ", shuffled stream" : "")
              << (model.trained_tokens > 0
                      ? ", resuming after " + std::to_string(model.trained_tokens)
                      : std::string())
              << '\n';

    const std::vector<std::uint32_t> stream =
        model.shuffled ? lang::shuffled_stream(data.train, net.params().seed) : data.train;
    const auto t0 = std::chrono::steady_clock::now();
    const std::uint64_t end =
        o.stop_after != 0 ? std::min<std::uint64_t>(o.stop_after, stream.size()) : stream.size();
    lang::progress bar("train", end);
    const std::uint64_t chunk = o.checkpoint_every != 0 ? o.checkpoint_every : stream.size();
    if (!model.tok) {
        model.tok = std::move(data.tok);
    }
    const std::uint64_t first = model.trained_tokens;
    train_log log;
    log.path = o.log;
    log.every = o.log_every;
    for (std::uint64_t done = first; done < end;) {
        const std::uint64_t n = std::min<std::uint64_t>(chunk - done % chunk, end - done);
        const auto part = std::span<const std::uint32_t>(stream).subspan(done, n);
        if (o.log.empty()) {
            lang::train(net, part, &bar);
        } else {
            train_logged(net, part, done, log, bar);
        }
        done += n;
        model.trained_tokens = done;
        if (!o.save.empty() && o.checkpoint_every != 0 && done < end) {
            save_language_model(o.save, model);
            if (!o.log.empty()) {
                log.write();
            }
        }
    }
    bar.finish();
    if (!o.log.empty()) {
        if (log.interval.count() > 0) {
            log.row(end);  // the last, shorter interval
        }
        log.write();
    }
    if (end < stream.size()) {
        // Stopped early: save unfitted (fitting would move the network on), resume later.
        if (!o.save.empty()) {
            save_language_model(o.save, model);
        }
        std::printf(
            "stopped after %llu of %zu training tokens%s\n", static_cast<unsigned long long>(end),
            stream.size(),
            o.save.empty() ? "" : ("; saved " + o.save + " (continue with --resume)").c_str());
        return exit_ok;
    }
    const double train_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    lang::progress fit_bar("fit readout", data.validation.size());
    const double val_bits = net.fit_readout(data.validation);
    fit_bar.finish();
    std::printf(
        "trained on %zu tokens in %.1f s (%.0f tokens/s); readout beta %.4g, "
        "validation %.3f bits/token\n",
        static_cast<std::size_t>(end - first), train_s, static_cast<double>(end - first) / train_s,
        net.beta(), val_bits);
    const auto u = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
    std::printf(
        "network: %llu synapses (%llu grown, %llu refused at the cap, %llu pruned); "
        "units of order 2 / 3: %llu / %llu live, %llu / %llu reclaimed in sleep, "
        "%llu recruitments refused (pool full)\n",
        u(net.network().synapse_count()), u(net.grown_synapses()), u(net.refused_growth()),
        u(net.pruned_synapses()), u(net.live_units(2)), u(net.live_units(3)), u(net.reclaimed(2)),
        u(net.reclaimed(3)), u(net.pool_full()));
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
    cmd->add_option("--tier", o->tier,
                    "Data split: kjv256 (100k/10k/10k tokens, V 256), kjv4k (500k/20k/20k, "
                    "V 4096) or smoke (20k/2k/2k)")
        ->capture_default_str();
    add_split_size_options(*cmd, o->sizes, true, "the tier's");
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
    cmd->add_option("--resume", o->resume,
                    "Continue training from a model saved by --checkpoint-every or --stop-after");
    cmd->add_option("--stop-after", o->stop_after,
                    "Stop after N training tokens and save without fitting (resume later)");
    cmd->add_option("--sleep-every", o->sleep_every,
                    "Sleep (replay and pruning, docs/learner.md) every N tokens");
    cmd->add_option("--log", o->log,
                    "Write the learning curve (CSV: tokens, prequential bits/token and top-1 "
                    "per interval) for 'hebllm report --log'");
    cmd->add_option("--log-every", o->log_every, "Tokens per row of --log")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->callback([o, &chosen] { chosen = [o] { return run_train(*o); }; });
}

}  // namespace hebllm::cli
