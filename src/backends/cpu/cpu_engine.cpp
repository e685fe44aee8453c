// SPDX-License-Identifier: MIT
#include "backends/cpu/cpu_engine.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <iterator>
#include <memory>
#include <utility>
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

// Split items [0, n) into `parts` contiguous ranges of about equal total cost, where cost is
// given through an inclusive prefix sum. Returns parts + 1 boundaries.
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

// The cpu backend (docs/dev/cpu-backend.md).
//
// Propagation: each thread takes a contiguous share of the step's spikes (balanced by row
// length) and adds their weights into its own delay ring, one ring slot per row segment; the
// rings are summed in fixed point at delivery, so the result does not depend on the split.
//
// STDP is lazy for potentiation (after NEST): a postsynaptic spike only records its step in the
// neuron's spike history. The potentiation it causes on a synapse j -> i is applied when j next
// spikes (just before the synapse's weight is delivered, then depressed) or at a flush, which
// sweeps all plastic synapses when a history is full, when the amplitude history is long, or
// before weights are read. Each synapse therefore receives exactly the reference's sequence of
// updates (depression of step s before potentiation of step s, in time order) with the same
// operands: no incoming index is needed and every weight access is row-sequential.
class cpu_engine final : public detail::engine_base {
public:
    cpu_engine(const network_spec& spec, const engine_options& options, const engine_snapshot* from)
        : engine_base(spec, options, from),
          threads_(options.threads > 0 ? options.threads : omp_get_max_threads()),
          slots_(std::bit_ceil(store_.max_delay + 1u)),
          rings_(static_cast<std::size_t>(threads_)),
          local_spikes_(static_cast<std::size_t>(threads_)),
          local_counts_(static_cast<std::size_t>(threads_), 0),
          local_woken_(static_cast<std::size_t>(threads_)),
          local_ends_(static_cast<std::size_t>(threads_)) {
        for (auto& ring : rings_) {
            ring.assign(static_cast<std::size_t>(slots_) * n_, 0);
        }
        allocate_histories();
        touched_.assign(static_cast<std::size_t>(threads_),
                        std::vector<std::vector<std::uint32_t>>(slots_));
        slot_dense_.assign(slots_, 0);
        quiet_population_.assign(population_count(), 0);
        for (std::size_t p = 0; p < population_count(); ++p) {
            // Deterministic neurons without homeostasis: a neuron whose update would change
            // nothing can be skipped until input arrives (escape noise draws every step).
            const bool quiet = !consts(p).escape && !homeostatic_population(p);
            quiet_population_[p] = quiet ? 1 : 0;
            any_quiet_ = any_quiet_ || (quiet && population_end(p) > population_begin(p));
            loud_neurons_ += quiet ? 0 : population_end(p) - population_begin(p);
        }
        if (any_quiet_) {
            quiet_neuron_.assign(n_, 0);
            awake_.assign(n_, 0);
            for (std::size_t p = 0; p < population_count(); ++p) {
                if (quiet_population_[p] != 0) {
                    std::fill(quiet_neuron_.begin() + population_begin(p),
                              quiet_neuron_.begin() + population_end(p), 1);
                }
            }
            wake_all();
        }
    }

