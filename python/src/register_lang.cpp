// SPDX-License-Identifier: MIT
// hebllm.lang (the compiled half; python/hebllm/lang.py adds train() and re-exports): corpora,
// tokenizers, the data split of `hebllm train`, n-gram baselines, the spiking learner, language
// model files, generation and evaluation. Every loop is the library's (lang::train,
// lang::evaluate, lang::continue_text, lang::make_dataset): the numbers are the CLI's.
//
// Long loops release the GIL and check for signals every 50 ms of wall time (Ctrl-C raises
// KeyboardInterrupt between two tokens): the predictor is wrapped in an adapter that forwards
// everything and checks in observe(). A frozen evaluation that is interrupted is ended
// (end_scoring), so the learner's state is put back as it was.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <hebllm/engine.hpp>
#include <hebllm/errors.hpp>
#include <hebllm/lang/corpus.hpp>
#include <hebllm/lang/dataset.hpp>
#include <hebllm/lang/generate.hpp>
#include <hebllm/lang/learner.hpp>
#include <hebllm/lang/model_file.hpp>
#include <hebllm/lang/ngram.hpp>
#include <hebllm/lang/predictor.hpp>
#include <hebllm/lang/tokenizer.hpp>

#include "bindings.hpp"

namespace py = pybind11;

