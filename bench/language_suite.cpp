// SPDX-License-Identifier: MIT
// The language benchmark (issue 4, docs/language.md): on one corpus tier, every n-gram
// baseline and the spiking learner with its two controls (plasticity off; trained on a
// shuffled stream), frozen and prequential, over several seeds; writes one Markdown table.
//
//   build/bin/language_suite --corpus kjv.txt --tier kjv256 --seeds 3
//       --out bench/results/language.md
//
// Everything goes through the public API: the same code paths as `hebllm baseline`,
// `hebllm train` and `hebllm eval`.

#include <sys/utsname.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include <hebllm/build_info.hpp>
#include <hebllm/lang/continual.hpp>
#include <hebllm/lang/corpus.hpp>
#include <hebllm/lang/dataset.hpp>
#include <hebllm/lang/generate.hpp>
#include <hebllm/lang/learner.hpp>
#include <hebllm/lang/ngram.hpp>
#include <hebllm/lang/predictor.hpp>
#include <hebllm/lang/progress.hpp>
#include <hebllm/lang/tokenizer.hpp>

namespace {

using namespace hebllm;

struct row {
    std::string model;
    std::string mode;
    std::vector<lang::eval_result> runs;  // one per seed
    double train_s = 0.0;                 // mean over seeds
    double train_tokens_per_s = 0.0;
};

std::string machine() {
    std::ifstream cpu("/proc/cpuinfo");
    std::string line;
    std::string model = "unknown CPU";
    while (std::getline(cpu, line)) {
        if (line.rfind("model name", 0) == 0) {
            model = line.substr(line.find(':') + 2);
            break;
        }
    }
    utsname u{};
    uname(&u);
    return model + ", " + std::to_string(std::thread::hardware_concurrency()) + " threads, " +
           u.sysname + " " + u.release;
}

std::string mean_sd(const std::vector<double>& x, double scale, int digits) {
    double m = 0.0;
    for (double v : x) {
        m += v;
    }
    m /= static_cast<double>(x.size());
    char buf[64];
    if (x.size() < 2) {
        std::snprintf(buf, sizeof buf, "%.*f", digits, m * scale);
        return buf;
    }
    double s = 0.0;
    for (double v : x) {
        s += (v - m) * (v - m);
    }
    s = std::sqrt(s / static_cast<double>(x.size() - 1));
    std::snprintf(buf, sizeof buf, "%.*f ± %.*f", digits, m * scale, digits, s * scale);
    return buf;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"hebllm language benchmark"};
    std::string corpus_file;
    std::string tier = "kjv256";
    int seeds = 3;
    int threads = 0;
    int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::string backend = "auto";
    std::string out;
    std::vector<std::string> set;
    bool skip_network = false;
    bool continual = false;
    bool continual_only = false;
    bool ablations = false;
    std::uint64_t continual_tokens = 20000;
    app.add_option("--corpus", corpus_file, "Corpus file (hebllm corpus kjv OUT)")->required();
    app.add_option("--tier", tier, "kjv256, kjv4k or smoke")->capture_default_str();
    app.add_option("--seeds", seeds, "Network seeds (1..N)")->capture_default_str();
    app.add_option("--threads", threads,
                   "cpu backend threads per run (0: default; 1 when runs go in parallel)");
    app.add_option("--jobs", jobs,
                   "Network runs (variant x seed) at a time (default: one per core)")
        ->check(CLI::Range(1, 256));
    app.add_option("--backend", backend, "Network backend")->capture_default_str();
    app.add_option("--set", set, "Learner parameter key=value (repeatable)");
    app.add_option("--out", out, "Markdown file to write");
    app.add_flag("--skip-network", skip_network, "Baselines only");
    app.add_flag("--ablations", ablations,
                 "Also each mechanism of the network on and off (seed 1 only): dense one layer, "
                 "grown outputs, conjunction units of order 2 and 3, random pool, no "
                 "metaplasticity");
    app.add_flag("--continual", continual,
                 "Also the continual protocol (KJV, then Debian's fortunes; V = 1024) for the "
                 "trigram KN and the network");
    app.add_flag("--continual-only", continual_only,
                 "Only the continual protocol (implies --continual)");
    app.add_option("--continual-tokens", continual_tokens,
                   "Training tokens of each continual phase (tests: a tenth)")
        ->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    if (jobs > 1 && threads == 0) {
        threads = 1;  // the runs, not the threads of one run, share the cores
    }

