// SPDX-License-Identifier: MIT
// The spiking learner on a synthetic Markov source whose entropies are known in closed form:
// it must learn (beat the unigram entropy and its own plasticity-off control), be
// deterministic, leave weights alone when frozen, and refuse bad input
// (docs/learner.md).

#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <hebllm/checkpoint.hpp>
#include <hebllm/engine.hpp>
#include <hebllm/errors.hpp>
#include <hebllm/lang/learner.hpp>
#include <hebllm/lang/model_file.hpp>
#include <hebllm/lang/predictor.hpp>

namespace hebllm::lang {
namespace {

// V tokens; after token a the next is (a + 1) % V or (a + 5) % V with probability 0.45 each,
// any token with probability 0.1 / V. Stationary distribution: uniform.
constexpr std::uint32_t vocab = 16;

// Uniform doubles in [0, 1) from a 64-bit LCG: the test sources' randomness.
struct uniform_source {
    std::uint64_t x;
    double operator()() {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<double>(x >> 11) * 0x1.0p-53;
    }
};

std::vector<std::uint32_t> markov_stream(std::size_t n, std::uint64_t seed) {
    std::vector<std::uint32_t> out;
    uniform_source next_uniform{seed};
    std::uint32_t a = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const double u = next_uniform();
        if (u < 0.45) {
            a = (a + 1) % vocab;
        } else if (u < 0.9) {
            a = (a + 5) % vocab;
        } else {
            a = static_cast<std::uint32_t>(next_uniform() * vocab) % vocab;
        }
        out.push_back(a);
    }
    return out;
}

// The entropy of the next token given the current one, in bits.
double conditional_entropy() {
    const double p_big = 0.45 + 0.1 / vocab;
    const double p_small = 0.1 / vocab;
    return -2.0 * p_big * std::log2(p_big) - (vocab - 2) * p_small * std::log2(p_small);
}

double frozen_bits(network_learner& m, const std::vector<std::uint32_t>& stream) {
    std::vector<double> p(m.vocab_size());
    double bits = 0.0;
    for (const std::uint32_t t : stream) {
        m.predict(p);
        double sum = 0.0;
        for (const double x : p) {
            sum += x;
        }
        EXPECT_NEAR(sum, 1.0, 1e-9);
        bits -= std::log2(p[t]);
        m.observe(t, false);
    }
    return bits / static_cast<double>(stream.size());
}

learner_params small_params() {
    learner_params p;
    p.vocab_size = vocab;
    p.conjunction_units_2 = 256;  // every (t - 1, t) pair of 16 tokens
    p.conjunction_units_3 = 2048;
    return p;
}

TEST(learner, learns_a_markov_source_and_beats_its_controls) {
    const auto train = markov_stream(4000, 1);
    const auto validation = markov_stream(500, 2);
    const auto test = markov_stream(1000, 3);
    const double unigram = std::log2(static_cast<double>(vocab));  // stationary: uniform

    network_learner net(small_params(), "cpu");
    for (const std::uint32_t t : train) {
        net.observe(t, true);
    }
    net.fit_readout(validation);
    const double learned = frozen_bits(net, test);
    // The spike-count decoder (output spikes alone, smoothing fitted on validation) predicts
    // too, less well than the drive.
    net.set_readout(network_learner::readout::spike_counts);
    const double spikes = frozen_bits(net, test);
    net.set_readout(network_learner::readout::drive);
    EXPECT_LT(spikes, std::log2(static_cast<double>(vocab)) - 0.5);
    EXPECT_GT(spikes, learned);
    EXPECT_GT(net.spike_alpha(), 0.0);

    learner_params off = small_params();
    off.plastic = false;
    network_learner control(off, "cpu");
    for (const std::uint32_t t : train) {
        control.observe(t, true);
    }
    control.fit_readout(validation);
    const double control_bits = frozen_bits(control, test);

    std::printf(
        "[ learner ] %.3f bits/token (source %.3f, unigram %.3f, plasticity off %.3f, "
        "spike-count decoder %.3f)\n",
        learned, conditional_entropy(), unigram, control_bits, spikes);
    EXPECT_LT(learned, unigram - 1.0);
    EXPECT_LT(learned, control_bits - 1.0);
    EXPECT_GT(learned, conditional_entropy() - 0.05);  // nothing beats the source itself
    EXPECT_NEAR(control_bits, unigram, 0.05);
}

TEST(learner, same_seed_same_predictions_and_frozen_changes_no_weight) {
    const auto train = markov_stream(600, 5);
    network_learner a(small_params(), "cpu");
    network_learner b(small_params(), "reference");
    for (const std::uint32_t t : train) {
        a.observe(t, true);
        b.observe(t, true);
    }
    std::vector<double> pa(vocab);
    std::vector<double> pb(vocab);
    a.predict(pa);
    b.predict(pb);
    EXPECT_EQ(pa, pb);
    const auto before = a.network().synapses();
    for (const std::uint32_t t : markov_stream(200, 6)) {
        a.predict(pa);
        a.observe(t, false);
    }
    const auto after = a.network().synapses();
    ASSERT_EQ(before.size(), after.size());
    for (std::size_t k = 0; k < before.size(); ++k) {
        ASSERT_EQ(before[k].weight, after[k].weight) << "synapse " << k;
    }
}

TEST(learner, sleep_prunes_weak_synapses_and_keeps_what_was_learned) {
    learner_params p = small_params();
    p.sleep_every = 1000;
    p.sleep_prune_below = 1e-3;
    network_learner net(p, "cpu");
    const std::uint64_t before = net.network().synapse_count();
    for (const std::uint32_t t : markov_stream(4000, 1)) {
        net.observe(t, true);
        ASSERT_EQ(net.network().current_step() % p.window_steps, 0) << "window out of step";
    }
    EXPECT_EQ(net.network().consolidations(), 4u);
    EXPECT_GT(net.pruned_synapses(), 0u);
    EXPECT_EQ(net.network().synapse_count(), before + net.grown_synapses() - net.pruned_synapses());
    net.fit_readout(markov_stream(500, 2));
    EXPECT_LT(frozen_bits(net, markov_stream(1000, 3)), std::log2(double{vocab}) - 1.0);
}

// A flat order-3 unit (units3_from_units2 = false, as in the random pool) wired to token 1 at
// t - 2, token 2 at t - 1 and token 3 at t fires when exactly that combination is presented
// and for no other: the delay lines' neurons are forced to spike as they would during a
// presentation.
TEST(learner, conjunction_unit_fires_only_for_its_combination) {
    learner_params p = small_params();
    p.vocab_size = 6;
    p.conjunction_order = 3;
    p.grow_outputs = true;
    p.conjunction_units_2 = 4;
    p.conjunction_units_3 = 4;
    p.units3_from_units2 = false;
    const network_spec net = make_learner_network(p);
    const std::uint32_t s = p.sensory_per_token;
    const std::uint32_t unit = net.offset("units3") + 2;
    const std::array<std::uint32_t, 3> line = {net.offset("sensory"), net.offset("context"),
                                               net.offset("context2")};
    const std::array<std::uint32_t, 3> wired = {3, 2, 1};  // t, t - 1, t - 2
    int combinations = 0;
    for (std::uint32_t a = 0; a < 6; ++a) {
        for (std::uint32_t b = 0; b < 6; ++b) {
            for (std::uint32_t c = 0; c < 6; ++c) {
                auto e = make_engine(net, "cpu");
                std::vector<synapse_growth> g;
                for (std::uint32_t pos = 0; pos < 3; ++pos) {
                    for (std::uint32_t j = 0; j < s; ++j) {
                        synapse_growth x;
                        x.pre = line[pos] + wired[pos] * s + j;
                        x.post = unit;
                        x.weight = 1.0f;
                        g.push_back(x);
                    }
                }
                ASSERT_EQ(e->add_synapses(g).added, 3 * s);
                const std::array<std::uint32_t, 3> shown = {c, b, a};
                std::uint32_t spikes = 0;
                for (int step = 0; step < 12; ++step) {
                    e->step([&](std::int64_t, double, input_sink& in) {
                        for (std::uint32_t pos = 0; pos < 3; ++pos) {
                            for (std::uint32_t j = 0; j < s; ++j) {
                                in.spike(line[pos] + shown[pos] * s + j);
                            }
                        }
                    });
                    for (const std::uint32_t i : e->last_spikes()) {
                        spikes += i == unit ? 1u : 0u;
                    }
                }
                const bool mine = a == 1 && b == 2 && c == 3;
                // Inputs from step 0 arrive at the end of step 1: it fires in steps 2, 4, ..., 10
                // (the input of a step in which it fired is delivered before its reset).
                EXPECT_EQ(spikes, mine ? 5u : 0u) << a << " " << b << " " << c;
                ++combinations;
            }
        }
    }
    EXPECT_EQ(combinations, 216);
}

// The hierarchical order-3 unit (the default): wired as recruitment wires it, to the order-2
// delay line's replay of unit (1, 2) and to unit (2, 3), it fires only when tokens 1, 2, 3 are
// presented in three consecutive windows, through the network's own delay lines: only the
// sensory neurons are driven. Every order-2 unit (x, y) is wired as its recruitment would.
TEST(learner, hierarchical_conjunction_unit_fires_only_for_its_combination) {
    learner_params p = small_params();
    p.vocab_size = 6;
    p.conjunction_order = 3;
    p.conjunction_units_2 = 36;
    p.conjunction_units_3 = 4;
    ASSERT_TRUE(hierarchical_units(p));
    const network_spec net = make_learner_network(p);
    const std::uint32_t s = p.sensory_per_token;
    const std::uint32_t sensory = net.offset("sensory");
    const std::uint32_t context = net.offset("context");
    const std::uint32_t units2 = net.offset("units2");
    const std::uint32_t delayed = net.offset("units2_delayed");
    const std::uint32_t unit = net.offset("units3") + 2;
    std::vector<synapse_growth> g;
    const auto grow = [&](std::uint32_t pre, std::uint32_t post, std::uint32_t delay) {
        synapse_growth x;
        x.pre = pre;
        x.post = post;
        x.weight = 1.0f;
        x.delay_steps = delay;
        g.push_back(x);
    };
    for (std::uint32_t x = 0; x < 6; ++x) {
        for (std::uint32_t y = 0; y < 6; ++y) {
            for (std::uint32_t j = 0; j < s; ++j) {
                grow(context + x * s + j, units2 + x * 6 + y, 1);
                grow(sensory + y * s + j, units2 + x * 6 + y, 1);
            }
            grow(units2 + x * 6 + y, delayed + x * 6 + y, p.window_steps - 3);
        }
    }
    grow(delayed + 1 * 6 + 2, unit, 1);
    grow(units2 + 2 * 6 + 3, unit, 1);
    int combinations = 0;
    for (std::uint32_t a = 0; a < 6; ++a) {
        for (std::uint32_t b = 0; b < 6; ++b) {
            for (std::uint32_t c = 0; c < 6; ++c) {
                auto e = make_engine(net, "cpu");
                ASSERT_EQ(e->add_synapses(g).added, g.size());
                const std::array<std::uint32_t, 3> shown = {a, b, c};
                std::vector<std::uint32_t> fired;  // window steps of the unit's spikes
                for (std::uint32_t w = 0; w < 3; ++w) {
                    for (std::uint32_t k = 0; k < p.window_steps; ++k) {
                        e->step([&](std::int64_t, double, input_sink& in) {
                            for (std::uint32_t j = 0; j < s && k < p.present_steps; ++j) {
                                in.spike(sensory + shown[w] * s + j);
                            }
                        });
                        for (const std::uint32_t i : e->last_spikes()) {
                            if (i == unit) {
                                fired.push_back(w * p.window_steps + k);
                            }
                        }
                    }
                }
                const bool mine = a == 1 && b == 2 && c == 3;
                // Order-2 units spike at steps 2, 4, ..., 12 of their window (the flat test
                // above), the delay line replays them at steps 0, 2, ..., 10 of the next, and a
                // spike is felt two steps later: the unit fires at steps 4, 6, ..., 12 of the
                // third window.
                const std::vector<std::uint32_t> expected =
                    mine ? std::vector<std::uint32_t>{44, 46, 48, 50, 52}
                         : std::vector<std::uint32_t>{};
                EXPECT_EQ(fired, expected) << a << " " << b << " " << c;
                ++combinations;
            }
        }
    }
    EXPECT_EQ(combinations, 216);
}

// A second-order source: the next token is a function of the last two with probability 0.8.
std::vector<std::uint32_t> second_order_stream(std::size_t n, std::uint64_t seed) {
    std::vector<std::uint32_t> out = {0, 1};
    uniform_source next_uniform{seed};
    while (out.size() < n) {
        const std::uint32_t a = out[out.size() - 2];
        const std::uint32_t b = out.back();
        out.push_back(next_uniform() < 0.8 ? (3 * a + 5 * b + 1) % 8
                                           : static_cast<std::uint32_t>(next_uniform() * 8) % 8);
    }
    return out;
}

learner_params conjunction_params(std::uint32_t order) {
    learner_params p;
    p.vocab_size = 8;
    p.conjunction_order = order;
    p.grow_outputs = true;
    p.conjunction_units_2 = 80;
    p.conjunction_units_3 = 600;
    return p;
}

// Recruited conjunction units learn what no one-token feature can: on a source where the next
// token depends on the last two, the order-2 network beats the order-1 one by a wide margin.
TEST(learner, recruited_conjunction_units_learn_a_second_order_source) {
    const auto train = second_order_stream(5000, 1);
    const auto validation = second_order_stream(400, 2);
    const auto test = second_order_stream(1000, 3);
    double bits[3] = {0.0, 0.0, 0.0};
    for (const std::uint32_t order : {1u, 2u}) {
        network_learner net(conjunction_params(order), "cpu");
        for (const std::uint32_t t : train) {
            net.observe(t, true);
        }
        net.fit_readout(validation);
        bits[order] = frozen_bits(net, test);
        if (order == 2) {
            // One unit per (t - 1, t) pair seen: all 64 of them, no more.
            EXPECT_EQ(net.recruited(2), 64u);
            EXPECT_EQ(net.pool_full(), 0u);
            EXPECT_GT(net.grown_synapses(), 64u * 4u);
        }
    }
    // Source entropy: 0.8 + 0.2/8 on one token, 0.025 on the 7 others.
    const double source = -(0.825 * std::log2(0.825) + 7 * 0.025 * std::log2(0.025));
    std::printf("[ learner ] second-order source (%.3f bits): order 1 %.3f, order 2 %.3f bits\n",
                source, bits[1], bits[2]);
    EXPECT_LT(bits[2], bits[1] - 0.5);
    EXPECT_GT(bits[2], source - 0.05);
}

// Growth is part of the network's state: reference and cpu (every parallel path on) give the
// same predictions, and a learner saved half way and restored continues exactly.
// The fitted readout (beta and the normalisation power, docs/learner.md "Readout") is what
// predict() uses: the bits fit_readout() reports on its stream equal the bits of frozen
// predictions over the same stream, and a learner restored from its state text predicts the
// same distributions.
TEST(learner, fitted_readout_is_the_one_predict_uses_and_resumes) {
    const auto train = second_order_stream(1500, 11);
    const auto validation = second_order_stream(400, 12);
    network_learner net(conjunction_params(3), "cpu");
    for (const std::uint32_t t : train) {
        net.observe(t, true);
    }
    const double fitted = net.fit_readout(validation);
    std::printf("[ learner ] readout beta %.5f, power %.3f (reference drive %.3f): %.4f bits\n",
                net.beta(), net.readout_power(), net.readout_top(), fitted);
    EXPECT_GT(net.readout_top(), 0.0);
    // The fit keeps the drives as floats (memory), predict() as doubles: equal to 1e-3 bits.
    EXPECT_NEAR(frozen_bits(net, validation), fitted, 1e-3);
    network_learner copy(make_engine(net.network().snapshot(false), "cpu"), net.state_text());
    EXPECT_EQ(copy.readout_power(), net.readout_power());
    EXPECT_EQ(copy.readout_top(), net.readout_top());
    std::vector<double> pa(8);
    std::vector<double> pb(8);
    for (const std::uint32_t t : validation) {
        net.predict(pa);
        copy.predict(pb);
        ASSERT_EQ(pa, pb);
        net.observe(t, false);
        copy.observe(t, false);
    }
}

TEST(learner, grown_network_is_identical_across_backends_and_resumes_exactly) {
    const auto train = second_order_stream(700, 7);
    const learner_params p = conjunction_params(3);
    engine_options every_path;
    every_path.threads = 2;
    every_path.parallel_neurons = 0;
    every_path.parallel_events = 0;
    network_learner a(p, "cpu", every_path);
    every_path.threads = 3;  // uneven shares of the awake neurons and the outputs
    network_learner a3(p, "cpu", every_path);
    network_learner b(p, "reference");
    network_learner first(p, "cpu");
    for (std::size_t k = 0; k < train.size(); ++k) {
        a.observe(train[k], true);
        a3.observe(train[k], true);
        b.observe(train[k], true);
        if (k < train.size() / 2) {
            first.observe(train[k], true);
        }
    }
    EXPECT_GT(a.recruited(3), 100u);
    EXPECT_EQ(a.recruited(3), b.recruited(3));
    EXPECT_EQ(a.grown_synapses(), b.grown_synapses());
    std::vector<double> pa(8);
    std::vector<double> pb(8);
    std::vector<double> p3(8);
    a.predict(pa);
    a3.predict(p3);
    b.predict(pb);
    EXPECT_EQ(pa, pb);
    EXPECT_EQ(p3, pb);

    network_learner second(make_engine(first.network().snapshot(false), "cpu"), first.state_text());
    for (std::size_t k = train.size() / 2; k < train.size(); ++k) {
        second.observe(train[k], true);
    }
    std::vector<double> pc(8);
    second.predict(pc);
    EXPECT_EQ(pa, pc);
    EXPECT_EQ(second.grown_synapses(), a.grown_synapses());
    EXPECT_EQ(second.network().synapse_count(), a.network().synapse_count());
}

// Sleep reclaims the units that reach nothing once pruning is done, and recruitment reuses
// them. With a pruning threshold above every weight each sleep empties the unit layer: every
// unit recruited before it is reclaimed, and the pools' high-water marks stay at the number of
// contexts (64 pairs of this source) while reclaimed units are recruited again and again.
TEST(learner, sleep_reclaims_units_that_reach_nothing_and_reuses_them) {
    learner_params p = conjunction_params(3);
    p.sleep_every = 150;
    p.sleep_prune_below = 100.0;  // every plastic synapse
    network_learner net(p, "cpu");
    std::uint64_t sleeps = 0;
    for (const std::uint32_t t : second_order_stream(1200, 5)) {
        net.observe(t, true);
        if (net.network().consolidations() > sleeps) {
            sleeps = net.network().consolidations();
            EXPECT_EQ(net.live_units(2), 0u) << "after sleep " << sleeps;
            EXPECT_EQ(net.live_units(3), 0u) << "after sleep " << sleeps;
        }
    }
    EXPECT_EQ(sleeps, 8u);
    EXPECT_LE(net.recruited(2), 64u);
    EXPECT_GT(net.reclaimed(2), 3 * net.recruited(2));  // reused several times over
    EXPECT_GT(net.reclaimed(3), net.recruited(3));
    EXPECT_EQ(net.pool_full(), 0u);
}

// Reclamation that takes some units and leaves others is part of the state like growth: reference
// and cpu (three threads, every parallel path) agree, and a learner saved between sleeps (its free
// units in the learner state) continues exactly.
TEST(learner, reclaimed_units_are_identical_across_backends_and_resume_exactly) {
    const auto train = second_order_stream(900, 9);
    learner_params p = conjunction_params(3);
    p.sleep_every = 150;
    p.sleep_prune_below = 0.5;  // some unit outputs survive a sleep, some do not
    engine_options every_path;
    every_path.threads = 3;
    every_path.parallel_neurons = 0;
    every_path.parallel_events = 0;
    network_learner a(p, "cpu", every_path);
    network_learner b(p, "reference");
    network_learner first(p, "cpu");
    for (std::size_t k = 0; k < train.size(); ++k) {
        a.observe(train[k], true);
        b.observe(train[k], true);
        if (k < 500) {
            first.observe(train[k], true);
        }
    }
    std::printf("[ learner ] reclaimed %llu + %llu of %llu + %llu\n",
                static_cast<unsigned long long>(a.reclaimed(2)),
                static_cast<unsigned long long>(a.reclaimed(3)),
                static_cast<unsigned long long>(a.recruited(2)),
                static_cast<unsigned long long>(a.recruited(3)));
    EXPECT_GT(a.reclaimed(3), 0u);
    EXPECT_EQ(a.reclaimed(2), b.reclaimed(2));
    EXPECT_EQ(a.reclaimed(3), b.reclaimed(3));
    EXPECT_EQ(a.live_units(3), b.live_units(3));
    std::vector<double> pa(8);
    std::vector<double> pb(8);
    a.predict(pa);
    b.predict(pb);
    EXPECT_EQ(pa, pb);

    network_learner second(make_engine(first.network().snapshot(false), "cpu"), first.state_text());
    for (std::size_t k = 500; k < train.size(); ++k) {
        second.observe(train[k], true);
    }
    std::vector<double> pc(8);
    second.predict(pc);
    EXPECT_EQ(pa, pc);
    EXPECT_EQ(second.reclaimed(3), a.reclaimed(3));
    EXPECT_EQ(second.network().synapse_count(), a.network().synapse_count());
}

// At the synapse cap the network stops growing, says how often it was refused, and goes on.
TEST(learner, growth_stops_at_the_synapse_cap) {
    learner_params p = conjunction_params(2);
    network_learner probe(p, "cpu");
    p.max_synapses = probe.network().synapse_count() + 200;
    network_learner net(p, "cpu");
    for (const std::uint32_t t : second_order_stream(600, 4)) {
        net.observe(t, true);
    }
    EXPECT_LE(net.network().synapse_count(), p.max_synapses);
    EXPECT_GT(net.refused_growth(), 0u);
}

// A frozen pass (evaluate without learning, fit_readout) changes no state at all: the engine's
// whole checkpoint (weights, potentials, traces, metaplasticity spike counts, counters) and the
// learner's own variables are the same bytes before and after.
TEST(learner, frozen_passes_change_no_state) {
    for (const std::uint32_t order : {1u, 3u}) {
        learner_params p = order == 1 ? small_params() : conjunction_params(3);
        network_learner net(p, "cpu");
        const auto train = order == 1 ? markov_stream(300, 8) : second_order_stream(300, 8);
        for (const std::uint32_t t : train) {
            net.observe(t, true);
        }
        const auto bytes = [&] { return serialize_checkpoint(net.network().snapshot(true)); };
        const std::vector<std::uint8_t> before = bytes();
        const std::string state_before = net.state_text();
        const auto stream = order == 1 ? markov_stream(100, 9) : second_order_stream(100, 9);
        evaluate(net, stream, false);
        EXPECT_EQ(bytes(), before) << "order " << order << ": evaluate (frozen)";
        EXPECT_EQ(net.state_text(), state_before) << "order " << order;
        net.fit_readout(stream);
        EXPECT_EQ(bytes(), before) << "order " << order << ": fit_readout";
        // Prequential scoring learns, as it should.
        evaluate(net, stream, true);
        EXPECT_NE(bytes(), before) << "order " << order << ": prequential";
    }
}

// Novel words (docs/learner.md "Novel words"): tokens 0-4 cycle, and after token 4 comes a
// word never seen before (5, 6, ... 154), so that "a new word comes now" is predictable from
// the context while which new word is not. The novelty neurons learn the first; the untaught
// tokens share their prediction. Without them every untaught token gets only the drive 0.
// Scored prequentially (predict, score, learn) on the new words of the second half.
TEST(learner, novelty_neurons_predict_that_an_unseen_word_comes) {
    constexpr std::uint32_t cycle = 5;
    constexpr std::uint32_t novel_words = 150;
    learner_params p = small_params();
    p.vocab_size = cycle + novel_words;
    std::vector<std::uint32_t> stream;
    for (std::uint32_t k = 0; k < novel_words; ++k) {
        for (std::uint32_t t = 0; t < cycle; ++t) {
            stream.push_back(t);
        }
        stream.push_back(cycle + k);
    }
    double ideal = 0.0;  // certain that a new word comes, no idea which: log2(untaught)
    const auto new_word_bits = [&](bool novelty) {
        learner_params q = p;
        q.novelty = novelty;
        network_learner net(q, "cpu");
        std::vector<double> dist(q.vocab_size);
        double bits = 0.0;
        std::uint32_t scored = 0;
        for (const std::uint32_t t : stream) {
            if (t >= cycle + novel_words / 2) {
                net.predict(dist);
                bits -= std::log2(dist[t]);
                ideal += novelty ? std::log2(static_cast<double>(net.untaught_tokens())) : 0.0;
                ++scored;
            }
            net.observe(t, true);
        }
        EXPECT_EQ(net.untaught_tokens(), 0u);
        ideal /= novelty ? scored : 1;
        return bits / scored;
    };
    const double with = new_word_bits(true);
    const double without = new_word_bits(false);
    std::printf(
        "[ learner ] new words at their first occurrence: %.3f bits with the novelty "
        "neurons, %.3f without (a sure new word, uniform over the untaught: %.3f)\n",
        with, without, ideal);
    EXPECT_LT(with, without - 1.0);
    EXPECT_GT(with, ideal - 1e-9);  // shared equally: nothing can do better than the ideal
}

// The taught flags are learner state: a model saved while some tokens are untaught resumes
// with the same predictions; malformed flags are refused by name.
TEST(learner, taught_flags_resume_exactly_and_bad_flags_are_named) {
    learner_params p = small_params();
    p.vocab_size = 40;
    std::vector<std::uint32_t> stream;
    for (std::uint32_t k = 0; k < 300; ++k) {
        stream.push_back(k % 7 == 6 ? 7 + (k / 7) % 20 : k % 7);  // 6 and 27-39 never come
    }
    network_learner a(p, "cpu");
    network_learner first(p, "cpu");
    for (std::size_t k = 0; k < stream.size(); ++k) {
        a.observe(stream[k], true);
        if (k < 120) {
            first.observe(stream[k], true);
        }
    }
    EXPECT_EQ(a.untaught_tokens(), 14u);
    const std::string state = first.state_text();
    EXPECT_NE(state.find("\ntaught = "), std::string::npos);
    network_learner second(make_engine(first.network().snapshot(false), "cpu"), state);
    EXPECT_EQ(second.untaught_tokens(), first.untaught_tokens());
    for (std::size_t k = 120; k < stream.size(); ++k) {
        second.observe(stream[k], true);
    }
    std::vector<double> pa(p.vocab_size);
    std::vector<double> pb(p.vocab_size);
    a.predict(pa);
    second.predict(pb);
    EXPECT_EQ(pa, pb);

    const std::size_t at = state.find("\ntaught = ") + 10;
    const auto refused = [&](const std::string& bad_state, const std::string& words) {
        try {
            network_learner c(make_engine(first.network().snapshot(false), "cpu"), bad_state);
            ADD_FAILURE() << "accepted: " << words;
        } catch (const model_error& e) {
            EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
        }
    };
    std::string s = state;
    s[at] = 'G';
    refused(s, "not lower-case hex digits");
    s = state;
    s.insert(at, "0");
    refused(s, "hex digits, expected 10");
    s = state;
    s.erase(at - 10, state.find('\n', at) - (at - 10));
    refused(s, "no 'taught' flags");
}

TEST(learner, parameters_round_trip_and_bad_values_are_named) {
    learner_params p = small_params();
    p.learning_rate = 0.125;
    p.context = false;
    const learner_params q = learner_params::from_text(p.to_text());
    EXPECT_EQ(q.to_text(), p.to_text());
    EXPECT_THROW(learner_params::from_text("no_such = 1\n"), model_error);
    EXPECT_THROW(learner_params::from_text("learning_rate = fast\n"), model_error);
    EXPECT_THROW(learner_params::from_text("window_steps = 3\n"), model_error);
    learner_params r = small_params();
    r.set("m_teach", "-1");  // set parses; validate refuses
    EXPECT_THROW(r.validate(), model_error);
    network_learner net(small_params(), "cpu");
    EXPECT_THROW(net.observe(vocab, true), model_error);
}

// A model file written through the library (what `hebllm train` writes) loads in any C++
// program into the same learner: same predictions on both backends, same split, same tokens.
TEST(learner, model_file_round_trips_through_the_library) {
    learner_params p = small_params();
    std::vector<std::string> lines;
    for (std::uint32_t k = 0; k < vocab; ++k) {
        std::string line = "w";
        line += std::to_string(k);
        line += " w";
        line += std::to_string((k + 1) % vocab);
        lines.push_back(line);
    }
    language_model m;
    m.tok = train_tokenizer(tokenizer_kind::word, lines, vocab + 1);
    p.vocab_size = m.tok->size();
    m.learner = std::make_unique<network_learner>(p, "cpu");
    for (const std::uint32_t t : markov_stream(300, 4)) {
        m.learner->observe(t % p.vocab_size, true);
    }
    m.tier = "smoke";
    m.corpus = "markov";
    m.trained_tokens = 300;
    m.sizes.train = 300;
    const auto file = std::filesystem::temp_directory_path() / "hebllm_test_model_file.heb";
    save_language_model(file, m);
    std::vector<double> want(p.vocab_size);
    m.learner->predict(want);
    for (const char* backend : {"cpu", "reference"}) {
        const language_model back = load_language_model(file, backend, 1);
        EXPECT_EQ(back.tok->serialize(), m.tok->serialize());
        EXPECT_EQ(back.trained_tokens, 300u);
        EXPECT_EQ(back.tier, "smoke");
        EXPECT_EQ(model_split(back).train_tokens, 300u);
        std::vector<double> got(p.vocab_size);
        back.learner->predict(got);
        EXPECT_EQ(got, want) << backend;
    }
    std::filesystem::remove(file);
    EXPECT_THROW(load_language_model(file, "cpu", 1), error);
}

}  // namespace
}  // namespace hebllm::lang
