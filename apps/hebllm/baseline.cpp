// SPDX-License-Identifier: MIT
// `hebllm baseline`: the counting n-gram baselines on a corpus's KJV-256-style split, frozen or
// prequential, or through the continual protocol (docs/cli.md "baseline", docs/language.md).

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <hebllm/errors.hpp>
#include <hebllm/lang/continual.hpp>
#include <hebllm/lang/corpus.hpp>
#include <hebllm/lang/dataset.hpp>
#include <hebllm/lang/ngram.hpp>
#include <hebllm/lang/predictor.hpp>
#include <hebllm/lang/progress.hpp>
#include <hebllm/lang/tokenizer.hpp>

#include "lang_model.hpp"
#include "verbs.hpp"

namespace hebllm::cli {
namespace {

struct baseline_options {
    std::string corpus;
    std::string tier = "kjv256";
    std::string tokenizer = "word";
    std::uint32_t vocab = 0;  // 0: the tier's (continual: 1024)
    std::string models = "all";
    bool prequential = false;
    bool json = false;
    bool continual = false;
    std::string fortunes = lang::default_fortunes_dir().string();
    split_sizes sizes;  // --train-tokens, --valid-tokens, --test-tokens
};

std::vector<std::string> model_list(const std::string& models, bool continual) {
    if (models == "all") {
        return continual ? std::vector<std::string>{"trigram-kn"} : lang::baseline_names();
    }
    std::vector<std::string> out;
    std::stringstream s(models);
    std::string name;
    while (std::getline(s, name, ',')) {
        if (!name.empty()) {
            (void)lang::make_baseline(name, 2);  // an unknown name fails here, before any work
            out.push_back(name);
        }
    }
    if (out.empty()) {
        throw model_error("--models needs 'all' or a comma-separated list of baselines");
    }
    return out;
}

lang::split_spec spec_of(const baseline_options& o) {
    lang::split_spec s = o.sizes.applied_to(lang::split_spec::tier(o.tier));
    s.kind = lang::parse_tokenizer_kind(o.tokenizer);
    if (o.vocab != 0) {
        s.vocab = o.vocab;
    }
    return s;
}

std::string json_result(const lang::eval_result& r) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "{\"bits\": %.4f, \"top1\": %.4f, \"top5\": %.4f, \"tokens\": %llu, "
                  "\"wall_s\": %.4f, \"tokens_per_s\": %.0f}",
                  r.bits, r.top1, r.top5, static_cast<unsigned long long>(r.tokens), r.wall_s,
                  r.tokens_per_s);
    return buf;
}

int run_split(const baseline_options& o) {
    const lang::split_spec spec = spec_of(o);
    const std::vector<std::string> names = model_list(o.models, false);
    const lang::dataset d = lang::make_dataset(lang::read_corpus(o.corpus), spec);
    const char* mode = o.prequential ? "prequential" : "frozen";
    if (o.json) {
        std::printf(
            "{\n  \"corpus\": \"%s\",\n  \"tier\": \"%s\",\n  \"tokenizer\": \"%s\",\n"
            "  \"vocab\": %u,\n  \"train_tokens\": %zu,\n  \"test_tokens\": %zu,\n"
            "  \"test_unk_rate\": %.4f,\n  \"mode\": \"%s\",\n  \"models\": {\n",
            o.corpus.c_str(), o.tier.c_str(), o.tokenizer.c_str(), d.tok->size(), d.train.size(),
            d.test.size(), d.test_unk_rate, mode);
    } else {
        std::printf("%s, tier %s, %s tokenizer, V = %u: %zu training, %zu test tokens, %s\n",
                    o.corpus.c_str(), o.tier.c_str(), o.tokenizer.c_str(), d.tok->size(),
                    d.train.size(), d.test.size(), mode);
        std::printf("test <unk> rate %.1f%%\n", 100.0 * d.test_unk_rate);
        std::printf("%-12s %8s %8s %8s %12s\n", "model", "bits", "top-1", "top-5", "tokens/s");
    }
    for (std::size_t i = 0; i < names.size(); ++i) {
        auto m = lang::make_baseline(names[i], d.tok->size());
        {
            lang::progress bar(names[i] + " train", d.train.size());
            lang::train(*m, d.train, &bar);
            bar.finish();
        }
        lang::progress bar(names[i] + " " + mode, d.test.size());
        const lang::eval_result r = lang::evaluate(*m, d.test, o.prequential, &bar);
        bar.finish();
        if (o.json) {
            std::printf("    \"%s\": %s%s\n", names[i].c_str(), json_result(r).c_str(),
                        i + 1 < names.size() ? "," : "");
        } else {
            std::printf("%-12s %8.3f %7.1f%% %7.1f%% %12.0f\n", names[i].c_str(), r.bits,
                        100.0 * r.top1, 100.0 * r.top5, r.tokens_per_s);
        }
        std::fflush(stdout);
    }
    if (o.json) {
        std::printf("  }\n}\n");
    }
    return exit_ok;
}

