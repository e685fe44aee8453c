// SPDX-License-Identifier: MIT
#pragma once
// The `hebllm._hebllm` extension (docs/python.md): one register_<area>() per source file,
// called from module.cpp in this order (errors first, so every later binding can raise them).
// Uses only the public API (include/hebllm/).

#include <pybind11/pybind11.h>

namespace hebllm::python {

void register_errors(pybind11::module_& m);   // register_errors.cpp: hebllm.Error and children
void register_network(pybind11::module_& m);  // register_network.cpp: Network, load_config, ...
void register_engine(pybind11::module_& m);   // register_engine.cpp: Engine, make_engine, load
void register_lang(pybind11::module_& m);     // register_lang.cpp: the hebllm.lang submodule

}  // namespace hebllm::python
