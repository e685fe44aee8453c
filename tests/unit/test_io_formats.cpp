// SPDX-License-Identifier: MIT
// The io layer's file formats on good input (docs/formats.md): CSV synapse and input-spike
// lists, spike recordings in CSV and binary, atomic writes, run reports. Malformed input is
// tested in tests/robustness/.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <hebllm/errors.hpp>
#include <hebllm/io.hpp>

#include "support/files.hpp"

namespace fs = std::filesystem;

namespace {

using hebllm::test::file_names;
using hebllm::test::slurp;

// A fresh directory per test, removed afterwards.
using io_formats = hebllm::test::temp_dir_test;

TEST_F(io_formats, reads_synapses_csv) {
    const fs::path p = write("syn.csv",
                             "pre,post,weight,delay_ms\n"
                             "0,1,0.25,1\n"
                             "2, 3 ,-1.5e-1,2.5\n"    // spaces around fields, signed exponent
                             "4294967295,0,+0.5,1\n"  // largest id, leading '+'
                             "\n\n");                 // trailing empty lines
    const std::vector<hebllm::synapse_entry> s = hebllm::read_synapses_csv(p);
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[0].pre, 0u);
    EXPECT_EQ(s[0].post, 1u);
    EXPECT_EQ(s[0].weight, 0.25);
    EXPECT_EQ(s[0].delay_ms, 1.0);
    EXPECT_FALSE(s[0].plastic);
    EXPECT_EQ(s[1].pre, 2u);
    EXPECT_EQ(s[1].post, 3u);
    EXPECT_EQ(s[1].weight, -0.15);
    EXPECT_EQ(s[1].delay_ms, 2.5);
    EXPECT_EQ(s[2].pre, 4294967295u);
    EXPECT_EQ(s[2].weight, 0.5);
}

TEST_F(io_formats, reads_synapses_csv_with_crlf_bom_and_plastic_column) {
    const fs::path p = write("syn.csv",
                             "\xEF\xBB\xBFpre,post,weight,delay_ms,plastic\r\n"
                             "0,1,0.1,1,1\r\n"
                             "1,0,0.2,3,false\r\n");
    const std::vector<hebllm::synapse_entry> s = hebllm::read_synapses_csv(p);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_TRUE(s[0].plastic);
    EXPECT_FALSE(s[1].plastic);
    EXPECT_EQ(s[1].delay_ms, 3.0);
}

TEST_F(io_formats, reads_header_only_csv_as_empty) {
    EXPECT_TRUE(hebllm::read_synapses_csv(write("a.csv", "pre,post,weight,delay_ms\n")).empty());
    EXPECT_TRUE(hebllm::read_input_spikes_csv(write("b.csv", "neuron,time_ms")).empty());
}

TEST_F(io_formats, reads_input_spikes_csv) {
    const fs::path p = write("in.csv", "neuron,time_ms\n3,0\n0,12.5\n3,1e1\n");
    const std::vector<hebllm::input_spike> s = hebllm::read_input_spikes_csv(p);
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[0].neuron, 3u);
    EXPECT_EQ(s[0].time_ms, 0.0);
    EXPECT_EQ(s[1].neuron, 0u);
    EXPECT_EQ(s[1].time_ms, 12.5);
    EXPECT_EQ(s[2].time_ms, 10.0);
}

TEST_F(io_formats, synapse_and_input_csv_round_trip_exactly) {
    // Values whose shortest decimal form needs all 17 digits must still read back exactly.
    const std::vector<hebllm::synapse_entry> synapses = {
        {0, 1, 0.1, 1.0, false},
        {5, 2, -1.0 / 3.0, 2.0, true},
        {7, 7, 1e-300, 0.30000000000000004, false}};
    const std::vector<hebllm::input_spike> spikes = {{4, 0.1}, {0, 2.0 / 3.0}};
    hebllm::write_synapses_csv(dir_ / "s.csv", synapses);
    hebllm::write_input_spikes_csv(dir_ / "i.csv", spikes);
    const auto s = hebllm::read_synapses_csv(dir_ / "s.csv");
    const auto i = hebllm::read_input_spikes_csv(dir_ / "i.csv");
    ASSERT_EQ(s.size(), synapses.size());
    for (std::size_t k = 0; k < s.size(); ++k) {
        EXPECT_EQ(s[k].pre, synapses[k].pre);
        EXPECT_EQ(s[k].post, synapses[k].post);
        EXPECT_EQ(s[k].weight, synapses[k].weight);
        EXPECT_EQ(s[k].delay_ms, synapses[k].delay_ms);
        EXPECT_EQ(s[k].plastic, synapses[k].plastic);
    }
    ASSERT_EQ(i.size(), spikes.size());
    for (std::size_t k = 0; k < i.size(); ++k) {
        EXPECT_EQ(i[k].neuron, spikes[k].neuron);
        EXPECT_EQ(i[k].time_ms, spikes[k].time_ms);
    }
    // Without plastic synapses the plain 4-column header is written.
    hebllm::write_synapses_csv(dir_ / "plain.csv",
                               std::vector<hebllm::synapse_entry>{{1, 2, 0.5, 1.0, false}});
    EXPECT_EQ(slurp(dir_ / "plain.csv"), "pre,post,weight,delay_ms\n1,2,0.5,1\n");
}

