// SPDX-License-Identifier: MIT
// The one file that knows every backend. "auto" picks the best one compiled in that works.

#include <string>

#include <hebllm/engine.hpp>
#include <hebllm/errors.hpp>

#include "backends/cpu/cpu_engine.hpp"
#include "backends/reference/reference_engine.hpp"

namespace hebllm {

std::vector<std::string> available_backends() {
    return {"cpu", "reference"};
}

std::unique_ptr<engine> make_engine(const network_spec& spec, std::string_view backend,
                                    const engine_options& options) {
    if (options.threads < 0) {
        throw backend_error("threads must be >= 0 (0: all available), got " +
                            std::to_string(options.threads));
    }
    if (backend == "auto" || backend == "cpu") {
        return cpu::make_cpu_engine(spec, options);
    }
    if (backend == "reference") {
        return reference::make_reference_engine(spec, options);
    }
    std::string known;
    for (const auto& b : available_backends()) {
        known += ", " + b;
    }
    throw backend_error("unknown or unavailable backend '" + std::string(backend) +
                        "' (available: auto" + known + ")");
}

}  // namespace hebllm
