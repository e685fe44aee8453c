// SPDX-License-Identifier: MIT
#pragma once
// Runs the hebllm command in a test's temporary directory and captures exit code, stdout and
// stderr (for the CLI tests of tests/robustness and tests/lang).

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "support/files.hpp"

namespace hebllm::test {

struct cli_result {
    int exit_code = -1;
    std::string out;  // stdout
    std::string err;  // stderr
};

// Runs `cli args` (args are shell words; the paths contain no quotes) in dir, with `input` on
// standard input when given.
inline cli_result run_cli(const std::string& cli, const std::filesystem::path& dir,
                          const std::string& args, const std::string& input = {}) {
    const std::filesystem::path err_file = dir / "stderr.txt";
    std::string command = "cd '" + dir.string() + "' && ";
    if (!input.empty()) {
        const std::filesystem::path in_file = dir / "stdin.txt";
        write_file(in_file, input);
        command += "'" + cli + "' " + args + " <'" + in_file.string() + "'";
    } else {
        command += "'" + cli + "' " + args + " </dev/null";
    }
    command += " 2>'" + err_file.string() + "'";
    cli_result r;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        ADD_FAILURE() << "popen failed for " << command;
        return r;
    }
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
        r.out.append(buffer.data(), n);
    }
    const int status = ::pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.err = slurp(err_file);
    return r;
}

}  // namespace hebllm::test
