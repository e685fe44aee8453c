// SPDX-License-Identifier: MIT
// `hebllm corpus kjv|fortunes OUT.txt`: write a corpus file for the language layer
// (docs/cli.md "corpus", docs/language.md "Corpora"). Written atomically.

#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include <hebllm/lang/corpus.hpp>

#include "verbs.hpp"

namespace hebllm::cli {
namespace {

struct corpus_options {
    std::string source;
    std::string out;
    std::string fortunes_dir = lang::default_fortunes_dir().string();
};

int run_corpus(const corpus_options& o) {
    const std::string text =
        o.source == "kjv" ? lang::extract_kjv() : lang::extract_fortunes(o.fortunes_dir);
    const lang::corpus c = lang::parse_corpus(text, o.source);
    lang::write_file_atomic(o.out, text);
    std::printf("%s: %zu lines in %u units written to %s\n", o.source.c_str(), c.lines.size(),
                c.chapter.empty() ? 0u : c.chapter.back() + 1, o.out.c_str());
    return exit_ok;
}

}  // namespace

void add_corpus_verb(CLI::App& app, action& chosen) {
    auto o = std::make_shared<corpus_options>();
    CLI::App* cmd = app.add_subcommand(
        "corpus", "Write a corpus file: the King James Bible (Debian's bible-kjv) or fortunes");
    cmd->add_option("source", o->source, "kjv or fortunes")
        ->required()
        ->check(CLI::IsMember({"kjv", "fortunes"}));
    cmd->add_option("out", o->out, "The corpus file to write")->required();
    cmd->add_option("--fortunes-dir", o->fortunes_dir, "Fortune files (a directory or one file)")
        ->capture_default_str();
    cmd->callback([o, &chosen] { chosen = [o] { return run_corpus(*o); }; });
}

}  // namespace hebllm::cli
