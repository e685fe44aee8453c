// SPDX-License-Identifier: MIT
// The hebllm command on bad input: exit code 2 and a message on stderr of the form
// `hebllm: error: FILE:LINE: problem` (docs/cli.md "Exit codes"). Also the good paths the
// error paths are judged against: --help, --version, info, a tiny run with --record.
// HEBLLM_CLI is the path of build/bin/hebllm, set by CMake.

#include <array>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <string>

#include <sys/wait.h>

#include <gtest/gtest.h>

#include <hebllm/io.hpp>

#include "support/cli_runner.hpp"
#include "support/files.hpp"

#ifndef HEBLLM_CLI
#error "HEBLLM_CLI must be defined as the path of the hebllm executable"
#endif

namespace fs = std::filesystem;

namespace {

using hebllm::test::cli_result;
using hebllm::test::slurp;

class cli : public hebllm::test::temp_dir_test {
protected:
    // Runs `hebllm args` (args are shell words; the test paths contain no quotes) in dir_.
    cli_result run(const std::string& args) const {
        return hebllm::test::run_cli(HEBLLM_CLI, dir_, args);
    }
    // A bad-input run: exit code 2, nothing on stdout, every word on stderr after the prefix.
    void expect_input_error(const std::string& args,
                            std::initializer_list<const char*> words) const {
        SCOPED_TRACE("hebllm " + args);
        const cli_result r = run(args);
        EXPECT_EQ(r.exit_code, 2) << r.err;
        EXPECT_EQ(r.err.rfind("hebllm: error: ", 0), 0u) << r.err;
        EXPECT_TRUE(r.out.empty()) << r.out;
        hebllm::test::expect_contains_all(r.err, words);
    }
};

// A network small enough to run in milliseconds under any build type.
const char* const tiny_config = R"([simulation]
dt_ms = 1.0
duration_ms = 20.0
seed = 3

[[population]]
name = "in"
kind = "sensory"
size = 4

[[population]]
name = "exc"
kind = "associative"
size = 16

[[projection]]
source = "in"
target = "exc"
density = 0.5
weight = { dist = "constant", a = 0.6 }

[[stimulus]]
kind = "poisson"
population = "in"
t_stop_ms = 10.0
rate_hz = 1000.0
)";

TEST_F(cli, unknown_key_in_config) {
    write("net.toml", "[[population]]\nname = \"exc\"\nsize = 10\ntau_mm = 20.0\n");
    expect_input_error("simulate --config net.toml",
                       {"net.toml:4: unknown key 'tau_mm' in [[population]] 'exc'"});
}

TEST_F(cli, negative_size_in_config) {
    write("net.toml", "[[population]]\nname = \"exc\"\nsize = -5\n");
    expect_input_error("simulate --config net.toml",
                       {"net.toml:3: 'size' must be an integer", "got -5"});
}

TEST_F(cli, density_outside_unit_interval_in_config) {
    write("net.toml",
          "[hebsnn]\nsensory = 10\nassociative = 20\ninhibitory = 5\noutput = 5\ndensity = 1.5\n");
    expect_input_error("simulate --config net.toml",
                       {"net.toml:6: 'density' must be in [0, 1], got 1.5"});
}

TEST_F(cli, density_outside_unit_interval_as_flag) {
    expect_input_error("simulate --density 1.5", {"--density", "1.5"});
}

TEST_F(cli, negative_size_as_flag) {
    expect_input_error("simulate --sensory -5", {"--sensory"});
}

TEST_F(cli, missing_config_file) {
    expect_input_error("simulate --config missing.toml",
                       {"missing.toml: cannot open file: No such file or directory"});
}

TEST_F(cli, malformed_csv_line) {
    write("syn.csv", "pre,post,weight,delay_ms\n0,1,0.5,1\n0,1,oops,1\n");
    write("net.toml", "[[population]]\nname = \"a\"\nsize = 2\n[files]\nsynapses = \"syn.csv\"\n");
    expect_input_error("simulate --config net.toml",
                       {"syn.csv:3: 'weight' must be a finite number, got non-numeric 'oops'"});
}

