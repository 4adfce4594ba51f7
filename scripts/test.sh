#!/usr/bin/env bash
# Runs every test: builds build/ if needed and runs its CTest suite (unit
# tests, the spec suite, guest programs), then builds the same tests with
# AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/ and runs them
# there too. Ends with one line `N passed, M failed` over both runs.
#
#   scripts/test.sh [--no-asan]
#
# Environment: BUILD_DIR, ASAN_BUILD_DIR, JOBS (default: number of CPUs).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
asan_build=${ASAN_BUILD_DIR:-$root/build-asan}
jobs=${JOBS:-$(nproc)}
asan=1
for arg in "$@"; do
  case "$arg" in
    --no-asan) asan=0 ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "test.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

passed=0 failed=0 skipped=0
logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT

# `vivarium run` defaults to --tier auto: a run longer than 250 ms leaves a
# background LLVM compile behind it. Tests must not race detached compilers
# for the CPU (an ASan build's compile takes minutes): the tier tests set
# their own delay.
export VIVARIUM_TIER_UP_MS=${VIVARIUM_TIER_UP_MS:--1}

# run_suite NAME BUILD_DIR [cmake options...]: configure, build, ctest, and
# add its counts to the totals. A build failure counts as one failure. The
# options are applied on every run, so a reused directory cannot silently
# keep other settings (an "ASan" run without sanitizers).
run_suite() {
  local name=$1 dir=$2
  shift 2
  echo "==== $name: $dir"
  local gen=(-G Ninja)
  [ -f "$dir/CMakeCache.txt" ] && gen=()  # the generator of an existing cache stays
  if ! cmake -S "$root" -B "$dir" "${gen[@]}" -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 "$@" >"$logdir/$name.configure.log" 2>&1; then
    cat "$logdir/$name.configure.log"
    echo "test.sh: $name: configure failed"
    failed=$((failed + 1))
    return
  fi
  if ! cmake --build "$dir" -j "$jobs"; then
    echo "test.sh: $name: build failed"
    failed=$((failed + 1))
    return
  fi
  local log=$logdir/$name.log
  (cd "$dir" && ctest -j "$jobs" --output-on-failure --timeout 1200) 2>&1 | tee "$log"
  # CTest's closing line: "97% tests passed, 1 tests failed out of 40".
  # Skipped and DISABLED tests are in "out of N" but neither passed nor failed.
  local line total nfail nskip
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1)
  if [ -z "$line" ]; then
    echo "test.sh: $name: ctest printed no summary"
    failed=$((failed + 1))
    return
  fi
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
  nfail=$(sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/' <<<"$line")
  nskip=$(grep -cE '^\s+[0-9]+ - .*\((Skipped|Disabled)\)' "$log" || true)
  passed=$((passed + total - nfail - nskip))
  failed=$((failed + nfail))
  skipped=$((skipped + nskip))
}

run_suite release "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo

# @vivarium/node (bindings/node): npm test runs its node:test files; their
# "# pass N" / "# fail M" lines join the totals. A failed install or build
# counts as one failure.
run_node() {
  echo "==== node: bindings/node"
  local log=$logdir/node.log
  if ! (cd "$root/bindings/node" && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run --silent build); then
    echo "test.sh: node: install or build failed"
    failed=$((failed + 1))
    return
  fi
  (cd "$root/bindings/node" && npm test) 2>&1 | tee "$log"
  local np nf
  np=$(grep -E '^# pass [0-9]+' "$log" | tail -1 | awk '{print $3}')
  nf=$(grep -E '^# fail [0-9]+' "$log" | tail -1 | awk '{print $3}')
  if [ -z "$np" ] || [ -z "$nf" ]; then
    echo "test.sh: node: npm test printed no summary"
    failed=$((failed + 1))
    return
  fi
  passed=$((passed + np))
  failed=$((failed + nf))
}
run_node

if [ "$asan" = 1 ]; then
  # Guests and benchmark modules are wasm files, identical in both builds:
  # no need to build them twice.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  symbolizer=/usr/lib/llvm-19/bin/llvm-symbolizer
  [ -x "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$symbolizer}
  run_suite asan "$asan_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIVARIUM_SANITIZE=ON \
    -DVIVARIUM_GUESTS=OFF -DVIVARIUM_BENCH=OFF
fi

echo
[ "$skipped" -gt 0 ] && echo "($skipped tests skipped)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
