#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`hebllm report` for a language model (docs/cli.md "report"): the log of `hebllm train --log`
and the output of `hebllm eval --json` become a learning curve and an evaluation table, beside
the model's weight histograms. (That --log changes no result: tests/report/test_train_log.cpp.)

Usage: check_train_log.py HEBLLM CHECK_REPORT_PY WORK_DIR
"""
import importlib.util
import os
import shutil
import subprocess
import sys


def synthetic_corpus(salt):
    """The corpus of tests/lang/test_lang_cli.cpp: a 20-word grammar in 400 paragraphs."""
    subjects = ["the king", "a man", "the people", "his son", "the lord"]
    verbs = ["went", "spake", "came", "sat", "stood"]
    places = ["unto the city", "into the house", "by the river", "upon the hill"]
    x = 12345 + salt

    def nxt(n):
        nonlocal x
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
        return (x >> 16) % n

    text = []
    for _ in range(400):
        for _ in range(12):
            s = subjects[nxt(5)]
            v = verbs[nxt(5)]
            p = places[nxt(4)]
            text.append(f"{s} {v} {p}" + (", and " if nxt(3) == 0 else ". "))
        text.append("\n\n")
    return "".join(text)


def run(hebllm, args, cwd, expect=0):
    r = subprocess.run([hebllm] + args, cwd=cwd, capture_output=True, text=True, timeout=600)
    if r.returncode != expect:
        sys.exit(f"FAIL: hebllm {' '.join(args)} exited {r.returncode}, expected {expect}\n"
                 f"stdout: {r.stdout}\nstderr: {r.stderr}")
    return r


def main():
    hebllm, check_report, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    with open(os.path.join(work, "a.txt"), "w") as f:
        f.write(synthetic_corpus(0))
    base = ["train", "--corpus", "a.txt", "--tier", "smoke", "--vocab", "24", "--threads", "1",
            "--train-tokens", "2500", "--valid-tokens", "300", "--test-tokens", "300"]
    run(hebllm, base + ["--save", "plain.heb", "--log", "curve.csv", "--log-every", "400"],
        work)
    rows = open(os.path.join(work, "curve.csv")).read().splitlines()
    if rows[0] != "tokens,bits_per_token,top1":
        sys.exit(f"FAIL: bad header {rows[0]!r}")
    tokens = [int(r.split(",")[0]) for r in rows[1:]]
    if tokens != [400, 800, 1200, 1600, 2000, 2400, 2500]:
        sys.exit(f"FAIL: rows at {tokens}")
    bits = [float(r.split(",")[1]) for r in rows[1:]]
    top1 = [float(r.split(",")[2]) for r in rows[1:]]
    if not all(0.0 < b < 20.0 for b in bits) or not all(0.0 <= t <= 1.0 for t in top1):
        sys.exit(f"FAIL: implausible values {bits} {top1}")
    ev = run(hebllm, ["eval", "--model", "plain.heb", "--corpus", "a.txt", "--json",
                      "--threads", "1"], work)
    with open(os.path.join(work, "eval.json"), "w") as f:
        f.write(ev.stdout)
    run(hebllm, ["report", "--checkpoint", "plain.heb", "--log", "curve.csv", "--eval",
                 "eval.json", "-o", "lm.html"], work)
    spec = importlib.util.spec_from_file_location("check_report", check_report)
    cr = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cr)
    text, plots = cr.check_page(os.path.join(work, "lm.html"),
                                {"learning-curve": 1, "weights": None, "raster": 0})
    curve = plots["learning-curve"][0]
    if len(list(curve.iter("circle"))) != len(tokens):
        sys.exit("FAIL: the learning curve does not show one point per row")
    for word in ("frozen", "bits/token", "top-1"):
        if word not in text:
            sys.exit(f"FAIL: the evaluation table lacks {word!r}")
    print(f"ok: {len(tokens)} log rows, bits {bits[0]:.3f} -> {bits[-1]:.3f}")


if __name__ == "__main__":
    main()
