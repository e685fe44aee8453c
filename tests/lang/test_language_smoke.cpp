// SPDX-License-Identifier: MIT
// The smoke tier of the language benchmark end to end (issue 4: 20,000 training, 2,000
// validation and 2,000 test tokens of the KJV, V = 256): the spiking learner must beat the
// unigram baseline and its own plasticity-off control on frozen test bits. Needs Debian's
// bible-kjv (.ci/run installs it); skipped with a message otherwise.

#include <cstdio>
#include <cstdlib>

#include <gtest/gtest.h>

#include <hebllm/lang/corpus.hpp>
#include <hebllm/lang/dataset.hpp>
#include <hebllm/lang/learner.hpp>
#include <hebllm/lang/ngram.hpp>
#include <hebllm/lang/predictor.hpp>

namespace hebllm::lang {
namespace {

bool have_bible() {
    return std::system("command -v bible >/dev/null 2>&1") == 0;
}

eval_result run_learner(const dataset& d, bool plastic) {
    learner_params p;
    p.vocab_size = d.tok->size();
    p.plastic = plastic;
    network_learner net(p, "auto");
    train(net, d.train);
    net.fit_readout(d.validation);
    return evaluate(net, d.test, false);
}

TEST(language_smoke, learner_beats_unigram_and_its_plasticity_off_control) {
    if (!have_bible()) {
        GTEST_SKIP() << "'bible' not installed (apt-get install bible-kjv bible-kjv-text): "
                        "the smoke tier is not run";
    }
    const dataset d = make_dataset(parse_corpus(extract_kjv(), "kjv"), split_spec::smoke());
    auto unigram = make_baseline("unigram", d.tok->size());
    train(*unigram, d.train);
    const eval_result uni = evaluate(*unigram, d.test, false);
    const eval_result net = run_learner(d, true);
    const eval_result off = run_learner(d, false);
    std::printf(
        "[ smoke ] network %.3f bits %.1f%% top-1; unigram %.3f bits %.1f%%; plasticity "
        "off %.3f bits %.1f%%\n",
        net.bits, 100.0 * net.top1, uni.bits, 100.0 * uni.top1, off.bits, 100.0 * off.top1);
    EXPECT_LT(net.bits, uni.bits - 0.5);
    EXPECT_LT(net.bits, off.bits - 0.5);
    EXPECT_GT(net.top1, uni.top1);
}

}  // namespace
}  // namespace hebllm::lang
