// SPDX-License-Identifier: MIT
// The compiled half of the `hebllm` Python package (python/hebllm/__init__.py holds the rest,
// HebSNN included). docs/python.md describes the API.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <hebllm/build_info.hpp>

#include "bindings.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_hebllm, m) {
    m.doc() =
        "hebllm's C++ engine (the compiled part of the `hebllm` package; import `hebllm`, not "
        "this module). See docs/python.md.";
    m.attr("__version__") = HEBLLM_VERSION_STRING;

    hebllm::python::register_errors(m);
    hebllm::python::register_network(m);
    hebllm::python::register_engine(m);
    hebllm::python::register_lang(m);

    m.def(
        "build_info",
        [] {
            const hebllm::build_info_t& b = hebllm::build_info();
            py::dict d;
            d["version"] = b.version;
            d["build_type"] = b.build_type;
            d["compiler"] = b.compiler;
            d["flags"] = b.flags;
            d["backends"] = b.backends;
            d["max_threads"] = b.max_threads;
            return d;
        },
        "What this build contains: a dict with version, build_type, compiler, flags, backends "
        "(list of names) and max_threads (what `hebllm info` prints).");
}
