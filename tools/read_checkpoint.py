#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Read a hebllm checkpoint (docs/formats.md "Checkpoints") into numpy arrays.

Needs numpy only (Debian: python3-numpy).

    import read_checkpoint as rc
    ck = rc.load("model.heb")
    ck.synapses["pre"], ck.synapses["post"], ck.synapses["delay"], ck.synapses["weight"]
    ck.neurons["v"], ck.neurons["threshold"], ...      # one entry per neuron
    ck.spikes["neuron"], ck.spikes["step"]             # recorded spikes (empty if not kept)
    ck.step, ck.dt_ms, ck.spec_toml, ck.extra["name"]  # extra: bytes stored by the caller

Every checksum is verified (xxh64 is re-implemented below in pure Python); a damaged file
raises CheckpointError naming the problem.

From the command line, `read_checkpoint.py FILE` prints a summary.
"""

import struct
import sys

import numpy as np

MAGIC = b"HEBLLMCK"
VERSION = 1
ENDIAN_MARKER = 0x0A0B0C0D
HEADER_SIZE = 32
NAME_SIZE = 48
SECTION_HEADER_SIZE = NAME_SIZE + 24


class CheckpointError(Exception):
    pass


# ---- xxh64 (the reference algorithm, for checksums of header-sized inputs and payloads) ------

_P1 = 11400714785074694791
_P2 = 14029467366897019727
_P3 = 1609587929392839161
_P4 = 9650029242287828579
_P5 = 2870177450012600261
_M = (1 << 64) - 1


def _rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & _M


def _round(acc, lane):
    acc = (acc + lane * _P2) & _M
    return (_rotl(acc, 31) * _P1) & _M


def _merge(acc, val):
    acc ^= _round(0, val)
    return (acc * _P1 + _P4) & _M


def _xxh64_numpy_stripes(data, n_stripes):
    """The four accumulators over n_stripes 32-byte stripes, vectorised over stripes where
    possible: the accumulators are sequential, so this loops in Python over stripes but reads
    lanes with numpy (fast enough for checkpoints of a few hundred MB is not a goal here)."""
    lanes = np.frombuffer(data, dtype="<u8", count=n_stripes * 4).reshape(n_stripes, 4)
    acc = [(_P1 + _P2) & _M, _P2, 0, (-_P1) & _M]
    for row in lanes.tolist():
        acc[0] = _round(acc[0], row[0])
        acc[1] = _round(acc[1], row[1])
        acc[2] = _round(acc[2], row[2])
        acc[3] = _round(acc[3], row[3])
    return acc


def xxh64(data, seed=0):
    data = bytes(data)
    n = len(data)
    p = 0
    if n >= 32:
        stripes = n // 32
        if seed == 0:
            v1, v2, v3, v4 = _xxh64_numpy_stripes(data, stripes)
        else:  # not used by the format
            raise ValueError("only seed 0 is implemented")
        p = stripes * 32
        h = (_rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18)) & _M
        h = _merge(h, v1)
        h = _merge(h, v2)
        h = _merge(h, v3)
        h = _merge(h, v4)
    else:
        h = (seed + _P5) & _M
    h = (h + n) & _M
    while p + 8 <= n:
        (k,) = struct.unpack_from("<Q", data, p)
        h ^= _round(0, k)
        h = (_rotl(h, 27) * _P1 + _P4) & _M
        p += 8
    if p + 4 <= n:
        (k,) = struct.unpack_from("<I", data, p)
        h ^= (k * _P1) & _M
        h = (_rotl(h, 23) * _P2 + _P3) & _M
        p += 4
    while p < n:
        h ^= (data[p] * _P5) & _M
        h = (_rotl(h, 11) * _P1) & _M
        p += 1
    h ^= h >> 33
    h = (h * _P2) & _M
    h ^= h >> 29
    h = (h * _P3) & _M
    h ^= h >> 32
    return h


# ---- the file ------------------------------------------------------------------------------

ARRAYS = {
    "synapses.row_begin": "<u8",
    "synapses.segment_begin": "<u4",
    "synapses.segment_end": "<u8",
    "synapses.segment_delay": "u1",
    "synapses.segment_plastic": "u1",
    "synapses.target": "<u4",
    "synapses.weight": "<f4",
    "synapses.negative": "u1",
    "synapses.stdp_scale": "<f8",
    "neurons.v": "<f8",
    "neurons.i_syn": "<f8",
    "neurons.threshold": "<f8",
    "neurons.theta": "<f8",
    "neurons.rate_hz": "<f8",
    "neurons.pre_after": "<f8",
    "neurons.pre_before": "<f8",
    "neurons.post_after": "<f8",
    "neurons.pre_spikes": "<f8",
    "neurons.last_spike": "<i8",
    "neurons.prev_spike": "<i8",
    "neurons.refractory": "<i4",
    "pending": "<i8",
    "inputs.spike_step": "<i8",
    "inputs.spike_neuron": "<u4",
    "neuromodulation.history_begin": "<u8",
    "neuromodulation.history_ids": "<u4",
    "consolidation.replay_begin": "<u8",
    "consolidation.replay_ids": "<u4",
    "consolidation.replay_step": "<i8",
    "recording.population_counts": "<u8",
    "recording.spike_neuron": "<u4",
    "recording.spike_step": "<i8",
}

SCALARS = [
    ("step", "q"), ("neurons", "I"), ("max_delay", "I"), ("history_next", "Q"),
    ("history_size", "Q"), ("surprise", "d"), ("reward", "d"), ("external_m", "d"),
    ("modulation", "d"), ("last_consolidation_step", "q"), ("spikes_since_consolidation", "Q"),
    ("consolidations", "Q"), ("stats_steps", "q"), ("stats_spikes", "Q"),
    ("stats_synaptic_events", "Q"), ("stats_plasticity_updates", "Q"),
    ("stats_forced_spikes_dropped", "Q"), ("stats_wall_s", "d"), ("has_recorded_spikes", "B"),
]
SCALARS_FORMAT = "<" + "".join(f for _, f in SCALARS)


class Checkpoint:
    pass


def read_sections(data, name="checkpoint", verify=True):
    """[(name, memoryview payload)] after checking header, lengths and checksums."""
    mv = memoryview(data)
    if len(data) < HEADER_SIZE:
        raise CheckpointError(f"{name}: truncated: {len(data)} bytes, shorter than the header")
    if bytes(mv[:8]) != MAGIC:
        raise CheckpointError(f"{name}: not a hebllm checkpoint (magic missing)")
    version, marker, count, _reserved, header_hash = struct.unpack_from("<IIIIQ", data, 8)
    if marker == 0x0D0C0B0A:
        raise CheckpointError(f"{name}: wrong endianness (written big-endian)")
    if marker != ENDIAN_MARKER:
        raise CheckpointError(f"{name}: corrupted header: bad endianness marker")
    if verify and header_hash != xxh64(mv[:24]):
        raise CheckpointError(f"{name}: corrupted header: checksum mismatch")
    if version != VERSION:
        raise CheckpointError(f"{name}: unsupported checkpoint format version {version}")
    pos = HEADER_SIZE
    out = []
    for k in range(count):
        if len(data) - pos < SECTION_HEADER_SIZE:
            raise CheckpointError(f"{name}: truncated in the header of section {k + 1}")
        raw_name = bytes(mv[pos:pos + NAME_SIZE])
        length, payload_hash, sec_hash = struct.unpack_from("<QQQ", data, pos + NAME_SIZE)
        if verify and sec_hash != xxh64(mv[pos:pos + NAME_SIZE + 16]):
            raise CheckpointError(f"{name}: corrupted: checksum mismatch in section header {k + 1}")
        sec_name = raw_name.split(b"\0", 1)[0].decode("ascii", "replace")
        pos += SECTION_HEADER_SIZE
        if length > len(data) - pos:
            raise CheckpointError(f"{name}: truncated: section '{sec_name}' declares {length} bytes")
        payload = mv[pos:pos + length]
        if verify and payload_hash != xxh64(payload):
            raise CheckpointError(f"{name}: corrupted: checksum mismatch in section '{sec_name}'")
        out.append((sec_name, payload))
        pos += length
    if pos != len(data):
        raise CheckpointError(f"{name}: {len(data) - pos} unexpected bytes after the last section")
    return out


def load(path, verify=True):
    with open(path, "rb") as f:
        data = f.read()
    sections = dict(read_sections(data, str(path), verify))
    ck = Checkpoint()
    ck.spec_toml = bytes(sections["spec.toml"]).decode("utf-8")
    values = struct.unpack(SCALARS_FORMAT, bytes(sections["engine.scalars"]))
    ck.scalars = dict(zip((n for n, _ in SCALARS), values))
    ck.step = ck.scalars["step"]
    ck.dt_ms = 1.0
    for line in ck.spec_toml.splitlines():
        if line.startswith("dt_ms = "):
            ck.dt_ms = float(line.split("=", 1)[1])
            break
    arrays = {}
    for sec, dtype in ARRAYS.items():
        if sec in sections:
            arrays[sec] = np.frombuffer(sections[sec], dtype=dtype)
    ck.arrays = arrays

    row_begin = arrays["synapses.row_begin"].astype(np.int64)
    seg_end = arrays["synapses.segment_end"].astype(np.int64)
    n = len(row_begin) - 1
    pre = np.repeat(np.arange(n, dtype=np.uint32), np.diff(row_begin))
    # Segments are stored in row order and rows are contiguous, so a segment starts where the
    # one before it ends (rows without segments are empty).
    seg_start = np.concatenate(([0], seg_end[:-1])).astype(np.int64)
    seg_len = seg_end - seg_start
    delay = np.repeat(arrays["synapses.segment_delay"], seg_len).astype(np.uint32)
    plastic = np.repeat(arrays["synapses.segment_plastic"], seg_len)
    sign = np.where(arrays["synapses.negative"][pre] != 0, -1.0, 1.0).astype(np.float32)
    ck.synapses = {
        "pre": pre,
        "post": arrays["synapses.target"],
        "delay": delay,  # steps
        "weight": sign * arrays["synapses.weight"],  # signed, as engine::synapses()
        "plastic": plastic,  # 0 static, c >= 1 plasticity class
    }
    ck.neurons = {k.split(".", 1)[1]: v for k, v in arrays.items() if k.startswith("neurons.")}
    ck.spikes = {
        "neuron": arrays.get("recording.spike_neuron", np.zeros(0, np.uint32)),
        "step": arrays.get("recording.spike_step", np.zeros(0, np.int64)),
    }
    ck.extra = {k[len("extra/"):]: bytes(v) for k, v in sections.items() if k.startswith("extra/")}
    return ck


def main(argv):
    if len(argv) != 2:
        print("usage: read_checkpoint.py FILE", file=sys.stderr)
        return 2
    try:
        ck = load(argv[1])
    except (CheckpointError, OSError, KeyError, struct.error) as e:
        print(f"read_checkpoint: error: {e}", file=sys.stderr)
        return 2
    s = ck.synapses
    print(f"step              {ck.step} (dt {ck.dt_ms} ms)")
    print(f"neurons           {len(ck.neurons['v'])}")
    print(f"synapses          {len(s['pre'])} ({int((s['plastic'] != 0).sum())} plastic)")
    if len(s["weight"]):
        print(f"weights           min {s['weight'].min():.6g} max {s['weight'].max():.6g}")
    print(f"recorded spikes   {len(ck.spikes['neuron'])}")
    print(f"extra sections    {', '.join(ck.extra) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
