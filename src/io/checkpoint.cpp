// SPDX-License-Identifier: MIT
// Checkpoint files (docs/formats.md "Checkpoints"): a 32-byte header, then named sections each
// with its length and xxh64 checksums of its header and payload. Little-endian throughout.
//
// Reading never trusts a length: each is checked against the bytes left in the file before
// anything is allocated from it, and every array section's length must be a multiple of its
// element size.

#include <hebllm/checkpoint.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>

#include <xxhash.h>

#include <hebllm/errors.hpp>
#include <hebllm/io.hpp>

#include "io/checkpoint_fault.hpp"
#include "io/file_util.hpp"

namespace hebllm::io_detail {
std::string network_toml_text(const network_spec& spec);
}  // namespace hebllm::io_detail

namespace hebllm {

static_assert(std::endian::native == std::endian::little,
              "checkpoints are written little-endian with memcpy: port the writer first");

namespace {

constexpr std::array<char, 8> magic = {'H', 'E', 'B', 'L', 'L', 'M', 'C', 'K'};
constexpr std::uint32_t endian_marker = 0x0A0B0C0Du;
constexpr std::uint32_t swapped_endian_marker = 0x0D0C0B0Au;  // read from a big-endian file
constexpr std::size_t header_size = 32;
constexpr std::size_t name_size = 48;
constexpr std::size_t section_header_size = name_size + 24;
const std::string extra_prefix = "extra/";

std::uint64_t hash(const std::uint8_t* p, std::size_t n) {
    return XXH64(p, n, 0);
}

// ---- writing ----------------------------------------------------------------------------------

// Writes sections in file order to a byte sink: the file header first (it holds the section
// count, known up front), then each section's header (with its payload's checksum, computed
// over the caller's memory) and payload. Nothing is copied: an array section is written
// straight from the snapshot's vector.
class writer {
public:
    writer(const io_detail::byte_sink& out, std::uint32_t sections)
        : out_(out), expected_(sections) {
        std::array<std::uint8_t, header_size> file{};
        std::memcpy(file.data(), magic.data(), 8);
        const std::uint32_t words[4] = {checkpoint_format_version, endian_marker, sections, 0};
        std::memcpy(file.data() + 8, words, 16);
        const std::uint64_t h = hash(file.data(), 24);
        std::memcpy(file.data() + 24, &h, 8);
        out_(file);
    }
    void section(const std::string& name, std::span<const std::uint8_t> payload) {
        std::array<std::uint8_t, section_header_size> h{};
        std::memcpy(h.data(), name.data(), std::min(name.size(), name_size));
        const std::uint64_t length = payload.size();
        const std::uint64_t payload_hash = hash(payload.data(), payload.size());
        std::memcpy(h.data() + name_size, &length, 8);
        std::memcpy(h.data() + name_size + 8, &payload_hash, 8);
        const std::uint64_t header_hash = hash(h.data(), name_size + 16);
        std::memcpy(h.data() + name_size + 16, &header_hash, 8);
        out_(h);
        out_(payload);
        ++count_;
    }
    template <class T>
    void array(const std::string& name, const std::vector<T>& v) {
        static_assert(std::is_arithmetic_v<T>);
        section(name, {reinterpret_cast<const std::uint8_t*>(v.data()), v.size() * sizeof(T)});
    }
    void finish() const {
        if (count_ != expected_) {
            throw internal_error("checkpoint writer: " + std::to_string(count_) +
                                 " sections written, the header says " + std::to_string(expected_));
        }
    }

private:
    const io_detail::byte_sink& out_;
    std::uint32_t expected_;
    std::uint32_t count_ = 0;
};

// Little-endian fields appended to a payload.
class packer {
public:
    template <class T>
    void put(T v) {
        static_assert(std::is_arithmetic_v<T>);
        const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
        bytes.insert(bytes.end(), p, p + sizeof(T));
    }
    std::vector<std::uint8_t> bytes;
};

// Fields read from a payload, each checked against what is left.
class unpacker {
public:
    unpacker(std::span<const std::uint8_t> b, const std::string& file, std::string section)
        : b_(b), file_(file), section_(std::move(section)) {}
    template <class T>
    T get() {
        if (b_.size() - pos_ < sizeof(T)) {
            fail("ends in the middle of a record");
        }
        T v;
        std::memcpy(&v, b_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return v;
    }
    bool done() const { return pos_ == b_.size(); }
    std::size_t left() const { return b_.size() - pos_; }
    [[noreturn]] void fail(const std::string& what) const {
        throw file_error(file_, 0, "section '" + section_ + "' " + what);
    }

private:
    std::span<const std::uint8_t> b_;
    std::size_t pos_ = 0;
    const std::string& file_;
    std::string section_;
};

std::vector<std::uint8_t> to_bytes(std::string_view s) {
    return {s.begin(), s.end()};
}

bool valid_extra_name(std::string_view name) {
    if (name.empty() || name.size() + extra_prefix.size() > name_size) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
    });
}

// ---- reading ----------------------------------------------------------------------------------

struct section_view {
    std::string name;
    std::span<const std::uint8_t> payload;
};

std::vector<section_view> split_sections(std::span<const std::uint8_t> b, const std::string& file,
                                         bool verify, std::uint32_t& version) {
    if (b.size() < header_size) {
        throw file_error(file, 0,
                         "truncated: " + std::to_string(b.size()) +
                             " bytes, shorter than the 32-byte checkpoint header");
    }
    if (std::memcmp(b.data(), magic.data(), 8) != 0) {
        throw file_error(file, 0, "not a hebllm checkpoint (the magic 'HEBLLMCK' is missing)");
    }
    std::uint32_t words[4];
    std::memcpy(words, b.data() + 8, 16);
    if (words[1] == swapped_endian_marker) {
        throw file_error(file, 0,
                         "wrong endianness: the checkpoint was written big-endian, this build "
                         "reads little-endian checkpoints only");
    }
    if (words[1] != endian_marker) {
        throw file_error(file, 0, "corrupted header: bad endianness marker");
    }
    std::uint64_t stored;
    std::memcpy(&stored, b.data() + 24, 8);
    if (verify && stored != hash(b.data(), 24)) {
        throw file_error(file, 0, "corrupted header: checksum mismatch");
    }
    version = words[0];
    if (version != checkpoint_format_version) {
        throw file_error(file, 0,
                         "unsupported checkpoint format version " + std::to_string(version) +
                             " (this build reads version " +
                             std::to_string(checkpoint_format_version) + ")");
    }
    const std::uint32_t count = words[2];
    std::vector<section_view> out;
    std::size_t pos = header_size;
    for (std::uint32_t k = 0; k < count; ++k) {
        const std::string where =
            "section " + std::to_string(k + 1) + " of " + std::to_string(count);
        if (b.size() - pos < section_header_size) {
            throw file_error(file, 0, "truncated: the file ends in the header of " + where);
        }
        const std::uint8_t* h = b.data() + pos;
        std::uint64_t length, payload_hash, header_hash;
        std::memcpy(&length, h + name_size, 8);
        std::memcpy(&payload_hash, h + name_size + 8, 8);
        std::memcpy(&header_hash, h + name_size + 16, 8);
        if (verify && header_hash != hash(h, name_size + 16)) {
            throw file_error(file, 0, "corrupted: checksum mismatch in the header of " + where);
        }
        const char* name_begin = reinterpret_cast<const char*>(h);
        const std::string name(name_begin, strnlen(name_begin, name_size));
        pos += section_header_size;
        if (length > b.size() - pos) {
            throw file_error(file, 0,
                             "truncated: section '" + name + "' declares " +
                                 std::to_string(length) + " bytes, only " +
                                 std::to_string(b.size() - pos) + " are left in the file");
        }
        const std::span<const std::uint8_t> payload = b.subspan(pos, length);
        if (verify && payload_hash != hash(payload.data(), payload.size())) {
            throw file_error(file, 0, "corrupted: checksum mismatch in section '" + name + "'");
        }
        out.push_back({name, payload});
        pos += length;
    }
    if (pos != b.size()) {
        throw file_error(file, 0,
                         std::to_string(b.size() - pos) +
                             " unexpected bytes after the last section (corrupted section count?)");
    }
    return out;
}

class section_reader {
public:
    section_reader(std::vector<section_view> sections, const std::string& file)
        : sections_(std::move(sections)), file_(file) {}