    std::string command;
    for (int i = 0; i < argc; ++i) {
        command += (i ? " " : "") + std::string(argv[i]);
    }
    try {
        const lang::split_spec spec = lang::split_spec::tier(tier);
        continual = continual || continual_only;
        const lang::dataset data = lang::make_dataset(lang::read_corpus(corpus_file), spec);
        const std::uint32_t v = data.tok->size();
        std::vector<row> rows;

        // Baselines: deterministic, one run each.
        for (const char* name : {"uniform", "unigram", "bigram-kn", "trigram-kn", "4gram-kn",
                                 "trigram-mkn", "5gram-mkn", "trigram-wb"}) {
            if (continual_only) {
                break;
            }
            for (const bool preq : {false, true}) {
                auto m = lang::make_baseline(name, v);
                const auto t0 = std::chrono::steady_clock::now();
                lang::train(*m, data.train);
                const double ts =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                row r{name,
                      preq ? "prequential" : "frozen",
                      {},
                      ts,
                      static_cast<double>(data.train.size()) / ts};
                r.runs.push_back(lang::evaluate(*m, data.test, preq));
                std::fprintf(stderr, "%-12s %-12s %.3f bits %.1f%% top-1\n", name, r.mode.c_str(),
                             r.runs[0].bits, 100.0 * r.runs[0].top1);
                rows.push_back(r);
            }
        }

        if (!skip_network && !continual_only) {
            struct variant {
                std::string name;
                bool plastic;
                bool shuffled;
                std::vector<std::string> set;  // on top of --set
                int seeds;
            };
            std::vector<variant> variants = {
                {"spiking network", true, false, {}, seeds},
                {"control: plasticity off", false, false, {}, seeds},
                {"control: shuffled training stream", true, true, {}, seeds}};
            if (ablations) {
                const std::string grown = "grow_outputs=true";
                variants.push_back({"ablation: one layer, dense outputs (no units, no growth)",
                                    true,
                                    false,
                                    {"conjunction_order=1", "grow_outputs=false", "novelty=false"},
                                    1});
                variants.push_back({"ablation: one layer, grown outputs (no units)",
                                    true,
                                    false,
                                    {"conjunction_order=1", grown},
                                    1});
                variants.push_back(
                    {"ablation: units of order 2", true, false, {"conjunction_order=2", grown}, 1});
                // Order 2 and 3 with grown outputs is the default network: its seed-1 run above.
                variants.push_back(
                    {"ablation: order 3 on the token delay lines (flat, not from "
                     "order-2 units)",
                     true,
                     false,
                     {"conjunction_order=3", grown, "units3_from_units2=false"},
                     1});
                variants.push_back({"ablation: order 2 and 3, random pool (not recruited)",
                                    true,
                                    false,
                                    {"conjunction_order=3", grown, "random_pool=true"},
                                    1});
                variants.push_back({"ablation: order 2 and 3, no metaplasticity",
                                    true,
                                    false,
                                    {"conjunction_order=3", grown, "metaplasticity_tokens=0"},
                                    1});
            }
            // Every (variant, seed) run is independent: they run `jobs` at a time, each on
            // its own network and engine, and are gathered in order afterwards.
            struct run_result {
                double train_s = 0.0;
                double tokens_per_s = 0.0;
                lang::eval_result frozen, counts, preq;
            };
            struct job {
                std::size_t variant;
                int seed;
            };
            std::vector<job> todo;
            for (std::size_t vi = 0; vi < variants.size(); ++vi) {
                for (int seed = 1; seed <= variants[vi].seeds; ++seed) {
                    todo.push_back({vi, seed});
                }
            }
            std::vector<run_result> results(todo.size());
            const auto run_one = [&](std::size_t k) {
                const variant& var = variants[todo[k].variant];
                const int seed = todo[k].seed;
                lang::learner_params p;
                std::vector<std::string> all = set;
                all.insert(all.end(), var.set.begin(), var.set.end());
                for (const std::string& kv : all) {
                    const std::size_t eq = kv.find('=');
                    p.set(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
                }
                p.vocab_size = v;
                p.seed = static_cast<std::uint64_t>(seed);
                p.plastic = var.plastic;
                engine_options eo;
                eo.threads = threads;
                lang::network_learner net(p, backend, eo);
                const std::vector<std::uint32_t> stream =
                    var.shuffled
                        ? lang::shuffled_stream(data.train, static_cast<std::uint64_t>(seed))
                        : data.train;
                std::optional<lang::progress> bar;
                if (jobs == 1) {
                    bar.emplace(std::string(var.name) + " train", stream.size());
                }
                const auto t0 = std::chrono::steady_clock::now();
                lang::train(net, stream, bar ? &*bar : nullptr);
                if (bar) {
                    bar->finish();
                }
                run_result& r = results[k];
                r.train_s =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                r.tokens_per_s = static_cast<double>(stream.size()) / r.train_s;
                net.fit_readout(data.validation);
                r.frozen = lang::evaluate(net, data.test, false);
                // Frozen passes change no state: the spike-count decoder and the prequential
                // pass start from the same trained network.
                net.set_readout(lang::network_learner::readout::spike_counts);
                r.counts = lang::evaluate(net, data.test, false);
                net.set_readout(lang::network_learner::readout::drive);
                r.preq = lang::evaluate(net, data.test, true);
                std::fprintf(stderr,
                             "%s seed %d: train %.1f s; frozen %.3f bits %.1f%%; spike "
                             "counts %.3f bits; prequential %.3f bits %.1f%% (beta %.4g); "
                             "%llu synapses, units %llu + %llu\n",
                             var.name.c_str(), seed, r.train_s, r.frozen.bits,
                             100.0 * r.frozen.top1, r.counts.bits, r.preq.bits, 100.0 * r.preq.top1,
                             net.beta(),
                             static_cast<unsigned long long>(net.network().synapse_count()),
                             static_cast<unsigned long long>(net.recruited(2)),
                             static_cast<unsigned long long>(net.recruited(3)));
            };
            std::atomic<std::size_t> next{0};
            std::exception_ptr failure;
            std::mutex failure_mutex;
            const auto worker = [&] {
                for (std::size_t k = next++; k < todo.size(); k = next++) {
                    try {
                        run_one(k);
                    } catch (...) {
                        const std::lock_guard<std::mutex> lock(failure_mutex);
                        if (!failure) {
                            failure = std::current_exception();
                        }
                    }
                }
            };
            std::vector<std::thread> pool;
            for (int w = 1; w < jobs; ++w) {
                pool.emplace_back(worker);
            }
            worker();
            for (std::thread& t : pool) {
                t.join();
            }
            if (failure) {
                std::rethrow_exception(failure);
            }
            for (std::size_t vi = 0, k = 0; vi < variants.size(); ++vi) {
                const variant& var = variants[vi];
                row frozen{var.name, "frozen", {}, 0.0, 0.0};
                row preq{var.name, "prequential", {}, 0.0, 0.0};
                row counts{var.name + ", spike-count decoder", "frozen", {}, 0.0, 0.0};
                for (int seed = 1; seed <= var.seeds; ++seed, ++k) {
                    const run_result& r = results[k];
                    frozen.train_s += r.train_s / var.seeds;
                    frozen.train_tokens_per_s += r.tokens_per_s / var.seeds;
                    frozen.runs.push_back(r.frozen);
                    counts.runs.push_back(r.counts);
                    preq.runs.push_back(r.preq);
                }
                preq.train_s = frozen.train_s;
                preq.train_tokens_per_s = frozen.train_tokens_per_s;
                counts.train_s = frozen.train_s;
                counts.train_tokens_per_s = frozen.train_tokens_per_s;
                rows.push_back(frozen);
                rows.push_back(preq);
                if (var.plastic) {
                    rows.push_back(counts);
                }
            }
        }

        std::ostringstream md;
        const std::time_t now = std::time(nullptr);
        char date[64];
        std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
        md << "# Language benchmark: " << tier << "\n\n"
           << "Command: `" << command << "`  \n"
           << "Date: " << date << "  \n"
           << "Machine: " << machine() << "; network runs " << jobs << " at a time, " << threads
           << " thread(s) each  \n"
           << "hebllm " << build_info().version << "; corpus tier " << tier << ": "
           << data.train.size() << " training, " << data.validation.size() << " validation, "
           << data.test.size() << " test tokens; V = " << v << "; test `<unk>` rate "
           << 100.0 * data.test_unk_rate << " %.\n\n"
           << "Bits/token over all test targets; strict top-1/top-5 (`<unk>` is never a correct "
              "prediction). Frozen: no learning during the test; prequential: predict, score, "
              "then learn. Network rows: mean ± s.d. over seeds 1.."
           << seeds
           << " (ablation rows: seed 1); the readout's beta (and the spike-count "
              "decoder's smoothing) is fitted on the validation split only. The spike-count "
              "decoder predicts from each token's output spikes in the prediction window alone "
              "(p proportional to count + alpha).\n\n"
           << "| model | mode | bits/token | top-1 % | top-5 % | test tokens/s | train s |\n"
           << "|---|---|---|---|---|---|---|\n";
        for (const row& r : rows) {
            std::vector<double> b, t1, t5, tps;
            for (const auto& e : r.runs) {
                b.push_back(e.bits);
                t1.push_back(e.top1);
                t5.push_back(e.top5);
                tps.push_back(e.tokens_per_s);
            }
            char ts[32];
            std::snprintf(ts, sizeof ts, "%.1f", r.train_s);
            md << "| " << r.model << " | " << r.mode << " | " << mean_sd(b, 1.0, 3) << " | "
               << mean_sd(t1, 100.0, 1) << " | " << mean_sd(t5, 100.0, 1) << " | "
               << mean_sd(tps, 1.0, 0) << " | " << ts << " |\n";
        }
        if (continual) {
            lang::continual_spec cs;
            cs.a_train_tokens = continual_tokens;
            cs.b_train_tokens = continual_tokens;
            cs.a_test_tokens = continual_tokens / 10;
            cs.b_test_tokens = continual_tokens / 10;
            cs.a_validation_tokens = continual_tokens / 10;
            const lang::continual_data cd =
                lang::make_continual(lang::read_corpus(corpus_file), lang::read_fortunes(), cs);
            md << "\n## Continual learning: KJV (A), then fortunes (B)\n\n"
               << "V = " << cd.tok->size() << " over A ∪ B; " << cs.a_train_tokens
               << " training and " << cs.a_test_tokens
               << " test tokens per phase; the readout is fitted on " << cs.a_validation_tokens
               << " tokens of A's validation split after phase A; phase B is learned "
                  "prequentially. Forgetting = "
                  "bits on A's test after B minus after A. New words: prequential bits on "
                  "words that occur in B's training text but not in A's, by occurrence.\n\n"
               << "| model | A after A | B after A | A after B | B after B | forgetting | "
                  "new 1st | new 2nd–5th | new 6th–20th |\n"
               << "|---|---|---|---|---|---|---|---|---|\n";
            const auto line = [&md](const std::string& name, const lang::continual_result& r) {
                char buf[512];
                std::snprintf(buf, sizeof buf,
                              "| %s | %.3f | %.3f | %.3f | %.3f | %+.3f | %.2f | %.2f | %.2f |\n",
                              name.c_str(), r.a_after_a.bits, r.b_after_a.bits, r.a_after_b.bits,
                              r.b_after_b.bits, r.forgetting(), r.new_bits[0], r.new_bits[1],
                              r.new_bits[2]);
                md << buf;
                std::fputs(buf, stderr);
            };
            {
                auto kn = lang::make_baseline("trigram-kn", cd.tok->size());
                line("trigram-kn", lang::evaluate_continual(cd, *kn));
            }
            if (!skip_network) {
                lang::learner_params p;
                for (const std::string& kv : set) {
                    const std::size_t eq = kv.find('=');
                    p.set(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
                }
                p.vocab_size = cd.tok->size();
                p.seed = 1;
                engine_options eo;
                eo.threads = threads;
                for (const bool with_sleep : {false, true}) {
                    lang::learner_params q = p;
                    if (with_sleep) {
                        // Sleep every 2,000 tokens: replay, then prune what STDP left near 0.
                        q.sleep_every = 2000;
                        q.sleep_prune_below = 1e-3;
                    }
                    lang::network_learner net(q, backend, eo);
                    const std::uint64_t synapses = net.network().synapse_count();
                    const auto t0 = std::chrono::steady_clock::now();
                    const lang::continual_result r = lang::evaluate_continual(cd, net);
                    const double s =
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
                            .count();
                    char name[256];
                    std::snprintf(name, sizeof name,
                                  "spiking network%s (seed 1; %.0f s; %llu → %llu synapses)",
                                  with_sleep ? " + sleep every 2,000 tokens" : "", s,
                                  static_cast<unsigned long long>(synapses),
                                  static_cast<unsigned long long>(net.network().synapse_count()));
                    line(name, r);
                }
            }
        }
        std::cout << md.str();
        if (!out.empty()) {
            std::ofstream f(out);
            f << md.str();
        }
    } catch (const std::exception& e) {
        std::cerr << "language_suite: error: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
