#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`hebllm report` end to end (docs/cli.md "report"): the seed example's report is well-formed
HTML with well-formed inline SVG, one SVG per plot with drawn content, no scripts and no URLs,
and its raster draws every recorded spike; bad input gives exit status 2 naming the file.

Usage: check_report.py HEBLLM SOURCE_DIR WORK_DIR
"""
import html.parser
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Balance(html.parser.HTMLParser):
    """Every non-void tag closed, in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.problems = []
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            self.problems.append(f"unexpected </{tag}> at {self.getpos()}, open: {self.stack[-3:]}")
            return
        self.stack.pop()


def run(hebllm, args, cwd, expect=0):
    r = subprocess.run([hebllm] + args, cwd=cwd, capture_output=True, text=True, timeout=300)
    if r.returncode != expect:
        sys.exit(f"FAIL: hebllm {' '.join(args)} exited {r.returncode}, expected {expect}\n"
                 f"stdout: {r.stdout}\nstderr: {r.stderr}")
    return r


def check_page(path, expect_plots):
    text = open(path, encoding="utf-8").read()
    p = Balance()
    p.feed(text)
    p.close()
    problems = list(p.problems)
    if p.stack:
        problems.append(f"unclosed tags: {p.stack}")
    if re.search(r"https?://", text):
        problems.append("the page contains an http(s):// reference")
    if re.search(r"<script", text, re.I) or re.search(r"\bon[a-z]+\s*=", text):
        problems.append("the page contains a script or an event handler")
    if re.search(r"<(link|img|iframe|object|embed)\b", text, re.I) or "@import" in text \
            or "url(" in text:
        problems.append("the page refers to another file")
    svgs = re.findall(r"<svg\b.*?</svg>", text, re.S)
    plots = {}
    for s in svgs:
        try:
            root = ET.fromstring(s)
        except ET.ParseError as e:
            problems.append(f"an SVG is not well-formed XML: {e}")
            continue
        kind = root.get("data-plot")
        drawn = [e for e in root.iter() if e.tag in ("path", "rect", "circle")]
        if not drawn or not any(e.get("d") or e.tag != "path" for e in drawn):
            problems.append(f"the {kind} plot draws nothing")
        if not root.findall("text"):
            problems.append(f"the {kind} plot has no text")
        plots.setdefault(kind, []).append(root)
    for kind, n in expect_plots.items():
        got = len(plots.get(kind, []))
        if (n is None and got == 0) or (n is not None and got != n):
            problems.append(f"expected {n if n is not None else 'some'} '{kind}' plots, got {got}")
    if problems:
        sys.exit(f"FAIL: {path}:\n  " + "\n  ".join(problems))
    return text, plots


def main():
    hebllm, src, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    seed = os.path.join(src, "examples", "seed_example.toml")
    run(hebllm, ["simulate", "--config", seed, "--record", "s.spk", "--save", "s.heb"], work)
    run(hebllm, ["simulate", "--config", seed, "--record", "s.csv"], work)
    from_spk = open(os.path.join(work, "s.spk"), "rb").read()
    recorded = int.from_bytes(from_spk[24:32], "little")
    assert recorded > 0, "the seed example recorded no spikes"

    # With the checkpoint: raster, rates, ISI and one weight histogram per connected pair.
    run(hebllm, ["report", "--spikes", "s.spk", "--checkpoint", "s.heb", "-o", "r.html"], work)
    text, plots = check_page(os.path.join(work, "r.html"),
                             {"raster": 1, "rates": 1, "isi": 1, "weights": None})
    raster = plots["raster"][0]
    marks = sum(p.get("d").count("M") for p in raster.iter("path")
                if p.get("class") == "spikes")
    if marks != recorded or raster.get("data-spikes-drawn") != str(recorded):
        sys.exit(f"FAIL: the raster draws {marks} spikes "
                 f"(data-spikes-drawn {raster.get('data-spikes-drawn')}), recorded {recorded}")
    for kind in ("raster", "rates", "isi"):
        labels = " ".join(t.text or "" for t in plots[kind][0].iter("text"))
        if "(ms)" not in labels:
            sys.exit(f"FAIL: the {kind} plot has no axis label with a unit: {labels[:200]}")
    for pop in ("sensory", "associative", "inhibitory", "output"):
        if pop not in text:
            sys.exit(f"FAIL: population {pop} is not named on the page")

    # With the config and the CSV recording: the same spikes, no weights.
    run(hebllm, ["report", "--spikes", "s.csv", "--config", seed, "-o", "c.html"], work)
    _, plots = check_page(os.path.join(work, "c.html"), {"raster": 1, "rates": 1, "isi": 1,
                                                         "weights": 0})
    if plots["raster"][0].get("data-spikes-drawn") != str(recorded):
        sys.exit("FAIL: the CSV recording gives another raster than the binary one")

    # Downsampling: at most --max-spikes drawn, and the page says so.
    run(hebllm, ["report", "--spikes", "s.spk", "--config", seed, "--max-spikes", "100",
                 "-o", "d.html"], work)
    text, plots = check_page(os.path.join(work, "d.html"), {"raster": 1})
    marks = sum(p.get("d").count("M") for p in plots["raster"][0].iter("path")
                if p.get("class") == "spikes")
    if marks != 100 or "Downsampled: 100 of" not in text:
        sys.exit(f"FAIL: --max-spikes 100 drew {marks} spikes")

    # Text from files is escaped: a title with markup stays text.
    run(hebllm, ["report", "--spikes", "s.spk", "--title", "<b>&\"x\"", "-o", "t.html"], work)
    text, _ = check_page(os.path.join(work, "t.html"), {"raster": 1})
    if "<b>" in text or "&lt;b&gt;&amp;&quot;x&quot;" not in text:
        sys.exit("FAIL: the title is not escaped")

    # Bad input: exit status 2, the message names the file.
    r = run(hebllm, ["report", "--spikes", "missing.spk", "--config", seed, "-o", "x.html"],
            work, expect=2)
    if "missing.spk" not in r.stderr:
        sys.exit(f"FAIL: the error does not name the missing file: {r.stderr}")
    with open(os.path.join(work, "big.csv"), "w") as f:
        f.write("neuron,time_ms\n3,1\n1600,2\n")
    r = run(hebllm, ["report", "--spikes", "big.csv", "--config", seed, "-o", "x.html"], work,
            expect=2)
    if "big.csv" not in r.stderr or "1600" not in r.stderr:
        sys.exit(f"FAIL: the error does not name the file and the neuron: {r.stderr}")
    if os.path.exists(os.path.join(work, "x.html")):
        sys.exit("FAIL: a failed report left a file")
    with open(os.path.join(work, "bad.log"), "w") as f:
        f.write("tokens,bits\n1,2\n")
    r = run(hebllm, ["report", "--log", "bad.log", "-o", "x.html"], work, expect=2)
    if "bad.log" not in r.stderr:
        sys.exit(f"FAIL: the error does not name the training log: {r.stderr}")
    print(f"ok: {recorded} spikes, {len(plots)} plot kinds")


if __name__ == "__main__":
    main()
