// SPDX-License-Identifier: MIT
// Splits of any text at any size (issue 11): the tiers' specs, sizes other than a tier's, the
// split units of plain text (paragraphs, or sentences), and the error for a text too small.

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <hebllm/errors.hpp>
#include <hebllm/lang/corpus.hpp>
#include <hebllm/lang/dataset.hpp>

namespace hebllm::lang {
namespace {

// n sentences "sK aK bK cK." (4 word tokens and a full stop each), K = the sentence's
// index % 10, so a token names the split its sentence falls in; `paragraph` sentences per
// blank-line-separated paragraph (0: no blank lines), hard-wrapped every 3 words.
std::string constructed_text(int n, int paragraph) {
    std::string text;
    int words = 0;
    for (int i = 0; i < n; ++i) {
        const std::string k(1, static_cast<char>('a' + i % 10));
        for (const char* w : {"s", "a", "b", "c"}) {
            text += std::string(w) + k + (w[0] == 'c' ? "." : "");
            text += ++words % 3 == 0 ? '\n' : ' ';
        }
        if (paragraph > 0 && (i + 1) % paragraph == 0) {
            text += "\n\n";
        }
    }
    return text;
}

TEST(Split, TierSpecs) {
    const split_spec k = split_spec::tier("kjv4k");
    EXPECT_EQ(k.train_tokens, 500000u);
    EXPECT_EQ(k.validation_tokens, 20000u);
    EXPECT_EQ(k.test_tokens, 20000u);
    EXPECT_EQ(k.vocab, 4096u);
    EXPECT_EQ(k.kind, tokenizer_kind::word);
    const split_spec b = split_spec::tier("kjv256");
    EXPECT_EQ(b.train_tokens, 100000u);
    EXPECT_EQ(b.validation_tokens, 10000u);
    EXPECT_EQ(b.test_tokens, 10000u);
    EXPECT_EQ(b.vocab, 256u);
    EXPECT_EQ(split_spec::tier("smoke").train_tokens, 20000u);
    EXPECT_EQ(tier_names(), (std::vector<std::string>{"kjv256", "kjv4k", "smoke"}));
    try {
        (void)split_spec::tier("kjv1m");
        FAIL() << "no error for an unknown tier";
    } catch (const model_error& e) {
        EXPECT_NE(std::string(e.what()).find("unknown tier 'kjv1m' (tiers: kjv256, kjv4k, smoke)"),
                  std::string::npos)
            << e.what();
    }
}

TEST(Split, SentenceUnitsOfAHardWrappedText) {
    // 200 sentences, no blank line: 200 units, whatever the wrapping.
    const corpus c = parse_corpus(constructed_text(200, 0), "t");
    ASSERT_EQ(c.lines.size(), 200u);
    EXPECT_EQ(c.lines[3], "sd ad bd cd.");
    EXPECT_EQ(c.chapter.back(), 199u);
    split_spec s;
    s.train_tokens = 700;  // of 160 train sentences x 5 tokens = 800
    s.validation_tokens = 93;
    s.test_tokens = 100;  // all of the 20 test sentences
    s.vocab = 64;
    const dataset d = make_dataset(c, s);
    ASSERT_EQ(d.train.size(), 700u);
    ASSERT_EQ(d.validation.size(), 93u);
    ASSERT_EQ(d.test.size(), 100u);
    // Sentence k goes to split_of(k): the validation stream is made of "?i" tokens only, the
    // test stream of "?j" tokens, neither seen in training.
    EXPECT_DOUBLE_EQ(d.test_unk_rate, 80.0 / 100.0);  // all but the 20 full stops
    EXPECT_EQ(d.tok->token_text(d.test[4]), ".");
}

TEST(Split, ParagraphUnits) {
    // 300 sentences in paragraphs of 3: 100 units, each line (3 words) kept as a line.
    const corpus c = parse_corpus(constructed_text(300, 3), "t");
    EXPECT_EQ(c.chapter.back(), 99u);
    EXPECT_EQ(c.lines[0], "sa aa ba");
    split_spec s;
    s.train_tokens = 1200;  // of 80 train paragraphs x 15 tokens
    s.validation_tokens = 150;
    s.test_tokens = 150;
    s.vocab = 64;
    const dataset d = make_dataset(c, s);
    EXPECT_EQ(d.train.size(), 1200u);
    EXPECT_EQ(d.test.size(), 150u);
    s.train_tokens = 1201;
    EXPECT_THROW((void)make_dataset(c, s), model_error);
}

TEST(Split, TooSmallNamesTheSplitItsTokensAndTheTokensAsked) {
    const corpus c = parse_corpus(constructed_text(200, 0), "t");
    split_spec s;
    s.vocab = 64;
    s.train_tokens = 800;
    s.validation_tokens = 100;
    s.test_tokens = 100;
    EXPECT_NO_THROW((void)make_dataset(c, s));
    const struct {
        std::uint64_t train, validation, test;
        const char* message;
    } cases[] = {
        {801, 100, 100,
         "its train split (units with index % 10 < 8 of the corpus's 200 units) "
         "has 800 word tokens, 801 are needed"},
        {800, 101, 100,
         "its validation split (units with index % 10 == 8 of the corpus's 200 "
         "units) has 100 word tokens, 101 are needed"},
        {800, 100, 5000,
         "its test split (units with index % 10 == 9 of the corpus's 200 units) "
         "has 100 word tokens, 5000 are needed"},
    };
    for (const auto& k : cases) {
        s.train_tokens = k.train;
        s.validation_tokens = k.validation;
        s.test_tokens = k.test;
        try {
            (void)make_dataset(c, s);
            ADD_FAILURE() << "no error for " << k.message;
        } catch (const model_error& e) {
            EXPECT_NE(std::string(e.what()).find(k.message), std::string::npos) << e.what();
        }
    }
}

}  // namespace
}  // namespace hebllm::lang