    std::span<const std::uint8_t> bytes(const std::string& name) const {
        for (const auto& s : sections_) {
            if (s.name == name) {
                return s.payload;
            }
        }
        throw file_error(file_, 0, "missing section '" + name + "'");
    }
    template <class T>
    std::vector<T> array(const std::string& name) const {
        const auto b = bytes(name);
        if (b.size() % sizeof(T) != 0) {
            throw file_error(file_, 0,
                             "section '" + name + "' has " + std::to_string(b.size()) +
                                 " bytes, not a multiple of its element size " +
                                 std::to_string(sizeof(T)));
        }
        std::vector<T> v(b.size() / sizeof(T));
        if (!v.empty()) {
            std::memcpy(v.data(), b.data(), b.size());
        }
        return v;
    }
    bool has(const std::string& name) const {
        return std::any_of(sections_.begin(), sections_.end(),
                           [&](const section_view& s) { return s.name == name; });
    }
    unpacker fields(const std::string& name) const { return {bytes(name), file_, name}; }
    const std::vector<section_view>& all() const { return sections_; }

private:
    std::vector<section_view> sections_;
    const std::string& file_;
};

// ---- fault injection (the test seam of io/checkpoint_fault.hpp) -------------------------------

io_detail::checkpoint_fault& fault_plan() {
    static io_detail::checkpoint_fault fault;
    return fault;
}

}  // namespace

