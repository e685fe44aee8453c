// SPDX-License-Identifier: MIT
#include "backends/cpu/cpu_engine.hpp"

#include <algorithm>
#include <vector>

#include <omp.h>

#include "core/engine_base.hpp"
#include "core/kernels/fixed_point.hpp"

namespace hebllm {

int cpu_backend_max_threads() {
    return omp_get_max_threads();
}

}  // namespace hebllm

namespace hebllm::cpu {

namespace {

// Split items [0, n) into `parts` contiguous ranges of about equal total cost, where cost(k)
// is given through an inclusive prefix sum. Returns parts + 1 boundaries.
void split_by_cost(const std::vector<std::uint64_t>& prefix, int parts,
                   std::vector<std::size_t>& bounds) {
    const std::size_t n = prefix.size();
    bounds.assign(static_cast<std::size_t>(parts) + 1, n);
    bounds[0] = 0;
    const std::uint64_t total = n == 0 ? 0 : prefix[n - 1];
    for (int t = 1; t < parts; ++t) {
        const std::uint64_t goal =
            total * static_cast<std::uint64_t>(t) / static_cast<std::uint64_t>(parts);
        bounds[static_cast<std::size_t>(t)] = static_cast<std::size_t>(
            std::upper_bound(prefix.begin(), prefix.end(), goal) - prefix.begin());
    }
    for (int t = 1; t <= parts; ++t) {
        auto& b = bounds[static_cast<std::size_t>(t)];
        b = std::max(b, bounds[static_cast<std::size_t>(t) - 1]);
    }
}

class cpu_engine final : public detail::engine_base {
public:
    cpu_engine(const network_spec& spec, const engine_options& options)
        : engine_base(spec, options),
          threads_(options.threads > 0 ? options.threads : omp_get_max_threads()),
          slots_(store_.max_delay + 1),
          rings_(static_cast<std::size_t>(threads_)),
          local_spikes_(static_cast<std::size_t>(threads_)),
          local_counts_(static_cast<std::size_t>(threads_), 0) {
        for (auto& ring : rings_) {
            ring.assign(static_cast<std::size_t>(slots_) * n_, 0);
        }
    }

    std::string_view backend() const override { return "cpu"; }

protected:
    std::uint64_t update_neurons(std::vector<std::uint32_t>& spikes) override {
#pragma omp parallel num_threads(threads_)
        {
            const int nt = omp_get_num_threads();
            const int t = omp_get_thread_num();
            const std::uint32_t lo = block(t, nt, n_);
            const std::uint32_t hi = block(t + 1, nt, n_);
            auto& out = local_spikes_[static_cast<std::size_t>(t)];
            out.clear();
            std::uint64_t dropped = 0;
            for (std::size_t p = 0; p < population_count(); ++p) {
                const std::uint32_t b = std::max(lo, population_begin(p));
                const std::uint32_t e = std::min(hi, population_end(p));
                const kernels::neuron_consts& c = consts(p);
                for (std::uint32_t i = b; i < e; ++i) {
                    const auto r = update_one(i, c);
                    if (r == kernels::update_result::spike) {
                        out.push_back(i);
                    } else if (r == kernels::update_result::forced_dropped) {
                        ++dropped;
                    }
                }
            }
            local_counts_[static_cast<std::size_t>(t)] = dropped;
        }
        std::uint64_t dropped = 0;
        for (int t = 0; t < threads_; ++t) {  // thread blocks are in id order: spikes stay sorted
            auto& out = local_spikes_[static_cast<std::size_t>(t)];
            spikes.insert(spikes.end(), out.begin(), out.end());
            out.clear();
            dropped += local_counts_[static_cast<std::size_t>(t)];
            local_counts_[static_cast<std::size_t>(t)] = 0;
        }
        return dropped;
    }

    std::uint64_t propagate(std::span<const std::uint32_t> spikes) override {
        prefix_.resize(spikes.size());
        std::uint64_t events = 0;
        for (std::size_t k = 0; k < spikes.size(); ++k) {
            events += store_.row_begin[spikes[k] + 1] - store_.row_begin[spikes[k]];
            prefix_[k] = events;
        }
        split_by_cost(prefix_, threads_, bounds_);
        const std::uint64_t* row_begin = store_.row_begin.data();
        const std::uint32_t* target = store_.target.data();
        const float* weight = store_.weight.data();
        const std::uint8_t* delay = store_.delay.data();
#pragma omp parallel num_threads(threads_)
        {
            const auto t = static_cast<std::size_t>(omp_get_thread_num());
            if (omp_get_num_threads() == threads_) {
                std::int64_t* ring = rings_[t].data();
                for (std::size_t s = bounds_[t]; s < bounds_[t + 1]; ++s) {
                    const std::uint32_t j = spikes[s];
                    const bool negative = store_.negative[j] != 0;
                    for (std::uint64_t k = row_begin[j]; k < row_begin[j + 1]; ++k) {
                        const std::size_t slot =
                            static_cast<std::size_t>(step_ + delay[k]) % slots_;
                        ring[slot * n_ + target[k]] += kernels::to_fixed(weight[k], negative);
                    }
                }
            } else if (t == 0) {  // fewer threads than asked for: one thread does all
                std::int64_t* ring = rings_[0].data();
                for (std::uint32_t j : spikes) {
                    const bool negative = store_.negative[j] != 0;
                    for (std::uint64_t k = row_begin[j]; k < row_begin[j + 1]; ++k) {
                        const std::size_t slot =
                            static_cast<std::size_t>(step_ + delay[k]) % slots_;
                        ring[slot * n_ + target[k]] += kernels::to_fixed(weight[k], negative);
                    }
                }
            }
        }
        return events;
    }

