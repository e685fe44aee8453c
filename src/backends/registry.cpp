// SPDX-License-Identifier: MIT
// The one file that knows every backend. "auto" picks the best one compiled in that works.

#include <cstdio>
#include <fstream>
#include <string>

#include <hebllm/engine.hpp>
#include <hebllm/errors.hpp>

#include "backends/cpu/cpu_engine.hpp"
#if defined(HEBLLM_HAVE_CUDA)
#include "backends/cuda/cuda_engine.hpp"
#endif
#include "backends/reference/reference_engine.hpp"
#include "core/synapse_store.hpp"

namespace hebllm {

namespace {

// Memory this process may still allocate: MemAvailable of /proc/meminfo (Linux), else 0
// (unknown: no check).
std::uint64_t available_memory_bytes() {
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    std::uint64_t kib = 0;
    std::string unit;
    while (meminfo >> key >> kib >> unit) {
        if (key == "MemAvailable:") {
            return kib * 1024;
        }
    }
    return 0;
}

std::string gib(std::uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", static_cast<double>(bytes) / 1073741824.0);
    return text;
}

// Refuse a network that cannot fit before allocating it, with the estimate.
void check_memory(const network_spec& spec, int threads) {
    spec.validate();
    const std::uint64_t need = detail::estimate_engine_bytes(spec, threads);
    const std::uint64_t have = available_memory_bytes();
    if (have > 0 && need > have) {
        throw model_error(
            "the network needs about " + gib(need) + " GiB (" +
            std::to_string(spec.neuron_count()) + " neurons, about " +
            std::to_string(static_cast<std::uint64_t>(detail::expected_synapses(spec))) +
            " synapses), more than the " + gib(have) +
            " GiB of memory available; refused before allocating");
    }
}

}  // namespace

std::vector<std::string> available_backends() {
#if defined(HEBLLM_HAVE_CUDA)
    return {"cpu", "cuda", "reference"};
#else
    return {"cpu", "reference"};
#endif
}

std::vector<std::string> cuda_devices() {
#if defined(HEBLLM_HAVE_CUDA)
    return cuda::describe_devices();
#else
    return {};
#endif
}

namespace {

std::unique_ptr<engine> make_engine_impl(const network_spec& spec, std::string_view backend,
                                         const engine_options& options,
                                         const engine_snapshot* from) {
    if (options.threads < 0) {
        throw backend_error("threads must be >= 0 (0: all available), got " +
                            std::to_string(options.threads));
    }
#if defined(HEBLLM_HAVE_CUDA)
    // auto: the cuda backend when a device is usable now, else cpu (engine::backend() says
    // which was picked).
    if (backend == "cuda" || (backend == "auto" && cuda::usable_devices() > 0)) {
        check_memory(spec, 1);  // the host keeps the neuron state and a copy of the store
        return cuda::make_cuda_engine(spec, options, from);
    }
#endif
    if (backend == "auto" || backend == "cpu" || backend == "reference") {
        check_memory(spec, backend == "reference" ? 1
                           : options.threads > 0  ? options.threads
                                                  : cpu_backend_max_threads());
    }
    if (backend == "auto" || backend == "cpu") {
        return cpu::make_cpu_engine(spec, options, from);
    }
    if (backend == "reference") {
        return reference::make_reference_engine(spec, options, from);
    }
    std::string known;
    for (const auto& b : available_backends()) {
        known += ", " + b;
    }
    throw backend_error("unknown or unavailable backend '" + std::string(backend) +
                        "' (available: auto" + known + ")");
}

}  // namespace

std::unique_ptr<engine> make_engine(const network_spec& spec, std::string_view backend,
                                    const engine_options& options) {
    return make_engine_impl(spec, backend, options, nullptr);
}

std::unique_ptr<engine> make_engine(const engine_snapshot& from, std::string_view backend,
                                    const engine_options& options) {
    return make_engine_impl(from.spec, backend, options, &from);
}

}  // namespace hebllm
