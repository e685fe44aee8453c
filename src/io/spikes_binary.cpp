// SPDX-License-Identifier: MIT
// The binary spike format (docs/formats.md "Binary spike files"). All fields little-endian,
// written byte by byte so the file is the same on any host:
//
//   offset  size  field
//        0     8  magic "HBSPIKES"
//        8     4  u32 version (1)
//       12     4  u32 record size in bytes (12)
//       16     8  f64 dt_ms (> 0, finite)
//       24     8  u64 count
//       32  12*n  records: u32 neuron, i64 step (>= 0), sorted by (step, neuron)
//
// The file size must be exactly 32 + 12 * count, so a truncated or padded file is rejected
// before anything is allocated from count.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <hebllm/errors.hpp>
#include <hebllm/io.hpp>

#include "io/file_util.hpp"

namespace hebllm {
namespace {

constexpr char magic[8] = {'H', 'B', 'S', 'P', 'I', 'K', 'E', 'S'};
constexpr std::uint32_t format_version = 1;
constexpr std::uint32_t record_bytes = 12;  // u32 neuron + i64 step, packed
constexpr std::size_t header_bytes = 32;

void put_u32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) {
        out += static_cast<char>((v >> (8 * i)) & 0xFFu);
    }
}
void put_u64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
        out += static_cast<char>((v >> (8 * i)) & 0xFFu);
    }
}
std::uint32_t get_u32(const char* p) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
        v |= std::uint32_t{static_cast<unsigned char>(p[i])} << (8 * i);
    }
    return v;
}
std::uint64_t get_u64(const char* p) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) {
        v |= std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
    }
    return v;
}

}  // namespace

void write_spikes_binary(const std::filesystem::path& spk, std::span<const spike_event> spikes,
                         double dt_ms) {
    if (!(dt_ms > 0.0) || !std::isfinite(dt_ms)) {
        throw file_error(spk.string(), 0,
                         "cannot write spikes: dt_ms must be finite and > 0, got " +
                             io_detail::format_double(dt_ms));
    }
    std::vector<spike_event> sorted(spikes.begin(), spikes.end());
    std::sort(sorted.begin(), sorted.end(), [](const spike_event& a, const spike_event& b) {
        return a.step != b.step ? a.step < b.step : a.neuron < b.neuron;
    });
    std::string out;
    out.reserve(header_bytes + sorted.size() * record_bytes);
    out.append(magic, sizeof magic);
    put_u32(out, format_version);
    put_u32(out, record_bytes);
    put_u64(out, std::bit_cast<std::uint64_t>(dt_ms));
    put_u64(out, sorted.size());
    for (const spike_event& s : sorted) {
        put_u32(out, s.neuron);
        put_u64(out, static_cast<std::uint64_t>(s.step));
    }
    io_detail::write_file_atomic(spk, out);
}

spike_recording read_spikes_binary(const std::filesystem::path& spk) {
    const std::string file = spk.string();
    const std::string data = io_detail::read_file(spk);
    if (data.size() < header_bytes) {
        throw file_error(file, 0,
                         "not a hebllm spike file: " + std::to_string(data.size()) +
                             " bytes, shorter than the 32-byte header");
    }
    const char* p = data.data();
    if (std::memcmp(p, magic, sizeof magic) != 0) {
        throw file_error(file, 0, "not a hebllm spike file: bad magic (expected \"HBSPIKES\")");
    }
    const std::uint32_t version = get_u32(p + 8);
    if (version != format_version) {
        throw file_error(file, 0,
                         "unsupported spike file version " + std::to_string(version) +
                             " (this build reads version " + std::to_string(format_version) + ")");
    }
    const std::uint32_t rec = get_u32(p + 12);
    if (rec != record_bytes) {
        throw file_error(file, 0,
                         "corrupt spike file: record size " + std::to_string(rec) + ", expected " +
                             std::to_string(record_bytes));
    }
    spike_recording result;
    result.dt_ms = std::bit_cast<double>(get_u64(p + 16));
    if (!(result.dt_ms > 0.0) || !std::isfinite(result.dt_ms)) {
        throw file_error(file, 0,
                         "corrupt spike file: dt_ms must be finite and > 0, got " +
                             io_detail::format_double(result.dt_ms));
    }
    const std::uint64_t count = get_u64(p + 24);
    // Compare against the bytes actually present (no multiplication that could overflow).
    const std::uint64_t payload = data.size() - header_bytes;
    if (payload % record_bytes != 0 || count != payload / record_bytes) {
        throw file_error(file, 0,
                         "corrupt spike file: header says " + std::to_string(count) +
                             " spikes, but the file holds " + std::to_string(payload) +
                             " bytes of records (" + std::to_string(record_bytes) +
                             " bytes each); truncated or padded?");
    }
    result.spikes.resize(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < result.spikes.size(); ++i) {
        const char* r = p + header_bytes + i * record_bytes;
        spike_event& s = result.spikes[i];
        s.neuron = get_u32(r);
        s.step = static_cast<std::int64_t>(get_u64(r + 4));
        if (s.step < 0) {
            throw file_error(file, 0,
                             "corrupt spike file: record " + std::to_string(i) +
                                 " has negative step " + std::to_string(s.step));
        }
        // spike_recording promises (step, neuron) order, as write_spikes_binary() writes it.
        if (i > 0) {
            const spike_event& prev = result.spikes[i - 1];
            if (s.step < prev.step || (s.step == prev.step && s.neuron < prev.neuron)) {
                throw file_error(file, 0,
                                 "corrupt spike file: record " + std::to_string(i) +
                                     " is out of order (records must be sorted by step, "
                                     "then neuron)");
            }
        }
    }
    return result;
}

}  // namespace hebllm
