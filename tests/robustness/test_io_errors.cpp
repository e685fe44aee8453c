// SPDX-License-Identifier: MIT
// Malformed input to the io layer: every case must throw hebllm::file_error whose message
// names the file, the line (where one applies) and the problem; none may crash, hang or
// allocate from an unchecked size. The same cases through the CLI are in test_cli_errors.cpp.

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include <hebllm/errors.hpp>
#include <hebllm/io.hpp>

namespace fs = std::filesystem;

namespace {

class io_errors : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("hebllm_test_io_errors_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    fs::path write(const std::string& name, const std::string& content) const {
        const fs::path p = dir_ / name;
        std::ofstream(p, std::ios::binary) << content;
        return p;
    }
    fs::path dir_;
};

// Runs fn, which must throw file_error for `file` at `line` (0: no line) whose message holds
// every word.
void expect_file_error(const std::function<void()>& fn, const std::string& file, std::size_t line,
                       std::initializer_list<const char*> words) {
    try {
        fn();
        ADD_FAILURE() << "expected hebllm::file_error";
    } catch (const hebllm::file_error& e) {
        const std::string what = e.what();
        EXPECT_EQ(e.file(), file) << what;
        EXPECT_EQ(e.line(), line) << what;
        const std::string prefix =
            line > 0 ? file + ":" + std::to_string(line) + ": " : file + ": ";
        EXPECT_EQ(what.rfind(prefix, 0), 0u)
            << "message should start with '" << prefix << "': " << what;
        for (const char* w : words)
            EXPECT_NE(what.find(w), std::string::npos) << "'" << w << "' not in: " << what;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected hebllm::file_error, got: " << e.what();
    }
}

void expect_config_error(const std::string& toml, std::size_t line,
                         std::initializer_list<const char*> words) {
    expect_file_error([&] { hebllm::parse_network(toml, ".", "net.toml"); }, "net.toml", line,
                      words);
}

// ---- TOML configs -------------------------------------------------------------------------

TEST(config_errors, unknown_key_names_line_table_and_suggestion) {
    expect_config_error(
        R"([[population]]
name = "exc"
size = 10
tau_mm = 20.0
)",
        4, {"unknown key 'tau_mm'", "[[population]] 'exc'", "did you mean 'tau_m_ms'"});
}

TEST(config_errors, unknown_key_in_inline_weight_table) {
    expect_config_error(R"([[population]]
name = "a"
size = 3
[[projection]]
source = "a"
target = "a"
weight = { dist = "constant", a = 0.1, sigma = 2.0 }
)",
                        7, {"unknown key 'sigma'", "'weight' of [[projection]] 'a' -> 'a'"});
}

TEST(config_errors, unknown_top_level_table) {
    expect_config_error("[simulation]\ndt_ms = 1.0\n\n[stpd]\nenabled = true\n", 4,
                        {"unknown table [stpd]", "did you mean 'stdp'"});
}

TEST(config_errors, negative_size_is_reported_not_wrapped) {
    expect_config_error(
        "[[population]]\nname = \"exc\"\nsize = -5\n", 3,
        {"'size' must be an integer in [1, 4294967295], got -5", "[[population]] 'exc'"});
}

TEST(config_errors, size_too_large_for_32_bits) {
    expect_config_error("[[population]]\nname = \"exc\"\nsize = 5000000000\n", 3,
                        {"'size'", "got 5000000000"});
}

TEST(config_errors, zero_size) {
    expect_config_error("[[population]]\nname = \"exc\"\nsize = 0\n", 3, {"'size'", "got 0"});
}

TEST(config_errors, density_above_one) {
    expect_config_error(R"([[population]]
name = "a"
size = 3

[[projection]]
source = "a"
target = "a"
density = 1.5
)",
                        8, {"'density' must be in [0, 1], got 1.5", "[[projection]] 'a' -> 'a'"});
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
    expect_config_error(R"([[population]]
name = "exc"
size = 3

[[population]]
name = "exc"
size = 4
)",
                        6, {"duplicate population name 'exc'", "first declared at line 2"});
}

TEST(config_errors, unknown_population_in_projection) {
    expect_config_error(R"([[population]]
name = "exc"
size = 3
[[population]]
name = "inh"
size = 3

[[projection]]
source = "exc"
target = "inhh"
)",
                        10, {"unknown population 'inhh' in 'target'", "populations: exc, inh"});
}

TEST(config_errors, unknown_population_in_stimulus) {
    expect_config_error(R"([[population]]
name = "exc"
size = 3

[[stimulus]]
kind = "poisson"
population = "sensory"
t_stop_ms = 5.0
rate_hz = 100.0
)",
                        7, {"unknown population 'sensory'", "[[stimulus]] #1"});
}

