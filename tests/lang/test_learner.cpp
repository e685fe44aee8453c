// SPDX-License-Identifier: MIT
// The spiking learner on a synthetic Markov source whose entropies are known in closed form:
// it must learn (beat the unigram entropy and its own plasticity-off control), be
// deterministic, leave weights alone when frozen, and refuse bad input
// (docs/learner.md).

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <hebllm/errors.hpp>
#include <hebllm/lang/learner.hpp>

namespace hebllm::lang {
namespace {

// V tokens; after token a the next is (a + 1) % V or (a + 5) % V with probability 0.45 each,
// any token with probability 0.1 / V. Stationary distribution: uniform.
constexpr std::uint32_t vocab = 16;

std::vector<std::uint32_t> markov_stream(std::size_t n, std::uint64_t seed) {
    std::vector<std::uint32_t> out;
    std::uint64_t x = seed;
    const auto next_uniform = [&x] {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<double>(x >> 11) * 0x1.0p-53;
    };
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

    learner_params off = small_params();
    off.plastic = false;
    network_learner control(off, "cpu");
    for (const std::uint32_t t : train) {
        control.observe(t, true);
    }
    control.fit_readout(validation);
    const double control_bits = frozen_bits(control, test);

    std::printf("[ learner ] %.3f bits/token (source %.3f, unigram %.3f, plasticity off %.3f)\n",
                learned, conditional_entropy(), unigram, control_bits);
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
    EXPECT_EQ(net.network().synapse_count(), before - net.pruned_synapses());
    net.fit_readout(markov_stream(500, 2));
    EXPECT_LT(frozen_bits(net, markov_stream(1000, 3)), std::log2(double{vocab}) - 1.0);
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

}  // namespace
}  // namespace hebllm::lang
