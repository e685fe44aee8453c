// SPDX-License-Identifier: MIT
#pragma once
// Tokenizers (docs/language.md "Tokenizers"): word level, subword (SentencePiece) and
// character level. Id 0 is <unk> in every tokenizer; a tokenizer serializes itself into
// self-contained bytes that are saved inside model files.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hebllm::lang {

enum class tokenizer_kind { word, subword, character };

// "word", "subword", "character"; throws model_error listing the names for others.
tokenizer_kind parse_tokenizer_kind(std::string_view name);
std::string_view tokenizer_kind_name(tokenizer_kind kind);

class tokenizer {
public:
    virtual ~tokenizer() = default;
    static constexpr std::uint32_t unk = 0;  // id 0 is <unk> in every tokenizer
    virtual tokenizer_kind kind() const = 0;
    virtual std::uint32_t size() const = 0;  // V, <unk> included
    virtual std::vector<std::uint32_t> encode(std::string_view text) const = 0;  // unknown -> unk
    virtual std::string decode(std::span<const std::uint32_t> ids) const = 0;
    virtual std::string token_text(std::uint32_t id) const = 0;  // throws on id >= size()
    virtual std::string serialize() const = 0;                   // self-contained bytes
    std::uint64_t fingerprint() const;                           // FNV-1a 64 of serialize()
};

// word: lower-case (ASCII), tokens = [a-z]+(?:'[a-z]+)?|[.,;:?!], everything else dropped;
//   vocabulary = <unk> + the vocab_size-1 most frequent tokens, ties by first occurrence.
// character: UTF-8 code points, ASCII letters lower-cased; vocabulary as for word.
// subword: SentencePiece (unigram model, case-folding nmt_nfkc_cf normalisation) trained in
//   memory on the lines; id 0 is its <unk>, no <s> or </s>.
// The vocabulary has fewer than vocab_size entries when the text has fewer distinct tokens.
std::unique_ptr<tokenizer> train_tokenizer(tokenizer_kind kind,
                                           std::span<const std::string> training_lines,
                                           std::uint32_t vocab_size);
// The inverse of tokenizer::serialize(); throws model_error on anything else.
std::unique_ptr<tokenizer> load_tokenizer(std::string_view serialized);

// The word tokenizer's token strings of text, in order (before any vocabulary).
std::vector<std::string> word_tokens(std::string_view text);

}  // namespace hebllm::lang
