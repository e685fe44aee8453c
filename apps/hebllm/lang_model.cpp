// SPDX-License-Identifier: MIT
#include "lang_model.hpp"

#include <charconv>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <hebllm/checkpoint.hpp>
#include <hebllm/errors.hpp>

namespace hebllm::cli {
namespace {

checkpoint_section section(const char* name, std::string_view text) {
    return {name, std::vector<std::uint8_t>(text.begin(), text.end())};
}

std::string text_of(const checkpoint_section& s) {
    return {s.bytes.begin(), s.bytes.end()};
}

}  // namespace

lang::split_spec tier_spec(const std::string& tier) {
    if (tier == "kjv256") {
        return lang::split_spec::kjv256();
    }
    if (tier == "smoke") {
        return lang::split_spec::smoke();
    }
    throw model_error("unknown tier '" + tier + "' (tiers: kjv256, smoke)");
}

void save_language_model(const std::filesystem::path& file, const language_model& m) {
    const std::string info = "tier = " + m.tier + "\ncorpus = " + m.corpus +
                             "\ntrained_tokens = " + std::to_string(m.trained_tokens) +
                             "\nshuffled = " + (m.shuffled ? "true" : "false") + "\n";
    const std::vector<checkpoint_section> extra = {
        section("hebllm.lang.tokenizer", m.tok->serialize()),
        section("hebllm.lang.learner", m.learner->state_text()),
        section("hebllm.lang.model", info)};
    checkpoint_save_options o;
    o.recorded_spikes = false;
    save_checkpoint(m.learner->network(), file, extra, o);
}

language_model load_language_model(const std::filesystem::path& file, const std::string& backend,
                                   int threads) {
    engine_options eo;
    eo.threads = threads;
    eo.recording.spikes = false;
    loaded_checkpoint c = load_checkpoint(file, backend, eo);
    const checkpoint_section* tok = nullptr;
    const checkpoint_section* learner = nullptr;
    const checkpoint_section* info = nullptr;
    for (const checkpoint_section& s : c.extra) {
        if (s.name == "hebllm.lang.tokenizer") {
            tok = &s;
        } else if (s.name == "hebllm.lang.learner") {
            learner = &s;
        } else if (s.name == "hebllm.lang.model") {
            info = &s;
        }
    }
    if (tok == nullptr || learner == nullptr || info == nullptr) {
        throw file_error(file.string(), 0,
                         "this checkpoint is not a language model (no tokenizer, learner or model "
                         "section): make one with 'hebllm train'");
    }
    language_model m;
    m.tok = lang::load_tokenizer(text_of(*tok));
    m.learner = std::make_unique<lang::network_learner>(std::move(c.engine), text_of(*learner));
    if (m.tok->size() != m.learner->vocab_size()) {
        throw file_error(file.string(), 0,
                         "the tokenizer has " + std::to_string(m.tok->size()) +
                             " tokens but the network " + std::to_string(m.learner->vocab_size()));
    }
    const std::string text = text_of(*info);
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t nl = text.find('\n', at);
        if (nl == std::string::npos) {
            nl = text.size();
        }
        const std::string line = text.substr(at, nl - at);
        at = nl + 1;
        const std::size_t eq = line.find(" = ");
        if (eq == std::string::npos) {
            continue;
        }
        const std::string key = line.substr(0, eq);
        const std::string value = line.substr(eq + 3);
        if (key == "shuffled") {
            m.shuffled = value == "true";
        } else if (key == "tier") {
            m.tier = value;
        } else if (key == "corpus") {
            m.corpus = value;
        } else if (key == "trained_tokens") {
            const auto [end, ec] =
                std::from_chars(value.data(), value.data() + value.size(), m.trained_tokens);
            if (ec != std::errc{} || end != value.data() + value.size()) {
                throw file_error(file.string(), 0, "malformed trained_tokens '" + value + "'");
            }
        }
    }
    return m;
}

}  // namespace hebllm::cli
