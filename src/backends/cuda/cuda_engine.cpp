// SPDX-License-Identifier: MIT
#include "backends/cuda/cuda_engine.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <hebllm/errors.hpp>

#include "backends/cuda/cuda_device.hpp"
#include "core/engine_base.hpp"
#include "core/kernels/fixed_point.hpp"

namespace hebllm::HEBLLM_CUDA_NS {

std::string unusable_reason() {
    return unusable_reason(devices());
}

std::string unusable_reason(const std::vector<device_info>& all) {
    if (all.empty()) {
        return "no CUDA device (the cuda backend is built in, but no usable device or driver "
               "was found)";
    }
    const device_info& d = all.front();
    if (d.major < minimum_compute_major) {
        std::string why = "device 0 (";
        why += d.name;
        why += ") has compute capability " + std::to_string(d.major) + "." +
               std::to_string(d.minor) + "; the cuda backend needs " +
               std::to_string(minimum_compute_major) +
               ".0 or newer (it is built for sm_80 and sm_90)";
        return why;
    }
    return {};
}

std::vector<std::string> describe_devices() {
    std::vector<std::string> out;
    for (const device_info& d : devices()) {
        char line[320];
        std::snprintf(
            line, sizeof line, "%d: %s, sm_%d%d, %.1f GiB%s", d.index, d.name.c_str(), d.major,
            d.minor, static_cast<double>(d.memory_bytes) / 1073741824.0,
            d.major < minimum_compute_major ? " (unsupported: needs compute capability 8.0)" : "");
        out.emplace_back(line);
    }
    return out;
}

namespace {

std::uint32_t ring_slots(std::uint32_t max_delay) {
    std::uint32_t s = 1;
    while (s <= max_delay) {
        s *= 2;
    }
    return s;
}

// Neuron update, inputs, delivery, neuromodulation, homeostasis and recording run on the host
// (engine_base); the synapse store, delay ring, propagation and STDP on the device. Per step
// the host sends the spike list and the trace records of the previous step's spikes and reads
// back one ring slot (docs/dev/cuda-backend.md).
class cuda_engine final : public detail::engine_base {
public:
    cuda_engine(const network_spec& spec, const engine_options& options,
                const engine_snapshot* from)
        : engine_base(spec, options, from),
          slots_(ring_slots(store_.max_delay)),
          delivered_(n_, 0),
          device_(store_, slots_, stdp_on(), pre_table(), post_table()) {}

    std::string_view backend() const override { return "cuda"; }

protected:
    std::uint64_t update_neurons(std::vector<std::uint32_t>& spikes) override {
        return update_neurons_serial(spikes);
    }

    std::uint64_t propagate(std::span<const std::uint32_t> spikes) override {
        depressions_ = 0;
        if (stdp_on()) {
            send_traces();
            // after_spikes() of this step changes the traces of exactly these neurons.
            changed_.assign(spikes.begin(), spikes.end());
        }
        if (spikes.empty()) {
            return 0;
        }
        std::uint64_t events = 0;
        for (const std::uint32_t j : spikes) {
            events += store_.row_begin[j + 1] - store_.row_begin[j];
        }
        classes_.clear();
        if (stdp_on()) {
            const stdp_step_consts& c = stdp_step();
            for (std::size_t k = 0; k < c.scale.size(); ++k) {
                classes_.push_back({c.a_minus * c.scale[k], c.a_plus * c.scale[k], c.bounds[k]});
            }
            for (const std::uint32_t j : spikes) {
                std::uint64_t k = store_.row_begin[j];
                for (std::uint32_t g = store_.segment_begin[j]; g < store_.segment_begin[j + 1];
                     ++g) {
                    // A zero amplitude changes no weight and is not counted as an update.
                    if (store_.segments[g].plastic != 0 && c.a_minus != 0.0) {
                        depressions_ += store_.segments[g].end - k;
                    }
                    k = store_.segments[g].end;
                }
            }
            weights_stale_ = weights_stale_ || depressions_ > 0;
        }
        device_.propagate(spikes.data(), spikes.size(), step_, classes_);
        return events;
    }

