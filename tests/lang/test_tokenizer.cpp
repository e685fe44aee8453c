// SPDX-License-Identifier: MIT
// Tokenizers: the word regex, vocabulary order and ties, round trips, serialization.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <hebllm/errors.hpp>
#include <hebllm/lang/tokenizer.hpp>

namespace hebllm::lang {
namespace {

TEST(Tokenizer, WordRegex) {
    const std::vector<std::string> expect = {"in",  "the", "lord's", "house", ",", "don't",
                                             "o",   "x",   "y",      ".",     "?", "!",
                                             "abc", ";",   ":",      "e",     "z"};
    EXPECT_EQ(word_tokens("In THE Lord's house, don't O'' x-y. ?! abc' ; : \xC3\xA9"
                          "e 9z"),
              expect);
}

TEST(Tokenizer, WordVocabularyByFrequencyThenFirstOccurrence) {
    // counts: b 3, a 2, c 2, d 1; a appears before c, so a ties first.
    const std::vector<std::string> lines = {"b a c", "c a b", "b d"};
    const auto tok = train_tokenizer(tokenizer_kind::word, lines, 4);
    ASSERT_EQ(tok->size(), 4u);
    EXPECT_EQ(tok->token_text(0), "<unk>");
    EXPECT_EQ(tok->token_text(1), "b");
    EXPECT_EQ(tok->token_text(2), "a");
    EXPECT_EQ(tok->token_text(3), "c");
    EXPECT_EQ(tok->encode("B d a, c"), (std::vector<std::uint32_t>{1, 0, 2, 0, 3}));
    EXPECT_THROW(tok->token_text(4), model_error);
    // Fewer types than asked: the vocabulary is smaller.
    EXPECT_EQ(train_tokenizer(tokenizer_kind::word, lines, 100)->size(), 5u);
}

TEST(Tokenizer, WordRoundTrip) {
    const std::vector<std::string> lines = {
        "and god said, let there be light: and there was "
        "light. who's there? none!"};
    const auto tok = train_tokenizer(tokenizer_kind::word, lines, 64);
    const std::string text = "and god said, let there be light: and there was light.";
    EXPECT_EQ(tok->decode(tok->encode(text)), text);
    const auto ids = tok->encode(lines[0]);
    EXPECT_EQ(tok->encode(tok->decode(ids)), ids);
    const auto again = load_tokenizer(tok->serialize());
    EXPECT_EQ(again->encode(lines[0]), ids);
    EXPECT_EQ(again->fingerprint(), tok->fingerprint());
    EXPECT_EQ(again->kind(), tokenizer_kind::word);
}

TEST(Tokenizer, CharacterRoundTrip) {
    const std::vector<std::string> lines = {"Hello, w\xC3\xB6rld", "hallo"};
    const auto tok = train_tokenizer(tokenizer_kind::character, lines, 64);
    // l 5, o 2 (h and o tie at 2: h first), ...
    EXPECT_EQ(tok->token_text(1), "l");
    EXPECT_EQ(tok->token_text(2), "h");
    const std::string text = "hello w\xC3\xB6rld\n";
    EXPECT_EQ(tok->decode(tok->encode(text)), text);
    EXPECT_EQ(tok->encode("HELLO"), tok->encode("hello"));
    EXPECT_EQ(tok->encode("q")[0], tokenizer::unk);
    EXPECT_EQ(tok->encode("\xFF").size(), 1u);  // an invalid byte is one <unk>
    const auto again = load_tokenizer(tok->serialize());
    EXPECT_EQ(again->fingerprint(), tok->fingerprint());
    EXPECT_EQ(again->encode(text), tok->encode(text));
}

TEST(Tokenizer, SubwordRoundTrip) {
    std::vector<std::string> lines;
    for (int i = 0; i < 200; ++i) {
        lines.push_back(
            "and the lord spake unto moses, saying, speak unto the children of "
            "israel " +
            std::to_string(i % 7));
    }
    const auto tok = train_tokenizer(tokenizer_kind::subword, lines, 60);
    EXPECT_EQ(tok->kind(), tokenizer_kind::subword);
    EXPECT_LE(tok->size(), 60u);
    EXPECT_EQ(tok->token_text(0), "<unk>");
    const std::string text = "and the lord spake unto moses";
    const auto ids = tok->encode(text);
    EXPECT_EQ(tok->decode(ids), text);
    const auto again = load_tokenizer(tok->serialize());
    EXPECT_EQ(again->encode(text), ids);
    EXPECT_EQ(again->fingerprint(), tok->fingerprint());
    // Deterministic training: the same text gives the same model.
    EXPECT_EQ(train_tokenizer(tokenizer_kind::subword, lines, 60)->fingerprint(),
              tok->fingerprint());
    EXPECT_THROW(tok->decode(std::vector<std::uint32_t>{tok->size()}), model_error);
}

TEST(Tokenizer, Errors) {
    EXPECT_THROW(parse_tokenizer_kind("bpe"), model_error);
    EXPECT_EQ(parse_tokenizer_kind("subword"), tokenizer_kind::subword);
    EXPECT_THROW(load_tokenizer(""), model_error);
    EXPECT_THROW(load_tokenizer("garbage\n"), model_error);
    EXPECT_THROW(load_tokenizer("hebllm-tokenizer 1 word 2\nthe\n"), model_error);
    EXPECT_THROW(load_tokenizer("hebllm-tokenizer 1 word 2\nthe\nthe\n"), model_error);
    EXPECT_THROW(load_tokenizer("hebllm-tokenizer 1 word 1\nTwo words\n"), model_error);
    EXPECT_THROW(load_tokenizer("hebllm-tokenizer 1 character 1\n55296\n"), model_error);
    EXPECT_THROW(load_tokenizer("hebllm-tokenizer 1 subword 5\nxxxxx"), model_error);
    EXPECT_THROW(load_tokenizer("hebllm-tokenizer 1 klingon 0\n"), model_error);
    EXPECT_THROW(train_tokenizer(tokenizer_kind::word, std::vector<std::string>{"a"}, 1),
                 model_error);
    const auto tok = load_tokenizer("hebllm-tokenizer 1 word 2\nthe\n,\n");
    EXPECT_EQ(tok->size(), 3u);
    EXPECT_EQ(tok->decode(std::vector<std::uint32_t>{1, 2, 0}), "the, <unk>");
    EXPECT_THROW(tok->decode(std::vector<std::uint32_t>{3}), model_error);
}

}  // namespace
}  // namespace hebllm::lang