TEST_F(cli, csv_wrong_field_count) {
    write("in.csv", "neuron,time_ms\n0\n");
    write("net.toml",
          "[[population]]\nname = \"a\"\nsize = 2\n[files]\ninput_spikes = \"in.csv\"\n");
    expect_input_error("simulate --config net.toml",
                       {"in.csv:2: expected 2 fields (neuron,time_ms), got 1"});
}

TEST_F(cli, wrong_type_in_config) {
    write("net.toml", "[simulation]\nseed = \"abc\"\n");
    expect_input_error("simulate --config net.toml",
                       {"net.toml:2: 'seed' must be a non-negative integer"});
}

TEST_F(cli, duplicate_population_in_config) {
    write("net.toml",
          "[[population]]\nname = \"a\"\nsize = 2\n[[population]]\nname = \"a\"\nsize = 3\n");
    expect_input_error("simulate --config net.toml", {"net.toml:5: duplicate population name 'a'"});
}

TEST_F(cli, unknown_population_in_projection) {
    write(
        "net.toml",
        "[[population]]\nname = \"a\"\nsize = 2\n[[projection]]\nsource = \"a\"\ntarget = \"b\"\n");
    expect_input_error("simulate --config net.toml",
                       {"net.toml:6: unknown population 'b' in 'target'"});
}

TEST_F(cli, unknown_option_and_missing_verb) {
    expect_input_error("simulate --bogus", {"--bogus"});
    expect_input_error("", {"subcommand"});
    expect_input_error("frobnicate", {"frobnicate"});
}

TEST_F(cli, config_and_size_flags_exclude_each_other) {
    write("net.toml", tiny_config);
    expect_input_error("simulate --config net.toml --sensory 10", {"excludes"});
}

TEST_F(cli, unknown_backend) {
    write("net.toml", tiny_config);
    expect_input_error("simulate --config net.toml --backend warp", {"warp"});
}

TEST_F(cli, bad_record_extension_is_refused_before_running) {
    write("net.toml", tiny_config);
    expect_input_error("simulate --config net.toml --record spikes.txt",
                       {"spikes.txt", "unknown spike file extension"});
    EXPECT_FALSE(fs::exists(dir_ / "spikes.txt"));
}

TEST_F(cli, help_and_version_exit_zero) {
    for (const char* args : {"--help", "simulate --help", "info --help"}) {
        SCOPED_TRACE(args);
        const cli_result r = run(args);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        EXPECT_NE(r.out.find("Usage"), std::string::npos) << r.out;
    }
    EXPECT_NE(run("simulate --help").out.find("--record"), std::string::npos);
    const cli_result v = run("--version");
    EXPECT_EQ(v.exit_code, 0);
    EXPECT_EQ(v.out.rfind("hebllm ", 0), 0u) << v.out;
}

TEST_F(cli, info_lists_backends) {
    const cli_result r = run("info");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("backends"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("reference"), std::string::npos) << r.out;
    const cli_result j = run("info --json");
    EXPECT_EQ(j.exit_code, 0) << j.err;
    EXPECT_NE(j.out.find("\"backends\":["), std::string::npos) << j.out;
}

TEST_F(cli, tiny_run_records_spikes_and_prints_json) {
    write("net.toml", tiny_config);
    const cli_result r =
        run("simulate --config net.toml --backend reference --json --record out.spk");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.err.empty()) << r.err;
    EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "one JSON line: " << r.out;
    hebllm::test::expect_contains_all(
        r.out, {"\"backend\":\"reference\"", "\"neurons\":20", "\"steps\":20", "\"seed\":3",
                "\"name\":\"exc\"", "\"record_path\":\"out.spk\""});
    const hebllm::spike_recording rec = hebllm::read_spikes_binary(dir_ / "out.spk");
    EXPECT_EQ(rec.dt_ms, 1.0);
    EXPECT_FALSE(rec.spikes.empty());  // the stimulus alone forces spikes in 'in'
    // The same run as CSV, with flags overriding the config.
    const cli_result c = run("simulate --config net.toml --duration 5 --seed 4 --record out.csv");
    ASSERT_EQ(c.exit_code, 0) << c.err;
    EXPECT_NE(c.out.find("5 steps"), std::string::npos) << c.out;
    EXPECT_NE(c.out.find("seed 4"), std::string::npos) << c.out;
    EXPECT_EQ(slurp(dir_ / "out.csv").rfind("neuron,time_ms\n", 0), 0u);
}

}  // namespace
