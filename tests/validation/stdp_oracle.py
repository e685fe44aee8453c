#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Independent STDP oracle: hebllm's plastic weights against a numpy re-implementation.

    stdp_oracle.py HEBLLM_BINARY WORK_DIR BACKEND [--threads N] [--seed N]
                   [--perturb KEY=VALUE] [--oracle-variant NAME]

The model for this test is NEST's test_stdp_synapse: random pre- and postsynaptic spike trains
plus hand-picked edge cases go through the engine, and every weight is recomputed independently.
The oracle below is written from the contract in docs/model.md ("STDP (pair-based, per-neuron
traces)" and "Metaplasticity"), not from hebllm's sources:

- every neuron has a presynaptic trace (tau+) and a postsynaptic trace (tau-); after a spike at
  step s the trace is x(s) + g (all-to-all pairing) or g (nearest pairing), where x(s) is its
  value decayed to s and g = 1, or g_k = (1 + k/n0)^-p for the k-th spike's presynaptic trace
  with metaplasticity; in between it decays by d[k] = exp(-k dt / tau), and a spike more than
  46 tau/dt steps old counts as zero;
- plasticity in step s reads the traces at s before the increments of step s; a presynaptic
  spike depresses, w <- clip(w - eta m A- x_post f-(w)), a postsynaptic spike potentiates,
  w <- clip(w + eta m A+ x_pre f+(w)); f = 1 (additive), f+ = w_max - w, f- = w - w_min
  (multiplicative); in a step where both spike, depression comes first;
- timing uses emission times: delays do not enter;
- weights are magnitudes (inhibitory sources learn |w|); computed in double, stored as float32
  after every update.

The network (one per case, written by this script to WORK_DIR/CASE/): 32 neurons, all driven by
an input-spike list: 20 excitatory and 6 inhibitory LIF neurons whose threshold (1e9 mV) no
input can reach and whose refractory period is one step (so a forced spike may follow on the
next step), and 6 spike sources (hebllm refuses synapses onto spike sources, so those are
presynaptic only). No weight can therefore change any spike, and every LIF neuron is
presynaptic on some synapses and postsynaptic on others. About 334 explicit synapses, 90 %
plastic, with delays 1, 2, 3 and 7 steps (some neuron pairs have two synapses of different
delays), four plastic autapses (pre and post spike in the same step, always), the rest static
(their weights must not move). Neurons 0-5 carry hand-picked trains (identical trains, trains
one step ahead and one step behind, a burst on 30 consecutive steps, spikes at the first and the
last step, a gap longer than the trace cut-off) and are connected all-to-all both ways at delays
1 and 7; neurons 6-31 carry Bernoulli trains at 5-80 Hz. Initial weights are multiples of 2^-12
inside the bounds, a tenth of them exactly at a bound (as float32).

hebllm runs `simulate --config ... --record spikes.csv --save state.heb`. The oracle takes the
spikes hebllm recorded (so neuron dynamics cannot matter; they are also checked to be exactly the
forced input spikes) and the initial weights from the synapse list, and the final weights are
read from the checkpoint with tools/read_checkpoint.py, matched by (pre, post, delay).

Cases (all dt = 1 ms unless said):
  a2a_add       all-to-all, additive, tau+ = tau- = 20 ms, eta = 1, no neuromodulation (m = 1)
  nearest_add   the same with nearest-spike pairing
  a2a_mult      all-to-all, multiplicative, tau+ 15, tau- 30, eta 0.8, constant m = 1.5
  nearest_mult  the same with nearest-spike pairing
  a2a_meta      all-to-all, additive, presynaptic metaplasticity (n0 = 4, p = 0.5), tau+ 12.5,
                tau- 25, dt = 0.5 ms
  nearest_meta  the same with nearest-spike pairing, dt = 1 ms

