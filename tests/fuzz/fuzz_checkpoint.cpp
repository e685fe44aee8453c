// SPDX-License-Identifier: MIT
// libFuzzer harness: parse_checkpoint() on arbitrary bytes (docs/fuzzing.md). Checksums are
// not verified here, so mutations reach the checks behind them (lengths, counts, the stored
// network, the engine's consistency checks); with them on, a mutated file is refused earlier.
// A snapshot that parses and is small is continued on the reference backend for a few steps
// and must survive a serialize/parse round trip with checksums on.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include <hebllm/checkpoint.hpp>
#include <hebllm/engine.hpp>

#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    hebllm_fuzz::expect_clean([&] {
        std::vector<hebllm::checkpoint_section> extra;
        const hebllm::engine_snapshot snap =
            hebllm::parse_checkpoint(std::span(data, size), "fuzz.heb", &extra, false);
        if (snap.spec.neuron_count() > 4096 || snap.target.size() > 100000) {
            return;
        }
        const auto bytes = hebllm::serialize_checkpoint(snap, extra);
        (void)hebllm::parse_checkpoint(bytes, "roundtrip.heb");
        auto e = hebllm::make_engine(snap, "reference");
        for (int k = 0; k < 3; ++k) {
            e->step();
        }
        (void)e->synapses();
    });
    return 0;
}