// ---- the format
// -----------------------------------------------------------------------------------

namespace {

// The sections of the format, in order: 35 always, the recorded spikes' 2 when kept, then the
// extra ones (writer::finish() checks the count).
constexpr std::uint32_t fixed_sections = 35;

void check_extra_names(std::span<const checkpoint_section> extra) {
    for (const checkpoint_section& x : extra) {
        if (!valid_extra_name(x.name)) {
            throw model_error("checkpoint section name '" + x.name +
                              "' must be 1 to 42 characters of [A-Za-z0-9._-]");
        }
    }
}

void write_checkpoint(const engine_snapshot& f, std::span<const checkpoint_section> extra,
                      const io_detail::byte_sink& out) {
    writer w(out, fixed_sections + (f.has_recorded_spikes ? 2u : 0u) +
                      static_cast<std::uint32_t>(extra.size()));
    w.section("spec.toml", to_bytes(io_detail::network_toml_text(f.spec)));
    {
        packer p;
        for (const synapse_entry& e : f.spec.synapses) {
            p.put(e.pre);
            p.put(e.post);
            p.put(e.weight);
            p.put(e.delay_ms);
            p.put(static_cast<std::uint8_t>(e.plastic ? 1 : 0));
        }
        w.section("spec.synapses", p.bytes);
    }
    {
        packer p;
        for (const input_spike& s : f.spec.input_spikes) {
            p.put(s.neuron);
            p.put(s.time_ms);
        }
        w.section("spec.input_spikes", p.bytes);
    }
    {
        packer p;
        p.put(f.step);
        p.put(static_cast<std::uint32_t>(f.v.size()));
        p.put(f.max_delay);
        p.put(f.history_next);
        p.put(f.history_size);
        p.put(f.surprise);
        p.put(f.reward);
        p.put(f.external_m);
        p.put(f.modulation);
        p.put(f.last_consolidation_step);
        p.put(f.spikes_since_consolidation);
        p.put(f.consolidations);
        p.put(f.stats_steps);
        p.put(f.stats_spikes);
        p.put(f.stats_synaptic_events);
        p.put(f.stats_plasticity_updates);
        p.put(f.stats_forced_spikes_dropped);
        p.put(f.stats_wall_s);
        p.put(static_cast<std::uint8_t>(f.has_recorded_spikes ? 1 : 0));
        w.section("engine.scalars", p.bytes);
    }
    w.array("synapses.row_begin", f.row_begin);
    w.array("synapses.segment_begin", f.segment_begin);
    w.array("synapses.segment_end", f.segment_end);
    w.array("synapses.segment_delay", f.segment_delay);
    w.array("synapses.segment_plastic", f.segment_plastic);
    w.array("synapses.target", f.target);
    w.array("synapses.weight", f.weight);
    w.array("synapses.negative", f.negative);
    w.array("synapses.stdp_scale", f.stdp_scale);
    w.array("neurons.v", f.v);
    w.array("neurons.i_syn", f.i_syn);
    w.array("neurons.threshold", f.threshold);
    w.array("neurons.theta", f.theta);
    w.array("neurons.rate_hz", f.rate_hz);
    w.array("neurons.pre_after", f.pre_after);
    w.array("neurons.pre_before", f.pre_before);
    w.array("neurons.post_after", f.post_after);
    w.array("neurons.pre_spikes", f.pre_spikes);
    w.array("neurons.last_spike", f.last_spike);
    w.array("neurons.prev_spike", f.prev_spike);
    w.array("neurons.refractory", f.refractory);
    w.array("pending", f.pending);
    {
        packer p;
        for (const stimulus& s : f.stimuli) {
            p.put(static_cast<std::uint8_t>(s.kind));
            p.put(s.first);
            p.put(s.count);
            p.put(s.t_start_ms);
            p.put(s.t_stop_ms);
            p.put(s.rate_hz);
            p.put(s.amplitude);
            p.put(s.sources);
        }
        w.section("inputs.stimuli", p.bytes);
    }
    w.array("inputs.spike_step", f.input_spike_step);
    w.array("inputs.spike_neuron", f.input_spike_neuron);
    w.array("neuromodulation.history_begin", f.history_begin);
    w.array("neuromodulation.history_ids", f.history_ids);
    w.array("consolidation.replay_begin", f.replay_begin);
    w.array("consolidation.replay_ids", f.replay_ids);
    w.array("consolidation.replay_step", f.replay_step);
    w.array("recording.population_counts", f.population_spike_counts);
    if (f.has_recorded_spikes) {
        w.array("recording.spike_neuron", f.recorded_neuron);
        w.array("recording.spike_step", f.recorded_step);
    }
    for (const checkpoint_section& x : extra) {
        w.section(extra_prefix + x.name, x.bytes);
    }
    w.finish();
}

}  // namespace

