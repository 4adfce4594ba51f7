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
