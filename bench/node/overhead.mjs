// @vivarium/node against Node's own WebAssembly, side by side in one run:
//   1. the round trip of `await instance.call('add', 1, 2)`
//   2. a guest calling a JavaScript host function (per call)
//   3. a compute workload (fib(27) in the guest)
//   4. event-loop delay (1 ms setInterval) while 8 guests spin for 2 s
// Usage: node bench/node/overhead.mjs  (after npm ci in bindings/node)
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { Module, Linker } = require('../../bindings/node');

const wat = `(module
  (import "env" "host" (func $host (param i32) (result i32)))
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "callHost") (param $n i32) (result i32) (local $acc i32)
    (block (loop (br_if 1 (i32.eqz (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (call $host (local.get $n))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br 0)))
    (local.get $acc))
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2)) (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "spin") (loop br 0)))`;

// The same module in binary form for V8 (hand-assembled by a tiny encoder would be long; use wat2wasm if present).
import { execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const dir = mkdtempSync(join(tmpdir(), 'viv-bench-'));
writeFileSync(join(dir, 'b.wat'), wat);
execFileSync('wat2wasm', [join(dir, 'b.wat'), '-o', join(dir, 'b.wasm')]);
const bytes = readFileSync(join(dir, 'b.wasm'));

const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
async function time(fn, reps = 5) {
  const xs = [];
  for (let r = 0; r < reps; ++r) { const t = process.hrtime.bigint(); await fn(); xs.push(Number(process.hrtime.bigint() - t) / 1e6); }
  return median(xs);
}

const mod = await Module.compile(bytes);
const linker = new Linker();
linker.define('env', 'host', { params: ['i32'], results: ['i32'] }, (x) => x & 1);
const inst = await linker.instantiate(mod);
const v8 = (await WebAssembly.instantiate(bytes, { env: { host: (x) => x & 1 } })).instance.exports;

const N = 20000, H = 20000;
const rows = [];
const vivAdd = await time(async () => { for (let k = 0; k < N; ++k) await inst.call('add', 1, 2); });
const v8Add = await time(async () => { for (let k = 0; k < N; ++k) await v8.add(1, 2); });
rows.push(['await call add (us/call)', (vivAdd * 1000) / N, (v8Add * 1000) / N]);
const vivHost = await time(() => inst.call('callHost', H), 3);
const v8Host = await time(() => v8.callHost(H), 3);
rows.push(['guest -> JS host fn (us/call)', (vivHost * 1000) / H, (v8Host * 1000) / H]);
const vivFib = await time(() => inst.call('fib', 27), 3);
const v8Fib = await time(() => v8.fib(27), 3);
rows.push(['fib(27) (ms)', vivFib, v8Fib]);

// Parallelism: 100 fib(24) calls spread on 10 instances with Promise.all,
// against the same 100 calls one after another.
const ten = await Promise.all(Array.from({ length: 10 }, () => linker.instantiate(mod)));
const seqMs = await time(async () => { for (let k = 0; k < 100; ++k) await ten[0].call('fib', 24); }, 1);
const cpu0 = process.cpuUsage();
const parMs = await time(() => Promise.all(Array.from({ length: 100 }, (_, k) => ten[k % 10].call('fib', 24))), 1);
const cpu = process.cpuUsage(cpu0);
// CPU time over wall time: above 1 only when workers ran at the same time.
const busy = (cpu.user + cpu.system) / 1000 / parMs;

// Event loop while 8 Vivarium guests spin for 2 s.
const spinners = await Promise.all(Array.from({ length: 8 }, () => linker.instantiate(mod)));
const delays = [];
let last = performance.now();
const timer = setInterval(() => { const now = performance.now(); delays.push(now - last - 1); last = now; }, 1);
await Promise.all(spinners.map((s) => s.invoke('spin', [], { timeout: 2000 }).catch(() => {})));
clearInterval(timer);
delays.sort((a, b) => a - b);

console.log(`pool size ${require('../../bindings/node').poolSize}`);
console.log('measure'.padEnd(34), 'vivarium'.padStart(12), 'node-v8'.padStart(12), 'ratio'.padStart(10));
for (const [name, a, b] of rows) console.log(name.padEnd(34), a.toFixed(3).padStart(12), b.toFixed(3).padStart(12), (a / b).toFixed(1).padStart(10));
console.log(`100 x fib(24): sequential ${seqMs.toFixed(0)} ms, Promise.all on 10 instances ${parMs.toFixed(0)} ms (speed-up ${(seqMs / parMs).toFixed(2)}, CPU/wall ${busy.toFixed(2)}, ${require('node:os').availableParallelism()} cores, load ${require('node:os').loadavg()[0].toFixed(1)})`);
console.log(`event loop while 8 guests spin 2 s: ${delays.length} ticks, p50 ${delays[delays.length >> 1].toFixed(2)} ms, p99 ${delays[Math.floor(delays.length * 0.99)].toFixed(2)} ms delay`);
