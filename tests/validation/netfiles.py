# SPDX-License-Identifier: MIT
"""Reading the validation network (network.toml + synapses.csv + input_spikes.csv) and spike CSVs.

Shared by run_brian2.py, numpy_reference.py and compare_spikes.py. Standard library and numpy only
(Python >= 3.11 for tomllib). The files are the ones `hebllm simulate --config` reads; only the
subset of the schema that the validation network uses is accepted, anything else is an error, so
the two simulators can never silently read different models.
"""

from __future__ import annotations

import csv
import os
import tomllib
from dataclasses import dataclass, field

import numpy as np

# Keys of a [[population]] table this validation understands. Others (adaptation, homeostasis,
# token mapping) would change the model and are refused.
_LIF_KEYS = {
    "name", "kind", "model", "size", "inhibitory", "tau_m_ms", "v_rest", "v_reset", "v_threshold",
    "refractory_ms", "tau_syn_ms", "resistance", "bias_current", "v_init_min", "v_init_max",
}
_SOURCE_KEYS = {"name", "kind", "model", "size", "inhibitory"}


@dataclass
class Population:
    name: str
    model: str            # "lif" or "spike_source"
    size: int
    offset: int           # global id of its first neuron
    inhibitory: bool = False
    tau_m_ms: float = 20.0
    v_rest: float = 0.0
    v_reset: float = 0.0
    v_threshold: float = 20.0
    refractory_ms: float = 2.0
    tau_syn_ms: float = 5.0
    resistance: float = 1.0
    bias_current: float = 0.0
    v_init: float = 0.0

    @property
    def is_lif(self) -> bool:
        return self.model == "lif"

    @property
    def stop(self) -> int:
        return self.offset + self.size


@dataclass
class Network:
    dt_ms: float
    duration_ms: float
    populations: list[Population]
    pre: np.ndarray         # int64, global ids
    post: np.ndarray        # int64, global ids
    weight: np.ndarray      # float64, signed
    delay_steps: np.ndarray  # int64, >= 1
    input_neuron: np.ndarray  # int64, global ids
    input_step: np.ndarray    # int64
    path: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def n_neurons(self) -> int:
        return self.populations[-1].stop if self.populations else 0

    @property
    def n_steps(self) -> int:
        return steps_of(self.duration_ms, self.dt_ms)

    def lif_populations(self) -> list[Population]:
        return [p for p in self.populations if p.is_lif]

    def population_of(self, gid: int) -> Population:
        for p in self.populations:
            if p.offset <= gid < p.stop:
                return p
        raise ValueError(f"neuron {gid} is in no population")


def steps_of(time_ms: float, dt_ms: float) -> int:
    """Nearest integer number of steps; the validation files only hold exact multiples of dt."""
    return int(round(time_ms / dt_ms))


def _read_csv_rows(path: str, header: list[str]) -> list[list[str]]:
    with open(path, newline="") as f:
        reader = csv.reader(f)
        try:
            first = next(reader)
        except StopIteration:
            raise ValueError(f"{path}: empty file, expected header {','.join(header)}")
        if [h.strip() for h in first] != header:
            raise ValueError(f"{path}: header is {first}, expected {header}")
        return [row for row in reader if row]


