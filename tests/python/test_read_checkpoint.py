#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tools/read_checkpoint.py against hebllm itself: a checkpoint written by `hebllm simulate
--save` is read with numpy only; its spikes must equal the run's --record CSV, its synapses
what hebllm reports (checkpoint_driver synapses), and damaged copies must be refused.

usage: test_read_checkpoint.py HEBLLM_CLI CHECKPOINT_DRIVER TOOLS_DIR WORK_DIR
Exit 77 (ctest: skipped) when numpy is missing.
"""

import os
import subprocess
import sys

try:
    import numpy as np
except ImportError:
    print("SKIPPED: numpy is not installed (Debian: python3-numpy)")
    sys.exit(77)


def main(cli, driver, tools, work):
    sys.path.insert(0, tools)
    import read_checkpoint as rc

    os.makedirs(work, exist_ok=True)
    ckpt = os.path.join(work, "small.heb")
    spikes_csv = os.path.join(work, "small.csv")
    subprocess.run([cli, "simulate", "--sensory", "30", "--associative", "120", "--inhibitory",
                    "30", "--output", "20", "--density", "0.2", "-d", "60", "-b", "reference",
                    "--save", ckpt, "--record", spikes_csv], check=True, stdout=subprocess.DEVNULL)
    ck = rc.load(ckpt)
    assert ck.step == 60, ck.step
    assert len(ck.neurons["v"]) == 200

    # Spikes: the CSV has neuron,time_ms sorted by time then neuron; the checkpoint keeps them
    # in step order with neurons sorted within a step.
    rows = np.loadtxt(spikes_csv, delimiter=",", skiprows=1, ndmin=2)
    assert len(rows) == len(ck.spikes["neuron"]) > 0, (len(rows), len(ck.spikes["neuron"]))
    assert np.array_equal(rows[:, 0].astype(np.uint32), ck.spikes["neuron"])
    assert np.allclose(rows[:, 1], ck.spikes["step"] * ck.dt_ms)

    # Synapses: what the engine reports after loading the checkpoint, bit for bit.
    listing = os.path.join(work, "synapses.csv")
    subprocess.run([driver, "synapses", "-", "reference", "1", "0", ckpt, listing], check=True)
    want = np.loadtxt(listing, delimiter=",", skiprows=1, ndmin=2, dtype=np.float64)
    want[:, 3] = want[:, 3].astype(np.float32)  # %.9g reads back to the same float32
    s = ck.synapses
    got = np.stack([s["pre"], s["post"], s["delay"], s["weight"]], axis=1).astype(np.float64)
    order_w = np.lexsort((want[:, 3], want[:, 2], want[:, 1], want[:, 0]))
    order_g = np.lexsort((got[:, 3], got[:, 2], got[:, 1], got[:, 0]))
    assert want.shape == got.shape, (want.shape, got.shape)
    assert np.array_equal(want[order_w], got[order_g]), "synapses differ"
    assert (s["delay"] >= 1).all()

    # Damage: a flipped payload byte and a truncation are refused.
    data = bytearray(open(ckpt, "rb").read())
    bad = os.path.join(work, "bad.heb")
    for damaged, what in ((data[:-10], "truncated"), (data[:4000] + bytes([data[4000] ^ 1]) +
                                                     data[4001:], "checksum")):
        open(bad, "wb").write(damaged)
        try:
            rc.load(bad)
        except rc.CheckpointError as e:
            assert what in str(e), str(e)
        else:
            raise AssertionError(f"damaged file ({what}) was accepted")
    print("read_checkpoint.py: ok,", len(s["pre"]), "synapses,", len(rows), "spikes")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
