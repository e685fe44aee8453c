#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# clang-format (every C++ file) and clang-tidy (library, CLI) must be clean.
# Usage: scripts/lint.sh [BUILD_DIR]   (BUILD_DIR holds compile_commands.json; default build)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build}"
mapfile -t all < <(git ls-files '*.cpp' '*.hpp' '*.cu' '*.cuh')  # tidy: .cpp only (not .cu)
clang-format --dry-run -Werror "${all[@]}"
echo "clang-format: ${#all[@]} files clean"
mapfile -t sources < <(git ls-files 'src/*.cpp' 'apps/*.cpp')
log=$(mktemp)
printf '%s\n' "${sources[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p "$build_dir" --quiet >"$log" 2>&1 || true
grep -v "warnings generated" "$log" || true
if grep -qE "(warning|error):" "$log"; then
  echo "clang-tidy: findings above"
  exit 1
fi
echo "clang-tidy: ${#sources[@]} files clean"
