// SPDX-License-Identifier: MIT
// Scores (include/hebllm/lang/metrics.hpp).

#include <hebllm/lang/metrics.hpp>

#include <cmath>
#include <string>

#include <hebllm/errors.hpp>
#include <hebllm/lang/tokenizer.hpp>

namespace hebllm::lang {

void scorer::add(std::span<const double> p, std::uint32_t target) {
    if (target >= p.size()) {
        throw model_error("token id " + std::to_string(target) + " out of range (vocabulary of " +
                          std::to_string(p.size()) + " tokens)");
    }
    const double pt = p[target];
    last_bits_ = -std::log2(pt);
    bits_sum_ += last_bits_;
    ++count_;
    if (target == tokenizer::unk) {
        return;  // <unk> targets always count as misses
    }
    // Rank among the non-<unk> tokens: those more likely, or as likely with a lower id.
    std::uint32_t rank = 0;
    for (std::uint32_t i = 1; i < p.size() && rank < 5; ++i) {
        if (p[i] > pt || (p[i] == pt && i < target)) {
            ++rank;
        }
    }
    top1_ += rank == 0 ? 1 : 0;
    top5_ += rank < 5 ? 1 : 0;
}

double scorer::bits() const {
    return count_ == 0 ? NAN : bits_sum_ / static_cast<double>(count_);
}
double scorer::top1() const {
    return count_ == 0 ? NAN : static_cast<double>(top1_) / static_cast<double>(count_);
}
double scorer::top5() const {
    return count_ == 0 ? NAN : static_cast<double>(top5_) / static_cast<double>(count_);
}

}  // namespace hebllm::lang