Tolerance. Both sides compute each update in double and round the stored weight to float32. The
only differences to expect are in the last bits of the doubles (the order of the products, the
library's exp()), which flip a float32 rounding with a probability of order 1e-8 per update. A
flip is one float32 ulp; later updates round both sequences onto the same grid, so the gap
stays within the ulp of the largest binade a weight visits, at most ulp(float32(w_max)). The
test allows 4 ulp(w_max) (1.2e-7 for w_max = 0.45, 2.4e-7 for 0.5 and 0.625): a few such flips,
and nothing else. For scale: a 0.1 % error in the learning rate moves weights by up to 3e-4,
a wrong tau by 1e-2, and even keeping the weights in double between updates (the variant
double_weights) exceeds the tolerance in the additive cases. The test also reports how many
weights are bit-identical (so far: all of them, on both backends).

Coverage is asserted, not assumed: across the cases there must be potentiation and depression,
clipping at w_min and at w_max, same-step pre/post pairs, and in each nearest case the nearest
and all-to-all oracles must differ by far more than the tolerance (else the pairing would be
untested).

Left out: the neuromodulator kinds `novelty` and `external` (their m depends on spike-set
history or on the program; only `constant` m is used here), projections' `stdp_scale` (explicit
synapses have none), consolidation, homeostasis and structural plasticity. The 46 tau/dt
cut-off of the traces is implemented but cannot be observed: what it removes is below 1e-20
of an amplitude.

Showing that the test can fail (docs/validation.md): --perturb KEY=VALUE changes one oracle
parameter, not hebllm's (tau_plus_ms, tau_minus_ms, a_plus, a_minus, w_min, w_max,
learning_rate, modulation); --oracle-variant NAME makes the oracle read the contract wrongly on
purpose (pot_first, same_step_pairs, delivery_time, double_weights: see VARIANTS). Each must
fail.

Exit 0: pass; 1: fail; 77: skipped (numpy missing).
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import shutil
import subprocess
import sys
import time

try:
    import numpy as np
except ImportError:
    print("SKIPPED: numpy is not installed (Debian: python3-numpy)")
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, os.pardir, os.pardir, "tools")

N_EXC = 20                    # LIF neurons 0..19 (excitatory)
N_INH = 6                     # LIF neurons 20..25 (inhibitory: negative weights)
N_SRC = 6                     # spike sources 26..31 (excitatory; presynaptic only)
N_LIF = N_EXC + N_INH
N = N_LIF + N_SRC
N_EDGE = 6                    # neurons 0..5 carry hand-picked trains
DELAYS = (1, 2, 3, 7)         # steps
WEIGHT_GRID = 2.0 ** -12      # initial weights are multiples of this (exact in float32)
TRACE_CUTOFF = 46.0           # spikes older than 46 tau/dt steps count as zero
ULP_TOLERANCE = 4             # allowed |w_hebllm - w_oracle| in units of ulp(float32(w_max))

# One dict per case: the [stdp] and [neuromodulation] settings, dt and duration.
CASES = [
    dict(name="a2a_add", pairing="all_to_all", kind="additive", dt_ms=1.0, duration_ms=1500.0,
         a_plus=0.02, a_minus=0.021, tau_plus_ms=20.0, tau_minus_ms=20.0, w_min=0.1, w_max=0.45,
         learning_rate=1.0, modulation=None, meta_spikes=0, meta_power=0.5),
    dict(name="nearest_add", pairing="nearest", kind="additive", dt_ms=1.0, duration_ms=1500.0,
         a_plus=0.02, a_minus=0.021, tau_plus_ms=20.0, tau_minus_ms=20.0, w_min=0.1, w_max=0.45,
         learning_rate=1.0, modulation=None, meta_spikes=0, meta_power=0.5),
    dict(name="a2a_mult", pairing="all_to_all", kind="multiplicative", dt_ms=1.0,
         duration_ms=1500.0, a_plus=0.2, a_minus=0.25, tau_plus_ms=15.0, tau_minus_ms=30.0,
         w_min=0.125, w_max=0.625, learning_rate=0.8, modulation=1.5, meta_spikes=0,
         meta_power=0.5),
    dict(name="nearest_mult", pairing="nearest", kind="multiplicative", dt_ms=1.0,
         duration_ms=1500.0, a_plus=0.2, a_minus=0.25, tau_plus_ms=15.0, tau_minus_ms=30.0,
         w_min=0.125, w_max=0.625, learning_rate=0.8, modulation=1.5, meta_spikes=0,
         meta_power=0.5),
    dict(name="a2a_meta", pairing="all_to_all", kind="additive", dt_ms=0.5, duration_ms=750.0,
         a_plus=0.03, a_minus=0.02, tau_plus_ms=12.5, tau_minus_ms=25.0, w_min=0.0, w_max=0.5,
         learning_rate=1.0, modulation=None, meta_spikes=4, meta_power=0.5),
    dict(name="nearest_meta", pairing="nearest", kind="additive", dt_ms=1.0, duration_ms=1500.0,
         a_plus=0.03, a_minus=0.02, tau_plus_ms=12.5, tau_minus_ms=25.0, w_min=0.0, w_max=0.5,
         learning_rate=1.0, modulation=None, meta_spikes=4, meta_power=0.5),
]