    std::string_view backend() const override { return "cpu"; }

protected:
    std::uint64_t update_neurons(std::vector<std::uint32_t>& spikes) override {
        if (any_quiet_) {
            // This step's forced and current inputs wake their neurons.
            for (const std::uint32_t i : forced_list()) {
                wake(i);
            }
            for (const std::uint32_t i : current_list()) {
                wake(i);
            }
            merge_woken();
            return update_shared(spikes);
        }
#pragma omp parallel num_threads(threads_) if (n_ >= options_.parallel_neurons)
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
                dropped += update_range(b, e, consts(p), out);
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

    // The update with quiet neurons: the work is the awake neurons and the populations that
    // never sleep, which may sit anywhere in the id range, so each thread takes its share of
    // every population (of its awake neurons, or of all its neurons), and the spikes are
    // gathered population by population, thread by thread: in id order.
    std::uint64_t update_shared(std::vector<std::uint32_t>& spikes) {
        const std::size_t np = population_count();
        awake_begin_.resize(np + 1);
        for (std::size_t p = 0; p < np; ++p) {
            awake_begin_[p] = static_cast<std::size_t>(
                std::lower_bound(awake_list_.begin(), awake_list_.end(), population_begin(p)) -
                awake_list_.begin());
        }
        awake_begin_[np] = awake_list_.size();
        const std::uint64_t work = awake_list_.size() + loud_neurons_;
        int used = 1;
#pragma omp parallel num_threads(threads_) if (work >= options_.parallel_neurons)
        {
            const auto nt = static_cast<std::uint64_t>(omp_get_num_threads());
            const auto t = static_cast<std::uint64_t>(omp_get_thread_num());
            if (t == 0) {
                used = static_cast<int>(nt);
            }
            auto& out = local_spikes_[t];
            auto& ends = local_ends_[t];
            out.clear();
            ends.resize(np);
            std::uint64_t dropped = 0;
            for (std::size_t p = 0; p < np; ++p) {
                const kernels::neuron_consts& c = consts(p);
                if (quiet_population_[p] != 0) {
                    const std::uint64_t a = awake_begin_[p];
                    const std::uint64_t size = awake_begin_[p + 1] - a;
                    dropped += update_awake(a + size * t / nt, a + size * (t + 1) / nt, c, out);
                } else {
                    const std::uint64_t b = population_begin(p);
                    const std::uint64_t size = population_end(p) - b;
                    dropped +=
                        update_range(static_cast<std::uint32_t>(b + size * t / nt),
                                     static_cast<std::uint32_t>(b + size * (t + 1) / nt), c, out);
                }
                ends[p] = out.size();
            }
            local_counts_[t] = dropped;
        }
        std::uint64_t dropped = 0;
        for (std::size_t p = 0; p < np; ++p) {
            for (std::size_t t = 0; t < static_cast<std::size_t>(used); ++t) {
                const auto& out = local_spikes_[t];
                const std::size_t begin = p == 0 ? 0 : local_ends_[t][p - 1];
                spikes.insert(spikes.end(), out.begin() + static_cast<std::ptrdiff_t>(begin),
                              out.begin() + static_cast<std::ptrdiff_t>(local_ends_[t][p]));
            }
        }
        for (std::size_t t = 0; t < static_cast<std::size_t>(threads_); ++t) {
            local_spikes_[t].clear();
            dropped += local_counts_[t];
            local_counts_[t] = 0;
        }
        return dropped;
    }

    std::uint64_t propagate(std::span<const std::uint32_t> spikes) override {
        const bool lazy = !history_.empty();
        if (lazy) {
            if (flush_due_) {
                step_updates_ += flush(step_ - 1);
            }
            amplitude_history_.push_back(stdp_step().a_plus);
            amplitude_nonzero_ = amplitude_nonzero_ || stdp_step().a_plus != 0.0;
        }
        // Split by cost: a plastic synapse costs about three static ones (catch-up, depression).
        prefix_.resize(spikes.size());
        std::uint64_t events = 0;
        std::uint64_t cost = 0;
        for (std::size_t k = 0; k < spikes.size(); ++k) {
            const std::uint32_t j = spikes[k];
            events += store_.row_begin[j + 1] - store_.row_begin[j];
            cost += store_.row_begin[j + 1] - store_.row_begin[j];
            if (lazy) {
                std::uint64_t begin = store_.row_begin[j];
                for (std::uint32_t g = store_.segment_begin[j]; g < store_.segment_begin[j + 1];
                     ++g) {
                    cost +=
                        store_.segments[g].plastic != 0 ? 2 * (store_.segments[g].end - begin) : 0;
                    begin = store_.segments[g].end;
                }
            }
            prefix_[k] = cost;
        }
        split_by_cost(prefix_, threads_, bounds_);
        // Few events: record their targets, so that delivery touches only them.
        const bool record = any_quiet_ && events * 2 <= n_;
#pragma omp parallel num_threads(threads_) if (events >= options_.parallel_events)
        {
            const auto t = static_cast<std::size_t>(omp_get_thread_num());
            std::uint64_t updates = 0;
            if (omp_get_num_threads() == threads_) {
                for (std::size_t s = bounds_[t]; s < bounds_[t + 1]; ++s) {
                    updates += propagate_row(spikes[s], rings_[t].data(), lazy,
                                             record ? touched_[t].data() : nullptr);
                }
            } else if (t == 0) {  // fewer threads than asked for: one thread does all
                for (std::uint32_t j : spikes) {
                    updates += propagate_row(j, rings_[0].data(), lazy,
                                             record ? touched_[0].data() : nullptr);
                }
            }
            local_counts_[t] = updates;
        }
        for (auto& c : local_counts_) {
            step_updates_ += c;
            c = 0;
        }
        if (any_quiet_ && !record) {
            all_slots_dense();  // unrecorded events: the slots they reach are delivered densely
        }
        return events;
    }

    void deliver_and_reset(std::span<const std::uint32_t> spikes) override {
        const std::size_t slot_index = static_cast<std::size_t>(step_) & (slots_ - 1);
        const std::size_t base = slot_index * n_;
        if (any_quiet_ && !has_external_input() && slot_dense_[slot_index] == 0) {
            deliver_touched(slot_index);
            reset_spiking(spikes);
            return;
        }
        slot_dense_[slot_index] = 0;
        if (any_quiet_) {
            for (auto& per_thread : touched_) {
                per_thread[slot_index].clear();
            }
        }
#pragma omp parallel num_threads(threads_) if (n_ >= options_.parallel_neurons)
        {
            const int nt = omp_get_num_threads();
            const int t = omp_get_thread_num();
            const std::uint32_t lo = block(t, nt, n_);
            const std::uint32_t hi = block(t + 1, nt, n_);
            std::array<std::int64_t, chunk> q{};
            for (std::size_t p = 0; p < population_count(); ++p) {
                const std::uint32_t b = std::max(lo, population_begin(p));
                const std::uint32_t e = std::min(hi, population_end(p));
                const kernels::neuron_consts& c = consts(p);
                for (std::uint32_t c0 = b; c0 < e; c0 += chunk) {
                    const std::uint32_t c1 = std::min<std::uint32_t>(e, c0 + chunk);
                    std::fill_n(q.begin(), c1 - c0, 0);
                    add_external_input(c0, c1, q.data());
                    for (auto& ring : rings_) {  // integer sums: the order does not matter
                        std::int64_t* r = ring.data() + base;
                        for (std::uint32_t i = c0; i < c1; ++i) {
                            q[i - c0] += r[i];
                            r[i] = 0;
                        }
                    }
                    for (std::uint32_t i = c0; i < c1; ++i) {
                        if (q[i - c0] != 0) {
                            kernels::deliver_input(state_.v[i], state_.i_syn[i],
                                                   state_.refractory[i],
                                                   kernels::from_fixed(q[i - c0]), c);
                            if (any_quiet_ && quiet_neuron_[i] != 0 && awake_[i] == 0) {
                                local_woken_[static_cast<std::size_t>(t)].push_back(i);
                            }
                        }
                    }
                }
            }
        }
        if (any_quiet_) {
            for (auto& list : local_woken_) {
                for (const std::uint32_t i : list) {
                    wake(i);
                }
                list.clear();
            }
        }
        reset_spiking(spikes);
    }

    void reset_spiking(std::span<const std::uint32_t> spikes) {
        for (std::uint32_t j : spikes) {
            const kernels::neuron_consts& c = consts_of(j);
            if (!c.spike_source) {
                kernels::reset_neuron(state_.v[j], state_.theta[j], c);
            }
        }
    }

    // Delivery of a slot whose every event was recorded: only its targets (each once; the
    // rings' integer sums do not depend on the order).
    void deliver_touched(std::size_t slot_index) {
        const std::size_t base = slot_index * n_;
        for (auto& per_thread : touched_) {
            for (const std::uint32_t i : per_thread[slot_index]) {
                std::int64_t q = 0;
                for (auto& ring : rings_) {
                    q += ring[base + i];
                    ring[base + i] = 0;
                }
                if (q != 0) {
                    kernels::deliver_input(state_.v[i], state_.i_syn[i], state_.refractory[i],
                                           kernels::from_fixed(q), consts_of(i));
                    if (quiet_neuron_[i] != 0) {
                        wake(i);
                    }
                }
            }
            per_thread[slot_index].clear();
        }
    }

    // Quiet populations: only awake neurons are updated (entries [first, last) of the awake
    // list); one whose update would change nothing (no input, state at its fixed point, no
    // spike) goes to sleep instead, which is exact.
    std::uint64_t update_awake(std::size_t first, std::size_t last, const kernels::neuron_consts& c,
                               std::vector<std::uint32_t>& out) {
        std::uint64_t dropped = 0;
        for (std::size_t k = first; k < last; ++k) {
            const std::uint32_t i = awake_list_[k];
            if (!forced_now(i) && current_now(i) == 0.0) {
                double v = state_.v[i];
                double i_syn = state_.i_syn[i];
                double theta = state_.theta[i];
                std::int32_t refractory = state_.refractory[i];
                const auto r = kernels::update_neuron(v, i_syn, theta, refractory,
                                                      state_.threshold[i], 0.0, false, 0, c);
                if (r == kernels::update_result::none && same_bits(v, state_.v[i]) &&
                    same_bits(i_syn, state_.i_syn[i]) && same_bits(theta, state_.theta[i]) &&
                    refractory == state_.refractory[i]) {
                    awake_[i] = 0;  // asleep; dropped from the list after this phase
                    continue;
                }
                state_.v[i] = v;
                state_.i_syn[i] = i_syn;
                state_.theta[i] = theta;
                state_.refractory[i] = refractory;
                if (r == kernels::update_result::spike) {
                    out.push_back(i);
                }
                continue;
            }
            escape_draws draws;  // unused: quiet populations have no escape noise
            const auto r = update_one(i, c, draws);
            if (r == kernels::update_result::spike) {
                out.push_back(i);
            } else if (r == kernels::update_result::forced_dropped) {
                ++dropped;
            }
        }
        return dropped;
    }

    // Neurons [b, e) of one population, every one of them (a population that never sleeps).
    std::uint64_t update_range(std::uint32_t b, std::uint32_t e, const kernels::neuron_consts& c,
                               std::vector<std::uint32_t>& out) {
        if (plain_escape(c)) {
            return update_escape_range(b, e, c, out);
        }
        std::uint64_t dropped = 0;
        escape_draws draws;
        for (std::uint32_t i = b; i < e; ++i) {
            const auto r = update_one(i, c, draws);
            if (r == kernels::update_result::spike) {
                out.push_back(i);
            } else if (r == kernels::update_result::forced_dropped) {
                ++dropped;
            }
        }
        return dropped;
    }

    static bool same_bits(double a, double b) {
        return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
    }

    void wake(std::uint32_t i) {
        if (quiet_neuron_[i] != 0 && awake_[i] == 0) {
            awake_[i] = 1;
            woken_.push_back(i);
        }
    }

    // The awake list: drop the neurons that fell asleep, add the woken ones, keep it sorted.
    void merge_woken() {
        std::size_t w = 0;
        for (const std::uint32_t i : awake_list_) {
            if (awake_[i] != 0) {
                awake_list_[w++] = i;
            }
        }
        awake_list_.resize(w);
        if (!woken_.empty()) {
            std::sort(woken_.begin(), woken_.end());
            // Merged into a second buffer that keeps its capacity (std::inplace_merge would
            // allocate a temporary one every step).
            merge_scratch_.clear();
            std::merge(awake_list_.begin(), awake_list_.end(), woken_.begin(), woken_.end(),
                       std::back_inserter(merge_scratch_));
            // A neuron that fell asleep in the last update and was woken by its delivery is in
            // both lists.
            merge_scratch_.erase(std::unique(merge_scratch_.begin(), merge_scratch_.end()),
                                 merge_scratch_.end());
            awake_list_.swap(merge_scratch_);
            woken_.clear();
        }
    }

    // After the state was replaced from outside: every quiet neuron is awake until its first
    // update finds it at rest; every slot is delivered densely once.
    void wake_all() {
        if (!any_quiet_) {
            return;
        }
        awake_list_.clear();
        woken_.clear();
        for (std::uint32_t i = 0; i < n_; ++i) {
            awake_[i] = quiet_neuron_[i];
            if (quiet_neuron_[i] != 0) {
                awake_list_.push_back(i);
            }
        }
        all_slots_dense();
    }

    void all_slots_dense() {
        std::fill(slot_dense_.begin(), slot_dense_.end(), 1);
        for (auto& per_thread : touched_) {
            for (auto& list : per_thread) {
                list.clear();
            }
        }
    }

    // Depression was done in propagate(); here postsynaptic spikes only enter the histories.
    std::uint64_t plasticity(std::span<const std::uint32_t> spikes) override {
        if (!history_.empty()) {
            const auto offset = static_cast<std::uint32_t>(step_ - flush_base_);
            for (std::uint32_t i : spikes) {
                if (plastic_target_[i] == 0) {
                    continue;  // no plastic synapse onto i: its spikes are never caught up on
                }
                const std::uint32_t count = history_count_[i];
                history_[std::size_t{history_slot_[i]} * history_capacity_ + count] = offset;
                history_count_[i] = static_cast<std::uint16_t>(count + 1);
                flush_due_ = flush_due_ || count + 1 == history_capacity_;
            }
            flush_due_ = flush_due_ || amplitude_history_.size() >= max_amplitude_history;
        }
        const std::uint64_t updates = step_updates_;
        step_updates_ = 0;
        return updates;
    }

    void clear_pending() override {
        for (auto& ring : rings_) {
            std::fill(ring.begin(), ring.end(), 0);
        }
        wake_all();  // reset_state() also put the neurons back to their initial state
    }

    // The thread rings summed (integer: exact); loaded into ring 0.
    void read_pending(std::span<std::int64_t> out) const override {
        std::fill(out.begin(), out.end(), 0);
        for (const auto& ring : rings_) {
            for (std::uint32_t d = 0; d < store_.max_delay; ++d) {
                const std::size_t slot = static_cast<std::size_t>(step_ + d) & (slots_ - 1);
                const std::int64_t* r = ring.data() + slot * n_;
                std::int64_t* o = out.data() + std::size_t{d} * n_;
                for (std::uint32_t i = 0; i < n_; ++i) {
                    o[i] += r[i];
                }
            }
        }
    }

    void write_pending(std::span<const std::int64_t> in) override {
        clear_pending();
        for (std::uint32_t d = 0; d < store_.max_delay; ++d) {
            const std::size_t slot = static_cast<std::size_t>(step_ + d) & (slots_ - 1);
            std::copy_n(in.begin() + static_cast<std::ptrdiff_t>(std::size_t{d} * n_), n_,
                        rings_[0].begin() + static_cast<std::ptrdiff_t>(slot * n_));
        }
    }

    // Nothing is pending after a restore or a compaction: every weight is up to date (a
    // compaction syncs first), so the histories start afresh at this step.
    void state_replaced() override {
        wake_all();
        std::fill(history_count_.begin(), history_count_.end(), 0);
        amplitude_history_.clear();
        amplitude_nonzero_ = false;
        flush_base_ = step_;
        flush_due_ = false;
        step_updates_ = 0;
        late_updates_ = 0;
    }

    void sync_weights() override {
        if (!history_.empty() && step_ > flush_base_) {
            late_updates_ += flush(step_ - 1);
        }
    }

    std::uint64_t updates_outside_steps() const override {
        return late_updates_;
    }

    // Growth: only the growing rows are brought up to date (their pending potentiation applied
    // up to the last step); row_synced_ then keeps the catch-up of each of those rows from
    // reaching back before the growth, so a new synapse sees only later postsynaptic spikes.
    void before_growth(std::span<const std::uint32_t> rows) override {
        if (history_.empty()) {
            return;
        }
        const std::int64_t last = step_ - 1;
        std::uint64_t updates = 0;
        for (const std::uint32_t j : rows) {
            catch_up_row(j, last, updates);
            row_synced_[j] = step_;
        }
        late_updates_ += updates;
    }

    void after_growth(std::span<const detail::store_insertion> added) override {
        allocate_histories();  // the first plastic synapses may just have been added
        if (!history_.empty()) {
            for (const detail::store_insertion& e : added) {
                if (e.plastic != 0 && plastic_target_[e.target] == 0) {
                    plastic_target_[e.target] = 1;
                    add_history_slot(e.target);
                }
            }
        }
    }

private:
    static constexpr std::uint32_t chunk = 256;             // neurons per delivery chunk
    static constexpr std::uint64_t prefetch_distance = 16;  // synapses ahead
    // Post spikes kept per history slot between flushes: a flush sweeps every plastic synapse,
    // so few slots (few neurons receiving plastic synapses) keep more, within a 4 MiB budget.
    static std::uint32_t history_capacity_for(std::uint32_t n) {
        const std::uint64_t budget = (std::uint64_t{4} << 20) / sizeof(std::uint32_t);
        return static_cast<std::uint32_t>(
            std::clamp<std::uint64_t>(budget / std::max<std::uint32_t>(n, 1), 64, 4096));
    }
    static constexpr std::size_t max_amplitude_history = 1u << 16;  // steps between flushes

    static std::uint32_t block(int t, int nt, std::uint32_t n) {
        return static_cast<std::uint32_t>(static_cast<std::uint64_t>(n) *
                                          static_cast<std::uint64_t>(t) /
                                          static_cast<std::uint64_t>(nt));
    }

    // Apply to synapse j -> i, whose weight is w, the potentiation of i's recorded spikes at
    // steps [from, to] (in time order), using j's presynaptic trace at each of those steps.
    float catch_up(float w, std::uint32_t j, std::uint32_t i, std::uint8_t cls, std::int64_t from,
                   std::int64_t to, std::uint64_t& updates) const {
        const kernels::post_state& post = state_.post[i];
        if (post.last_spike < from) {
            return w;  // i has not spiked since the window opened: the common case
        }
        if (post.prev_spike < from) {
            // Exactly one spike of i to catch up on: no need to read its history.
            if (post.last_spike <= to && amplitude_at(post.last_spike) != 0.0) {
                w = potentiate(w, j, post.last_spike, cls);
                ++updates;
            }
            return w;
        }
        const std::uint32_t count = history_count_[i];
        const std::uint32_t* h = &history_[std::size_t{history_slot_[i]} * history_capacity_];
        // The window's spikes are the most recent ones: find the first from the end.
        std::uint32_t first = count;
        while (first > 0 && flush_base_ + h[first - 1] >= from) {
            --first;
        }
        for (std::uint32_t e = first; e < count; ++e) {
            const std::int64_t t = flush_base_ + h[e];
            if (t > to) {
                break;
            }
            if (amplitude_at(t) != 0.0) {  // a zero amplitude changes nothing, counts nothing
                w = potentiate(w, j, t, cls);
                ++updates;
            }
        }
        return w;
    }

    double amplitude_at(std::int64_t t) const {
        return amplitude_history_[static_cast<std::size_t>(t - flush_base_)];
    }

    // The potentiation of synapse j -> (weight w, class cls) by a postsynaptic spike at step t.
    float potentiate(float w, std::uint32_t j, std::int64_t t, std::uint8_t cls) const {
        const stdp_step_consts& c = stdp_step();
        return kernels::stdp_post(
            w, pre_trace(j, t),
            amplitude_history_[static_cast<std::size_t>(t - flush_base_)] * c.scale[cls],
            c.bounds[cls]);
    }

    // Propagate one spike of neuron j into `ring`; for plastic segments also apply the pending
    // potentiation before delivery and this step's depression after it.
    std::uint64_t propagate_row(std::uint32_t j, std::int64_t* ring, bool lazy,
                                std::vector<std::uint32_t>* touched) {
        const bool negative = store_.negative[j] != 0;
        const std::uint32_t* target = store_.target.data();
        float* weight = store_.weight.data();
        const stdp_step_consts& c = stdp_step();
        const std::int64_t from = lazy ? pending_from(j) : 0;
        std::uint64_t updates = 0;
        std::uint64_t k = store_.row_begin[j];
        for (std::uint32_t g = store_.segment_begin[j]; g < store_.segment_begin[j + 1]; ++g) {
            const detail::synapse_segment& seg = store_.segments[g];
            const std::size_t slot_index =
                static_cast<std::size_t>(step_ + seg.delay) & (slots_ - 1);
            std::int64_t* slot = ring + slot_index * n_;
            if (touched != nullptr) {
                auto& list = touched[slot_index];
                list.insert(list.end(), target + k, target + seg.end);
            }
            if (lazy && seg.plastic != 0) {
                // post_trace() with what depends only on the row hoisted: same operations, same
                // operands, same order.
                const std::uint8_t cls = seg.plastic;
                const double a_minus = c.a_minus * c.scale[cls];
                const bool depress = c.a_minus != 0.0;  // zero: no change, not counted
                const kernels::stdp_bounds bounds = c.bounds[cls];
                const kernels::post_state* post = state_.post.data();
                const kernels::trace_table post_table = this->post_table();
                const std::int64_t now = step_;
                for (; k < seg.end; ++k) {
                    if (k + prefetch_distance < seg.end) {
                        const std::uint32_t ahead = target[k + prefetch_distance];
                        __builtin_prefetch(post + ahead);
                        __builtin_prefetch(slot + ahead, 1);
                    }
                    const std::uint32_t i = target[k];
                    const kernels::post_state& p = post[i];
                    float w = weight[k];
                    if (p.last_spike >= from) {
                        w = catch_up(w, j, i, cls, from, now - 1, updates);
                    }
                    slot[i] += kernels::to_fixed(w, negative);
                    if (depress) {
                        w = kernels::stdp_pre(
                            w, kernels::trace_at(now, p.last_spike, p.post_after, 0.0, post_table),
                            a_minus, bounds);
                        ++updates;
                    }
                    weight[k] = w;
                }
            } else {
                for (; k < seg.end; ++k) {
                    if (k + prefetch_distance < seg.end) {
                        __builtin_prefetch(slot + target[k + prefetch_distance], 1);
                    }
                    slot[target[k]] += kernels::to_fixed(weight[k], negative);
                }
            }
        }
        return updates;
    }

    // The first step whose postsynaptic spikes are still pending for row j.
    std::int64_t pending_from(std::uint32_t j) const {
        return std::max({last_spike(j), flush_base_, row_synced_[j]});
    }

    // Apply the pending potentiation of row j's plastic synapses up to step `last`.
    void catch_up_row(std::uint32_t j, std::int64_t last, std::uint64_t& updates) {
        const std::int64_t from = pending_from(j);
        float* weight = store_.weight.data();
        std::uint64_t k = store_.row_begin[j];
        for (std::uint32_t g = store_.segment_begin[j]; g < store_.segment_begin[j + 1]; ++g) {
            const std::uint64_t end = store_.segments[g].end;
            const std::uint8_t cls = store_.segments[g].plastic;
            if (cls != 0) {
                for (; k < end; ++k) {
                    weight[k] = catch_up(weight[k], j, store_.target[k], cls, from, last, updates);
                }
            }
            k = end;
        }
    }

    // Lazy potentiation needs per-neuron spike histories once there are plastic synapses, of
    // the neurons that receive one (plastic_target_): no other spike is ever caught up on.
    // Each such neuron has a history slot (history_slot_); slots are allocated in powers of
    // two and the capacity of each is the budget over the slots, so a network whose plastic
    // synapses end on few neurons (the learner's outputs) flushes rarely.
    void allocate_histories() {
        if (stdp_on() && store_.plastic_synapses > 0 && history_.empty()) {
            plastic_target_.assign(n_, 0);
            std::uint64_t k = 0;
            for (const detail::synapse_segment& g : store_.segments) {
                for (; k < g.end; ++k) {
                    if (g.plastic != 0) {
                        plastic_target_[store_.target[k]] = 1;
                    }
                }
            }
            history_slot_.assign(n_, 0);
            history_slots_used_ = 0;
            for (std::uint32_t i = 0; i < n_; ++i) {
                if (plastic_target_[i] != 0) {
                    history_slot_[i] = history_slots_used_++;
                }
            }
            history_slots_ = std::bit_ceil(std::max<std::uint32_t>(history_slots_used_, 1));
            history_capacity_ = history_capacity_for(history_slots_);
            history_count_.assign(n_, 0);
            history_.assign(std::size_t{history_slots_} * history_capacity_, 0);
            row_synced_.assign(n_, 0);
            amplitude_history_.clear();
            amplitude_nonzero_ = false;
            flush_base_ = step_;
            flush_due_ = false;
        }
    }

    // A history slot for neuron i, which has just received its first plastic synapse. When the
    // slots run out, the pending potentiation is applied to every plastic synapse (exact at any
    // time: a flush only does earlier what a later one would) and the histories, now empty,
    // are laid out again with twice the slots.
    void add_history_slot(std::uint32_t i) {
        if (history_slots_used_ == history_slots_) {
            if (step_ > flush_base_) {
                late_updates_ += flush(step_ - 1);
            }
            history_slots_ *= 2;
            history_capacity_ = history_capacity_for(history_slots_);
            history_.assign(std::size_t{history_slots_} * history_capacity_, 0);
        }
        history_slot_[i] = history_slots_used_++;
    }

    // Apply every recorded potentiation up to step `last` to every plastic synapse, then start
    // new histories. Trace states are those after step `last`.
    std::uint64_t flush(std::int64_t last) {
        std::uint64_t total = 0;
        if (!amplitude_nonzero_) {
            // Every potentiation since the last flush had amplitude 0 (no learning, e.g. a
            // frozen pass): nothing to apply, nothing counted.
            std::fill(history_count_.begin(), history_count_.end(), 0);
            amplitude_history_.clear();
            flush_base_ = last + 1;
            flush_due_ = false;
            return 0;
        }
#pragma omp parallel num_threads(threads_) reduction(+ : total) if (n_ >= options_.parallel_neurons)
        {
            const int nt = omp_get_num_threads();
            const int t = omp_get_thread_num();
            const std::uint32_t lo = block(t, nt, n_);
            const std::uint32_t hi = block(t + 1, nt, n_);
            for (std::uint32_t j = lo; j < hi; ++j) {
                catch_up_row(j, last, total);
            }
        }
        std::fill(history_count_.begin(), history_count_.end(), 0);
        amplitude_history_.clear();
        amplitude_nonzero_ = false;
        flush_base_ = last + 1;
        flush_due_ = false;
        return total;
    }

    int threads_;
    std::uint32_t slots_;                                   // ring slots: a power of two
    std::vector<std::vector<std::int64_t>> rings_;          // [thread][slot * n + neuron]
    std::vector<std::vector<std::uint32_t>> local_spikes_;  // [thread]
    std::vector<std::uint64_t> local_counts_;               // [thread]
    std::vector<std::uint64_t> prefix_;
    std::vector<std::size_t> bounds_;

    // Quiet neurons (update_awake): which populations and neurons can sleep, who is awake (a
    // sorted list and a flag), and who was woken since the list was last merged. Sparse
    // delivery: the targets of each slot's events per thread, or the slot marked dense.
    bool any_quiet_ = false;
    std::uint64_t loud_neurons_ = 0;              // neurons of populations that never sleep
    std::vector<std::uint8_t> quiet_population_;  // [population]
    std::vector<std::uint8_t> quiet_neuron_;      // [n]
    std::vector<std::uint8_t> awake_;             // [n]
    std::vector<std::uint32_t> awake_list_;
    std::vector<std::uint32_t> woken_;
    std::vector<std::uint32_t> merge_scratch_;             // merge_woken()'s second buffer
    std::vector<std::vector<std::uint32_t>> local_woken_;  // [thread]
    std::vector<std::size_t> awake_begin_;                 // [population + 1]
    std::vector<std::vector<std::size_t>> local_ends_;     // [thread][population] spike counts
    std::vector<std::vector<std::vector<std::uint32_t>>> touched_;  // [thread][slot]
    std::vector<std::uint8_t> slot_dense_;                          // [slot]

    // Lazy potentiation state.
    std::uint32_t history_capacity_ = 0;        // entries per history slot
    std::uint32_t history_slots_ = 0;           // slots allocated (a power of two)
    std::uint32_t history_slots_used_ = 0;      // slots given to neurons
    std::vector<std::uint32_t> history_slot_;   // [n] slot of a plastic target
    std::vector<std::uint16_t> history_count_;  // [n] spikes recorded since the last flush
    std::vector<std::uint32_t> history_;        // [slots * capacity] their steps - flush_base_
    std::vector<double> amplitude_history_;     // [step - flush_base_] potentiation amplitude
    std::vector<std::int64_t> row_synced_;      // [n] row j is up to date before this step
    std::vector<std::uint8_t> plastic_target_;  // [n] 1: a plastic synapse ends on the neuron
    std::int64_t flush_base_ = 0;               // every potentiation before it is applied
    bool flush_due_ = false;
    bool amplitude_nonzero_ = false;  // a potentiation amplitude since flush_base_ was not 0
    std::uint64_t step_updates_ = 0;
    std::uint64_t late_updates_ = 0;
};

}  // namespace

std::unique_ptr<engine> make_cpu_engine(const network_spec& spec, const engine_options& options,
                                        const engine_snapshot* from) {
    auto e = std::make_unique<cpu_engine>(spec, options, from);
    if (from != nullptr) {
        e->restore(*from);
    }
    return std::make_unique<engine>(std::move(e));
}

}  // namespace hebllm::cpu
