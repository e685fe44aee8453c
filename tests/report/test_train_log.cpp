// SPDX-License-Identifier: MIT
// `hebllm train --log` (docs/cli.md "train"): the learning curve has one row per --log-every
// tokens plus the last, shorter interval; and logging changes no result: the model trained with
// --log (also with --checkpoint-every) is the model trained without it (every weight, every
// neuron state, the step, the learner's state and tokenizer; only the wall time in the counters
// differs from run to run, logged or not).

#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <hebllm/checkpoint.hpp>
#include <hebllm/engine.hpp>

#include "support/cli_runner.hpp"
#include "support/corpora.hpp"
#include "support/files.hpp"

namespace {

using hebllm::test::slurp;
using hebllm::test::synthetic_corpus;

class train_log : public hebllm::test::temp_dir_test {
protected:
    hebllm::test::cli_result run(const std::string& args) const {
        return hebllm::test::run_cli(HEBLLM_CLI, dir_, args);
    }
    void expect_same_model(const std::string& a, const std::string& b) const {
        const hebllm::loaded_checkpoint ma = hebllm::load_checkpoint(dir_ / a, "cpu");
        const hebllm::loaded_checkpoint mb = hebllm::load_checkpoint(dir_ / b, "cpu");
        EXPECT_EQ(ma.engine->current_step(), mb.engine->current_step()) << b;
        const auto wa = ma.engine->synapses();
        const auto wb = mb.engine->synapses();
        ASSERT_EQ(wa.size(), wb.size()) << b;
        for (std::size_t k = 0; k < wa.size(); ++k) {
            ASSERT_EQ(wa[k].pre, wb[k].pre) << b << " synapse " << k;
            ASSERT_EQ(wa[k].post, wb[k].post) << b << " synapse " << k;
            ASSERT_EQ(wa[k].weight, wb[k].weight) << b << " synapse " << k;
        }
        const hebllm::neuron_state sa = ma.engine->state();
        const hebllm::neuron_state sb = mb.engine->state();
        EXPECT_EQ(sa.v, sb.v) << b;
        EXPECT_EQ(sa.i_syn, sb.i_syn) << b;
        EXPECT_EQ(sa.trace_pre, sb.trace_pre) << b;
        ASSERT_EQ(ma.extra.size(), mb.extra.size()) << b;
        for (std::size_t k = 0; k < ma.extra.size(); ++k) {
            EXPECT_EQ(ma.extra[k].bytes, mb.extra[k].bytes) << b << ": " << ma.extra[k].name;
        }
    }
};

TEST_F(train_log, curve_rows_and_the_same_model_with_and_without_log) {
    write("a.txt", synthetic_corpus());
    const std::string base =
        "train --corpus a.txt --tier smoke --vocab 24 --threads 1 --train-tokens 2500 "
        "--valid-tokens 300 --test-tokens 300 ";
    hebllm::test::cli_result r = run(base + "--save plain.heb");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run(base + "--save logged.heb --log curve.csv --log-every 400");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run(base + "--save ck.heb --checkpoint-every 1000 --log ck.csv --log-every 400");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_same_model("plain.heb", "logged.heb");
    expect_same_model("plain.heb", "ck.heb");

    const std::string curve = slurp(dir_ / "curve.csv");
    EXPECT_EQ(curve, slurp(dir_ / "ck.csv")) << "--checkpoint-every changed the log";
    std::istringstream lines(curve);
    std::string line;
    ASSERT_TRUE(std::getline(lines, line));
    EXPECT_EQ(line, "tokens,bits_per_token,top1");
    std::vector<unsigned long> tokens;
    while (std::getline(lines, line)) {
        std::istringstream row(line);
        std::string t, bits, top1;
        ASSERT_TRUE(std::getline(row, t, ',') && std::getline(row, bits, ',') &&
                    std::getline(row, top1))
            << line;
        tokens.push_back(std::stoul(t));
        const double b = std::stod(bits);
        const double t1 = std::stod(top1);
        EXPECT_GT(b, 0.0) << line;
        EXPECT_LT(b, 20.0) << line;
        EXPECT_GE(t1, 0.0) << line;
        EXPECT_LE(t1, 1.0) << line;
    }
    EXPECT_EQ(tokens, (std::vector<unsigned long>{400, 800, 1200, 1600, 2000, 2400, 2500}));

    // --log-every must be positive.
    r = run(base + "--log x.csv --log-every 0");
    EXPECT_EQ(r.exit_code, 2) << r.err;
}

}  // namespace
