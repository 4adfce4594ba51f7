#!/usr/bin/env node
// Call overhead of @vivarium/node next to Node's own WebAssembly, in one run:
//   node bench/overhead.js [iterations]
// Reports, per round trip (sequential, each awaited):
//   - `await instance.call('add', 1, 2)`
//   - a guest calling a JavaScript host function (guest -> JS -> guest), per host call
// and the same through `WebAssembly` (whose calls are synchronous: awaiting
// one still costs a microtask, which is what the first line measures).
'use strict';
const { Module, Linker } = require('..');
const os = require('node:os');

const N = Number(process.argv[2] || 20000);
// Host calls per guest call in the host-function loop: a short call (well
// inside its inline slice and allowance), as a plugin calling its host a
// few times per request would; the off-thread lines show the worker path.
const HOST_CALLS = 100;

// The guest: add, and a loop calling the host function n times.
const watText = `(module
  (import "env" "host" (func $host (param i32) (result i32)))
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "callHost") (param $n i32) (result i32) (local $acc i32)
    (block (loop
      (br_if 1 (i32.eqz (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (call $host (local.get $n))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br 0)))
    (local.get $acc)))`;

// The same module in binary form for WebAssembly (assembled here; the
// results of both are compared before timing).
const sec = (id, body) => [id, body.length, ...body];
const str = (t) => [t.length, ...Buffer.from(t)];
const vec = (items) => [items.length, ...items.flat()];
const addBody = [0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b];
const loopBody = [0x01, 0x01, 0x7f, 0x02, 0x40, 0x03, 0x40, 0x20, 0x00, 0x45, 0x0d, 0x01,
  0x20, 0x01, 0x20, 0x00, 0x10, 0x00, 0x6a, 0x21, 0x01, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00,
  0x0c, 0x00, 0x0b, 0x0b, 0x20, 0x01, 0x0b];
const wasmBytes = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...sec(1, vec([[0x60, 1, 0x7f, 1, 0x7f], [0x60, 2, 0x7f, 0x7f, 1, 0x7f]])),
  ...sec(2, vec([[...str('env'), ...str('host'), 0x00, 0x00]])),
  ...sec(3, vec([[1], [0]])),
  ...sec(7, vec([[...str('add'), 0x00, 1], [...str('callHost'), 0x00, 2]])),
  ...sec(10, vec([[addBody.length, ...addBody], [loopBody.length, ...loopBody]])),
]);

async function time(label, n, fn) {
  for (let k = 0; k < Math.min(n, 1000); ++k) await fn();  // warm-up
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < n; ++k) await fn();
  const us = Number(process.hrtime.bigint() - t0) / 1e3 / n;
  return us;
}

async function main() {
  const host = (x) => x & 1;
  const vm = await Module.compile(Buffer.from(watText));
  const linker = new Linker();
  linker.define('env', 'host', { params: ['i32'], results: ['i32'] }, host);
  const vi = await linker.instantiate(vm);
  const { instance: wi } = await WebAssembly.instantiate(wasmBytes, { env: { host } });
  if ((await vi.call('add', 1, 2)) !== 3 || wi.exports.add(1, 2) !== 3) throw new Error('add');
  if ((await vi.call('callHost', 100)) !== wi.exports.callHost(100)) throw new Error('callHost');

  const rows = [];
  rows.push(['await call(add, 1, 2)', await time('viv add', N, () => vi.call('add', 1, 2)),
    await time('wasm add', N, async () => wi.exports.add(1, 2))]);
  const loops = Math.max(10, Math.floor(N / HOST_CALLS));
  const vHost = (await time('viv host', loops, () => vi.call('callHost', HOST_CALLS))) / HOST_CALLS;
  const wHost = (await time('wasm host', loops, async () => wi.exports.callHost(HOST_CALLS))) / HOST_CALLS;
  rows.push(['JS host function (per call)', vHost, wHost]);
  // The pool path, for comparison: an instance with inline slices off.
  const vi0 = await linker.instantiate(vm, { mainThreadSliceMicros: 0 });
  rows.push(['await call(add) off-thread only', await time('viv add pool', N, () => vi0.call('add', 1, 2)), NaN]);
  const vHost0 = (await time('viv host pool', loops, () => vi0.call('callHost', HOST_CALLS))) / HOST_CALLS;
  rows.push(['JS host function off-thread only', vHost0, NaN]);

  console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}, ${os.cpus().length} CPUs, node ${process.version}`);
  console.log('round trip                          vivarium µs   WebAssembly µs   ratio');
  for (const [name, v, w] of rows) {
    console.log(`${name.padEnd(36)}${v.toFixed(3).padStart(10)}   ${Number.isNaN(w) ? '           -' : w.toFixed(3).padStart(14)}   ${Number.isNaN(w) ? '' : (v / w).toFixed(1)}`);
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
