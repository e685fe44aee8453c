// SPDX-License-Identifier: MIT
// The continual protocol on two tiny corpora: splits, the shared vocabulary, new words and
// their occurrence buckets.

#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include <hebllm/errors.hpp>
#include <hebllm/lang/continual.hpp>
#include <hebllm/lang/ngram.hpp>

namespace hebllm::lang {
namespace {

// Unit u holds "w0 w1 ... " words of a small alphabet; B adds words A never has.
corpus make(const std::string& prefix, int units, int extra) {
    corpus c;
    for (int u = 0; u < units; ++u) {
        std::string line;
        for (int i = 0; i < 10; ++i) {
            line += prefix + std::string(1, static_cast<char>('a' + (u + i) % (4 + extra))) + " ";
        }
        c.lines.push_back(line);
        c.chapter.push_back(static_cast<std::uint32_t>(u));
    }
    return c;
}

TEST(Continual, ProtocolOnTinyCorpora) {
    const corpus a = make("x", 100, 0);  // xa..xd
    const corpus b = make("y", 100, 2);  // ya..yf: all new in B
    continual_spec s;
    s.a_train_tokens = 500;
    s.a_test_tokens = 50;
    s.b_train_tokens = 500;
    s.b_test_tokens = 50;
    s.a_validation_tokens = 50;
    s.vocab = 64;
    const continual_data d = make_continual(a, b, s);
    EXPECT_EQ(d.tok->size(), 11u);  // <unk>, 4 x-words, 6 y-words
    EXPECT_EQ(d.a_train.size(), 500u);
    EXPECT_EQ(d.b_test.size(), 50u);
    EXPECT_EQ(d.a_validation.size(), 50u);
    int fresh = 0;
    for (std::uint32_t id = 0; id < d.tok->size(); ++id) {
        fresh += d.new_in_b[id] ? 1 : 0;
        EXPECT_EQ(d.new_in_b[id], d.tok->token_text(id)[0] == 'y') << d.tok->token_text(id);
    }
    EXPECT_EQ(fresh, 6);
    auto m = make_baseline("trigram-kn", d.tok->size());
    const continual_result r = evaluate_continual(d, *m);
    EXPECT_EQ(r.new_count[0], 6u);            // each new word's first occurrence
    EXPECT_EQ(r.new_count[1], 6u * 4);        // 2nd-5th
    EXPECT_EQ(r.new_count[2], 6u * 15);       // 6th-20th
    EXPECT_GT(r.new_bits[0], r.new_bits[2]);  // new words get cheaper as they recur
    EXPECT_LT(r.b_after_b.bits, r.b_after_a.bits);
    EXPECT_TRUE(std::isfinite(r.forgetting()));
    auto wrong = make_baseline("unigram", d.tok->size() + 1);
    EXPECT_THROW((void)evaluate_continual(d, *wrong), model_error);
    s.b_test_tokens = 100000;
    EXPECT_THROW((void)make_continual(a, b, s), model_error);
}

}  // namespace
}  // namespace hebllm::lang
