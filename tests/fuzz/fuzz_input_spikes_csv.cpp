// SPDX-License-Identifier: MIT
// libFuzzer harness: read_input_spikes_csv() on arbitrary bytes (docs/fuzzing.md).
#include <cstddef>
#include <cstdint>

#include <hebllm/io.hpp>

#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = hebllm_fuzz::write_input("input_spikes.csv", data, size);
    hebllm_fuzz::expect_clean([&] { (void)hebllm::read_input_spikes_csv(path); });
    return 0;
}
