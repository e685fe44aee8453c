// SPDX-License-Identifier: MIT
// Tokenizers (include/hebllm/lang/tokenizer.hpp, docs/language.md "Tokenizers").

#include <hebllm/lang/tokenizer.hpp>

#include <algorithm>
#include <charconv>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <hebllm/errors.hpp>

#include "text_util.hpp"

// Exported by libsentencepiece but not declared in its installed headers (0.1.97).
namespace sentencepiece::logging {
void SetMinLogLevel(int v);
}  // namespace sentencepiece::logging

namespace hebllm::lang {
namespace {

constexpr std::string_view magic = "hebllm-tokenizer 1";
constexpr std::string_view unk_text = "<unk>";

[[noreturn]] void bad_serialized(const std::string& why) {
    throw model_error("not a serialized hebllm tokenizer: " + why);
}

void check_id(std::uint32_t id, std::uint32_t size) {
    if (id >= size) {
        throw model_error("token id " + std::to_string(id) + " out of range (vocabulary of " +
                          std::to_string(size) + " tokens)");
    }
}

bool is_lower(char c) {
    return c >= 'a' && c <= 'z';
}
char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
bool is_punct(char c) {
    return c == '.' || c == ',' || c == ';' || c == ':' || c == '?' || c == '!';
}

// Calls f(token) for each word token of text: [a-z]+(?:'[a-z]+)?|[.,;:?!] on the lower-cased
// text, leftmost matches, everything else skipped.
template <class F>
void for_each_word(std::string_view text, F&& f) {
    std::string tok;
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        const char c = lower(text[i]);
        if (is_lower(c)) {
            tok.clear();
            while (i < n && is_lower(lower(text[i]))) {
                tok += lower(text[i++]);
            }
            if (i + 1 < n && text[i] == '\'' && is_lower(lower(text[i + 1]))) {
                tok += '\'';
                ++i;
                while (i < n && is_lower(lower(text[i]))) {
                    tok += lower(text[i++]);
                }
            }
            f(std::string_view(tok));
        } else if (is_punct(c)) {
            f(std::string_view(&text[i], 1));
            ++i;
        } else {
            ++i;
        }
    }
}

// The vocab_size-1 most frequent keys, ties by first occurrence.
template <class Key>
std::vector<Key> most_frequent(const std::vector<Key>& order,
                               const std::unordered_map<Key, std::uint64_t>& counts,
                               std::uint32_t vocab_size) {
    std::vector<std::size_t> idx(order.size());
    for (std::size_t i = 0; i < idx.size(); ++i) {
        idx[i] = i;
    }
    // order is in first-occurrence order, so a stable sort by count keeps ties in that order.
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
        return counts.at(order[a]) > counts.at(order[b]);
    });
    const std::size_t keep = std::min<std::size_t>(idx.size(), vocab_size - 1);
    std::vector<Key> out;
    out.reserve(keep);
    for (std::size_t i = 0; i < keep; ++i) {
        out.push_back(order[idx[i]]);
    }
    return out;
}

std::string header(std::string_view kind, std::size_t count) {
    return std::string(magic) + " " + std::string(kind) + " " + std::to_string(count) + "\n";
}

