// SPDX-License-Identifier: MIT
#pragma once
// The device side of the cuda backend behind a plain C++ interface: only cuda_device.cu sees
// CUDA. The host engine (cuda_engine.cpp) is ordinary C++ and calls these functions; no CUDA
// type crosses this header (docs/dev/cuda-backend.md).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backends/cuda/cuda_rows.hpp"
#include "core/kernels/plasticity.hpp"
#include "core/synapse_store.hpp"

// The host emulation of the device (cuda_device_emulated.cpp) compiles the same engine into
// namespace hebllm::cuda_emulated.
#if !defined(HEBLLM_CUDA_NS)
#define HEBLLM_CUDA_NS cuda
#endif

namespace hebllm::HEBLLM_CUDA_NS {

struct device_info {
    int index = 0;
    std::string name;
    int major = 0;  // compute capability
    int minor = 0;
    std::uint64_t memory_bytes = 0;
};

// Usable devices (0 when there is no driver or no device; never throws).
int device_count();
std::vector<device_info> devices();

using cuda_rows::stdp_class;

// Device copies of the synapse store, the delay ring (fixed point), the STDP traces and an
// incoming index of the plastic synapses. Every method throws backend_error on a CUDA error.
class device_network {
public:
    // slots: delay-ring slots (a power of two above the largest delay). pre/post decay tables
    // as in engine_base (kernels::trace_table).
    device_network(const detail::synapse_store& store, std::uint32_t slots, bool stdp,
                   const kernels::trace_table& pre_table, const kernels::trace_table& post_table);
    ~device_network();
    device_network(const device_network&) = delete;
    device_network& operator=(const device_network&) = delete;

    // Replace the device copy of the store (after consolidation or a restore).
    void upload_store(const detail::synapse_store& store);
    // Replace every neuron's trace state, or that of the given neurons only.
    void upload_traces(const kernels::post_state* post, const kernels::pre_state* pre);
    void upload_traces(const std::uint32_t* ids, std::size_t count, const kernels::post_state* post,
                       const kernels::pre_state* pre);
    // Propagate the step's spikes (sorted ids) into ring slot (step + delay) & (slots - 1);
    // with classes non-empty, depress each plastic synapse of a spiking source after its
    // weight was propagated (the reference's phase 4 presynaptic part).
    void propagate(const std::uint32_t* spikes, std::size_t count, std::int64_t step,
                   const std::vector<stdp_class>& classes);
    // Potentiate the plastic synapses of the spiking targets last passed to propagate() (phase
    // 4 postsynaptic part), with the classes passed there.
    void potentiate(std::size_t count, std::int64_t step);
    // Copy ring slot step & (slots - 1) into out[n] and zero it on the device.
    void take_slot(std::int64_t step, std::int64_t* out);
    // Whole ring, slot-major ([slots][n]).
    void read_ring(std::int64_t* out) const;
    void write_ring(const std::int64_t* in);
    void clear_ring();
    void download_weights(float* out) const;
    // Plastic synapses whose target is neuron i: incoming_count()[i].
    const std::vector<std::uint32_t>& incoming_count() const { return incoming_count_; }
    std::uint64_t device_bytes() const { return device_bytes_; }

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    std::vector<std::uint32_t> incoming_count_;
    std::uint64_t device_bytes_ = 0;
};

}  // namespace hebllm::HEBLLM_CUDA_NS
