// SPDX-License-Identifier: MIT
#pragma once
// Corpora for the language layer (docs/language.md "Corpora"): the King James Bible from
// Debian's bible-kjv, the fortunes of Debian's fortunes packages, or any UTF-8 text file.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace hebllm::lang {

// One entry per line (a verse for the KJV, an entry for fortunes); chapter[i] is the unit
// line i belongs to (0-based, non-decreasing): the canonical chapter index for the KJV, the
// entry index for fortunes, the paragraph or sentence index for plain text (read_corpus).
struct corpus {
    std::vector<std::string> lines;
    std::vector<std::uint32_t> chapter;
};

// The first line of every corpus file hebllm writes; each following line is "UNIT\tTEXT"
// (UNIT: a chapter id such as "Ge1", or an entry number; TEXT without tabs or newlines).
inline constexpr const char* corpus_header = "#hebllm-corpus 1";

// Runs `bible -f gen1:1-rev22:21` (Debian's bible-kjv) and returns the corpus file text:
// the header, then one verse per line as "Ge1\tIn the beginning God created ...". Throws
// hebllm::error when the program is not installed or fails.
std::string extract_kjv();

// The corpus file text of the fortunes in dir_or_file (default_fortunes_dir()): the header,
// then one entry per line as "N\tTEXT" (N: the entry's index).
std::string extract_fortunes(const std::filesystem::path& dir_or_file);

// Debian's fortune directory (/usr/share/games/fortunes).
std::filesystem::path default_fortunes_dir();

// A corpus file hebllm wrote (the header, then "UNIT\tTEXT" lines; a new unit starts whenever
// UNIT changes), or any UTF-8 text. Plain text with a blank line between two non-blank lines
// is split into blank-line-separated paragraphs (each line kept as a line, its unit the
// paragraph); other plain text into sentences (line breaks joined with whitespace runs into
// single spaces; a sentence ends at . ! ?, optionally followed by closing quotes or brackets,
// before whitespace or the end), one line and one unit per sentence. Throws file_error for a
// missing or unreadable file, an empty corpus, or text that is not UTF-8 (naming the line).
corpus read_corpus(const std::filesystem::path& file);
corpus parse_corpus(std::string_view text, const std::string& name);

// Fortune files (entries separated by lines holding only "%"): every regular file without a
// dot in its name in a directory (sorted by name), or one file. Each entry becomes one line
// (its lines joined by spaces); chapter = the entry's index.
corpus read_fortunes(const std::filesystem::path& dir_or_file = default_fortunes_dir());

// Writes text to file atomically (a temporary file beside it, then rename).
void write_file_atomic(const std::filesystem::path& file, std::string_view text);

}  // namespace hebllm::lang
