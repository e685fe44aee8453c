#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ThreadSanitizer over the threaded engine (docs/determinism.md "Thread safety, tested").
#   bash scripts/tsan.sh
# Configures and builds build-tsan with clang, -fsanitize=thread and LLVM's OpenMP runtime
# (libomp), then runs the equivalence tests (every config at 1, 2, 3 and 7 threads with the
# parallel thresholds at 0, so every phase runs threaded), synaptogenesis, consolidation and
# checkpoint tests. libomp is not instrumented: LLVM's Archer tool (libarcher.so, loaded through
# OMP_TOOL_LIBRARIES) tells TSan about OpenMP's barriers and reductions, and reports from inside
# the uninstrumented runtime are ignored. Exit 1 on any report. Needs clang-14 and libomp-14-dev
# (.ci/run installs them). Environment: TSAN_BUILD_DIR (default build-tsan), TSAN_JOBS (parallel
# build jobs, default nproc).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${TSAN_BUILD_DIR:-build-tsan}
tests="test_equivalence test_synaptogenesis test_consolidation test_checkpoint"

cxx="" cc=""
for v in "" -14; do
  if command -v "clang++$v" >/dev/null && command -v "clang$v" >/dev/null; then
    cxx=clang++$v cc=clang$v
    break
  fi
done
archer=""
for a in /usr/lib/llvm-14/lib/libarcher.so /usr/lib/llvm-*/lib/libarcher.so; do
  if [ -f "$a" ]; then archer=$a; break; fi
done
if [ -z "$cxx" ] || [ -z "$archer" ]; then
  echo "tsan.sh: needs clang and LLVM's libarcher.so (apt-get install clang-14 libomp-14-dev)" >&2
  exit 2
fi

cmake -S . -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEBLLM_SANITIZE=thread -DHEBLLM_WERROR=ON \
      -DHEBLLM_BUILD_BENCH=OFF -DHEBLLM_CUDA=OFF >/dev/null
# shellcheck disable=SC2086
cmake --build "$build" -j"${TSAN_JOBS:-$(nproc)}" --target $tests checkpoint_driver

export OMP_TOOL_LIBRARIES=$archer
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 ignore_noninstrumented_modules=1"
status=0
for t in $tests; do
  if ! "$build/bin/$t"; then
    echo "tsan.sh: $t failed (a ThreadSanitizer report or a failed test above)" >&2
    status=1
  fi
done
exit $status
