// SPDX-License-Identifier: MIT
#pragma once
// Counting n-gram baselines (docs/language.md "Baselines").

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <hebllm/lang/predictor.hpp>

namespace hebllm::lang {

// "uniform", "unigram" (Witten-Bell), "bigram-kn", "trigram-kn", "4gram-kn" (interpolated
// Kneser-Ney), "trigram-wb" (Witten-Bell). Throws model_error listing the names for others.
// Kneser-Ney discounts: frozen scoring uses one D per order, n1 / (n1 + 2 n2) of the counts
// that order uses (continuation counts below the top order); prequential scoring uses 0.75.
std::unique_ptr<predictor> make_baseline(std::string_view name, std::uint32_t vocab_size);
// The names above, in that order.
std::vector<std::string> baseline_names();

}  // namespace hebllm::lang
