'use strict';
// Guests used by the tests, in the text format.
exports.basic = `(module
  (import "env" "host" (func $host (param i32 i64) (result i32)))
  (memory (export "memory") 1)
  (global $g (export "counter") (mut i32) (i32.const 0))
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "add64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.add)
  (func (export "viaHost") (param i32) (result i32) local.get 0 i64.const 7 call $host)
  (func (export "spin") (loop br 0))
  (func (export "boom") unreachable)
  ;; Writes its argument at address 0, spins n iterations, then reads it
  ;; back: two overlapping calls would see each other's value.
  (func (export "exclusive") (param $v i32) (param $n i32) (result i32)
    (i32.store (i32.const 0) (local.get $v))
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (block (loop
      (br_if 1 (i32.eqz (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br 0)))
    (i32.load (i32.const 0)))
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add
        (call $fib (i32.sub (local.get $n) (i32.const 1)))
        (call $fib (i32.sub (local.get $n) (i32.const 2))))))))`;

exports.noImports = `(module
  (memory (export "memory") 1)
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "spin") (loop br 0))
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add
        (call $fib (i32.sub (local.get $n) (i32.const 1)))
        (call $fib (i32.sub (local.get $n) (i32.const 2))))))))`;

// A WASI command printing "hello\\n" to stdout, "err\\n" to stderr, and exiting with 3.
exports.wasiHello = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello\\n")
  (data (i32.const 32) "err\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.store (i32.const 0) (i32.const 32))
    (i32.store (i32.const 4) (i32.const 4))
    (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $exit (i32.const 3))))`;
