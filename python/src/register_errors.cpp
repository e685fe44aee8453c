// SPDX-License-Identifier: MIT
// hebllm's C++ exceptions (include/hebllm/errors.hpp) as Python exception classes carrying the
// C++ message:
//   hebllm.Error(RuntimeError)            hebllm::error
//     hebllm.ModelError(Error, ValueError)  hebllm::model_error
//       hebllm.CapacityError(ModelError)    hebllm::capacity_error
//     hebllm.FileError(Error)               hebllm::file_error (attributes file, line)
//     hebllm.BackendError(Error)            hebllm::backend_error
//     hebllm.InternalError(Error)           hebllm::internal_error (a bug in hebllm)

#include <exception>

#include <hebllm/errors.hpp>

#include "bindings.hpp"

namespace py = pybind11;

namespace hebllm::python {
namespace {

// The classes live as long as the interpreter (module attributes hold a reference too), so
// plain pointers are enough; they are made once, when the module is imported.
PyObject* error_type = nullptr;
PyObject* model_error_type = nullptr;
PyObject* capacity_error_type = nullptr;
PyObject* file_error_type = nullptr;
PyObject* backend_error_type = nullptr;
PyObject* internal_error_type = nullptr;

PyObject* make_type(py::module_& m, const char* name, const char* doc, py::handle bases) {
    const std::string qualified = std::string("hebllm.") + name;
    PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
    if (type == nullptr) {
        throw py::error_already_set();
    }
    m.add_object(name, py::handle(type));  // add_object takes its own reference
    return type;
}

void raise_file_error(const hebllm::file_error& e) {
    try {
        py::object exc = py::reinterpret_borrow<py::object>(file_error_type)(e.what());
        exc.attr("file") = e.file();
        exc.attr("line") = e.line();
        PyErr_SetObject(file_error_type, exc.ptr());
    } catch (py::error_already_set& failed) {
        failed.restore();  // could not even make the exception object: report why
    }
}

}  // namespace

void register_errors(py::module_& m) {
    error_type = make_type(m, "Error",
                           "Base of every error hebllm reports about its input or environment "
                           "(C++ hebllm::error); str(e) is the C++ message.",
                           PyExc_RuntimeError);
    model_error_type =
        make_type(m, "ModelError",
                  "A network, input or argument that breaks a rule (C++ hebllm::model_error); the "
                  "message names the object, the value and the rule. Also a ValueError.",
                  py::make_tuple(py::handle(error_type), py::handle(PyExc_ValueError)));
    capacity_error_type = make_type(m, "CapacityError",
                                    "A limit set by the user was reached; nothing was changed "
                                    "(C++ hebllm::capacity_error).",
                                    model_error_type);
    file_error_type = make_type(m, "FileError",
                                "A file that cannot be read, written or parsed (C++ "
                                "hebllm::file_error). Attributes: file (str) and line (int, 0 "
                                "when unknown); the message starts with 'file:line: '.",
                                error_type);
    backend_error_type = make_type(
        m, "BackendError",
        "A backend that was not built or cannot run here (C++ hebllm::backend_error).", error_type);
    internal_error_type =
        make_type(m, "InternalError",
                  "A broken internal invariant: a bug in hebllm, never the caller's fault (C++ "
                  "hebllm::internal_error).",
                  error_type);

    // Most derived first. Anything else falls through to pybind11's own translations.
    // pybind11's translator type takes the exception_ptr by value.
    // NOLINTNEXTLINE(performance-unnecessary-value-param)
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) {
                std::rethrow_exception(p);
            }
        } catch (const hebllm::file_error& e) {
            raise_file_error(e);
        } catch (const hebllm::capacity_error& e) {
            PyErr_SetString(capacity_error_type, e.what());
        } catch (const hebllm::model_error& e) {
            PyErr_SetString(model_error_type, e.what());
        } catch (const hebllm::backend_error& e) {
            PyErr_SetString(backend_error_type, e.what());
        } catch (const hebllm::error& e) {
            PyErr_SetString(error_type, e.what());
        } catch (const hebllm::internal_error& e) {
            PyErr_SetString(internal_error_type, e.what());
        }
    });
}

}  // namespace hebllm::python
