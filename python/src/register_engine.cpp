// SPDX-License-Identifier: MIT
// hebllm.Engine (what a network *does*), make_engine, load, available_backends.
//
// Long runs release the GIL; with an input_fn it is taken back for each call. Ctrl-C: every
// 50 ms of wall time the run takes the GIL and calls PyErr_CheckSignals, so KeyboardInterrupt
// stops it between two steps (the engine is then consistent at the step it reached).
// Arrays returned to Python are copies made in C++ (no per-spike or per-synapse Python object).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <hebllm/checkpoint.hpp>
#include <hebllm/engine.hpp>
#include <hebllm/errors.hpp>

#include "bindings.hpp"

namespace py = pybind11;

namespace hebllm::python {
namespace {

// One row of Engine.spikes(): dtype {neuron: uint32, step: int64, time_ms: float64} (aligned,
// itemsize 24).
struct spike_row {
    std::uint32_t neuron;
    std::int64_t step;
    double time_ms;
};

// One row of Engine.synapses(): dtype {pre: uint32, post: uint32, weight: float32 (signed),
// delay_steps: uint32} (itemsize 16).
struct synapse_row {
    std::uint32_t pre;
    std::uint32_t post;
    float weight;
    std::uint32_t delay_steps;
};

template <class T>
py::array_t<T> to_numpy(std::span<const T> values) {
    py::array_t<T> out(static_cast<py::ssize_t>(values.size()));
    if (!values.empty()) {
        std::copy(values.begin(), values.end(), out.mutable_data());
    }
    return out;
}

template <class T>
py::array_t<T> to_numpy(const std::vector<T>& values) {
    return to_numpy(std::span<const T>(values));
}

// Adds what input_fn(t_ms) returned to this step's inputs: None, neuron ids (a sequence or an
// integer array) or a boolean mask of length N.
void add_inputs(py::handle result, std::uint32_t n, double t_ms, input_sink& sink) {
    if (result.is_none()) {
        return;
    }
    const auto where = [&] {
        return "input_fn(" + py::repr(py::float_(t_ms)).cast<std::string>() + ")";
    };
    const py::array a = py::array::ensure(result);
    if (!a) {
        PyErr_Clear();
        throw py::type_error(where() +
                             " must return None, neuron ids (a list or integer array) "
                             "or a boolean mask, got " +
                             py::repr(py::type::handle_of(result)).cast<std::string>());
    }
    if (a.ndim() > 1) {
        throw py::type_error(where() + " must return a one-dimensional array, got " +
                             std::to_string(a.ndim()) + " dimensions");
    }
    const char kind = a.dtype().kind();
    if (kind == 'b') {
        if (a.size() != static_cast<py::ssize_t>(n)) {
            throw model_error(where() + ": a boolean mask must have one entry per neuron (" +
                              std::to_string(n) + "), got " + std::to_string(a.size()));
        }
        const auto mask = py::array_t<bool, py::array::c_style | py::array::forcecast>::ensure(a);
        const bool* m = mask.data();
        for (std::uint32_t i = 0; i < n; ++i) {
            if (m[i]) {
                sink.spike(i);
            }
        }
        return;
    }
    if (a.size() == 0) {
        return;  // [] is a float64 array to numpy
    }
    if (kind != 'i' && kind != 'u') {
        throw py::type_error(where() +
                             " must return integer neuron ids or a boolean mask, got "
                             "an array of dtype " +
                             py::str(a.dtype()).cast<std::string>());
    }
    const auto ids =
        py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
    const std::int64_t* p = ids.data();
    for (py::ssize_t k = 0; k < ids.size(); ++k) {
        if (p[k] < 0 || p[k] >= static_cast<std::int64_t>(n)) {
            throw model_error(where() + ": neuron id " + std::to_string(p[k]) +
                              " is outside the network (" + std::to_string(n) + " neurons)");
        }
        sink.spike(static_cast<std::uint32_t>(p[k]));
    }
}

// Runs `steps` steps with the GIL released, checking for signals (Ctrl-C) every 50 ms.
void run_steps(engine& e, std::int64_t steps, const py::object& input_fn) {
    hebllm::input_fn cb;
    const std::uint32_t n = e.neuron_count();
    if (!input_fn.is_none()) {
        cb = [&input_fn, n](std::int64_t, double t_ms, input_sink& sink) {
            py::gil_scoped_acquire gil;
            const py::object result = input_fn(t_ms);
            add_inputs(result, n, t_ms, sink);
        };
    }
    using clock = std::chrono::steady_clock;
    constexpr auto check_every = std::chrono::milliseconds(50);
    py::gil_scoped_release release;
    auto last_check = clock::now();
    for (std::int64_t k = 0; k < steps; ++k) {
        e.step(cb);
        if (const auto now = clock::now(); now - last_check >= check_every) {
            last_check = now;
            py::gil_scoped_acquire gil;
            if (PyErr_CheckSignals() != 0) {
                throw py::error_already_set();
            }
        }
    }
}

std::int64_t steps_of(const engine& e, double duration_ms) {
    if (!std::isfinite(duration_ms) || duration_ms < 0.0) {
        throw model_error("run: duration_ms must be a finite number >= 0, got " +
                          std::to_string(duration_ms));
    }
    return std::llround(duration_ms / e.spec().dt_ms);  // as engine::run rounds
}

engine_options options_of(int threads, bool record_spikes) {
    engine_options o;
    o.threads = threads;
    o.recording.spikes = record_spikes;
    return o;
}

py::dict state_dict(const neuron_state& s) {
    py::dict d;
    d["v"] = to_numpy(s.v);
    d["i_syn"] = to_numpy(s.i_syn);
    d["threshold"] = to_numpy(s.threshold);
    d["theta"] = to_numpy(s.theta);
    d["trace_pre"] = to_numpy(s.trace_pre);
    d["trace_post"] = to_numpy(s.trace_post);
    d["rate_hz"] = to_numpy(s.rate_hz);
    d["refractory_steps"] = to_numpy(s.refractory_steps);
    return d;
}

py::dict stats_dict(const run_stats& s) {
    py::dict d;
    d["steps"] = s.steps;
    d["spikes"] = s.spikes;
    d["synaptic_events"] = s.synaptic_events;
    d["plasticity_updates"] = s.plasticity_updates;
    d["forced_spikes_dropped"] = s.forced_spikes_dropped;
    d["wall_s"] = s.wall_s;
    return d;
}

py::dict consolidation_dict(const consolidation_report& r) {
    py::dict d;
    d["step"] = r.step;
    d["patterns_replayed"] = r.patterns_replayed;
    d["replayed_steps"] = r.replayed_steps;
    d["strengthened"] = r.strengthened;
    d["pruned"] = r.pruned;
    d["synapses_before"] = r.synapses_before;
    d["synapses_after"] = r.synapses_after;
    d["bytes_before"] = r.bytes_before;
    d["bytes_after"] = r.bytes_after;
    return d;
}

stimulus_kind stimulus_kind_of(const std::string& name) {
    if (name == "poisson") {
        return stimulus_kind::poisson;
    }
    if (name == "current") {
        return stimulus_kind::current;
    }
    if (name == "poisson_input") {
        return stimulus_kind::poisson_input;
    }
    throw model_error("add_stimulus: kind must be 'poisson', 'current' or 'poisson_input', got '" +
                      name + "'");
}

constexpr const char* input_fn_doc =
    "input_fn(t_ms), if given, is called once per step with the step's time in ms and returns "
    "the neurons to force to spike in that step: None, a list or integer numpy array of global "
    "neuron ids, or a boolean mask of length neuron_count (forced spikes on refractory LIF "
    "neurons are dropped). An exception it raises stops the run and propagates.";

}  // namespace

void register_engine(py::module_& m) {
    PYBIND11_NUMPY_DTYPE(spike_row, neuron, step, time_ms);
    PYBIND11_NUMPY_DTYPE(synapse_row, pre, post, weight, delay_steps);
    m.attr("SPIKE_DTYPE") = py::dtype::of<spike_row>();
    m.attr("SYNAPSE_DTYPE") = py::dtype::of<synapse_row>();

    py::class_<engine, std::unique_ptr<engine>> cls(m, "Engine", R"doc(
A running network (C++ hebllm::engine) on one backend. Make one with hebllm.make_engine(network)
or hebllm.load(checkpoint). Every backend and thread count gives bit-identical spikes, weights
and state for the same network and seed (docs/determinism.md). Not thread-safe: use one
Engine from one thread at a time.

Every array returned is a copy (changing it does not change the engine).)doc");
    cls.def_property_readonly(
           "backend", [](const engine& e) { return std::string(e.backend()); },
           "Name of the backend running this engine ('reference', 'cpu', ...).")
        .def_property_readonly(
            "network", [](const engine& e) { return network_spec(e.spec()); },
            "A copy of the engine's Network (its seed, stimuli and explicit synapses included).")
        .def_property_readonly("neuron_count", &engine::neuron_count, "Number of neurons.")
        .def_property_readonly("synapse_count", &engine::synapse_count,
                               "Number of synapses now (plasticity may add or remove some).")
        .def_property_readonly("current_step", &engine::current_step,
                               "The next step to run (steps run so far).")
        .def_property_readonly("time_ms", &engine::time_ms,
                               "Simulated time so far (ms): current_step * dt_ms.")
        .def_property_readonly(
            "dt_ms", [](const engine& e) { return e.spec().dt_ms; }, "Time step (ms).")
        .def(
            "run",
            [](engine& e, double duration_ms, const py::object& input_fn) {
                run_steps(e, steps_of(e, duration_ms), input_fn);
            },
            py::arg("duration_ms"), py::arg("input_fn") = py::none(),
            (std::string("Run for duration_ms (rounded to whole steps). Releases the GIL; "
                         "Ctrl-C raises KeyboardInterrupt between two steps. ") +
             input_fn_doc)
                .c_str())
        .def(
            "step",
            [](engine& e, const py::object& input_fn) {
                run_steps(e, 1, input_fn);
                return to_numpy(e.last_spikes());
            },
            py::arg("input_fn") = py::none(),
            (std::string("Run one step and return the neurons that spiked in it (uint32 array, "
                         "sorted). ") +
             input_fn_doc)
                .c_str())
        .def(
            "last_spikes", [](const engine& e) { return to_numpy(e.last_spikes()); },
            "Neurons that spiked in the last step (uint32 array, sorted by id; a copy).")
        .def(
            "spikes",
            [](const engine& e) {
                const std::vector<spike_event>& s = e.spikes();
                const double dt = e.spec().dt_ms;
                py::array_t<spike_row> out(static_cast<py::ssize_t>(s.size()));
                spike_row* row = out.mutable_data();
                for (std::size_t k = 0; k < s.size(); ++k) {
                    row[k] = {s[k].neuron, s[k].step, static_cast<double>(s[k].step) * dt};
                }
                return out;
            },
            R"doc(Every recorded spike since the engine was made (or since clear_recording()),
in the order they happened (by step, then neuron id): a numpy structured array of dtype
hebllm.SPIKE_DTYPE, fields neuron (uint32, global id), step (int64) and time_ms (float64,
step * dt_ms), shape (n_spikes,). A copy built in C++.)doc")
        .def(
            "potentials",
            [](const engine& e) {
                py::array_t<double> out(static_cast<py::ssize_t>(e.neuron_count()));
                e.read_potentials(0, std::span<double>(out.mutable_data(), e.neuron_count()));
                return out;
            },
            "Membrane potential of every neuron after the last step (float64 array of shape "
            "(neuron_count,), mV; a copy).")
        .def(
            "synaptic_currents",
            [](const engine& e) {
                py::array_t<double> out(static_cast<py::ssize_t>(e.neuron_count()));
                e.read_synaptic_currents(0,
                                         std::span<double>(out.mutable_data(), e.neuron_count()));
                return out;
            },
            "Synaptic current of every neuron (float64, mV as R*I; 0 for instantaneous "
            "synapses; a copy).")
        .def(
            "state", [](const engine& e) { return state_dict(e.state()); },
            R"doc(Every neuron's state as a dict of numpy arrays of shape (neuron_count,), each a
copy: v, i_syn, threshold, theta, trace_pre, trace_post, rate_hz (float64) and
refractory_steps (int32).)doc")
        .def(
            "synapses",
            [](engine& e) {
                const std::vector<synapse_view> s = e.synapses();
                py::array_t<synapse_row> out(static_cast<py::ssize_t>(s.size()));
                synapse_row* row = out.mutable_data();
                for (std::size_t k = 0; k < s.size(); ++k) {
                    row[k] = {s[k].pre, s[k].post, s[k].weight, s[k].delay_steps};
                }
                return out;
            },
            R"doc(Every synapse, sorted by (pre, post): a numpy structured array of dtype
hebllm.SYNAPSE_DTYPE, fields pre, post (uint32 global ids), weight (float32, signed: negative
from inhibitory neurons) and delay_steps (uint32; delay in ms = delay_steps * dt_ms), shape
(synapse_count,). A copy, with STDP's deferred updates applied first.)doc")
        .def(
            "population_spike_counts",
            [](const engine& e) { return to_numpy(e.population_spike_counts()); },
            "Spikes per population since the last reset_stats() (uint64 array, population "
            "order).")
        .def(
            "stats", [](const engine& e) { return stats_dict(e.stats()); },
            "Work counters since the engine was made or reset_stats(): a dict with steps, "
            "spikes, synaptic_events, plasticity_updates, forced_spikes_dropped, wall_s.")
        .def(
            "stimulate_token",
            [](engine& e, std::uint32_t token, double duration_ms, double rate_hz,
               const std::string& population) {
                e.stimulate_token(token, duration_ms, rate_hz, population);
            },
            py::arg("token"), py::arg("duration_ms"), py::arg("rate_hz") = 1000.0,
            py::arg("population") = std::string(),
            "Drive the neurons of `token` in `population` (default: the first sensory "
            "population) with forced Poisson spikes at rate_hz for duration_ms, from now on.")
        .def(
            "add_stimulus",
            [](engine& e, const std::string& kind, std::uint32_t first, std::uint32_t count,
               double t_start_ms, double t_stop_ms, double rate_hz, double amplitude,
               std::uint32_t sources) {
                stimulus s;
                s.kind = stimulus_kind_of(kind);
                s.first = first;
                s.count = count;
                s.t_start_ms = t_start_ms;
                s.t_stop_ms = t_stop_ms;
                s.rate_hz = rate_hz;
                s.amplitude = amplitude;
                s.sources = sources;
                e.add_stimulus(s);
            },
            py::arg("kind"), py::arg("first"), py::arg("count"), py::arg("t_start_ms"),
            py::arg("t_stop_ms"), py::arg("rate_hz") = 0.0, py::arg("amplitude") = 0.0,
            py::arg("sources") = 0,
            "Add a stimulus to neurons [first, first + count) for t in [t_start_ms, t_stop_ms): "
            "kind 'poisson' (forced spikes at rate_hz), 'current' (amplitude, mV as R*I) or "
            "'poisson_input' (amplitude x Binomial(sources, rate_hz * dt) each step); the same "
            "rules as a config's [[stimulus]] (docs/formats.md).")
        .def("set_surprise", &engine::set_surprise, py::arg("value"),
             "Surprise input of the novelty neuromodulator (decays every step).")
        .def("set_reward", &engine::set_reward, py::arg("value"),
             "Reward input of the novelty neuromodulator (decays every step).")
        .def("set_modulation", &engine::set_modulation, py::arg("value"),
             "The modulator itself, for neuromodulation kind 'external' (ModelError "
             "otherwise); used from the next step on.")
        .def_property_readonly("modulation", &engine::modulation,
                               "The neuromodulator value used in the last step.")
        .def("reset_state", &engine::reset_state,
             "Put every neuron back into its initial state and drop input in transit; weights, "
             "homeostatic thresholds, the neuromodulator and the step counter are kept (the "
             "original network's reset()).")
        .def("reset_stats", &engine::reset_stats,
             "Zero the counters of stats() and the recordings (e.g. after a warm-up).")
        .def("clear_recording", &engine::clear_recording, "Drop the recorded spikes.")
        .def(
            "consolidate",
            [](engine& e) {
                consolidation_report r;
                {
                    py::gil_scoped_release release;
                    r = e.consolidate();
                }
                return consolidation_dict(r);
            },
            "Sleep consolidation now (needs [consolidation] enabled): replay, strengthen, "
            "prune. Returns a dict (step, patterns_replayed, replayed_steps, strengthened, "
            "pruned, synapses_before/after, bytes_before/after).")
        .def_property_readonly("synapse_bytes", &engine::synapse_bytes,
                               "Bytes held by the synapse store.")
        .def(
            "save",
            [](engine& e, const std::filesystem::path& path, bool recorded_spikes) {
                checkpoint_save_options o;
                o.recorded_spikes = recorded_spikes;
                py::gil_scoped_release release;
                save_checkpoint(e, path, {}, o);
            },
            py::arg("path"), py::arg("recorded_spikes") = true,
            "Write a checkpoint (docs/formats.md \"Checkpoints\"; the format `hebllm simulate "
            "--save` writes and `hebllm resume` reads) atomically. hebllm.load(path) continues "
            "exactly: running N more steps gives what this engine would have given.")
        .def("__repr__", [](const engine& e) {
            return "<hebllm.Engine " + std::string(e.backend()) + ", " +
                   std::to_string(e.neuron_count()) + " neurons, " +
                   std::to_string(e.synapse_count()) + " synapses, step " +
                   std::to_string(e.current_step()) + ">";
        });

    m.def(
        "make_engine",
        [](const network_spec& network, const std::string& backend, int threads,
           bool record_spikes) {
            py::gil_scoped_release release;  // building the synapses of a big network is long
            return make_engine(network, backend, options_of(threads, record_spikes));
        },
        py::arg("network"), py::arg("backend") = "auto", py::arg("threads") = 0,
        py::arg("record_spikes") = true,
        R"doc(Make an Engine for a Network. backend: 'auto' (the fastest built that runs here),
'reference', 'cpu' or 'cuda' (hebllm.available_backends() lists those built); threads: the cpu
backend's thread count (0: OpenMP's default); record_spikes: keep every spike for spikes().
Validates the network (ModelError) and refuses one that does not fit in memory.)doc");
    m.def(
        "load",
        [](const std::filesystem::path& path, const std::string& backend, int threads,
           bool record_spikes) {
            py::gil_scoped_release release;
            return std::move(
                load_checkpoint(path, backend, options_of(threads, record_spikes)).engine);
        },
        py::arg("path"), py::arg("backend") = "auto", py::arg("threads") = 0,
        py::arg("record_spikes") = true,
        R"doc(Continue from a checkpoint (Engine.save, `hebllm simulate --save`) on any backend:
running N more steps gives exactly what the saving engine would have given. Raises
hebllm.FileError for a missing, truncated or corrupted file.)doc");
    m.def("available_backends", &available_backends,
          "Names of the backends compiled into this build ('reference', 'cpu', ...).");
}

}  // namespace hebllm::python