namespace hebllm::python {
namespace {

using lang::network_learner;
using lang::predictor;
using lang::tokenizer;

using token_array = py::array_t<std::uint32_t, py::array::c_style | py::array::forcecast>;

py::array_t<std::uint32_t> tokens_to_numpy(const std::vector<std::uint32_t>& v) {
    py::array_t<std::uint32_t> out(static_cast<py::ssize_t>(v.size()));
    if (!v.empty()) {
        std::copy(v.begin(), v.end(), out.mutable_data());
    }
    return out;
}

// A token stream from Python: a sequence or array of non-negative integers (negative ids and
// ids beyond 32 bits are refused here; ids >= V by the library, with its message).
std::vector<std::uint32_t> tokens_of(const py::handle& obj, const char* what) {
    const py::array a = py::array::ensure(obj);
    if (!a) {
        PyErr_Clear();
        throw py::type_error(std::string(what) + " must be a sequence or array of token ids");
    }
    if (a.ndim() > 1) {
        throw py::type_error(std::string(what) + " must be one-dimensional");
    }
    if (a.size() == 0) {
        return {};
    }
    const char kind = a.dtype().kind();
    if (kind != 'i' && kind != 'u') {
        throw py::type_error(std::string(what) + " must hold integer token ids, got dtype " +
                             py::str(a.dtype()).cast<std::string>());
    }
    const auto ids =
        py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
    std::vector<std::uint32_t> out(static_cast<std::size_t>(ids.size()));
    const std::int64_t* p = ids.data();
    for (std::size_t k = 0; k < out.size(); ++k) {
        if (p[k] < 0 || p[k] > 0xffffffffLL) {
            throw model_error(std::string(what) + ": token id " + std::to_string(p[k]) +
                              " is not a valid id");
        }
        out[k] = static_cast<std::uint32_t>(p[k]);
    }
    return out;
}

// Forwards every call to m; observe() takes the GIL every 50 ms of wall time to check for
// signals (Ctrl-C). The library's loops run over this adapter unchanged.
class interruptible final : public predictor {
public:
    explicit interruptible(predictor& m) : m_(m), last_(clock::now()) {}
    std::string name() const override { return m_.name(); }
    std::uint32_t vocab_size() const override { return m_.vocab_size(); }
    void predict(std::span<double> p) override { m_.predict(p); }
    void observe(std::uint32_t token, bool learn) override {
        m_.observe(token, learn);
        if (const auto now = clock::now(); now - last_ >= std::chrono::milliseconds(50)) {
            last_ = now;
            py::gil_scoped_acquire gil;
            if (PyErr_CheckSignals() != 0) {
                throw py::error_already_set();
            }
        }
    }
    void start_scoring(bool learn) override { m_.start_scoring(learn); }
    void end_scoring() override { m_.end_scoring(); }
    void fit_held_out(std::span<const std::uint32_t> stream) override { m_.fit_held_out(stream); }

private:
    using clock = std::chrono::steady_clock;
    predictor& m_;
    clock::time_point last_;
};

void train_stream(predictor& m, const std::vector<std::uint32_t>& stream) {
    py::gil_scoped_release release;
    interruptible adapter(m);
    lang::train(adapter, stream);
}

py::dict eval_dict(const lang::eval_result& r) {
    py::dict d;
    d["bits"] = r.bits;
    d["top1"] = r.top1;
    d["top5"] = r.top5;
    d["tokens"] = r.tokens;
    d["wall_s"] = r.wall_s;
    d["tokens_per_s"] = r.tokens_per_s;
    return d;
}

py::dict evaluate_stream(predictor& m, const std::vector<std::uint32_t>& stream, bool learn) {
    lang::eval_result r{};
    {
        py::gil_scoped_release release;
        interruptible adapter(m);
        try {
            r = lang::evaluate(adapter, stream, learn);
        } catch (py::error_already_set&) {
            // Interrupted between two tokens: end the scoring pass (a frozen pass puts the
            // state back), then let KeyboardInterrupt through.
            m.end_scoring();
            throw;
        }
    }
    return eval_dict(r);
}

py::array_t<double> predict_numpy(predictor& m) {
    py::array_t<double> out(static_cast<py::ssize_t>(m.vocab_size()));
    {
        std::span<double> p(out.mutable_data(), m.vocab_size());
        py::gil_scoped_release release;
        m.predict(p);
    }
    return out;
}

void observe_one(predictor& m, std::uint32_t token, bool learn) {
    if (learn) {
        const std::uint32_t one[1] = {token};
        lang::train(m, one);  // the library's check of the token id, then observe(token, true)
        return;
    }
    if (token >= m.vocab_size()) {  // lang::train's message
        throw model_error("token id " + std::to_string(token) + " out of range for " + m.name() +
                          " (vocabulary of " + std::to_string(m.vocab_size()) + " tokens)");
    }
    m.observe(token, false);
}

py::array_t<std::uint32_t> generate_tokens(predictor& m, const std::vector<std::uint32_t>& prompt,
                                           std::uint32_t n, std::uint64_t seed, double temperature,
                                           bool learn_prompt) {
    std::vector<std::uint32_t> out;
    {
        py::gil_scoped_release release;
        lang::sampler draw(seed, temperature);
        interruptible adapter(m);
        out = lang::continue_text(adapter, prompt, n, draw, learn_prompt);
    }
    return tokens_to_numpy(out);
}

// learner_params: values as Python objects (bool, int or float by the text to_text() writes).
py::object param_value(const std::string& text) {
    if (text == "true" || text == "false") {
        return py::bool_(text == "true");
    }
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
        return py::int_(py::str(text));
    }
    return py::float_(std::stod(text));
}

std::string param_text(const py::handle& value) {
    if (py::isinstance<py::bool_>(value)) {
        return value.cast<bool>() ? "true" : "false";
    }
    if (py::isinstance<py::float_>(value)) {
        return py::repr(value).cast<std::string>();  // shortest round-trip form
    }
    return py::str(value).cast<std::string>();
}

py::dict params_dict(const lang::learner_params& p) {
    py::dict d;
    const std::string text = p.to_text();
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        if (end == std::string::npos) {
            end = text.size();
        }
        const std::string line = text.substr(at, end - at);
        at = end + 1;
        const std::size_t eq = line.find(" = ");
        if (eq != std::string::npos) {
            d[py::str(line.substr(0, eq))] = param_value(line.substr(eq + 3));
        }
    }
    return d;
}

lang::learner_params params_from(const py::handle& obj) {
    if (obj.is_none()) {
        return {};
    }
    if (py::isinstance<lang::learner_params>(obj)) {
        return obj.cast<lang::learner_params>();
    }
    if (!py::isinstance<py::dict>(obj)) {
        throw py::type_error("params must be None, a dict or a hebllm.lang.LearnerParams");
    }
    lang::learner_params p;
    for (const auto& [key, value] : obj.cast<py::dict>()) {
        p.set(py::str(key).cast<std::string>(), param_text(value));
    }
    return p;
}

// A language model file's contents with shared ownership, so that Python can hold the
// tokenizer and the learner apart from the model.
struct py_model {
    std::shared_ptr<tokenizer> tok;
    std::shared_ptr<network_learner> learner;
    std::string tier, corpus;
    std::uint64_t trained_tokens = 0;
    bool shuffled = false;
    lang::split_sizes sizes;
};

