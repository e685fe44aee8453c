# SPDX-License-Identifier: MIT
"""Checkpoints from Python resume exactly: 50 ms + save + load + 50 ms gives the same spikes,
state and weights as 100 ms in one go (STDP and neuromodulation on, input crossing the save
point), on another backend too, and across the language boundary: a checkpoint saved from
Python continued by `hebllm resume`, one saved by `hebllm simulate --save` continued from
Python. Tolerance: none (exact resume is the checkpoint format's promise, docs/formats.md)."""

import numpy as np
import pytest

import hebllm
from conftest import SEED_CONFIG, read_spikes_csv, small_network


def drive(t_ms):
    """Input that changes with time and crosses the 50 ms save point."""
    k = int(t_ms)
    return [k % 30, (7 * k) % 30] if k < 80 else None


def assert_same_engine(a, b):
    assert a.current_step == b.current_step
    assert np.array_equal(a.spikes(), b.spikes())
    sa, sb = a.state(), b.state()
    for key in sa:
        assert np.array_equal(sa[key], sb[key]), key
    assert np.array_equal(a.synapses(), b.synapses())
    assert a.modulation == b.modulation


@pytest.mark.parametrize("resume_backend", ["auto", "reference"])
def test_save_load_resumes_exactly(tmp_path, resume_backend):
    whole = hebllm.make_engine(small_network())
    whole.run(100.0, drive)
    assert (whole.spikes()["step"] >= 50).sum() > 10
    assert whole.stats()["plasticity_updates"] > 0  # STDP acted: weights matter

    first = hebllm.make_engine(small_network())
    first.run(50.0, drive)
    path = tmp_path / "half.heb"
    first.save(path)
    resumed = hebllm.load(path, backend=resume_backend)
    assert resumed.current_step == 50
    assert np.array_equal(resumed.spikes(), first.spikes())  # recorded spikes are kept
    resumed.run(50.0, drive)
    assert_same_engine(whole, resumed)


def test_hebsnn_save(tmp_path):
    whole = hebllm.HebSNN(200, 1000, 200, 200, 0.1)
    whole.run(100.0, drive)
    half = hebllm.HebSNN(200, 1000, 200, 200, 0.1)
    half.run(50.0, drive)
    half.save(tmp_path / "seed.heb")
    resumed = hebllm.load(tmp_path / "seed.heb")
    resumed.run(50.0, drive)
    assert (whole.get_spikes()["step"] >= 50).sum() > 10
    assert_same_engine(whole.engine, resumed)


def test_python_checkpoint_resumed_by_cli(cli, tmp_path):
    # Saved at 5 ms, inside the config's 10 ms stimulus (the seed network falls silent after
    # about 40 ms, so a later split would leave the resumed part with nothing to compare).
    network = hebllm.load_config(SEED_CONFIG)  # its stimulus is part of the network
    whole = hebllm.make_engine(network)
    whole.run(100.0)
    half = hebllm.make_engine(network)
    half.run(5.0)
    half.save(tmp_path / "py.heb")
    csv = tmp_path / "resumed.csv"
    cli("resume", tmp_path / "py.heb", "-d", "95", "--record", csv)
    neuron, time_ms = read_spikes_csv(csv)
    expected = whole.spikes()
    assert (expected["step"] >= 5).sum() > 100
    assert np.array_equal(neuron, expected["neuron"])
    assert np.array_equal(time_ms, expected["time_ms"])


def test_cli_checkpoint_resumed_by_python(cli, tmp_path):
    ckpt = tmp_path / "cli.heb"
    cli("simulate", "--config", SEED_CONFIG, "-d", "5", "--save", ckpt,
        "--record", tmp_path / "first.csv")  # --record: the checkpoint keeps the spikes
    resumed = hebllm.load(ckpt)
    assert resumed.current_step == 5
    resumed.run(95.0)
    whole = hebllm.make_engine(hebllm.load_config(SEED_CONFIG))
    whole.run(100.0)
    assert (whole.spikes()["step"] >= 5).sum() > 100
    assert_same_engine(whole, resumed)
