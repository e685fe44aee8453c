# SPDX-License-Identifier: MIT
"""hebllm.plot: what a network did, as matplotlib figures (docs/python.md "hebllm.plot").

Pure Python over the arrays hebllm returns; matplotlib (Debian: python3-matplotlib) is imported
only when a function here is called, so ``import hebllm`` works without it. Every function
returns a ``matplotlib.figure.Figure`` made without pyplot (no window, no global state: safe
in headless programs and tests); save it with ``fig.savefig("x.png")``::

    import hebllm, hebllm.plot
    net = hebllm.HebSNN(200, 1000, 200, 200, 0.1)
    net.run(100.0, input_fn=lambda t: [0, 1, 2, 3, 4] if t < 10 else None)
    hebllm.plot.raster(net.get_spikes(), net.network).savefig("raster.png")
"""

from __future__ import annotations

import numpy as _np

__all__ = ["raster", "rates", "weight_histogram", "learning_curve"]


def _figure(nrows=1, ncols=1, figsize=(8.0, 4.5), **kw):
    try:
        from matplotlib.figure import Figure
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError(
            "hebllm.plot needs matplotlib (Debian: apt-get install python3-matplotlib)"
        ) from e
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes


def _network_of(network):
    """A Network from a Network, an Engine or a HebSNN (or None)."""
    if network is None or hasattr(network, "populations"):
        return network
    inner = getattr(network, "network", None)  # Engine.network, HebSNN.network
    if inner is None or not hasattr(inner, "populations"):
        raise TypeError(f"network must be a Network, Engine or HebSNN, got {type(network)!r}")
    return inner


def _populations(network, n_hint=0):
    """[(name, offset, size, inhibitory)] of a Network, or one population for None."""
    net = _network_of(network)
    if net is None:
        return [("neurons", 0, int(n_hint), False)]
    return [(p["name"], int(p["offset"]), int(p["size"]), bool(p["inhibitory"]))
            for p in net.populations]


def _colors(n):
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return [cmap(k % 10) for k in range(n)]


def _spike_arrays(spikes, dt_ms=1.0):
    """(neuron, time_ms) arrays from SPIKE_DTYPE, a (neuron, time) pair or an (n, 2) array."""
    if isinstance(spikes, _np.ndarray) and spikes.dtype.names:
        neuron = _np.asarray(spikes["neuron"])
        if "time_ms" in spikes.dtype.names:
            t = _np.asarray(spikes["time_ms"], dtype=_np.float64)
        else:
            t = _np.asarray(spikes["step"], dtype=_np.float64) * dt_ms
        return neuron, t
    if isinstance(spikes, tuple) and len(spikes) == 2:
        return _np.asarray(spikes[0]), _np.asarray(spikes[1], dtype=_np.float64)
    a = _np.asarray(spikes)
    if a.ndim == 2 and a.shape[1] == 2:
        return a[:, 0].astype(_np.int64), a[:, 1].astype(_np.float64)
    raise TypeError(
        "spikes must be a SPIKE_DTYPE array (Engine.spikes()), a (neuron, time_ms) pair or "
        "an (n, 2) array"
    )


def _population_index(neuron, pops):
    """Index of each neuron's population (pops sorted by offset)."""
    offsets = _np.array([p[1] for p in pops], dtype=_np.int64)
    return _np.searchsorted(offsets, _np.asarray(neuron, dtype=_np.int64), side="right") - 1