// save_language_model needs unique owners: a copy of the tokenizer (through its bytes) and
// the learner borrowed for the call (released before the language_model is destroyed).
void save_model(const py_model& pm, const std::filesystem::path& file) {
    if (!pm.tok || !pm.learner) {
        throw model_error("a language model needs a tokenizer and a learner to be saved");
    }
    lang::language_model m;
    m.tok = lang::load_tokenizer(pm.tok->serialize());
    m.tier = pm.tier;
    m.corpus = pm.corpus;
    m.trained_tokens = pm.trained_tokens;
    m.shuffled = pm.shuffled;
    m.sizes = pm.sizes;
    m.learner.reset(pm.learner.get());
    struct borrowed {
        lang::language_model& m;
        ~borrowed() { static_cast<void>(m.learner.release()); }
    } guard{m};
    py::gil_scoped_release release;
    lang::save_language_model(file, m);
}

py_model from_language_model(lang::language_model&& m) {
    py_model pm;
    pm.tok = std::move(m.tok);
    pm.learner = std::move(m.learner);
    pm.tier = std::move(m.tier);
    pm.corpus = std::move(m.corpus);
    pm.trained_tokens = m.trained_tokens;
    pm.shuffled = m.shuffled;
    pm.sizes = m.sizes;
    return pm;
}

lang::split_sizes sizes_of(std::optional<std::uint64_t> train, std::optional<std::uint64_t> valid,
                           std::optional<std::uint64_t> test) {
    lang::split_sizes s;
    s.train = train;
    s.validation = valid;
    s.test = test;
    return s;
}

py::object size_or_none(const std::optional<std::uint64_t>& v) {
    return v ? py::object(py::int_(*v)) : py::object(py::none());
}

struct py_dataset {
    std::shared_ptr<tokenizer> tok;
    std::vector<std::uint32_t> train, validation, test;
    double test_unk_rate = 0.0;
    lang::split_spec spec;
};

py_dataset dataset_of(const lang::corpus& c, const lang::split_spec& spec) {
    lang::dataset d;
    {
        py::gil_scoped_release release;
        d = lang::make_dataset(c, spec);
    }
    return {std::move(d.tok),  std::move(d.train), std::move(d.validation),
            std::move(d.test), d.test_unk_rate,    spec};
}

// A corpus from a path (read_corpus) or a Corpus object.
lang::corpus corpus_arg(const py::handle& obj) {
    if (py::isinstance<lang::corpus>(obj)) {
        return obj.cast<lang::corpus>();
    }
    const auto path = obj.cast<std::filesystem::path>();
    py::gil_scoped_release release;
    return lang::read_corpus(path);
}

}  // namespace