class word_tokenizer final : public tokenizer {
public:
    explicit word_tokenizer(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {
        tokens_.insert(tokens_.begin(), std::string(unk_text));
        for (std::uint32_t i = 1; i < tokens_.size(); ++i) {
            ids_.emplace(tokens_[i], i);
        }
    }
    tokenizer_kind kind() const override { return tokenizer_kind::word; }
    std::uint32_t size() const override { return static_cast<std::uint32_t>(tokens_.size()); }
    std::vector<std::uint32_t> encode(std::string_view text) const override {
        std::vector<std::uint32_t> out;
        for_each_word(text, [&](std::string_view t) {
            const auto it = ids_.find(std::string(t));
            out.push_back(it == ids_.end() ? unk : it->second);
        });
        return out;
    }
    std::string decode(std::span<const std::uint32_t> ids) const override {
        std::string out;
        for (const std::uint32_t id : ids) {
            check_id(id, size());
            const std::string& t = tokens_[id];
            if (!out.empty() && !(t.size() == 1 && is_punct(t[0]))) {
                out += ' ';
            }
            out += t;
        }
        return out;
    }
    std::string token_text(std::uint32_t id) const override {
        check_id(id, size());
        return tokens_[id];
    }
    std::string serialize() const override {
        std::string out = header("word", tokens_.size() - 1);
        for (std::size_t i = 1; i < tokens_.size(); ++i) {
            out += tokens_[i];
            out += '\n';
        }
        return out;
    }

private:
    std::vector<std::string> tokens_;  // [id]; tokens_[0] = "<unk>"
    std::unordered_map<std::string, std::uint32_t> ids_;
};

// ASCII letters lower-cased; other code points as they are.
std::uint32_t fold(std::uint32_t cp) {
    return (cp >= 'A' && cp <= 'Z') ? cp - 'A' + 'a' : cp;
}

class character_tokenizer final : public tokenizer {
public:
    explicit character_tokenizer(std::vector<std::uint32_t> points) : points_(std::move(points)) {
        points_.insert(points_.begin(), 0xFFFDu);
        for (std::uint32_t i = 1; i < points_.size(); ++i) {
            ids_.emplace(points_[i], i);
        }
    }
    tokenizer_kind kind() const override { return tokenizer_kind::character; }
    std::uint32_t size() const override { return static_cast<std::uint32_t>(points_.size()); }
    std::vector<std::uint32_t> encode(std::string_view text) const override {
        std::vector<std::uint32_t> out;
        std::size_t i = 0;
        while (i < text.size()) {
            std::uint32_t cp = 0;
            const std::size_t n = detail::utf8_decode(text, i, cp);
            if (n == 0) {
                out.push_back(unk);  // an invalid byte
                ++i;
                continue;
            }
            i += n;
            const auto it = ids_.find(fold(cp));
            out.push_back(it == ids_.end() ? unk : it->second);
        }
        return out;
    }
    std::string decode(std::span<const std::uint32_t> ids) const override {
        std::string out;
        for (const std::uint32_t id : ids) {
            check_id(id, size());
            detail::utf8_append(out, points_[id]);
        }
        return out;
    }
    std::string token_text(std::uint32_t id) const override {
        check_id(id, size());
        if (id == unk) {
            return std::string(unk_text);
        }
        std::string out;
        detail::utf8_append(out, points_[id]);
        return out;
    }
    std::string serialize() const override {
        std::string out = header("character", points_.size() - 1);
        for (std::size_t i = 1; i < points_.size(); ++i) {
            out += std::to_string(points_[i]);
            out += '\n';
        }
        return out;
    }

private:
    std::vector<std::uint32_t> points_;  // [id] code point; points_[0] = U+FFFD for <unk>
    std::unordered_map<std::uint32_t, std::uint32_t> ids_;
};

class subword_tokenizer final : public tokenizer {
public:
    explicit subword_tokenizer(std::string proto) : proto_(std::move(proto)) {
        const auto status = sp_.LoadFromSerializedProto(proto_);
        if (!status.ok()) {
            bad_serialized("the SentencePiece model does not load: " + status.ToString());
        }
        if (sp_.GetPieceSize() < 1 || !sp_.IsUnknown(0)) {
            bad_serialized("the SentencePiece model's id 0 is not <unk>");
        }
    }
    tokenizer_kind kind() const override { return tokenizer_kind::subword; }
    std::uint32_t size() const override { return static_cast<std::uint32_t>(sp_.GetPieceSize()); }
    std::vector<std::uint32_t> encode(std::string_view text) const override {
        std::vector<int> ids;
        const auto status = sp_.Encode(text, &ids);
        if (!status.ok()) {
            throw model_error("SentencePiece cannot encode the text: " + status.ToString());
        }
        return {ids.begin(), ids.end()};
    }
    std::string decode(std::span<const std::uint32_t> ids) const override {
        std::vector<int> v;
        v.reserve(ids.size());
        for (const std::uint32_t id : ids) {
            check_id(id, size());
            v.push_back(static_cast<int>(id));
        }
        std::string out;
        const auto status = sp_.Decode(v, &out);
        if (!status.ok()) {
            throw model_error("SentencePiece cannot decode: " + status.ToString());
        }
        return out;
    }
    std::string token_text(std::uint32_t id) const override {
        check_id(id, size());
        return sp_.IdToPiece(static_cast<int>(id));
    }
    std::string serialize() const override { return header("subword", proto_.size()) + proto_; }

private:
    std::string proto_;  // the SentencePiece ModelProto, serialized
    sentencepiece::SentencePieceProcessor sp_;
};

class line_iterator final : public sentencepiece::SentenceIterator {
public:
    explicit line_iterator(std::span<const std::string> lines) : lines_(lines) {}
    bool done() const override { return i_ >= lines_.size(); }
    void Next() override { ++i_; }
    const std::string& value() const override { return lines_[i_]; }
    sentencepiece::util::Status status() const override { return {}; }

private:
    std::span<const std::string> lines_;
    std::size_t i_ = 0;
};

std::unique_ptr<tokenizer> train_subword(std::span<const std::string> lines,
                                         std::uint32_t vocab_size) {
    // Deterministic: one thread, no sampling or shuffling of the input.
    const std::string args =
        "--model_type=unigram --vocab_size=" + std::to_string(vocab_size) +
        " --unk_id=0 --bos_id=-1 --eos_id=-1 --pad_id=-1 --normalization_rule_name=nmt_nfkc_cf"
        " --hard_vocab_limit=false --num_threads=1 --shuffle_input_sentence=false"
        " --input_sentence_size=0 --minloglevel=2 --character_coverage=1.0";
    sentencepiece::SetRandomGeneratorSeed(1);
    sentencepiece::logging::SetMinLogLevel(2);  // no INFO lines on stderr
    line_iterator it(lines);
    std::string proto;
    const auto status = sentencepiece::SentencePieceTrainer::Train(args, &it, &proto);
    if (!status.ok()) {
        throw model_error("SentencePiece training failed (vocabulary " +
                          std::to_string(vocab_size) + "): " + status.ToString());
    }
    return std::make_unique<subword_tokenizer>(std::move(proto));
}

}  // namespace

