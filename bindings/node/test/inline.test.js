'use strict';
// Calls that start inline on the main thread (call_fiber.h) and move to a
// worker: the same results either way, host functions sync and async from
// both places, and a long call never holds the loop.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Module, Linker } = require('..');
const wat = require('./wat.js');

async function pair() {
  const m = await Module.compile(Buffer.from(wat.basic));
  const make = (slice, host) => {
    const l = new Linker();
    l.define('env', 'host', { params: ['i32', 'i64'], results: ['i32'] }, host);
    return l.instantiate(m, { mainThreadSliceMicros: slice });
  };
  return make;
}

test('inline and pool-only instances give the same results, with sync and async host functions', async () => {
  const make = await pair();
  const sync = (a, b) => a * 10 + Number(b);
  const later = async (a, b) => { await new Promise((r) => setTimeout(r, 1)); return a * 10 + Number(b); };
  for (const host of [sync, later]) {
    const inline = await make(100, host);
    const pooled = await make(0, host);
    for (const i of [inline, pooled]) {
      assert.equal(await i.call('add', 2, 3), 5);
      assert.equal(await i.call('viaHost', 4), 47);
      assert.equal(await i.call('fib', 22), 17711);  // longer than a slice: finishes on a worker
      await assert.rejects(i.call('boom'), (e) => e.code === 'Unreachable');
    }
    // Interleaved queues on one instance keep their order across both paths.
    const got = await Promise.all([inline.call('viaHost', 1), inline.call('fib', 20), inline.call('add', 1, 1)]);
    assert.deepEqual(got, [17, 6765, 2]);
  }
});

test('a call longer than its slice returns control to the event loop at once', async () => {
  const make = await pair();
  const i = await make(100, () => 0);
  const ac = new AbortController();
  let settled = false;
  const p = i.invoke('spin', [], { signal: ac.signal, timeout: 5000 }).catch((e) => e.code).finally(() => { settled = true; });
  await new Promise((r) => setImmediate(r));
  assert.equal(settled, false);  // still spinning, on a worker
  ac.abort();
  assert.equal(await p, 'DeadlineExceeded');
  assert.equal(await i.call('add', 1, 2), 3);
});

test('a host function throwing from an inline call traps it; the instance goes on', async () => {
  const make = await pair();
  const i = await make(100, () => { throw new Error('no such key'); });
  await assert.rejects(i.call('viaHost', 1), (e) => e.code === 'HostTrap' && /no such key/.test(e.message));
  assert.equal(await i.call('add', 2, 2), 4);
});
