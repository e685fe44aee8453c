// SPDX-License-Identifier: MIT
// The n-gram baselines against closed forms on tiny streams, normalisation, errors.

#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <hebllm/errors.hpp>
#include <hebllm/lang/ngram.hpp>

namespace hebllm::lang {
namespace {

const std::vector<std::uint32_t> stream = {1, 2, 1, 3, 1, 2};

std::vector<double> predict_after(predictor& m, bool prequential) {
    train(m, stream);
    m.start_scoring(prequential);
    std::vector<double> p(m.vocab_size());
    m.predict(p);
    return p;
}

void expect_near(const std::vector<double>& a, const std::vector<double>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_NEAR(a[i], b[i], 1e-12) << "token " << i;
    }
}

// Bigrams (1,2) x2, (2,1), (1,3), (3,1): top-order counts n1 = 3, n2 = 1, D2 = 3/5.
// Continuation counts N1+(.w): w=1: {2,3} -> 2, w=2: {1} -> 1, w=3: {1} -> 1 (the first
// token has no predecessor), total 4, 3 types, n1 = 2, n2 = 1, D1 = 2/4.
// p1(w) = max(N(w) - D1, 0)/4 + D1 * 3/4 * 1/4; context 2 has seen only 1 (once):
// p2(w) = max(c(2w) - D2, 0)/1 + D2 * 1/1 * p1(w).
TEST(Ngram, BigramKneserNeyClosedForm) {
    auto m = make_baseline("bigram-kn", 4);
    const double d1 = 0.5, d2 = 0.6;
    std::vector<double> p1(4), p2(4);
    const double cont[4] = {0, 2, 1, 1};
    for (int w = 0; w < 4; ++w) {
        p1[w] = std::max(cont[w] - d1, 0.0) / 4.0 + d1 * 3.0 / 4.0 / 4.0;
        p2[w] = (w == 1 ? 1.0 - d2 : 0.0) + d2 * p1[w];
    }
    expect_near(predict_after(*m, false), p2);
    EXPECT_NEAR(p2[1], 0.68125, 1e-12);
}

TEST(Ngram, PrequentialKneserNeyUsesFixedDiscount) {
    auto m = make_baseline("bigram-kn", 4);
    const double d = 0.75;
    std::vector<double> p2(4);
    const double cont[4] = {0, 2, 1, 1};
    for (int w = 0; w < 4; ++w) {
        const double p1 = std::max(cont[w] - d, 0.0) / 4.0 + d * 3.0 / 4.0 / 4.0;
        p2[w] = (w == 1 ? 1.0 - d : 0.0) + d * p1;
    }
    expect_near(predict_after(*m, true), p2);
}

// Witten-Bell: p(w|h) = (c(hw) + T(h) p_lower(w)) / (c(h) + T(h)), raw counts at every order.
TEST(Ngram, WittenBellClosedForm) {
    auto u = make_baseline("unigram", 4);
    const std::vector<double> p1 = {0.75 / 9, 3.75 / 9, 2.75 / 9, 1.75 / 9};  // N 6, T 3
    expect_near(predict_after(*u, false), p1);
    auto t = make_baseline("trigram-wb", 4);
    std::vector<double> p3(4);
    for (int w = 0; w < 4; ++w) {
        const double p2 = ((w == 1 ? 1.0 : 0.0) + p1[w]) / 2.0;  // context 2: {1: 1}
        p3[w] = ((w == 1 ? 1.0 : 0.0) + p2) / 2.0;               // context (1,2): {1: 1}
    }
    expect_near(predict_after(*t, false), p3);
}

TEST(Ngram, EveryDistributionSumsToOne) {
    std::vector<std::uint32_t> s;
    std::uint64_t x = 12345;
    for (int i = 0; i < 3000; ++i) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        s.push_back(
            static_cast<std::uint32_t>((x >> 33) % 7 == 0 ? (x >> 40) % 50 : (x >> 40) % 5));
    }
    for (const std::string& name : baseline_names()) {
        for (const bool learn : {false, true}) {
            auto m = make_baseline(name, 50);
            EXPECT_EQ(m->name(), name);
            std::vector<double> p(50);
            m->start_scoring(learn);
            for (std::size_t i = 0; i < s.size(); ++i) {
                m->predict(p);
                const double sum = std::accumulate(p.begin(), p.end(), 0.0);
                ASSERT_NEAR(sum, 1.0, 1e-12) << name << " token " << i;
                for (const double v : p) {
                    ASSERT_GT(v, 0.0) << name;
                }
                m->observe(s[i], learn || i < 2000);
            }
        }
    }
}

TEST(Ngram, Errors) {
    try {
        (void)make_baseline("5gram-kn", 10);
        FAIL() << "no error for an unknown baseline";
    } catch (const model_error& e) {
        EXPECT_NE(std::string(e.what()).find("trigram-kn"), std::string::npos) << e.what();
    }
    auto m = make_baseline("trigram-kn", 10);
    const std::vector<std::uint32_t> bad = {1, 2, 10};
    EXPECT_THROW(train(*m, bad), model_error);
    EXPECT_THROW((void)evaluate(*m, bad, false), model_error);
    EXPECT_THROW((void)make_baseline("4gram-kn", 70000), model_error);
}

TEST(Ngram, FrozenScoringDoesNotLearn) {
    auto m = make_baseline("trigram-kn", 4);
    train(*m, stream);
    const eval_result a = evaluate(*m, stream, false);
    const eval_result b = evaluate(*m, stream, false);
    EXPECT_EQ(a.bits, b.bits);
    EXPECT_EQ(a.tokens, stream.size());
    const eval_result c = evaluate(*m, stream, true);
    const eval_result d = evaluate(*m, stream, false);
    EXPECT_NE(c.bits, d.bits);
}

}  // namespace
}  // namespace hebllm::lang
