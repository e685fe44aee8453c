// SPDX-License-Identifier: MIT
#pragma once
// Language model files (docs/language.md "Model files"): a checkpoint of the learner's network
// (docs/formats.md "Checkpoints") with three extra sections: the tokenizer, the learner's own
// state and the data split it was trained on. What `hebllm train` saves, any C++ program can
// load and continue (predict, generate, evaluate, train further).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <hebllm/lang/dataset.hpp>
#include <hebllm/lang/learner.hpp>
#include <hebllm/lang/tokenizer.hpp>

namespace hebllm::lang {

// Token counts of a split's three parts; an unset one is the tier's.
struct split_sizes {
    std::optional<std::uint64_t> train, validation, test;
    bool any() const { return train || validation || test; }
    // s with the sizes that are set.
    split_spec applied_to(split_spec s) const;
    // All three of s.
    static split_sizes of(const split_spec& s);
};

struct language_model {
    std::unique_ptr<tokenizer> tok;
    std::unique_ptr<network_learner> learner;
    std::string tier;    // kjv256, kjv4k, smoke, ... (what `train` used)
    std::string corpus;  // the corpus file name given to `train` (informational)
    std::uint64_t trained_tokens = 0;
    bool shuffled = false;  // trained on the shuffled stream (the control)
    // The split sizes `train` used (recorded in every model file since they became options;
    // older files have none: their tier's).
    split_sizes sizes;
};

// Written atomically (a temporary file renamed into place). Errors: io_error.
void save_language_model(const std::filesystem::path& file, const language_model& m);
// The network on `backend` ("auto", "cpu", "reference") with `threads` (0: default). Errors:
// file_error naming the file (not a language model, corrupt, tokenizer and network disagree).
language_model load_language_model(const std::filesystem::path& file,
                                   const std::string& backend = "auto", int threads = 0);

// The split a model was trained on: its tier's, with the sizes it recorded, its tokenizer's
// kind and size; then the sizes set in overrides.
split_spec model_split(const language_model& m, const split_sizes& overrides = {});

}  // namespace hebllm::lang
