// SPDX-License-Identifier: MIT
// Counting n-gram baselines (include/hebllm/lang/ngram.hpp, docs/language.md "Baselines").
//
// Interpolated Kneser-Ney (Chen & Goodman 1998, "interpolated KN" with one discount per
// order): for the top order n and a context h of n-1 tokens
//   p_n(w | h) = max(c(hw) - D_n, 0) / c(h.) + D_n N1+(h.) / c(h.) * p_{n-1}(w | h')
// where h' drops h's oldest token; orders k < n use the same formula with continuation counts
// N1+(.g) (the number of distinct tokens seen before the k-gram g) in place of raw counts;
// below order 1 is the uniform distribution 1/V. A context never seen passes its lower order
// through unchanged. D_k = n1 / (n1 + 2 n2) over the counts order k uses (n_c: k-grams with
// count c), or 0.75 in prequential scoring.
// Modified Kneser-Ney (Chen & Goodman's "interpolated modified KN"): the same counts, with
// three discounts per order chosen by the count, D(c) = D1, D2, D3+ for c = 1, 2, >= 3, and
//   p_k(w | h) = max(c(hw) - D(c(hw)), 0) / c(h.)
//              + (D1 N1(h.) + D2 N2(h.) + D3+ N3+(h.)) / c(h.) * p_{k-1}(w | h')
// (N_c(h.): successors of h with count c, N3+: with count >= 3); the discounts come from the
// order's current count-of-counts n1..n4 (modified_kn_discounts), which every count update
// keeps up to date, so frozen and prequential scoring use the same O(1) rule.
// Witten-Bell: p_k(w | h) = (c(hw) + T(h) p_{k-1}(w | h')) / (c(h.) + T(h)) with raw counts
// at every order (T(h): distinct tokens seen after h), p_0 = 1/V.
//
// Counts live in hash maps keyed by the k-gram's token ids packed into 64 bits (bits per id =
// ceil(log2 V)); each context keeps the list of its successors with their counts, so a
// prediction costs O(V) per order.

#include <hebllm/lang/ngram.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <hebllm/errors.hpp>

namespace hebllm::lang {
namespace {

class uniform_model final : public predictor {
public:
    explicit uniform_model(std::uint32_t v) : v_(v) {}
    std::string name() const override { return "uniform"; }
    std::uint32_t vocab_size() const override { return v_; }
    void predict(std::span<double> p) override {
        std::fill(p.begin(), p.end(), 1.0 / static_cast<double>(v_));
    }
    void observe(std::uint32_t /*token*/, bool /*learn*/) override {}

private:
    std::uint32_t v_;
};

enum class smoothing_kind { kneser_ney, modified_kneser_ney, witten_bell };

class ngram_model final : public predictor {
public:
    ngram_model(std::string name, std::uint32_t v, std::uint32_t order, smoothing_kind kind)
        : name_(std::move(name)), v_(v), n_(order), kind_(kind), orders_(order + 1) {
        while ((std::uint64_t{1} << bits_) < v_) {
            ++bits_;
        }
        if (static_cast<std::uint64_t>(bits_) * n_ > 64) {
            throw model_error(name_ + ": a vocabulary of " + std::to_string(v_) +
                              " tokens is too large for " + std::to_string(n_) +
                              "-gram keys of 64 bits (at most " +
                              std::to_string(std::uint64_t{1} << (64 / n_)) + ")");
        }
        hist_.reserve(n_);
    }

    std::string name() const override { return name_; }
    std::uint32_t vocab_size() const override { return v_; }
    void start_scoring(bool learn) override { prequential_ = learn; }