    void deliver_and_reset(std::span<const std::uint32_t> spikes) override {
        const std::size_t base = (static_cast<std::size_t>(step_) % slots_) * n_;
#pragma omp parallel num_threads(threads_)
        {
            const int nt = omp_get_num_threads();
            const int t = omp_get_thread_num();
            const std::uint32_t lo = block(t, nt, n_);
            const std::uint32_t hi = block(t + 1, nt, n_);
            for (std::size_t p = 0; p < population_count(); ++p) {
                const std::uint32_t b = std::max(lo, population_begin(p));
                const std::uint32_t e = std::min(hi, population_end(p));
                const kernels::neuron_consts& c = consts(p);
                for (std::uint32_t i = b; i < e; ++i) {
                    std::int64_t q = 0;  // integer sum: the order over rings does not matter
                    for (auto& ring : rings_) {
                        q += ring[base + i];
                        ring[base + i] = 0;
                    }
                    if (q != 0) {
                        kernels::deliver_input(state_.v[i], state_.i_syn[i], state_.refractory[i],
                                               kernels::from_fixed(q), c);
                    }
                }
            }
        }
        for (std::uint32_t j : spikes) {
            const kernels::neuron_consts& c = consts_of(j);
            if (!c.spike_source) {
                kernels::reset_neuron(state_.v[j], state_.theta[j], c);
            }
        }
    }

    std::uint64_t plasticity(std::span<const std::uint32_t> spikes,
                             const kernels::stdp_consts& c) override {
        // Pre phase: each synapse belongs to one row, each row to one spike, each spike to one
        // thread. Post phase likewise through the incoming index. The barrier between the two
        // keeps the reference order (pre update before post update on the same synapse).
        prefix_.resize(spikes.size());
        pre_prefix_.resize(spikes.size());
        std::uint64_t pre_total = 0;
        std::uint64_t post_total = 0;
        for (std::size_t k = 0; k < spikes.size(); ++k) {
            pre_total += store_.plastic_count[spikes[k]];
            post_total += store_.in_begin[spikes[k] + 1] - store_.in_begin[spikes[k]];
            pre_prefix_[k] = pre_total;
            prefix_[k] = post_total;
        }
        split_by_cost(pre_prefix_, threads_, pre_bounds_);
        split_by_cost(prefix_, threads_, bounds_);
        float* weight = store_.weight.data();
        const std::uint32_t* target = store_.target.data();
        const double* x_post = state_.trace_post.data();
        const double* x_pre = state_.trace_pre.data();
        const auto pre_range = [&](std::size_t lo, std::size_t hi) {
            for (std::size_t s = lo; s < hi; ++s) {
                const std::uint32_t j = spikes[s];
                const std::uint64_t begin = store_.row_begin[j];
                for (std::uint64_t k = begin; k < begin + store_.plastic_count[j]; ++k) {
                    weight[k] = kernels::stdp_pre(weight[k], x_post[target[k]], c);
                }
            }
        };
        const auto post_range = [&](std::size_t lo, std::size_t hi) {
            for (std::size_t s = lo; s < hi; ++s) {
                const std::uint32_t i = spikes[s];
                for (std::uint64_t k = store_.in_begin[i]; k < store_.in_begin[i + 1]; ++k) {
                    const std::uint32_t syn = store_.in_synapse[k];
                    weight[syn] = kernels::stdp_post(weight[syn], x_pre[store_.in_source[k]], c);
                }
            }
        };
#pragma omp parallel num_threads(threads_)
        {
            const bool full_team = omp_get_num_threads() == threads_;
            const auto t = static_cast<std::size_t>(omp_get_thread_num());
            if (full_team) {
                pre_range(pre_bounds_[t], pre_bounds_[t + 1]);
            } else if (t == 0) {  // fewer threads than asked for: one thread does all
                pre_range(0, spikes.size());
            }
#pragma omp barrier
            if (full_team) {
                post_range(bounds_[t], bounds_[t + 1]);
            } else if (t == 0) {
                post_range(0, spikes.size());
            }
        }
        return pre_total + post_total;
    }

private:
    static std::uint32_t block(int t, int nt, std::uint32_t n) {
        return static_cast<std::uint32_t>(static_cast<std::uint64_t>(n) *
                                          static_cast<std::uint64_t>(t) /
                                          static_cast<std::uint64_t>(nt));
    }

    int threads_;
    std::uint32_t slots_;
    std::vector<std::vector<std::int64_t>> rings_;          // [thread][slot * n + neuron]
    std::vector<std::vector<std::uint32_t>> local_spikes_;  // [thread]
    std::vector<std::uint64_t> local_counts_;               // [thread]
    std::vector<std::uint64_t> prefix_;
    std::vector<std::uint64_t> pre_prefix_;
    std::vector<std::size_t> bounds_;
    std::vector<std::size_t> pre_bounds_;
};

}  // namespace

std::unique_ptr<engine> make_cpu_engine(const network_spec& spec, const engine_options& options) {
    return std::make_unique<cpu_engine>(spec, options);
}

}  // namespace hebllm::cpu
