// SPDX-License-Identifier: MIT
// Device-to-device copy bandwidth of GPU 0 (bench/gpu_suite.py): cudaMemcpy of a 1 GiB buffer
// (or argv[1] MiB), best of 20; prints one JSON line. Bandwidth counts read + write bytes.
#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    const std::size_t mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1024;
    const std::size_t bytes = mib << 20;
    void* a = nullptr;
    void* b = nullptr;
    if (cudaMalloc(&a, bytes) != cudaSuccess || cudaMalloc(&b, bytes) != cudaSuccess) {
        std::printf("{\"error\": \"cudaMalloc failed\"}\n");
        return 1;
    }
    cudaMemset(a, 1, bytes);
    cudaEvent_t t0;
    cudaEvent_t t1;
    cudaEventCreate(&t0);
    cudaEventCreate(&t1);
    float best_ms = 1e30f;
    for (int r = 0; r < 20; ++r) {
        cudaEventRecord(t0);
        cudaMemcpy(b, a, bytes, cudaMemcpyDeviceToDevice);
        cudaEventRecord(t1);
        cudaEventSynchronize(t1);
        float ms = 0.0f;
        cudaEventElapsedTime(&ms, t0, t1);
        best_ms = ms < best_ms ? ms : best_ms;
    }
    cudaDeviceProp p{};
    cudaGetDeviceProperties(&p, 0);
    const double gbs = 2.0 * static_cast<double>(bytes) / (best_ms * 1e-3) / 1e9;
    std::printf("{\"device\": \"%s\", \"bytes\": %zu, \"best_ms\": %.4f, \"d2d_gb_s\": %.1f}\n",
                p.name, bytes, static_cast<double>(best_ms), gbs);
    return cudaGetLastError() == cudaSuccess ? 0 : 1;
}
