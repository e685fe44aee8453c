// SPDX-License-Identifier: MIT
#pragma once
// Counting n-gram baselines (docs/language.md "Baselines").

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <hebllm/lang/predictor.hpp>

namespace hebllm::lang {

// "uniform", "unigram" (Witten-Bell), "bigram-kn", "trigram-kn", "4gram-kn" (interpolated
// Kneser-Ney), "trigram-wb" (Witten-Bell), and modified Kneser-Ney of any order n >= 1:
// "Ngram-mkn" ("bigram-mkn", "trigram-mkn" for n = 2, 3). Throws model_error listing the
// names for others, and for an order whose keys do not fit 64 bits (n * ceil(log2 V) > 64).
// Kneser-Ney discounts: frozen scoring uses one D per order, n1 / (n1 + 2 n2) of the counts
// that order uses (continuation counts below the top order); prequential scoring uses 0.75.
// Modified Kneser-Ney always uses modified_kn_discounts() of the current counts of each order,
// frozen or prequential.
std::unique_ptr<predictor> make_baseline(std::string_view name, std::uint32_t vocab_size);
// The names above, in that order, with modified Kneser-Ney as "trigram-mkn" and "5gram-mkn".
std::vector<std::string> baseline_names();

// Modified Kneser-Ney discounts {D1, D2, D3+} (Chen & Goodman 1998) from one order's
// count-of-counts n = {n1, n2, n3, n4} (n_c: the number of k-grams whose count as used at that
// order is c): Y = n1 / (n1 + 2 n2), D_c = c - (c+1) Y n_{c+1} / n_c. Fallbacks: Y = 0.5 when
// n1 = 0; D1 = Y when n1 = 0; D2 (D3+) = D1 (D2) when n2 (n3) = 0 or the formula gives
// D <= 0. So every discount lies in (0, c], and with n2 = n3 = 0 the model is plain KN.
std::array<double, 3> modified_kn_discounts(const std::array<std::uint64_t, 4>& n);

}  // namespace hebllm::lang
