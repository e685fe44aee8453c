// SPDX-License-Identifier: MIT
// The one file that knows every backend: one table of {name, whether it can run here, the
// threads its memory budget counts, its factory}. "auto" takes the first entry it may pick that
// can run here.

#include <algorithm>
#include <array>
#include <string>

#include <hebllm/engine.hpp>
#include <hebllm/errors.hpp>

#include "backends/cpu/cpu_engine.hpp"
#include "backends/memory_budget.hpp"
#if defined(HEBLLM_HAVE_CUDA)
#include "backends/cuda/cuda_engine.hpp"
#endif
#include "backends/reference/reference_engine.hpp"

namespace hebllm {

namespace {

using factory = std::unique_ptr<engine> (*)(const network_spec&, const engine_options&,
                                            const engine_snapshot*);

struct backend_entry {
    std::string_view name;
    // "" when the backend can run on this machine now, else why not.
    std::string (*unusable)();
    // Per-thread buffers the memory budget counts (the cuda backend keeps the neuron state and
    // a copy of the store on the host, like one thread of the cpu backend).
    int (*budget_threads)(const engine_options&);
    factory make;
    // Whether "auto" may pick it. The cuda backend becomes eligible once its tests have passed
    // on a device (docs/dev/cuda-backend.md "Not verified"); until then "auto" means cpu and
    // cuda runs only when asked for by name.
    bool auto_pick;
};

std::string always_usable() {
    return {};
}

int one_thread(const engine_options& /*options*/) {
    return 1;
}

int cpu_threads(const engine_options& options) {
    return options.threads > 0 ? options.threads : cpu_backend_max_threads();
}

// Preference order for "auto".
constexpr std::array backends = {
#if defined(HEBLLM_HAVE_CUDA)
    backend_entry{"cuda", &cuda::unusable_reason, &one_thread, &cuda::make_cuda_engine, false},
#endif
    backend_entry{"cpu", &always_usable, &cpu_threads, &cpu::make_cpu_engine, true},
    backend_entry{"reference", &always_usable, &one_thread, &reference::make_reference_engine,
                  false},
};

const backend_entry& find_backend(std::string_view name) {
    if (name == "auto") {
        for (const backend_entry& b : backends) {
            if (b.auto_pick && b.unusable().empty()) {
                return b;
            }
        }
    }
    for (const backend_entry& b : backends) {
        if (b.name == name) {
            return b;
        }
    }
    std::string known;
    for (const auto& b : available_backends()) {
        known += ", ";
        known += b;
    }
    throw backend_error("unknown or unavailable backend '" + std::string(name) +
                        "' (available: auto" + known + ")");
}

std::unique_ptr<engine> make_engine_impl(const network_spec& spec, std::string_view name,
                                         const engine_options& options,
                                         const engine_snapshot* from) {
    if (options.threads < 0) {
        throw backend_error("threads must be >= 0 (0: all available), got " +
                            std::to_string(options.threads));
    }
    const backend_entry& b = find_backend(name);
    if (const std::string why = b.unusable(); !why.empty()) {
        throw backend_error("backend '" + std::string(b.name) + "': " + why);
    }
    detail::check_memory_budget(spec, b.budget_threads(options));
    return b.make(spec, options, from);
}

}  // namespace

std::vector<std::string> available_backends() {
    std::vector<std::string> names;
    names.reserve(backends.size());
    for (const backend_entry& b : backends) {
        names.emplace_back(b.name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<std::string> cuda_devices() {
#if defined(HEBLLM_HAVE_CUDA)
    return cuda::describe_devices();
#else
    return {};
#endif
}

std::unique_ptr<engine> make_engine(const network_spec& spec, std::string_view backend,
                                    const engine_options& options) {
    return make_engine_impl(spec, backend, options, nullptr);
}

std::unique_ptr<engine> make_engine(const engine_snapshot& from, std::string_view backend,
                                    const engine_options& options) {
    return make_engine_impl(from.spec, backend, options, &from);
}

}  // namespace hebllm