std::vector<std::uint8_t> serialize_checkpoint(const engine_snapshot& f,
                                               std::span<const checkpoint_section> extra) {
    check_extra_names(extra);
    std::vector<std::uint8_t> bytes;
    write_checkpoint(f, extra, [&](std::span<const std::uint8_t> b) {
        bytes.insert(bytes.end(), b.begin(), b.end());
    });
    return bytes;
}

engine_snapshot parse_checkpoint(std::span<const std::uint8_t> bytes, const std::string& file,
                                 std::vector<checkpoint_section>* extra, bool verify_checksums) {
    std::uint32_t version = 0;
    const section_reader r(split_sections(bytes, file, verify_checksums, version), file);
    engine_snapshot f;
    {
        const auto text = r.bytes("spec.toml");
        try {
            f.spec = parse_network(
                std::string_view(reinterpret_cast<const char*>(text.data()), text.size()), {},
                file + " [spec.toml]");
        } catch (const file_error&) {
            throw;
        } catch (const error& e) {
            throw file_error(file, 0, std::string("section 'spec.toml': ") + e.what());
        }
    }
    {
        unpacker u = r.fields("spec.synapses");
        while (!u.done()) {
            synapse_entry e;
            e.pre = u.get<std::uint32_t>();
            e.post = u.get<std::uint32_t>();
            e.weight = u.get<double>();
            e.delay_ms = u.get<double>();
            e.plastic = u.get<std::uint8_t>() != 0;
            f.spec.synapses.push_back(e);
        }
    }
    {
        unpacker u = r.fields("spec.input_spikes");
        while (!u.done()) {
            input_spike s;
            s.neuron = u.get<std::uint32_t>();
            s.time_ms = u.get<double>();
            f.spec.input_spikes.push_back(s);
        }
    }
    try {
        f.spec.validate();
    } catch (const model_error& e) {
        throw file_error(file, 0, std::string("the stored network is invalid: ") + e.what());
    }
    const std::uint64_t n = f.spec.neuron_count();
    {
        unpacker u = r.fields("engine.scalars");
        f.step = u.get<std::int64_t>();
        const auto neurons = u.get<std::uint32_t>();
        f.max_delay = u.get<std::uint32_t>();
        f.history_next = u.get<std::uint64_t>();
        f.history_size = u.get<std::uint64_t>();
        f.surprise = u.get<double>();
        f.reward = u.get<double>();
        f.external_m = u.get<double>();
        f.modulation = u.get<double>();
        f.last_consolidation_step = u.get<std::int64_t>();
        f.spikes_since_consolidation = u.get<std::uint64_t>();
        f.consolidations = u.get<std::uint64_t>();
        f.stats_steps = u.get<std::int64_t>();
        f.stats_spikes = u.get<std::uint64_t>();
        f.stats_synaptic_events = u.get<std::uint64_t>();
        f.stats_plasticity_updates = u.get<std::uint64_t>();
        f.stats_forced_spikes_dropped = u.get<std::uint64_t>();
        f.stats_wall_s = u.get<double>();
        f.has_recorded_spikes = u.get<std::uint8_t>() != 0;
        if (!u.done()) {
            u.fail("is longer than this format version's fields");
        }
        if (neurons != n) {
            u.fail("says " + std::to_string(neurons) + " neurons, the network has " +
                   std::to_string(n));
        }
    }
    f.row_begin = r.array<std::uint64_t>("synapses.row_begin");
    f.segment_begin = r.array<std::uint32_t>("synapses.segment_begin");
    f.segment_end = r.array<std::uint64_t>("synapses.segment_end");
    f.segment_delay = r.array<std::uint8_t>("synapses.segment_delay");
    f.segment_plastic = r.array<std::uint8_t>("synapses.segment_plastic");
    f.target = r.array<std::uint32_t>("synapses.target");
    f.weight = r.array<float>("synapses.weight");
    f.negative = r.array<std::uint8_t>("synapses.negative");
    f.stdp_scale = r.array<double>("synapses.stdp_scale");
    f.v = r.array<double>("neurons.v");
    f.i_syn = r.array<double>("neurons.i_syn");
    f.threshold = r.array<double>("neurons.threshold");
    f.theta = r.array<double>("neurons.theta");
    f.rate_hz = r.array<double>("neurons.rate_hz");
    f.pre_after = r.array<double>("neurons.pre_after");
    f.pre_before = r.array<double>("neurons.pre_before");
    f.post_after = r.array<double>("neurons.post_after");
    // Added with metaplasticity; a file without it counted no spikes, which is only right
    // for a network without metaplasticity.
    if (r.has("neurons.pre_spikes") || f.spec.stdp.metaplasticity_spikes > 0.0) {
        f.pre_spikes = r.array<double>("neurons.pre_spikes");
    } else {
        f.pre_spikes.assign(f.pre_after.size(), 0.0);
    }
    f.last_spike = r.array<std::int64_t>("neurons.last_spike");
    f.prev_spike = r.array<std::int64_t>("neurons.prev_spike");
    f.refractory = r.array<std::int32_t>("neurons.refractory");
    f.pending = r.array<std::int64_t>("pending");
    {
        unpacker u = r.fields("inputs.stimuli");
        while (!u.done()) {
            stimulus s;
            const auto kind = u.get<std::uint8_t>();
            if (kind > static_cast<std::uint8_t>(stimulus_kind::poisson_input)) {
                u.fail("holds an unknown stimulus kind " + std::to_string(kind));
            }
            s.kind = static_cast<stimulus_kind>(kind);
            s.first = u.get<std::uint32_t>();
            s.count = u.get<std::uint32_t>();
            s.t_start_ms = u.get<double>();
            s.t_stop_ms = u.get<double>();
            s.rate_hz = u.get<double>();
            s.amplitude = u.get<double>();
            s.sources = u.get<std::uint32_t>();
            f.stimuli.push_back(s);
        }
    }
    f.input_spike_step = r.array<std::int64_t>("inputs.spike_step");
    f.input_spike_neuron = r.array<std::uint32_t>("inputs.spike_neuron");
    f.history_begin = r.array<std::uint64_t>("neuromodulation.history_begin");
    f.history_ids = r.array<std::uint32_t>("neuromodulation.history_ids");
    f.replay_begin = r.array<std::uint64_t>("consolidation.replay_begin");
    f.replay_ids = r.array<std::uint32_t>("consolidation.replay_ids");
    f.replay_step = r.array<std::int64_t>("consolidation.replay_step");
    f.population_spike_counts = r.array<std::uint64_t>("recording.population_counts");
    if (f.has_recorded_spikes) {
        f.recorded_neuron = r.array<std::uint32_t>("recording.spike_neuron");
        f.recorded_step = r.array<std::int64_t>("recording.spike_step");
    }
    // Arrays whose size follows from the network: checked here so the message names the file
    // (the engine checks the rest of the structure).
    const auto expect = [&](std::uint64_t have, std::uint64_t want, const char* name) {
        if (have != want) {
            throw file_error(file, 0,
                             std::string("section '") + name + "' has " + std::to_string(have) +
                                 " entries, the network needs " + std::to_string(want));
        }
    };
    expect(f.row_begin.size(), n + 1, "synapses.row_begin");
    expect(f.v.size(), n, "neurons.v");
    expect(f.pending.size(), n * f.max_delay, "pending");
    for (const auto& s : r.all()) {
        if (s.name.rfind(extra_prefix, 0) == 0 && extra != nullptr) {
            extra->push_back(
                {s.name.substr(extra_prefix.size()), {s.payload.begin(), s.payload.end()}});
        }
    }
    return f;
}

