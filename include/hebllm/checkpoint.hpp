// SPDX-License-Identifier: MIT
#pragma once
// Checkpoints: one file with everything an engine needs to continue exactly (engine_state.hpp),
// plus named sections of bytes that callers store beside it (a tokenizer, a learner's state).
// Format, byte by byte: docs/formats.md "Checkpoints".
//
// Never loses work: the file is written to a temporary file in the same directory, flushed
// (fsync), renamed over the target and the directory flushed, so a crash at any moment leaves
// the previous checkpoint or the new one, never a mix. Every section carries an xxh64 checksum
// and every length is checked against the file size before anything is allocated; a truncated,
// corrupted, wrong-version or wrong-endianness file is a hebllm::file_error naming the problem.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <hebllm/engine.hpp>

namespace hebllm {

// A named section of bytes stored beside the engine, returned untouched by load_checkpoint.
// name: 1 to 48 characters of [A-Za-z0-9._-].
struct checkpoint_section {
    std::string name;
    std::vector<std::uint8_t> bytes;
};

struct checkpoint_save_options {
    bool recorded_spikes = true;  // store the engine's recorded spikes
};

// Writes e's state (after bringing deferred weight updates up to date, which changes no result)
// and the extra sections to file atomically. file_error on any write failure (the previous
// file, if any, is then untouched).
void save_checkpoint(engine& e, const std::filesystem::path& file,
                     std::span<const checkpoint_section> extra = {},
                     const checkpoint_save_options& options = {});

struct loaded_checkpoint {
    std::unique_ptr<hebllm::engine> engine;
    std::vector<checkpoint_section> extra;  // in the order they were saved
    std::uint32_t format_version = 0;
};

// Reads and checks file, then continues the engine on `backend` ("auto", "cpu", "reference";
// it need not be the one that saved it). Running N more steps gives exactly what the saving
// engine would have given.
loaded_checkpoint load_checkpoint(const std::filesystem::path& file,
                                  std::string_view backend = "auto",
                                  const engine_options& options = {});

// The same from bytes in memory (source_name is used in error messages); also what the fuzzer
// calls. Only the snapshot: no engine is made.
// verify_checksums = false only for fuzzing (so mutations reach the checks behind them).
engine_snapshot parse_checkpoint(std::span<const std::uint8_t> bytes,
                                 const std::string& source_name,
                                 std::vector<checkpoint_section>* extra = nullptr,
                                 bool verify_checksums = true);

// The file's bytes (what save_checkpoint writes).
std::vector<std::uint8_t> serialize_checkpoint(const engine_snapshot& snapshot,
                                               std::span<const checkpoint_section> extra = {});

// The current format version (docs/formats.md).
inline constexpr std::uint32_t checkpoint_format_version = 1;

}  // namespace hebllm
