// SPDX-License-Identifier: MIT
#include "lang_model.hpp"

#include <charconv>
#include <system_error>

#include <CLI/CLI.hpp>

namespace hebllm::cli {
namespace {

// A whole number of tokens, at least `least` (CLI11's number checks print double ranges).
CLI::Validator token_count(std::uint64_t least) {
    return CLI::Validator(
        [least](std::string& s) -> std::string {
            std::uint64_t n = 0;
            const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
            if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || n < least) {
                return "must be a whole number of tokens, at least " + std::to_string(least) +
                       " (got '" + s + "')";
            }
            return {};
        },
        least == 0 ? "N >= 0" : "N >= 1");
}

}  // namespace

void add_split_size_options(CLI::App& cmd, split_sizes& sizes, bool validation_needed,
                            const std::string& default_from) {
    cmd.add_option_function<std::uint64_t>(
           "--train-tokens", [&sizes](std::uint64_t n) { sizes.train = n; },
           "Training tokens: the first N of the train split (default: " + default_from + ")")
        ->check(token_count(1));
    cmd.add_option_function<std::uint64_t>(
           "--valid-tokens", [&sizes](std::uint64_t n) { sizes.validation = n; },
           "Validation tokens: the first N of the validation split (default: " + default_from + ")")
        ->check(token_count(validation_needed ? 1 : 0));
    cmd.add_option_function<std::uint64_t>(
           "--test-tokens", [&sizes](std::uint64_t n) { sizes.test = n; },
           "Test tokens: the first N of the test split (default: " + default_from + ")")
        ->check(token_count(1));
}

}  // namespace hebllm::cli
