// SPDX-License-Identifier: MIT
// The evaluation loops (include/hebllm/lang/predictor.hpp).

#include <hebllm/lang/predictor.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <hebllm/errors.hpp>
#include <hebllm/lang/metrics.hpp>

namespace hebllm::lang {
namespace {

void check_token(std::uint32_t t, const predictor& m) {
    if (t >= m.vocab_size()) {
        throw model_error("token id " + std::to_string(t) + " out of range for " + m.name() +
                          " (vocabulary of " + std::to_string(m.vocab_size()) + " tokens)");
    }
}

}  // namespace

eval_result evaluate(predictor& m, std::span<const std::uint32_t> stream, bool learn,
                     progress* bar) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<double> p(m.vocab_size());
    scorer score;
    m.start_scoring(learn);
    for (std::size_t i = 0; i < stream.size(); ++i) {
        const std::uint32_t t = stream[i];
        check_token(t, m);
        m.predict(p);
        score.add(p, t);
        m.observe(t, learn);
        if (bar != nullptr && (i & 63) == 63) {
            bar->update(i + 1, score.bits(), score.top1());
        }
    }
    if (bar != nullptr) {
        bar->update(stream.size(), score.bits(), score.top1());
    }
    m.end_scoring();
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return {score.bits(),
            score.top1(),
            score.top5(),
            score.count(),
            s,
            s > 0.0 ? static_cast<double>(stream.size()) / s : 0.0};
}

void train(predictor& m, std::span<const std::uint32_t> stream, progress* bar) {
    for (std::size_t i = 0; i < stream.size(); ++i) {
        check_token(stream[i], m);
        m.observe(stream[i], true);
        if (bar != nullptr && (i & 255) == 255) {
            bar->update(i + 1);
        }
    }
    if (bar != nullptr) {
        bar->update(stream.size());
    }
}

}  // namespace hebllm::lang
