// SPDX-License-Identifier: MIT
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <numbers>
#include <tuple>

#include <hebllm/errors.hpp>

#include "core/model_util.hpp"
#include "core/synapse_store.hpp"
#include "core/kernels/random.hpp"

namespace hebllm::detail {

namespace {

struct row_entry {
    std::uint32_t target;
    float weight;
    std::uint8_t delay;
    std::uint8_t plastic;  // plasticity class, 0 = static
};

// Canonical order inside a row: plastic first, then by delay, target and weight, so that each
// (plastic, delay) pair forms one contiguous segment.
bool row_less(const row_entry& a, const row_entry& b) {
    return std::tuple(a.plastic == 0, a.plastic, a.delay, a.target, a.weight) <
           std::tuple(b.plastic == 0, b.plastic, b.delay, b.target, b.weight);
}

// A target population of a projection, as a range of global ids.
struct id_range {
    std::uint32_t begin;
    std::uint32_t size;
};

struct projection_plan {
    const projection* pr;
    std::uint32_t index;  // projection index: selects the random streams
    std::uint32_t src_begin;
    std::uint32_t src_end;
    std::vector<id_range> dst;  // the target populations, in the order named
    std::uint32_t dst_size;     // their total size
    std::uint8_t delay_min;
    std::uint8_t delay_max;
    std::uint8_t plastic_class;  // 0: static

