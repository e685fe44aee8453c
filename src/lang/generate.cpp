// SPDX-License-Identifier: MIT
#include <hebllm/lang/generate.hpp>

#include <cmath>

#include <hebllm/errors.hpp>

namespace hebllm::lang {
namespace {

// splitmix64: advances state and returns 64 well-mixed bits.
std::uint64_t splitmix64(std::uint64_t& state) {
    state += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

}  // namespace

std::vector<std::uint32_t> shuffled_stream(std::span<const std::uint32_t> stream,
                                           std::uint64_t seed) {
    std::vector<std::uint32_t> s(stream.begin(), stream.end());
    std::uint64_t state = seed ^ 0x9E3779B97F4A7C15ull;
    for (std::size_t i = s.size(); i > 1; --i) {
        std::swap(s[i - 1], s[splitmix64(state) % i]);
    }
    return s;
}

sampler::sampler(std::uint64_t seed, double temperature) : state_(seed), temperature_(temperature) {
    if (!std::isfinite(temperature) || temperature < 0.0) {
        throw model_error("sampler: the temperature must be finite and >= 0");
    }
}

double sampler::uniform() {
    return static_cast<double>(splitmix64(state_) >> 11) * 0x1.0p-53;
}

std::uint32_t sampler::pick(std::span<const double> p) {
    if (p.size() < 2) {
        throw model_error("sampler: the vocabulary has no token besides <unk>");
    }
    if (temperature_ == 0.0) {
        std::uint32_t best = 1;
        for (std::uint32_t i = 2; i < p.size(); ++i) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }
    weights_.assign(p.size(), 0.0);
    double total = 0.0;
    for (std::size_t i = 1; i < p.size(); ++i) {
        weights_[i] = p[i] > 0.0 ? std::pow(p[i], 1.0 / temperature_) : 0.0;
        total += weights_[i];
    }
    if (!(total > 0.0) || !std::isfinite(total)) {
        // Nothing but <unk> has weight (or it overflowed): draw uniformly.
        return 1 + static_cast<std::uint32_t>(uniform() * static_cast<double>(p.size() - 1)) %
                       static_cast<std::uint32_t>(p.size() - 1);
    }
    double u = uniform() * total;
    for (std::size_t i = 1; i < p.size(); ++i) {
        u -= weights_[i];
        if (u < 0.0) {
            return static_cast<std::uint32_t>(i);
        }
    }
    for (std::size_t i = p.size() - 1; i > 0; --i) {
        if (weights_[i] > 0.0) {
            return static_cast<std::uint32_t>(i);
        }
    }
    return 1;
}

std::vector<std::uint32_t> continue_text(predictor& m, std::span<const std::uint32_t> prompt,
                                         std::uint32_t n, sampler& draw, bool learn_prompt) {
    for (const std::uint32_t t : prompt) {
        m.observe(t, learn_prompt);
    }
    std::vector<double> p(m.vocab_size());
    std::vector<std::uint32_t> out;
    out.reserve(n);
    for (std::uint32_t k = 0; k < n; ++k) {
        m.predict(p);
        const std::uint32_t t = draw.pick(p);
        out.push_back(t);
        m.observe(t, false);
    }
    return out;
}

}  // namespace hebllm::lang
