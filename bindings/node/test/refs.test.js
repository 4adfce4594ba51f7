'use strict';
// v128 values and references (externref, funcref) across the boundary:
// parameters, results, globals and host functions.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Module, Linker, FuncRef, VivariumError } = require('..');

const refsWat = `(module
  (import "env" "echoExt" (func $echoExt (param externref) (result externref)))
  (import "env" "echoV" (func $echoV (param v128) (result v128)))
  (import "env" "pickFn" (func $pickFn (param funcref) (result funcref)))
  (table $t 4 funcref)
  (elem (table $t) (i32.const 0) func $seven $eight)
  (global $ext (export "ext") (mut externref) (ref.null extern))
  (global $vg (export "vg") (mut v128) (v128.const i32x4 1 2 3 4))
  (global $fixed (export "fixed") externref (ref.null extern))
  (type $ri (func (result i32)))
  (func $seven (result i32) (i32.const 7))
  (func $eight (result i32) (i32.const 8))
  (func (export "idExt") (param externref) (result externref) (local.get 0))
  (func (export "isNull") (param externref) (result i32) (ref.is_null (local.get 0)))
  (func (export "viaHostExt") (param externref) (result externref) (call $echoExt (local.get 0)))
  (func (export "keep") (param externref) (global.set $ext (local.get 0)))
  (func (export "kept") (result externref) (global.get $ext))
  (func (export "addV") (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1)))
  (func (export "viaHostV") (param v128) (result v128) (call $echoV (local.get 0)))
  (func (export "lane0") (param v128) (result i64) (i64x2.extract_lane 0 (local.get 0)))
  (func (export "fn") (param i32) (result funcref) (table.get $t (local.get 0)))
  (func (export "callFn") (param funcref) (result i32)
    (table.set $t (i32.const 3) (local.get 0))
    (call_indirect $t (type $ri) (i32.const 3)))
  (func (export "viaHostFn") (param funcref) (result i32)
    (table.set $t (i32.const 3) (call $pickFn (local.get 0)))
    (call_indirect $t (type $ri) (i32.const 3))))`;

async function instance(hostCalls = []) {
  const m = await Module.compile(Buffer.from(refsWat));
  const l = new Linker();
  l.define('env', 'echoExt', { params: ['externref'], results: ['externref'] }, (x) => { hostCalls.push(x); return x; });
  l.define('env', 'echoV', { params: ['v128'], results: ['v128'] }, (v) => { hostCalls.push(v); return v; });
  l.define('env', 'pickFn', { params: ['funcref'], results: ['funcref'] }, (f) => { hostCalls.push(f); return f; });
  return l.instantiate(m);
}

test('externref carries any JavaScript value, by identity, through calls, host functions and globals', async () => {
  const seen = [];
  const i = await instance(seen);
  const obj = { a: 1 };
  const sym = Symbol('s');
  assert.equal(await i.call('idExt', obj), obj);
  assert.equal(await i.call('idExt', sym), sym);
  assert.equal(await i.call('idExt', 'text'), 'text');
  assert.equal(await i.call('idExt', 42), 42);
  assert.equal(await i.call('idExt', undefined), undefined);  // a value, not null
  assert.equal(await i.call('isNull', undefined), 0);
  assert.equal(await i.call('isNull', null), 1);
  assert.equal(await i.call('idExt', null), null);
  assert.equal(await i.call('viaHostExt', obj), obj);
  assert.equal(seen[0], obj);
  // Kept by the guest across calls and collections.
  await i.call('keep', { big: new Array(1000).fill(7) });
  global.gc?.();
  await new Promise((r) => setTimeout(r, 5));
  global.gc?.();
  assert.equal((await i.call('kept')).big[999], 7);
  await i.setGlobal('ext', obj);
  assert.equal(await i.global('ext'), obj);
  assert.equal(await i.call('kept'), obj);
  // Passing the same value again does not make a new entry (identity).
  const before = await i.call('idExt', obj);
  assert.equal(before, obj);
  // Another instance can hold the same value.
  const j = await instance();
  assert.equal(await j.call('idExt', obj), obj);
  await assert.rejects(i.setGlobal('fixed', obj), (e) => e instanceof VivariumError && /immutable/.test(e.message));
});

test('v128 as 16 bytes or a BigInt, out as a Uint8Array', async () => {
  const seen = [];
  const i = await instance(seen);
  const a = new Uint8Array(16), b = new Uint8Array(16);
  new Uint32Array(a.buffer).set([1, 2, 3, 0xffffffff]);
  new Uint32Array(b.buffer).set([10, 20, 30, 1]);
  const sum = await i.call('addV', a, b);
  assert.ok(sum instanceof Uint8Array && sum.length === 16);
  assert.deepEqual([...new Uint32Array(sum.buffer, sum.byteOffset, 4)], [11, 22, 33, 0]);
  // BigInt: the 128-bit integer, little-endian; negative as two's complement.
  assert.equal(await i.call('lane0', 0x0102030405060708n), 0x0102030405060708n);
  assert.equal(await i.call('lane0', (5n << 64n) | 9n), 9n);
  assert.equal(await i.call('lane0', -1n), -1n);
  assert.deepEqual([...(await i.call('viaHostV', -2n))], [0xfe, ...new Array(15).fill(0xff)]);
  assert.ok(seen[0] instanceof Uint8Array && seen[0][0] === 0xfe);
  // A DataView of 16 bytes is accepted too; 15 bytes or 2^128 are not.
  assert.equal(await i.call('lane0', new DataView(a.buffer)), 0x0000000200000001n);
  await assert.rejects(i.call('lane0', new Uint8Array(15)), (e) => e.code === 'Usage' && /16 bytes/.test(e.message));
  await assert.rejects(i.call('lane0', 1n << 128n), (e) => e.code === 'Usage' && /128-bit/.test(e.message));
  await assert.rejects(i.call('lane0', 3), (e) => e.code === 'Usage');
  // Globals.
  const g = await i.global('vg');
  assert.deepEqual([...new Uint32Array(g.buffer, g.byteOffset, 4)], [1, 2, 3, 4]);
  await i.setGlobal('vg', 0xffn);
  assert.equal((await i.global('vg'))[0], 0xff);
});

test('funcref is an opaque FuncRef that goes back to its own instance only', async () => {
  const seen = [];
  const i = await instance(seen);
  const f7 = await i.call('fn', 0);
  const f8 = await i.call('fn', 1);
  assert.ok(f7 instanceof FuncRef && f8 instanceof FuncRef);
  assert.equal(await i.call('fn', 2), null);
  assert.equal(await i.call('callFn', f7), 7);
  assert.equal(await i.call('callFn', f8), 8);
  assert.equal(await i.call('viaHostFn', f8), 8);
  assert.ok(seen[0] instanceof FuncRef);
  const other = await instance();
  await assert.rejects(other.call('callFn', f7), (e) => e.code === 'Usage' && /another instance/.test(e.message));
  await assert.rejects(i.call('callFn', {}), (e) => e.code === 'Usage' && /FuncRef/.test(e.message));
  // The handle keeps the store alive after the instance object is gone.
  global.gc?.();
  assert.equal(await i.call('callFn', f7), 7);
  i.dispose();
  await assert.rejects(i.call('callFn', f7), (e) => e.code === 'Usage');
});