    void deliver_and_reset(std::span<const std::uint32_t> spikes) override {
        device_.take_slot(step_, delivered_.data());
        add_external_input(0, n_, delivered_.data());
        for (std::uint32_t i = 0; i < n_; ++i) {
            if (delivered_[i] != 0) {
                kernels::deliver_input(state_.v[i], state_.i_syn[i], state_.refractory[i],
                                       kernels::from_fixed(delivered_[i]), consts_of(i));
            }
        }
        for (const std::uint32_t j : spikes) {
            const kernels::neuron_consts& c = consts_of(j);
            if (!c.spike_source) {
                kernels::reset_neuron(state_.v[j], state_.theta[j], c);
            }
        }
    }

    std::uint64_t plasticity(std::span<const std::uint32_t> spikes) override {
        if (spikes.empty()) {
            return 0;
        }
        std::uint64_t updates = depressions_;
        std::uint64_t potentiations = 0;
        if (stdp_step().a_plus != 0.0) {
            for (const std::uint32_t i : spikes) {
                potentiations += device_.incoming_count()[i];
            }
        }
        if (potentiations > 0) {
            device_.potentiate(spikes.size(), step_);
            weights_stale_ = true;
        }
        return updates + potentiations;
    }

    void clear_pending() override {
        device_.clear_ring();
        traces_stale_ = true;
    }

    void sync_weights() override {
        if (weights_stale_) {
            device_.download_weights(store_.weight.data());
            weights_stale_ = false;
        }
    }

    void read_pending(std::span<std::int64_t> out) const override {
        std::vector<std::int64_t> ring(std::size_t{slots_} * n_);
        device_.read_ring(ring.data());
        for (std::uint32_t d = 0; d < store_.max_delay; ++d) {
            const std::size_t slot = static_cast<std::size_t>(step_ + d) & (slots_ - 1);
            std::copy_n(ring.begin() + static_cast<std::ptrdiff_t>(slot * n_), n_,
                        out.begin() + static_cast<std::ptrdiff_t>(std::size_t{d} * n_));
        }
    }

    void write_pending(std::span<const std::int64_t> in) override {
        std::vector<std::int64_t> ring(std::size_t{slots_} * n_, 0);
        for (std::uint32_t d = 0; d < store_.max_delay; ++d) {
            const std::size_t slot = static_cast<std::size_t>(step_ + d) & (slots_ - 1);
            std::copy_n(in.begin() + static_cast<std::ptrdiff_t>(std::size_t{d} * n_), n_,
                        ring.begin() + static_cast<std::ptrdiff_t>(slot * n_));
        }
        device_.write_ring(ring.data());
    }

    void state_replaced() override {
        if (store_.max_delay >= slots_) {
            throw internal_error("cuda backend: the synapse store's delays outgrew the ring");
        }
        device_.upload_store(store_);
        weights_stale_ = false;
        traces_stale_ = true;
        changed_.clear();
    }

private:
    // Bring the device's trace records up to this step: all of them after a reset or restore,
    // else those of the previous step's spikes.
    void send_traces() {
        if (traces_stale_) {
            device_.upload_traces(state_.post.data(), state_.pre.data());
            traces_stale_ = false;
        } else if (!changed_.empty()) {
            post_stage_.clear();
            pre_stage_.clear();
            for (const std::uint32_t i : changed_) {
                post_stage_.push_back(state_.post[i]);
                pre_stage_.push_back(state_.pre[i]);
            }
            device_.upload_traces(changed_.data(), changed_.size(), post_stage_.data(),
                                  pre_stage_.data());
        }
        changed_.clear();
    }

    std::uint32_t slots_;
    std::vector<std::int64_t> delivered_;  // [n] the slot due this step, plus poisson_input
    device_network device_;
    std::vector<stdp_class> classes_;
    std::vector<std::uint32_t> changed_;  // neurons whose traces changed since the last upload
    std::vector<kernels::post_state> post_stage_;
    std::vector<kernels::pre_state> pre_stage_;
    std::uint64_t depressions_ = 0;
    bool traces_stale_ = true;
    bool weights_stale_ = false;
};

}  // namespace

std::unique_ptr<engine> make_cuda_engine(const network_spec& spec, const engine_options& options,
                                         const engine_snapshot* from) {
    if (const std::string why = unusable_reason(); !why.empty()) {
        throw backend_error("backend 'cuda': " + why);
    }
    auto e = std::make_unique<cuda_engine>(spec, options, from);
    if (from != nullptr) {
        e->restore(*from);
    }
    return std::make_unique<engine>(std::move(e));
}

}  // namespace hebllm::HEBLLM_CUDA_NS
