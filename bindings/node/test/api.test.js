'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Module, Linker, VivariumError } = require('..');
const wat = require('./wat.js');

async function basic(hostFn = (a, b) => a + Number(b), options = {}) {
  const m = await Module.compile(Buffer.from(wat.basic));
  const l = new Linker();
  l.define('env', 'host', { params: ['i32', 'i64'], results: ['i32'] }, hostFn, options);
  return l.instantiate(m);
}

test('imports and exports carry their types', async () => {
  const m = await Module.compile(Buffer.from(wat.basic));
  assert.deepEqual(m.imports, [{ module: 'env', name: 'host', kind: 'func', type: { params: ['i32', 'i64'], results: ['i32'] } }]);
  const add = m.exports.find((e) => e.name === 'add64');
  assert.deepEqual(add, { name: 'add64', kind: 'func', type: { params: ['i64', 'i64'], results: ['i64'] } });
  assert.deepEqual(m.exports.find((e) => e.name === 'memory'), { name: 'memory', kind: 'memory', type: { min: 1, max: null } });
});

test('calls with i32 and BigInt i64', async () => {
  const i = await basic();
  assert.equal(await i.call('add', 2, 3), 5);
  assert.equal(await i.call('add64', 2n ** 62n, 2n ** 62n), -(2n ** 63n));
  await assert.rejects(i.call('add', 'x', 1), (e) => e instanceof VivariumError && e.code === 'Usage');
  await assert.rejects(i.call('nope'), (e) => e.code === 'NotFound');
  await assert.rejects(i.call('add', 1), /expected 2 arguments/);
});

test('sync and async JavaScript host functions', async () => {
  assert.equal(await (await basic()).call('viaHost', 5), 12);
  const slow = await basic(async (a, b) => { await new Promise((r) => setTimeout(r, 5)); return a * Number(b); });
  assert.equal(await slow.call('viaHost', 6), 42);
});

test('a JavaScript exception becomes a trap with its message', async () => {
  const i = await basic(() => { throw new Error('no such user'); });
  await assert.rejects(i.call('viaHost', 1), (e) => e.phase === 'trap' && e.code === 'HostTrap' && /no such user/.test(e.message));
  const r = await basic(async () => { throw new TypeError('async failure'); });
  await assert.rejects(r.call('viaHost', 1), /async failure/);
  const bad = await basic(() => 'not a number');
  await assert.rejects(bad.call('viaHost', 1), /host function result/);
});

test('traps are VivariumErrors with phase, code and backtrace', async () => {
  const i = await basic();
  await assert.rejects(i.call('boom'), (e) => {
    assert.ok(e instanceof VivariumError);
    assert.equal(e.phase, 'trap');
    assert.equal(e.code, 'Unreachable');
    assert.match(e.backtrace, /boom/);
    return true;
  });
});

test('compile errors carry phase and location', async () => {
  await assert.rejects(Module.compile(Buffer.from([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])),
    (e) => e.phase === 'malformed' && e.code === 'BadVersion');
  await assert.rejects(Module.compile(Buffer.from('(module (func (result i32)))')), (e) => e.phase === 'invalid');
  await assert.rejects(Module.compile('/nonexistent/x.wasm'), (e) => e.phase === 'host');
  const m = await Module.compile(Buffer.from(wat.basic));
  await assert.rejects(new Linker().instantiate(m), (e) => e.phase === 'unlinkable' && /env/.test(e.message));
});

test('AbortSignal stops a runaway loop; the instance stays usable', async () => {
  const i = await basic();
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(i.invoke('spin', [], { signal: ac.signal }), (e) => e.code === 'DeadlineExceeded' && /abort/.test(e.message));
  assert.equal(await i.call('add', 1, 1), 2);
  await assert.rejects(i.invoke('add', [1, 1], { signal: AbortSignal.abort() }), /aborted/);
});

