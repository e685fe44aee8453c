# SPDX-License-Identifier: MIT
"""The seed example through Python gives the same spikes as through the CLI and the C++ API.

Reference: `hebllm simulate --config examples/seed_example.toml --record` (the README's
built-in example: its [hebsnn] table is make_hebsnn(200, 1000, 200, 200, 0.1, seed 42), its
stimulus forces neurons 0-4 every step for t < 10 ms) and build/bin/seed_example (the same
through the C++ API with an input callback). Tolerance: none, spike for spike (every backend
is bit-identical, docs/determinism.md)."""

import re

import numpy as np
import pytest

import hebllm
from conftest import SEED_CONFIG, read_spikes_csv, seed_input


def run_seed_hebsnn(backend="auto", threads=0):
    net = hebllm.HebSNN(
        n_sensory=200,
        n_associative=1000,
        n_inhibitory=200,
        n_output=200,
        connectivity_density=0.1,
        backend=backend,
        threads=threads,
    )
    net.run(100.0, input_fn=seed_input)
    return net


def test_seed_same_spikes_as_cli(cli, tmp_path):
    csv = tmp_path / "seed.csv"
    cli("simulate", "--config", SEED_CONFIG, "--record", csv)
    neuron, time_ms = read_spikes_csv(csv)

    net = run_seed_hebsnn()
    spikes = net.get_spikes()
    assert len(spikes) > 100  # the example is not silent (916 spikes in the README)
    assert np.array_equal(spikes["neuron"], neuron)
    assert np.array_equal(spikes["time_ms"], time_ms)
    assert np.array_equal(spikes["step"], np.rint(time_ms).astype(np.int64))  # dt = 1 ms
    assert net.current_time == 100.0


def test_seed_same_counts_as_cpp_example(seed_example):
    import subprocess

    out = subprocess.run([seed_example], capture_output=True, text=True, check=True).stdout
    # "  associative   1000 neurons     594 spikes    5.94 Hz"
    counts = [int(m) for m in re.findall(r"^\s+\S+\s+\d+ neurons\s+(\d+) spikes", out, re.M)]
    assert len(counts) == 4, out
    net = run_seed_hebsnn()
    assert net.engine.population_spike_counts().tolist() == counts
    assert sum(counts) == len(net.get_spikes())


def test_config_engine_equals_hebsnn():
    network = hebllm.load_config(SEED_CONFIG)
    assert network.neuron_count == 1600
    assert [p["name"] for p in network.populations] == [
        "sensory", "associative", "inhibitory", "output"]
    engine = hebllm.make_engine(network)
    engine.run(network.duration_ms)  # the config's own stimulus drives neurons 0-4
    a = engine.spikes()
    b = run_seed_hebsnn().get_spikes()
    assert np.array_equal(a, b)


@pytest.mark.parametrize("backend,threads", [("reference", 0), ("cpu", 1), ("cpu", 2)])
def test_seed_every_backend_identical(backend, threads):
    ref = run_seed_hebsnn()
    other = run_seed_hebsnn(backend, threads)
    assert other.engine.backend == backend
    assert np.array_equal(ref.get_spikes(), other.get_spikes())
    assert np.array_equal(ref.engine.potentials(), other.engine.potentials())
    assert np.array_equal(ref.engine.synapses(), other.engine.synapses())


def test_input_forms_are_equivalent():
    """Ids as a list, an integer numpy array of any width, or a boolean mask: same run."""
    n = 1600
    mask = np.zeros(n, dtype=bool)
    mask[:5] = True
    forms = [
        lambda t: [0, 1, 2, 3, 4] if t < 10 else [],
        lambda t: np.arange(5, dtype=np.uint16) if t < 10 else None,
        lambda t: np.arange(5, dtype=np.int64) if t < 10 else np.array([], dtype=np.int32),
        lambda t: mask if t < 10 else np.zeros(n, dtype=bool),
    ]
    runs = []
    for fn in forms:
        net = hebllm.HebSNN(200, 1000, 200, 200, 0.1)
        net.run(100.0, fn)
        runs.append(net.get_spikes())
    for r in runs[1:]:
        assert np.array_equal(runs[0], r)


def test_stimulate_token_drives_the_token_neurons():
    net = hebllm.HebSNN(20, 50, 10, 20, 0.2)
    net.stimulate_token(3, duration_ms=5.0)
    net.run(5.0)
    first = net.get_spikes()
    # sensory neurons_per_token is 1: token 3 is neuron 3, forced at t = 0 (then refractory)
    assert 3 in first["neuron"][first["step"] == 0]
    assert set(first["neuron"][first["step"] == 0].tolist()) == {3}
    with pytest.raises(hebllm.ModelError, match="token 20 is out of range"):
        net.stimulate_token(20, 5.0)