# ---- the network ------------------------------------------------------------------------------

def edge_trains(steps: int) -> list[list[int]]:
    """Hand-picked spike steps of neurons 0..5 (NEST's test_stdp_synapse has such cases too)."""
    base = [0, 5, 6, 7, 30, 31, 60, 100, 101, 102, 103, 104, 150, 152, 154, 400, 401]
    base += [steps // 2, steps // 2 + 3, steps - 40, steps - 2, steps - 1]
    base = sorted(set(s for s in base if 0 <= s < steps))
    return [
        base,                                             # 0: the base train
        list(base),                                       # 1: identical: every pair same-step
        sorted(set(s + 1 for s in base if s + 1 < steps)),  # 2: one step behind
        sorted(set(s - 1 for s in base if s >= 1)),         # 3: one step ahead
        [s for s in range(200, 230)] + [steps - 1],       # 4: a burst on 30 consecutive steps
        [10, steps - 1] if steps > 1000 else [10],        # 5: a gap beyond the trace cut-off
    ]


def make_network(rng: np.random.Generator, case: dict) -> tuple[list[list[int]], list[tuple]]:
    """Spike steps per neuron and the synapse list
    [(pre, post, weight magnitude, delay in steps, plastic)]."""
    steps = int(round(case["duration_ms"] / case["dt_ms"]))
    trains = edge_trains(steps)
    for _ in range(N_EDGE, N):
        rate_hz = rng.uniform(5.0, 80.0)
        p = rate_hz * case["dt_ms"] / 1000.0
        trains.append([int(s) for s in np.flatnonzero(rng.random(steps) < p)])

    w_min, w_max = case["w_min"], case["w_max"]
    lo, hi = math.ceil(w_min / WEIGHT_GRID), math.floor(w_max / WEIGHT_GRID)

    def draw_weight() -> float:
        u = rng.random()
        if u < 0.05:
            return lo * WEIGHT_GRID if lo * WEIGHT_GRID == w_min else as_float32(w_min)
        if u < 0.10:
            return hi * WEIGHT_GRID if hi * WEIGHT_GRID == w_max else as_float32(w_max)
        return int(rng.integers(lo, hi + 1)) * WEIGHT_GRID

    synapses = {}
    # Every ordered pair among the edge neurons, both ways, at two delays.
    for a in range(N_EDGE):
        for b in range(N_EDGE):
            if a != b:
                for d in (1, 7):
                    synapses[(a, b, d)] = (draw_weight(), True)
    # Autapses (allowed for explicit synapses): pre and post spike in every step of the train,
    # so every pairing is across steps; neuron 4 is the burst, 21 is inhibitory.
    for a in (0, 4, 9, 21):
        synapses[(a, a, 2)] = (draw_weight(), True)
    # Random pairs over all neurons, each at one or two delays.
    while len(synapses) < 334:
        a, b = int(rng.integers(0, N)), int(rng.integers(0, N_LIF))
        if a == b:
            continue
        for d in rng.choice(DELAYS, size=1 + int(rng.random() < 0.3), replace=False):
            synapses[(a, b, int(d))] = (draw_weight(), rng.random() < 0.9)
    out = [(a, b, w, d, plastic) for (a, b, d), (w, plastic) in sorted(synapses.items())]
    return trains, out


def as_float32(x: float) -> float:
    """x rounded to float32, as the engine stores a weight. (For the bounds used here, 0.1 and
    0.45, this stays inside [w_min, w_max].)"""
    return float(np.float32(x))


def write_case(work: str, case: dict, trains, synapses) -> str:
    os.makedirs(work)
    dt = case["dt_ms"]
    with open(os.path.join(work, "input_spikes.csv"), "w") as f:
        f.write("neuron,time_ms\n")
        for i, train in enumerate(trains):
            for s in train:
                f.write(f"{i},{s * dt!r}\n")
    with open(os.path.join(work, "synapses.csv"), "w") as f:
        f.write("pre,post,weight,delay_ms,plastic\n")
        for a, b, w, d, plastic in synapses:
            signed = -w if N_EXC <= a < N_LIF else w
            f.write(f"{a},{b},{signed!r},{d * dt!r},{int(plastic)}\n")
    modulation = case["modulation"]
    neuromod = ("enabled = false" if modulation is None else
                f'enabled = true\nkind = "constant"\nbaseline = {modulation!r}')
    meta = ""
    if case["meta_spikes"]:
        meta = (f"metaplasticity_spikes = {case['meta_spikes']}\n"
                f"metaplasticity_power = {case['meta_power']!r}\n")
    cfg = f"""# STDP oracle case {case['name']} (written by tests/validation/stdp_oracle.py)
[simulation]
dt_ms = {dt!r}
duration_ms = {case['duration_ms']!r}
seed = 1

# LIF neurons that only spike when forced: the threshold is out of reach of any input, and a
# refractory period of one step lets a forced spike follow on the next step.
[[population]]
name = "exc"
size = {N_EXC}
v_threshold = 1e9
refractory_ms = {dt!r}
tau_syn_ms = 0.0

[[population]]
name = "inh"
inhibitory = true
size = {N_INH}
v_threshold = 1e9
refractory_ms = {dt!r}
tau_syn_ms = 0.0

[[population]]
name = "src"
model = "spike_source"
size = {N_SRC}

[stdp]
enabled = true
kind = "{case['kind']}"
pairing = "{case['pairing']}"
a_plus = {case['a_plus']!r}
a_minus = {case['a_minus']!r}
tau_plus_ms = {case['tau_plus_ms']!r}
tau_minus_ms = {case['tau_minus_ms']!r}
w_min = {case['w_min']!r}
w_max = {case['w_max']!r}
learning_rate = {case['learning_rate']!r}
{meta}
[homeostasis]
enabled = false

[neuromodulation]
{neuromod}

[files]
synapses = "synapses.csv"
input_spikes = "input_spikes.csv"
"""
    path = os.path.join(work, "network.toml")
    with open(path, "w") as f:
        f.write(cfg)
    return path


# ---- the oracle -------------------------------------------------------------------------------

class Traces:
    """A neuron's trace with time constant tau, from its spike steps, read before step s's
    increment. increments[k] is what the k-th spike adds (all-to-all) or sets (nearest)."""

    def __init__(self, spikes: list[int], tau_ms: float, dt_ms: float, nearest: bool,
                 increments: list[float]):
        self.spikes = spikes
        self.tau, self.dt = tau_ms, dt_ms
        self.cutoff = TRACE_CUTOFF * tau_ms / dt_ms
        self.after = []       # trace value right after each spike
        x, last = 0.0, None
        for k, s in enumerate(spikes):
            decayed = 0.0 if last is None else x * self.decay(s - last)
            x = increments[k] if nearest else decayed + increments[k]
            self.after.append(x)
            last = s

    def decay(self, k: int) -> float:
        return 0.0 if k > self.cutoff else math.exp(-k * self.dt / self.tau)

    def at(self, s: int, inclusive: bool = False) -> float:
        """The trace at step s before the increment of a spike at s (after it with inclusive:
        only for the wrong-on-purpose variant `same_step_pairs`)."""
        j = int(np.searchsorted(self.spikes, s, side="right" if inclusive else "left")) - 1
        if j < 0:
            return 0.0
        return self.after[j] * self.decay(s - self.spikes[j])


# Deliberately wrong readings of the contract, for --oracle-variant: each must make the test fail
# (docs/validation.md lists which do). None is the contract.
VARIANTS = {
    "pot_first": "potentiation before depression when pre and post spike in the same step",
    "same_step_pairs": "traces read after the step's increments (same-step spikes pair)",
    "delivery_time": "presynaptic spikes timed at their arrival (emission + delay)",
    "double_weights": "weights kept in double between updates (float32 only at the end)",
}


def oracle_weights(case: dict, spikes: list[list[int]], synapses, stats: dict,
                   pairing: str | None = None, variant: str | None = None) -> dict:
    """Final weight magnitude (float32 as a Python float) of every synapse, keyed (pre, post,
    delay). Delays are carried only as part of the key: timing uses emission times."""
    nearest = (pairing or case["pairing"]) == "nearest"
    dt = case["dt_ms"]
    steps = int(round(case["duration_ms"] / dt))
    n0, power = case["meta_spikes"], case["meta_power"]

    def pre_trace(train: list[int]) -> Traces:
        if n0 > 0:   # metaplasticity: the k-th spike adds (1 + k/n0)^-p to the pre trace
            inc = [(1.0 + k / n0) ** -power for k in range(len(train))]
        else:
            inc = [1.0] * len(train)
        return Traces(train, case["tau_plus_ms"], dt, nearest, inc)

    pre_traces = [pre_trace(train) for train in spikes]
    post_traces = [Traces(train, case["tau_minus_ms"], dt, nearest, [1.0] * len(train))
                   for train in spikes]

    w_min, w_max = case["w_min"], case["w_max"]
    eta_m = case["learning_rate"] * (1.0 if case["modulation"] is None else case["modulation"])
    multiplicative = case["kind"] == "multiplicative"
    store = (lambda x: x) if variant == "double_weights" else (lambda x: float(np.float32(x)))
    inclusive = variant == "same_step_pairs"
    dep, pot = (1, 0) if variant == "pot_first" else (0, 1)   # order within a step
    out = {}
    for a, b, w0, d, plastic in synapses:
        w = float(np.float32(w0))
        if plastic:
            pre_spikes, x_pre = spikes[a], pre_traces[a]
            if variant == "delivery_time":
                pre_spikes = [s + d for s in spikes[a] if s + d < steps]
                x_pre = pre_trace(pre_spikes)
            events = sorted([(s, dep) for s in pre_spikes] + [(s, pot) for s in spikes[b]])
            pre_set = set(pre_spikes)
            for s, kind in events:
                if kind == dep:
                    f = (w - w_min) if multiplicative else 1.0
                    new = w - eta_m * case["a_minus"] * post_traces[b].at(s, inclusive) * f
                    stats["depressions"] += 1
                else:
                    f = (w_max - w) if multiplicative else 1.0
                    new = w + eta_m * case["a_plus"] * x_pre.at(s, inclusive) * f
                    stats["potentiations"] += 1
                    stats["same_step"] += s in pre_set
                if new < w_min:
                    stats["clip_min"] += 1
                    new = w_min
                elif new > w_max:
                    stats["clip_max"] += 1
                    new = w_max
                w = store(new)
        out[(a, b, d)] = float(np.float32(w))
    return out


def new_stats() -> dict:
    """Counts of what the oracle did, for the coverage checks."""
    return dict(depressions=0, potentiations=0, same_step=0, clip_min=0, clip_max=0)


# ---- running hebllm and reading its output ----------------------------------------------------

def read_spikes_csv(path: str, dt_ms: float) -> list[list[int]]:
    trains = [[] for _ in range(N)]
    with open(path, newline="") as f:
        rows = csv.reader(f)
        header = next(rows)
        assert header == ["neuron", "time_ms"], header
        for neuron, t in rows:
            trains[int(neuron)].append(int(round(float(t) / dt_ms)))
    return [sorted(t) for t in trains]


def run_case(hebllm: str, work: str, backend: str, threads: int | None, case: dict, seed: int,
             perturb: dict, variant: str | None, totals: dict) -> bool:
    rng = np.random.default_rng([seed, CASES.index(case)])
    trains, synapses = make_network(rng, case)
    cfg = write_case(work, case, trains, synapses)
    spikes_csv = os.path.join(work, "spikes.csv")
    state = os.path.join(work, "state.heb")
    cmd = [hebllm, "simulate", "--config", cfg, "--backend", backend, "--record", spikes_csv,
           "--save", state]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        print(" ".join(cmd))
        print(proc.stdout)
        print(f"FAIL {case['name']}: hebllm simulate exited with {proc.returncode}")
        return False

    dt = case["dt_ms"]
    spikes = read_spikes_csv(spikes_csv, dt)
    if spikes != trains:
        bad = [i for i in range(N) if spikes[i] != trains[i]]
        print(f"FAIL {case['name']}: recorded spikes differ from the forced input spikes on "
              f"neurons {bad}")
        return False

    import read_checkpoint as rc
    ck = rc.load(state)
    syn = ck.synapses
    got = {}   # (pre, post, delay) -> (weight magnitude, plasticity class)
    for a, b, d, w, p in zip(syn["pre"].tolist(), syn["post"].tolist(), syn["delay"].tolist(),
                             syn["weight"].tolist(), syn["plastic"].tolist()):
        if (w < 0) != (N_EXC <= a < N_LIF) and w != 0:
            print(f"FAIL {case['name']}: synapse {a}->{b} has weight {w!r}: wrong sign for its "
                  "source population")
            return False
        got[(a, b, d)] = (abs(w), p)
    expected_keys = {(a, b, d) for a, b, _, d, _ in synapses}
    if set(got) != expected_keys or len(got) != len(syn["pre"]):
        print(f"FAIL {case['name']}: the checkpoint's synapses are not the synapse list's "
              f"({len(syn['pre'])} stored, {len(expected_keys)} listed)")
        return False
    for a, b, _, d, plastic in synapses:
        if bool(got[(a, b, d)][1]) != plastic:
            print(f"FAIL {case['name']}: synapse {a}->{b} delay {d} plastic flag "
                  f"{got[(a, b, d)][1]}, listed {int(plastic)}")
            return False

    stats = new_stats()
    want = oracle_weights(dict(case, **perturb), spikes, synapses, stats, variant=variant)

    tol = ULP_TOLERANCE * float(np.spacing(np.float32(case["w_max"])))
    diff = {key: abs(w - want[key]) for key, (w, _) in got.items()}
    worst = max(diff, key=diff.get)
    max_diff = diff[worst]
    identical = sum(1 for v in diff.values() if v == 0.0)
    changed = [(p, got[(a, b, d)][0] != as_float32(w0)) for a, b, w0, d, p in synapses]
    moved = sum(1 for p, c in changed if p and c)
    static_moved = sum(1 for p, c in changed if not p and c)

    ok = max_diff <= tol and static_moved == 0
    pairing_gap = None
    if case["pairing"] == "nearest":
        other = oracle_weights(case, spikes, synapses, new_stats(), pairing="all_to_all")
        pairing_gap = max(abs(want[k] - other[k]) for k in want)
        if pairing_gap <= 100 * tol:
            print(f"FAIL {case['name']}: nearest and all-to-all oracles differ by only "
                  f"{pairing_gap:.3g}; the pairing is not exercised")
            ok = False

    for k, v in stats.items():
        totals[k] = totals.get(k, 0) + v
    print(f"{'ok  ' if ok else 'FAIL'} {case['name']:13s} {len(synapses)} synapses "
          f"({moved} plastic moved, {static_moved} static moved), "
          f"{sum(len(t) for t in spikes)} spikes; max |dw| {max_diff:.3g} "
          f"(tolerance {tol:.3g}), {identical}/{len(got)} bit-identical; "
          f"{stats['potentiations']} pot, {stats['depressions']} dep, "
          f"{stats['same_step']} same-step, clipped {stats['clip_min']} at w_min / "
          f"{stats['clip_max']} at w_max"
          + ("" if pairing_gap is None else f"; nearest vs all-to-all oracle {pairing_gap:.3g}"),
          flush=True)
    if not ok:
        a, b, d = worst
        print(f"     worst synapse {a}->{b} delay {d}: hebllm {got[worst][0]!r}, "
              f"oracle {want[worst]!r}")
        print(f"     pre spikes {spikes[a][:12]}{'...' if len(spikes[a]) > 12 else ''}")
        print(f"     post spikes {spikes[b][:12]}{'...' if len(spikes[b]) > 12 else ''}")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("hebllm", help="path to the hebllm binary")
    ap.add_argument("work_dir", help="scratch directory (emptied first)")
    ap.add_argument("backend", help="hebllm backend: reference, cpu, ...")
    ap.add_argument("--threads", type=int, default=None,
                    help="--threads for hebllm (default: 2 for the cpu backend, else not passed)")
    ap.add_argument("--seed", type=int, default=20240612,
                    help="seed of the spike trains and weights")
    ap.add_argument("--perturb", action="append", default=[], metavar="KEY=VALUE",
                    help="change one oracle parameter (not hebllm's): the test must then fail")
    ap.add_argument("--oracle-variant", choices=sorted(VARIANTS), default=None,
                    help="a deliberately wrong reading of the contract in the oracle: "
                         + "; ".join(f"{k}: {v}" for k, v in VARIANTS.items()))
    args = ap.parse_args()

    perturb = {}
    for item in args.perturb:
        key, _, value = item.partition("=")
        if key not in ("tau_plus_ms", "tau_minus_ms", "a_plus", "a_minus", "w_min", "w_max",
                       "learning_rate", "modulation"):
            ap.error(f"--perturb: unknown key '{key}'")
        perturb[key] = float(value)
    hebllm = os.path.abspath(args.hebllm)
    if not (os.path.isfile(hebllm) and os.access(hebllm, os.X_OK)):
        print(f"FAIL: hebllm binary {hebllm} not found or not executable")
        return 1
    sys.path.insert(0, os.path.abspath(TOOLS))
    sys.dont_write_bytecode = True   # keep tools/ free of __pycache__
    threads = args.threads if args.threads is not None else (2 if args.backend == "cpu" else None)

    work = os.path.abspath(args.work_dir)
    if os.path.isdir(work):
        shutil.rmtree(work)
    os.makedirs(work)
    print(f"stdp_oracle: backend {args.backend}"
          + (f", {threads} threads" if threads else "") + f", seed {args.seed}"
          + (f", oracle perturbed: {perturb}" if perturb else "")
          + (f", oracle variant {args.oracle_variant}" if args.oracle_variant else ""), flush=True)
    t0 = time.perf_counter()
    totals, all_ok = {}, True
    for case in CASES:
        ok = run_case(hebllm, os.path.join(work, case["name"]), args.backend, threads, case,
                      args.seed, perturb, args.oracle_variant, totals)
        all_ok &= ok
    # Coverage over all cases: each mechanism the test claims to check must have happened.
    for key in ("potentiations", "depressions", "same_step", "clip_min", "clip_max"):
        if totals.get(key, 0) == 0:
            print(f"FAIL: no {key.replace('_', ' ')} in any case: the test does not cover it")
            all_ok = False
    print(f"{'PASS' if all_ok else 'FAIL'} ({time.perf_counter() - t0:.1f} s)")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
