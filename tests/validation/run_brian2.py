#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run the validation network (network.toml + CSVs, the files hebllm reads) in Brian2.

Model, per LIF population (dimensionless v and I, time in ms; docs/validation.md):
    dv/dt = (-(v - v_rest) + R*(I + bias))/tau_m : 1 (unless refractory)
    dI/dt = -I/tau_syn                            : 1
    threshold 'v > v_threshold', reset 'v = v_reset', refractory = refractory_ms, method 'exact'
    on_pre: 'I_post += w'   (tau_syn = 0: no I; on_pre 'v_post += w*int(not_refractory_post)')
Spike sources are SpikeGeneratorGroups; one Synapses object per (source, target) population pair,
with per-synapse delays. Brian2's default schedule (groups, thresholds, synapses, resets) is the
step order hebllm implements. Writes `neuron,time_ms` (global ids of the LIF neurons, sorted by
time then neuron, times as the shortest decimal of step*dt).

Use Debian's /usr/bin/python3 with python3-brian (Brian2 2.5.1).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np

import netfiles


def build_and_run(net: netfiles.Network, target: str, work_dir: str, duration_ms: float | None):
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    import brian2 as b2

    b2.prefs.logging.file_log = False
    b2.prefs.logging.std_redirection = False
    if target == "cpp_standalone":
        b2.set_device("cpp_standalone", directory=os.path.join(work_dir, "brian2_standalone"),
                      build_on_run=False)
    else:
        b2.prefs.codegen.target = target
        if target == "cython":
            b2.prefs.codegen.runtime.cython.cache_dir = os.path.join(work_dir, "brian2_cython_cache")
    b2.start_scope()
    b2.defaultclock.dt = net.dt_ms * b2.ms
    ms = b2.ms

    groups, monitors = {}, []
    for p in net.populations:
        if not p.is_lif:
            sel = (net.input_neuron >= p.offset) & (net.input_neuron < p.stop)
            idx = net.input_neuron[sel] - p.offset
            # Exact multiples of dt (Brian2 maps a time to a step with timestep(), a floor with a
            # 1e-3*dt margin, so step*dt lands on `step`).
            times = net.input_step[sel] * net.dt_ms
            groups[p.name] = b2.SpikeGeneratorGroup(p.size, idx, times * ms, name=f"src_{p.name}")
            continue
        ns = {
            "v_rest": p.v_rest, "v_reset": p.v_reset, "v_threshold": p.v_threshold,
            "R": p.resistance, "tau_m": p.tau_m_ms * ms, "bias": p.bias_current,
        }
        drive = "R*(I + bias)" if p.bias_current != 0.0 else "R*I"
        if p.tau_syn_ms > 0:
            ns["tau_syn"] = p.tau_syn_ms * ms
            eqs = (f"dv/dt = (-(v - v_rest) + {drive})/tau_m : 1 (unless refractory)\n"
                   "dI/dt = -I/tau_syn : 1\n")
        else:
            extra = " + R*bias" if p.bias_current != 0.0 else ""
            eqs = f"dv/dt = (-(v - v_rest){extra})/tau_m : 1 (unless refractory)\n"
        g = b2.NeuronGroup(p.size, eqs, threshold="v > v_threshold", reset="v = v_reset",
                           refractory=p.refractory_ms * ms, method="exact", namespace=ns,
                           name=f"lif_{p.name}")
        g.v = p.v_init
        groups[p.name] = g
        monitors.append((p, b2.SpikeMonitor(g, name=f"spikes_{p.name}")))

    synapses = []
    for src in net.populations:
        for tgt in net.lif_populations():
            sel = ((net.pre >= src.offset) & (net.pre < src.stop) &
                   (net.post >= tgt.offset) & (net.post < tgt.stop))
            if not np.any(sel):
                continue
            on_pre = "I_post += w" if tgt.tau_syn_ms > 0 else "v_post += w*int(not_refractory_post)"
            s = b2.Synapses(groups[src.name], groups[tgt.name], "w : 1", on_pre=on_pre,
                            name=f"syn_{src.name}_{tgt.name}")
            s.connect(i=net.pre[sel] - src.offset, j=net.post[sel] - tgt.offset)
            s.w = net.weight[sel]
            s.delay = net.delay_steps[sel] * net.dt_ms * ms
            synapses.append(s)

    objects = list(groups.values()) + [m for _, m in monitors] + synapses
    network = b2.Network(objects)
    run_ms = net.duration_ms if duration_ms is None else duration_ms
    t0 = time.perf_counter()
    network.run(run_ms * ms)
    if target == "cpp_standalone":
        b2.device.build(directory=os.path.join(work_dir, "brian2_standalone"), compile=True, run=True,
                        debug=False)
    elapsed = time.perf_counter() - t0

    neuron, step = [], []
    for p, m in monitors:
        i = np.asarray(m.i[:], dtype=np.int64) + p.offset
        t = np.asarray(m.t[:] / ms, dtype=np.float64)
        neuron.append(i)
        step.append(np.rint(t / net.dt_ms).astype(np.int64))
    neuron = np.concatenate(neuron) if neuron else np.zeros(0, np.int64)
    step = np.concatenate(step) if step else np.zeros(0, np.int64)
    return neuron, step, elapsed, b2.__version__


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True, help="network.toml (hebllm's schema)")
    ap.add_argument("--record", required=True, help="spike CSV to write (brian2_spikes.csv)")
    ap.add_argument("--target", default="numpy", choices=["numpy", "cython", "cpp_standalone"],
                    help="Brian2 code generation target (default numpy: no compiler involved)")
    ap.add_argument("--work-dir", default=None,
                    help="where Brian2 may write build/cache files (default: next to --record)")
    ap.add_argument("--duration-ms", type=float, default=None, help="override duration_ms")
    args = ap.parse_args()

    net = netfiles.load_network(args.config)
    work_dir = args.work_dir or os.path.dirname(os.path.abspath(args.record))
    neuron, step, elapsed, version = build_and_run(net, args.target, work_dir, args.duration_ms)
    netfiles.write_spikes(args.record, neuron, step, net.dt_ms)
    n_lif = sum(p.size for p in net.lif_populations())
    dur = net.duration_ms if args.duration_ms is None else args.duration_ms
    rate = neuron.size / n_lif / (dur * 1e-3) if n_lif else 0.0
    print(f"run_brian2: Brian2 {version}, target {args.target}, method exact, dt {net.dt_ms} ms: "
          f"{neuron.size} spikes of {n_lif} LIF neurons in {dur} ms (mean {rate:.2f} Hz), "
          f"simulated in {elapsed:.1f} s -> {args.record}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
