#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a working Vivarium: installs
# the Debian packages the build and the tests need, configures with clang-19,
# builds, and runs an example.
#
#   scripts/setup.sh [--no-install] [--no-example]
#
# Environment: BUILD_DIR (default build/), JOBS (default: number of CPUs).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
jobs=${JOBS:-$(nproc)}
install=1 example=1
for arg in "$@"; do
  case "$arg" in
    --no-install) install=0 ;;
    --no-example) example=0 ;;
    -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

# Everything comes from Debian; nothing is fetched at build or test time.
packages=(
  cmake ninja-build pkg-config g++
  clang-19 lld-19 llvm-19 llvm-19-dev libzstd-dev libclang-rt-19-dev
  libclang-rt-19-dev-wasm32 wasi-libc   # guest programs: clang --target=wasm32-wasi
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libspdlog-dev
  python3 nodejs wabt
  hyperfine             # bench/run times whole-process start-up with it (Python otherwise)
  # vivarium serve: HTTP server (Beast), fibers for suspended guests (Boost.Context),
  # TLS, HTTP/2, outbound HTTP (libcurl multi), KV (LMDB, Redis), --config (TOML)
  libboost-dev libboost-context-dev libssl-dev libnghttp2-dev libcurl4-openssl-dev
  liblmdb-dev libhiredis-dev libtomlplusplus-dev
  redis-server curl     # the Redis KV backend's tests start a redis-server; e2e tests use curl
  nginx-light wrk nghttp2-client   # bench/serve: nginx as the peer, wrk and h2load as clients
  chromium chromium-driver   # tests/browser: the browser package, dashboard and gateway in a real browser
  openssl               # unit_http: a throw-away certificate for its HTTP/2-over-TLS upstream (nginx)
  # Rust guests (sdk/rust, examples/rust): Debian's rustc 1.63 with the wasm32 std,
  # the seed socket client (tests/guests/rust), its linker (rust-lld is lld-14), and the crates they use, built offline
  rustc cargo libstd-rust-dev-wasm32 lld-14 librust-http-dev
)

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
  for dir in sdk/assemblyscript tests/guests/assemblyscript bindings/browser; do
    [ -f "$root/$dir/package-lock.json" ] || continue
    (cd "$root/$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund) ||
      echo "setup: npm ci failed in $dir; its tests will skip"
  done
fi

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19
fi
cmake --build "$build" -j "$jobs"

# @vivarium/node (bindings/node): its npm dependencies (node-addon-api,
# cmake-js, typescript) from the npm registry; the install script builds the
# addon against this Node's own headers (nothing else is downloaded).
(cd "$root/bindings/node" && npm ci --no-audit --no-fund)

if [ "$example" = 1 ]; then
  echo "setup: vivarium run --invoke fac examples/fac.wat 10"
  "$build/vivarium" run --invoke fac "$root/examples/fac.wat" 10
fi
