// SPDX-License-Identifier: MIT
// The device side of the cuda backend (docs/dev/cuda-backend.md): the synapse store, the delay
// ring in 64-bit fixed point, propagation with eager STDP depression, potentiation through an
// incoming index of the plastic synapses. The per-element arithmetic is the shared HEBLLM_HD
// kernels (src/core/kernels/), compiled with -fmad=false, so every value is the reference's.

#include "backends/cuda/cuda_device.hpp"

#include <cuda_runtime.h>

#include <algorithm>
#include <string>
#include <utility>

#include <hebllm/errors.hpp>

#include "backends/cuda/cuda_incoming.hpp"
#include "backends/cuda/cuda_rows.hpp"
#include "core/kernels/plasticity.hpp"

namespace hebllm::cuda {

namespace {

void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess) {
        throw backend_error(std::string("cuda: ") + what + ": " + cudaGetErrorName(e) + " (" +
                            cudaGetErrorString(e) + ")");
    }
}

// A typed device allocation; counts its bytes into `total`.
template <class T>
struct device_array {
    T* ptr = nullptr;
    std::size_t size = 0;

    device_array() = default;
    device_array(const device_array&) = delete;
    device_array& operator=(const device_array&) = delete;
    ~device_array() { reset(); }

    void reset() {
        if (ptr != nullptr) {
            cudaFree(ptr);
            ptr = nullptr;
            size = 0;
        }
    }
    void allocate(std::size_t n, std::uint64_t& total, const char* what) {
        total -= size * sizeof(T);
        reset();
        if (n == 0) {
            return;
        }
        check(cudaMalloc(reinterpret_cast<void**>(&ptr), n * sizeof(T)), what);
        size = n;
        total += n * sizeof(T);
    }
    void upload(const T* from, std::size_t n, std::uint64_t& total, const char* what) {
        if (size != n) {
            allocate(n, total, what);
        }
        if (n > 0) {
            check(cudaMemcpy(ptr, from, n * sizeof(T), cudaMemcpyHostToDevice), what);
        }
    }
};

constexpr unsigned warp = 32;
constexpr unsigned block = 256;
constexpr unsigned warps_per_block = block / warp;

unsigned blocks_for_warps(std::size_t warps) {
    return static_cast<unsigned>((warps + warps_per_block - 1) / warps_per_block);
}

// One warp per spiking neuron (cuda_rows::propagate_row).
__global__ void propagate_kernel(const std::uint32_t* __restrict__ spikes, std::uint32_t count,
                                 cuda_rows::store_view store, unsigned long long* ring,
                                 std::uint32_t n, std::uint64_t slot_mask, std::int64_t step,
                                 const stdp_class* __restrict__ classes, bool stdp,
                                 const kernels::post_state* __restrict__ post,
                                 kernels::trace_table post_table) {
    const std::uint64_t w =
        (static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / warp;
    if (w < count) {
        cuda_rows::propagate_row(spikes[w], threadIdx.x % warp, warp, store, ring, n, slot_mask,
                                 step, classes, stdp, post, post_table);
    }
}

// One warp per spiking target (cuda_rows::potentiate_target).
__global__ void potentiate_kernel(const std::uint32_t* __restrict__ spikes, std::uint32_t count,
                                  cuda_rows::incoming_view in, float* weight,
                                  const stdp_class* __restrict__ classes, std::int64_t step,
                                  const kernels::post_state* __restrict__ post,
                                  const kernels::pre_state* __restrict__ pre,
                                  kernels::trace_table pre_table) {
    const std::uint64_t w =
        (static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / warp;
    if (w < count) {
        cuda_rows::potentiate_target(spikes[w], threadIdx.x % warp, warp, in, weight, classes, step,
                                     post, pre, pre_table);
    }
}

__global__ void scatter_traces_kernel(const std::uint32_t* __restrict__ ids, std::uint32_t count,
                                      const kernels::post_state* __restrict__ post_in,
                                      const kernels::pre_state* __restrict__ pre_in,
                                      kernels::post_state* __restrict__ post,
                                      kernels::pre_state* __restrict__ pre) {
    const std::uint64_t k = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (k < count) {
        post[ids[k]] = post_in[k];
        pre[ids[k]] = pre_in[k];
    }
}

}  // namespace

int device_count() {
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess) {
        (void)cudaGetLastError();  // clear the sticky "no driver" / "no device" error
        return 0;
    }
    return count;
}

std::vector<device_info> devices() {
    std::vector<device_info> out;
    const int count = device_count();
    for (int d = 0; d < count; ++d) {
        cudaDeviceProp p{};
        if (cudaGetDeviceProperties(&p, d) != cudaSuccess) {
            (void)cudaGetLastError();
            continue;
        }
        out.push_back({d, p.name, p.major, p.minor, static_cast<std::uint64_t>(p.totalGlobalMem)});
    }
    return out;
}

