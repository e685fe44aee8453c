// SPDX-License-Identifier: MIT
// hebllm: the command-line face of libhebllm. Parses the verb and its options, runs it, and
// turns every error into a message on stderr and an exit code (docs/cli.md "Exit codes").

#include <exception>
#include <iostream>
#include <new>
#include <string>

#include <CLI/CLI.hpp>

#include <hebllm/build_info.hpp>
#include <hebllm/errors.hpp>

#include "verbs.hpp"

namespace {

int run(int argc, char** argv) {
    CLI::App app{"hebllm: spiking neural networks with Hebbian plasticity", "hebllm"};
    app.set_version_flag("--version", [] { return "hebllm " + hebllm::build_info().version; });
    app.require_subcommand(1);
    app.failure_message([](const CLI::App*, const CLI::Error& e) {
        return std::string("hebllm: error: ") + e.what() +
               "\nRun 'hebllm --help' or 'hebllm <verb> --help' for usage.\n";
    });

    hebllm::cli::action chosen;
    hebllm::cli::add_simulate_verb(app, chosen);
    hebllm::cli::add_info_verb(app, chosen);
    hebllm::cli::add_corpus_verb(app, chosen);
    hebllm::cli::add_baseline_verb(app, chosen);
    hebllm::cli::add_train_verb(app, chosen);
    hebllm::cli::add_eval_verb(app, chosen);
    hebllm::cli::add_generate_verb(app, chosen);
    hebllm::cli::add_chat_verb(app, chosen);
    hebllm::cli::add_resume_verb(app, chosen);
    hebllm::cli::add_report_verb(app, chosen);

    // CLI11 would report a misspelt verb as "a subcommand is required"; name it instead.
    if (argc > 1 && argv[1][0] != '-') {
        const std::string verb = argv[1];
        std::string verbs;
        bool known = false;
        for (const CLI::App* sub : app.get_subcommands({})) {
            known = known || sub->get_name() == verb;
            verbs += (verbs.empty() ? "" : ", ") + sub->get_name();
        }
        if (!known) {
            std::cerr << "hebllm: error: unknown verb '" << verb << "' (verbs: " << verbs
                      << ")\nRun 'hebllm --help' for usage.\n";
            return hebllm::cli::exit_bad_input;
        }
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version end here too, with exit code 0.
        return app.exit(e) == 0 ? hebllm::cli::exit_ok : hebllm::cli::exit_bad_input;
    }
    try {
        return chosen ? chosen() : hebllm::cli::exit_bad_input;
    } catch (const hebllm::error& e) {
        // Bad input: files, configs, networks, backends that are not built.
        std::cerr << "hebllm: error: " << e.what() << '\n';
        return hebllm::cli::exit_bad_input;
    } catch (const std::bad_alloc&) {
        std::cerr << "hebllm: error: out of memory (the network, or its recording, does not fit)\n";
        return hebllm::cli::exit_failure;
    } catch (const std::exception& e) {
        // Everything else (internal errors, out of memory, ...) is not the input's fault.
        std::cerr << "hebllm: error: " << e.what() << '\n';
        return hebllm::cli::exit_failure;
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (...) {
        // Only reachable if building the argument parser or printing fails.
        std::cerr << "hebllm: error: unexpected failure\n";
        return hebllm::cli::exit_failure;
    }
}
