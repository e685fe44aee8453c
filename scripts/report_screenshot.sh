#!/bin/sh
# SPDX-License-Identifier: MIT
# Makes the README's picture of `hebllm report`: runs the seed example, writes its report and
# takes a screenshot with headless Chromium (Debian package chromium, not installed by
# setup.sh). The PNG is not committed; regenerate it with this script.
# Usage: scripts/report_screenshot.sh [OUT.png] [HEBLLM]   (defaults: docs/report.png, build/bin/hebllm)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/docs/report.png}
hebllm=${2:-$root/build/bin/hebllm}
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "report_screenshot.sh: chromium is not installed (sudo apt-get install chromium)" >&2
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$hebllm" simulate --config "$root/examples/seed_example.toml" --record "$work/s.spk" \
    --save "$work/s.heb" >/dev/null
"$hebllm" report --spikes "$work/s.spk" --checkpoint "$work/s.heb" -o "$work/report.html" \
    --title "hebllm report: the seed example" >/dev/null
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
"$browser" --headless --disable-gpu --no-sandbox --hide-scrollbars --user-data-dir="$work/profile" \
    --screenshot="$out" --window-size=1200,2000 "file://$work/report.html" 2>/dev/null
echo "wrote $out"