void save_checkpoint(engine& e, const std::filesystem::path& file,
                     std::span<const checkpoint_section> extra,
                     const checkpoint_save_options& options) {
    check_extra_names(extra);
    // Streamed: the snapshot (one copy of the state) goes to the file section by section.
    const engine_snapshot snap = e.snapshot(options.recorded_spikes);
    io_detail::write_file_atomic(
        file, [&](const io_detail::byte_sink& out) { write_checkpoint(snap, extra, out); },
        fault_plan());
}

loaded_checkpoint load_checkpoint(const std::filesystem::path& file, std::string_view backend,
                                  const engine_options& options) {
    const std::string name = file.string();
    const std::string text = io_detail::read_file(file);
    loaded_checkpoint out;
    const engine_snapshot snap =
        parse_checkpoint(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()),
                         name, &out.extra);
    out.format_version = checkpoint_format_version;
    try {
        out.engine = make_engine(snap, backend, options);
    } catch (const model_error& e) {
        throw file_error(name, 0, std::string("inconsistent checkpoint: ") + e.what());
    }
    return out;
}

}  // namespace hebllm

namespace hebllm::io_detail {

void set_checkpoint_fault(const checkpoint_fault& fault) {
    fault_plan() = fault;
}

}  // namespace hebllm::io_detail
