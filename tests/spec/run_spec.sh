#!/usr/bin/env bash
# Runs one part of the spec suite: run_spec.sh VIVARIUM KNOWN_FAILURES DEFAULT_DIR core|simd [TIER]
# (TIER: interp by default, or native for the LLVM tier)
# Exit 77 (reported by CTest as skipped) when the suite is not at its default
# place; exit 1 when VIVARIUM_SPEC_DIR names a folder that does not exist.
set -euo pipefail
vivarium=$1 known=$2 dir=${VIVARIUM_SPEC_DIR:-$3} part=$4 tier=${5:-interp}

if [ ! -d "$dir" ]; then
  # A folder someone named explicitly must exist: a typo must not pass as
  # "suite absent".
  if [ -n "${VIVARIUM_SPEC_DIR:-}" ]; then
    echo "FAIL: VIVARIUM_SPEC_DIR=$VIVARIUM_SPEC_DIR is not a folder"
    exit 1
  fi
  echo "SKIP: WebAssembly spec suite not found at $dir (set VIVARIUM_SPEC_DIR to its folder)"
  exit 77
fi
shopt -s nullglob
files=()
for f in "$dir"/*.wast; do
  case "$(basename "$f")" in
    simd_*) [ "$part" = simd ] && files+=("$f") ;;
    *) [ "$part" = core ] && files+=("$f") ;;
  esac
done
if [ ${#files[@]} -eq 0 ]; then
  echo "SKIP: no $part .wast files in $dir"
  exit 77
fi
exec "$vivarium" wast --tier "$tier" --known-failures "$known" "${files[@]}"