TEST_F(io_formats, spike_csv_is_sorted_by_time_then_neuron) {
    const std::vector<hebllm::spike_event> spikes = {{7, 2}, {3, 0}, {1, 2}, {9, 0}, {2, 1}};
    hebllm::write_spikes_csv(dir_ / "spikes.csv", spikes, 0.5);
    EXPECT_EQ(slurp(dir_ / "spikes.csv"),
              "neuron,time_ms\n"
              "3,0\n"
              "9,0\n"
              "2,0.5\n"
              "1,1\n"
              "7,1\n");
}

TEST_F(io_formats, spike_csv_times_are_shortest_round_trip_decimals) {
    // step * dt as a double: 3 * 0.1 is 0.30000000000000004, printed so that it reads back
    // to the same double (docs/formats.md).
    hebllm::write_spikes_csv(dir_ / "t.csv", std::vector<hebllm::spike_event>{{0, 3}, {0, 10}},
                             0.1);
    EXPECT_EQ(slurp(dir_ / "t.csv"), "neuron,time_ms\n0,0.30000000000000004\n0,1\n");
}

TEST_F(io_formats, binary_spikes_round_trip) {
    const std::vector<hebllm::spike_event> spikes = {
        {5, 3}, {4294967295u, 0}, {0, 3}, {2, std::int64_t{1} << 40}, {1, 0}};
    hebllm::write_spikes_binary(dir_ / "s.spk", spikes, 0.125);
    const hebllm::spike_recording r = hebllm::read_spikes_binary(dir_ / "s.spk");
    EXPECT_EQ(r.dt_ms, 0.125);
    const std::vector<hebllm::spike_event> expected = {
        {1, 0}, {4294967295u, 0}, {0, 3}, {5, 3}, {2, std::int64_t{1} << 40}};
    EXPECT_EQ(r.spikes, expected);
    EXPECT_EQ(fs::file_size(dir_ / "s.spk"), 32u + 12u * spikes.size());
}

TEST_F(io_formats, binary_spike_header_layout_is_little_endian) {
    hebllm::write_spikes_binary(dir_ / "h.spk",
                                std::vector<hebllm::spike_event>{{0x01020304u, 0x05}}, 1.0);
    const std::string b = slurp(dir_ / "h.spk");
    ASSERT_EQ(b.size(), 44u);
    EXPECT_EQ(b.substr(0, 8), "HBSPIKES");
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(b[i]); };
    EXPECT_EQ(byte(8), 1u);    // version 1, little-endian
    EXPECT_EQ(byte(12), 12u);  // record size
    // dt = 1.0 is 0x3FF0000000000000: little-endian, its last byte is 0x3F.
    EXPECT_EQ(byte(23), 0x3Fu);
    EXPECT_EQ(byte(24), 1u);     // count
    EXPECT_EQ(byte(32), 0x04u);  // neuron, lowest byte first
    EXPECT_EQ(byte(35), 0x01u);
    EXPECT_EQ(byte(36), 0x05u);  // step
}

TEST_F(io_formats, empty_binary_spike_file_round_trips) {
    hebllm::write_spikes_binary(dir_ / "e.spk", {}, 1.0);
    const hebllm::spike_recording r = hebllm::read_spikes_binary(dir_ / "e.spk");
    EXPECT_EQ(r.dt_ms, 1.0);
    EXPECT_TRUE(r.spikes.empty());
}

