// SPDX-License-Identifier: MIT
// A host emulation of cuda_device.cu, compiled with HEBLLM_CUDA_NS=cuda_emulated: the same
// interface and the same per-warp code (cuda_rows.hpp) with one lane, on a separate copy of
// the store, ring and traces. It lets every build test the cuda backend's engine (what it sends
// to the device and when, counts, weight read-back, checkpoints) without a GPU
// (tests/equivalence/test_cuda_emulated.cpp). It does not test CUDA itself: launches, atomics,
// nvcc's arithmetic (docs/dev/cuda-backend.md).

#include <algorithm>
#include <cstring>
#include <utility>

#include "backends/cuda/cuda_device.hpp"
#include "backends/cuda/cuda_incoming.hpp"

namespace hebllm::HEBLLM_CUDA_NS {

int device_count() {
    return 1;
}

std::vector<device_info> devices() {
    // Emulates the oldest device the backend supports (compute capability 8.0).
    return {{0, "host emulation", 8, 0, 0}};
}

struct device_network::impl {
    std::uint32_t n = 0;
    std::uint32_t slots = 1;
    bool stdp = false;
    detail::synapse_store store;  // rows, segments, targets, weights, signs
    cuda_rows::incoming_index in;
    std::vector<unsigned long long> ring;
    std::vector<kernels::post_state> post;
    std::vector<kernels::pre_state> pre;
    std::vector<double> pre_decay;
    std::vector<double> post_decay;
    std::vector<std::uint32_t> spikes;
    std::vector<stdp_class> classes;
};

device_network::device_network(const detail::synapse_store& store, std::uint32_t slots, bool stdp,
                               const kernels::trace_table& pre_table,
                               const kernels::trace_table& post_table)
    : impl_(std::make_unique<impl>()) {
    impl& d = *impl_;
    d.n = store.neuron_count;
    d.slots = slots;
    d.stdp = stdp;
    d.ring.assign(std::size_t{slots} * d.n, 0);
    if (stdp) {
        d.post.resize(d.n);
        d.pre.resize(d.n);
        d.pre_decay.assign(pre_table.decay, pre_table.decay + pre_table.size);
        d.post_decay.assign(post_table.decay, post_table.decay + post_table.size);
    }
    upload_store(store);
}

device_network::~device_network() = default;

void device_network::upload_store(const detail::synapse_store& store) {
    impl& d = *impl_;
    d.store = store;
    d.classes.assign(store.stdp_scale.size(), stdp_class{});
    if (d.stdp) {
        d.in = cuda_rows::build_incoming(store);
        incoming_count_ = d.in.count;
    }
    device_bytes_ = d.store.bytes();
}

void device_network::upload_traces(const kernels::post_state* post, const kernels::pre_state* pre) {
    impl& d = *impl_;
    std::copy_n(post, d.n, d.post.begin());
    std::copy_n(pre, d.n, d.pre.begin());
}

void device_network::upload_traces(const std::uint32_t* ids, std::size_t count,
                                   const kernels::post_state* post, const kernels::pre_state* pre) {
    impl& d = *impl_;
    for (std::size_t k = 0; k < count; ++k) {
        d.post[ids[k]] = post[k];
        d.pre[ids[k]] = pre[k];
    }
}

void device_network::propagate(const std::uint32_t* spikes, std::size_t count, std::int64_t step,
                               const std::vector<stdp_class>& classes) {
    if (count == 0) {
        return;
    }
    impl& d = *impl_;
    d.spikes.assign(spikes, spikes + count);
    const bool stdp = d.stdp && !classes.empty();
    if (stdp) {
        std::copy_n(classes.begin(), std::min(classes.size(), d.classes.size()), d.classes.begin());
    }
    const cuda_rows::store_view view{d.store.row_begin.data(), d.store.segment_begin.data(),
                                     d.store.segments.data(),  d.store.target.data(),
                                     d.store.weight.data(),    d.store.negative.data()};
    const kernels::trace_table post_table{d.post_decay.data(),
                                          static_cast<std::int64_t>(d.post_decay.size())};
    // Warps in reverse order: the result must not depend on it.
    for (std::size_t w = count; w-- > 0;) {
        cuda_rows::propagate_row(d.spikes[w], 0, 1, view, d.ring.data(), d.n,
                                 std::uint64_t{d.slots} - 1, step, d.classes.data(), stdp,
                                 d.post.data(), post_table);
    }
}

void device_network::potentiate(std::size_t count, std::int64_t step) {
    impl& d = *impl_;
    if (count == 0 || !d.stdp || d.in.synapse.empty()) {
        return;
    }
    const cuda_rows::incoming_view in{d.in.begin.data(), d.in.synapse.data(), d.in.source.data(),
                                      d.in.cls.data()};
    const kernels::trace_table pre_table{d.pre_decay.data(),
                                         static_cast<std::int64_t>(d.pre_decay.size())};
    for (std::size_t w = count; w-- > 0;) {
        cuda_rows::potentiate_target(d.spikes[w], 0, 1, in, d.store.weight.data(), d.classes.data(),
                                     step, d.post.data(), d.pre.data(), pre_table);
    }
}

void device_network::take_slot(std::int64_t step, std::int64_t* out) {
    impl& d = *impl_;
    const std::uint64_t slot = static_cast<std::uint64_t>(step) & (std::uint64_t{d.slots} - 1);
    unsigned long long* from = d.ring.data() + slot * d.n;
    std::memcpy(out, from, std::size_t{d.n} * sizeof *out);
    std::fill_n(from, d.n, 0ULL);
}

void device_network::read_ring(std::int64_t* out) const {
    std::memcpy(out, impl_->ring.data(), impl_->ring.size() * sizeof *out);
}

void device_network::write_ring(const std::int64_t* in) {
    std::memcpy(impl_->ring.data(), in, impl_->ring.size() * sizeof *in);
}

void device_network::clear_ring() {
    std::fill(impl_->ring.begin(), impl_->ring.end(), 0ULL);
}

void device_network::download_weights(float* out) const {
    std::copy(impl_->store.weight.begin(), impl_->store.weight.end(), out);
}

}  // namespace hebllm::HEBLLM_CUDA_NS
