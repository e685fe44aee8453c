// SPDX-License-Identifier: MIT
// Strict top-k and bits/token (docs/language.md "Scoring").

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include <hebllm/errors.hpp>
#include <hebllm/lang/metrics.hpp>

namespace hebllm::lang {
namespace {

TEST(Scorer, StrictTopKAndBits) {
    const std::vector<double> p = {0.4, 0.1, 0.3, 0.1, 0.1};
    scorer s;
    s.add(p, 2);  // the most likely non-<unk> token: a hit
    EXPECT_EQ(s.top1(), 1.0);
    s.add(p, 0);  // <unk> is the most likely of all, but an <unk> target is always a miss
    EXPECT_EQ(s.top1(), 0.5);
    EXPECT_EQ(s.top5(), 0.5);
    s.add(p, 1);  // rank 1 among non-<unk> tokens (ties go to the lower id): top-5 only
    s.add(p, 3);  // rank 2 (id 2 more likely, id 1 as likely and lower)
    EXPECT_EQ(s.count(), 4u);
    EXPECT_DOUBLE_EQ(s.top1(), 0.25);
    EXPECT_DOUBLE_EQ(s.top5(), 0.75);
    const double bits = (-std::log2(0.3) - std::log2(0.4) - 2.0 * std::log2(0.1)) / 4.0;
    EXPECT_NEAR(s.bits(), bits, 1e-12);
    EXPECT_THROW(s.add(p, 5), model_error);
}

TEST(Scorer, RankCountsOnlyNonUnkTokens) {
    // Five tokens beat the target when <unk> is counted, four when it is not: a top-5 hit.
    const std::vector<double> p = {0.3, 0.15, 0.15, 0.15, 0.15, 0.1};
    scorer s;
    s.add(p, 5);
    EXPECT_EQ(s.top5(), 1.0);
    EXPECT_EQ(s.top1(), 0.0);
}

}  // namespace
}  // namespace hebllm::lang
