// SPDX-License-Identifier: MIT
#pragma once
// The continual-learning protocol of issue 4 item 7 (docs/language.md "Continual learning"):
// phase A = a first corpus's training stream, phase B = a second corpus's; one tokenizer,
// trained up front on A's and B's training text. Any predictor goes through the same function.

#include <cstdint>
#include <memory>
#include <vector>

#include <hebllm/lang/corpus.hpp>
#include <hebllm/lang/predictor.hpp>
#include <hebllm/lang/tokenizer.hpp>

namespace hebllm::lang {

struct continual_spec {
    std::uint64_t a_train_tokens = 100000, a_test_tokens = 10000;
    // Phase A's validation split: what a predictor fits its readout on after phase A
    // (predictor::fit_held_out; 0: none).
    std::uint64_t a_validation_tokens = 10000;
    std::uint64_t b_train_tokens = 100000, b_test_tokens = 10000;
    std::uint32_t vocab = 1024;
    tokenizer_kind kind = tokenizer_kind::word;
};

struct continual_data {
    std::unique_ptr<tokenizer> tok;
    std::vector<std::uint32_t> a_train, a_validation, a_test, b_train, b_test;
    // new_in_b[id]: token id occurs in b_train but not in a_train (<unk> never).
    std::vector<bool> new_in_b;
};

// Both corpora split by split_of(chapter) (for fortunes: the entry index mod 10). The
// tokenizer is trained on A's then B's training text up to their train_tokens-th word token.
continual_data make_continual(const corpus& a, const corpus& b, const continual_spec& s);

struct continual_result {
    eval_result a_after_a;  // frozen, A test, after training on A
    eval_result b_after_a;  // frozen, B test, after A (before B)
    eval_result b_train;    // prequential over B's training stream (phase B)
    eval_result
        a_after_b;  // frozen, A test, after B (forgetting = a_after_b.bits - a_after_a.bits)
    eval_result b_after_b;  // frozen, B test, after B
    // Prequential bits on the occurrences of words new in B during phase B, by occurrence
    // number: [0] 1st, [1] 2nd-5th, [2] 6th-20th; new_count: targets in each bucket.
    double new_bits[3] = {0.0, 0.0, 0.0};
    std::uint64_t new_count[3] = {0, 0, 0};
    double forgetting() const { return a_after_b.bits - a_after_a.bits; }
};

// Runs the protocol on a fresh predictor m (vocab_size() == d.tok->size()): train on A, fit
// its readout on A's validation split (predictor::fit_held_out), score A and B test frozen, learn B
// prequentially (scoring new words), score A and B again. A bar, if given, should be made with
// total continual_tokens(d): it counts all phases.
std::uint64_t continual_tokens(const continual_data& d);
continual_result evaluate_continual(const continual_data& d, predictor& m, progress* bar = nullptr);

}  // namespace hebllm::lang
