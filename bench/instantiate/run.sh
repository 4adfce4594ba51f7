#!/usr/bin/env bash
# Instantiation cost, Vivarium next to V8 (Node) in one run, on the same module.
#   bench/instantiate/run.sh        (BUILD_DIR defaults to build/)
# Prints ns per operation for both and the ratio vivarium/V8.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$root/build}
out=$build/bench
mkdir -p "$out"

if [ ! -f "$build/build.ninja" ] && [ ! -f "$build/Makefile" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
else
  cmake "$build" >/dev/null  # picks up bench/instantiate if the build predates it
fi
cmake --build "$build" --target instantiate_bench -j "${JOBS:-2}" >/dev/null
wat2wasm "$here/request.wat" -o "$out/request.wasm"

VIV_BENCH_MODULE="$out/request.wasm" "$out/instantiate_bench" \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_out="$out/instantiate.json" --benchmark_out_format=json >/dev/null
# Keep the medians only, under the plain benchmark names.
node --input-type=commonjs -e '
  const fs = require("fs");
  const j = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  j.benchmarks = j.benchmarks.filter(b => b.aggregate_name === "median")
                             .map(b => ({ ...b, name: b.run_name }));
  fs.writeFileSync(process.argv[1], JSON.stringify(j));' "$out/instantiate.json"
node "$here/peer_v8.cjs" "$out/request.wasm" "$out/instantiate.json"
