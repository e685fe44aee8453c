// SPDX-License-Identifier: MIT
#pragma once
// Small text helpers shared by the language layer's sources (private).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hebllm::lang::detail {

// Decodes one UTF-8 code point at s[i]; returns its length (1-4) and sets cp, or 0 for an
// invalid sequence (overlong forms, surrogates and values above U+10FFFF included).
std::size_t utf8_decode(std::string_view s, std::size_t i, std::uint32_t& cp);
void utf8_append(std::string& out, std::uint32_t cp);
// The 0-based index of the first byte that is not valid UTF-8, or npos.
std::size_t utf8_invalid_at(std::string_view s);

// FNV-1a, 64 bit.
std::uint64_t fnv1a64(std::string_view bytes);

}  // namespace hebllm::lang::detail
