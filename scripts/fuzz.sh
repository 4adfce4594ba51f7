#!/usr/bin/env bash
# Builds the libFuzzer targets with ASan + UBSan and runs one for a while,
# seeded with every module of the spec suite (encoded at run time by
# Vivarium's own text parser; no binaries are checked in).
#
#   scripts/fuzz.sh [SECONDS=60] [TARGET=fuzz_module|fuzz_wat|fuzz_hostcalls] [-- libFuzzer options...]
#
# Crashes are written to build-fuzz/crash-*; the growing corpus is kept in
# build-fuzz/corpus-TARGET between runs. Environment: FUZZ_BUILD_DIR, JOBS,
# VIVARIUM_SPEC_DIR, FUZZ_WORKERS (parallel fuzzing processes, default 1).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=${JOBS:-$(nproc)}
spec=${VIVARIUM_SPEC_DIR:-$root/../shared/wasm-spec-2.0}
secs=${1:-60}
target=${2:-fuzz_module}
shift $(($# > 2 ? 2 : $#))
[ "${1:-}" = "--" ] && shift

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DVIVARIUM_FUZZ=ON -DVIVARIUM_SANITIZE=ON -DVIVARIUM_TESTS=OFF -DVIVARIUM_GUESTS=OFF -DVIVARIUM_BENCH=OFF
fi
cmake --build "$build" -j "$jobs" --target "$target" vivarium_cli

seed=$build/seed-$target
corpus=$build/corpus-$target
mkdir -p "$corpus"
if [ ! -d "$seed" ]; then
  mkdir -p "$seed"
  if [ "$target" = fuzz_wat ]; then
    cp "$root"/examples/*.wat "$seed"/ 2>/dev/null || true
  elif [ "$target" = fuzz_hostcalls ]; then
    : # its inputs are scripts of hostcall calls, not modules: start empty
  elif [ -d "$spec" ]; then
    echo "fuzz.sh: encoding the spec suite's modules into $seed"
    ASAN_OPTIONS=detect_leaks=0 "$build/vivarium" wast --emit-modules "$seed" "$spec" >"$build/seed.log" 2>&1 || true
  else
    echo "fuzz.sh: no spec suite at $spec; starting from an empty corpus"
  fi
fi
echo "fuzz.sh: $(ls "$seed" | wc -l) seed inputs; running $target for ${secs}s"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
workers=${FUZZ_WORKERS:-1}
extra=()
[ "$workers" -gt 1 ] && extra=(-jobs="$workers" -workers="$workers")
exec "$build/tests/fuzz/$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2560 \
  -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/" "${extra[@]}" "$@" "$corpus" "$seed"