    void predict(std::span<double> p) override {
        const double uniform = 1.0 / static_cast<double>(v_);
        std::fill(p.begin(), p.end(), uniform);
        const std::uint32_t kmax =
            std::min<std::uint32_t>(n_, static_cast<std::uint32_t>(hist_.size()) + 1);
        for (std::uint32_t k = 1; k <= kmax; ++k) {
            const order_table& o = orders_[k];
            const auto it = o.contexts.find(context_key(k));
            if (it == o.contexts.end()) {
                continue;
            }
            const context_entry& c = o.context_list[it->second];
            if (c.total == 0) {
                continue;
            }
            const auto total = static_cast<double>(c.total);
            const auto types = static_cast<double>(c.next.size());
            if (kind_ == smoothing_kind::modified_kneser_ney) {
                const std::array<double, 3> d = modified_kn_discounts(o.coc);
                const double lambda =
                    (d[0] * c.by_count[0] + d[1] * c.by_count[1] + d[2] * c.by_count[2]) / total;
                for (double& x : p) {
                    x *= lambda;
                }
                for (const auto& [w, count] : c.next) {
                    const double dc = d[std::min<std::uint32_t>(count, 3) - 1];
                    p[w] += std::max(static_cast<double>(count) - dc, 0.0) / total;
                }
            } else if (kind_ == smoothing_kind::kneser_ney) {
                const double d = discount(k);
                const double lambda = d * types / total;
                for (double& x : p) {
                    x *= lambda;
                }
                for (const auto& [w, count] : c.next) {
                    p[w] += std::max(static_cast<double>(count) - d, 0.0) / total;
                }
            } else {
                const double lambda = types / (total + types);
                for (double& x : p) {
                    x *= lambda;
                }
                for (const auto& [w, count] : c.next) {
                    p[w] += static_cast<double>(count) / (total + types);
                }
            }
        }
    }

    void observe(std::uint32_t token, bool learn) override {
        if (token >= v_) {
            throw model_error("token id " + std::to_string(token) + " out of range for " + name_ +
                              " (vocabulary of " + std::to_string(v_) + " tokens)");
        }
        if (learn) {
            count(token);
        }
        if (n_ > 1) {
            if (hist_.size() == n_ - 1) {
                hist_.erase(hist_.begin());
            }
            hist_.push_back(token);
        }
    }

    // D_k in use: 0.75 while scoring prequentially, else n1 / (n1 + 2 n2) of order k's
    // counts (0.5 when there is no singleton, so that unseen tokens keep some mass).
    double discount(std::uint32_t k) const {
        if (prequential_) {
            return 0.75;
        }
        const order_table& o = orders_[k];
        if (o.coc[0] == 0) {
            return 0.5;
        }
        return static_cast<double>(o.coc[0]) / static_cast<double>(o.coc[0] + 2 * o.coc[1]);
    }

private:
    static constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
    struct gram_entry {
        std::uint32_t raw = 0;     // times the k-gram was seen
        std::uint32_t pos = none;  // its place in its context's successor list (none: count 0)
    };
    struct context_entry {
        std::uint64_t total = 0;                  // sum of the counts in next
        std::array<std::uint32_t, 3> by_count{};  // successors with count 1, 2, 3+
        std::vector<std::pair<std::uint32_t, std::uint32_t>> next;  // (token, count used)
    };
    struct order_table {
        std::unordered_map<std::uint64_t, gram_entry> grams;
        std::unordered_map<std::uint64_t, std::uint32_t> contexts;  // key -> context_list index
        std::vector<context_entry> context_list;
        std::array<std::uint64_t, 4> coc{};  // k-grams whose count used is 1, 2, 3, 4
    };

    // The last k-1 tokens of the history, packed (the newest in the low bits).
    std::uint64_t context_key(std::uint32_t k) const {
        std::uint64_t key = 0;
        for (std::uint32_t j = 0; j + 1 < k; ++j) {
            key = (key << bits_) | hist_[hist_.size() - (k - 1) + j];
        }
        return key;
    }

    void bump(std::uint32_t k, std::uint64_t ctx_key, std::uint32_t w, gram_entry& e) {
        order_table& o = orders_[k];
        auto [it, fresh] =
            o.contexts.try_emplace(ctx_key, static_cast<std::uint32_t>(o.context_list.size()));
        if (fresh) {
            o.context_list.emplace_back();
        }
        context_entry& c = o.context_list[it->second];
        ++c.total;
        if (e.pos == none) {
            e.pos = static_cast<std::uint32_t>(c.next.size());
            c.next.emplace_back(w, 1);
            ++o.coc[0];
            ++c.by_count[0];
            return;
        }
        const std::uint32_t now = ++c.next[e.pos].second;  // was now - 1 >= 1
        if (now <= 5) {
            --o.coc[now - 2];
        }
        if (now <= 4) {
            ++o.coc[now - 1];
        }
        if (now <= 3) {
            --c.by_count[now - 2];
            ++c.by_count[now - 1];
        }
    }

