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
if [ "$tier" != native ]; then
  exec "$vivarium" wast --tier "$tier" --known-failures "$known" "${files[@]}"
fi
# Under the native tier every function must be compiled: count what each
# module compiled and what it left to the interpreter (VIVARIUM_NATIVE_STATS,
# engine/compiler/native_tier.cc) and fail if anything fell back.
stats=$(mktemp)
trap 'rm -f "$stats"' EXIT
rc=0
VIVARIUM_NATIVE_STATS=$stats "$vivarium" wast --tier "$tier" --known-failures "$known" "${files[@]}" || rc=$?
read -r compiled interpreted < <(awk '{c += $2; i += $4} END {print c + 0, i + 0}' "$stats")
echo "native tier: $compiled functions compiled, $interpreted left to the interpreter"
if [ "$compiled" -eq 0 ] || [ "$interpreted" -ne 0 ]; then
  echo "FAIL: every function must run natively under --tier native"
  rc=1
fi
exit $rc
