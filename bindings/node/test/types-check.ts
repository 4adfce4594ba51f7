// Compiled (not run) by test/types.test.js: the README's usage typechecks.
import { Module, Linker, VivariumError, FuncRef, handle, type Instance, type V128Value } from '../lib/index.js';

async function main(): Promise<void> {
  const mod: Module = await Module.compile(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  const linker = new Linker();
  linker.define('env', 'log', { params: ['i32'], results: [] }, (x: number) => { console.log(x); });
  linker.define('env', 'read', { params: ['i32', 'i32'], results: ['i32'] },
    (caller: { memory: { readString(a: number, l: number): string } }, p: number, l: number) => caller.memory.readString(p, l).length,
    { caller: true });
  const inst: Instance = await linker.instantiate(mod, { limits: { maxMemoryBytes: 1 << 20, fuel: 1_000_000 }, wasi: { args: ['x'], stdout: (c) => process.stdout.write(c) } });
  const sum: number = await inst.call('add', 1, 2);
  const big: bigint = await inst.call('add64', 1n, 2n);
  const ac = new AbortController();
  try {
    await inst.invoke('spin', [], { signal: ac.signal, timeout: 100 });
  } catch (e) {
    if (e instanceof VivariumError) console.log(e.phase, e.code, e.backtrace, e.location.offset);
  }
  const n: number = await inst.withMemory((v) => v.getUint32(0));
  const lanes: V128Value = await inst.call('addV', new Uint8Array(16), 1n);
  const f: FuncRef | null = await inst.call('fn', 0);
  await inst.call('callFn', f);
  await inst.call('idExt', { any: 'value' });
  await inst.setGlobal('ext', Symbol('x'));
  linker.define('env', 'v', { params: ['v128', 'externref', 'funcref'], results: ['v128'] }, (v: Uint8Array) => v);
  const fast = await linker.instantiate(mod, { mainThreadSliceMicros: 0 });
  const { Readable } = await import('node:stream');
  await linker.instantiate(mod, { wasi: { stdin: Readable.from(['a', 'b']) } });
  await linker.instantiate(mod, { wasi: { stdin: (async function* () { yield new Uint8Array(1); })() } });
  console.log(lanes.length, fast.exports.length);
  const res = await handle(mod, new Request('http://x/'), { timeout: 100 });
  console.log(sum, big, n, mod.exports.map((e) => e.name), res.status, res.vivarium.kind);
}
void main;
