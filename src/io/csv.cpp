// SPDX-License-Identifier: MIT
// CSV synapse lists, input-spike lists and spike recordings (docs/formats.md "CSV files").
// The readers are strict: exact header, exact field count, whole fields parsed with
// std::from_chars. Tolerated: a UTF-8 byte-order mark, CRLF line ends, spaces around fields,
// empty lines at the end of the file.

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <hebllm/errors.hpp>
#include <hebllm/io.hpp>

#include "io/file_util.hpp"

namespace hebllm {
namespace {

using io_detail::describe_field_error;
using io_detail::field_error_kind;

constexpr std::size_t max_fields = 8;

// One data row: its fields (trimmed) and where it came from.
struct csv_row {
    std::array<std::string_view, max_fields> fields{};
    std::size_t count = 0;  // may exceed max_fields; only the first max_fields are kept
    std::size_t line = 0;   // 1-based
};

// Splits text into lines and calls on_row for every data row. headers: the accepted header
// lines (the index of the matched one is returned), each a comma-separated list of column
// names; each row must have exactly as many fields as the header.
template <class OnRow>
std::size_t for_each_row(std::string_view text, const std::string& file,
                         std::initializer_list<std::string_view> headers, OnRow&& on_row) {
    // UTF-8 byte-order mark, as written by some spreadsheet programs.
    if (text.substr(0, 3) == "\xEF\xBB\xBF") {
        text.remove_prefix(3);
    }
    std::size_t header_index = headers.size();
    std::size_t columns = 0;
    std::string_view header_text;
    std::size_t line_no = 0;
    std::size_t blank_line = 0;  // first blank line seen after the header (0: none yet)
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (header_index == headers.size()) {
            const std::string_view got = io_detail::trim(line);
            std::size_t i = 0;
            for (const std::string_view h : headers) {
                if (got == h) {
                    header_index = i;
                }
                ++i;
            }
            if (header_index == headers.size()) {
                std::string expected;
                for (const std::string_view h : headers) {
                    expected += (expected.empty() ? "'" : " or '") + std::string(h) + "'";
                }
                throw file_error(
                    file, line_no,
                    "expected header " + expected + ", got '" + std::string(got) + "'");
            }
            header_text = *(headers.begin() + static_cast<std::ptrdiff_t>(header_index));
            columns =
                static_cast<std::size_t>(std::count(header_text.begin(), header_text.end(), ',')) +
                1;
            continue;
        }
        if (io_detail::trim(line).empty()) {
            if (blank_line == 0) {
                blank_line = line_no;
            }
            continue;
        }
        if (blank_line != 0) {
            throw file_error(file, blank_line,
                             "empty line inside the data (only trailing empty lines are allowed)");
        }
        csv_row row;
        row.line = line_no;
        std::size_t start = 0;
        for (;;) {
            const std::size_t comma = line.find(',', start);
            const std::string_view field = line.substr(
                start, comma == std::string_view::npos ? line.size() - start : comma - start);
            if (row.count < max_fields) {
                row.fields[row.count] = io_detail::trim(field);
            }
            ++row.count;
            if (comma == std::string_view::npos) {
                break;
            }
            start = comma + 1;
        }
        if (row.count != columns) {
            throw file_error(file, line_no,
                             "expected " + std::to_string(columns) + " fields (" +
                                 std::string(header_text) + "), got " + std::to_string(row.count));
        }
        on_row(row);
    }
    if (header_index == headers.size()) {
        std::string expected(*headers.begin());
        throw file_error(file, 1, "empty file: expected header '" + expected + "'");
    }
    return header_index;
}

std::uint32_t field_u32(const csv_row& row, std::size_t i, std::string_view name,
                        const std::string& file) {
    std::uint32_t value = 0;
    const field_error_kind e = io_detail::parse_u32(row.fields[i], value);
    if (e != field_error_kind::none) {
        throw file_error(file, row.line, describe_field_error(e, name, row.fields[i], true));
    }
    return value;
}

double field_double(const csv_row& row, std::size_t i, std::string_view name,
                    const std::string& file) {
    double value = 0.0;
    const field_error_kind e = io_detail::parse_double(row.fields[i], value);
    if (e != field_error_kind::none) {
        throw file_error(file, row.line, describe_field_error(e, name, row.fields[i], false));
    }
    return value;
}

bool field_bool(const csv_row& row, std::size_t i, std::string_view name, const std::string& file) {
    const std::string_view f = row.fields[i];
    if (f == "1" || f == "true") {
        return true;
    }
    if (f == "0" || f == "false") {
        return false;
    }
    throw file_error(
        file, row.line,
        "'" + std::string(name) + "' must be 0, 1, true or false, got '" + std::string(f) + "'");
}

// An upper bound on the number of data rows, to reserve once.
std::size_t line_count(std::string_view text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
}

constexpr std::string_view synapse_header = "pre,post,weight,delay_ms";
constexpr std::string_view synapse_header_plastic = "pre,post,weight,delay_ms,plastic";
constexpr std::string_view input_spike_header = "neuron,time_ms";
constexpr std::string_view spike_header = "neuron,time_ms";

}  // namespace

