#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""An independent numpy re-simulation of the validation network, written from the contract in
docs/validation.md (not from hebllm's sources): a third oracle next to Brian2 and hebllm.

Per step n (t = n*dt), for every LIF neuron:
  1. not_refractory = (n - last_spike) >= R, R = round(refractory/dt); a refractory neuron keeps v.
     Otherwise v <- v_inf + (v - v_inf) e^{-dt/tau_m} + R_m I k, v_inf = v_rest + R_m*bias,
     k = tau_s/(tau_m - tau_s) (e^{-dt/tau_m} - e^{-dt/tau_s})  (exact solution, tau_s > 0).
     I <- I e^{-dt/tau_s} for every neuron (also refractory ones).
  2. spike if not_refractory and v > v_threshold (strict); spike sources spike at their input steps.
  3. deliver the input due now (summed in 2^-32 fixed point): tau_s > 0: I += sum; tau_s = 0:
     v += sum unless the neuron is refractory or spiked in this step.
  4. reset spikers: v <- v_reset, last_spike <- n.
  5. each spike (sources included) adds w to the input due at step n + delay.
Writes `neuron,time_ms` for the LIF neurons, sorted by time then neuron.
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np

import netfiles

FIXED_ONE = 2.0 ** 32


def simulate(net: netfiles.Network, n_steps: int | None = None, trace: list[int] | None = None,
             trace_window: tuple[int, int] | None = None):
    """Returns (neuron, step) of every LIF spike and, if asked, {neuron: [(step, v, I), ...]}."""
    n = net.n_neurons
    n_steps = net.n_steps if n_steps is None else n_steps
    dt = net.dt_ms

    lif = np.zeros(n, bool)
    v = np.zeros(n)
    i_syn = np.zeros(n)
    v_inf = np.zeros(n)
    v_reset = np.zeros(n)
    v_th = np.full(n, np.inf)
    e_m = np.ones(n)
    e_s = np.zeros(n)
    k_syn = np.zeros(n)
    r_m = np.ones(n)
    inst = np.zeros(n, bool)
    ref_steps = np.zeros(n, np.int64)
    for p in net.lif_populations():
        s = slice(p.offset, p.stop)
        lif[s] = True
        v[s] = p.v_init
        v_inf[s] = p.v_rest + p.resistance * p.bias_current
        v_reset[s] = p.v_reset
        v_th[s] = p.v_threshold
        r_m[s] = p.resistance
        e_m[s] = math.exp(-dt / p.tau_m_ms)
        ref_steps[s] = int(round(p.refractory_ms / dt))
        if p.tau_syn_ms > 0:
            e_s[s] = math.exp(-dt / p.tau_syn_ms)
            if p.tau_syn_ms == p.tau_m_ms:
                k_syn[s] = dt / p.tau_m_ms * e_m[s]
            else:
                k_syn[s] = p.tau_syn_ms / (p.tau_m_ms - p.tau_syn_ms) * (e_m[s] - e_s[s])
        else:
            inst[s] = True
    exp_syn = lif & ~inst
    last = np.full(n, -(10 ** 9), np.int64)

    # Synapses in CSR by source; weights in fixed point.
    order = np.argsort(net.pre, kind="stable")
    syn_post = net.post[order]
    syn_delay = net.delay_steps[order]
    syn_wq = np.rint(net.weight[order] * FIXED_ONE).astype(np.int64)
    if np.any(syn_wq.astype(np.float64) != net.weight[order] * FIXED_ONE):
        raise ValueError("weights are not exact in 2^-32 fixed point")
    row_start = np.searchsorted(net.pre[order], np.arange(n + 1))
    ring_len = int(syn_delay.max()) + 1 if syn_delay.size else 1
    ring = np.zeros((ring_len, n), np.int64)

    # Forced spikes of the sources, by step.
    forced_order = np.argsort(net.input_step, kind="stable")
    f_step = net.input_step[forced_order]
    f_neuron = net.input_neuron[forced_order]
    f_bounds = np.searchsorted(f_step, np.arange(n_steps + 1))

    out_neuron, out_step = [], []
    traces = {g: [] for g in (trace or [])}
    for step in range(n_steps):
        not_ref = lif & ((step - last) >= ref_steps)
        # 1. integrate
        v = np.where(not_ref, v_inf + (v - v_inf) * e_m + r_m * i_syn * k_syn, v)
        i_syn = i_syn * e_s
        # 2. threshold; forced spikes of the sources
        spk = not_ref & (v > v_th)
        forced = f_neuron[f_bounds[step]:f_bounds[step + 1]]
        # 3. deliver the input due now
        slot = step % ring_len
        q = ring[slot]
        if q.any():
            inp = q.astype(np.float64) / FIXED_ONE
            i_syn = np.where(exp_syn, i_syn + inp, i_syn)
            v = np.where(inst & not_ref & ~spk, v + inp, v)
            ring[slot] = 0
        # 4. reset
        spikers = np.nonzero(spk)[0]
        v[spikers] = v_reset[spikers]
        last[spikers] = step
        if traces and (trace_window is None or trace_window[0] <= step < trace_window[1]):
            for g in traces:
                traces[g].append((step, float(v[g]), float(i_syn[g]), bool(spk[g])))
        # 5. propagate
        all_spikes = np.concatenate([forced, spikers])
        if all_spikes.size:
            idx = np.concatenate([np.arange(row_start[g], row_start[g + 1]) for g in all_spikes])
            if idx.size:
                np.add.at(ring, ((step + syn_delay[idx]) % ring_len, syn_post[idx]), syn_wq[idx])
        if spikers.size:
            out_neuron.append(spikers)
            out_step.append(np.full(spikers.size, step, np.int64))
    neuron = np.concatenate(out_neuron) if out_neuron else np.zeros(0, np.int64)
    steps = np.concatenate(out_step) if out_step else np.zeros(0, np.int64)
    return neuron, steps, traces


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True, help="network.toml")
    ap.add_argument("--record", required=True, help="spike CSV to write")
    ap.add_argument("--trace", type=int, nargs="*", default=[], help="global ids to print v and I of")
    ap.add_argument("--trace-steps", type=int, nargs=2, metavar=("FIRST", "STOP"),
                    help="only trace steps FIRST <= step < STOP")
    args = ap.parse_args()
    net = netfiles.load_network(args.config)
    t0 = time.perf_counter()
    neuron, steps, traces = simulate(net, trace=args.trace,
                                     trace_window=tuple(args.trace_steps) if args.trace_steps else None)
    netfiles.write_spikes(args.record, neuron, steps, net.dt_ms)
    n_lif = sum(p.size for p in net.lif_populations())
    rate = neuron.size / n_lif / (net.duration_ms * 1e-3) if n_lif else 0.0
    print(f"numpy_reference: {neuron.size} spikes of {n_lif} LIF neurons in {net.duration_ms} ms "
          f"(mean {rate:.2f} Hz), {time.perf_counter() - t0:.1f} s -> {args.record}")
    for g, rows in traces.items():
        print(f"trace of neuron {g}: step, t_ms, v, I, spiked")
        for step, vv, ii, s in rows:
            print(f"  {step} {netfiles.format_time(step, net.dt_ms)} {vv!r} {ii!r} {int(s)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