    // Position of global neuron id g within the target union, or dst_size if absent.
    std::uint32_t local_of(std::uint32_t g) const {
        std::uint32_t before = 0;
        for (const id_range& r : dst) {
            if (g >= r.begin && g < r.begin + r.size) {
                return before + (g - r.begin);
            }
            before += r.size;
        }
        return dst_size;
    }
    std::uint32_t global_of(std::uint32_t local) const {
        for (const id_range& r : dst) {
            if (local < r.size) {
                return r.begin + local;
            }
            local -= r.size;
        }
        return 0;  // unreachable for local < dst_size
    }
};

float draw_weight(const weight_dist& w, double u1, double u2) {
    double value = w.a;
    switch (w.kind) {
        case weight_dist_kind::constant: break;
        case weight_dist_kind::uniform: value = w.a + (w.b - w.a) * u1; break;
        case weight_dist_kind::normal:
        case weight_dist_kind::lognormal: {
            // Box-Muller; 1 - u1 lies in (0, 1] so the logarithm is finite.
            const double z =
                std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(2.0 * std::numbers::pi * u2);
            value = w.a + w.b * z;
            if (w.kind == weight_dist_kind::lognormal) {
                value = std::exp(value);
            }
            break;
        }
    }
    value = std::clamp(value * w.scale, w.clip_min, w.clip_max);
    return static_cast<float>(value);
}

// Append the synapses that projection `plan` gives source neuron `src` (global id).
void generate_row(const projection_plan& plan, std::uint32_t src, std::uint64_t seed,
                  std::vector<std::uint8_t>& chosen, std::vector<std::uint32_t>& picks,
                  std::vector<row_entry>& row) {
    const projection& pr = *plan.pr;
    // Autapses are excluded by skipping the source's own position in the target union.
    const std::uint32_t self_local = plan.local_of(src);
    const bool same = self_local < plan.dst_size;
    const auto connect_stream =
        static_cast<std::uint32_t>(kernels::rng_stream::connect) + plan.index;
    std::uint64_t counter = 0;
    picks.clear();
    if (pr.rule == connect_rule_kind::bernoulli) {
        const double p = pr.density;
        if (p >= 1.0) {
            for (std::uint32_t t = 0; t < plan.dst_size; ++t) {
                if (!(same && !pr.autapses && t == self_local)) {
                    picks.push_back(t);
                }
            }
        } else if (p > 0.0) {
            // Geometric gaps between successive targets: O(out-degree) draws per row.
            const double log_q = std::log1p(-p);
            std::uint64_t pos = 0;
            while (true) {
                const auto u = kernels::uniform2(seed, connect_stream, src, counter++);
                for (const double ui : u) {
                    const double gap = std::floor(std::log(1.0 - ui) / log_q);
                    if (gap >= static_cast<double>(plan.dst_size)) {
                        pos = plan.dst_size;
                    } else {
                        pos += static_cast<std::uint64_t>(gap);
                    }
                    if (pos >= plan.dst_size) {
                        break;
                    }
                    const auto t = static_cast<std::uint32_t>(pos);
                    if (!(same && !pr.autapses && t == self_local)) {
                        picks.push_back(t);
                    }
                    ++pos;
                }
                if (pos >= plan.dst_size) {
                    break;
                }
            }
        }
    } else {
        // Floyd's algorithm: outdegree distinct targets out of the available ones.
        const bool skip_self = same && !pr.autapses;
        const std::uint32_t available = plan.dst_size - (skip_self ? 1u : 0u);
        const std::uint32_t k = pr.outdegree;
        std::array<double, 2> u{};
        for (std::uint32_t r = available - k; r < available; ++r) {
            const std::uint32_t draw = r - (available - k);  // both uniforms of a call are used
            if (draw % 2 == 0) {
                u = kernels::uniform2(seed, connect_stream, src, counter++);
            }
            auto t = static_cast<std::uint32_t>(u[draw % 2] * (static_cast<double>(r) + 1.0));
            t = std::min(t, r);
            const std::uint32_t pick = chosen[t] ? r : t;
            chosen[pick] = 1;
            picks.push_back(pick);
        }
        if (available <= 64u * k) {
            // Dense enough: read the chosen set back in order instead of sorting it.
            picks.clear();
            for (std::uint32_t t = 0; t < available; ++t) {
                if (chosen[t] != 0) {
                    chosen[t] = 0;
                    picks.push_back(t);
                }
            }
        } else {
            for (std::uint32_t t : picks) {
                chosen[t] = 0;
            }
            std::sort(picks.begin(), picks.end());
        }
        if (skip_self) {
            for (std::uint32_t& t : picks) {
                t += t >= self_local ? 1u : 0u;  // map [0, available) onto the others than src
            }
        }
    }

    const auto weight_stream = static_cast<std::uint32_t>(kernels::rng_stream::weight) + plan.index;
    const unsigned span = static_cast<unsigned>(plan.delay_max - plan.delay_min) + 1u;
    for (std::size_t i = 0; i < picks.size(); ++i) {
        const auto uw = pr.weight.kind == weight_dist_kind::constant
                            ? std::array<double, 2>{}
                            : kernels::uniform2(seed, weight_stream, src, 2 * i);
        std::uint8_t delay = plan.delay_min;
        if (span > 1) {
            const auto ud = kernels::uniform2(seed, weight_stream, src, 2 * i + 1);
            const auto extra = std::min(static_cast<unsigned>(ud[0] * span), span - 1);
            delay = static_cast<std::uint8_t>(plan.delay_min + extra);
        }
        row.push_back({plan.global_of(picks[i]), draw_weight(pr.weight, uw[0], uw[1]), delay,
                       plan.plastic_class});
    }
}

}  // namespace

std::uint64_t synapse_store::bytes() const {
    return row_begin.size() * sizeof(std::uint64_t) + segment_begin.size() * sizeof(std::uint32_t) +
           segments.size() * sizeof(synapse_segment) + target.size() * sizeof(std::uint32_t) +
           weight.size() * sizeof(float) + negative.size();
}

double expected_synapses(const network_spec& spec) {
    double expected = static_cast<double>(spec.synapses.size());
    for (const projection& pr : spec.projections) {
        const double sources = spec.find(pr.source).size;
        if (pr.rule == connect_rule_kind::bernoulli) {
            double targets = 0.0;
            for (const std::string& name : split_union(pr.target)) {
                targets += spec.find(name).size;
            }
            expected += pr.density * sources * targets;
        } else {
            expected += static_cast<double>(pr.outdegree) * sources;
        }
    }
    return expected;
}

std::uint64_t estimate_engine_bytes(const network_spec& spec, int threads) {
    const double n = spec.neuron_count();
    const double synapses = expected_synapses(spec);
    double max_delay = 1.0;
    for (const projection& pr : spec.projections) {
        max_delay = std::max(max_delay, std::round(pr.delay_max_ms / spec.dt_ms));
    }
    for (const synapse_entry& e : spec.synapses) {
        max_delay = std::max(max_delay, std::round(e.delay_ms / spec.dt_ms));
    }
    const double slots = std::exp2(std::ceil(std::log2(max_delay + 1.0)));
    const double bytes = synapses * 8.0 * 1.05                         // targets, weights (+5 %)
                         + n * (8.0 + 4.0 + 16.0 * 2.0 + 1.0)          // rows, segments
                         + n * 200.0                                   // neuron state, traces
                         + n * slots * 8.0 * std::max(1, threads)      // delay rings
                         + (spec.stdp.enabled ? n * 64.0 * 4.0 : 0.0)  // spike histories
                         + synapses * 24.0 / 1000.0;  // construction: one row at a time
    return static_cast<std::uint64_t>(bytes);
}

synapse_store build_synapses(const network_spec& spec) {
    synapse_store s;
    const std::uint32_t n = spec.neuron_count();
    s.neuron_count = n;

    std::vector<std::uint32_t> offsets;
    std::uint32_t off = 0;
    for (const auto& p : spec.populations) {
        offsets.push_back(off);
        off += p.size;
    }
    s.negative.assign(n, 0);
    for (std::size_t k = 0; k < spec.populations.size(); ++k) {
        if (spec.populations[k].inhibitory) {
            std::fill_n(s.negative.begin() + offsets[k], spec.populations[k].size, 1);
        }
    }

    // Plasticity classes: one per distinct STDP scale, class 0 is static.
    const auto class_of = [&](double scale) {
        for (std::size_t c = 1; c < s.stdp_scale.size(); ++c) {
            if (s.stdp_scale[c] == scale) {
                return static_cast<std::uint8_t>(c);
            }
        }
        if (s.stdp_scale.size() > 255) {
            throw model_error("more than 255 distinct stdp_scale values");
        }
        s.stdp_scale.push_back(scale);
        return static_cast<std::uint8_t>(s.stdp_scale.size() - 1);
    };
    std::vector<projection_plan> plans;
    std::uint32_t largest_target = 1;
    for (std::size_t k = 0; k < spec.projections.size(); ++k) {
        const projection& pr = spec.projections[k];
        const population& src = spec.find(pr.source);
        projection_plan plan{};
        plan.pr = &pr;
        plan.index = static_cast<std::uint32_t>(k);
        plan.src_begin = spec.offset(pr.source);
        plan.src_end = plan.src_begin + src.size;
        plan.dst_size = 0;
        for (const std::string& name : split_union(pr.target)) {
            const std::uint32_t size = spec.find(name).size;
            plan.dst.push_back({spec.offset(name), size});
            plan.dst_size += size;
        }
        plan.delay_min = static_cast<std::uint8_t>(delay_steps(pr.delay_min_ms, spec.dt_ms));
        plan.delay_max = static_cast<std::uint8_t>(delay_steps(pr.delay_max_ms, spec.dt_ms));
        largest_target = std::max(largest_target, plan.dst_size);
        plan.plastic_class = pr.plastic ? class_of(pr.stdp_scale) : std::uint8_t{0};
        plans.push_back(plan);
    }

    // Explicit synapses grouped by source, in file order within a source.
    const std::uint8_t explicit_class = spec.synapses.empty() ? std::uint8_t{0} : class_of(1.0);
    std::vector<std::uint32_t> explicit_order(spec.synapses.size());
    for (std::uint32_t k = 0; k < explicit_order.size(); ++k) {
        explicit_order[k] = k;
    }
    std::stable_sort(explicit_order.begin(), explicit_order.end(),
                     [&](std::uint32_t a, std::uint32_t b) {
                         return spec.synapses[a].pre < spec.synapses[b].pre;
                     });

    const auto reserve = static_cast<std::size_t>(expected_synapses(spec) * 1.05 + 1024.0);
    s.target.reserve(reserve);
    s.weight.reserve(reserve);
    s.row_begin.assign(n + 1, 0);
    s.segment_begin.assign(n + 1, 0);

    std::vector<std::uint8_t> chosen(largest_target, 0);
    std::vector<std::uint32_t> picks;
    std::vector<row_entry> row;
    std::size_t next_explicit = 0;
    for (std::uint32_t j = 0; j < n; ++j) {
        row.clear();
        for (const projection_plan& plan : plans) {
            if (j >= plan.src_begin && j < plan.src_end) {
                generate_row(plan, j, spec.seed, chosen, picks, row);
            }
        }
        while (next_explicit < explicit_order.size() &&
               spec.synapses[explicit_order[next_explicit]].pre == j) {
            const synapse_entry& e = spec.synapses[explicit_order[next_explicit++]];
            row.push_back({e.post, static_cast<float>(std::fabs(e.weight)),
                           static_cast<std::uint8_t>(delay_steps(e.delay_ms, spec.dt_ms)),
                           e.plastic ? explicit_class : std::uint8_t{0}});
        }
        if (!std::is_sorted(row.begin(), row.end(), row_less)) {
            std::sort(row.begin(), row.end(), row_less);
        }
        if (s.target.size() + row.size() > max_synapses) {
            throw model_error("the network has more than " + std::to_string(max_synapses) +
                              " synapses, the most hebllm supports");
        }
        for (std::size_t k = 0; k < row.size(); ++k) {
            const row_entry& e = row[k];
            s.target.push_back(e.target);
            s.weight.push_back(e.weight);
            s.max_delay = std::max<std::uint32_t>(s.max_delay, e.delay);
            s.plastic_synapses += e.plastic != 0 ? 1u : 0u;
            const bool last = k + 1 == row.size() || row[k + 1].plastic != e.plastic ||
                              row[k + 1].delay != e.delay;
            if (last) {
                s.segments.push_back({s.target.size(), e.delay, e.plastic});
            }
        }
        s.row_begin[j + 1] = s.target.size();
        s.segment_begin[j + 1] = static_cast<std::uint32_t>(s.segments.size());
    }
    s.target.shrink_to_fit();
    s.weight.shrink_to_fit();
    s.segments.shrink_to_fit();
    return s;
}

}  // namespace hebllm::detail

