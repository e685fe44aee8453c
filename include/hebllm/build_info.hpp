// SPDX-License-Identifier: MIT
#pragma once
// What this build contains, asked at run time (public headers carry no configuration macros).

#include <string>
#include <vector>

namespace hebllm {

struct build_info_t {
    std::string version;
    std::string build_type;
    std::string compiler;
    std::string flags;                  // notable options (sanitizers, native, werror)
    std::vector<std::string> backends;  // backends compiled in
    int max_threads = 1;                // OpenMP threads available to the cpu backend
};

const build_info_t& build_info();

// CUDA devices usable now, one line each ("0: NVIDIA H100 80GB HBM3, sm_90, 79.1 GiB"); empty
// without the cuda backend, a driver or a device.
std::vector<std::string> cuda_devices();

}  // namespace hebllm
