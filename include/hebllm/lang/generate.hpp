// SPDX-License-Identifier: MIT
#pragma once
// Text generation with any predictor: feed a prompt, then sample the predictor's own
// distribution one token at a time (docs/language.md "Generation").

#include <cstdint>
#include <span>
#include <vector>

#include <hebllm/lang/predictor.hpp>

namespace hebllm::lang {

// Draws token ids from a distribution. <unk> (id 0) is never drawn. temperature 0 takes the
// most likely token (lowest id on ties); otherwise p^(1/temperature), renormalised.
// Deterministic for a seed (splitmix64).
class sampler {
public:
    sampler(std::uint64_t seed, double temperature);
    std::uint32_t pick(std::span<const double> p);

private:
    double uniform();
    std::uint64_t state_;
    double temperature_;
    std::vector<double> weights_;
};

// The stream in a random order (Fisher-Yates driven by splitmix64): the shuffled-stream
// control of the language benchmark. Same seed, same order.
std::vector<std::uint32_t> shuffled_stream(std::span<const std::uint32_t> stream,
                                           std::uint64_t seed);

// Observes the prompt (learning only if learn_prompt), then generates n tokens: predict,
// draw, observe the drawn token without learning. Returns the generated tokens.
std::vector<std::uint32_t> continue_text(predictor& m, std::span<const std::uint32_t> prompt,
                                         std::uint32_t n, sampler& draw, bool learn_prompt);

}  // namespace hebllm::lang