namespace hebllm::detail {

namespace {

// Removes, in place, every synapse for which drop(source, segment, k) is true, keeping the
// order of the rest: every write index is <= the read index it comes from, and row j's offsets
// are overwritten only after they were read. Returns how many were removed.
template <class Drop>
std::uint64_t remove_synapses_if(synapse_store& s, Drop drop) {
    std::uint64_t write = 0;
    std::uint32_t segment_write = 0;
    s.plastic_synapses = 0;
    for (std::uint32_t j = 0; j < s.neuron_count; ++j) {
        std::uint64_t k = s.row_begin[j];
        const std::uint32_t g0 = s.segment_begin[j];
        const std::uint32_t g1 = s.segment_begin[j + 1];
        s.row_begin[j] = write;
        s.segment_begin[j] = segment_write;
        for (std::uint32_t g = g0; g < g1; ++g) {
            const synapse_segment seg = s.segments[g];
            const std::uint64_t first = write;
            for (; k < seg.end; ++k) {
                if (drop(j, seg, k)) {
                    continue;
                }
                s.target[write] = s.target[k];
                s.weight[write] = s.weight[k];
                ++write;
            }
            if (write > first) {
                s.segments[segment_write++] = {write, seg.delay, seg.plastic};
                if (seg.plastic != 0) {
                    s.plastic_synapses += write - first;
                }
            }
        }
    }
    const std::uint64_t removed = s.target.size() - write;
    s.row_begin[s.neuron_count] = write;
    s.segment_begin[s.neuron_count] = segment_write;
    s.target.resize(write);
    s.weight.resize(write);
    s.segments.resize(segment_write);
    s.target.shrink_to_fit();
    s.weight.shrink_to_fit();
    s.segments.shrink_to_fit();
    return removed;
}

}  // namespace

std::uint64_t prune_plastic(synapse_store& s, float below) {
    return remove_synapses_if(s, [&](std::uint32_t, const synapse_segment& seg, std::uint64_t k) {
        return seg.plastic != 0 && s.weight[k] < below;
    });
}

std::uint64_t remove_synapses_of(synapse_store& s, std::span<const std::uint8_t> marked) {
    return remove_synapses_if(s, [&](std::uint32_t j, const synapse_segment&, std::uint64_t k) {
        return marked[j] != 0 || marked[s.target[k]] != 0;
    });
}

}  // namespace hebllm::detail

