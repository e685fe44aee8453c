// SPDX-License-Identifier: MIT
// The KJV-4k tier's baseline figures (docs/language.md "KJV-4k"): word and subword tokenizers,
// V = 4,096, the first 500,000 training and 20,000 test tokens, frozen. A regression check of
// the published table (+-0.005 bits, +-0.1 % strict top-1). Label slow: the SentencePiece
// training and the 500,000-token counts take a few seconds. Needs Debian's bible-kjv.

#include <cstdlib>
#include <initializer_list>

#include <gtest/gtest.h>

#include <hebllm/lang/corpus.hpp>
#include <hebllm/lang/dataset.hpp>
#include <hebllm/lang/ngram.hpp>
#include <hebllm/lang/predictor.hpp>

namespace hebllm::lang {
namespace {

bool have_bible() {
    return std::system("command -v bible >/dev/null 2>&1") == 0;
}

struct target {
    const char* name;
    double bits, top1;
};

void check(const corpus& c, tokenizer_kind kind, double unk_rate,
           std::initializer_list<target> targets) {
    split_spec s = split_spec::tier("kjv4k");
    s.kind = kind;
    const dataset d = make_dataset(c, s);
    ASSERT_EQ(d.train.size(), 500000u);
    ASSERT_EQ(d.validation.size(), 20000u);
    ASSERT_EQ(d.test.size(), 20000u);
    EXPECT_EQ(d.tok->size(), 4096u);
    EXPECT_NEAR(d.test_unk_rate, unk_rate, 0.0005);
    for (const target& t : targets) {
        auto m = make_baseline(t.name, d.tok->size());
        train(*m, d.train);
        const eval_result r = evaluate(*m, d.test, false);
        EXPECT_NEAR(r.bits, t.bits, 0.005) << t.name;
        EXPECT_NEAR(r.top1, t.top1, 0.001) << t.name;
    }
}

TEST(Kjv4k, BaselineFigures) {
    if (!have_bible()) {
        GTEST_SKIP() << "'bible' not installed (apt-get install bible-kjv bible-kjv-text): "
                        "the KJV-4k figures are not checked";
    }
    const corpus c = parse_corpus(extract_kjv(), "kjv");
    check(c, tokenizer_kind::word, 0.0264,
          {{"unigram", 7.828, 0.0794},
           {"bigram-kn", 5.632, 0.2781},
           {"trigram-kn", 5.089, 0.3267},
           {"4gram-kn", 4.933, 0.3495}});
    // SentencePiece covers every character of its training text: no <unk> in the test split.
    check(c, tokenizer_kind::subword, 0.0,
          {{"unigram", 8.230, 0.0711},
           {"bigram-kn", 5.723, 0.2776},
           {"trigram-kn", 5.127, 0.3398},
           {"4gram-kn", 4.962, 0.3669}});
}

}  // namespace
}  // namespace hebllm::lang
