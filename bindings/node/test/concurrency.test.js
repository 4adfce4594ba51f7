'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Module, Linker, poolSize } = require('..');
const wat = require('./wat.js');

const compile = () => Module.compile(Buffer.from(wat.noImports));

test('Promise.all over 100 calls on 10 instances equals sequential results', async () => {
  const m = await compile();
  const l = new Linker();
  const insts = await Promise.all(Array.from({ length: 10 }, () => l.instantiate(m)));
  const ns = Array.from({ length: 100 }, (_, k) => 10 + (k % 12));
  const parallel = await Promise.all(ns.map((n, k) => insts[k % 10].call('fib', n)));
  const sequential = [];
  for (const n of ns) sequential.push(await insts[0].call('fib', n));
  assert.deepEqual(parallel, sequential);
  assert.ok(poolSize >= 1);
});

test('100 concurrent calls on one instance never interleave', async () => {
  const m = await Module.compile(Buffer.from(wat.basic));
  const l = new Linker();
  l.define('env', 'host', { params: ['i32', 'i64'], results: ['i32'] }, () => 0);
  const i = await l.instantiate(m);
  // Each call stores its value, spins, and returns what it reads back:
  // an overlapping call would have overwritten it.
  const got = await Promise.all(Array.from({ length: 100 }, (_, k) => i.call('exclusive', k + 1, 20000)));
  assert.deepEqual(got, Array.from({ length: 100 }, (_, k) => k + 1));
  // withMemory queued behind the calls sees the last one complete.
  const p = Promise.all(Array.from({ length: 10 }, (_, k) => i.call('exclusive', 1000 + k, 20000)));
  const seen = await i.withMemory((v) => v.getUint32(0));
  await p;
  assert.equal(seen, 1009);
  assert.equal(await i.global('counter'), 110);
});

test('an aborted runaway guest leaves other calls running', async () => {
  const m = await compile();
  const l = new Linker();
  const [a, b] = await Promise.all([l.instantiate(m), l.instantiate(m)]);
  const ac = new AbortController();
  const spinning = a.invoke('spin', [], { signal: ac.signal });
  const results = await Promise.all(Array.from({ length: 20 }, () => b.call('fib', 15)));
  assert.ok(results.every((r) => r === 610));
  ac.abort();
  await assert.rejects(spinning, /abort/);
  assert.equal(await a.call('add', 2, 2), 4);
});

test('the event loop stays free while guests spin', async () => {
  const m = await compile();
  const l = new Linker();
  const insts = await Promise.all(Array.from({ length: 8 }, () => l.instantiate(m)));
  const spins = insts.map((i) => i.invoke('spin', [], { timeout: 500 }).catch((e) => e.code));
  const delays = [];
  let last = performance.now();
  const timer = setInterval(() => { const now = performance.now(); delays.push(now - last - 1); last = now; }, 1);
  const codes = await Promise.all(spins);
  clearInterval(timer);
  assert.ok(codes.every((c) => c === 'DeadlineExceeded'));
  delays.sort((x, y) => x - y);
  const p99 = delays[Math.floor(delays.length * 0.99)];
  // Loose bound for a shared CI machine; the benchmark reports the figure.
  assert.ok(delays.length > 50, `interval fired ${delays.length} times`);
  assert.ok(p99 < 50, `p99 interval delay ${p99.toFixed(2)} ms`);
});
