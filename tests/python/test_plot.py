# SPDX-License-Identifier: MIT
"""hebllm.plot on the seed example: every function returns a matplotlib Figure with the
expected axes and artists and writes a PNG of non-trivial size, headless (no pyplot, Agg
canvas). ctest reports the file skipped (77) when matplotlib is missing (tests/python/
CMakeLists.txt); run by hand, pytest skips it."""

import subprocess
import sys

import numpy as np
import pytest

import hebllm
from conftest import seed_input

pytest.importorskip("matplotlib")
import hebllm.plot as hp  # noqa: E402

MIN_PNG_BYTES = 10_000  # an empty 800x450 figure is about 3 kB


@pytest.fixture(scope="module")
def seed():
    net = hebllm.HebSNN(n_sensory=200, n_associative=1000, n_inhibitory=200, n_output=200,
                        connectivity_density=0.1)
    net.run(100.0, input_fn=seed_input)
    return net


def _png(fig, path):
    fig.savefig(path, dpi=80)
    size = path.stat().st_size
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return size


def test_import_hebllm_does_not_import_matplotlib():
    code = "import sys, hebllm, hebllm.lang; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_raster(seed, tmp_path):
    from matplotlib.figure import Figure

    spikes = seed.get_spikes()
    fig = hp.raster(spikes, seed.network)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert len(ax.collections) == 4  # one per population
    counts = [len(c.get_offsets()) for c in ax.collections]
    assert counts == seed.engine.population_spike_counts().tolist()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert [lbl.split()[0] for lbl in labels] == ["sensory", "associative", "inhibitory",
                                                   "output"]
    assert _png(fig, tmp_path / "raster.png") > MIN_PNG_BYTES
    # Without a network: one colour; from an Engine: the same as from its Network.
    assert len(hp.raster(spikes).axes[0].collections) == 1
    assert len(hp.raster(spikes, seed.engine).axes[0].collections) == 4


def test_rates(seed, tmp_path):
    spikes = seed.get_spikes()
    fig = hp.rates(spikes, seed.engine, bin_ms=10.0)
    ax = fig.axes[0]
    assert len(fig.axes) == 1 and len(ax.patches) == 4  # one stairs line per population
    # The mean rate of each population over 100 ms equals spikes / (size * 0.1 s).
    sizes = [200, 1000, 200, 200]
    counts = seed.engine.population_spike_counts()
    for patch, n, c in zip(ax.patches, sizes, counts):
        values = patch.get_data().values
        assert len(values) == 10
        assert np.isclose(values.mean(), c / (n * 0.1))
    assert _png(fig, tmp_path / "rates.png") > MIN_PNG_BYTES
    with pytest.raises(ValueError):
        hp.rates(spikes, seed.network, bin_ms=0)


def test_weight_histogram(seed, tmp_path):
    syn = seed.engine.synapses()
    pops = seed.network.populations
    offsets = np.array([p["offset"] for p in pops])
    pairs = {(int(np.searchsorted(offsets, a, "right")) - 1,
              int(np.searchsorted(offsets, b, "right")) - 1)
             for a, b in zip(syn["pre"], syn["post"])}
    fig = hp.weight_histogram(syn, seed.network)
    assert len(fig.axes) == len(pairs)
    assert sum(len(ax.patches) for ax in fig.axes) == 40 * len(pairs)  # 40 bins each
    assert all("\u2192" in ax.get_title() for ax in fig.axes)
    assert _png(fig, tmp_path / "weights.png") > MIN_PNG_BYTES
    one = hp.weight_histogram(syn, by="all")
    assert len(one.axes) == 1 and len(one.axes[0].patches) == 40


def test_learning_curve(tmp_path):
    tokens = np.arange(1, 201) * 100
    bits = 4.0 + 2.0 / np.sqrt(tokens / 100.0)
    fig = hp.learning_curve(tokens=tokens, bits=bits)
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 1
    assert _png(fig, tmp_path / "curve.png") > MIN_PNG_BYTES
    csv = tmp_path / "log.csv"
    np.savetxt(csv, np.c_[tokens, bits], delimiter=",", header="tokens,bits", comments="")
    fig = hp.learning_curve(csv, window=10)
    assert len(fig.axes[0].lines) == 2
    x, y = fig.axes[0].lines[0].get_data()
    assert np.array_equal(x, tokens) and np.allclose(y, bits)
    assert len(hp.learning_curve({"tokens": tokens, "bits": bits}).axes[0].lines) == 1
