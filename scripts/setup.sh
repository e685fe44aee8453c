#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Quick start, step 1: install what hebllm needs from Debian's packages, build it, and run the
# built-in example (the seed network: 200 sensory, 1000 associative, 200 inhibitory, 200 output
# neurons, density 0.1, neurons 0-4 driven for the first 10 ms, 100 ms).
# Environment: BUILD_DIR (default build), CMAKE_ARGS (extra configure arguments).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  cmake g++ make pkg-config
  libgtest-dev libbenchmark-dev
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev librandom123-dev
  python3 python3-numpy python3-brian time libxxhash-dev
  # The language layer (docs/language.md): SentencePiece for the subword tokenizer; the KJV
  # (`hebllm corpus kjv`, the KJV-256 test) and the fortunes (the continual benchmark).
  libsentencepiece-dev bible-kjv bible-kjv-text fortunes fortunes-min
  # The Python module (docs/python.md): pybind11 and the Python headers; pytest for its tests.
  pybind11-dev python3-dev python3-pytest
  # hebllm.plot (docs/python.md): matplotlib, imported only when hebllm.plot is used.
  python3-matplotlib
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build_dir="${BUILD_DIR:-build}"
# shellcheck disable=SC2086
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release ${CMAKE_ARGS:-}
cmake --build "$build_dir" -j "$(nproc)"
"$build_dir/bin/hebllm" simulate --config examples/seed_example.toml
