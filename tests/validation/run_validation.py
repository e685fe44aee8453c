#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""hebllm vs Brian2 on the same explicit network (docs/validation.md).

    run_validation.py HEBLLM_BINARY WORK_DIR BACKEND [--variant exp|inst] [--threads N]

1. make_network.py writes WORK_DIR/network.toml, synapses.csv, input_spikes.csv (fixed seed);
2. `HEBLLM simulate --config network.toml --record hebllm_spikes.csv --backend BACKEND`;
3. run_brian2.py runs the same files in Brian2 -> brian2_spikes.csv;
4. numpy_reference.py, an independent re-simulation of the contract -> numpy_spikes.csv;
5. compare_spikes.py: hebllm vs Brian2 is the verdict (identical for t < 200 ms, per-neuron counts
   within 2 % over 1 s); numpy vs Brian2 must agree too (else the harness itself is wrong), and
   on a failure hebllm vs numpy is printed to tell which side left the contract.
Exit 0: pass; 1: fail; 77: skipped (this interpreter cannot import brian2).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77


def run(cmd: list[str], cwd: str, env: dict, timeout: float) -> tuple[int, float]:
    print("$ " + " ".join(cmd), flush=True)
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=env, timeout=timeout, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, errors="replace")
    except subprocess.TimeoutExpired as e:
        out = e.stdout or ""
        if isinstance(out, bytes):
            out = out.decode(errors="replace")
        print(out[-4000:])
        print(f"  TIMEOUT after {timeout:.0f} s", flush=True)
        return 124, time.perf_counter() - t0
    dt = time.perf_counter() - t0
    out = proc.stdout
    if len(out) > 20000:
        out = "...\n" + out[-20000:]
    if out:
        print(out.rstrip("\n"))
    print(f"  (exit {proc.returncode}, {dt:.1f} s)", flush=True)
    return proc.returncode, dt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("hebllm", help="path to the hebllm binary")
    ap.add_argument("work_dir", help="scratch directory (emptied first)")
    ap.add_argument("backend", help="hebllm backend: reference, cpu, ...")
    ap.add_argument("--variant", choices=["exp", "inst"], default="exp")
    ap.add_argument("--threads", type=int, default=None,
                    help="--threads for hebllm (default: 2 for the cpu backend, not passed otherwise)")
    ap.add_argument("--seed", type=int, default=None, help="make_network.py seed (default: its own)")
    ap.add_argument("--brian2-target", default="numpy", choices=["numpy", "cython", "cpp_standalone"])
    ap.add_argument("--timeout", type=float, default=300.0, help="per-step time limit in seconds")
    args = ap.parse_args()
    py = sys.executable

    check = subprocess.run([py, "-c", "import brian2, numpy; print(brian2.__version__)"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check.returncode != 0:
        tail = check.stdout.strip().splitlines()[-1:] or [""]
        print(f"SKIPPED: {py} cannot import brian2 ({tail[0]}); install Debian's python3-brian to run "
              "the Brian2 validation.")
        return SKIP
    print(f"run_validation: Brian2 {check.stdout.strip().splitlines()[-1]} under {py}; variant "
          f"{args.variant}, backend {args.backend}")

    hebllm = os.path.abspath(args.hebllm)
    if not (os.path.isfile(hebllm) and os.access(hebllm, os.X_OK)):
        print(f"FAIL: hebllm binary {hebllm} not found or not executable")
        return 1

    work = os.path.abspath(args.work_dir)
    if os.path.isdir(work):
        shutil.rmtree(work)
    os.makedirs(work)
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # keep the source tree clean
    env["PYTHONPATH"] = HERE + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    cfg = os.path.join(work, "network.toml")
    total = time.perf_counter()

    def script(name: str) -> str:
        return os.path.join(HERE, name)

    gen = [py, script("make_network.py"), work, "--variant", args.variant]
    if args.seed is not None:
        gen += ["--seed", str(args.seed)]
    rc, _ = run(gen, work, env, args.timeout)
    if rc != 0:
        print("FAIL: make_network.py failed")
        return 1

    sim = [hebllm, "simulate", "--config", cfg, "--record", os.path.join(work, "hebllm_spikes.csv"),
           "--backend", args.backend]
    threads = args.threads if args.threads is not None else (2 if args.backend == "cpu" else None)
    if threads is not None:
        sim += ["--threads", str(threads)]
    rc_h, t_h = run(sim, work, env, args.timeout)

    rc_b, t_b = run([py, script("run_brian2.py"), "--config", cfg, "--record",
                     os.path.join(work, "brian2_spikes.csv"), "--target", args.brian2_target,
                     "--work-dir", work], work, env, args.timeout)
    rc_n, _ = run([py, script("numpy_reference.py"), "--config", cfg, "--record",
                   os.path.join(work, "numpy_spikes.csv")], work, env, args.timeout)
    if rc_b != 0:
        print("FAIL: run_brian2.py failed")
        return 1

    verdict_harness = None
    if rc_n == 0:
        print("\n--- harness check: numpy reference vs Brian2 (must agree) ---", flush=True)
        rc, _ = run([py, script("compare_spikes.py"), "--config", cfg,
                     os.path.join(work, "numpy_spikes.csv"), os.path.join(work, "brian2_spikes.csv"),
                     "--name-a", "numpy", "--name-b", "brian2"], work, env, args.timeout)
        verdict_harness = rc == 0
    else:
        print("WARNING: numpy_reference.py failed; continuing with Brian2 alone")

    if rc_h != 0:
        print(f"FAIL: hebllm simulate exited with {rc_h}")
        return 1
    print("\n--- verdict: hebllm vs Brian2 ---", flush=True)
    rc_c, _ = run([py, script("compare_spikes.py"), "--config", cfg,
                   os.path.join(work, "hebllm_spikes.csv"), os.path.join(work, "brian2_spikes.csv"),
                   "--name-a", "hebllm", "--name-b", "brian2"], work, env, args.timeout)
    if rc_c != 0 and rc_n == 0:
        print("\n--- diagnosis: hebllm vs numpy reference ---", flush=True)
        run([py, script("compare_spikes.py"), "--config", cfg, os.path.join(work, "hebllm_spikes.csv"),
             os.path.join(work, "numpy_spikes.csv"), "--name-a", "hebllm", "--name-b", "numpy"],
            work, env, args.timeout)
        print("To inspect one neuron: numpy_reference.py --config network.toml --record /dev/null "
              "--trace GID --trace-steps FIRST STOP (in " + work + ")")

    print(f"\nrun_validation: hebllm {t_h:.1f} s, Brian2 {t_b:.1f} s, total "
          f"{time.perf_counter() - total:.1f} s; files in {work}")
    if verdict_harness is False:
        print("FAIL: the numpy reference and Brian2 disagree: the validation harness itself is broken")
        return 1
    if rc_c != 0:
        print(f"FAIL: hebllm ({args.backend}) does not match Brian2 on the '{args.variant}' network")
        return 1
    print(f"PASS: hebllm ({args.backend}) matches Brian2 on the '{args.variant}' network")
    return 0


if __name__ == "__main__":
    sys.exit(main())
