'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { Module, handle } = require('..');

const hello = path.join(__dirname, '..', '..', '..', 'examples', 'hello-service.wat');

test('handle(): a Terrarium guest answers a WHATWG Request with a Response', async () => {
  const m = await Module.compile(hello);
  const res = await handle(m, new Request('http://example.test/path?q=1'));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.equal(await res.text(), 'Hello from Vivarium!\n');
});

test('handle(): a trapping guest answers 500 with the trap; a spinning one 504', async () => {
  const trap = await Module.compile(Buffer.from('(module (memory 1) (func (export "run") unreachable))'));
  const r = await handle(trap, new Request('http://x/'));
  assert.equal(r.status, 500);
  assert.equal(r.vivarium.kind, 'trap');
  const spin = await Module.compile(Buffer.from('(module (memory 1) (func (export "run") (loop br 0)))'));
  const s = await handle(spin, new Request('http://x/'), { timeout: 50 });
  assert.equal(s.status, 504);
  await assert.rejects(handle(await Module.compile(Buffer.from('(module)')), new Request('http://x/')), /run/);
});

test('handle(): a node:http server hosts the guest', async () => {
  const m = await Module.compile(fs.readFileSync(hello));
  const server = http.createServer(async (req, res) => {
    const r = await handle(m, new Request(`http://localhost${req.url}`, { method: req.method }));
    res.writeHead(r.status, Object.fromEntries(r.headers));
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  const bodies = await Promise.all(Array.from({ length: 20 }, () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())));
  assert.ok(bodies.every((b) => b === 'Hello from Vivarium!\n'));
  server.close();
});
