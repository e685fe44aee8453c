#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Compare two `neuron,time_ms` spike recordings of the validation network (docs/validation.md).

Pass criteria (A = the simulator under test, e.g. hebllm; B = the reference, e.g. Brian2):
  1. identical spike trains for t < --exact-ms (default 200 ms): the sets of (neuron, step) agree;
  2. over the whole run (--duration-ms, default the config's duration_ms = 1 s), per LIF neuron
     |n_A - n_B| <= max(1, floor(0.02 * max(n_A, n_B)))   (2 %, at least one spike of slack), and
     in total sum_i |n_A,i - n_B,i| <= 0.02 * sum_i n_B,i  (2 % of all reference spikes);
  3. the reference is not silent: mean rate >= --min-rate-hz (default 1 Hz) and at least one spike
     in the exact window, so that "identical" means something.
Prints a report (first divergence, counts, rates) and exits 1 on failure, 0 on success.
"""

from __future__ import annotations

import argparse
import math
import sys

import numpy as np

import netfiles


def first_divergence(a: set, b: set):
    only_a = a - b
    only_b = b - a
    if not only_a and not only_b:
        return None
    step = min(s for _, s in only_a | only_b)
    return (step, sorted(n for n, s in only_a if s == step), sorted(n for n, s in only_b if s == step),
            len(only_a), len(only_b))


def compare(net: netfiles.Network, a_path: str, b_path: str, name_a: str, name_b: str,
            exact_ms: float, duration_ms: float, rel_tol: float, min_rate_hz: float,
            quiet: bool = False) -> bool:
    dt = net.dt_ms
    say = (lambda *x: None) if quiet else print
    na, sa = netfiles.read_spikes(a_path, dt)
    nb, sb = netfiles.read_spikes(b_path, dt)
    lif_ids = np.concatenate([np.arange(p.offset, p.stop) for p in net.lif_populations()])
    n_lif = lif_ids.size
    n_steps = netfiles.steps_of(duration_ms, dt)
    exact_steps = netfiles.steps_of(exact_ms, dt)
    ok = True
    say(f"compare: {name_a} = {a_path}")
    say(f"         {name_b} = {b_path}")
    say(f"         {n_lif} LIF neurons, dt {dt} ms, exact window [0, {exact_ms}) ms = {exact_steps} "
        f"steps, counts over [0, {duration_ms}) ms")

    # Spikes of spike sources (hebllm records them too) are not compared between the simulators:
    # where a file has any, they must be exactly the input spikes of the config.
    lif_mask_a, lif_mask_b = np.isin(na, lif_ids), np.isin(nb, lif_ids)
    for name, n, s, path, mask in ((name_a, na, sa, a_path, lif_mask_a), (name_b, nb, sb, b_path, lif_mask_b)):
        if np.any(n < 0) or np.any(n >= net.n_neurons):
            say(f"FAIL: {path}: neuron id out of range [0, {net.n_neurons})")
            ok = False
        keys = s * (net.n_neurons + 1) + n
        if np.unique(keys).size != keys.size:
            say(f"FAIL: {path}: a neuron spikes twice in one step")
            ok = False
        if np.any(~mask):
            got = set(zip(n[~mask].tolist(), s[~mask].tolist()))
            want = set(zip(net.input_neuron.tolist(), net.input_step.tolist()))
            want = {(g, t) for g, t in want if t < n_steps}
            got = {(g, t) for g, t in got if t < n_steps}
            if got == want:
                say(f"  {name}: its {len(got)} spike-source spikes are exactly the input spikes")
            else:
                d = first_divergence(got, want)
                say(f"FAIL: {path}: spike-source spikes differ from input_spikes.csv: first at step {d[0]}, "
                    f"recorded only: {d[1]}, input only: {d[2]} ({d[3]} + {d[4]} differences)")
                ok = False
        if np.any(s < 0) or np.any(s >= n_steps):
            say(f"note: {name} has spikes outside [0, {duration_ms}) ms; they are ignored")
    in_a = lif_mask_a & (sa >= 0) & (sa < n_steps)
    in_b = lif_mask_b & (sb >= 0) & (sb < n_steps)
    na, sa, nb, sb = na[in_a], sa[in_a], nb[in_b], sb[in_b]

    # 1. identical spike trains in the exact window, and over the whole run (reported).
    set_a = set(zip(na[sa < exact_steps].tolist(), sa[sa < exact_steps].tolist()))
    set_b = set(zip(nb[sb < exact_steps].tolist(), sb[sb < exact_steps].tolist()))
    div = first_divergence(set_a, set_b)
    if div is None:
        say(f"  [0, {exact_ms}) ms: IDENTICAL ({len(set_a)} spikes)")
    else:
        step, only_a, only_b, count_a, count_b = div
        say(f"  [0, {exact_ms}) ms: DIFFERENT: {len(set_a)} vs {len(set_b)} spikes, {count_a} only in "
            f"{name_a}, {count_b} only in {name_b}")
        say(f"    first divergence at step {step} (t = {netfiles.format_time(step, dt)} ms): "
            f"only in {name_a}: {only_a}, only in {name_b}: {only_b}")
        ok = False
    if len(set_b) == 0:
        say(f"FAIL: {name_b} has no spike in [0, {exact_ms}) ms: the comparison would be vacuous")
        ok = False

    full_a = set(zip(na.tolist(), sa.tolist()))
    full_b = set(zip(nb.tolist(), sb.tolist()))
    div_full = first_divergence(full_a, full_b)
    if div_full is None:
        say(f"  [0, {duration_ms}) ms: identical spike trains ({len(full_a)} spikes)")
    else:
        step, only_a, only_b, count_a, count_b = div_full
        say(f"  [0, {duration_ms}) ms: spike trains first differ at step {step} "
            f"(t = {netfiles.format_time(step, dt)} ms; only in {name_a}: {only_a}, only in {name_b}: "
            f"{only_b}); {count_a} spikes only in {name_a}, {count_b} only in {name_b} (informational)")

    # 2. per-neuron counts over the whole run.
    ca = np.array([np.count_nonzero(na == g) for g in lif_ids])
    cb = np.array([np.count_nonzero(nb == g) for g in lif_ids])
    diff = np.abs(ca - cb)
    tol = np.maximum(1, np.floor(rel_tol * np.maximum(ca, cb))).astype(np.int64)
    bad = np.nonzero(diff > tol)[0]
    total_abs = int(diff.sum())
    total_tol = rel_tol * cb.sum()
    secs = duration_ms * 1e-3
    for p in net.lif_populations():
        sel = (lif_ids >= p.offset) & (lif_ids < p.stop)
        say(f"  population {p.name:>8}: {name_a} {ca[sel].sum():6d} spikes ({ca[sel].sum() / p.size / secs:6.2f} Hz)"
            f"   {name_b} {cb[sel].sum():6d} spikes ({cb[sel].sum() / p.size / secs:6.2f} Hz)"
            f"   silent in {name_b}: {int(np.count_nonzero(cb[sel] == 0))}")
    say(f"  per-neuron counts: {int(np.count_nonzero(diff == 0))}/{n_lif} equal, max |diff| "
        f"{int(diff.max()) if diff.size else 0}, sum |diff| {total_abs} (allowed {total_tol:.1f} = "
        f"{100 * rel_tol:g} % of {int(cb.sum())})")
    if bad.size:
        ok = False
        say(f"  FAIL: {bad.size} neurons outside max(1, floor({rel_tol:g} * max(nA, nB))):")
        for k in bad[:20]:
            say(f"    neuron {lif_ids[k]}: {name_a} {ca[k]}, {name_b} {cb[k]} (allowed {tol[k]})")
    if total_abs > total_tol:
        ok = False
        say(f"  FAIL: total count mismatch {total_abs} > {total_tol:.1f}")

    # 3. the reference must fire.
    rate_b = cb.sum() / n_lif / secs if n_lif else 0.0
    if rate_b < min_rate_hz:
        say(f"  FAIL: {name_b} mean rate {rate_b:.2f} Hz < {min_rate_hz} Hz: the network is too quiet to "
            "validate anything")
        ok = False

    say(f"compare: {'PASS' if ok else 'FAIL'} ({name_a} vs {name_b})")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True, help="network.toml (dt, duration, population layout)")
    ap.add_argument("a", help="spike CSV under test (e.g. hebllm_spikes.csv)")
    ap.add_argument("b", help="reference spike CSV (e.g. brian2_spikes.csv)")
    ap.add_argument("--name-a", default="hebllm")
    ap.add_argument("--name-b", default="brian2")
    ap.add_argument("--exact-ms", type=float, default=200.0)
    ap.add_argument("--duration-ms", type=float, default=None)
    ap.add_argument("--rel-tol", type=float, default=0.02)
    ap.add_argument("--min-rate-hz", type=float, default=1.0)
    args = ap.parse_args()
    net = netfiles.load_network(args.config)
    duration = net.duration_ms if args.duration_ms is None else args.duration_ms
    if not math.isfinite(duration) or duration <= 0:
        print("compare: bad duration")
        return 2
    ok = compare(net, args.a, args.b, args.name_a, args.name_b, args.exact_ms, duration,
                 args.rel_tol, args.min_rate_hz)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
