// SPDX-License-Identifier: MIT
#pragma once
// Shared by the libFuzzer harnesses (docs/fuzzing.md). The contract under test: every input
// either parses or ends in a thrown hebllm::error. Any other exception is reported here and
// aborts, so libFuzzer records it as a crash (with the input that caused it); crashes,
// sanitizer reports, timeouts and out-of-memory are caught by libFuzzer itself.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <hebllm/errors.hpp>

namespace hebllm_fuzz {

// A fixed per-process path under the temp dir: /tmp/hebllm_fuzz_<pid>/<name>. The directory is
// made on first use; each run overwrites the file (the readers take paths, not memory).
inline std::filesystem::path scratch_dir() {
    static const std::filesystem::path dir = [] {
        std::filesystem::path d =
            std::filesystem::temp_directory_path() / ("hebllm_fuzz_" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    return dir;
}

inline std::filesystem::path write_input(const std::string& name, const std::uint8_t* data,
                                         std::size_t size) {
    const std::filesystem::path path = scratch_dir() / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) {
        std::fprintf(stderr, "fuzz harness: cannot write %s\n", path.c_str());
        std::abort();
    }
    return path;
}

// Runs f; a hebllm::error is the expected outcome for invalid input, anything else aborts.
template <class F>
void expect_clean(F&& f) {
    try {
        f();
    } catch (const hebllm::error&) {
        // Invalid input, reported cleanly.
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz harness: non-hebllm exception escaped: %s\n", e.what());
        std::abort();
    } catch (...) {
        std::fprintf(stderr, "fuzz harness: unknown exception escaped\n");
        std::abort();
    }
}

}  // namespace hebllm_fuzz
