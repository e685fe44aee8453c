// SPDX-License-Identifier: MIT
// Corpora (include/hebllm/lang/corpus.hpp, docs/language.md "Corpora").

#include <hebllm/lang/corpus.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>

#include <hebllm/errors.hpp>

#include "text_util.hpp"

namespace hebllm::lang {
namespace {

namespace fs = std::filesystem;

bool on_path(const std::string& program) {
    const char* path = std::getenv("PATH");
    if (path == nullptr) {
        return false;
    }
    std::string_view rest(path);
    while (!rest.empty()) {
        const std::size_t colon = rest.find(':');
        const std::string_view dir = rest.substr(0, colon);
        std::error_code ec;
        if (!dir.empty() && fs::is_regular_file(fs::path(dir) / program, ec)) {
            return true;
        }
        if (colon == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(colon + 1);
    }
    return false;
}

std::string read_all(const fs::path& file) {
    std::error_code ec;
    if (!fs::exists(file, ec)) {
        throw file_error(file.string(), 0, "no such file");
    }
    if (fs::is_directory(file, ec)) {
        throw file_error(file.string(), 0, "is a directory, not a text file");
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw file_error(file.string(), 0, "cannot open for reading");
    }
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad()) {
        throw file_error(file.string(), 0, "read failed");
    }
    return s.str();
}

// Splits text into lines (without '\n' and a trailing '\r').
std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        out.push_back(line);
        start = end + 1;
    }
    return out;
}

bool blank(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

// Joins whitespace runs (tabs and newlines included) into single spaces; trims the ends.
std::string squeeze(std::string_view s) {
    std::string out;
    bool space = false;
    for (const char c : s) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = !out.empty();
        } else {
            if (space) {
                out += ' ';
            }
            space = false;
            out += c;
        }
    }
    return out;
}

// A blank line between two lines that are not blank.
bool has_paragraphs(const std::vector<std::string_view>& lines) {
    const auto first = std::find_if_not(lines.begin(), lines.end(), blank);
    const auto last = std::find_if_not(lines.rbegin(), lines.rend(), blank).base();
    return first < last && std::any_of(first, last, blank);
}

// Closing quotes and brackets that may stand between a sentence's final . ! ? and the space
// after it: " ' ) ] and the UTF-8 right quotation marks U+2019 and U+201D.
std::size_t closer_at(std::string_view s, std::size_t i) {
    const char c = s[i];
    if (c == '"' || c == '\'' || c == ')' || c == ']') {
        return 1;
    }
    if (s.substr(i, 3) == "\xE2\x80\x99" || s.substr(i, 3) == "\xE2\x80\x9D") {
        return 3;
    }
    return 0;
}

// Splits squeezed text (single spaces, trimmed) into sentences: each ends with a run of
// . ! ? (optionally followed by closing quotes or brackets) that a space or the end of the
// text follows; what remains after the last one is a sentence too.
std::vector<std::string> split_sentences(std::string_view text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c != '.' && c != '!' && c != '?') {
            ++i;
            continue;
        }
        std::size_t end = i + 1;
        while (end < text.size() && (text[end] == '.' || text[end] == '!' || text[end] == '?')) {
            ++end;
        }
        for (std::size_t n = 0; end < text.size() && (n = closer_at(text, end)) > 0;) {
            end += n;
        }
        if (end == text.size() || text[end] == ' ') {
            out.emplace_back(text.substr(start, end - start));
            start = end + 1;
        }
        i = end;
    }
    if (start < text.size()) {
        out.emplace_back(text.substr(start));
    }
    return out;
}

void check_utf8(std::string_view text, const std::string& name) {
    const std::size_t bad = detail::utf8_invalid_at(text);
    if (bad != std::string_view::npos) {
        const auto line =
            static_cast<std::size_t>(
                std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bad), '\n')) +
            1;
        throw file_error(name, line,
                         "not UTF-8 text (invalid byte at offset " + std::to_string(bad) + ")");
    }
}

}  // namespace

std::string extract_kjv() {
    if (!on_path("bible")) {
        throw error(
            "the KJV needs the program 'bible' from Debian's bible-kjv and bible-kjv-text "
            "packages (apt-get install bible-kjv bible-kjv-text); it is not on PATH");
    }
    FILE* pipe = popen("bible -f gen1:1-rev22:21 2>/dev/null", "r");
    if (pipe == nullptr) {
        throw error("cannot run 'bible -f gen1:1-rev22:21'");
    }
    std::string raw;
    std::array<char, 65536> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) {
        raw.append(buf.data(), n);
    }
    const int status = pclose(pipe);
    if (status != 0) {
        throw error("'bible -f gen1:1-rev22:21' failed (exit status " + std::to_string(status) +
                    "); is bible-kjv-text installed?");
    }
    std::string out = std::string(corpus_header) + " kjv\n";
    std::size_t verses = 0;
    for (const std::string_view line : split_lines(raw)) {
        if (blank(line)) {
            continue;
        }
        // "Ge1:1 In the beginning ..." -> "Ge1\tIn the beginning ..."
        const std::size_t colon = line.find(':');
        const std::size_t space = line.find(' ');
        if (colon == std::string_view::npos || space == std::string_view::npos || colon > space) {
            throw error("unexpected output from 'bible -f': '" + std::string(line.substr(0, 60)) +
                        "'");
        }
        out.append(line.substr(0, colon));
        out += '\t';
        out += squeeze(line.substr(space + 1));
        out += '\n';
        ++verses;
    }
    if (verses < 30000) {
        throw error("'bible -f gen1:1-rev22:21' printed only " + std::to_string(verses) +
                    " verses (the KJV has 31,102); is bible-kjv-text installed?");
    }
    return out;
}

