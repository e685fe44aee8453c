// SPDX-License-Identifier: MIT
// Malformed input to the io layer: every case must throw hebllm::file_error whose message
// names the file, the line (where one applies) and the problem; none may crash, hang or
// allocate from an unchecked size. The same cases through the CLI are in test_cli_errors.cpp.

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <hebllm/errors.hpp>
#include <hebllm/io.hpp>

#include "support/files.hpp"

namespace fs = std::filesystem;

namespace {

using hebllm::test::expect_file_error;

class io_errors : public hebllm::test::temp_dir_test {
protected:
    // Writes content to the file `name` and expects read(path) to throw file_error for that
    // file at `line` (0: no line) whose message holds every word.
    template <class Read>
    void expect_read_error(Read read, const std::string& name, const std::string& content,
                           std::size_t line, std::initializer_list<const char*> words) const {
        const fs::path p = write(name, content);
        expect_file_error([&] { read(p); }, p.string(), line, words);
    }
    void expect_synapses_error(const std::string& csv, std::size_t line,
                               std::initializer_list<const char*> words) const {
        expect_read_error(hebllm::read_synapses_csv, "syn.csv", csv, line, words);
    }
    void expect_input_spikes_error(const std::string& csv, std::size_t line,
                                   std::initializer_list<const char*> words) const {
        expect_read_error(hebllm::read_input_spikes_csv, "in.csv", csv, line, words);
    }
    // Binary spike files have no lines: every error is at line 0.
    void expect_spikes_binary_error(const std::string& bytes,
                                    std::initializer_list<const char*> words) const {
        expect_read_error(hebllm::read_spikes_binary, "test.spk", bytes, 0, words);
    }
};

void expect_config_error(const std::string& toml, std::size_t line,
                         std::initializer_list<const char*> words) {
    expect_file_error([&] { hebllm::parse_network(toml, ".", "net.toml"); }, "net.toml", line,
                      words);
}

// TOML for the configs below; each fragment is three lines, which the expected error lines
// count on.
std::string population_toml(const std::string& name, std::int64_t size) {
    return "[[population]]\nname = \"" + name + "\"\nsize = " + std::to_string(size) + "\n";
}
std::string projection_toml(const std::string& source, const std::string& target) {
    return "[[projection]]\nsource = \"" + source + "\"\ntarget = \"" + target + "\"\n";
}
std::string poisson_stimulus_toml(const std::string& population) {
    return "[[stimulus]]\nkind = \"poisson\"\npopulation = \"" + population + "\"\n";
}

// ---- TOML configs -------------------------------------------------------------------------

TEST(config_errors, unknown_key_names_line_table_and_suggestion) {
    expect_config_error(
        population_toml("exc", 10) + "tau_mm = 20.0\n", 4,
        {"unknown key 'tau_mm'", "[[population]] 'exc'", "did you mean 'tau_m_ms'"});
}

TEST(config_errors, unknown_key_in_inline_weight_table) {
    expect_config_error(population_toml("a", 3) + projection_toml("a", "a") +
                            "weight = { dist = \"constant\", a = 0.1, sigma = 2.0 }\n",
                        7, {"unknown key 'sigma'", "'weight' of [[projection]] 'a' -> 'a'"});
}

TEST(config_errors, unknown_top_level_table) {
    expect_config_error("[simulation]\ndt_ms = 1.0\n\n[stpd]\nenabled = true\n", 4,
                        {"unknown table [stpd]", "did you mean 'stdp'"});
}

TEST(config_errors, negative_size_is_reported_not_wrapped) {
    expect_config_error(
        population_toml("exc", -5), 3,
        {"'size' must be an integer in [1, 4294967295], got -5", "[[population]] 'exc'"});
}

TEST(config_errors, size_too_large_for_32_bits) {
    expect_config_error(population_toml("exc", 5000000000), 3, {"'size'", "got 5000000000"});
}

TEST(config_errors, zero_size) {
    expect_config_error(population_toml("exc", 0), 3, {"'size'", "got 0"});
}

TEST(config_errors, density_above_one) {
    expect_config_error(
        population_toml("a", 3) + "\n" + projection_toml("a", "a") + "density = 1.5\n", 8,
        {"'density' must be in [0, 1], got 1.5", "[[projection]] 'a' -> 'a'"});
}

TEST(config_errors, negative_density_in_hebsnn) {
    expect_config_error("[hebsnn]\nsensory = 10\ndensity = -0.1\n", 3,
                        {"'density' must be in [0, 1], got -0.1", "[hebsnn]"});
}

TEST(config_errors, wrong_type) {
    expect_config_error("[[population]]\nname = \"exc\"\nsize = \"10\"\n", 3,
                        {"'size' must be an integer, got string", "[[population]] 'exc'"});
    expect_config_error("[simulation]\ndt_ms = \"fast\"\n", 2,
                        {"'dt_ms' must be a number, got string", "[simulation]"});
    expect_config_error("[stdp]\nenabled = 1\n", 2, {"'enabled' must be a boolean", "got integer"});
    expect_config_error("[[population]]\nname = 7\n", 2, {"'name' must be a string, got integer"});
}

TEST(config_errors, float_where_integer_expected) {
    expect_config_error("[[population]]\nname = \"exc\"\nsize = 10.5\n", 3,
                        {"'size' must be an integer, got float"});
}

TEST(config_errors, nan_is_rejected) {
    expect_config_error("[simulation]\nduration_ms = nan\n", 2,
                        {"'duration_ms' must be a number, got nan"});
}

TEST(config_errors, unknown_enum_value_lists_choices) {
    expect_config_error(
        "[[population]]\nname = \"exc\"\nkind = \"excitatory\"\nsize = 3\n", 3,
        {"'kind' must be one of sensory|associative|inhibitory|output|other", "\"excitatory\""});
}

TEST(config_errors, duplicate_population_name) {
    expect_config_error(population_toml("exc", 3) + "\n" + population_toml("exc", 4), 6,
                        {"duplicate population name 'exc'", "first declared at line 2"});
}

TEST(config_errors, unknown_population_in_projection) {
    expect_config_error(population_toml("exc", 3) + population_toml("inh", 3) + "\n" +
                            projection_toml("exc", "inhh"),
                        10, {"unknown population 'inhh' in 'target'", "populations: exc, inh"});
}

TEST(config_errors, unknown_population_in_stimulus) {
    expect_config_error(population_toml("exc", 3) + "\n" + poisson_stimulus_toml("sensory") +
                            "t_stop_ms = 5.0\nrate_hz = 100.0\n",
                        7, {"unknown population 'sensory'", "[[stimulus]] #1"});
}

TEST(config_errors, stimulus_outside_its_population) {
    expect_config_error(population_toml("exc", 3) + "\n" + poisson_stimulus_toml("exc") +
                            "first = 1\ncount = 5\nt_stop_ms = 5.0\nrate_hz = 100.0\n",
                        9, {"neurons [1, 6) are outside population 'exc' of size 3"});
}

TEST(config_errors, missing_required_key) {
    expect_config_error("[[population]]\nname = \"exc\"\n", 1,
                        {"missing required key 'size'", "[[population]] 'exc'"});
    expect_config_error("\n[[population]]\nsize = 4\n", 2,
                        {"missing required key 'name'", "[[population]] #1"});
}

TEST(config_errors, table_of_wrong_shape) {
    expect_config_error(
        "[population]\nname = \"exc\"\nsize = 4\n", 1,
        {"'population' must be an array of tables ([[population]])", "single table"});
    expect_config_error("stdp = 5\n", 1, {"'stdp' must be a table ([stdp]), got integer"});
}

TEST(config_errors, hebsnn_cannot_be_combined_with_populations) {
    expect_config_error("[hebsnn]\nsensory = 10\n\n" + population_toml("x", 3), 4,
                        {"[[population]] cannot be combined with [hebsnn] (line 1)"});
}

TEST(config_errors, toml_syntax_error_has_a_line) {
    expect_config_error("[simulation]\ndt_ms = 1.0\nduration_ms = = 3\n", 3, {});
    expect_config_error("[simulation]\ndt_ms = 1.0\ndt_ms = 2.0\n", 3, {"dt_ms"});
}

TEST(config_errors, model_rule_violations_name_the_config) {
    // dt_ms <= 0 is a model rule (network_spec::validate), reported against the file.
    expect_config_error("[simulation]\ndt_ms = -1.0\n" + population_toml("a", 2), 0, {"dt_ms"});
    expect_config_error("", 0, {"no populations"});
}

TEST_F(io_errors, missing_config_file) {
    const fs::path p = dir_ / "nope.toml";
    expect_file_error([&] { hebllm::load_network(p); }, p.string(), 0,
                      {"cannot open file", "No such file or directory"});
}

TEST_F(io_errors, config_is_a_directory) {
    expect_file_error([&] { hebllm::load_network(dir_); }, dir_.string(), 0, {"is a directory"});
}

TEST_F(io_errors, missing_csv_named_in_files_points_at_the_config_line) {
    const fs::path cfg =
        write("net.toml", population_toml("a", 2) + "\n[files]\nsynapses = \"gone.csv\"\n");
    expect_file_error([&] { hebllm::load_network(cfg); }, (dir_ / "gone.csv").string(), 0,
                      {"cannot open file", "named by 'synapses' in [files] at", "net.toml:6"});
}

TEST_F(io_errors, malformed_csv_named_in_files_reports_the_csv_line) {
    write("syn.csv", "pre,post,weight,delay_ms\n0,1,0.5,1\n1,0,0.5\n");
    const fs::path cfg =
        write("net.toml", population_toml("a", 2) + "[files]\nsynapses = \"syn.csv\"\n");
    expect_file_error([&] { hebllm::load_network(cfg); }, (dir_ / "syn.csv").string(), 3,
                      {"expected 4 fields (pre,post,weight,delay_ms), got 3"});
}

// ---- CSV files ----------------------------------------------------------------------------

TEST_F(io_errors, csv_wrong_field_count) {
    expect_synapses_error("pre,post,weight,delay_ms\n0,1,0.5,1\n0,1,0.5,1,7\n", 3,
                          {"expected 4 fields", "got 5"});
    expect_input_spikes_error("neuron,time_ms\n3\n", 2,
                              {"expected 2 fields (neuron,time_ms), got 1"});
}

TEST_F(io_errors, csv_non_numeric_field) {
    expect_synapses_error("pre,post,weight,delay_ms\n0,1,abc,1\n", 2,
                          {"'weight' must be a finite number, got non-numeric 'abc'"});
    expect_input_spikes_error("neuron,time_ms\nx,1\n", 2,
                              {"'neuron' must be a non-negative integer, got non-numeric 'x'"});
}

TEST_F(io_errors, csv_trailing_garbage) {
    expect_synapses_error("pre,post,weight,delay_ms\n0,1,0.5ms,1\n", 2,
                          {"'weight'", "'0.5ms'", "trailing"});
    expect_synapses_error("pre,post,weight,delay_ms\n1.5,1,0.5,1\n", 2, {"'pre'", "'1.5'"});
}

TEST_F(io_errors, csv_negative_id) {
    expect_synapses_error("pre,post,weight,delay_ms\n-1,1,0.5,1\n", 2,
                          {"'pre' must be a non-negative integer, got negative '-1'"});
}

TEST_F(io_errors, csv_id_out_of_range) {
    expect_synapses_error("pre,post,weight,delay_ms\n4294967296,1,0.5,1\n", 2,
                          {"'pre' is out of range"});
}

TEST_F(io_errors, csv_non_finite_numbers) {
    for (const char* bad : {"nan", "inf", "-inf", "1e999"}) {
        SCOPED_TRACE(bad);
        expect_synapses_error(std::string("pre,post,weight,delay_ms\n0,1,") + bad + ",1\n", 2,
                              {"'weight'", bad});
    }
}

TEST_F(io_errors, csv_wrong_header) {
    expect_synapses_error("from,to,w,d\n0,1,0.5,1\n", 1,
                          {"expected header 'pre,post,weight,delay_ms'", "got 'from,to,w,d'"});
    expect_input_spikes_error("0,1\n", 1, {"expected header 'neuron,time_ms'", "got '0,1'"});
}

TEST_F(io_errors, csv_empty_file) {
    expect_synapses_error("", 1, {"empty file"});
}

TEST_F(io_errors, csv_empty_field_and_empty_line_inside_data) {
    expect_synapses_error("pre,post,weight,delay_ms\n0,,0.5,1\n", 2, {"'post' is empty"});
    expect_input_spikes_error("neuron,time_ms\n0,1\n\n1,2\n", 3, {"empty line inside the data"});
}

TEST_F(io_errors, csv_bad_plastic_flag) {
    expect_synapses_error("pre,post,weight,delay_ms,plastic\n0,1,0.5,1,yes\n", 2,
                          {"'plastic' must be 0, 1, true or false, got 'yes'"});
}

TEST_F(io_errors, missing_csv) {
    const fs::path p = dir_ / "nope.csv";
    expect_file_error([&] { hebllm::read_synapses_csv(p); }, p.string(), 0, {"cannot open file"});
}

// ---- binary spike files ---------------------------------------------------------------------

std::string spike_header(std::uint64_t count, std::uint32_t version = 1, double dt = 1.0) {
    std::string h = "HBSPIKES";
    for (int i = 0; i < 4; ++i)
        h += static_cast<char>((version >> (8 * i)) & 0xFF);
    for (int i = 0; i < 4; ++i)
        h += static_cast<char>((12u >> (8 * i)) & 0xFF);
    std::uint64_t bits = 0;
    static_assert(sizeof bits == sizeof dt);
    std::memcpy(&bits, &dt, sizeof dt);
    for (int i = 0; i < 8; ++i)
        h += static_cast<char>((bits >> (8 * i)) & 0xFF);
    for (int i = 0; i < 8; ++i)
        h += static_cast<char>((count >> (8 * i)) & 0xFF);
    return h;
}

TEST_F(io_errors, binary_spikes_bad_magic) {
    std::string data = spike_header(0);
    data[0] = 'X';
    expect_spikes_binary_error(data, {"bad magic"});
}

TEST_F(io_errors, binary_spikes_too_short) {
    expect_spikes_binary_error("HBSPIKES", {"shorter than the 32-byte header"});
}

TEST_F(io_errors, binary_spikes_unsupported_version) {
    expect_spikes_binary_error(spike_header(0, 9), {"unsupported spike file version 9"});
}

TEST_F(io_errors, binary_spikes_truncated) {
    // Header says 2 records, only one and a half are present.
    expect_spikes_binary_error(spike_header(2) + std::string(18, '\0'),
                               {"header says 2 spikes", "18 bytes", "truncated"});
}

TEST_F(io_errors, binary_spikes_absurd_count_is_not_allocated) {
    // 2^63 records claimed by a 44-byte file: must be refused from the file size alone.
    expect_spikes_binary_error(spike_header(std::uint64_t{1} << 63) + std::string(12, '\0'),
                               {"header says 9223372036854775808 spikes"});
}

TEST_F(io_errors, binary_spikes_bad_dt_and_negative_step) {
    expect_spikes_binary_error(spike_header(0, 1, -1.0), {"dt_ms must be finite and > 0"});
    expect_spikes_binary_error(spike_header(1) + std::string(4, '\0') + std::string(8, '\xFF'),
                               {"negative step"});
}

TEST_F(io_errors, unknown_record_extension) {
    expect_file_error([&] { hebllm::spike_format_for("spikes.txt"); }, "spikes.txt", 0,
                      {"unknown spike file extension '.txt'", ".csv", ".spk"});
}

// ---- mutation fuzzing -----------------------------------------------------------------------

// Applies one random edit: flip a byte, delete a range, duplicate a range, or truncate.
std::string mutate(const std::string& in, std::mt19937& rng) {
    std::string s = in;
    if (s.empty())
        return s;
    const auto pick = [&](std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
    };
    switch (pick(4)) {
        case 0: s[pick(s.size())] = static_cast<char>(pick(256)); break;
        case 1: {
            const std::size_t at = pick(s.size());
            s.erase(at, pick(16) + 1);
            break;
        }
        case 2: {
            const std::size_t at = pick(s.size());
            s.insert(at, s.substr(pick(s.size()), pick(16) + 1));
            break;
        }
        default: s.resize(pick(s.size())); break;
    }
    return s;
}

// Every mutated input must either parse or throw hebllm::error; anything else (another
// exception type, a crash, a sanitizer report) fails. std::mt19937's sequence is fixed by the
// standard, so the inputs are the same on every run.
template <class Parse>
void fuzz(const std::string& valid, int rounds, Parse parse) {
    std::mt19937 rng(12345);
    int rejected = 0;
    for (int i = 0; i < rounds; ++i) {
        std::string input = mutate(valid, rng);
        if (i % 3 == 0)
            input = mutate(input, rng);
        try {
            parse(input);
        } catch (const hebllm::error&) {
            ++rejected;
        } catch (const std::exception& e) {
            ADD_FAILURE() << "round " << i << ": not a hebllm::error: " << e.what() << "\ninput:\n"
                          << input;
        }
    }
    EXPECT_GT(rejected, 0);
}

TEST_F(io_errors, fuzzed_configs_are_parsed_or_rejected) {
    const std::string valid = R"([simulation]
dt_ms = 0.5
duration_ms = 20.0
seed = 3

[[population]]
name = "in"
kind = "sensory"
model = "spike_source"
size = 4

[[population]]
name = "exc"
kind = "associative"
size = 16
tau_m_ms = 20.0

[[projection]]
source = "in"
target = "exc"
rule = "fixed_outdegree"
outdegree = 3
weight = { dist = "lognormal", a = -1.0, b = 0.5, min = 0.0, max = 1.0 }

[stdp]
enabled = true
kind = "additive"

[[stimulus]]
kind = "poisson"
population = "in"
t_stop_ms = 10.0
rate_hz = 1000.0
)";
    fuzz(valid, 2000,
         [](const std::string& text) { hebllm::parse_network(text, ".", "fuzz.toml"); });
}

