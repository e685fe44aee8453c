// SPDX-License-Identifier: MIT
// `hebllm train`, `eval`, `generate` and `chat` end to end on a small synthetic corpus (a
// vocabulary of 24, so the network is small and trains in seconds), and their errors: a model
// from another vocabulary, a file that is not a language model, unknown parameters and tiers.
// HEBLLM_CLI is the path of build/bin/hebllm, set by CMake.

#include <string>

#include <gtest/gtest.h>

#include <hebllm/checkpoint.hpp>
#include <hebllm/engine.hpp>

#include "support/cli_runner.hpp"
#include "support/corpora.hpp"
#include "support/files.hpp"

#ifndef HEBLLM_CLI
#error "HEBLLM_CLI must be defined as the path of the hebllm executable"
#endif

namespace {

using hebllm::test::synthetic_corpus;

using hebllm::test::cli_result;

class lang_cli : public hebllm::test::temp_dir_test {
protected:
    cli_result run(const std::string& args, const std::string& input = {}) const {
        return hebllm::test::run_cli(HEBLLM_CLI, dir_, args, input);
    }
};

TEST_F(lang_cli, train_eval_generate_chat_and_their_errors) {
    write("a.txt", synthetic_corpus(0));
    const cli_result train =
        run("train --corpus a.txt --tier smoke --vocab 24 --threads 1 --save m.heb");
    ASSERT_EQ(train.exit_code, 0) << train.err;
    EXPECT_NE(train.out.find("validation"), std::string::npos) << train.out;

    // Stopped after 7,000 tokens, resumed in a new process: the same model as the run straight
    // through (every weight, every neuron state, the step, the learner's state and tokenizer;
    // only the wall time in the counters differs).
    cli_result part = run(
        "train --corpus a.txt --tier smoke --vocab 24 --threads 1 --stop-after 7000 --save p.heb");
    ASSERT_EQ(part.exit_code, 0) << part.err;
    part = run("train --corpus a.txt --resume p.heb --threads 1 --save r.heb");
    ASSERT_EQ(part.exit_code, 0) << part.err;
    {
        const hebllm::loaded_checkpoint straight = hebllm::load_checkpoint(dir_ / "m.heb", "cpu");
        const hebllm::loaded_checkpoint resumed = hebllm::load_checkpoint(dir_ / "r.heb", "cpu");
        EXPECT_EQ(straight.engine->current_step(), resumed.engine->current_step());
        const auto ws = straight.engine->synapses();
        const auto wr = resumed.engine->synapses();
        ASSERT_EQ(ws.size(), wr.size());
        for (std::size_t k = 0; k < ws.size(); ++k) {
            ASSERT_EQ(ws[k].weight, wr[k].weight) << "synapse " << k;
        }
        const hebllm::neuron_state ss = straight.engine->state();
        const hebllm::neuron_state sr = resumed.engine->state();
        EXPECT_EQ(ss.v, sr.v);
        EXPECT_EQ(ss.i_syn, sr.i_syn);
        EXPECT_EQ(ss.trace_pre, sr.trace_pre);
        ASSERT_EQ(straight.extra.size(), resumed.extra.size());
        for (std::size_t k = 0; k < straight.extra.size(); ++k) {
            EXPECT_EQ(straight.extra[k].bytes, resumed.extra[k].bytes) << straight.extra[k].name;
        }
    }
    part = run("train --corpus a.txt --resume p.heb --shuffle");
    EXPECT_EQ(part.exit_code, 2);

    const cli_result eval = run("eval --model m.heb --corpus a.txt --json --threads 1");
    ASSERT_EQ(eval.exit_code, 0) << eval.err;
    EXPECT_NE(eval.out.find("\"frozen\""), std::string::npos) << eval.out;

    const cli_result gen = run("generate --model m.heb --prompt \"the king\" --tokens 12 --seed 3");
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    EXPECT_EQ(gen.out.rfind("the king ", 0), 0u) << gen.out;
    EXPECT_GT(gen.out.size(), std::string("the king \n").size() + 12) << gen.out;
    // Same seed, same text.
    EXPECT_EQ(run("generate --model m.heb --prompt \"the king\" --tokens 12 --seed 3").out,
              gen.out);

    const cli_result chat =
        run("chat --model m.heb --tokens 5 --save m2.heb", "the lord spake unto the city\n:quit\n");
    ASSERT_EQ(chat.exit_code, 0) << chat.err;
    EXPECT_FALSE(chat.out.empty());
    EXPECT_TRUE(std::filesystem::exists(dir_ / "m2.heb"));

    // Another corpus gives another vocabulary: refused, naming the problem.
    write("b.txt", std::string("completely different words here. ") + synthetic_corpus(1));
    cli_result r = run("eval --model m.heb --corpus b.txt");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("another vocabulary"), std::string::npos) << r.err;