TEST(config_errors, stimulus_outside_its_population) {
    expect_config_error(R"([[population]]
name = "exc"
size = 3

[[stimulus]]
kind = "poisson"
population = "exc"
first = 1
count = 5
t_stop_ms = 5.0
rate_hz = 100.0
)",
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
    expect_config_error("[hebsnn]\nsensory = 10\n\n[[population]]\nname = \"x\"\nsize = 3\n", 4,
                        {"[[population]] cannot be combined with [hebsnn] (line 1)"});
}

TEST(config_errors, toml_syntax_error_has_a_line) {
    expect_config_error("[simulation]\ndt_ms = 1.0\nduration_ms = = 3\n", 3, {});
    expect_config_error("[simulation]\ndt_ms = 1.0\ndt_ms = 2.0\n", 3, {"dt_ms"});
}

TEST(config_errors, model_rule_violations_name_the_config) {
    // dt_ms <= 0 is a model rule (network_spec::validate), reported against the file.
    expect_config_error("[simulation]\ndt_ms = -1.0\n[[population]]\nname = \"a\"\nsize = 2\n", 0,
                        {"dt_ms"});
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
    const fs::path cfg = write(
        "net.toml", "[[population]]\nname = \"a\"\nsize = 2\n\n[files]\nsynapses = \"gone.csv\"\n");
    expect_file_error([&] { hebllm::load_network(cfg); }, (dir_ / "gone.csv").string(), 0,
                      {"cannot open file", "named by 'synapses' in [files] at", "net.toml:6"});
}

TEST_F(io_errors, malformed_csv_named_in_files_reports_the_csv_line) {
    write("syn.csv", "pre,post,weight,delay_ms\n0,1,0.5,1\n1,0,0.5\n");
    const fs::path cfg = write(
        "net.toml", "[[population]]\nname = \"a\"\nsize = 2\n[files]\nsynapses = \"syn.csv\"\n");
    expect_file_error([&] { hebllm::load_network(cfg); }, (dir_ / "syn.csv").string(), 3,
                      {"expected 4 fields (pre,post,weight,delay_ms), got 3"});
}

// ---- CSV files ----------------------------------------------------------------------------

TEST_F(io_errors, csv_wrong_field_count) {
    const fs::path p = write("syn.csv", "pre,post,weight,delay_ms\n0,1,0.5,1\n0,1,0.5,1,7\n");
    expect_file_error([&] { hebllm::read_synapses_csv(p); }, p.string(), 3,
                      {"expected 4 fields", "got 5"});
    const fs::path q = write("in.csv", "neuron,time_ms\n3\n");
    expect_file_error([&] { hebllm::read_input_spikes_csv(q); }, q.string(), 2,
                      {"expected 2 fields (neuron,time_ms), got 1"});
}

TEST_F(io_errors, csv_non_numeric_field) {
    const fs::path p = write("syn.csv", "pre,post,weight,delay_ms\n0,1,abc,1\n");
    expect_file_error([&] { hebllm::read_synapses_csv(p); }, p.string(), 2,
                      {"'weight' must be a finite number, got non-numeric 'abc'"});
    const fs::path q = write("in.csv", "neuron,time_ms\nx,1\n");
    expect_file_error([&] { hebllm::read_input_spikes_csv(q); }, q.string(), 2,
                      {"'neuron' must be a non-negative integer, got non-numeric 'x'"});
}

TEST_F(io_errors, csv_trailing_garbage) {
    const fs::path p = write("syn.csv", "pre,post,weight,delay_ms\n0,1,0.5ms,1\n");
    expect_file_error([&] { hebllm::read_synapses_csv(p); }, p.string(), 2,
                      {"'weight'", "'0.5ms'", "trailing"});
    const fs::path q = write("syn2.csv", "pre,post,weight,delay_ms\n1.5,1,0.5,1\n");
    expect_file_error([&] { hebllm::read_synapses_csv(q); }, q.string(), 2, {"'pre'", "'1.5'"});
}

TEST_F(io_errors, csv_negative_id) {
    const fs::path p = write("syn.csv", "pre,post,weight,delay_ms\n-1,1,0.5,1\n");
    expect_file_error([&] { hebllm::read_synapses_csv(p); }, p.string(), 2,
                      {"'pre' must be a non-negative integer, got negative '-1'"});
}

TEST_F(io_errors, csv_id_out_of_range) {
    const fs::path p = write("syn.csv", "pre,post,weight,delay_ms\n4294967296,1,0.5,1\n");
    expect_file_error([&] { hebllm::read_synapses_csv(p); }, p.string(), 2,
                      {"'pre' is out of range"});
}

TEST_F(io_errors, csv_non_finite_numbers) {
    for (const char* bad : {"nan", "inf", "-inf", "1e999"}) {
        SCOPED_TRACE(bad);
        const fs::path p =
            write("syn.csv", std::string("pre,post,weight,delay_ms\n0,1,") + bad + ",1\n");
        expect_file_error([&] { hebllm::read_synapses_csv(p); }, p.string(), 2, {"'weight'", bad});
    }
}

