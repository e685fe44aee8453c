// SPDX-License-Identifier: MIT
#pragma once
// Language model files: a checkpoint of the learner's network (docs/formats.md "Checkpoints")
// with three extra sections: the tokenizer, the learner's own state and the data split it
// was trained on. Shared by `train`, `eval`, `generate` and `chat`.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <hebllm/engine.hpp>
#include <hebllm/lang/dataset.hpp>
#include <hebllm/lang/learner.hpp>
#include <hebllm/lang/tokenizer.hpp>

namespace CLI {
class App;
}  // namespace CLI

namespace hebllm::cli {

// Token counts of a split's three parts; an unset one is the tier's.
struct split_sizes {
    std::optional<std::uint64_t> train, validation, test;
    bool any() const { return train || validation || test; }
    // s with the sizes that are set.
    lang::split_spec applied_to(lang::split_spec s) const;
    // All three of s.
    static split_sizes of(const lang::split_spec& s);
};

// --train-tokens, --valid-tokens and --test-tokens on cmd, stored in sizes (which must outlive
// the parse). Each must be at least 1, except --valid-tokens when validation_needed is false.
// default_from names the default in the help ("the tier's").
void add_split_size_options(CLI::App& cmd, split_sizes& sizes, bool validation_needed,
                            const std::string& default_from);

struct language_model {
    std::unique_ptr<lang::tokenizer> tok;
    std::unique_ptr<lang::network_learner> learner;
    std::string tier;    // kjv256, kjv4k, smoke, ... (what `train` used)
    std::string corpus;  // the corpus file name given to `train` (informational)
    std::uint64_t trained_tokens = 0;
    bool shuffled = false;  // trained on the shuffled stream (the control)
    // The split sizes `train` used (recorded in every model file since they became options;
    // older files have none: their tier's).
    split_sizes sizes;
};

void save_language_model(const std::filesystem::path& file, const language_model& m);
language_model load_language_model(const std::filesystem::path& file, const std::string& backend,
                                   int threads);

// The split_spec of a tier name (lang::split_spec::tier: kjv256, kjv4k, smoke); clear error
// for others.
lang::split_spec tier_spec(const std::string& tier);

// The split a model was trained on: its tier's, with the sizes it recorded, its tokenizer's
// kind and size; then the sizes set in overrides.
lang::split_spec model_split(const language_model& m, const split_sizes& overrides = {});

}  // namespace hebllm::cli
