'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Writable } = require('node:stream');
const { Module, Linker } = require('..');
const wat = require('./wat.js');

test('WASI stdout/stderr reach callbacks and streams before the call settles', async () => {
  const m = await Module.compile(Buffer.from(wat.wasiHello));
  let out = '';
  const errChunks = [];
  const err = new Writable({ write(c, _e, cb) { errChunks.push(String(c)); cb(); } });
  const i = await new Linker().instantiate(m, { wasi: { args: ['hello'], stdout: (c) => { out += c; }, stderr: err } });
  assert.equal(await i.start(), 3);
  assert.equal(out, 'hello\n');
  assert.equal(errChunks.join(''), 'err\n');
});

test('WASI preopens and args', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'viv-node-'));
  fs.writeFileSync(path.join(dir, 'f.txt'), 'x');
  const m = await Module.compile(Buffer.from(`(module
    (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $name (param i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "argc") (result i32) (drop (call $sizes (i32.const 0) (i32.const 4))) (i32.load (i32.const 0)))
    (func (export "prestat") (result i32) (call $name (i32.const 3) (i32.const 100) (i32.const 5))))`));
  const i = await new Linker().instantiate(m, { wasi: { args: ['a', 'b', 'c'], preopens: { '/data': dir } } });
  assert.equal(await i.call('argc'), 3);
  assert.equal(await i.call('prestat'), 0);
  assert.equal(await i.withMemory((v) => v.readString(100, 5)), "/data");
  fs.rmSync(dir, { recursive: true });
});

test('WASI sockets: denied without a grant, connected with one (loopback)', async () => {
  const net = require('node:net');
  const server = net.createServer((s) => s.end());
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  const m = await Module.compile(Buffer.from(`(module
    (import "wasi_snapshot_preview1" "sock_connect" (func $connect (param i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "connect") (param $port i32) (result i32)
      (call $connect (i32.const 0x7F000001) (local.get $port) (i32.const 0))))`));
  const denied = await new Linker().instantiate(m, { wasi: {} });
  assert.equal(await denied.call('connect', port), 76);  // NOTCAPABLE
  const granted = await new Linker().instantiate(m, { wasi: { sockets: { connect: [`127.0.0.1:${port}`] } } });
  assert.equal(await granted.call('connect', port), 0);
  await assert.rejects(new Linker().instantiate(m, { wasi: { sockets: { connect: ['not a grant!'] } } }), (e) => e.code === 'Usage');
  server.close();
});

test('WASI stdin from a string; ignore and descriptors for output', async () => {
  const m = await Module.compile(Buffer.from(`(module
    (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "readAll") (result i32)
      (i32.store (i32.const 0) (i32.const 64))
      (i32.store (i32.const 4) (i32.const 100))
      (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
      (i32.load (i32.const 8))))`));
  const i = await new Linker().instantiate(m, { wasi: { stdin: 'piped input', stdout: 'ignore' } });
  assert.equal(await i.call('readAll'), 11);
  assert.equal(await i.withMemory((v) => v.readString(64, 11)), 'piped input');
});

// Reads stdin to its end, 4 KiB at a time: returns the byte count and keeps
// a running sum of the bytes at address 0.
const catWat = `(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "drain") (result i32) (local $total i32) (local $n i32) (local $k i32)
    (block $eof (loop $more
      (i32.store (i32.const 16) (i32.const 4096))
      (i32.store (i32.const 20) (i32.const 4096))
      (br_if $eof (i32.ne (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)) (i32.const 0)))
      (local.set $n (i32.load (i32.const 24)))
      (br_if $eof (i32.eqz (local.get $n)))
      (local.set $total (i32.add (local.get $total) (local.get $n)))
      (local.set $k (i32.const 0))
      (block $done (loop $sum
        (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
        (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.load8_u (i32.add (i32.const 4096) (local.get $k)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $sum)))
      (br $more)))
    (local.get $total)))`;

test('WASI stdin from a Readable stream and from an async iterable, with backpressure', async () => {
  const { Readable } = require('node:stream');
  const m = await Module.compile(Buffer.from(catWat));
  // 300 KiB in 1 KiB chunks produced over time: more than a pipe holds, so
  // the source must wait for the guest.
  const chunk = Buffer.alloc(1024, 3);
  let produced = 0;
  async function* slowly() {
    for (let k = 0; k < 300; ++k) {
      if (k % 50 === 0) await new Promise((r) => setTimeout(r, 2));
      produced += chunk.length;
      yield chunk;
    }
  }
  const fromStream = await new Linker().instantiate(m, { wasi: { stdin: Readable.from(slowly()) } });
  assert.equal(await fromStream.call('drain'), 300 * 1024);
  assert.equal(await fromStream.withMemory((v) => v.getUint32(0)), 300 * 1024 * 3);
  assert.equal(produced, 300 * 1024);
  const fromIterable = await new Linker().instantiate(m, { wasi: { stdin: (async function* () { yield 'ab'; yield Buffer.from('cd'); })() } });
  assert.equal(await fromIterable.call('drain'), 4);
  // A guest that never reads: the source is paused once the pipe and the
  // stream buffers are full (without backpressure it would push forever).
  let pushed = 0;
  const endless = new Readable({ read() { pushed += 65536; this.push(Buffer.alloc(65536)); } });
  const idle = await new Linker().instantiate(m, { wasi: { stdin: endless } });
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(pushed < 4 << 20, `${pushed} bytes pushed to a guest that reads nothing`);
  // It goes away: the rest of the stream is dropped, without an error.
  idle.dispose();
  await new Promise((r) => setTimeout(r, 20));
  endless.destroy();
});