std::vector<std::string> word_tokens(std::string_view text) {
    std::vector<std::string> out;
    for_each_word(text, [&](std::string_view t) { out.emplace_back(t); });
    return out;
}

tokenizer_kind parse_tokenizer_kind(std::string_view name) {
    if (name == "word") {
        return tokenizer_kind::word;
    }
    if (name == "subword") {
        return tokenizer_kind::subword;
    }
    if (name == "character" || name == "char") {
        return tokenizer_kind::character;
    }
    throw model_error("unknown tokenizer '" + std::string(name) +
                      "' (tokenizers: word, subword, character)");
}

std::string_view tokenizer_kind_name(tokenizer_kind kind) {
    switch (kind) {
        case tokenizer_kind::word: return "word";
        case tokenizer_kind::subword: return "subword";
        case tokenizer_kind::character: return "character";
    }
    return "?";
}

std::uint64_t tokenizer::fingerprint() const {
    return detail::fnv1a64(serialize());
}

std::unique_ptr<tokenizer> train_tokenizer(tokenizer_kind kind,
                                           std::span<const std::string> training_lines,
                                           std::uint32_t vocab_size) {
    if (vocab_size < 2) {
        throw model_error("vocabulary size " + std::to_string(vocab_size) +
                          " is too small (at least 2: <unk> and one token)");
    }
    switch (kind) {
        case tokenizer_kind::word: {
            std::unordered_map<std::string, std::uint64_t> counts;
            std::vector<std::string> order;
            for (const std::string& line : training_lines) {
                for_each_word(line, [&](std::string_view t) {
                    auto [it, fresh] = counts.try_emplace(std::string(t), 0);
                    if (fresh) {
                        order.emplace_back(t);
                    }
                    ++it->second;
                });
            }
            return std::make_unique<word_tokenizer>(most_frequent(order, counts, vocab_size));
        }
        case tokenizer_kind::character: {
            std::unordered_map<std::uint32_t, std::uint64_t> counts;
            std::vector<std::uint32_t> order;
            const auto add = [&](std::uint32_t cp) {
                auto [it, fresh] = counts.try_emplace(cp, 0);
                if (fresh) {
                    order.push_back(cp);
                }
                ++it->second;
            };
            for (const std::string& line : training_lines) {
                std::size_t i = 0;
                while (i < line.size()) {
                    std::uint32_t cp = 0;
                    const std::size_t n = detail::utf8_decode(line, i, cp);
                    if (n == 0) {
                        ++i;
                        continue;
                    }
                    i += n;
                    add(fold(cp));
                }
                add('\n');  // the dataset ends every line with a newline
            }
            return std::make_unique<character_tokenizer>(most_frequent(order, counts, vocab_size));
        }
        case tokenizer_kind::subword: return train_subword(training_lines, vocab_size);
    }
    throw internal_error("train_tokenizer: unhandled tokenizer kind");
}

