// SPDX-License-Identifier: MIT
#pragma once
// Splits of a corpus into train / validation / test token streams (docs/language.md
// "Splits"): chapter % 10 == 9 -> test, == 8 -> validation, else train.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <hebllm/lang/corpus.hpp>
#include <hebllm/lang/tokenizer.hpp>

namespace hebllm::lang {

struct split_spec {
    std::uint64_t train_tokens = 100000, validation_tokens = 10000, test_tokens = 10000;
    std::uint32_t vocab = 256;
    tokenizer_kind kind = tokenizer_kind::word;
    static split_spec kjv256();  // the benchmark: 100,000 / 10,000 / 10,000, V = 256, word
    static split_spec kjv4k();   // 500,000 / 20,000 / 20,000, V = 4,096, word
    static split_spec smoke();   // 20,000 / 2,000 / 2,000, V = 256, word
    // The spec of a tier by name (tier_names()); model_error naming the tiers for another.
    static split_spec tier(std::string_view name);
};

// The tiers split_spec::tier() knows: kjv256, kjv4k, smoke.
std::vector<std::string> tier_names();

// The split of a unit (chapter): 0 train, 1 validation, 2 test.
int split_of(std::uint32_t chapter);

struct dataset {
    std::unique_ptr<tokenizer> tok;
    // The first train_tokens / validation_tokens / test_tokens tokens of each split's stream
    // (contexts run across chapter boundaries).
    std::vector<std::uint32_t> train, validation, test;
    double test_unk_rate = 0.0;
};

// The tokenizer is trained on the train split's text up to its train_tokens-th word token
// (docs/language.md). Throws model_error for an empty corpus or a split smaller than
// requested (naming the split, the tokens it has and the tokens asked for).
dataset make_dataset(const corpus& c, const split_spec& s);

// One split's lines in order (0 train, 1 validation, 2 test).
std::vector<std::string> split_lines(const corpus& c, int split);
// Encodes lines into one stream (character kind: each line followed by '\n'), stopping once
// max_tokens tokens are there (the result is cut to max_tokens).
std::vector<std::uint32_t> encode_lines(const tokenizer& tok, std::span<const std::string> lines,
                                        std::uint64_t max_tokens);

}  // namespace hebllm::lang