struct device_network::impl {
    std::uint32_t n = 0;
    std::uint32_t slots = 1;
    bool stdp = false;
    // Synapse store.
    device_array<std::uint64_t> row_begin;
    device_array<std::uint32_t> segment_begin;
    device_array<detail::synapse_segment> segments;
    device_array<std::uint32_t> target;
    device_array<float> weight;
    device_array<std::uint8_t> negative;
    // Incoming index of the plastic synapses (CSR by target).
    device_array<std::uint64_t> in_begin;
    device_array<std::uint64_t> in_synapse;
    device_array<std::uint32_t> in_source;
    device_array<std::uint8_t> in_class;
    // Delay ring [slots][n], fixed point (two's complement in unsigned words for atomicAdd).
    device_array<unsigned long long> ring;
    // Traces, their decay tables, the step's spikes and STDP classes, upload staging.
    device_array<kernels::post_state> post;
    device_array<kernels::pre_state> pre;
    device_array<double> pre_decay;
    device_array<double> post_decay;
    kernels::trace_table pre_table{};
    kernels::trace_table post_table{};
    device_array<std::uint32_t> spikes;
    device_array<stdp_class> classes;

    cuda_rows::store_view store_view() const {
        return {row_begin.ptr, segment_begin.ptr, segments.ptr,
                target.ptr,    weight.ptr,        negative.ptr};
    }
    device_array<std::uint32_t> stage_ids;
    device_array<kernels::post_state> stage_post;
    device_array<kernels::pre_state> stage_pre;
};

device_network::device_network(const detail::synapse_store& store, std::uint32_t slots, bool stdp,
                               const kernels::trace_table& pre_table,
                               const kernels::trace_table& post_table)
    : impl_(std::make_unique<impl>()) {
    impl& d = *impl_;
    d.n = store.neuron_count;
    d.slots = slots;
    d.stdp = stdp;
    check(cudaSetDevice(0), "cudaSetDevice");
    d.ring.allocate(static_cast<std::size_t>(slots) * d.n, device_bytes_, "delay ring");
    clear_ring();
    d.spikes.allocate(d.n, device_bytes_, "spike list");
    if (stdp) {
        d.post.allocate(d.n, device_bytes_, "post traces");
        d.pre.allocate(d.n, device_bytes_, "pre traces");
        d.stage_ids.allocate(d.n, device_bytes_, "trace staging");
        d.stage_post.allocate(d.n, device_bytes_, "trace staging");
        d.stage_pre.allocate(d.n, device_bytes_, "trace staging");
        d.pre_decay.upload(pre_table.decay, static_cast<std::size_t>(pre_table.size), device_bytes_,
                           "trace table");
        d.post_decay.upload(post_table.decay, static_cast<std::size_t>(post_table.size),
                            device_bytes_, "trace table");
        d.pre_table = {d.pre_decay.ptr, pre_table.size};
        d.post_table = {d.post_decay.ptr, post_table.size};
    }
    upload_store(store);
}

device_network::~device_network() = default;

void device_network::upload_store(const detail::synapse_store& store) {
    impl& d = *impl_;
    d.row_begin.upload(store.row_begin.data(), store.row_begin.size(), device_bytes_, "rows");
    d.segment_begin.upload(store.segment_begin.data(), store.segment_begin.size(), device_bytes_,
                           "rows");
    d.segments.upload(store.segments.data(), store.segments.size(), device_bytes_, "segments");
    d.target.upload(store.target.data(), store.target.size(), device_bytes_, "targets");
    d.weight.upload(store.weight.data(), store.weight.size(), device_bytes_, "weights");
    d.negative.upload(store.negative.data(), store.negative.size(), device_bytes_, "signs");
    d.classes.allocate(store.stdp_scale.size(), device_bytes_, "stdp classes");
    if (!d.stdp) {
        return;
    }
    cuda_rows::incoming_index x = cuda_rows::build_incoming(store);
    incoming_count_ = std::move(x.count);
    const std::vector<std::uint64_t>& begin = x.begin;
    const std::vector<std::uint64_t>& syn = x.synapse;
    const std::vector<std::uint32_t>& src = x.source;
    const std::vector<std::uint8_t>& cls = x.cls;
    d.in_begin.upload(begin.data(), begin.size(), device_bytes_, "incoming index");
    d.in_synapse.upload(syn.data(), syn.size(), device_bytes_, "incoming index");
    d.in_source.upload(src.data(), src.size(), device_bytes_, "incoming index");
    d.in_class.upload(cls.data(), cls.size(), device_bytes_, "incoming index");
}