std::vector<synapse_entry> read_synapses_csv(const std::filesystem::path& csv) {
    const std::string file = csv.string();
    const std::string text = io_detail::read_file(csv);
    std::vector<synapse_entry> synapses;
    synapses.reserve(line_count(text));
    for_each_row(text, file, {synapse_header, synapse_header_plastic}, [&](const csv_row& row) {
        synapse_entry s;
        s.pre = field_u32(row, 0, "pre", file);
        s.post = field_u32(row, 1, "post", file);
        s.weight = field_double(row, 2, "weight", file);
        s.delay_ms = field_double(row, 3, "delay_ms", file);
        s.plastic = row.count == 5 ? field_bool(row, 4, "plastic", file) : false;
        synapses.push_back(s);
    });
    return synapses;
}

void write_synapses_csv(const std::filesystem::path& csv, std::span<const synapse_entry> synapses) {
    const bool with_plastic = std::any_of(synapses.begin(), synapses.end(),
                                          [](const synapse_entry& s) { return s.plastic; });
    std::string out(with_plastic ? synapse_header_plastic : synapse_header);
    out += '\n';
    out.reserve(out.size() + synapses.size() * 32);
    for (const synapse_entry& s : synapses) {
        io_detail::append_uint(out, s.pre);
        out += ',';
        io_detail::append_uint(out, s.post);
        out += ',';
        io_detail::append_double(out, s.weight);
        out += ',';
        io_detail::append_double(out, s.delay_ms);
        if (with_plastic) {
            out += s.plastic ? ",1" : ",0";
        }
        out += '\n';
    }
    io_detail::write_file_atomic(csv, out);
}

std::vector<input_spike> read_input_spikes_csv(const std::filesystem::path& csv) {
    const std::string file = csv.string();
    const std::string text = io_detail::read_file(csv);
    std::vector<input_spike> spikes;
    spikes.reserve(line_count(text));
    for_each_row(text, file, {input_spike_header}, [&](const csv_row& row) {
        input_spike s;
        s.neuron = field_u32(row, 0, "neuron", file);
        s.time_ms = field_double(row, 1, "time_ms", file);
        spikes.push_back(s);
    });
    return spikes;
}

void write_input_spikes_csv(const std::filesystem::path& csv, std::span<const input_spike> spikes) {
    std::string out(input_spike_header);
    out += '\n';
    out.reserve(out.size() + spikes.size() * 16);
    for (const input_spike& s : spikes) {
        io_detail::append_uint(out, s.neuron);
        out += ',';
        io_detail::append_double(out, s.time_ms);
        out += '\n';
    }
    io_detail::write_file_atomic(csv, out);
}

spike_format_kind spike_format_for(const std::filesystem::path& path) {
    const std::string ext = path.extension().string();
    if (ext == ".csv") {
        return spike_format_kind::csv;
    }
    if (ext == ".spk") {
        return spike_format_kind::binary;
    }
    throw file_error(path.string(), 0,
                     "unknown spike file extension '" + ext +
                         "' (use .csv for text or .spk for the binary format)");
}

void write_spikes_csv(const std::filesystem::path& csv, std::span<const spike_event> spikes,
                      double dt_ms) {
    std::vector<spike_event> sorted(spikes.begin(), spikes.end());
    // Time is step * dt with dt > 0, so ordering by step orders by time.
    std::sort(sorted.begin(), sorted.end(), [](const spike_event& a, const spike_event& b) {
        return a.step != b.step ? a.step < b.step : a.neuron < b.neuron;
    });
    std::string out(spike_header);
    out += '\n';
    out.reserve(out.size() + sorted.size() * 16);
    for (const spike_event& s : sorted) {
        io_detail::append_uint(out, s.neuron);
        out += ',';
        // The same product engine::time_ms() forms, so printed times match the engine's.
        io_detail::append_double(out, static_cast<double>(s.step) * dt_ms);
        out += '\n';
    }
    io_detail::write_file_atomic(csv, out);
}

void write_spikes(const std::filesystem::path& path, std::span<const spike_event> spikes,
                  double dt_ms) {
    switch (spike_format_for(path)) {
        case spike_format_kind::csv: write_spikes_csv(path, spikes, dt_ms); return;
        case spike_format_kind::binary: write_spikes_binary(path, spikes, dt_ms); return;
    }
}

}  // namespace hebllm