namespace hebllm::detail {

namespace {

// build_synapses()'s row order: plastic segments first, then by class and delay; within a
// segment by target, then weight.
auto insertion_key(const store_insertion& e) {
    return std::tuple(e.pre, e.plastic == 0, e.plastic, e.delay, e.target, e.weight);
}

// Index of segment (plastic, delay) in row j, or segment_begin[j + 1] if the row has none.
std::uint32_t find_segment(const synapse_store& s, std::uint32_t j, std::uint8_t plastic,
                           std::uint8_t delay) {
    for (std::uint32_t g = s.segment_begin[j]; g < s.segment_begin[j + 1]; ++g) {
        if (s.segments[g].plastic == plastic && s.segments[g].delay == delay) {
            return g;
        }
    }
    return s.segment_begin[j + 1];
}

}  // namespace

std::uint64_t drop_existing(const synapse_store& s, std::vector<store_insertion>& add) {
    std::sort(add.begin(), add.end(), [](const store_insertion& a, const store_insertion& b) {
        return insertion_key(a) < insertion_key(b);
    });
    std::size_t write = 0;
    for (std::size_t r = 0; r < add.size(); ++r) {
        const store_insertion& e = add[r];
        if (write > 0) {
            const store_insertion& prev = add[write - 1];
            if (prev.pre == e.pre && prev.plastic == e.plastic && prev.delay == e.delay &&
                prev.target == e.target) {
                continue;  // asked for twice
            }
        }
        const std::uint32_t g = find_segment(s, e.pre, e.plastic, e.delay);
        if (g < s.segment_begin[e.pre + 1]) {
            const std::uint64_t begin =
                g == s.segment_begin[e.pre] ? s.row_begin[e.pre] : s.segments[g - 1].end;
            const auto first = s.target.begin() + static_cast<std::ptrdiff_t>(begin);
            const auto last = s.target.begin() + static_cast<std::ptrdiff_t>(s.segments[g].end);
            if (std::binary_search(first, last, e.target)) {
                continue;  // already there
            }
        }
        add[write++] = e;
    }
    const std::uint64_t dropped = add.size() - write;
    add.resize(write);
    return dropped;
}

namespace {

// Row j's old synapses merged with its new entries add[a0, a1) (both in row order) into
// tt/ww/gg, segment ends counted from `offset` (the row's new first index).
void merge_row(const synapse_store& s, std::uint32_t j, const std::vector<store_insertion>& add,
               std::size_t a0, std::size_t a1, std::uint64_t offset, std::vector<std::uint32_t>& tt,
               std::vector<float>& ww, std::vector<synapse_segment>& gg) {
    tt.clear();
    ww.clear();
    gg.clear();
    std::uint64_t k = s.row_begin[j];
    std::uint32_t g = s.segment_begin[j];
    const std::uint32_t g_end = s.segment_begin[j + 1];
    std::size_t a = a0;
    const auto close = [&](std::uint8_t delay, std::uint8_t plastic) {
        gg.push_back({offset + tt.size(), delay, plastic});
    };
    constexpr auto none = std::tuple(true, std::uint8_t{255}, std::uint8_t{255});
    while (g < g_end || a < a1) {
        const auto old_key = g < g_end ? std::tuple(s.segments[g].plastic == 0,
                                                    s.segments[g].plastic, s.segments[g].delay)
                                       : none;
        const auto new_key =
            a < a1 ? std::tuple(add[a].plastic == 0, add[a].plastic, add[a].delay) : none;
        if (g < g_end && (a >= a1 || old_key < new_key)) {
            for (; k < s.segments[g].end; ++k) {
                tt.push_back(s.target[k]);
                ww.push_back(s.weight[k]);
            }
            close(s.segments[g].delay, s.segments[g].plastic);
            ++g;
            continue;
        }
        const std::uint8_t plastic = add[a].plastic;
        const std::uint8_t delay = add[a].delay;
        const bool shared = g < g_end && old_key == new_key;
        const std::uint64_t old_end = shared ? s.segments[g].end : k;
        while (k < old_end || (a < a1 && add[a].plastic == plastic && add[a].delay == delay)) {
            const bool take_new = a < a1 && add[a].plastic == plastic && add[a].delay == delay &&
                                  (k >= old_end || std::pair(add[a].target, add[a].weight) <
                                                       std::pair(s.target[k], s.weight[k]));
            if (take_new) {
                tt.push_back(add[a].target);
                ww.push_back(add[a].weight);
                ++a;
            } else {
                tt.push_back(s.target[k]);
                ww.push_back(s.weight[k]);
                ++k;
            }
        }
        close(delay, plastic);
        if (shared) {
            ++g;
        }
    }
}

}  // namespace

void insert_synapses(synapse_store& s, const std::vector<store_insertion>& add) {
    if (add.empty()) {
        return;
    }
    // The growing rows, their entries in `add`, and their old bounds (read before any move).
    struct grow_row {
        std::uint32_t j;
        std::size_t a0, a1;
        std::uint64_t begin, end;  // old synapse range
        std::uint32_t g0, g1;      // old segment range
    };
    std::vector<grow_row> rows;
    for (std::size_t a = 0; a < add.size();) {
        const std::uint32_t j = add[a].pre;
        std::size_t b = a;
        while (b < add.size() && add[b].pre == j) {
            ++b;
        }
        if (!rows.empty() && rows.back().j >= j) {
            throw internal_error("insert_synapses: entries out of row order");
        }
        rows.push_back({j, a, b, s.row_begin[j], s.row_begin[j + 1], s.segment_begin[j],
                        s.segment_begin[j + 1]});
        a = b;
    }
    // Each row merged once into scratch; its size and segment count give the shifts.
    std::vector<std::vector<std::uint32_t>> row_targets(rows.size());
    std::vector<std::vector<float>> row_weights(rows.size());
    std::vector<std::vector<synapse_segment>> row_segments(rows.size());
    std::uint64_t grow = 0;
    std::uint64_t grow_segments = 0;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        merge_row(s, rows[r].j, add, rows[r].a0, rows[r].a1, 0, row_targets[r], row_weights[r],
                  row_segments[r]);
        grow += row_targets[r].size() - (rows[r].end - rows[r].begin);
        grow_segments += row_segments[r].size() - (rows[r].g1 - rows[r].g0);
    }
    const std::uint64_t old_size = s.target.size();
    const std::uint64_t old_segments = s.segments.size();
    s.target.resize(old_size + grow);
    s.weight.resize(old_size + grow);
    s.segments.resize(old_segments + grow_segments);
    // From the last growing row back: move the unchanged rows after it right by the growth of
    // the rows up to it (one memmove per run of rows), then write the merged row.
    std::uint64_t shift = grow;
    std::uint64_t segment_shift = grow_segments;
    for (std::size_t r = rows.size(); r-- > 0;) {
        const grow_row& g = rows[r];
        const std::uint64_t run_end = r + 1 < rows.size() ? rows[r + 1].begin : old_size;
        const std::uint32_t seg_end =
            r + 1 < rows.size() ? rows[r + 1].g0 : static_cast<std::uint32_t>(old_segments);
        const std::uint32_t last_row = r + 1 < rows.size() ? rows[r + 1].j : s.neuron_count;
        if (run_end > g.end && shift > 0) {
            std::memmove(s.target.data() + g.end + shift, s.target.data() + g.end,
                         (run_end - g.end) * sizeof(std::uint32_t));
            std::memmove(s.weight.data() + g.end + shift, s.weight.data() + g.end,
                         (run_end - g.end) * sizeof(float));
        }
        if (seg_end > g.g1) {
            std::memmove(s.segments.data() + g.g1 + segment_shift, s.segments.data() + g.g1,
                         (seg_end - g.g1) * sizeof(synapse_segment));
            synapse_segment* const moved = s.segments.data() + segment_shift;
            for (std::size_t q = g.g1; q < std::size_t{seg_end}; ++q) {
                moved[q].end += shift;
            }
        }
        // Two plain loops over raw pointers with a countable trip (64-bit index): each
        // vectorises (this is most of an insertion's time when the rows after the growing one
        // are many).
        const std::size_t from = std::size_t{g.j} + 1;
        const std::size_t to = std::size_t{last_row} + 1;
        std::uint64_t* const row_begin = s.row_begin.data();
        for (std::size_t j = from; j < to; ++j) {
            row_begin[j] += shift;
        }
        if (segment_shift > 0) {
            std::uint32_t* const segment_begin = s.segment_begin.data();
            const auto by = static_cast<std::uint32_t>(segment_shift);
            for (std::size_t j = from; j < to; ++j) {
                segment_begin[j] += by;
            }
        }
        // The merged row, at its new place.
        const std::uint64_t grew = row_targets[r].size() - (g.end - g.begin);
        const std::uint64_t grew_segments = row_segments[r].size() - (g.g1 - g.g0);
        shift -= grew;
        segment_shift -= grew_segments;
        const std::uint64_t at = g.begin + shift;
        std::copy(row_targets[r].begin(), row_targets[r].end(), s.target.begin() + at);
        std::copy(row_weights[r].begin(), row_weights[r].end(), s.weight.begin() + at);
        for (std::size_t q = 0; q < row_segments[r].size(); ++q) {
            synapse_segment seg = row_segments[r][q];
            seg.end += at;
            s.segments[g.g0 + segment_shift + q] = seg;
            s.max_delay = std::max<std::uint32_t>(s.max_delay, seg.delay);
        }
        for (std::size_t a = g.a0; a < g.a1; ++a) {
            s.plastic_synapses += add[a].plastic != 0 ? 1u : 0u;
        }
    }
}

}  // namespace hebllm::detail