TEST_F(io_errors, csv_wrong_header) {
    const fs::path p = write("syn.csv", "from,to,w,d\n0,1,0.5,1\n");
    expect_file_error([&] { hebllm::read_synapses_csv(p); }, p.string(), 1,
                      {"expected header 'pre,post,weight,delay_ms'", "got 'from,to,w,d'"});
    const fs::path q = write("in.csv", "0,1\n");
    expect_file_error([&] { hebllm::read_input_spikes_csv(q); }, q.string(), 1,
                      {"expected header 'neuron,time_ms'", "got '0,1'"});
}

TEST_F(io_errors, csv_empty_file) {
    const fs::path p = write("syn.csv", "");
    expect_file_error([&] { hebllm::read_synapses_csv(p); }, p.string(), 1, {"empty file"});
}

TEST_F(io_errors, csv_empty_field_and_empty_line_inside_data) {
    const fs::path p = write("syn.csv", "pre,post,weight,delay_ms\n0,,0.5,1\n");
    expect_file_error([&] { hebllm::read_synapses_csv(p); }, p.string(), 2, {"'post' is empty"});
    const fs::path q = write("in.csv", "neuron,time_ms\n0,1\n\n1,2\n");
    expect_file_error([&] { hebllm::read_input_spikes_csv(q); }, q.string(), 3,
                      {"empty line inside the data"});
}

TEST_F(io_errors, csv_bad_plastic_flag) {
    const fs::path p = write("syn.csv", "pre,post,weight,delay_ms,plastic\n0,1,0.5,1,yes\n");
    expect_file_error([&] { hebllm::read_synapses_csv(p); }, p.string(), 2,
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
    const fs::path p = write("bad.spk", data);
    expect_file_error([&] { hebllm::read_spikes_binary(p); }, p.string(), 0, {"bad magic"});
}

TEST_F(io_errors, binary_spikes_too_short) {
    const fs::path p = write("short.spk", "HBSPIKES");
    expect_file_error([&] { hebllm::read_spikes_binary(p); }, p.string(), 0,
                      {"shorter than the 32-byte header"});
}

TEST_F(io_errors, binary_spikes_unsupported_version) {
    const fs::path p = write("v9.spk", spike_header(0, 9));
    expect_file_error([&] { hebllm::read_spikes_binary(p); }, p.string(), 0,
                      {"unsupported spike file version 9"});
}

TEST_F(io_errors, binary_spikes_truncated) {
    // Header says 2 records, only one and a half are present.
    const fs::path p = write("trunc.spk", spike_header(2) + std::string(18, '\0'));
    expect_file_error([&] { hebllm::read_spikes_binary(p); }, p.string(), 0,
                      {"header says 2 spikes", "18 bytes", "truncated"});
}

TEST_F(io_errors, binary_spikes_absurd_count_is_not_allocated) {
    // 2^63 records claimed by a 44-byte file: must be refused from the file size alone.
    const fs::path p =
        write("huge.spk", spike_header(std::uint64_t{1} << 63) + std::string(12, '\0'));
    expect_file_error([&] { hebllm::read_spikes_binary(p); }, p.string(), 0,
                      {"header says 9223372036854775808 spikes"});
}

TEST_F(io_errors, binary_spikes_bad_dt_and_negative_step) {
    const fs::path p = write("dt.spk", spike_header(0, 1, -1.0));
    expect_file_error([&] { hebllm::read_spikes_binary(p); }, p.string(), 0,
                      {"dt_ms must be finite and > 0"});
    const fs::path q =
        write("neg.spk", spike_header(1) + std::string(4, '\0') + std::string(8, '\xFF'));
    expect_file_error([&] { hebllm::read_spikes_binary(q); }, q.string(), 0, {"negative step"});
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
        std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
        hebllm::read_synapses_csv(p);
    });
    const std::string inputs = "neuron,time_ms\n0,0\n1,2.5\n";
    fuzz(inputs, 1000, [&](const std::string& text) {
        std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
        hebllm::read_input_spikes_csv(p);
    });
}

TEST_F(io_errors, fuzzed_binary_spike_files_are_read_or_rejected) {
    const std::vector<hebllm::spike_event> spikes = {{1, 0}, {2, 0}, {0, 5}, {7, 9}};
    hebllm::write_spikes_binary(dir_ / "good.spk", spikes, 0.5);
    std::ifstream in(dir_ / "good.spk", std::ios::binary);
    const std::string valid{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const fs::path p = dir_ / "fuzz.spk";
    fuzz(valid, 1000, [&](const std::string& bytes) {
        std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
        hebllm::read_spikes_binary(p);
    });
}

}  // namespace
