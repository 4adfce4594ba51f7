#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a working Vivarium: installs
# the Debian packages the build and the tests need, configures with clang-19,
# builds, and runs an example.
#
#   scripts/setup.sh [--quick] [--no-install] [--no-example]
#
# --quick: only what writing and serving a guest needs (the CLI, the SDKs'
# toolchains): no tests, benchmarks, native tier, Node or browser packages.
# A later run without it adds the rest to the same build/.
#
# Environment: BUILD_DIR (default build/), JOBS (default: number of CPUs).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
jobs=${JOBS:-$(nproc)}
install=1 example=1 quick=0
for arg in "$@"; do
  case "$arg" in
    --no-install) install=0 ;;
    --no-example) example=0 ;;
    --quick) quick=1 ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

# Everything comes from Debian; nothing is fetched at build or test time.
# What the CLI, `vivarium serve` and the guest SDKs need:
packages=(
  cmake ninja-build pkg-config g++ clang-19 lld-19
  libclang-rt-19-dev-wasm32 wasi-libc   # guest programs: clang --target=wasm32-wasi
  libcli11-dev nlohmann-json3-dev libspdlog-dev python3 nodejs
  # vivarium serve: HTTP server (Beast), fibers for suspended guests (Boost.Context),
  # TLS, HTTP/2, outbound HTTP (libcurl multi), KV (LMDB, Redis), --config (TOML)
  libboost-dev libboost-context-dev libssl-dev libnghttp2-dev libcurl4-openssl-dev
  liblmdb-dev libhiredis-dev libtomlplusplus-dev curl
  # Rust guests (sdk/rust, examples/rust): Debian's rustc 1.63 with the wasm32 std,
  # its linker (rust-lld is lld-14), and the crates they use, built offline
  rustc cargo libstd-rust-dev-wasm32 lld-14 librust-http-dev
)
# ... and the tests, benchmarks and the native tier:
full_packages=(
  llvm-19 llvm-19-dev libzstd-dev libclang-rt-19-dev   # the native tier (LLVM 19), sanitizer runtimes
  libgtest-dev libgmock-dev libbenchmark-dev wabt
  hyperfine             # bench/run times whole-process start-up with it (Python otherwise)
  redis-server          # the Redis KV backend's tests start a redis-server; e2e tests use curl
  nginx-light wrk nghttp2-client   # bench/serve: nginx as the peer, wrk and h2load as clients
  chromium chromium-driver   # tests/browser: the browser package, dashboard and gateway in a real browser
  openssl               # unit_http: a throw-away certificate for its HTTP/2-over-TLS upstream (nginx)
)
[ "$quick" = 1 ] || packages+=("${full_packages[@]}")

# npm installs the AssemblyScript compiler (sdk/assemblyscript, tests/guests/assemblyscript).
# NodeSource's nodejs bundles npm and conflicts with Debian's npm package: ask for
# Debian's only when no npm is on the PATH.
command -v npm >/dev/null || packages+=(npm)

if [ "$install" = 1 ]; then
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    echo "setup: installing ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

# npm packages, each pinned by its committed package-lock.json: the
# AssemblyScript compiler for the SDK (sdk/assemblyscript; `vivarium build`
# uses it) and for the seed's socket client (tests/guests/assemblyscript), and
# playwright-core driving Debian's chromium for tests/browser (no browser is
# downloaded). This is the one registry outside Debian, used here and never at
# build or test time; a folder whose install fails has its tests skip, saying why.
if [ "$install" = 1 ] && command -v npm >/dev/null; then
  npm_dirs=(sdk/assemblyscript)
  [ "$quick" = 1 ] || npm_dirs+=(tests/guests/assemblyscript bindings/browser)
  for dir in "${npm_dirs[@]}"; do
    [ -f "$root/$dir/package-lock.json" ] || continue
    (cd "$root/$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund) ||
      echo "setup: npm ci failed in $dir; its tests will skip"
  done
fi

# Configured every time, so that a full run after --quick turns the rest on.
full=ON native=-UVIVARIUM_NATIVE   # unset: on when LLVM 19 is found
[ "$quick" = 1 ] && full=OFF native=-DVIVARIUM_NATIVE=OFF
cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
  -DVIVARIUM_TESTS=$full -DVIVARIUM_BENCH=$full -DVIVARIUM_GUESTS=$full "$native" >/dev/null
if [ "$quick" = 1 ]; then
  cmake --build "$build" -j "$jobs" --target vivarium vivarium-edge
else
  cmake --build "$build" -j "$jobs"
fi

# @vivarium/node (bindings/node): its npm dependencies (node-addon-api,
# cmake-js, typescript) from the npm registry; the install script builds the
# addon against this Node's own headers (nothing else is downloaded).
[ "$quick" = 1 ] || (cd "$root/bindings/node" && npm ci --no-audit --no-fund)

if [ "$example" = 1 ]; then
  echo "setup: vivarium run --invoke fac examples/fac.wat 10"
  "$build/vivarium" run --invoke fac "$root/examples/fac.wat" 10
fi