    // Not a language model / not a checkpoint at all.
    r = run("generate --model a.txt");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("not a hebllm checkpoint"), std::string::npos) << r.err;

    r = run("train --corpus a.txt --tier smoke --vocab 24 --set no_such_key=1");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unknown parameter 'no_such_key'"), std::string::npos) << r.err;
    r = run("train --corpus a.txt --tier enormous");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unknown tier"), std::string::npos) << r.err;
    write("empty.txt", "");
    r = run("train --corpus empty.txt --tier smoke");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("empty"), std::string::npos) << r.err;
}

// --train-tokens, --valid-tokens and --test-tokens: the model file records them, so eval
// rebuilds the same split; a model file without them (older) gets its tier's; a text too small
// for the sizes asked is a clear error in every verb.
TEST_F(lang_cli, split_sizes_from_the_options) {
    write("a.txt", synthetic_corpus(0));
    const std::string sizes = "--train-tokens 3000 --valid-tokens 500 --test-tokens 400";
    cli_result r = run("baseline --corpus a.txt --tier smoke --vocab 24 --models unigram " + sizes);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("3000 training, 400 test tokens"), std::string::npos) << r.out;

    r = run("train --corpus a.txt --tier smoke --vocab 24 --threads 1 --save m.heb " + sizes);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("trained on 3000 tokens"), std::string::npos) << r.out;
    r = run("eval --model m.heb --corpus a.txt --threads 1");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("400 test tokens"), std::string::npos) << r.out;
    r = run("eval --model m.heb --corpus a.txt --threads 1 --test-tokens 300");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("300 test tokens"), std::string::npos) << r.out;
    r = run("eval --model m.heb --corpus a.txt --train-tokens 2000");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("another vocabulary"), std::string::npos) << r.err;
    r = run("train --corpus a.txt --resume m.heb --test-tokens 5");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--test-tokens"), std::string::npos) << r.err;

    // The same model as an older file would have it (no split sizes): its tier's sizes
    // (smoke: 2,000 test tokens), here with the training size given again.
    {
        hebllm::loaded_checkpoint c = hebllm::load_checkpoint(dir_ / "m.heb", "cpu");
        bool found = false;
        for (hebllm::checkpoint_section& s : c.extra) {
            if (s.name != "hebllm.lang.model") {
                continue;
            }
            std::string info(s.bytes.begin(), s.bytes.end());
            const std::size_t at = info.find("split_train_tokens = 3000\n");
            ASSERT_NE(at, std::string::npos) << info;
            info.erase(at);  // the three split_ lines come last
            s.bytes.assign(info.begin(), info.end());
            found = true;
        }
        ASSERT_TRUE(found);
        hebllm::checkpoint_save_options o;
        o.recorded_spikes = false;
        hebllm::save_checkpoint(*c.engine, dir_ / "old.heb", c.extra, o);
    }
    r = run("eval --model old.heb --corpus a.txt --threads 1 --train-tokens 3000");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("2000 test tokens"), std::string::npos) << r.out;

    // Too small: the split, the tokens it has and the tokens asked for.
    r = run("baseline --corpus a.txt --tier smoke --test-tokens 900000");
    EXPECT_EQ(r.exit_code, 2);
    hebllm::test::expect_contains_all(
        r.err, {"test split", "word tokens, 900000 are needed", "ask for fewer test tokens"});
    EXPECT_TRUE(r.out.empty()) << r.out;
    r = run("train --corpus a.txt --tier smoke --train-tokens 900000");
    EXPECT_EQ(r.exit_code, 2);
    hebllm::test::expect_contains_all(r.err, {"train split", "900000 are needed"});
    r = run("eval --model m.heb --corpus a.txt --valid-tokens 900000");
    EXPECT_EQ(r.exit_code, 2);
    hebllm::test::expect_contains_all(r.err, {"validation split", "900000 are needed"});
    r = run("baseline --corpus a.txt --train-tokens 0");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--train-tokens"), std::string::npos) << r.err;
}

}  // namespace