TEST_F(io_formats, write_spikes_chooses_format_by_extension) {
    const std::vector<hebllm::spike_event> spikes = {{1, 2}};
    hebllm::write_spikes(dir_ / "a.csv", spikes, 1.0);
    hebllm::write_spikes(dir_ / "a.spk", spikes, 1.0);
    EXPECT_EQ(slurp(dir_ / "a.csv"), "neuron,time_ms\n1,2\n");
    EXPECT_EQ(hebllm::read_spikes_binary(dir_ / "a.spk").spikes, spikes);
    EXPECT_EQ(hebllm::spike_format_for("x/y.csv"), hebllm::spike_format_kind::csv);
    EXPECT_EQ(hebllm::spike_format_for("y.spk"), hebllm::spike_format_kind::binary);
    EXPECT_THROW(hebllm::spike_format_for("y.txt"), hebllm::file_error);
    EXPECT_THROW(hebllm::write_spikes(dir_ / "noext", spikes, 1.0), hebllm::file_error);
    EXPECT_FALSE(fs::exists(dir_ / "noext"));
}

TEST_F(io_formats, writes_replace_files_atomically_and_leave_no_temporaries) {
    write("out.csv", "old content\n");
    hebllm::write_spikes_csv(dir_ / "out.csv", std::vector<hebllm::spike_event>{{1, 1}}, 1.0);
    EXPECT_EQ(slurp(dir_ / "out.csv"), "neuron,time_ms\n1,1\n");
    EXPECT_EQ(file_names(dir_), std::vector<std::string>{"out.csv"});
}

TEST_F(io_formats, failed_write_leaves_the_old_file_and_no_temporaries) {
    // The target is a directory: rename() fails after the data was written to the
    // temporary file, which must then be removed.
    fs::create_directories(dir_ / "taken.csv" / "inside");
    EXPECT_THROW(hebllm::write_spikes_csv(dir_ / "taken.csv", {}, 1.0), hebllm::file_error);
    EXPECT_EQ(file_names(dir_), std::vector<std::string>{"taken.csv"});
    EXPECT_TRUE(fs::is_directory(dir_ / "taken.csv" / "inside"));
}

TEST_F(io_formats, write_into_missing_directory_is_a_file_error) {
    try {
        hebllm::write_spikes_csv(dir_ / "no" / "such" / "x.csv", {}, 1.0);
        FAIL() << "expected file_error";
    } catch (const hebllm::file_error& e) {
        hebllm::test::expect_contains_all(e.what(), {"x.csv", "No such file or directory"});
    }
}

TEST(io_report, summary_text_and_json_name_every_figure) {
    hebllm::run_summary s;
    s.backend = "cpu";
    s.threads = 2;
    s.neurons = 30;
    s.synapses = 100;
    s.dt_ms = 1.0;
    s.steps = 1000;
    s.simulated_ms = 1000.0;
    s.seed = 7;
    s.spikes = 60;
    s.mean_rate_hz = 2.0;
    s.populations = {{"exc", 20, 50, 2.5}, {"inh \"q\"", 10, 10, 1.0}};
    s.construction_s = 0.5;
    s.simulation_s = 0.25;
    s.synaptic_events = 1000;
    s.synaptic_events_per_s = 4000.0;
    s.synapse_bytes = 1200;
    s.bytes_per_synapse = 12.0;
    const std::string text = hebllm::format_summary_text(s);
    hebllm::test::expect_contains_all(
        text, {"cpu (2 threads)", "30 neurons", "100 synapses", "1000 steps", "60", "exc",
               "2.500 Hz", "12.00 bytes/synapse", "4000 events/s"});
    const std::string json = hebllm::format_summary_json(s);
    EXPECT_EQ(json.front(), '{');
    EXPECT_EQ(json.back(), '\n');
    EXPECT_EQ(json.find('\n'), json.size() - 1) << "one line";
    hebllm::test::expect_contains_all(
        json,
        {"\"backend\":\"cpu\"", "\"threads\":2", "\"neurons\":30", "\"synapses\":100",
         "\"steps\":1000", "\"spikes\":60", "\"rate_hz\":2.5", "\"name\":\"inh \\\"q\\\"\"",
         "\"synaptic_events_per_s\":4000.0", "\"bytes_per_synapse\":12.0", "\"record_path\":null"});
}

}  // namespace
