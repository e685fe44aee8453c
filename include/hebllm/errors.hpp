// SPDX-License-Identifier: MIT
#pragma once
// One exception hierarchy for the whole library (docs/architecture.md).
// User errors (bad input, impossible sizes, missing files) derive from hebllm::error;
// library bugs are hebllm::internal_error. Nothing in the library aborts on user input.

#include <cstddef>
#include <stdexcept>
#include <string>

namespace hebllm {

// Base of every error the library reports about its input or environment.
class error : public std::runtime_error {
public:
    explicit error(const std::string& what) : std::runtime_error(what) {}
};

// A network description that breaks a rule (negative size, density outside [0, 1], ...).
// The message names the object, the value and the rule.
class model_error : public error {
public:
    explicit model_error(const std::string& what) : error(what) {}
};

// A file that cannot be read or parsed. file() and line() locate the problem (line 0: unknown).
class file_error : public error {
public:
    file_error(std::string file, std::size_t line, const std::string& problem)
        : error(format(file, line, problem)), file_(std::move(file)), line_(line) {}
    const std::string& file() const noexcept { return file_; }
    std::size_t line() const noexcept { return line_; }

private:
    static std::string format(const std::string& file, std::size_t line,
                              const std::string& problem) {
        return line > 0 ? file + ":" + std::to_string(line) + ": " + problem
                        : file + ": " + problem;
    }
    std::string file_;
    std::size_t line_;
};

// A limit set by the user was reached (engine_options::max_synapses when synapses are added to
// a running network): nothing was changed; the caller may prune, stop growing or give up.
class capacity_error : public model_error {
public:
    explicit capacity_error(const std::string& what) : model_error(what) {}
};

// A request for a backend that was not built or cannot run here.
class backend_error : public error {
public:
    explicit backend_error(const std::string& what) : error(what) {}
};

// A broken internal invariant: a bug in hebllm, never the user's fault.
class internal_error : public std::logic_error {
public:
    explicit internal_error(const std::string& what)
        : std::logic_error("hebllm internal error (please report): " + what) {}
};

}  // namespace hebllm