TEST_F(io_errors, fuzzed_csv_files_are_parsed_or_rejected) {
    const std::string synapses = "pre,post,weight,delay_ms\n0,1,0.5,1\n2,3,-1.5e-1,2.5\n4,5,1,1\n";
    const fs::path p = dir_ / "fuzz.csv";
    fuzz(synapses, 1000, [&](const std::string& text) {
        hebllm::read_synapses_csv(hebllm::test::write_file(p, text));
    });
    const std::string inputs = "neuron,time_ms\n0,0\n1,2.5\n";
    fuzz(inputs, 1000, [&](const std::string& text) {
        hebllm::read_input_spikes_csv(hebllm::test::write_file(p, text));
    });
}

TEST_F(io_errors, fuzzed_binary_spike_files_are_read_or_rejected) {
    const std::vector<hebllm::spike_event> spikes = {{1, 0}, {2, 0}, {0, 5}, {7, 9}};
    hebllm::write_spikes_binary(dir_ / "good.spk", spikes, 0.5);
    const std::string valid = hebllm::test::slurp(dir_ / "good.spk");
    const fs::path p = dir_ / "fuzz.spk";
    fuzz(valid, 1000, [&](const std::string& bytes) {
        hebllm::read_spikes_binary(hebllm::test::write_file(p, bytes));
    });
}

}  // namespace
