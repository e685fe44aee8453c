// SPDX-License-Identifier: MIT
// The continual-learning protocol (include/hebllm/lang/continual.hpp, docs/language.md
// "Continual learning").

#include <hebllm/lang/continual.hpp>

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include <hebllm/errors.hpp>
#include <hebllm/lang/dataset.hpp>
#include <hebllm/lang/metrics.hpp>

namespace hebllm::lang {
namespace {

// Up to max_tokens word tokens of lines (the last line cut), as in make_dataset.
void append_prefix(std::vector<std::string>& out, std::span<const std::string> lines,
                   std::uint64_t max_tokens, tokenizer_kind kind) {
    std::uint64_t have = 0;
    for (const std::string& line : lines) {
        if (have >= max_tokens) {
            break;
        }
        const std::vector<std::string> words = word_tokens(line);
        if (kind == tokenizer_kind::word && have + words.size() > max_tokens) {
            std::string cut;
            for (std::uint64_t i = 0; i < max_tokens - have; ++i) {
                cut += (i == 0 ? "" : " ") + words[i];
            }
            out.push_back(std::move(cut));
            return;
        }
        out.push_back(line);
        have += words.size();
    }
}

std::vector<std::uint32_t> take(const tokenizer& tok, const corpus& c, int split, std::uint64_t n,
                                const char* what) {
    const std::vector<std::string> lines = split_lines(c, split);
    std::vector<std::uint32_t> s = encode_lines(tok, lines, n);
    if (s.size() < n) {
        throw model_error(std::string("continual: ") + what + " has " + std::to_string(s.size()) +
                          " tokens, " + std::to_string(n) + " are needed");
    }
    return s;
}

}  // namespace

continual_data make_continual(const corpus& a, const corpus& b, const continual_spec& s) {
    if (a.lines.empty() || b.lines.empty()) {
        throw model_error("continual: empty corpus");
    }
    std::vector<std::string> text;
    append_prefix(text, split_lines(a, 0), s.a_train_tokens, s.kind);
    append_prefix(text, split_lines(b, 0), s.b_train_tokens, s.kind);
    continual_data d;
    d.tok = train_tokenizer(s.kind, text, s.vocab);
    d.a_train = take(*d.tok, a, 0, s.a_train_tokens, "phase A's train split");
    d.a_test = take(*d.tok, a, 2, s.a_test_tokens, "phase A's test split");
    if (s.a_validation_tokens > 0) {
        d.a_validation = take(*d.tok, a, 1, s.a_validation_tokens, "phase A's validation split");
    }
    d.b_train = take(*d.tok, b, 0, s.b_train_tokens, "phase B's train split");
    d.b_test = take(*d.tok, b, 2, s.b_test_tokens, "phase B's test split");
    std::vector<bool> in_a(d.tok->size(), false);
    for (const std::uint32_t t : d.a_train) {
        in_a[t] = true;
    }
    d.new_in_b.assign(d.tok->size(), false);
    for (const std::uint32_t t : d.b_train) {
        d.new_in_b[t] = t != tokenizer::unk && !in_a[t];
    }
    return d;
}

std::uint64_t continual_tokens(const continual_data& d) {
    return d.a_train.size() + d.a_validation.size() + 2 * d.a_test.size() + d.b_train.size() +
           2 * d.b_test.size();
}

continual_result evaluate_continual(const continual_data& d, predictor& m, progress* bar) {
    if (m.vocab_size() != d.tok->size()) {
        throw model_error("continual: the predictor " + m.name() + " has a vocabulary of " +
                          std::to_string(m.vocab_size()) + " tokens, the data " +
                          std::to_string(d.tok->size()));
    }
    std::uint64_t done = 0;
    const auto tick = [&](std::size_t n) {
        done += n;
        if (bar != nullptr) {
            bar->update(done);
        }
    };
    continual_result r;
    train(m, d.a_train);
    tick(d.a_train.size());
    if (!d.a_validation.empty()) {
        m.fit_held_out(d.a_validation);
        tick(d.a_validation.size());
    }
    r.a_after_a = evaluate(m, d.a_test, false);
    tick(d.a_test.size());
    r.b_after_a = evaluate(m, d.b_test, false);
    tick(d.b_test.size());

    // Phase B, prequential: predict, score, learn; new words scored by occurrence number.
    {
        std::vector<std::uint32_t> seen(d.tok->size(), 0);
        std::vector<double> p(m.vocab_size());
        scorer all;
        double sum[3] = {0.0, 0.0, 0.0};
        m.start_scoring(true);
        const auto start = std::chrono::steady_clock::now();
        for (const std::uint32_t t : d.b_train) {
            m.predict(p);
            all.add(p, t);
            if (d.new_in_b[t]) {
                const std::uint32_t k = ++seen[t];
                const int bucket = k == 1 ? 0 : k <= 5 ? 1 : k <= 20 ? 2 : -1;
                if (bucket >= 0) {
                    sum[bucket] += all.last_bits();
                    ++r.new_count[bucket];
                }
            }
            m.observe(t, true);
        }
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        r.b_train = {all.bits(),  all.top1(), all.top5(),
                     all.count(), s,          s > 0.0 ? static_cast<double>(all.count()) / s : 0.0};
        for (int i = 0; i < 3; ++i) {
            r.new_bits[i] = r.new_count[i] > 0 ? sum[i] / static_cast<double>(r.new_count[i]) : NAN;
        }
        tick(d.b_train.size());
    }
    r.a_after_b = evaluate(m, d.a_test, false);
    tick(d.a_test.size());
    r.b_after_b = evaluate(m, d.b_test, false);
    tick(d.b_test.size());
    return r;
}

}  // namespace hebllm::lang