def raster(spikes, network=None, *, t_range=None, marker_size=6.0, title=None, figsize=(8.0, 4.5)):
    """Spike raster: one dot per spike, neuron id against time (ms), coloured by population.

    ``spikes``: ``Engine.spikes()`` / ``HebSNN.get_spikes()`` (SPIKE_DTYPE), a ``(neuron,
    time_ms)`` pair or an (n, 2) array. ``network``: a Network, Engine or HebSNN whose
    populations colour and label the dots (None: one colour). ``t_range``: (start, stop) ms
    to show. One axes; one scatter collection per population (empty ones included, so the
    legend lists every population) and a legend.
    """
    neuron, t = _spike_arrays(spikes)
    pops = _populations(network, int(neuron.max()) + 1 if neuron.size else 1)
    fig, axes = _figure(figsize=figsize)
    ax = axes[0, 0]
    which = _population_index(neuron, pops) if len(pops) > 1 else _np.zeros(neuron.size, int)
    for k, ((name, offset, size, _), color) in enumerate(zip(pops, _colors(len(pops)))):
        sel = which == k
        ax.scatter(t[sel], neuron[sel], s=marker_size, color=color, marker=".",
                   linewidths=0, label=f"{name} ({int(sel.sum())})")
        if len(pops) > 1:
            ax.axhline(offset - 0.5, color="0.85", linewidth=0.5, zorder=0)
    n_total = sum(p[2] for p in pops)
    ax.set_ylim(-0.5, max(n_total, 1) - 0.5)
    if t_range is not None:
        ax.set_xlim(*t_range)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("neuron")
    ax.set_title(title or f"{neuron.size} spikes")
    ax.legend(loc="upper right", fontsize="small", markerscale=4, frameon=True)
    return fig


def rates(spikes, network, *, bin_ms=5.0, t_range=None, title=None, figsize=(8.0, 4.5)):
    """Population firing rates over time: for each population, its spikes per bin of
    ``bin_ms`` divided by (population size x bin width), in Hz, as a step line.

    ``spikes`` as for ``raster``; ``network`` (a Network, Engine or HebSNN) gives the
    populations. ``t_range``: (start, stop) ms (default: 0 to the last spike's bin, or the
    engine's time when an Engine or HebSNN is given). One axes with one line per population
    and a legend.
    """
    if bin_ms <= 0:
        raise ValueError(f"bin_ms must be > 0, got {bin_ms}")
    neuron, t = _spike_arrays(spikes)
    pops = _populations(network, int(neuron.max()) + 1 if neuron.size else 1)
    if t_range is None:
        end = getattr(network, "time_ms", None)  # an Engine
        if end is None:
            end = getattr(network, "current_time", None)  # a HebSNN
        if end is None:
            end = float(t.max()) + bin_ms if t.size else bin_ms
        t_range = (0.0, float(end))
    start, stop = t_range
    n_bins = max(1, int(_np.ceil((stop - start) / bin_ms)))
    edges = start + bin_ms * _np.arange(n_bins + 1)
    which = _population_index(neuron, pops)
    fig, axes = _figure(figsize=figsize)
    ax = axes[0, 0]
    for k, ((name, _, size, _), color) in enumerate(zip(pops, _colors(len(pops)))):
        counts, _ = _np.histogram(t[which == k], bins=edges)
        hz = counts / (max(size, 1) * bin_ms * 1e-3)
        ax.stairs(hz, edges, color=color, label=name)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(f"rate (Hz, {bin_ms:g} ms bins)")
    ax.set_title(title or "population rates")
    ax.legend(loc="upper right", fontsize="small")
    return fig


