// SPDX-License-Identifier: MIT
#pragma once
// Language model files: a checkpoint of the learner's network (docs/formats.md "Checkpoints")
// with three extra sections: the tokenizer, the learner's own state and the data split it
// was trained on. Shared by `train`, `eval`, `generate` and `chat`.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <hebllm/engine.hpp>
#include <hebllm/lang/dataset.hpp>
#include <hebllm/lang/learner.hpp>
#include <hebllm/lang/tokenizer.hpp>

namespace hebllm::cli {

struct language_model {
    std::unique_ptr<lang::tokenizer> tok;
    std::unique_ptr<lang::network_learner> learner;
    std::string tier;    // kjv256, smoke, ... (what `train` used)
    std::string corpus;  // the corpus file name given to `train` (informational)
    std::uint64_t trained_tokens = 0;
    bool shuffled = false;  // trained on the shuffled stream (the control)
};

void save_language_model(const std::filesystem::path& file, const language_model& m);
language_model load_language_model(const std::filesystem::path& file, const std::string& backend,
                                   int threads);

// The split_spec of a tier name ("kjv256", "smoke"); clear error for others.
lang::split_spec tier_spec(const std::string& tier);

}  // namespace hebllm::cli
