# SPDX-License-Identifier: MIT
"""hebllm.lang: a training run from Python equals `hebllm train`'s bit for bit, a model the CLI
saved loads in Python and predicts, evaluates and generates as `hebllm eval` / `generate` do,
and bad input raises hebllm's exceptions with the C++ message.

Data: the synthetic corpus of tests/lang/test_lang_cli.cpp (a 20-word grammar in blank-line
separated paragraphs, so the network is small: V = 24), the smoke tier cut to 3,000 / 500 /
500 tokens so the whole file runs in a few seconds. Tolerance: none (the CLI prints bits with
3 or 4 decimals; those are compared at the printed precision, predictions exactly)."""

import re

import numpy as np
import pytest

import hebllm
import hebllm.lang as hl

SIZES = ["--tier", "smoke", "--vocab", "24", "--train-tokens", "3000", "--valid-tokens", "500",
         "--test-tokens", "500"]


def synthetic_corpus(salt=0):
    """tests/lang/test_lang_cli.cpp's synthetic_corpus(salt), character for character."""
    subjects = ["the king", "a man", "the people", "his son", "the lord"]
    verbs = ["went", "spake", "came", "sat", "stood"]
    places = ["unto the city", "into the house", "by the river", "upon the hill"]
    x = 12345 + salt
    out = []

    def nxt(n):
        nonlocal x
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
        return (x >> 16) % n

    for _ in range(400):
        for _ in range(12):
            s = subjects[nxt(5)]
            v = verbs[nxt(5)]
            p = places[nxt(4)]
            out.append(f"{s} {v} {p}" + (", and " if nxt(3) == 0 else ". "))
        out.append("\n\n")
    return "".join(out)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, request):
    """The CLI's model (cli.heb) and the same run from Python (py.heb)."""
    import os
    import subprocess

    exe = os.environ.get("HEBLLM_CLI")
    if not exe:
        pytest.skip("HEBLLM_CLI is not set (ctest sets it)")
    d = tmp_path_factory.mktemp("lang")
    corpus = d / "a.txt"
    corpus.write_text(synthetic_corpus(0))
    cli_model = d / "cli.heb"
    done = subprocess.run([exe, "train", "--corpus", str(corpus), *SIZES, "--threads", "1",
                           "--save", str(cli_model)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    model, report = hl.train(corpus, tier="smoke", vocab=24, train_tokens=3000,
                             valid_tokens=500, test_tokens=500, threads=1,
                             save=d / "py.heb")

    def cli(*args):
        r = subprocess.run([exe, *map(str, args)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return r.stdout

    return {"dir": d, "corpus": corpus, "cli_model": cli_model, "cli_out": done.stdout,
            "model": model, "report": report, "cli": cli}


def test_train_equals_cli(trained):
    # "trained on 3000 tokens in 0.4 s (...); readout beta 0.0461, validation 2.345 bits/token"
    m = re.search(r"readout beta (\S+), validation ([0-9.]+) bits/token", trained["cli_out"])
    assert m, trained["cli_out"]
    report = trained["report"]
    assert f"{report['beta']:.4g}" == m.group(1)
    assert f"{report['validation_bits']:.3f}" == m.group(2)
    assert report["train_tokens"] == 3000

    cli = hl.load_model(trained["cli_model"], threads=1)
    py = trained["model"]
    assert cli.tokenizer.fingerprint == py.tokenizer.fingerprint
    assert cli.learner.beta == py.learner.beta  # bit for bit
    assert cli.learner.state_text() == py.learner.state_text()
    assert (cli.tier, cli.trained_tokens, cli.shuffled) == ("smoke", 3000, False)
    assert cli.sizes == {"train": 3000, "validation": 500, "test": 500}
    assert np.array_equal(cli.learner.network.synapses(), py.learner.network.synapses())
    # The same distributions, token after token, over part of the test split.
    data = cli.dataset(trained["corpus"])
    assert len(data.test) == 500 and data.tokenizer.size == 24
    for t in data.test[:40]:
        p, q = cli.learner.predict(), py.learner.predict()
        assert p.dtype == np.float64 and p.shape == (24,)
        assert np.array_equal(p, q)
        assert abs(p.sum() - 1.0) < 1e-12
        cli.learner.observe(int(t), learn=False)
        py.learner.observe(int(t), learn=False)


def test_python_saved_model_loads_like_cli_model(trained):
    a = hl.load_model(trained["cli_model"], threads=1)
    b = hl.load_model(trained["dir"] / "py.heb", threads=1)
    assert a.learner.state_text() == b.learner.state_text()
    assert np.array_equal(a.learner.predict(), b.learner.predict())
    # The CLI reads the Python-saved file.
    out = trained["cli"]("eval", "--model", trained["dir"] / "py.heb", "--corpus",
                         trained["corpus"], "--json", "--threads", "1")
    assert '"frozen"' in out


def test_eval_equals_cli(trained):
    out = trained["cli"]("eval", "--model", trained["cli_model"], "--corpus", trained["corpus"],
                         "--json", "--threads", "1", "--prequential")
    frozen = re.search(r'"frozen": \{"bits": ([0-9.]+), "top1": ([0-9.]+), "top5": ([0-9.]+), '
                       r'"tokens": (\d+)', out)
    preq = re.search(r'"prequential": \{"bits": ([0-9.]+)', out)
    assert frozen and preq, out
    r = hl.evaluate(trained["cli_model"], trained["corpus"], prequential=True)
    assert f"{r['frozen']['bits']:.4f}" == frozen.group(1)
    assert f"{r['frozen']['top1']:.4f}" == frozen.group(2)
    assert f"{r['frozen']['top5']:.4f}" == frozen.group(3)
    assert r["frozen"]["tokens"] == int(frozen.group(4)) == 500
    assert f"{r['prequential']['bits']:.4f}" == preq.group(1)
    # A frozen evaluation changes nothing: the same bits twice, the same prediction after.
    m = hl.load_model(trained["cli_model"])
    data = m.dataset(trained["corpus"])
    assert hl.bits_per_token(m.learner, data.test) == r["frozen"]["bits"]
    assert hl.bits_per_token(m.learner, data.test) == r["frozen"]["bits"]
    fresh = hl.load_model(trained["cli_model"])
    assert np.array_equal(m.learner.predict(), fresh.learner.predict())


def test_generate_equals_cli(trained):
    out = trained["cli"]("generate", "--model", trained["cli_model"], "--prompt", "the king",
                         "--tokens", "12", "--seed", "3")
    m = hl.load_model(trained["cli_model"])
    assert m.generate("the king", tokens=12, seed=3) + "\n" == out
    # Token level: the same ids through Predictor.generate.
    m2 = hl.load_model(trained["cli_model"])
    ids = m2.learner.generate(m2.tokenizer.encode("the king"), 12, seed=3)
    assert ids.dtype == np.uint32 and ids.shape == (12,)
    assert "the king " + m2.tokenizer.decode(ids) + "\n" == out


def test_tokenizer_and_split(trained):
    corpus = hl.read_corpus(trained["corpus"])
    assert len(corpus) == len(corpus.chapter) > 0
    assert corpus.chapter.dtype == np.uint32
    data = hl.make_dataset(corpus, tier="smoke", vocab=24, train_tokens=3000, valid_tokens=500,
                           test_tokens=500)
    assert data.tokenizer.fingerprint == trained["model"].tokenizer.fingerprint
    tok = data.tokenizer
    assert tok.kind == "word" and len(tok) == 24
    ids = tok.encode("the king went unto the city.")
    assert ids.dtype == np.uint32 and 0 not in ids
    assert tok.decode(ids).startswith("the king went unto the city")
    again = hl.load_tokenizer(tok.serialize())
    assert again.fingerprint == tok.fingerprint
    assert np.array_equal(again.encode("his son sat"), tok.encode("his son sat"))
    lines = corpus.lines[:50]
    assert hl.train_tokenizer("character", lines, 40).kind == "character"


def test_ngram_baselines(trained):
    data = trained["model"].dataset(trained["corpus"])
    uni = hl.make_baseline("unigram", 24)
    bi = hl.make_baseline("bigram-kn", 24)
    uni.fit(data.train)
    bi.train(data.train)
    p = bi.predict()
    assert p.shape == (24,) and p.dtype == np.float64 and abs(p.sum() - 1.0) < 1e-9
    assert bi.evaluate(data.test)["bits"] < uni.evaluate(data.test)["bits"]
    assert "trigram-kn" in hl.baseline_names()


def test_learner_from_python():
    learner = hl.Learner({"vocab_size": 8, "conjunction_order": 1, "seed": 5}, threads=1)
    assert learner.vocab_size == 8 and learner.params["seed"] == 5
    stream = np.array([1, 2, 3, 1, 2, 3] * 10, dtype=np.int64)
    learner.train(stream)
    bits = learner.fit_readout(stream[:12])
    assert np.isfinite(bits)
    assert "beta" in learner.state_text()  # between observe() and predict() only
    p = learner.predict()
    assert p.shape == (8,) and abs(p.sum() - 1.0) < 1e-12
    params = hl.LearnerParams({"vocab_size": 8, "plastic": False})
    params["learning_rate"] = 0.01
    assert params["learning_rate"] == 0.01 and params.plastic is False
    assert hl.LearnerParams.from_text(params.to_text()).to_dict() == params.to_dict()


def test_bad_input_raises_hebllm_errors(trained, tmp_path):
    learner = hl.Learner({"vocab_size": 8, "conjunction_order": 1}, threads=1)
    with pytest.raises(hebllm.ModelError, match=r"token id 8 out of range .*vocabulary of 8"):
        learner.observe(8)
    with pytest.raises(hebllm.ModelError, match=r"token id 9 out of range"):
        learner.observe(9, learn=False)
    with pytest.raises(hebllm.ModelError, match=r"token id 12 out of range"):
        learner.train([1, 2, 12])
    with pytest.raises(hebllm.ModelError, match=r"token id 30 out of range"):
        learner.evaluate(np.array([1, 30]))
    with pytest.raises(hebllm.ModelError):
        learner.train([-1])
    with pytest.raises(hebllm.FileError) as e:
        hl.read_corpus(tmp_path / "missing.txt")
    assert "missing.txt" in str(e.value) and e.value.file.endswith("missing.txt")
    with pytest.raises(hebllm.FileError, match="missing.heb"):
        hl.load_model(tmp_path / "missing.heb")
    not_model = tmp_path / "x.heb"
    not_model.write_text("hello")
    with pytest.raises(hebllm.FileError, match="x.heb"):
        hl.load_model(not_model)
    with pytest.raises(hebllm.ModelError, match="unknown parameter 'no_such_key'"):
        hl.Learner({"no_such_key": 1})
    with pytest.raises(hebllm.ModelError, match="kjv256"):
        hl.make_dataset(trained["corpus"], tier="enormous")
    with pytest.raises(hebllm.ModelError):
        hl.make_baseline("no-such-model", 24)
    with pytest.raises(hebllm.ModelError):
        trained["model"].tokenizer.decode([99])
