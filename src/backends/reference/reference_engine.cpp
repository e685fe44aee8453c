// SPDX-License-Identifier: MIT
#include "backends/reference/reference_engine.hpp"

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "core/engine_base.hpp"
#include "core/kernels/fixed_point.hpp"

namespace hebllm::reference {

namespace {

class reference_engine final : public detail::engine_base {
public:
    reference_engine(const network_spec& spec, const engine_options& options,
                     const engine_snapshot* from)
        : engine_base(spec, options, from),
          slots_(store_.max_delay + 1),
          ring_(static_cast<std::size_t>(slots_) * n_, 0),
          spiked_(n_, 0),
          external_(n_, 0) {}

    std::string_view backend() const override { return "reference"; }

protected:
    std::uint64_t update_neurons(std::vector<std::uint32_t>& spikes) override {
        return update_neurons_serial(spikes);
    }

    std::uint64_t propagate(std::span<const std::uint32_t> spikes) override {
        std::uint64_t events = 0;
        for (std::uint32_t j : spikes) {
            std::uint64_t k = store_.row_begin[j];
            for (std::uint32_t g = store_.segment_begin[j]; g < store_.segment_begin[j + 1]; ++g) {
                const std::size_t slot =
                    static_cast<std::size_t>(step_ + store_.segments[g].delay) % slots_;
                for (; k < store_.segments[g].end; ++k) {
                    ring_[slot * n_ + store_.target[k]] +=
                        kernels::to_fixed(store_.weight[k], store_.negative[j] != 0);
                    ++events;
                }
            }
        }
        return events;
    }

    void deliver_and_reset(std::span<const std::uint32_t> spikes) override {
        const std::size_t slot = static_cast<std::size_t>(step_) % slots_;
        std::fill(external_.begin(), external_.end(), 0);
        add_external_input(0, n_, external_.data());
        for (std::uint32_t i = 0; i < n_; ++i) {
            std::int64_t& q = ring_[slot * n_ + i];
            const std::int64_t total = q + external_[i];
            q = 0;
            if (total != 0) {
                kernels::deliver_input(state_.v[i], state_.i_syn[i], state_.refractory[i],
                                       kernels::from_fixed(total), consts_of(i));
            }
        }
        for (std::uint32_t j : spikes) {
            const kernels::neuron_consts& c = consts_of(j);
            if (!c.spike_source) {
                kernels::reset_neuron(state_.v[j], state_.theta[j], c);
            }
        }
    }

    // Eager STDP: one pass over every plastic synapse; a synapse of a spiking source is
    // depressed, then a synapse of a spiking target is potentiated (docs/model.md "STDP").
    std::uint64_t plasticity(std::span<const std::uint32_t> spikes) override {
        if (spikes.empty()) {
            return 0;
        }
        for (std::uint32_t j : spikes) {
            spiked_[j] = 1;
        }
        const stdp_step_consts& c = stdp_step();
        std::uint64_t updates = 0;
        for (std::uint32_t j = 0; j < n_; ++j) {
            std::uint64_t k = store_.row_begin[j];
            for (std::uint32_t g = store_.segment_begin[j]; g < store_.segment_begin[j + 1]; ++g) {
                const std::uint64_t end = store_.segments[g].end;
                const std::uint8_t cls = store_.segments[g].plastic;
                if (cls == 0) {
                    k = end;
                    continue;
                }
                for (; k < end; ++k) {
                    const std::uint32_t i = store_.target[k];
                    // A zero amplitude changes no weight and is not counted as an update.
                    if (spiked_[j] != 0 && c.a_minus != 0.0) {
                        store_.weight[k] =
                            kernels::stdp_pre(store_.weight[k], post_trace(i, step_),
                                              c.a_minus * c.scale[cls], c.bounds[cls]);
                        ++updates;
                    }
                    if (spiked_[i] != 0 && c.a_plus != 0.0) {
                        store_.weight[k] =
                            kernels::stdp_post(store_.weight[k], pre_trace(j, step_),
                                               c.a_plus * c.scale[cls], c.bounds[cls]);
                        ++updates;
                    }
                }
            }
        }
        for (std::uint32_t j : spikes) {
            spiked_[j] = 0;
        }
        return updates;
    }

    void clear_pending() override { std::fill(ring_.begin(), ring_.end(), 0); }

    void read_pending(std::span<std::int64_t> out) const override {
        for (std::uint32_t d = 0; d < store_.max_delay; ++d) {
            const std::size_t slot = static_cast<std::size_t>(step_ + d) % slots_;
            std::copy_n(ring_.begin() + static_cast<std::ptrdiff_t>(slot * n_), n_,
                        out.begin() + static_cast<std::ptrdiff_t>(std::size_t{d} * n_));
        }
    }

    void write_pending(std::span<const std::int64_t> in) override {
        std::fill(ring_.begin(), ring_.end(), 0);
        for (std::uint32_t d = 0; d < store_.max_delay; ++d) {
            const std::size_t slot = static_cast<std::size_t>(step_ + d) % slots_;
            std::copy_n(in.begin() + static_cast<std::ptrdiff_t>(std::size_t{d} * n_), n_,
                        ring_.begin() + static_cast<std::ptrdiff_t>(slot * n_));
        }
    }

private:
    std::uint32_t slots_;
    std::vector<std::int64_t> ring_;      // [slots][n] fixed-point input due at each step
    std::vector<std::uint8_t> spiked_;    // [n] 1 for this step's spikes (plasticity only)
    std::vector<std::int64_t> external_;  // [n] poisson_input of this step (fixed point)
};

}  // namespace

std::unique_ptr<engine> make_reference_engine(const network_spec& spec,
                                              const engine_options& options,
                                              const engine_snapshot* from) {
    auto e = std::make_unique<reference_engine>(spec, options, from);
    if (from != nullptr) {
        e->restore(*from);
    }
    return std::make_unique<engine>(std::move(e));
}

}  // namespace hebllm::reference