fs::path default_fortunes_dir() {
    return "/usr/share/games/fortunes";
}

std::string extract_fortunes(const fs::path& dir_or_file) {
    const corpus c = read_fortunes(dir_or_file);
    std::string out = std::string(corpus_header) + " fortunes\n";
    for (std::size_t i = 0; i < c.lines.size(); ++i) {
        out += std::to_string(c.chapter[i]);
        out += '\t';
        out += c.lines[i];
        out += '\n';
    }
    return out;
}

corpus parse_corpus(std::string_view text, const std::string& name) {
    check_utf8(text, name);
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") {
        text.remove_prefix(3);  // a byte-order mark
    }
    const std::vector<std::string_view> lines = split_lines(text);
    corpus c;
    if (!lines.empty() &&
        lines[0].substr(0, std::string_view(corpus_header).size()) == corpus_header) {
        std::string_view unit_prev;
        bool first = true;
        std::uint32_t unit = 0;
        for (std::size_t i = 1; i < lines.size(); ++i) {
            const std::string_view line = lines[i];
            if (blank(line)) {
                continue;
            }
            const std::size_t tab = line.find('\t');
            if (tab == std::string_view::npos || tab == 0) {
                throw file_error(name, i + 1, "a hebllm corpus line needs 'UNIT<tab>TEXT'");
            }
            const std::string_view id = line.substr(0, tab);
            if (!first && id != unit_prev) {
                ++unit;
            }
            first = false;
            unit_prev = id;
            c.lines.emplace_back(line.substr(tab + 1));
            c.chapter.push_back(unit);
        }
    } else if (has_paragraphs(lines)) {
        // Paragraphs: each line kept as it is, its unit the paragraph's index.
        std::uint32_t unit = 0;
        bool pending_break = false;
        for (const std::string_view line : lines) {
            if (blank(line)) {
                pending_break = !c.lines.empty();
                continue;
            }
            if (pending_break) {
                ++unit;
            }
            pending_break = false;
            c.lines.emplace_back(line);
            c.chapter.push_back(unit);
        }
    } else {
        // Sentences: the text with its line breaks joined, one line and one unit per sentence.
        for (std::string& sentence : split_sentences(squeeze(text))) {
            c.chapter.push_back(static_cast<std::uint32_t>(c.lines.size()));
            c.lines.push_back(std::move(sentence));
        }
    }
    if (c.lines.empty()) {
        throw file_error(name, 0, "empty corpus (no text)");
    }
    return c;
}

corpus read_corpus(const fs::path& file) {
    const std::string text = read_all(file);
    return parse_corpus(text, file.string());
}

corpus read_fortunes(const fs::path& dir_or_file) {
    std::error_code ec;
    std::vector<fs::path> files;
    if (fs::is_directory(dir_or_file, ec)) {
        for (const fs::directory_entry& e : fs::directory_iterator(dir_or_file, ec)) {
            const std::string fname = e.path().filename().string();
            if (!e.is_symlink(ec) && e.is_regular_file(ec) &&
                fname.find('.') == std::string::npos) {
                files.push_back(e.path());
            }
        }
        std::sort(files.begin(), files.end());
        if (files.empty()) {
            throw file_error(dir_or_file.string(), 0,
                             "no fortune files here (install Debian's fortunes or fortunes-min)");
        }
    } else if (fs::exists(dir_or_file, ec)) {
        files.push_back(dir_or_file);
    } else {
        throw file_error(dir_or_file.string(), 0,
                         "no such file or directory (install Debian's fortunes or fortunes-min)");
    }
    corpus c;
    for (const fs::path& f : files) {
        const std::string text = read_all(f);
        check_utf8(text, f.string());
        std::string entry;
        const auto flush = [&] {
            std::string s = squeeze(entry);
            if (!s.empty()) {
                c.chapter.push_back(static_cast<std::uint32_t>(c.lines.size()));
                c.lines.push_back(std::move(s));
            }
            entry.clear();
        };
        for (const std::string_view line : split_lines(text)) {
            if (line == "%") {
                flush();
            } else {
                entry.append(line);
                entry += '\n';
            }
        }
        flush();
    }
    if (c.lines.empty()) {
        throw file_error(dir_or_file.string(), 0, "empty corpus (no fortunes)");
    }
    return c;
}

void write_file_atomic(const fs::path& file, std::string_view text) {
    fs::path tmp = file;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) {
            throw file_error(tmp.string(), 0, "cannot open for writing");
        }
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.flush();
        if (!out) {
            std::error_code ec;
            fs::remove(tmp, ec);
            throw file_error(tmp.string(), 0, "write failed (disk full?)");
        }
    }
    std::error_code ec;
    fs::rename(tmp, file, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw file_error(file.string(), 0, "cannot rename the temporary file into place");
    }
}

}  // namespace hebllm::lang
