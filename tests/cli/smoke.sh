#!/usr/bin/env bash
# smoke.sh VIVARIUM SOURCE_DIR: each check prints "ok - NAME" or "not ok - NAME"
# and the script ends with `N passed, M failed` (exit 1 on any failure).
set -uo pipefail
viv=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"

printf '(module (func (export "f") (result i32) (i64.const 0)))\n' >"$tmp/invalid.wat"
printf '(module (func (result i32)\n  (i32.add (i32.const 1)\n' >"$tmp/unclosed.wat"
printf '\0asm\1\0\0\0\1\5' >"$tmp/truncated.wasm"
: >"$tmp/empty.wasm"
printf '(module)' >"$tmp/garbage.wasm"   # text in a .wasm file is not a binary module
cat >"$tmp/mixed.wast" <<'WAST'
(module (func (export "one") (result i32) (i32.const 1)))
(assert_return (invoke "one") (i32.const 1))
(assert_return (invoke "one") (i32.const 2))
WAST
cat >"$tmp/good.wast" <<'WAST'
(module (func (export "one") (result i32) (i32.const 1)))
(assert_return (invoke "one") (i32.const 1))
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
WAST
cat >"$tmp/wording.wast" <<'WAST'
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_invalid (module (func (result i32) (i64.const 0))) "unknown global")
(assert_malformed (module quote "(func (i32.frob))") "unknown operator")
(assert_malformed (module quote "(func (i32.frob))") "unexpected end")
WAST
printf 'mixed.wast:3\n' >"$tmp/known.txt"
printf 'mixed.wast:2\n' >"$tmp/stale.txt"

check version 0 '^vivarium [0-9]+\.[0-9]+\.[0-9]+' -- "$viv" --version
check help 0 'validate' -- "$viv" --help
check unknown-command 2 "unknown command" -- "$viv" frobnicate
check validate-help 0 'FILE' -- "$viv" validate --help
check validate-text 0 'valid' -- "$viv" validate "$src/examples/fac.wat"
check validate-invalid 1 'invalid.wat: at offset 0x[0-9a-f]+, code section, function .*type mismatch' -- "$viv" validate "$tmp/invalid.wat"
check validate-text-syntax 1 'unclosed.wat:[0-9]+:[0-9]+: ' -- "$viv" validate "$tmp/unclosed.wat"
check validate-truncated 1 'truncated.wasm: at offset 0x[0-9a-f]+' -- "$viv" validate "$tmp/truncated.wasm"
check validate-empty-wasm 1 'empty.wasm: at offset 0x0: unexpected end' -- "$viv" validate "$tmp/empty.wasm"
check validate-garbage-wasm 1 'garbage.wasm: at offset 0x0: magic header not detected' -- "$viv" validate "$tmp/garbage.wasm"
check validate-directory 1 'cannot read file: is a directory' -- "$viv" validate "$tmp"
check inspect-empty-wasm 1 'empty.wasm: at offset 0x0: unexpected end' -- "$viv" inspect "$tmp/empty.wasm"
check validate-missing 1 'no-such-file.wasm: cannot open' -- "$viv" validate "$tmp/no-such-file.wasm"
check inspect 0 'func +"fac" = \$fac: \(i64\) -> \(i64\)' -- "$viv" inspect "$src/examples/fac.wat"
check inspect-sections 0 'code +10 +0x[0-9a-f]+ +[0-9]+' -- "$viv" inspect "$src/examples/fac.wat"
check inspect-disasm 0 'i64.mul' -- "$viv" inspect --disasm "$src/examples/fac.wat"
check inspect-lowered 0 '^ +[0-9]+  call +i=0 base=[0-9]+  @0x[0-9a-f]+$' -- "$viv" inspect --lowered --func 0 "$src/examples/fac.wat"
check run-invoke 0 '^3628800$' -- "$viv" run --invoke fac "$src/examples/fac.wat" 10
check run-file-then-invoke 0 '^3628800$' -- "$viv" run "$src/examples/fac.wat" --invoke fac 10
check run-invoke-equals 0 '^120$' -- "$viv" run "$src/examples/fac.wat" --invoke=fac 5
check run-help-usage 0 'Usage: vivarium run \[OPTIONS\] MODULE \[ARGS\.\.\.\]' -- "$viv" run --help
check run-fuel-negative 2 "--fuel: must be a whole number of at least 1, not '-3'" -- "$viv" run --fuel -3 "$src/examples/fac.wat" --invoke fac 5
check run-fuel-enough 0 '^120$' -- "$viv" run --fuel 1000 "$src/examples/fac.wat" --invoke fac 5
check run-env-empty-name 2 "--env '=x': the variable name is empty" -- "$viv" run --env =x "$src/examples/fac.wat" --invoke fac 5
check run-invoke-no-name 2 '--invoke needs a function name' -- "$viv" run "$src/examples/fac.wat" --invoke
check run-invoke-unknown 1 "exports no function 'nope'" -- "$viv" run "$src/examples/fac.wat" --invoke nope
check run-unknown-option 2 'unknown option --bogus' -- "$viv" run --bogus "$src/examples/fac.wat"
check validate-unknown-option 2 'bogus' -- "$viv" validate --bogus "$src/examples/fac.wat"
mkdir -p "$tmp/noscripts"
check wast-empty-directory 1 'no .wast scripts in directory.*noscripts' -- "$viv" wast "$tmp/noscripts"
check wast-no-file 2 'required' -- "$viv" wast
printf '(module (func (export "_start") unreachable))' >"$tmp/trap.wat"
check run-trap 134 'trap.wat: wasm trap: unreachable.*' -- "$viv" run "$tmp/trap.wat"
check run-trap-backtrace 134 'at func\[0\] \(export "_start"\) \(offset 0x[0-9a-f]+\)' -- "$viv" run "$tmp/trap.wat"
check run-directory 1 'cannot read file: is a directory' -- "$viv" run "$tmp"
check run-from-pipe 0 '^720$' -- bash -c "cat '$src/examples/fac.wat' | '$viv' run /dev/stdin --invoke fac 6"
check run-nothing-to-run 0 'exports no _start or _initialize.*--invoke NAME \(exports: fac' -- "$viv" run "$src/examples/fac.wat"
check wast-pass 0 '^3 passed, 0 failed$' -- "$viv" wast "$tmp/good.wast"
check wast-fail 1 '^2 passed, 1 failed$' -- "$viv" wast "$tmp/mixed.wast"
check wast-fail-location 1 'mixed.wast:3: assert_return .*expected \(i32:2\), got \(i32:1\)' -- "$viv" wast "$tmp/mixed.wast"
check wast-message-wording 1 '^2 passed, 2 failed$' -- "$viv" wast "$tmp/wording.wast"
check wast-wording-location 1 'wording.wast:2: assert_invalid: expected invalid \("unknown global"\), got invalid: .*type mismatch' -- "$viv" wast "$tmp/wording.wast"
check wast-known 0 '^2 passed, 0 failed$' -- "$viv" wast --known-failures "$tmp/known.txt" "$tmp/mixed.wast"
check wast-now-passes 1 'now passes: remove mixed.wast:2 from stale.txt' -- "$viv" wast --known-failures "$tmp/stale.txt" "$tmp/mixed.wast"

finish
