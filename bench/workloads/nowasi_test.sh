#!/usr/bin/env bash
# CTest bench_nowasi: the no-WASI flavor of the workloads (bench_nowasi.h).
#   nowasi_test.sh BUILD_DIR VIVARIUM
# 1. bench/run's wasm-interp section on fib, one repetition: the hash bench_main
#    returns must equal FNV-1a 64 of the native build's stdout, under Vivarium
#    and (when installed) wasm-interp, which must call no import.
# 2. A failed check (fib.nowasi-0.wasm: scale 0 is rejected) must trap, and
#    still call no import on its way (its stderr text is dropped).
# Exits 77 (skipped) after the Vivarium half when wasm-interp is absent.
set -u
build=$1 viv=$2
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "FAIL: $*"; exit 1; }

"$here/../run" --build "$build" --vivarium "$viv" --engines wasm-interp --reps 1 --no-startup --no-lower \
  --json "$build/bench/nowasi_test.json" fib || fail "bench/run's no-WASI section on fib"

bad=$build/bench/workloads/fib.nowasi-0.wasm
"$viv" run --invoke bench_main "$bad" >/dev/null 2>&1
rc=$?
[ "$rc" = 134 ] || fail "vivarium on $bad exited $rc, wanted 134 (a trap)"

if ! command -v wasm-interp >/dev/null; then
  echo "wasm-interp not found (Debian package wabt, scripts/setup.sh): its half skipped"
  exit 77
fi
out=$(wasm-interp --dummy-import-func --run-all-exports "$bad" 2>&1)
echo "$out" | grep -q '^bench_main() => error: unreachable' || fail "wasm-interp on $bad did not trap: $out"
echo "$out" | grep -q 'called host' && fail "wasm-interp on $bad called an import: $out"
echo "ok: the no-WASI flavor matches native and traps on a failed check"
