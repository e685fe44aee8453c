# SPDX-License-Identifier: MIT
"""Shared fixtures of the Python module's tests (tests/python/CMakeLists.txt runs them under
ctest with PYTHONPATH at the build tree's package and these environment variables:
HEBLLM_CLI (the hebllm binary), HEBLLM_SEED_EXAMPLE (examples/seed_example.cpp built),
HEBLLM_SOURCE_DIR (the repository))."""

import os
import pathlib
import subprocess

import numpy as np
import pytest

import hebllm

SOURCE_DIR = pathlib.Path(
    os.environ.get("HEBLLM_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2])
)
SEED_CONFIG = SOURCE_DIR / "examples" / "seed_example.toml"


def seed_input(t_ms):
    """The seed example's input_fn: neurons 0-4 driven during the first 10 ms."""
    return [0, 1, 2, 3, 4] if t_ms < 10.0 else None


def _tool(var):
    path = os.environ.get(var)
    if not path:
        pytest.skip(f"{var} is not set (ctest sets it)")
    return path


@pytest.fixture
def cli():
    """Runs the hebllm CLI; returns its stdout; fails with its stderr."""
    exe = _tool("HEBLLM_CLI")

    def run(*args):
        done = subprocess.run([exe, *map(str, args)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run.exe = exe
    return run


@pytest.fixture
def seed_example():
    return _tool("HEBLLM_SEED_EXAMPLE")


def read_spikes_csv(path):
    """A `--record x.csv` file as (neuron uint32, time_ms float64) arrays."""
    rows = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    return rows[:, 0].astype(np.uint32), rows[:, 1]


def small_network(seed=7):
    """A small HebSNN network with STDP and neuromodulation on (make_hebsnn's defaults)."""
    return hebllm.make_hebsnn(30, 120, 30, 20, 0.2, seed)
