#!/bin/sh
# SPDX-License-Identifier: MIT
# The seed example's report rendered in headless Chromium (Debian package chromium): a
# screenshot that is not blank, and no console errors. Exit 77 (skipped) without chromium; it is
# not installed by scripts/setup.sh (too large for CI).
# Usage: check_report_browser.sh HEBLLM SOURCE_DIR WORK_DIR
set -eu
hebllm=$1 src=$2 work=$3
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "skipped: chromium is not installed (apt-get install chromium)"
    exit 77
fi
rm -rf "$work" && mkdir -p "$work" && cd "$work"
"$hebllm" simulate --config "$src/examples/seed_example.toml" --record s.spk --save s.heb >/dev/null
"$hebllm" report --spikes s.spk --checkpoint s.heb -o report.html >/dev/null
timeout 120 "$browser" --headless --disable-gpu --no-sandbox --enable-logging=stderr --v=0 \
    --user-data-dir="$work/profile" --screenshot="$work/shot.png" --window-size=1200,2000 \
    "file://$work/report.html" 2>browser.log || { cat browser.log; exit 1; }
if grep -E "Uncaught|ERROR:CONSOLE|CONSOLE\(" browser.log; then
    echo "FAIL: console errors while rendering the report"
    exit 1
fi
/usr/bin/python3 "$src/tests/report/png_check.py" "$work/shot.png" 1200 2000
