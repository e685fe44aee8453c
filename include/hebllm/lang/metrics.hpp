// SPDX-License-Identifier: MIT
#pragma once
// Scores of next-token predictions (docs/language.md "Scoring").

#include <cstdint>
#include <span>

namespace hebllm::lang {

// bits/token = mean of -log2 p[target] over all targets (<unk> targets included). STRICT
// top-k: only non-<unk> tokens are ranked (<unk> is never a correct prediction), ties broken
// by the lower id, and <unk> targets always count as misses.
class scorer {
public:
    // p: a distribution over the whole vocabulary; throws model_error if target >= p.size().
    void add(std::span<const double> p, std::uint32_t target);
    double bits() const;  // NaN before the first add
    double top1() const;
    double top5() const;
    std::uint64_t count() const { return count_; }
    // -log2 p[target] of the last add.
    double last_bits() const { return last_bits_; }

private:
    double bits_sum_ = 0.0;
    double last_bits_ = 0.0;
    std::uint64_t top1_ = 0, top5_ = 0, count_ = 0;
};

}  // namespace hebllm::lang
