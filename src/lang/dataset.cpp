// SPDX-License-Identifier: MIT
// Splits and token streams (include/hebllm/lang/dataset.hpp, docs/language.md "Splits").

#include <hebllm/lang/dataset.hpp>

#include <algorithm>
#include <string>

#include <hebllm/errors.hpp>

namespace hebllm::lang {
namespace {

const char* split_name(int split) {
    return split == 0 ? "train" : split == 1 ? "validation" : "test";
}

}  // namespace

split_spec split_spec::kjv256() {
    return {};
}

split_spec split_spec::kjv4k() {
    split_spec s;
    s.train_tokens = 500000;
    s.validation_tokens = 20000;
    s.test_tokens = 20000;
    s.vocab = 4096;
    return s;
}

split_spec split_spec::smoke() {
    split_spec s;
    s.train_tokens = 20000;
    s.validation_tokens = 2000;
    s.test_tokens = 2000;
    return s;
}

split_spec split_spec::tier(std::string_view name) {
    if (name == "kjv256") {
        return kjv256();
    }
    if (name == "kjv4k") {
        return kjv4k();
    }
    if (name == "smoke") {
        return smoke();
    }
    std::string known;
    for (const std::string& t : tier_names()) {
        known += (known.empty() ? "" : ", ") + t;
    }
    throw model_error("unknown tier '" + std::string(name) + "' (tiers: " + known + ")");
}

std::vector<std::string> tier_names() {
    return {"kjv256", "kjv4k", "smoke"};
}

int split_of(std::uint32_t chapter) {
    const std::uint32_t r = chapter % 10;
    return r == 9 ? 2 : r == 8 ? 1 : 0;
}

std::vector<std::string> split_lines(const corpus& c, int split) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < c.lines.size(); ++i) {
        if (split_of(c.chapter[i]) == split) {
            out.push_back(c.lines[i]);
        }
    }
    return out;
}

std::vector<std::uint32_t> encode_lines(const tokenizer& tok, std::span<const std::string> lines,
                                        std::uint64_t max_tokens) {
    std::vector<std::uint32_t> out;
    const bool newline = tok.kind() == tokenizer_kind::character;
    for (const std::string& line : lines) {
        if (out.size() >= max_tokens) {
            break;
        }
        const std::vector<std::uint32_t> ids = tok.encode(newline ? line + "\n" : line);
        out.insert(out.end(), ids.begin(), ids.end());
    }
    if (out.size() > max_tokens) {
        out.resize(max_tokens);
    }
    return out;
}

// The tokenizer's training text: the train lines up to the train_tokens-th word token; for
// the word tokenizer the last line is cut there, so that its vocabulary is counted over
// exactly the first train_tokens tokens of the training stream.
std::vector<std::string> tokenizer_text(std::span<const std::string> train_lines,
                                        std::uint64_t train_tokens, tokenizer_kind kind) {
    std::vector<std::string> out;
    std::uint64_t have = 0;
    for (const std::string& line : train_lines) {
        if (have >= train_tokens) {
            break;
        }
        const std::vector<std::string> words = word_tokens(line);
        if (kind == tokenizer_kind::word && have + words.size() > train_tokens) {
            std::string cut;
            for (std::uint64_t i = 0; i < train_tokens - have; ++i) {
                cut += (i == 0 ? "" : " ") + words[i];
            }
            out.push_back(std::move(cut));
            have = train_tokens;
            break;
        }
        out.push_back(line);
        have += words.size();
    }
    return out;
}

dataset make_dataset(const corpus& c, const split_spec& s) {
    if (c.lines.empty()) {
        throw model_error("empty corpus: no text to make a dataset from");
    }
    if (c.chapter.size() != c.lines.size()) {
        throw model_error("corpus: " + std::to_string(c.lines.size()) + " lines but " +
                          std::to_string(c.chapter.size()) + " chapter ids");
    }
    const std::vector<std::string> lines[3] = {split_lines(c, 0), split_lines(c, 1),
                                               split_lines(c, 2)};
    dataset d;
    d.tok = train_tokenizer(s.kind, tokenizer_text(lines[0], s.train_tokens, s.kind), s.vocab);
    const std::uint64_t want[3] = {s.train_tokens, s.validation_tokens, s.test_tokens};
    const std::uint64_t units =
        std::uint64_t{*std::max_element(c.chapter.begin(), c.chapter.end())} + 1;
    std::vector<std::uint32_t>* out[3] = {&d.train, &d.validation, &d.test};
    for (int k = 0; k < 3; ++k) {
        *out[k] = encode_lines(*d.tok, lines[k], want[k]);
        if (out[k]->size() < want[k]) {
            throw model_error("the corpus is smaller than the requested split: its " +
                              std::string(split_name(k)) + " split (units with index % 10 " +
                              (k == 0   ? "< 8"
                               : k == 1 ? "== 8"
                                        : "== 9") +
                              " of the corpus's " + std::to_string(units) + " units) has " +
                              std::to_string(out[k]->size()) + " " +
                              std::string(tokenizer_kind_name(s.kind)) + " tokens, " +
                              std::to_string(want[k]) + " are needed; ask for fewer " +
                              split_name(k) + " tokens or give a larger text");
        }
    }
    if (!d.test.empty()) {
        const auto unks = std::count(d.test.begin(), d.test.end(), tokenizer::unk);
        d.test_unk_rate = static_cast<double>(unks) / static_cast<double>(d.test.size());
    }
    return d;
}

}  // namespace hebllm::lang