void device_network::upload_traces(const kernels::post_state* post, const kernels::pre_state* pre) {
    impl& d = *impl_;
    check(cudaMemcpy(d.post.ptr, post, std::size_t{d.n} * sizeof *post, cudaMemcpyHostToDevice),
          "post traces");
    check(cudaMemcpy(d.pre.ptr, pre, std::size_t{d.n} * sizeof *pre, cudaMemcpyHostToDevice),
          "pre traces");
}

void device_network::upload_traces(const std::uint32_t* ids, std::size_t count,
                                   const kernels::post_state* post, const kernels::pre_state* pre) {
    if (count == 0) {
        return;
    }
    impl& d = *impl_;
    check(cudaMemcpy(d.stage_ids.ptr, ids, count * sizeof *ids, cudaMemcpyHostToDevice),
          "trace staging");
    check(cudaMemcpy(d.stage_post.ptr, post, count * sizeof *post, cudaMemcpyHostToDevice),
          "trace staging");
    check(cudaMemcpy(d.stage_pre.ptr, pre, count * sizeof *pre, cudaMemcpyHostToDevice),
          "trace staging");
    const auto blocks = static_cast<unsigned>((count + block - 1) / block);
    scatter_traces_kernel<<<blocks, block>>>(d.stage_ids.ptr, static_cast<std::uint32_t>(count),
                                             d.stage_post.ptr, d.stage_pre.ptr, d.post.ptr,
                                             d.pre.ptr);
    check(cudaGetLastError(), "scatter traces");
}

void device_network::propagate(const std::uint32_t* spikes, std::size_t count, std::int64_t step,
                               const std::vector<stdp_class>& classes) {
    if (count == 0) {
        return;
    }
    impl& d = *impl_;
    check(cudaMemcpy(d.spikes.ptr, spikes, count * sizeof *spikes, cudaMemcpyHostToDevice),
          "spike list");
    const bool stdp = d.stdp && !classes.empty();
    if (stdp) {
        check(cudaMemcpy(d.classes.ptr, classes.data(),
                         std::min(classes.size(), d.classes.size) * sizeof(stdp_class),
                         cudaMemcpyHostToDevice),
              "stdp classes");
    }
    propagate_kernel<<<blocks_for_warps(count), block>>>(
        d.spikes.ptr, static_cast<std::uint32_t>(count), d.store_view(), d.ring.ptr, d.n,
        std::uint64_t{d.slots} - 1, step, d.classes.ptr, stdp, d.post.ptr, d.post_table);
    check(cudaGetLastError(), "propagate");
}

void device_network::potentiate(std::size_t count, std::int64_t step) {
    impl& d = *impl_;
    if (count == 0 || !d.stdp || d.in_synapse.size == 0) {
        return;
    }
    potentiate_kernel<<<blocks_for_warps(count), block>>>(
        d.spikes.ptr, static_cast<std::uint32_t>(count),
        cuda_rows::incoming_view{d.in_begin.ptr, d.in_synapse.ptr, d.in_source.ptr, d.in_class.ptr},
        d.weight.ptr, d.classes.ptr, step, d.post.ptr, d.pre.ptr, d.pre_table);
    check(cudaGetLastError(), "potentiate");
}

void device_network::take_slot(std::int64_t step, std::int64_t* out) {
    impl& d = *impl_;
    const std::uint64_t slot = static_cast<std::uint64_t>(step) & (std::uint64_t{d.slots} - 1);
    unsigned long long* from = d.ring.ptr + slot * d.n;
    check(cudaMemcpy(out, from, std::size_t{d.n} * sizeof *out, cudaMemcpyDeviceToHost), "deliver");
    check(cudaMemset(from, 0, std::size_t{d.n} * sizeof *from), "deliver");
}

void device_network::read_ring(std::int64_t* out) const {
    const impl& d = *impl_;
    check(cudaMemcpy(out, d.ring.ptr, d.ring.size * sizeof *out, cudaMemcpyDeviceToHost),
          "read ring");
}

void device_network::write_ring(const std::int64_t* in) {
    impl& d = *impl_;
    check(cudaMemcpy(d.ring.ptr, in, d.ring.size * sizeof *in, cudaMemcpyHostToDevice),
          "write ring");
}

void device_network::clear_ring() {
    impl& d = *impl_;
    if (d.ring.size == 0) {
        return;
    }
    check(cudaMemset(d.ring.ptr, 0, d.ring.size * sizeof *d.ring.ptr), "clear ring");
}

void device_network::download_weights(float* out) const {
    const impl& d = *impl_;
    check(cudaMemcpy(out, d.weight.ptr, d.weight.size * sizeof *out, cudaMemcpyDeviceToHost),
          "read weights");
}

}  // namespace hebllm::cuda