std::unique_ptr<tokenizer> load_tokenizer(std::string_view serialized) {
    const std::size_t eol = serialized.find('\n');
    if (eol == std::string_view::npos || serialized.substr(0, magic.size()) != magic ||
        eol <= magic.size() || serialized[magic.size()] != ' ') {
        bad_serialized("missing the '" + std::string(magic) + "' header");
    }
    const std::string_view head = serialized.substr(magic.size() + 1, eol - magic.size() - 1);
    const std::size_t sp = head.find(' ');
    if (sp == std::string_view::npos) {
        bad_serialized("malformed header");
    }
    const std::string_view kind = head.substr(0, sp);
    const std::string_view num = head.substr(sp + 1);
    std::uint64_t count = 0;
    const auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), count);
    if (ec != std::errc{} || end != num.data() + num.size()) {
        bad_serialized("malformed count '" + std::string(num) + "'");
    }
    std::string_view body = serialized.substr(eol + 1);
    if (kind == "subword") {
        if (body.size() != count) {
            bad_serialized("the SentencePiece model has " + std::to_string(body.size()) +
                           " bytes, the header says " + std::to_string(count));
        }
        return std::make_unique<subword_tokenizer>(std::string(body));
    }
    std::vector<std::string_view> items;
    while (!body.empty()) {
        const std::size_t nl = body.find('\n');
        if (nl == std::string_view::npos) {
            bad_serialized("truncated (the last entry has no newline)");
        }
        items.push_back(body.substr(0, nl));
        body.remove_prefix(nl + 1);
    }
    if (items.size() != count) {
        bad_serialized("the header says " + std::to_string(count) + " tokens, found " +
                       std::to_string(items.size()));
    }
    if (kind == "word") {
        std::vector<std::string> tokens;
        std::unordered_map<std::string, int> seen;
        for (const std::string_view t : items) {
            const std::vector<std::string> w = word_tokens(t);
            if (w.size() != 1 || w[0] != t) {
                bad_serialized("'" + std::string(t.substr(0, 40)) + "' is not a word token");
            }
            if (!seen.emplace(t, 0).second) {
                bad_serialized("the token '" + std::string(t) + "' appears twice");
            }
            tokens.emplace_back(t);
        }
        return std::make_unique<word_tokenizer>(std::move(tokens));
    }
    if (kind == "character") {
        std::vector<std::uint32_t> points;
        std::unordered_map<std::uint32_t, int> seen;
        for (const std::string_view t : items) {
            std::uint32_t cp = 0;
            const auto [e, err] = std::from_chars(t.data(), t.data() + t.size(), cp);
            if (err != std::errc{} || e != t.data() + t.size() || cp > 0x10FFFF ||
                (cp >= 0xD800 && cp <= 0xDFFF)) {
                bad_serialized("'" + std::string(t.substr(0, 40)) + "' is not a code point");
            }
            if (!seen.emplace(cp, 0).second) {
                bad_serialized("the code point " + std::string(t) + " appears twice");
            }
            points.push_back(cp);
        }
        return std::make_unique<character_tokenizer>(std::move(points));
    }
    bad_serialized("unknown tokenizer kind '" + std::string(kind) + "'");
}

}  // namespace hebllm::lang
