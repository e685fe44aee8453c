// SPDX-License-Identifier: MIT
// A separate process for the checkpoint tests (test_checkpoint.cpp): runs one of the
// equivalence networks straight, or saves it, or resumes it from a checkpoint, and dumps what
// it ended with (spikes, weights, neuron state, counters) so the test can compare bytes.
//
//   checkpoint_driver straight CONFIG BACKEND THREADS STEPS OUT
//   checkpoint_driver save     CONFIG BACKEND THREADS STEPS CHECKPOINT
//   checkpoint_driver resume   CONFIG BACKEND THREADS STEPS CHECKPOINT OUT
//   checkpoint_driver synapses -      BACKEND THREADS 0     CHECKPOINT OUT.csv
//
// save honours the environment variable HEBLLM_CHECKPOINT_FAULT ("bytes:K", "before_rename",
// "after_rename"), which this driver hands to the writer's test seam (io/checkpoint_fault.hpp):
// the writer then dies at the chosen point. The library itself reads no environment variable.

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <hebllm/checkpoint.hpp>
#include <hebllm/engine.hpp>
#include <hebllm/errors.hpp>

#include "equivalence/configs.hpp"
#include "io/checkpoint_fault.hpp"

namespace {

using namespace hebllm;

test::config find_config(const std::string& name) {
    if (name == "hebsnn") {
        return test::hebsnn_config();
    }
    if (name == "ei") {
        return test::ei_config();
    }
    if (name == "mixed") {
        return test::mixed_config();
    }
    throw error("unknown config " + name);
}

// Runs steps [e.current_step(), last) with the inputs of the equivalence tests plus inputs
// added while running, all keyed by the absolute step so a resumed run sees the same.
void drive(engine& e, const test::config& c, std::int64_t last) {
    const bool external = c.net.neuromodulation.kind == neuromodulation_kind::external;
    for (std::int64_t s = e.current_step(); s < last; ++s) {
        if (s % 100 == 50) {
            e.set_surprise(0.5);
            e.set_reward(0.25);
        }
        if (external && s % 30 == 0) {
            e.set_modulation(s % 90 == 0 ? -0.7 : 1.3);
        }
        if (s == 40) {  // a run-time Poisson-input stimulus spanning the save point
            stimulus st;
            st.kind = stimulus_kind::poisson_input;
            st.first = 100;
            st.count = 300;
            st.t_start_ms = e.time_ms();
            st.t_stop_ms = e.time_ms() + 500.0;
            st.rate_hz = 30.0;
            st.amplitude = 0.3;
            st.sources = 20;
            e.add_stimulus(st);
        }
        if (s == 60 && c.name == "hebsnn") {
            e.stimulate_token(7, 80.0, 500.0);
        }
        e.step(c.input);
    }
}

template <class T>
void put(std::FILE* f, const std::vector<T>& v) {
    const std::uint64_t n = v.size();
    std::fwrite(&n, sizeof n, 1, f);
    if (n > 0) {
        std::fwrite(v.data(), sizeof(T), v.size(), f);
    }
}

void dump(engine& e, const std::string& out) {
    std::FILE* f = std::fopen(out.c_str(), "wb");
    if (f == nullptr) {
        throw error("cannot write " + out);
    }
    std::vector<std::int64_t> spikes;
    for (const spike_event& s : e.spikes()) {
        spikes.push_back(s.step);
        spikes.push_back(s.neuron);
    }
    put(f, spikes);
    std::vector<std::uint32_t> ids;
    std::vector<float> weights;
    for (const synapse_view& s : e.synapses()) {
        ids.push_back(s.pre);
        ids.push_back(s.post);
        ids.push_back(s.delay_steps);
        weights.push_back(s.weight);
    }
    put(f, ids);
    put(f, weights);
    const neuron_state st = e.state();
    for (const auto* a :
         {&st.v, &st.i_syn, &st.threshold, &st.theta, &st.trace_pre, &st.trace_post, &st.rate_hz}) {
        put(f, *a);
    }
    put(f, st.refractory_steps);
    const run_stats r = e.stats();
    put(f,
        std::vector<std::uint64_t>{static_cast<std::uint64_t>(r.steps), r.spikes, r.synaptic_events,
                                   r.plasticity_updates, r.forced_spikes_dropped});
    put(f, e.population_spike_counts());
    const double m = e.modulation();
    std::fwrite(&m, sizeof m, 1, f);
    std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::vector<std::string> a(argv + 1, argv + argc);
        if (a.size() < 6) {
            std::fprintf(stderr, "usage: see the comment at the top of checkpoint_driver.cpp\n");
            return 2;
        }
        const std::string& mode = a[0];
        const test::config c = a[1] == "-" ? test::config{} : find_config(a[1]);
        engine_options opt;
        opt.threads = std::stoi(a[3]);
        const std::int64_t steps = std::stoll(a[4]);
        if (mode == "straight") {
            auto e = make_engine(c.net, a[2], opt);
            drive(*e, c, steps);
            dump(*e, a[5]);
        } else if (mode == "save") {
            if (const char* f = std::getenv("HEBLLM_CHECKPOINT_FAULT"); f != nullptr) {
                const std::string plan(f);
                io_detail::checkpoint_fault fault;
                if (plan.rfind("bytes:", 0) == 0) {
                    fault.after_bytes = std::stoll(plan.substr(6));
                } else if (plan == "before_rename") {
                    fault.before_rename = true;
                } else if (plan == "after_rename") {
                    fault.after_rename = true;
                } else {
                    throw error("unknown HEBLLM_CHECKPOINT_FAULT " + plan);
                }
                io_detail::set_checkpoint_fault(fault);
            }
            auto e = make_engine(c.net, a[2], opt);
            drive(*e, c, steps);
            const std::string note = "step " + std::to_string(steps);
            const checkpoint_section extra{"note", {note.begin(), note.end()}};
            save_checkpoint(*e, a[5], std::span(&extra, 1));
        } else if (mode == "synapses") {  // synapses CONFIG(-) BACKEND THREADS 0 CKPT OUT.csv
            const loaded_checkpoint l = load_checkpoint(a[5], a[2], opt);
            std::FILE* f = std::fopen(a.at(6).c_str(), "w");
            if (f == nullptr) {
                throw error("cannot write " + a[6]);
            }
            std::fprintf(f, "pre,post,delay,weight\n");
            for (const synapse_view& s : l.engine->synapses()) {
                std::fprintf(f, "%u,%u,%u,%.9g\n", s.pre, s.post, s.delay_steps,
                             static_cast<double>(s.weight));
            }
            std::fclose(f);
        } else if (mode == "resume" && a.size() >= 7) {
            loaded_checkpoint l = load_checkpoint(a[5], a[2], opt);
            drive(*l.engine, c, l.engine->current_step() + steps);
            dump(*l.engine, a[6]);
        } else {
            std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
            return 2;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "checkpoint_driver: %s\n", e.what());
        return 1;
    }
    return 0;
}
