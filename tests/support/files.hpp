// SPDX-License-Identifier: MIT
#pragma once
// File helpers shared by the io and CLI tests: a fresh temporary directory per test, writing
// and reading whole files, and checking error messages.

#include <algorithm>
#include <cstddef>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include <hebllm/errors.hpp>

namespace hebllm::test {

// The whole content of a file, byte for byte ("" if it cannot be opened).
inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Writes content to p, replacing what was there; returns p.
inline std::filesystem::path write_file(const std::filesystem::path& p,
                                        const std::string& content) {
    std::ofstream(p, std::ios::binary) << content;
    return p;
}

// The names of the entries of a directory, sorted.
inline std::vector<std::string> file_names(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// Every word must occur in text.
inline void expect_contains_all(const std::string& text, std::initializer_list<const char*> words) {
    for (const char* w : words)
        EXPECT_NE(text.find(w), std::string::npos) << "'" << w << "' not in: " << text;
}

// Runs fn, which must throw file_error for `file` at `line` (0: no line) whose message starts
// with "file:line: " (or "file: ") and holds every word.
inline void expect_file_error(const std::function<void()>& fn, const std::string& file,
                              std::size_t line, std::initializer_list<const char*> words) {
    try {
        fn();
        ADD_FAILURE() << "expected hebllm::file_error";
    } catch (const hebllm::file_error& e) {
        const std::string what = e.what();
        EXPECT_EQ(e.file(), file) << what;
        EXPECT_EQ(e.line(), line) << what;
        const std::string prefix =
            line > 0 ? file + ":" + std::to_string(line) + ": " : file + ": ";
        EXPECT_EQ(what.rfind(prefix, 0), 0u)
            << "message should start with '" << prefix << "': " << what;
        expect_contains_all(what, words);
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected hebllm::file_error, got: " << e.what();
    }
}

// A fixture with a fresh directory per test, dir_, removed afterwards. It is named after the
// test suite and the test (hebllm_test_SUITE_PID_TEST), so tests running in parallel do not
// share one.
class temp_dir_test : public ::testing::Test {
protected:
    void SetUp() override {
        const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = std::filesystem::temp_directory_path() /
               ("hebllm_test_" + std::string(info->test_suite_name()) + "_" +
                std::to_string(::getpid()) + "_" + info->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    // Writes content to the file `name` in dir_; returns its path.
    std::filesystem::path write(const std::string& name, const std::string& content) const {
        return write_file(dir_ / name, content);
    }
    std::filesystem::path dir_;
};

}  // namespace hebllm::test