def weight_histogram(synapses, network=None, *, by="population", bins=40, title=None,
                     max_panels=16, figsize=None):
    """Histograms of synaptic weights, one panel per (source population -> target
    population) pair that has synapses (``by="population"``), or one panel for all
    (``by="all"``).

    ``synapses``: ``Engine.synapses()`` (SYNAPSE_DTYPE: pre, post, weight) or a plain weight
    array (then one panel). ``network`` (a Network, Engine or HebSNN) names the populations.
    At most ``max_panels`` panels (the pairs with most synapses first). Returns the Figure;
    its axes hold one histogram each (unused grid cells are removed).
    """
    arr = _np.asarray(synapses)
    if arr.dtype.names and "weight" in arr.dtype.names:
        w = _np.asarray(arr["weight"], dtype=_np.float64)
        pre = _np.asarray(arr["pre"])
        post = _np.asarray(arr["post"])
    else:
        w = arr.astype(_np.float64).ravel()
        pre = post = None
        by = "all"
    groups = []
    if by == "all" or network is None or pre is None:
        groups.append(("all synapses", _np.ones(w.size, bool)))
    elif by == "population":
        pops = _populations(network)
        src = _population_index(pre, pops)
        dst = _population_index(post, pops)
        key = src * len(pops) + dst
        uniq, counts = _np.unique(key, return_counts=True)
        order = _np.argsort(-counts, kind="stable")[:max_panels]
        for u in sorted(uniq[order]):
            s, d = divmod(int(u), len(pops))
            groups.append((f"{pops[s][0]} \u2192 {pops[d][0]}", key == u))
    else:
        raise ValueError(f"by must be 'population' or 'all', got {by!r}")
    n = len(groups)
    ncols = min(n, 4)
    nrows = (n + ncols - 1) // ncols
    fig, axes = _figure(nrows, ncols, figsize=figsize or (3.0 * ncols + 1.0, 2.4 * nrows + 0.6))
    for k, (label, sel) in enumerate(groups):
        ax = axes[k // ncols, k % ncols]
        ax.hist(w[sel], bins=bins, color=_colors(n)[k])
        ax.set_title(f"{label} ({int(sel.sum())})", fontsize="small")
        ax.set_xlabel("weight")
    for k in range(n, nrows * ncols):
        axes[k // ncols, k % ncols].remove()
    axes[0, 0].set_ylabel("synapses")
    if title:
        fig.suptitle(title)
    return fig


def learning_curve(log=None, *, tokens=None, bits=None, window=None, title=None,
                   figsize=(8.0, 4.5)):
    """Bits/token against tokens read.

    Either ``log``: a dict or structured array with fields ``tokens`` and ``bits``, a path to
    a CSV file with those columns (a header naming them), or a sequence of (tokens, bits)
    rows; or ``tokens`` and ``bits`` arrays. With ``window`` (an int), ``bits`` are taken as
    per-token values (e.g. prequential -log2 p) and the running mean over the last ``window``
    points is plotted beside them. One axes; one line (two with ``window``).
    """
    if log is not None:
        tokens, bits = _curve_arrays(log)
    if tokens is None or bits is None:
        raise ValueError("learning_curve needs a log or both tokens and bits")
    x = _np.asarray(tokens, dtype=_np.float64)
    y = _np.asarray(bits, dtype=_np.float64)
    if x.shape != y.shape:
        raise ValueError(f"tokens and bits differ in length ({x.size} and {y.size})")
    fig, axes = _figure(figsize=figsize)
    ax = axes[0, 0]
    ax.plot(x, y, color="C0", linewidth=1.0 if window else 1.5,
            alpha=0.35 if window else 1.0, label="bits/token")
    if window:
        w = int(window)
        c = _np.cumsum(_np.insert(y, 0, 0.0))
        k = _np.arange(1, y.size + 1)
        lo = _np.maximum(0, k - w)
        ax.plot(x, (c[k] - c[lo]) / (k - lo), color="C1", linewidth=1.5,
                label=f"running mean ({w})")
        ax.legend(loc="upper right", fontsize="small")
    ax.set_xlabel("tokens")
    ax.set_ylabel("bits/token")
    ax.set_title(title or "learning curve")
    ax.grid(True, alpha=0.3)
    return fig


def _curve_arrays(log):
    if isinstance(log, dict):
        return log["tokens"], log["bits"]
    if isinstance(log, _np.ndarray) and log.dtype.names:
        return log["tokens"], log["bits"]
    if isinstance(log, (str, bytes)) or hasattr(log, "__fspath__"):
        rows = _np.genfromtxt(log, delimiter=",", names=True, dtype=None, encoding="utf-8")
        names = rows.dtype.names or ()
        tok = next((n for n in names if n.startswith("token")), None)
        bit = next((n for n in names if n.startswith("bits")), None)
        if tok is None or bit is None:
            raise ValueError(f"{log}: needs columns 'tokens' and 'bits', got {names}")
        return _np.atleast_1d(rows[tok]), _np.atleast_1d(rows[bit])
    a = _np.asarray(log, dtype=_np.float64)
    if a.ndim != 2 or a.shape[1] != 2:
        raise ValueError("log must be a dict, a CSV path or rows of (tokens, bits)")
    return a[:, 0], a[:, 1]
