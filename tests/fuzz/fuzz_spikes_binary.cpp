// SPDX-License-Identifier: MIT
// libFuzzer harness: read_spikes_binary() on arbitrary bytes (docs/fuzzing.md). A recording
// that reads back must also survive a write/read round trip unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <hebllm/io.hpp>

#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = hebllm_fuzz::write_input("recording.spk", data, size);
    hebllm_fuzz::expect_clean([&] {
        const hebllm::spike_recording rec = hebllm::read_spikes_binary(path);
        const auto copy = hebllm_fuzz::scratch_dir() / "roundtrip.spk";
        hebllm::write_spikes_binary(copy, rec.spikes, rec.dt_ms);
        const hebllm::spike_recording back = hebllm::read_spikes_binary(copy);
        if (back.dt_ms != rec.dt_ms || back.spikes.size() != rec.spikes.size()) {
            std::fprintf(stderr, "fuzz harness: spike recording changed in a round trip\n");
            std::abort();
        }
        for (std::size_t i = 0; i < rec.spikes.size(); ++i) {
            if (back.spikes[i].neuron != rec.spikes[i].neuron ||
                back.spikes[i].step != rec.spikes[i].step) {
                std::fprintf(stderr, "fuzz harness: spike %zu changed in a round trip\n", i);
                std::abort();
            }
        }
    });
    return 0;
}