def load_network(toml_path: str) -> Network:
    with open(toml_path, "rb") as f:
        cfg = tomllib.load(f)
    unknown = set(cfg) - {"simulation", "population", "files"}
    if unknown:
        raise ValueError(f"{toml_path}: tables {sorted(unknown)} are not supported by the validation "
                         "(it compares plasticity-free networks with explicit synapses only)")
    sim = cfg["simulation"]
    dt = float(sim["dt_ms"])
    duration = float(sim["duration_ms"])
    pops: list[Population] = []
    offset = 0
    for t in cfg["population"]:
        model = t.get("model", "lif")
        keys = _LIF_KEYS if model == "lif" else _SOURCE_KEYS
        bad = set(t) - keys
        if bad:
            raise ValueError(f"{toml_path}: population '{t.get('name')}' has unsupported keys {sorted(bad)}")
        if model not in ("lif", "spike_source"):
            raise ValueError(f"{toml_path}: model '{model}' is not supported by the validation")
        p = Population(name=t["name"], model=model, size=int(t["size"]), offset=offset,
                       inhibitory=bool(t.get("inhibitory", False)))
        if model == "lif":
            for k in ("tau_m_ms", "v_rest", "v_reset", "v_threshold", "refractory_ms", "tau_syn_ms",
                      "resistance", "bias_current"):
                if k in t:
                    setattr(p, k, float(t[k]))
            lo = float(t.get("v_init_min", p.v_rest))
            hi = float(t.get("v_init_max", lo))
            if lo != hi:
                raise ValueError(f"{toml_path}: population '{p.name}': v_init_min != v_init_max; a "
                                 "random initial state cannot be reproduced outside hebllm")
            p.v_init = lo
            r = p.refractory_ms / dt
            if abs(r - round(r)) > 1e-9:
                raise ValueError(f"{toml_path}: refractory_ms of '{p.name}' is not a multiple of dt")
        pops.append(p)
        offset += p.size

    base = os.path.dirname(os.path.abspath(toml_path))
    files = cfg.get("files", {})
    net = Network(dt_ms=dt, duration_ms=duration, populations=pops,
                  pre=np.zeros(0, np.int64), post=np.zeros(0, np.int64),
                  weight=np.zeros(0), delay_steps=np.zeros(0, np.int64),
                  input_neuron=np.zeros(0, np.int64), input_step=np.zeros(0, np.int64),
                  path=toml_path)
    if "synapses" in files:
        rows = _read_csv_rows(os.path.join(base, files["synapses"]), ["pre", "post", "weight", "delay_ms"])
        net.pre = np.array([int(r[0]) for r in rows], dtype=np.int64)
        net.post = np.array([int(r[1]) for r in rows], dtype=np.int64)
        net.weight = np.array([float(r[2]) for r in rows], dtype=np.float64)
        delays = np.array([float(r[3]) for r in rows], dtype=np.float64)
        net.delay_steps = np.rint(delays / dt).astype(np.int64)
        if np.any(np.abs(delays / dt - net.delay_steps) > 1e-6) or np.any(net.delay_steps < 1):
            raise ValueError("synapse delays must be positive multiples of dt")
    if "input_spikes" in files:
        rows = _read_csv_rows(os.path.join(base, files["input_spikes"]), ["neuron", "time_ms"])
        net.input_neuron = np.array([int(r[0]) for r in rows], dtype=np.int64)
        times = np.array([float(r[1]) for r in rows], dtype=np.float64)
        net.input_step = np.rint(times / dt).astype(np.int64)
        if np.any(np.abs(times / dt - net.input_step) > 1e-6):
            raise ValueError("input spike times must be multiples of dt")
    _check(net)
    return net


def _check(net: Network) -> None:
    n = net.n_neurons
    if net.pre.size:
        if net.pre.min() < 0 or net.pre.max() >= n or net.post.min() < 0 or net.post.max() >= n:
            raise ValueError("synapse ids out of range")
        for p in net.populations:
            sel = (net.pre >= p.offset) & (net.pre < p.stop)
            w = net.weight[sel]
            if p.inhibitory and np.any(w > 0) or (not p.inhibitory) and np.any(w < 0):
                raise ValueError(f"weights from '{p.name}' break Dale's law")
        for gid in np.unique(net.post):
            if not net.population_of(int(gid)).is_lif:
                raise ValueError(f"synapse onto spike source neuron {gid}")
        # Exactness: weights must be representable in float32 and in 2^-32 fixed point.
        if np.any(net.weight.astype(np.float32).astype(np.float64) != net.weight):
            raise ValueError("weights are not exact in float32")
        if np.any(np.floor(net.weight * 2.0**32) != net.weight * 2.0**32):
            raise ValueError("weights are not exact in 2^-32 fixed point")
    for gid in np.unique(net.input_neuron):
        if net.population_of(int(gid)).is_lif:
            raise ValueError(f"input spike for LIF neuron {gid}: only spike_source neurons are driven")
    pairs = net.input_neuron * (net.n_steps + 1) + net.input_step
    if np.unique(pairs).size != pairs.size:
        raise ValueError("two input spikes of one neuron in one step")


def read_spikes(path: str, dt_ms: float) -> tuple[np.ndarray, np.ndarray]:
    """(neuron, step) arrays of a `neuron,time_ms` spike CSV; times must be multiples of dt."""
    rows = _read_csv_rows(path, ["neuron", "time_ms"])
    neuron = np.array([int(r[0]) for r in rows], dtype=np.int64)
    times = np.array([float(r[1]) for r in rows], dtype=np.float64)
    step = np.rint(times / dt_ms).astype(np.int64)
    bad = np.abs(times - step * dt_ms) > 1e-6 * max(1.0, dt_ms)
    if np.any(bad):
        k = int(np.argmax(bad))
        raise ValueError(f"{path}: spike time {times[k]!r} ms of neuron {neuron[k]} is not a multiple of dt")
    return neuron, step


def format_time(step: int, dt_ms: float) -> str:
    """Shortest round-trip decimal of step*dt, the way hebllm writes spike times."""
    return repr(float(step) * dt_ms)


def write_spikes(path: str, neuron: np.ndarray, step: np.ndarray, dt_ms: float) -> None:
    order = np.lexsort((neuron, step))
    with open(path, "w") as f:
        f.write("neuron,time_ms\n")
        for k in order:
            f.write(f"{int(neuron[k])},{format_time(int(step[k]), dt_ms)}\n")

