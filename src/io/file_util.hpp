// SPDX-License-Identifier: MIT
#pragma once
// Helpers shared by the io formats: whole-file reads, atomic writes, number formatting and
// strict number parsing. Private to src/io.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "io/checkpoint_fault.hpp"

namespace hebllm::io_detail {

// The whole file as bytes; file_error(path, 0, ...) if it is missing, a directory or unreadable.
std::string read_file(const std::filesystem::path& path);

// Writes data to path atomically: a temporary file in the same directory (so the rename
// cannot cross file systems), fsync, rename over path, then fsync the directory. On any
// failure the temporary file is removed, path is left as it was, and file_error is thrown.
void write_file_atomic(const std::filesystem::path& path, std::string_view data);

// The same, streamed: `produce` emits the file's bytes in order through the function it is
// given (nothing is held in memory here). An exception from `produce` removes the temporary
// file and propagates. `fault` is the checkpoint writer's test seam (io/checkpoint_fault.hpp);
// production callers leave it at its default (no fault).
using byte_sink = std::function<void(std::span<const std::uint8_t>)>;
void write_file_atomic(const std::filesystem::path& path,
                       const std::function<void(const byte_sink&)>& produce,
                       const checkpoint_fault& fault = {});

// Shortest decimal that reads back to exactly v (std::to_chars), e.g. 0.1 -> "0.1", 1 -> "1".
void append_double(std::string& out, double v);
std::string format_double(double v);
void append_int(std::string& out, std::int64_t v);
void append_uint(std::string& out, std::uint64_t v);

// Strict parses of a whole field (no sign for unsigned, no spaces, nothing left over).
// none: parsed; otherwise what is wrong with the field.
enum class field_error_kind : std::uint8_t {
    none,
    empty,
    negative,
    not_a_number,
    trailing,
    out_of_range,
    not_finite
};
field_error_kind parse_u32(std::string_view text, std::uint32_t& out);
field_error_kind parse_double(std::string_view text, double& out);  // finite values only
// "must be ..." wording for a field error, e.g. "'pre' must be a non-negative integer, got '-3'".
std::string describe_field_error(field_error_kind kind, std::string_view field_name,
                                 std::string_view text, bool integer);

// Text without leading and trailing spaces and tabs.
std::string_view trim(std::string_view text);

}  // namespace hebllm::io_detail