    void count(std::uint32_t w) {
        const std::uint32_t kmax =
            std::min<std::uint32_t>(n_, static_cast<std::uint32_t>(hist_.size()) + 1);
        for (std::uint32_t k = 1; k <= kmax; ++k) {
            const std::uint64_t ctx = context_key(k);
            const std::uint64_t key = (ctx << bits_) | w;
            gram_entry& e = orders_[k].grams[key];
            const std::uint32_t was = e.raw++;
            if (kind_ == smoothing_kind::witten_bell || k == n_) {
                bump(k, ctx, w, e);
            }
            if (kind_ != smoothing_kind::witten_bell && k >= 2 && was == 0) {
                // A new k-gram: its (k-1)-gram suffix gains a distinct predecessor.
                const std::uint64_t lower_ctx = context_key(k - 1);
                bump(k - 1, lower_ctx, w, orders_[k - 1].grams[(lower_ctx << bits_) | w]);
            }
        }
    }

    std::string name_;
    std::uint32_t v_;
    std::uint32_t n_;
    smoothing_kind kind_;
    std::uint32_t bits_ = 1;
    bool prequential_ = false;
    std::vector<order_table> orders_;  // [k], k = 1..n
    std::vector<std::uint32_t> hist_;  // the last n-1 tokens, oldest first
};

// The order n of a modified Kneser-Ney name, "Ngram-mkn" (N >= 1), "bigram-mkn" or
// "trigram-mkn"; 0 for any other name.
std::uint32_t modified_kn_order(std::string_view name) {
    constexpr std::string_view suffix = "gram-mkn";
    if (name == "bigram-mkn") {
        return 2;
    }
    if (name == "trigram-mkn") {
        return 3;
    }
    if (name.size() <= suffix.size() || !name.ends_with(suffix)) {
        return 0;
    }
    const std::string_view digits = name.substr(0, name.size() - suffix.size());
    std::uint32_t order = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), order);
    if (ec != std::errc{} || end != digits.data() + digits.size() || digits.front() == '0') {
        return 0;
    }
    return order;
}

}  // namespace

std::array<double, 3> modified_kn_discounts(const std::array<std::uint64_t, 4>& n) {
    const auto f = [&n](int c) { return static_cast<double>(n[static_cast<std::size_t>(c - 1)]); };
    const double y = n[0] == 0 ? 0.5 : f(1) / (f(1) + 2.0 * f(2));
    std::array<double, 3> d{};
    d[0] = n[0] == 0 ? y : 1.0 - 2.0 * y * f(2) / f(1);
    for (int c = 2; c <= 3; ++c) {
        const double prev = d[static_cast<std::size_t>(c - 2)];
        const double dc = n[static_cast<std::size_t>(c - 1)] == 0
                              ? prev
                              : static_cast<double>(c) - (c + 1) * y * f(c + 1) / f(c);
        d[static_cast<std::size_t>(c - 1)] = dc > 0.0 ? dc : prev;
    }
    return d;
}

std::vector<std::string> baseline_names() {
    return {"uniform",  "unigram",     "bigram-kn", "trigram-kn",
            "4gram-kn", "trigram-mkn", "5gram-mkn", "trigram-wb"};
}

std::unique_ptr<predictor> make_baseline(std::string_view name, std::uint32_t vocab_size) {
    if (vocab_size < 1) {
        throw model_error("baseline '" + std::string(name) + "': vocabulary size 0");
    }
    const std::string n(name);
    if (n == "uniform") {
        return std::make_unique<uniform_model>(vocab_size);
    }
    if (n == "unigram") {
        return std::make_unique<ngram_model>(n, vocab_size, 1, smoothing_kind::witten_bell);
    }
    if (n == "bigram-kn") {
        return std::make_unique<ngram_model>(n, vocab_size, 2, smoothing_kind::kneser_ney);
    }
    if (n == "trigram-kn") {
        return std::make_unique<ngram_model>(n, vocab_size, 3, smoothing_kind::kneser_ney);
    }
    if (n == "4gram-kn") {
        return std::make_unique<ngram_model>(n, vocab_size, 4, smoothing_kind::kneser_ney);
    }
    if (n == "trigram-wb") {
        return std::make_unique<ngram_model>(n, vocab_size, 3, smoothing_kind::witten_bell);
    }
    if (const std::uint32_t order = modified_kn_order(n); order > 0) {
        return std::make_unique<ngram_model>(n, vocab_size, order,
                                             smoothing_kind::modified_kneser_ney);
    }
    std::string names;
    for (const std::string& b : baseline_names()) {
        names += (names.empty() ? "" : ", ") + b;
    }
    throw model_error("unknown baseline '" + n + "' (baselines: " + names +
                      ", or Ngram-mkn for modified Kneser-Ney of any order N)");
}

}  // namespace hebllm::lang
