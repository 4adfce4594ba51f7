#!/usr/bin/env bash
# tier_auto_test.sh VIVARIUM: `vivarium run --tier auto` (the default, issue
# #15). The first run starts in the interpreter and leaves a background
# compile behind; once it has filled the cache, the next run starts in
# native code (vivarium-native, exec'd by the static vivarium); results,
# traps and fuel are the same on every tier; a changed file starts over.
# Each check prints "ok - NAME" or "not ok - NAME"; ends with `N passed, M failed`.
set -uo pipefail
viv=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export VIVARIUM_CACHE_DIR=$tmp/cache VIVARIUM_TIER_REPORT=1

source "$(dirname "${BASH_SOURCE[0]}")/check.sh"

cat >"$tmp/m.wat" <<'WAT'
(module
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "div") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1)))
  (func (export "spin") (loop (br 0))))
WAT
m=$tmp/m.wat

check "interp tier" 0 "starts on the interpreter tier" -- "$viv" run --tier interp "$m" --invoke fib 20
check "first auto run: interpreter" 0 "starts on the interpreter tier" -- env VIVARIUM_TIER_UP_MS=0 "$viv" run "$m" --invoke fib 20
# The background compile (a separate process at the lowest priority, which a
# loaded machine starves for minutes) fills the cache.
for _ in $(seq 4000); do
  ls "$tmp"/cache/files/* >/dev/null 2>&1 && break
  sleep 0.1
done
check "background compile filled the cache" 0 "vcode" -- ls "$tmp/cache"
check "second auto run: native" 0 "starts on the native tier" -- "$viv" run "$m" --invoke fib 20
for t in interp native auto; do
  check "fib on $t" 0 "^6765$" -- "$viv" run --tier $t "$m" --invoke fib 20
  check "trap on $t" 134 "wasm trap: integer divide by zero" -- "$viv" run --tier $t "$m" --invoke div 1 0
  check "fuel on $t" 134 "used all its fuel" -- "$viv" run --tier $t --fuel 5000 "$m" --invoke spin
done
# An edited file is a new module: the interpreter again, until compiled.
sleep 0.01
touch "$m"
check "changed file: interpreter again" 0 "starts on the interpreter tier" -- env VIVARIUM_TIER_UP_MS=-1 "$viv" run "$m" --invoke fib 20

finish
