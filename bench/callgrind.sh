#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Instruction count (Ir) of a fixed small hebllm run under valgrind's callgrind: a figure that
# does not depend on the machine's load, for comparing two versions of the engine on a noisy
# machine (wall-clock benchmarks need a quiet one). Deterministic: the same binary and the same
# arguments give the same count to within a few hundred instructions.
#
#   bench/callgrind.sh                      # the default run below
#   bench/callgrind.sh --top 20             # also list the 20 most expensive functions
#   bench/callgrind.sh -- simulate --config net.toml --duration 50 --threads 1
#
# Default run: build/bin/hebllm simulate --sensory 50 --associative 100 --inhibitory 20
#              --output 20 --duration 100 --threads 1
# Environment: HEBLLM (the binary; default build/bin/hebllm relative to the repository),
#              KEEP=1 keeps the callgrind output file (its path is printed).
# Output: the run's own summary on stderr, then "Ir <total>" as the last line of stdout.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
hebllm="${HEBLLM:-$repo/build/bin/hebllm}"
top=0
args=(simulate --sensory 50 --associative 100 --inhibitory 20 --output 20 --duration 100
      --threads 1)
while [[ $# -gt 0 ]]; do
    case "$1" in
        --top) top="$2"; shift 2 ;;
        --) shift; args=("$@"); break ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "callgrind.sh: unknown option $1 (use -- before hebllm arguments)" >&2; exit 2 ;;
    esac
done

command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind not found (apt-get install valgrind)" >&2; exit 1; }
[[ -x "$hebllm" ]] || { echo "callgrind.sh: $hebllm not found: build it first" >&2; exit 1; }

out="$(mktemp /tmp/hebllm_callgrind.XXXXXX)"
log="$(mktemp /tmp/hebllm_callgrind_log.XXXXXX)"
cleanup() { rm -f "$log"; [[ "${KEEP:-0}" == 1 ]] || rm -f "$out"; }
trap cleanup EXIT

echo "+ valgrind --tool=callgrind $hebllm ${args[*]}" >&2
# One OpenMP thread: valgrind serialises threads anyway, and a second thread's spin-waiting
# would add instructions that depend on scheduling.
if ! OMP_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file="$out" \
        "$hebllm" "${args[@]}" >&2 2>"$log"; then
    cat "$log" >&2
    echo "callgrind.sh: the run failed" >&2
    exit 1
fi
total="$(awk '/^summary:/ {print $2}' "$out")"
[[ -n "$total" ]] || { echo "callgrind.sh: no summary line in $out" >&2; exit 1; }
if [[ "$top" -gt 0 ]] && command -v callgrind_annotate >/dev/null; then
    annotated="$(callgrind_annotate --inclusive=no "$out" 2>/dev/null || true)"
    awk -v n="$top" '/file:function/ {on = 1; getline; next} on && NF && shown < n {print; shown++}' \
        <<<"$annotated" | cut -c1-200
fi
[[ "${KEEP:-0}" == 1 ]] && echo "callgrind output: $out" >&2
printf 'Ir %s\n' "$total"
