#!/usr/bin/env bash
# `cmake --install` puts a working product under a prefix: the two executables,
# the headers, and the SDK that `vivarium new`/`build` find in
# PREFIX/share/vivarium/sdk with no VIVARIUM_SDK and no source tree above them.
#   install_test.sh BUILD_DIR
set -u
build=$1
tmp=$(mktemp -d /tmp/viv-install-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi; }

cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1
check "cmake --install succeeds" '[ $? -eq 0 ] || { cat "$tmp/install.log"; false; }'
check "bin/vivarium and bin/vivarium-edge" '[ -x "$tmp/prefix/bin/vivarium" ] && [ -x "$tmp/prefix/bin/vivarium-edge" ]'
check "public headers" '[ -f "$tmp/prefix/include/vivarium/engine.h" ]'
check "SDK without node_modules" '[ -f "$tmp/prefix/share/vivarium/sdk/c/terrarium.h" ] && [ ! -e "$tmp/prefix/share/vivarium/sdk/assemblyscript/node_modules" ]'
mkdir -p "$tmp/work"
(cd "$tmp/work" && env -u VIVARIUM_SDK "$tmp/prefix/bin/vivarium" new svc --template wat >"$tmp/new.log" 2>&1)
check "installed vivarium new finds its templates" '[ -d "$tmp/work/svc" ] || { cat "$tmp/new.log"; false; }'
(cd "$tmp/work/svc" && env -u VIVARIUM_SDK "$tmp/prefix/bin/vivarium" build >"$tmp/build.log" 2>&1)
check "installed vivarium build builds the project" 'ls "$tmp/work/svc/build/"*.wasm >/dev/null 2>&1 || { cat "$tmp/build.log"; false; }'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