void register_lang(py::module_& parent) {
    py::module_ m = parent.def_submodule(
        "lang",
        "hebllm's language layer (C++ hebllm::lang; docs/language.md): corpora, tokenizers, the "
        "data split of `hebllm train`, n-gram baselines, the spiking learner and its model files. "
        "Import hebllm.lang, not this module.");

    // ---- corpora
    py::class_<lang::corpus>(m, "Corpus", R"doc(
A corpus: one entry per line (a verse, a fortune, a sentence or paragraph line) and the unit
(chapter) each line belongs to; the split of a line is split_of(chapter) (chapter % 10: 9 test,
8 validation, else train). Make one with read_corpus(path) or parse_corpus(text).)doc")
        .def(py::init<>())
        .def_readwrite("lines", &lang::corpus::lines, "The lines (list of str; a copy).")
        .def_property(
            "chapter", [](const lang::corpus& c) { return tokens_to_numpy(c.chapter); },
            [](lang::corpus& c, const py::handle& v) { c.chapter = tokens_of(v, "chapter"); },
            "The unit of each line (uint32 array, non-decreasing; a copy).")
        .def("__len__", [](const lang::corpus& c) { return c.lines.size(); })
        .def("__repr__", [](const lang::corpus& c) {
            return "<hebllm.lang.Corpus " + std::to_string(c.lines.size()) + " lines, " +
                   std::to_string(c.chapter.empty() ? 0 : c.chapter.back() + 1) + " units>";
        });
    m.def(
        "read_corpus",
        [](const std::filesystem::path& file) {
            py::gil_scoped_release release;
            return lang::read_corpus(file);
        },
        py::arg("path"),
        R"doc(Read a corpus file (what `hebllm corpus` writes) or any UTF-8 text, exactly as
`hebllm train --corpus` does. Raises hebllm.FileError for a missing or unreadable file, an
empty corpus or text that is not UTF-8.)doc");
    m.def("parse_corpus", &lang::parse_corpus, py::arg("text"), py::arg("name") = "<string>",
          "read_corpus() of a text held in memory (name: used in error messages).");
    m.def(
        "read_fortunes",
        [](const std::optional<std::filesystem::path>& where) {
            py::gil_scoped_release release;
            return lang::read_fortunes(where ? *where : lang::default_fortunes_dir());
        },
        py::arg("path") = py::none(),
        "Fortune files (a directory, default Debian's /usr/share/games/fortunes, or one file) "
        "as a Corpus: one line per entry, chapter = the entry's index.");
    m.def("split_of", &lang::split_of, py::arg("chapter"),
          "The split of a unit: 0 train, 1 validation, 2 test.");
    m.def("tier_names", &lang::tier_names, "The data tiers: kjv256, kjv4k, smoke.");

    // ---- tokenizers
    py::class_<tokenizer, std::shared_ptr<tokenizer>>(m, "Tokenizer", R"doc(
A tokenizer (word, subword or character; docs/language.md "Tokenizers"). Id 0 is <unk> in
every kind. Make one with train_tokenizer(), load_tokenizer(bytes), or take a model's or a
dataset's.)doc")
        .def_property_readonly(
            "kind",
            [](const tokenizer& t) { return std::string(lang::tokenizer_kind_name(t.kind())); },
            "'word', 'subword' or 'character'.")
        .def_property_readonly("size", &tokenizer::size, "V, the vocabulary size (<unk> included).")
        .def("__len__", &tokenizer::size)
        .def(
            "encode",
            [](const tokenizer& t, std::string_view text) {
                return tokens_to_numpy(t.encode(text));
            },
            py::arg("text"), "Token ids of a text (uint32 array; unknown tokens are 0, <unk>).")
        .def(
            "decode",
            [](const tokenizer& t, const py::handle& ids) {
                const std::vector<std::uint32_t> v = tokens_of(ids, "ids");
                for (const std::uint32_t id : v) {
                    if (id >= t.size()) {
                        static_cast<void>(t.token_text(id));  // the library's error
                    }
                }
                return t.decode(v);
            },
            py::arg("ids"), "The text of token ids (ModelError for an id >= size).")
        .def("token_text", &tokenizer::token_text, py::arg("id"),
             "The text of one token (ModelError for an id >= size).")
        .def(
            "serialize", [](const tokenizer& t) { return py::bytes(t.serialize()); },
            "Self-contained bytes; load_tokenizer() reads them back.")
        .def_property_readonly("fingerprint", &tokenizer::fingerprint,
                               "FNV-1a 64 of serialize(): equal vocabularies, equal fingerprints.")
        .def("__repr__", [](const tokenizer& t) {
            return "<hebllm.lang.Tokenizer " + std::string(lang::tokenizer_kind_name(t.kind())) +
                   ", V = " + std::to_string(t.size()) + ">";
        });
    m.def(
        "train_tokenizer",
        [](const std::string& kind, const std::vector<std::string>& lines,
           std::uint32_t vocab_size) -> std::shared_ptr<tokenizer> {
            const lang::tokenizer_kind k = lang::parse_tokenizer_kind(kind);
            py::gil_scoped_release release;
            return lang::train_tokenizer(k, lines, vocab_size);
        },
        py::arg("kind"), py::arg("lines"), py::arg("vocab_size"),
        "Train a tokenizer of kind 'word', 'subword' or 'character' on lines (list of str) "
        "with at most vocab_size tokens (<unk> included).");
    m.def(
        "load_tokenizer",
        [](const py::bytes& data) -> std::shared_ptr<tokenizer> {
            return lang::load_tokenizer(std::string(data));
        },
        py::arg("data"), "The inverse of Tokenizer.serialize(); ModelError for anything else.");
    m.def("word_tokens", &lang::word_tokens, py::arg("text"),
          "The word tokenizer's token strings of a text, before any vocabulary.");

    // ---- the data split of `hebllm train`
    py::class_<py_dataset>(m, "Dataset", R"doc(
The train / validation / test token streams of a corpus (docs/language.md "Splits") and the
tokenizer trained on the train split: what `hebllm train`, `eval` and `baseline` use.)doc")
        .def_readonly("tokenizer", &py_dataset::tok, "The Tokenizer.")
        .def_property_readonly(
            "train", [](const py_dataset& d) { return tokens_to_numpy(d.train); },
            "Training tokens (uint32 array; a copy).")
        .def_property_readonly(
            "validation", [](const py_dataset& d) { return tokens_to_numpy(d.validation); },
            "Validation tokens (uint32 array; a copy).")
        .def_property_readonly(
            "test", [](const py_dataset& d) { return tokens_to_numpy(d.test); },
            "Test tokens (uint32 array; a copy).")
        .def_readonly("test_unk_rate", &py_dataset::test_unk_rate,
                      "Fraction of <unk> in the test stream.")
        .def_property_readonly(
            "spec",
            [](const py_dataset& d) {
                py::dict s;
                s["train_tokens"] = d.spec.train_tokens;
                s["validation_tokens"] = d.spec.validation_tokens;
                s["test_tokens"] = d.spec.test_tokens;
                s["vocab"] = d.spec.vocab;
                s["tokenizer"] = std::string(lang::tokenizer_kind_name(d.spec.kind));
                return s;
            },
            "The split specification used (dict).")
        .def("__repr__", [](const py_dataset& d) {
            return "<hebllm.lang.Dataset V = " + std::to_string(d.tok->size()) + ", " +
                   std::to_string(d.train.size()) + " / " + std::to_string(d.validation.size()) +
                   " / " + std::to_string(d.test.size()) + " tokens>";
        });
    m.def(
        "make_dataset",
        [](const py::handle& corpus, const std::string& tier, const std::string& tokenizer_kind,
           std::uint32_t vocab, std::optional<std::uint64_t> train_tokens,
           std::optional<std::uint64_t> valid_tokens, std::optional<std::uint64_t> test_tokens) {
            // As `hebllm train` builds its split (apps/hebllm/train.cpp).
            lang::split_spec spec = sizes_of(train_tokens, valid_tokens, test_tokens)
                                        .applied_to(lang::split_spec::tier(tier));
            spec.kind = lang::parse_tokenizer_kind(tokenizer_kind);
            if (vocab != 0) {
                spec.vocab = vocab;
            }
            return dataset_of(corpus_arg(corpus), spec);
        },
        py::arg("corpus"), py::arg("tier") = "kjv256", py::arg("tokenizer") = "word",
        py::arg("vocab") = 0, py::arg("train_tokens") = py::none(),
        py::arg("valid_tokens") = py::none(), py::arg("test_tokens") = py::none(),
        R"doc(The split `hebllm train --corpus C --tier T --tokenizer K --vocab V
[--train-tokens N ...]` uses: corpus is a path (read_corpus) or a Corpus; vocab 0 and unset
sizes are the tier's. ModelError for an unknown tier or a split smaller than asked for.)doc");

    // ---- predictors
    py::class_<predictor, std::shared_ptr<predictor>>(m, "Predictor", R"doc(
Anything that predicts the next token (n-gram baselines, the spiking Learner). Not
thread-safe: use one from one thread at a time.)doc")
        .def_property_readonly("name", &predictor::name, "The predictor's name.")
        .def_property_readonly("vocab_size", &predictor::vocab_size, "V.")
        .def("predict", &predict_numpy,
             "The distribution of the next token given everything observed so far: a new "
             "float64 array of length V that sums to 1.")
        .def("observe", &observe_one, py::arg("token"), py::arg("learn") = true,
             "Reveal the next token (advance the context); learn from it when learn is True. "
             "ModelError for a token id >= V.")
        .def(
            "train",
            [](predictor& p, const py::handle& tokens) {
                train_stream(p, tokens_of(tokens, "tokens"));
            },
            py::arg("tokens"),
            "observe(t, learn=True) for every token of a stream (array or sequence of ids), as "
            "`hebllm train` does (C++ lang::train). Releases the GIL; Ctrl-C raises "
            "KeyboardInterrupt between two tokens.")
        .def(
            "fit",
            [](predictor& p, const py::handle& tokens) {
                train_stream(p, tokens_of(tokens, "tokens"));
            },
            py::arg("tokens"), "The same as train(tokens).")
        .def(
            "evaluate",
            [](predictor& p, const py::handle& tokens, bool learn) {
                return evaluate_stream(p, tokens_of(tokens, "tokens"), learn);
            },
            py::arg("tokens"), py::arg("learn") = false,
            R"doc(Score a stream (C++ lang::evaluate, what `hebllm eval` and `baseline` report):
learn=False frozen (a frozen pass of the Learner changes nothing at all), True prequential
(predict, score, then learn). Returns a dict: bits (bits/token), top1, top5 (strict, <unk>
never right), tokens, wall_s, tokens_per_s. Releases the GIL; Ctrl-C honoured.)doc")
        .def(
            "generate",
            [](predictor& p, const py::handle& prompt, std::uint32_t n, std::uint64_t seed,
               double temperature, bool learn_prompt) {
                return generate_tokens(p, tokens_of(prompt, "prompt"), n, seed, temperature,
                                       learn_prompt);
            },
            py::arg("prompt"), py::arg("n"), py::arg("seed") = 1, py::arg("temperature") = 1.0,
            py::arg("learn_prompt") = false,
            R"doc(Observe the prompt tokens (learning only if learn_prompt), then draw n tokens
from the predictor's own distribution (C++ lang::continue_text with lang::sampler(seed,
temperature); temperature 0: the most likely token; <unk> never drawn). Returns the generated
ids (uint32 array). Same seed, same tokens as `hebllm generate --seed`.)doc")
        .def("__repr__", [](const predictor& p) {
            return "<hebllm.lang.Predictor " + p.name() +
                   ", V = " + std::to_string(p.vocab_size()) + ">";
        });
    m.def(
        "make_baseline",
        [](const std::string& name, std::uint32_t vocab_size) -> std::shared_ptr<predictor> {
            return lang::make_baseline(name, vocab_size);
        },
        py::arg("name"), py::arg("vocab_size"),
        "A counting n-gram baseline (a Predictor): 'uniform', 'unigram', 'bigram-kn', "
        "'trigram-kn', '4gram-kn', 'trigram-wb' or 'Ngram-mkn' (baseline_names()).");
    m.def("baseline_names", &lang::baseline_names, "The names make_baseline() knows.");

    // ---- the learner
    py::class_<lang::learner_params>(m, "LearnerParams", R"doc(
The spiking learner's parameters (C++ hebllm::lang::learner_params; docs/language.md lists
them). LearnerParams(dict) sets the keys given; p[key], p[key] = value, to_dict(); every key
is checked by the library (ModelError naming it).)doc")
        .def(py::init<>())
        .def(py::init([](const py::dict& d) { return params_from(d); }), py::arg("values"))
        .def(
            "set",
            [](lang::learner_params& p, const std::string& key, const py::handle& value) {
                p.set(key, param_text(value));
            },
            py::arg("key"), py::arg("value"),
            "Set one field by name (as `hebllm train --set key=value`).")
        .def("__setitem__", [](lang::learner_params& p, const std::string& key,
                               const py::handle& value) { p.set(key, param_text(value)); })
        .def("__getitem__",
             [](const lang::learner_params& p, const std::string& key) {
                 const py::dict d = params_dict(p);
                 if (!d.contains(key)) {
                     throw py::key_error(key);
                 }
                 return py::object(d[py::str(key)]);
             })
        .def("to_dict", &params_dict, "Every field as a dict (bool, int or float values).")
        .def("to_text", &lang::learner_params::to_text, "'key = value' lines.")
        .def_static("from_text", &lang::learner_params::from_text, py::arg("text"),
                    "The inverse of to_text().")
        .def("validate", &lang::learner_params::validate,
             "Check every field (ModelError naming the field).")
        .def_readwrite("vocab_size", &lang::learner_params::vocab_size, "V.")
        .def_readwrite("seed", &lang::learner_params::seed, "Network seed.")
        .def_readwrite("plastic", &lang::learner_params::plastic,
                       "False: the plasticity-off control.")
        .def("__repr__", [](const lang::learner_params& p) {
            return "<hebllm.lang.LearnerParams vocab_size=" + std::to_string(p.vocab_size) +
                   ", seed=" + std::to_string(p.seed) + ">";
        });

    py::class_<network_learner, predictor, std::shared_ptr<network_learner>>(m, "Learner", R"doc(
The spiking next-token learner (C++ hebllm::lang::network_learner; docs/learner.md): a hebllm
network that reads tokens one at a time, learns online with local plasticity only and
predicts from its output neurons. Learner(params=None, backend="auto", threads=0): params is
a dict or LearnerParams (vocab_size must be the tokenizer's size); every backend and thread
count gives the same predictions bit for bit.)doc")
        .def(py::init([](const py::object& params, const std::string& backend, int threads) {
                 const lang::learner_params p = params_from(params);
                 engine_options eo;
                 eo.threads = threads;
                 py::gil_scoped_release release;
                 return std::make_shared<network_learner>(p, backend, eo);
             }),
             py::arg("params") = py::none(), py::arg("backend") = "auto", py::arg("threads") = 0)
        .def(
            "fit_readout",
            [](network_learner& l, const py::handle& tokens) {
                const std::vector<std::uint32_t> v = tokens_of(tokens, "tokens");
                py::gil_scoped_release release;
                return l.fit_readout(v);
            },
            py::arg("tokens"),
            "Fit the readout (beta) on held-out tokens in one frozen pass (the state is put "
            "back); returns the bits/token at the fitted beta (what `hebllm train` prints as "
            "validation bits/token).")
        .def_property("beta", &network_learner::beta, &network_learner::set_beta,
                      "Readout sharpness (fit_readout sets it).")
        .def_property_readonly("params", &network_learner::params, "The LearnerParams (a copy).")
        .def("state_text", &network_learner::state_text,
             "Everything outside the engine needed to continue exactly (text).")
        .def_property_readonly(
            "network", [](network_learner& l) -> engine& { return l.network(); },
            py::return_value_policy::reference_internal,
            "The learner's Engine (spikes, synapses, state); valid while the Learner lives. "
            "Running it directly desynchronises the learner.")
        .def(
            "stats",
            [](const network_learner& l) {
                py::dict d;
                d["synapses"] = l.network().synapse_count();
                d["grown"] = l.grown_synapses();
                d["refused_growth"] = l.refused_growth();
                d["pruned"] = l.pruned_synapses();
                d["live_units_2"] = l.live_units(2);
                d["live_units_3"] = l.live_units(3);
                d["reclaimed_2"] = l.reclaimed(2);
                d["reclaimed_3"] = l.reclaimed(3);
                d["pool_full"] = l.pool_full();
                d["untaught_tokens"] = l.untaught_tokens();
                return d;
            },
            "Structural counters (what `hebllm train` prints after training), as a dict.")
        .def("__repr__", [](const network_learner& l) {
            return "<hebllm.lang.Learner V = " + std::to_string(l.vocab_size()) + ", " +
                   std::to_string(l.network().neuron_count()) + " neurons, " +
                   std::to_string(l.network().synapse_count()) + " synapses on " +
                   std::string(l.network().backend()) + ">";
        });

    m.def("make_learner_network", &lang::make_learner_network, py::arg("params"),
          "The learner's network as a hebllm.Network (for inspection).");
    m.def(
        "shuffled_stream",
        [](const py::handle& tokens, std::uint64_t seed) {
            return tokens_to_numpy(lang::shuffled_stream(tokens_of(tokens, "tokens"), seed));
        },
        py::arg("tokens"), py::arg("seed"),
        "The stream in a random order (the shuffled-stream control of `hebllm train "
        "--shuffle`, seeded with the learner's seed).");
    m.def(
        "sample",
        [](const py::array_t<double, py::array::c_style | py::array::forcecast>& p,
           std::uint64_t seed, double temperature) {
            lang::sampler s(seed, temperature);
            return s.pick(std::span<const double>(p.data(), static_cast<std::size_t>(p.size())));
        },
        py::arg("p"), py::arg("seed") = 1, py::arg("temperature") = 1.0,
        "One draw of lang::sampler(seed, temperature) from a distribution (never <unk>).");

    // ---- model files
    py::class_<py_model>(m, "LanguageModel", R"doc(
A language model file's contents (docs/language.md "Model files"): the tokenizer, the Learner
and the split it was trained on. load_model(path) reads what `hebllm train --save` writes;
save(path) writes a file `hebllm eval`, `generate` and `train --resume` read.)doc")
        .def(py::init([](std::shared_ptr<tokenizer> tok, std::shared_ptr<network_learner> learner,
                         std::string tier, std::string corpus, std::uint64_t trained_tokens,
                         bool shuffled, std::optional<std::uint64_t> train_tokens,
                         std::optional<std::uint64_t> valid_tokens,
                         std::optional<std::uint64_t> test_tokens) {
                 py_model pm;
                 pm.tok = std::move(tok);
                 pm.learner = std::move(learner);
                 pm.tier = std::move(tier);
                 pm.corpus = std::move(corpus);
                 pm.trained_tokens = trained_tokens;
                 pm.shuffled = shuffled;
                 pm.sizes = sizes_of(train_tokens, valid_tokens, test_tokens);
                 return pm;
             }),
             py::arg("tokenizer"), py::arg("learner"), py::arg("tier") = "kjv256",
             py::arg("corpus") = "", py::arg("trained_tokens") = 0, py::arg("shuffled") = false,
             py::arg("train_tokens") = py::none(), py::arg("valid_tokens") = py::none(),
             py::arg("test_tokens") = py::none())
        .def_readonly("tokenizer", &py_model::tok, "The Tokenizer.")
        .def_readonly("learner", &py_model::learner, "The Learner (shared, not a copy).")
        .def_readwrite("tier", &py_model::tier, "The data tier `train` used.")
        .def_readwrite("corpus", &py_model::corpus, "The corpus file name (informational).")
        .def_readwrite("trained_tokens", &py_model::trained_tokens, "Training tokens read.")
        .def_readwrite("shuffled", &py_model::shuffled, "Trained on the shuffled stream.")
        .def_property_readonly(
            "sizes",
            [](const py_model& pm) {
                py::dict d;
                d["train"] = size_or_none(pm.sizes.train);
                d["validation"] = size_or_none(pm.sizes.validation);
                d["test"] = size_or_none(pm.sizes.test);
                return d;
            },
            "The split sizes recorded (dict of train, validation, test; None: the tier's).")
        .def("save", &save_model, py::arg("path"), "Write the model file atomically.")
        .def(
            "dataset",
            [](const py_model& pm, const py::handle& corpus,
               std::optional<std::uint64_t> train_tokens, std::optional<std::uint64_t> valid_tokens,
               std::optional<std::uint64_t> test_tokens) {
                // As `hebllm eval` rebuilds the split (apps/hebllm/eval.cpp).
                lang::language_model view;
                view.tier = pm.tier;
                view.sizes = pm.sizes;
                view.tok = lang::load_tokenizer(pm.tok->serialize());
                const lang::split_spec spec =
                    lang::model_split(view, sizes_of(train_tokens, valid_tokens, test_tokens));
                py_dataset d = dataset_of(corpus_arg(corpus), spec);
                if (d.tok->fingerprint() != pm.tok->fingerprint()) {
                    throw model_error(
                        "the model was trained with another vocabulary than the corpus gives "
                        "for tier " +
                        pm.tier + " with " + std::to_string(spec.train_tokens) +
                        " training tokens (tokenizer fingerprints differ)");
                }
                return d;
            },
            py::arg("corpus"), py::arg("train_tokens") = py::none(),
            py::arg("valid_tokens") = py::none(), py::arg("test_tokens") = py::none(),
            R"doc(The split the model was trained on, rebuilt from its corpus (a path or a
Corpus) as `hebllm eval` does (its tier, recorded sizes and tokenizer kind and size; sizes
given here override). ModelError if the corpus gives another vocabulary.)doc")
        .def(
            "generate",
            [](const py_model& pm, const std::string& prompt, std::uint32_t tokens,
               double temperature, std::uint64_t seed) {
                const std::vector<std::uint32_t> ids = pm.tok->encode(prompt);
                const py::array_t<std::uint32_t> out =
                    generate_tokens(*pm.learner, ids, tokens, seed, temperature, false);
                const std::string text = pm.tok->decode(std::vector<std::uint32_t>(
                    out.data(), out.data() + static_cast<std::size_t>(out.size())));
                return prompt + (prompt.empty() ? "" : " ") + text;
            },
            py::arg("prompt") = "", py::arg("tokens") = 30, py::arg("temperature") = 1.0,
            py::arg("seed") = 1,
            "What `hebllm generate --prompt P --tokens N --temperature T --seed S` prints "
            "(without the newline): the prompt, a space, the generated text. Moves the "
            "learner's context on.")
        .def("__repr__", [](const py_model& pm) {
            return "<hebllm.lang.LanguageModel " + (pm.learner ? pm.learner->name() : "?") +
                   ", tier " + pm.tier + ", " + std::to_string(pm.trained_tokens) +
                   " tokens trained>";
        });
    m.def(
        "load_model",
        [](const std::filesystem::path& path, const std::string& backend, int threads) {
            lang::language_model lm;
            {
                py::gil_scoped_release release;
                lm = lang::load_language_model(path, backend, threads);
            }
            return from_language_model(std::move(lm));
        },
        py::arg("path"), py::arg("backend") = "auto", py::arg("threads") = 0,
        R"doc(Load a model file (`hebllm train --save`, LanguageModel.save) on any backend.
FileError naming the file for a missing, corrupt or non-language-model file.)doc");
}

}  // namespace hebllm::python
