# SPDX-License-Identifier: MIT
"""hebllm.lang: the language layer (docs/language.md, docs/python.md "hebllm.lang").

Corpora, tokenizers, the data split of ``hebllm train``, n-gram baselines, the spiking
learner and its model files. The compiled classes and functions come from the C++ library;
``train()`` below is ``hebllm train`` made of the same library calls, so a run from Python
gives the CLI's numbers bit for bit::

    import hebllm.lang as hl
    model, report = hl.train("a.txt", tier="smoke", vocab=24, threads=1, save="m.heb")
    print(report["validation_bits"])                      # what `hebllm train` prints
    data = model.dataset("a.txt")                         # the split, as `hebllm eval` builds it
    print(model.learner.evaluate(data.test)["bits"])      # `hebllm eval`'s frozen bits/token
    print(model.generate("the king", tokens=12, seed=3))  # `hebllm generate`
"""

from __future__ import annotations

import time as _time

import numpy as _np

from ._hebllm import lang as _lang

Corpus = _lang.Corpus
Dataset = _lang.Dataset
LanguageModel = _lang.LanguageModel
Learner = _lang.Learner
LearnerParams = _lang.LearnerParams
Predictor = _lang.Predictor
Tokenizer = _lang.Tokenizer
baseline_names = _lang.baseline_names
load_model = _lang.load_model
load_tokenizer = _lang.load_tokenizer
make_baseline = _lang.make_baseline
make_dataset = _lang.make_dataset
make_learner_network = _lang.make_learner_network
parse_corpus = _lang.parse_corpus
read_corpus = _lang.read_corpus
read_fortunes = _lang.read_fortunes
sample = _lang.sample
shuffled_stream = _lang.shuffled_stream
split_of = _lang.split_of
tier_names = _lang.tier_names
train_tokenizer = _lang.train_tokenizer
word_tokens = _lang.word_tokens

__all__ = [
    "Corpus",
    "Dataset",
    "LanguageModel",
    "Learner",
    "LearnerParams",
    "Predictor",
    "Tokenizer",
    "baseline_names",
    "bits_per_token",
    "evaluate",
    "load_model",
    "load_tokenizer",
    "make_baseline",
    "make_dataset",
    "make_learner_network",
    "parse_corpus",
    "read_corpus",
    "read_fortunes",
    "sample",
    "shuffled_stream",
    "split_of",
    "tier_names",
    "train",
    "train_tokenizer",
    "word_tokens",
]


def train(
    corpus,
    tier: str = "kjv256",
    tokenizer: str = "word",
    vocab: int = 0,
    seed: int = 1,
    backend: str = "auto",
    threads: int = 0,
    params=None,
    no_plasticity: bool = False,
    shuffle: bool = False,
    train_tokens: int | None = None,
    valid_tokens: int | None = None,
    test_tokens: int | None = None,
    save=None,
):
    """``hebllm train`` from Python: the same split, learner, stream and readout fit.

    ``corpus``: a path (as ``--corpus``) or a Corpus; ``tier``, ``tokenizer``, ``vocab`` (0:
    the tier's), ``seed``, ``backend``, ``threads``, ``no_plasticity``, ``shuffle`` and the
    split sizes are the CLI's options; ``params`` (a dict or LearnerParams) holds what
    ``--set key=value`` sets (vocab_size, seed and plastic are then set as the CLI does).
    ``save``: a model file to write. Returns ``(model, report)``: the LanguageModel and a dict
    with ``validation_bits`` (the number `hebllm train` prints), ``beta``, ``train_tokens``,
    ``train_s`` and the learner's ``stats()``. The training loop releases the GIL and honours
    Ctrl-C.
    """
    data = make_dataset(
        corpus,
        tier=tier,
        tokenizer=tokenizer,
        vocab=vocab,
        train_tokens=train_tokens,
        valid_tokens=valid_tokens,
        test_tokens=test_tokens,
    )
    p = LearnerParams(params) if isinstance(params, dict) else (params or LearnerParams())
    if not isinstance(p, LearnerParams):
        raise TypeError("params must be None, a dict or a hebllm.lang.LearnerParams")
    p = LearnerParams.from_text(p.to_text())  # a copy: the caller's object is not changed
    p.vocab_size = data.tokenizer.size
    p.seed = seed
    p.plastic = not no_plasticity
    learner = Learner(p, backend=backend, threads=threads)
    stream = shuffled_stream(data.train, seed) if shuffle else data.train
    t0 = _time.perf_counter()
    learner.train(stream)
    train_s = _time.perf_counter() - t0
    validation_bits = learner.fit_readout(data.validation)
    spec = data.spec
    model = LanguageModel(
        data.tokenizer,
        learner,
        tier=tier,
        corpus=str(corpus) if not isinstance(corpus, Corpus) else "",
        trained_tokens=len(stream),
        shuffled=shuffle,
        train_tokens=spec["train_tokens"],
        valid_tokens=spec["validation_tokens"],
        test_tokens=spec["test_tokens"],
    )
    if save is not None:
        model.save(save)
    report = {
        "validation_bits": validation_bits,
        "beta": learner.beta,
        "train_tokens": len(stream),
        "train_s": train_s,
        **learner.stats(),
    }
    return model, report


def evaluate(model, corpus, prequential: bool = False, **sizes) -> dict:
    """What ``hebllm eval --model M --corpus C [--prequential]`` reports, for a LanguageModel
    (or a model file path, loaded with ``load_model``): a dict with ``frozen`` (and with
    ``prequential=True`` also ``prequential``, scored on a fresh load of the file when
    ``model`` is a path, else on ``model`` itself, which then learns the test text), each a
    dict of bits, top1, top5, tokens, wall_s, tokens_per_s; and ``test_unk_rate``.
    ``sizes``: train_tokens, valid_tokens, test_tokens overrides, as the CLI's options."""
    path = None
    if not isinstance(model, LanguageModel):
        path = model
        model = load_model(path)
    data = model.dataset(corpus, **sizes)
    out = {"test_unk_rate": data.test_unk_rate, "frozen": model.learner.evaluate(data.test)}
    if prequential:
        again = load_model(path) if path is not None else model
        out["prequential"] = again.learner.evaluate(data.test, learn=True)
    return out


def bits_per_token(predictor, tokens, learn: bool = False) -> float:
    """Bits/token of a Predictor on a token stream (``predictor.evaluate(tokens,
    learn)["bits"]``: the mean of -log2 p[target], the number ``hebllm eval`` prints)."""
    return predictor.evaluate(_np.asarray(tokens), learn)["bits"]