test('timeout and fuel stop a runaway loop', async () => {
  const i = await basic();
  await assert.rejects(i.invoke('spin', [], { timeout: 30 }), (e) => e.code === 'DeadlineExceeded');
  await assert.rejects(i.invoke('spin', [], { fuel: 10000 }), (e) => e.code === 'OutOfFuel' && e.phase === 'exhaustion');
  const capped = await (async () => {
    const m = await Module.compile(Buffer.from(wat.noImports));
    return new Linker().instantiate(m, { limits: { timeout: 30 } });
  })();
  await assert.rejects(capped.call('spin'), (e) => e.code === 'DeadlineExceeded');
});

test('memory caps refuse an instance whose memory is too large', async () => {
  const m = await Module.compile(Buffer.from('(module (memory 4))'));
  await assert.rejects(new Linker().instantiate(m, { limits: { maxMemoryPages: 2 } }), (e) => e.code === 'LimitExceeded');
  await new Linker().instantiate(m, { limits: { maxMemoryBytes: 4 * 65536 } });
});

test('memory views are checked and do not outlive their callback', async () => {
  const i = await basic();
  let kept;
  const r = await i.withMemory((v) => {
    kept = v;
    v.write(100, Buffer.from('hi there'));
    assert.throws(() => v.read(65530, 10), RangeError);
    return v.readString(100, 8);
  });
  assert.equal(r, 'hi there');
  assert.equal(kept.valid, false);
  assert.throws(() => kept.read(0, 1), /used after/);
  assert.equal(await i.global('counter'), 0);
});

test('a host function sees the caller memory for the duration of the call', async () => {
  let kept;
  const i = await basic((caller, a) => { kept = caller.memory; caller.memory.setUint32(0, 99); return caller.memory.getUint32(0) + a; }, { caller: true });
  assert.equal(await i.call('viaHost', 1), 100);
  assert.throws(() => kept.getUint32(0), /used after/);
});

test('a host function cannot call back into its own instance', async () => {
  let inst;
  const i = await basic(async () => inst.call('add', 1, 2));
  inst = i;
  await assert.rejects(i.call('viaHost', 1), /cannot call back/);
  assert.equal(await i.call('add', 1, 2), 3);
});

test('dispose frees the instance after queued calls', async () => {
  const i = await basic();
  const p = i.call('add', 1, 2);
  i.dispose();
  assert.equal(await p, 3);
  await assert.rejects(i.call('add', 1, 2), /disposed/);
});

test('an abort that lands after its call finished does not stop the next call', async () => {
  const i = await basic();
  const ac = new AbortController();
  const p = i.invoke('exclusive', [1, 10], { signal: ac.signal });
  const until = Date.now() + 20;
  while (Date.now() < until);  // the worker finishes; its completion waits for this tick
  ac.abort();
  assert.equal(await p, 1);
  assert.equal(await i.call('exclusive', 2, 100000), 2);
});

test('calls made while an async host function is pending queue behind it', async () => {
  let release;
  const i = await basic(() => new Promise((r) => { release = r; }));
  const outer = i.call('viaHost', 1);
  await new Promise((r) => setTimeout(r, 20));  // the host function is now pending
  const later = i.call('add', 2, 2);              // not re-entrant: queues
  let laterDone = false;
  later.then(() => { laterDone = true; });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(laterDone, false);
  release(41);
  assert.equal(await outer, 41);
  assert.equal(await later, 4);
});

test('host functions with floats and several results', async () => {
  const m = await Module.compile(Buffer.from(`(module
    (import "env" "pair" (func $pair (param f64 f32) (result i32 f64)))
    (func (export "sum") (result f64) (local $a i32) (local $b f64)
      (call $pair (f64.const 1.5) (f32.const 2.25)) (local.set $b) (local.set $a)
      (f64.add (f64.convert_i32_s (local.get $a)) (local.get $b))))`));
  const l = new Linker();
  l.define('env', 'pair', { params: ['f64', 'f32'], results: ['i32', 'f64'] }, (x, y) => [10, x + y]);
  assert.equal(await (await l.instantiate(m)).call('sum'), 13.75);
  l.define('env', 'pair', { params: ['f64', 'f32'], results: ['i32', 'f64'] }, () => 1);
  await assert.rejects((await l.instantiate(m)).call('sum'), /array of 2 results/);
});
