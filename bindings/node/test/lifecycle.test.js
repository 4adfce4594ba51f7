'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { Module, Linker } = require('..');
const wat = require('./wat.js');

const lib = JSON.stringify(path.join(__dirname, '..'));
const watJs = JSON.stringify(path.join(__dirname, 'wat.js'));

function runChild(body) {
  const src = `const { Module, Linker } = require(${lib}); const wat = require(${watJs});
    let unhandled = 0; process.on('unhandledRejection', () => { ++unhandled; });
    (async () => { ${body} })().catch((e) => { console.error(e); process.exit(9); });`;
  return spawnSync(process.execPath, ['--expose-gc', '-e', src], { encoding: 'utf8', timeout: 30000 });
}

test('process.exit with guests spinning and a host function pending is clean', () => {
  const r = runChild(`
    const m = await Module.compile(Buffer.from(wat.basic));
    const l = new Linker();
    l.define('env', 'host', { params: ['i32', 'i64'], results: ['i32'] }, () => new Promise(() => {}));
    const insts = await Promise.all([1, 2, 3, 4].map(() => l.instantiate(m)));
    insts.slice(0, 3).forEach((i) => i.call('spin').catch(() => {}));
    insts[3].call('viaHost', 1).catch(() => {});
    setTimeout(() => { console.log('exiting'); process.exit(0); }, 100);`);
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /exiting/);
});

test('a process whose calls all settled exits by itself', () => {
  const r = runChild(`
    const m = await Module.compile(Buffer.from(wat.noImports));
    const i = await new Linker().instantiate(m);
    console.log(await i.call('add', 2, 3), unhandled);`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '5 0');
});

test('10,000 instances created, called and dropped under forced GC: RSS stays flat', async (t) => {
  const m = await Module.compile(Buffer.from(wat.noImports));
  const l = new Linker();
  let unhandled = 0;
  const onUnhandled = () => { ++unhandled; };
  process.on('unhandledRejection', onUnhandled);
  const total = Number(process.env.VIVARIUM_GC_INSTANCES || 10000);
  let pending = [];
  let rssAfterWarmup = 0;
  for (let k = 0; k < total; ++k) {
    const i = await l.instantiate(m);
    // Dropped with its call still running: the call keeps what it needs.
    pending.push(i.call('fib', 12));
    if (k % 7 === 0) pending.push(i.invoke('spin', [], { timeout: 1 }).catch((e) => e.code));
    if (k % 250 === 249) {
      global.gc?.();  // while calls are in flight
      const r = await Promise.all(pending);
      assert.ok(r.every((x) => x === 144 || x === 'DeadlineExceeded'));
      pending = [];
      if (k === 1999) {
        global.gc?.();
        rssAfterWarmup = process.memoryUsage().rss;
      }
    }
  }
  await Promise.all(pending);
  global.gc?.();
  await new Promise((r) => setTimeout(r, 10));
  global.gc?.();
  const growth = (process.memoryUsage().rss - rssAfterWarmup) / 1048576;
  process.off('unhandledRejection', onUnhandled);
  assert.equal(unhandled, 0);
  t.diagnostic(`RSS growth ${growth.toFixed(1)} MiB after warm-up`);
  // AddressSanitizer's quarantine keeps freed memory: RSS is checked without it.
  const sanitized = /asan/.test(process.env.LD_PRELOAD || '');
  if (sanitized) t.diagnostic('RSS bound not checked under AddressSanitizer');
  if (rssAfterWarmup && !sanitized) assert.ok(growth < 48, `RSS grew ${growth.toFixed(1)} MiB over ${total - 2000} instances`);
});
