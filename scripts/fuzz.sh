#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fuzz the input parsers with libFuzzer (docs/fuzzing.md).
#   bash scripts/fuzz.sh [SECONDS_PER_HARNESS]   (default 60)
# Configures and builds build-fuzz with clang, ASan and UBSan, then runs every harness in
# tests/fuzz for SECONDS_PER_HARNESS on a copy of its seed corpus (the repository's corpus is
# never changed). Exit 1 on any crash, sanitizer report, timeout or out-of-memory; the
# reproducer is printed. Needs clang, libclang-rt-dev and libomp-dev (clang-14 packages on
# Debian 12; .ci/run installs them). Environment: FUZZ_BUILD_DIR (default build-fuzz),
# FUZZ_JOBS (parallel build jobs, default nproc), FUZZ_HARNESSES (default: all five).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
build=${FUZZ_BUILD_DIR:-build-fuzz}
harnesses=${FUZZ_HARNESSES:-"fuzz_config fuzz_synapses_csv fuzz_input_spikes_csv fuzz_spikes_binary fuzz_checkpoint"}

cxx=""
for c in clang++ clang++-14; do
  if command -v "$c" >/dev/null; then cxx=$c; break; fi
done
if [ -z "$cxx" ]; then
  echo "fuzz.sh: clang++ not found (apt-get install clang-14 libclang-rt-14-dev libomp-14-dev)" >&2
  exit 2
fi

cmake -S . -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DHEBLLM_SANITIZE=address,undefined -DHEBLLM_FUZZ=ON \
      -DHEBLLM_BUILD_TESTS=OFF -DHEBLLM_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j"${FUZZ_JOBS:-$(nproc)}" --target $harnesses

work=$(mktemp -d "${TMPDIR:-/tmp}/hebllm-fuzz.XXXXXX")
echo "fuzz.sh: working directory $work (kept on failure)"
failed=0
for h in $harnesses; do
  mkdir -p "$work/$h/corpus" "$work/$h/artifacts"
  cp tests/fuzz/corpus/"$h"/* "$work/$h/corpus/"
  echo "== $h: ${seconds}s =="
  # halt_on_error: the first sanitizer report ends the run; detect_leaks: leaks count too.
  if ! ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
       "$build/bin/$h" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
       -print_final_stats=1 -artifact_prefix="$work/$h/artifacts/" \
       "$work/$h/corpus" >"$work/$h/log.txt" 2>&1; then
    failed=1
    echo "fuzz.sh: $h FAILED; last lines of its log ($work/$h/log.txt):" >&2
    tail -n 60 "$work/$h/log.txt" >&2
  fi
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' \
       "$work/$h/log.txt" || true
  for f in "$work/$h"/artifacts/*; do
    [ -e "$f" ] || continue
    failed=1
    echo "fuzz.sh: reproducer: $f (run: $build/bin/$h $f)" >&2
    od -c "$f" | head -n 20 >&2
  done
done

if [ "$failed" -ne 0 ]; then
  echo "fuzz.sh: FAILED (each reproducer becomes a case in tests/robustness/test_fuzz_regressions.cpp)" >&2
  exit 1
fi
rm -rf "$work"
echo "fuzz.sh: all harnesses clean"
