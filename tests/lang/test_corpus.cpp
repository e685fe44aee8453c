// SPDX-License-Identifier: MIT
// Corpora and splits: file formats, the chapter % 10 rule, errors.

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include <hebllm/errors.hpp>
#include <hebllm/lang/corpus.hpp>
#include <hebllm/lang/dataset.hpp>

namespace hebllm::lang {
namespace {

namespace fs = std::filesystem;

fs::path temp_file(const std::string& name, const std::string& text) {
    const fs::path p = fs::temp_directory_path() / ("hebllm_lang_" + name);
    std::ofstream(p, std::ios::binary) << text;
    return p;
}

TEST(Corpus, HebllmFormatUnitsChangeWithTheId) {
    const corpus c = parse_corpus(
        "#hebllm-corpus 1 kjv\nGe1\tIn the beginning\nGe1\tAnd the earth\nGe2\tThus\nEx1\tNow\n",
        "t");
    ASSERT_EQ(c.lines.size(), 4u);
    EXPECT_EQ(c.lines[0], "In the beginning");
    EXPECT_EQ(c.chapter, (std::vector<std::uint32_t>{0, 0, 1, 2}));
    EXPECT_THROW(parse_corpus("#hebllm-corpus 1\nno tab here\n", "t"), file_error);
}

TEST(Corpus, PlainTextParagraphs) {
    // A blank line (or one of spaces) between text: the units are the paragraphs, each line
    // kept as a line.
    const corpus p = parse_corpus("a b\nc d\n\n\ne f\r\n  \ng\n", "t");
    EXPECT_EQ(p.lines, (std::vector<std::string>{"a b", "c d", "e f", "g"}));
    EXPECT_EQ(p.chapter, (std::vector<std::uint32_t>{0, 0, 1, 2}));
    // Blank lines before and after the text only: not paragraphs, sentences.
    const corpus s = parse_corpus("\n\nOne. Two\nthree.\n\n\n", "t");
    EXPECT_EQ(s.lines, (std::vector<std::string>{"One.", "Two three."}));
    EXPECT_EQ(s.chapter, (std::vector<std::uint32_t>{0, 1}));
}

TEST(Corpus, PlainTextSentencesWhenNoBlankLine) {
    // A hard-wrapped file: the line breaks are joined, the units are the sentences.
    const corpus h = parse_corpus(
        "In the beginning God created the heaven\nand the earth. And the earth was without\n"
        "form, and void; and darkness was upon\nthe face of the deep.\n",
        "t");
    EXPECT_EQ(h.lines, (std::vector<std::string>{
                           "In the beginning God created the heaven and the earth.",
                           "And the earth was without form, and void; and darkness was upon the "
                           "face of the deep."}));
    EXPECT_EQ(h.chapter, (std::vector<std::uint32_t>{0, 1}));
    // . ! ? end a sentence before whitespace (runs of them and closing quotes or brackets
    // included); not inside a word or number; the rest after the last one is a sentence.
    const corpus s = parse_corpus(
        "Is it?  Yes!\tGo...\r\nHe said \"stop.\" Then (so it was.) 3.14 is pi.x "
        "She said \xE2\x80\x9CNo!\xE2\x80\x9D And?! unfinished",
        "t");
    EXPECT_EQ(s.lines, (std::vector<std::string>{"Is it?", "Yes!", "Go...", "He said \"stop.\"",
                                                 "Then (so it was.)",
                                                 "3.14 is pi.x She said "
                                                 "\xE2\x80\x9CNo!\xE2\x80\x9D",
                                                 "And?!", "unfinished"}));
    EXPECT_EQ(s.chapter, (std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5, 6, 7}));
    // One line per sentence already: the same lines, one unit each.
    const corpus l = parse_corpus("a.\nb!\nc", "t");
    EXPECT_EQ(l.lines, (std::vector<std::string>{"a.", "b!", "c"}));
    EXPECT_EQ(l.chapter, (std::vector<std::uint32_t>{0, 1, 2}));
    // Without any sentence end, the whole text is one unit.
    EXPECT_EQ(parse_corpus("a\nb\nc", "t").lines, (std::vector<std::string>{"a b c"}));
}

TEST(Corpus, Errors) {
    EXPECT_THROW(read_corpus("/nonexistent/hebllm/corpus.txt"), file_error);
    EXPECT_THROW(read_corpus(temp_file("empty.txt", "")), file_error);
    EXPECT_THROW(read_corpus(temp_file("blank.txt", "\n  \n\n")), file_error);
    try {
        read_corpus(temp_file("latin1.txt", "ok\nna\xEFve\n"));
        FAIL() << "no error for Latin-1 text";
    } catch (const file_error& e) {
        EXPECT_EQ(e.line(), 2u);
        EXPECT_NE(std::string(e.what()).find("UTF-8"), std::string::npos);
    }
    EXPECT_THROW(make_dataset(corpus{}, split_spec::smoke()), model_error);
}

TEST(Corpus, AtomicWriteAndFortunes) {
    const fs::path p = fs::temp_directory_path() / "hebllm_lang_atomic.txt";
    write_file_atomic(p, "#hebllm-corpus 1\n0\tone\n1\ttwo\n");
    EXPECT_FALSE(fs::exists(p.string() + ".tmp"));
    EXPECT_EQ(read_corpus(p).lines.size(), 2u);
    const corpus f = read_fortunes(temp_file("fortunes", "A fool\nand his money.\n%\n%\nTwo\n%\n"));
    EXPECT_EQ(f.lines, (std::vector<std::string>{"A fool and his money.", "Two"}));
    EXPECT_EQ(f.chapter, (std::vector<std::uint32_t>{0, 1}));
}

TEST(Dataset, SplitRuleAndSizes) {
    // Chapter c holds the single word "wN" with N = c % 10, repeated 3 times.
    corpus c;
    for (std::uint32_t ch = 0; ch < 40; ++ch) {
        std::string line = "w";
        line += static_cast<char>('a' + ch % 10);
        line += " x y";
        c.lines.push_back(line);
        c.chapter.push_back(ch);
    }
    EXPECT_EQ(split_of(9), 2);
    EXPECT_EQ(split_of(18), 1);
    EXPECT_EQ(split_of(7), 0);
    split_spec s;
    s.train_tokens = 90;
    s.validation_tokens = 12;
    s.test_tokens = 12;
    s.vocab = 64;
    const dataset d = make_dataset(c, s);
    ASSERT_EQ(d.train.size(), 90u);
    ASSERT_EQ(d.test.size(), 12u);
    EXPECT_EQ(d.tok->token_text(d.validation[0]), "<unk>");  // "wi" never in train
    EXPECT_EQ(d.tok->token_text(d.test[0]), "<unk>");        // "wj"
    EXPECT_EQ(d.tok->token_text(d.test[1]), "x");
    EXPECT_DOUBLE_EQ(d.test_unk_rate, 4.0 / 12.0);
    s.test_tokens = 13;
    try {
        (void)make_dataset(c, s);
        FAIL() << "no error for a too small test split";
    } catch (const model_error& e) {
        EXPECT_NE(std::string(e.what()).find("has 12 word tokens, 13 are needed"),
                  std::string::npos)
            << e.what();
    }
}

TEST(Dataset, WordVocabularyCountsOnlyTheTrainingPrefix) {
    corpus c;
    c.lines = {"a a b", "c c c c c"};
    c.chapter = {0, 1};
    split_spec s;
    s.train_tokens = 3;
    s.validation_tokens = 0;
    s.test_tokens = 0;
    s.vocab = 3;
    const dataset d = make_dataset(c, s);
    EXPECT_EQ(d.tok->token_text(1), "a");
    EXPECT_EQ(d.tok->token_text(2), "b");  // c is beyond the first 3 tokens
}

}  // namespace
}  // namespace hebllm::lang
