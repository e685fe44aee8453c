// SPDX-License-Identifier: MIT
// hebllm.Network (a network_spec: what a network *is*), load_config, parse_config and
// make_hebsnn.

#include <filesystem>
#include <string>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <hebllm/io.hpp>
#include <hebllm/network.hpp>

#include "bindings.hpp"

namespace py = pybind11;

namespace hebllm::python {

void register_network(py::module_& m) {
    py::class_<network_spec>(m, "Network", R"doc(
A complete network description (C++ hebllm::network_spec): populations, projections,
plasticity, inputs, time step and seed. Plain data: an Engine made from it keeps its own copy.
Make one with hebllm.load_config(path), hebllm.parse_config(text) or hebllm.make_hebsnn(...).
Neuron ids are global: neuron k of population p is offset(p) + k, populations in declaration
order.)doc")
        .def(py::init<const network_spec&>(), py::arg("other"), "A copy of another Network.")
        .def_property_readonly("neuron_count", &network_spec::neuron_count,
                               "Number of neurons (all populations).")
        .def_readwrite("dt_ms", &network_spec::dt_ms, "Time step (ms).")
        .def_readwrite("duration_ms", &network_spec::duration_ms,
                       "Default run length (ms) of `hebllm simulate` for this config.")
        .def_readwrite("seed", &network_spec::seed,
                       "Seed of every random draw (connectivity, initial state, Poisson input).")
        .def_property_readonly(
            "populations",
            [](const network_spec& s) {
                py::list out;
                std::uint32_t offset = 0;
                for (const population& p : s.populations) {
                    py::dict d;
                    d["name"] = p.name;
                    d["kind"] = to_string(p.kind);
                    d["model"] = to_string(p.model);
                    d["size"] = p.size;
                    d["offset"] = offset;
                    d["inhibitory"] = p.inhibitory;
                    d["neurons_per_token"] = p.neurons_per_token;
                    out.append(d);
                    offset += p.size;
                }
                return out;
            },
            "The populations in id order: a list of dicts with name, kind ('sensory', "
            "'associative', 'inhibitory', 'output' or 'other'), model ('lif' or "
            "'spike_source'), size, offset (global id of its first neuron), inhibitory and "
            "neurons_per_token. A copy: changing it changes nothing.")
        .def_property_readonly(
            "projection_count", [](const network_spec& s) { return s.projections.size(); },
            "Number of random projections.")
        .def_property_readonly(
            "stimulus_count", [](const network_spec& s) { return s.stimuli.size(); },
            "Number of stimuli given in the description.")
        .def_property_readonly(
            "stdp_enabled", [](const network_spec& s) { return s.stdp.enabled; },
            "Whether STDP is on.")
        .def("validate", &network_spec::validate,
             "Check every rule; raises hebllm.ModelError naming the object, the value and the "
             "rule.")
        .def("offset", &network_spec::offset, py::arg("population"),
             "Global id of the first neuron of a population (ModelError for an unknown name).")
        .def("population_of", &network_spec::population_of, py::arg("neuron"),
             "Index (into populations) of the population holding a global neuron id.")
        .def(
            "save",
            [](const network_spec& s, const std::filesystem::path& path) { save_network(s, path); },
            py::arg("path"),
            "Write this network as a TOML config that load_config reads back to an equal "
            "network (explicit synapses and input spikes go to CSV files beside it).")
        .def("__repr__", [](const network_spec& s) {
            std::string out = "<hebllm.Network " + std::to_string(s.neuron_count()) +
                              " neurons in " + std::to_string(s.populations.size()) +
                              " populations, dt " +
                              py::repr(py::float_(s.dt_ms)).cast<std::string>() + " ms, seed " +
                              std::to_string(s.seed) + ">";
            return out;
        });

    m.def(
        "load_config", [](const std::filesystem::path& path) { return load_network(path); },
        py::arg("path"),
        R"doc(Read a TOML network config (docs/formats.md), e.g. examples/seed_example.toml,
and return a Network. Relative [files] paths are resolved against the config's directory.
Raises hebllm.FileError naming the file and line of any problem.)doc");
    m.def(
        "parse_config",
        [](const std::string& text, const std::filesystem::path& base_dir,
           const std::string& source_name) { return parse_network(text, base_dir, source_name); },
        py::arg("text"), py::arg("base_dir") = std::filesystem::path("."),
        py::arg("source_name") = std::string("<string>"),
        "The same as load_config, from TOML text in memory: base_dir resolves [files] paths, "
        "source_name is the file name used in error messages.");
    m.def("make_hebsnn", &make_hebsnn, py::arg("n_sensory") = 1000, py::arg("n_associative") = 5000,
          py::arg("n_inhibitory") = 1000, py::arg("n_output") = 1000,
          py::arg("connectivity_density") = 0.1, py::arg("seed") = 42,
          R"doc(The original JAXHebSNN(n_sensory, n_associative, n_inhibitory, n_output,
connectivity_density, seed) as a Network (C++ hebllm::make_hebsnn; the same network as a
config's [hebsnn] table): four populations with the original parameters, random connectivity
of the given density, delays of 1-5 ms, Dale's law and hebllm's stabilising defaults
(docs/model.md "The HebSNN network"). Defaults are the original's.)doc");
}

}  // namespace hebllm::python
