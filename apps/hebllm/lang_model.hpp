// SPDX-License-Identifier: MIT
#pragma once
// The command line's side of language model files (the files themselves:
// <hebllm/lang/model_file.hpp>): the split-size options shared by `train`, `eval` and
// `baseline`. Shared by `train`, `eval`, `generate` and `chat`.

#include <string>

#include <hebllm/lang/model_file.hpp>

namespace CLI {
class App;
}  // namespace CLI

namespace hebllm::cli {

using lang::language_model;
using lang::load_language_model;
using lang::model_split;
using lang::save_language_model;
using lang::split_sizes;

// --train-tokens, --valid-tokens and --test-tokens on cmd, stored in sizes (which must outlive
// the parse). Each must be at least 1, except --valid-tokens when validation_needed is false.
// default_from names the default in the help ("the tier's").
void add_split_size_options(CLI::App& cmd, split_sizes& sizes, bool validation_needed,
                            const std::string& default_from);

}  // namespace hebllm::cli
