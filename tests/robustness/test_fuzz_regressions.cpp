// SPDX-License-Identifier: MIT
// Inputs found by the libFuzzer harnesses in tests/fuzz (docs/fuzzing.md), each minimized and
// kept here so the bug stays fixed in every build, not only in fuzzing runs. Each case names
// the harness that found it and what went wrong; the expected outcome is always a clean
// hebllm::error (file_error for the io layer). The last tests replay the fuzzers' seed corpus
// through the same readers: every seed must parse or end in hebllm::error.

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <hebllm/engine.hpp>
#include <hebllm/errors.hpp>
#include <hebllm/io.hpp>

#include "support/files.hpp"

namespace fs = std::filesystem;

namespace {

using hebllm::test::expect_file_error;

class fuzz_regressions : public hebllm::test::temp_dir_test {};

// A binary spike file: 32-byte header then {u32 neuron, i64 step} records, little-endian.
std::string spk_bytes(double dt_ms,
                      const std::vector<std::pair<std::uint32_t, std::int64_t>>& recs) {
    std::string out = "HBSPIKES";
    auto put = [&out](std::uint64_t v, int bytes) {
        for (int i = 0; i < bytes; ++i) {
            out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
        }
    };
    put(1, 4);   // version
    put(12, 4);  // record size
    std::uint64_t dt_bits = 0;
    std::memcpy(&dt_bits, &dt_ms, sizeof dt_bits);
    put(dt_bits, 8);
    put(recs.size(), 8);
    for (const auto& [neuron, step] : recs) {
        put(neuron, 4);
        put(static_cast<std::uint64_t>(step), 8);
    }
    return out;
}

// fuzz_spikes_binary: records out of (step, neuron) order were accepted, so the returned
// spike_recording broke its documented sort order (a write/read round trip reordered it).
TEST_F(fuzz_regressions, spikes_binary_unsorted_steps_rejected) {
    const fs::path p = write("unsorted.spk", spk_bytes(1.0, {{1, 5}, {0, 1}}));
    expect_file_error([&] { (void)hebllm::read_spikes_binary(p); }, p.string(), 0,
                      {"record 1", "out of order"});
}

TEST_F(fuzz_regressions, spikes_binary_unsorted_neurons_in_one_step_rejected) {
    const fs::path p = write("unsorted.spk", spk_bytes(1.0, {{3, 2}, {1, 2}}));
    expect_file_error([&] { (void)hebllm::read_spikes_binary(p); }, p.string(), 0,
                      {"record 1", "out of order"});
}

TEST_F(fuzz_regressions, spikes_binary_sorted_records_still_read) {
    const fs::path p = write("sorted.spk", spk_bytes(0.5, {{0, 1}, {2, 1}, {1, 4}}));
    const hebllm::spike_recording rec = hebllm::read_spikes_binary(p);
    ASSERT_EQ(rec.spikes.size(), 3u);
    EXPECT_EQ(rec.spikes[2].neuron, 1u);
    EXPECT_EQ(rec.spikes[2].step, 4);
}

// ---- seed corpus replay -------------------------------------------------------------------

// Every file of one harness's seed corpus.
std::vector<fs::path> corpus(const std::string& harness) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(fs::path(HEBLLM_FUZZ_CORPUS) / harness)) {
        files.push_back(e.path());
    }
    EXPECT_FALSE(files.empty()) << harness;
    return files;
}

// fn must return or throw hebllm::error; anything else fails the test.
void expect_clean(const fs::path& input, const std::function<void()>& fn) {
    try {
        fn();
    } catch (const hebllm::error&) {
    } catch (const std::exception& e) {
        ADD_FAILURE() << input << ": non-hebllm exception: " << e.what();
    }
}

TEST_F(fuzz_regressions, synapses_csv_corpus_is_clean) {
    for (const fs::path& f : corpus("fuzz_synapses_csv")) {
        expect_clean(f, [&] { (void)hebllm::read_synapses_csv(f); });
    }
}

TEST_F(fuzz_regressions, input_spikes_csv_corpus_is_clean) {
    for (const fs::path& f : corpus("fuzz_input_spikes_csv")) {
        expect_clean(f, [&] { (void)hebllm::read_input_spikes_csv(f); });
    }
}

TEST_F(fuzz_regressions, spikes_binary_corpus_is_clean) {
    for (const fs::path& f : corpus("fuzz_spikes_binary")) {
        expect_clean(f, [&] { (void)hebllm::read_spikes_binary(f); });
    }
}

// As fuzz_config: [files] resolve against a directory with a valid synapses.csv and
// input_spikes.csv; small networks are also built and stepped.
TEST_F(fuzz_regressions, config_corpus_is_clean) {
    hebllm::test::write_file(dir_ / "synapses.csv",
                             "pre,post,weight,delay_ms\n0,1,0.5,1\n1,0,0.25,2\n");
    hebllm::test::write_file(dir_ / "input_spikes.csv", "neuron,time_ms\n0,1\n1,2.5\n");
    for (const fs::path& f : corpus("fuzz_config")) {
        expect_clean(f, [&] {
            const hebllm::network_spec spec =
                hebllm::parse_network(hebllm::test::slurp(f), dir_, f.filename().string());
            if (spec.neuron_count() <= 200) {
                auto eng = hebllm::make_engine(spec, "reference");
                for (int i = 0; i < 5; ++i) {
                    eng->step();
                }
            }
        });
    }
}

// Found by review of the fuzzing results: a [files] path naming a device or a pipe must be
// refused, not read forever (/dev/zero) or waited on (a FIFO).
TEST(fuzz_regressions_files, device_and_pipe_are_refused) {
    EXPECT_THROW(hebllm::read_synapses_csv("/dev/zero"), hebllm::file_error);
    const fs::path fifo = fs::temp_directory_path() / ("hebllm_fifo_" + std::to_string(::getpid()));
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    try {
        (void)hebllm::read_input_spikes_csv(fifo);
        ADD_FAILURE() << "a FIFO was read";
    } catch (const hebllm::file_error& e) {
        EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
    }
    fs::remove(fifo);
}

}  // namespace