int run_continual(const baseline_options& o) {
    if (o.sizes.any()) {
        throw model_error(
            "--continual has its own sizes (100,000 training and 10,000 test tokens per corpus): "
            "drop --train-tokens, --valid-tokens and --test-tokens");
    }
    lang::continual_spec spec;
    spec.kind = lang::parse_tokenizer_kind(o.tokenizer);
    if (o.vocab != 0) {
        spec.vocab = o.vocab;
    }
    const std::vector<std::string> names = model_list(o.models, true);
    const lang::continual_data d =
        lang::make_continual(lang::read_corpus(o.corpus), lang::read_fortunes(o.fortunes), spec);
    if (!o.json) {
        std::printf(
            "continual: A = %s, B = %s; %s tokenizer, V = %u; A %zu train / %zu test, B "
            "%zu train / %zu test tokens\n",
            o.corpus.c_str(), o.fortunes.c_str(), o.tokenizer.c_str(), d.tok->size(),
            d.a_train.size(), d.a_test.size(), d.b_train.size(), d.b_test.size());
        std::printf("%-12s %9s %9s %9s %9s %9s %9s %9s %9s\n", "model", "A|A", "B|A", "A|B", "B|B",
                    "forget", "new 1st", "new 2-5", "new 6-20");
    } else {
        std::printf("{\n  \"vocab\": %u,\n  \"models\": {\n", d.tok->size());
    }
    for (std::size_t i = 0; i < names.size(); ++i) {
        auto m = lang::make_baseline(names[i], d.tok->size());
        lang::progress bar(names[i] + " continual", lang::continual_tokens(d));
        const lang::continual_result r = lang::evaluate_continual(d, *m, &bar);
        bar.finish();
        if (o.json) {
            std::printf(
                "    \"%s\": {\"a_after_a\": %s, \"b_after_a\": %s, \"b_prequential\": %s, "
                "\"a_after_b\": %s, \"b_after_b\": %s, \"forgetting\": %.4f, "
                "\"new_word_bits\": [%.4f, %.4f, %.4f], \"new_word_counts\": [%llu, "
                "%llu, %llu]}%s\n",
                names[i].c_str(), json_result(r.a_after_a).c_str(),
                json_result(r.b_after_a).c_str(), json_result(r.b_train).c_str(),
                json_result(r.a_after_b).c_str(), json_result(r.b_after_b).c_str(), r.forgetting(),
                r.new_bits[0], r.new_bits[1], r.new_bits[2],
                static_cast<unsigned long long>(r.new_count[0]),
                static_cast<unsigned long long>(r.new_count[1]),
                static_cast<unsigned long long>(r.new_count[2]), i + 1 < names.size() ? "," : "");
        } else {
            std::printf("%-12s %9.3f %9.3f %9.3f %9.3f %+9.3f %9.3f %9.3f %9.3f\n",
                        names[i].c_str(), r.a_after_a.bits, r.b_after_a.bits, r.a_after_b.bits,
                        r.b_after_b.bits, r.forgetting(), r.new_bits[0], r.new_bits[1],
                        r.new_bits[2]);
        }
    }
    if (o.json) {
        std::printf("  }\n}\n");
    } else {
        std::printf(
            "bits/token, frozen test: A|B = A's test after learning B. new k: "
            "prequential bits on the k-th occurrence of words new in B\n");
    }
    return exit_ok;
}

}  // namespace

void add_baseline_verb(CLI::App& app, action& chosen) {
    auto o = std::make_shared<baseline_options>();
    CLI::App* cmd = app.add_subcommand(
        "baseline", "Score the n-gram baselines on a corpus (bits/token, strict top-1/5)");
    cmd->add_option("--corpus", o->corpus, "A corpus file ('hebllm corpus kjv') or UTF-8 text")
        ->required();
    cmd->add_option("--tier", o->tier,
                    "kjv256 (100k/10k tokens, V 256), kjv4k (500k/20k, V 4096) or smoke (20k/2k)")
        ->capture_default_str();
    add_split_size_options(*cmd, o->sizes, false, "the tier's");
    cmd->add_option("--tokenizer", o->tokenizer, "word, subword or character")
        ->capture_default_str();
    cmd->add_option("--vocab", o->vocab,
                    "Vocabulary size (default: the tier's: 4096 for kjv4k, else 256)");
    cmd->add_option("--models", o->models,
                    "all, or a comma-separated list of uniform, unigram, bigram-kn, trigram-kn, "
                    "4gram-kn, trigram-mkn, 5gram-mkn (modified Kneser-Ney; any Ngram-mkn), "
                    "trigram-wb")
        ->capture_default_str();
    cmd->add_flag("--prequential", o->prequential,
                  "Score prequentially (predict, score, then learn; KN: D = 0.75, modified KN: "
                  "discounts from the current counts)");
    cmd->add_flag("--continual", o->continual,
                  "The continual protocol: A = --corpus, B = --fortunes, V = 1024");
    cmd->add_option("--fortunes", o->fortunes, "Fortune files for --continual")
        ->capture_default_str();
    cmd->add_flag("--json", o->json, "Print the results as one JSON object");
    cmd->callback([o, &chosen] {
        chosen = [o] { return o->continual ? run_continual(*o) : run_split(*o); };
    });
}

}  // namespace hebllm::cli
