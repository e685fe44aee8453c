// SPDX-License-Identifier: MIT
#pragma once
// Anything that predicts the next token (n-gram baselines, the spiking network), and the
// evaluation loops every predictor goes through (docs/language.md "Scoring").

#include <cstdint>
#include <span>
#include <string>

#include <hebllm/lang/progress.hpp>

namespace hebllm::lang {

class predictor {
public:
    virtual ~predictor() = default;
    virtual std::string name() const = 0;
    virtual std::uint32_t vocab_size() const = 0;
    // Distribution for the next token given everything observed so far; p.size() ==
    // vocab_size(), sums to 1.
    virtual void predict(std::span<double> p) = 0;
    // Reveal the next token; learn from it when learn is true. Advances the context.
    virtual void observe(std::uint32_t token, bool learn) = 0;
    // Called by evaluate() before scoring a stream: learn false = frozen, true = prequential.
    // The Kneser-Ney baselines use it to fix their discounts; the default does nothing.
    virtual void start_scoring(bool /*learn*/) {}
    // Called by evaluate() after the stream: a frozen pass of the spiking learner puts every
    // bit of its state back as it was before start_scoring(false).
    virtual void end_scoring() {}
    // Fit the readout on held-out text without learning from it (the spiking learner's beta);
    // the default does nothing.
    virtual void fit_held_out(std::span<const std::uint32_t> /*stream*/) {}
};

struct eval_result {
    double bits, top1, top5;
    std::uint64_t tokens;
    double wall_s, tokens_per_s;
};

// learn=false: frozen; learn=true: prequential (predict, score, then update). Throws
// model_error for a token id >= m.vocab_size().
eval_result evaluate(predictor& m, std::span<const std::uint32_t> stream, bool learn,
                     progress* bar = nullptr);
// observe(t, true) for each token (the bar shows tokens and tokens/s).
void train(predictor& m, std::span<const std::uint32_t> stream, progress* bar = nullptr);

}  // namespace hebllm::lang
