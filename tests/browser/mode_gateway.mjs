// run.mjs gateway: `vivarium serve --gateway` and the browser package's
// socket extension. The C socket guests of the native tests run in Chromium
// and print what `vivarium run` prints with the matching --allow-* grants,
// allowed and refused (NOTCAPABLE for the seed's and WasmEdge's calls, ACCES
// for WAMR's, as natively): the seed client to a loopback echo server, the
// WasmEdge-ABI client, a UDP echo, a look-up of `localhost` and an HTTP GET
// to a local HTTP server, all through the gateway. Raw WebSockets show the
// close codes (denied 4403, bad token 4401, limit 4429, upstream closed
// 4000); many sockets at once report per-message latency (the 1,000-socket
// run is unit_gateway's and bench/gateway's: a page holds about 200).
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startServe, freePort } from './serve_process.mjs';

const LOAD_SOCKETS = 200, LOAD_ROUNDS = 5, WIDE_PAGES = 5;

/** "pong:" + everything received, once the client has shut down its side; or an instant echo. */
function tcpServer(mode) {
  const server = net.createServer((c) => {
    let got = '';
    c.on('data', (d) => { if (mode === 'echo') c.write(d); else got += d; });
    c.on('end', () => { if (mode === 'pong') c.end(`pong:${got}`); else c.end(); });
    c.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, close: () => server.close() })));
}

/** Answers each datagram with "pong:" + it. */
function udpEcho() {
  const s = dgram.createSocket('udp4');
  s.on('message', (m, peer) => s.send(Buffer.concat([Buffer.from('pong:'), m]), peer.port, peer.address));
  return new Promise((resolve) => s.bind(0, '127.0.0.1', () => resolve({ port: s.address().port, close: () => s.close() })));
}

/** GET /hello: "hello from loopback"; anything else 404. */
function httpServer() {
  const server = http.createServer((req, res) => {
    const ok = req.url === '/hello';
    const body = ok ? 'hello from loopback' : 'no';
    res.writeHead(ok ? 200 : 404, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, close: () => server.close() })));
}

/** Connects to the guest's listener once it is up (retrying), sends "knock", returns the answer. */
async function knock(port) {
  for (let tries = 0; tries < 200; tries++) {
    const reply = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => c.end('knock'));
      let got = '';
      c.on('data', (d) => { got += d; });
      c.on('end', () => resolve(got));
      c.on('error', () => resolve(null));
    });
    if (reply !== null) return reply;
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

function runNative(vivarium, args) {
  return new Promise((resolve) => {
    const p = spawn(path.resolve(vivarium), ['run', ...args], { env: { PATH: process.env.PATH } });
    let stdout = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.on('exit', (status) => resolve({ status, stdout }));
  });
}

export default async function ({ repo, opt, startServer, openHarness, screenshot }) {
  const pong = await tcpServer('pong'), other = await tcpServer('pong'), echo = await tcpServer('echo');
  const udp = await udpEcho(), web = await httpServer();
  const listenPort = await freePort();
  const token = crypto.randomBytes(16).toString('hex'), loadToken = crypto.randomBytes(16).toString('hex');
  const oneToken = crypto.randomBytes(16).toString('hex');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'viv-gateway-'));
  const tokenFile = path.join(dir, 'tokens');
  fs.writeFileSync(tokenFile, `# test tokens\n${token} 127.0.0.1:${pong.port} 127.0.0.1:${web.port} udp:127.0.0.1:${udp.port} dns:localhost bind:127.0.0.1:${listenPort}\n${loadToken} 127.0.0.1:${echo.port}\n${oneToken} 127.0.0.1:${echo.port} max=1\n`);
  const gwPort = await freePort();
  const serve = await startServe(opt.vivarium, ['--gateway', `127.0.0.1:${gwPort}`, '--gateway-token-file', tokenFile]);
  const server = await startServer({ mounts: { '/pkg/': path.join(repo, 'bindings/browser/src'),
    '/tests/': path.join(repo, 'tests/browser'), '/guests/': opt.guests } });
  const gw = `ws://127.0.0.1:${gwPort}/connect`;
  const checks = [];
  const check = (name, ok, detail) => { checks.push({ name, ok, detail }); console.log(`${ok ? 'ok' : 'not ok'} - ${name}: ${detail}`); };
  try {
    const page = await openHarness(server);
    // The guest, in the page and natively, allowed and refused.
    const seed = (port) => ['sock_seed_client', '127.0.0.1', String(port), 'ping'];
    const edge = (port) => ['sock_wasmedge_client', '127.0.0.1', String(port), 'edge'];
    const cases = [
      { name: 'seed client allowed', args: seed(pong.port), native: ['--allow-connect', `127.0.0.1:${pong.port}`] },
      { name: 'seed client, port outside policy', args: seed(other.port), native: ['--allow-connect', `127.0.0.1:${pong.port}`] },
      { name: 'WasmEdge-ABI client allowed', args: edge(pong.port), native: ['--allow-connect', `127.0.0.1:${pong.port}`] },
      { name: 'WasmEdge-ABI client, port outside policy', args: edge(other.port), native: ['--allow-connect', `127.0.0.1:${pong.port}`] },
      { name: 'UDP echo (WAMR send_to/recv_from)', args: ['sock_wamr_udp', '127.0.0.1', String(udp.port), 'dgram'],
        native: ['--allow-connect', `udp:127.0.0.1:${udp.port}`] },
      // A TCP grant for the port opens no UDP.
      { name: 'UDP to a port with only a TCP grant', args: ['sock_wamr_udp', '127.0.0.1', String(pong.port), 'dgram'],
        native: ['--allow-connect', `udp:127.0.0.1:${udp.port}`, '--allow-connect', `127.0.0.1:${pong.port}`] },
      { name: 'look-up of localhost', args: ['sock_resolve', 'localhost', '8080'],
        native: ['--allow-dns', 'localhost', '--allow-connect', '127.0.0.1'] },
      { name: 'look-up of a name outside the dns: grants', args: ['sock_resolve', 'vivarium.invalid', '8080'],
        native: ['--allow-dns', 'localhost', '--allow-connect', '127.0.0.1'] },
      { name: 'HTTP GET to a local HTTP server', args: ['sock_http_get', 'localhost', String(web.port), '/hello'],
        native: ['--allow-dns', 'localhost', '--allow-connect', `127.0.0.1:${web.port}`] },
      { name: 'HTTP GET, port outside policy', args: ['sock_http_get', 'localhost', String(other.port), '/hello'],
        native: ['--allow-dns', 'localhost', '--allow-connect', `127.0.0.1:${web.port}`] },
    ];
    const runs = await page.evaluate(([g, cs]) => window.vivTests.socketGuests(g, cs), [{ url: gw, token },
      cases.map((c) => ({ name: c.name, wasm: `/guests/${c.args[0]}.wasm`, args: c.args }))]);
    for (const [i, c] of cases.entries()) {
      // Asynchronously: the servers live in this process.
      const n = await runNative(opt.vivarium, [...c.native, path.resolve(opt.guests, `${c.args[0]}.wasm`), ...c.args.slice(1)]);
      const b = runs[i];
      check(c.name, b.exitCode === n.status && b.stdout === n.stdout,
        `browser exit ${b.exitCode} ${JSON.stringify(b.stdout)}; vivarium run exit ${n.status} ${JSON.stringify(n.stdout)}${b.stderr ? ' stderr ' + b.stderr : ''}`);
    }
    const wants = [[1, 'connect: 76'], [3, 'connect: 76'], [5, 'send_to: 2'], [7, 'resolve: 2'], [9, 'connect: 2'],
      [2, 'reply: pong:edge'], [4, 'reply: pong:dgram'], [6, 'address: 127.0.0.1 port 8080'], [8, 'body: hello from loopback']];
    for (const [i, want] of wants) check(`${cases[i].name} says ${want}`, runs[i].stdout.includes(want), runs[i].stdout.split('\n').join(' | '));

    // A guest server: bound and listening through the gateway, it takes one
    // connection (from here) and answers it; refused on a port without a bind: grant.
    const guestServer = (port) => ['sock_wamr_tcp', 'server', '127.0.0.1', String(port)];
    const listenNative = ['--allow-bind', `127.0.0.1:${listenPort}`];
    const [bs, bsReply] = await Promise.all([page.evaluate(([g, c]) => window.vivTests.socketGuests(g, [c]), [{ url: gw, token },
      { name: 'server', wasm: '/guests/sock_wamr_tcp.wasm', args: guestServer(listenPort) }]).then((r) => r[0]), knock(listenPort)]);
    const [ns, nsReply] = await Promise.all([runNative(opt.vivarium, [...listenNative, path.resolve(opt.guests, 'sock_wamr_tcp.wasm'), ...guestServer(listenPort).slice(1)]),
      knock(listenPort)]);
    check('guest server: listen/accept through the gateway', bs.exitCode === ns.status && bs.stdout === ns.stdout && bsReply === 'echo:knock' && nsReply === 'echo:knock',
      `browser exit ${bs.exitCode} ${JSON.stringify(bs.stdout)} answered ${JSON.stringify(bsReply)}; vivarium run exit ${ns.status} ${JSON.stringify(ns.stdout)} answered ${JSON.stringify(nsReply)}`);
    const other2 = await freePort();
    const [refusedB] = await page.evaluate(([g, c]) => window.vivTests.socketGuests(g, [c]), [{ url: gw, token },
      { name: 'server refused', wasm: '/guests/sock_wamr_tcp.wasm', args: guestServer(other2) }]);
    const refusedN = await runNative(opt.vivarium, [...listenNative, path.resolve(opt.guests, 'sock_wamr_tcp.wasm'), ...guestServer(other2).slice(1)]);
    check('guest server: a port without a bind: grant', refusedB.exitCode === refusedN.status && refusedB.stdout === refusedN.stdout && refusedB.stdout.includes('bind: 2'),
      `browser exit ${refusedB.exitCode} ${JSON.stringify(refusedB.stdout)}; vivarium run exit ${refusedN.status} ${JSON.stringify(refusedN.stdout)}`);

    const probe = (q, shutdown = false) => page.evaluate(([u, sd]) => window.vivTests.wsProbe(u, sd), [`${gw}?${q}`, shutdown]);
    const p1 = await probe(`host=127.0.0.1&port=${other.port}&token=${token}`);
    check('close code: denied', p1.code === 4403, JSON.stringify(p1));
    const p2 = await probe(`host=127.0.0.1&port=${pong.port}&token=wrong${token}`);
    check('close code: bad token', p2.code === 4401, JSON.stringify(p2));
    const p3 = await probe(`host=localhost&port=${pong.port}&token=${token}`);
    check('close code: not an IP address', p3.code === 4400, JSON.stringify(p3));
    const p4 = await probe(`host=127.0.0.1&port=${pong.port}&token=${token}`, true);
    check('close code: upstream closed', p4.code === 4000 && p4.first?.startsWith('connected'), JSON.stringify(p4));
    const lim = await page.evaluate(async (u) => {
      const a = new WebSocket(u);
      await new Promise((r) => { a.onmessage = r; });
      const b = await window.vivTests.wsProbe(u);
      a.close(1000);
      return b;
    }, `${gw}?host=127.0.0.1&port=${echo.port}&token=${oneToken}`);
    check('close code: the token\'s connection limit', lim.code === 4429, JSON.stringify(lim));

    const load = await page.evaluate(([u, n, r]) => window.vivTests.wsLoad(u, n, r),
      [`${gw}?host=127.0.0.1&port=${echo.port}&token=${loadToken}`, LOAD_SOCKETS, LOAD_ROUNDS]);
    check(`${LOAD_SOCKETS} sockets at once`, load.errors === 0 && load.messages === LOAD_SOCKETS * LOAD_ROUNDS,
      `${load.messages} messages, ${load.errors} errors, ${load.ms.toFixed(0)} ms; latency p50 ${load.p50.toFixed(2)} ms, p99 ${load.p99.toFixed(2)} ms, max ${load.max.toFixed(2)} ms`);
    // 1,000 at once from Chromium: 5 pages, each its own browser context
    // (a page holds about 200), all connected before the first message.
    const pages = [];
    for (let i = 0; i < WIDE_PAGES; i++) pages.push(await openHarness(server));
    const wideUrl = `${gw}?host=127.0.0.1&port=${echo.port}&token=${loadToken}`;
    const failedOpen = await Promise.all(pages.map((p) => p.evaluate(([u, n]) => window.vivTests.wsLoadOpen(u, n), [wideUrl, LOAD_SOCKETS])));
    const t0 = performance.now();
    const wide = await Promise.all(pages.map((p) => p.evaluate((r) => window.vivTests.wsLoadGo(r), LOAD_ROUNDS)));
    const ms = performance.now() - t0;
    const lat = wide.flatMap((w) => w.lat).sort((a, b) => a - b);
    const errs = failedOpen.reduce((a, b) => a + b, 0) + wide.reduce((a, w) => a + w.errors, 0);
    const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
    const total = WIDE_PAGES * LOAD_SOCKETS;
    check(`${total} sockets at once from ${WIDE_PAGES} pages`, errs === 0 && lat.length === total * LOAD_ROUNDS,
      `${lat.length} echoes checked, ${errs} errors, ${ms.toFixed(0)} ms; latency p50 ${q(0.5).toFixed(2)} ms, p99 ${q(0.99).toFixed(2)} ms, max ${lat.at(-1)?.toFixed(2)} ms`);
    for (const p of pages) await p.close();
    await page.evaluate((v) => window.vivTests.show(v), checks);
    await screenshot(page, 'gateway.png');
    return checks.every((c) => c.ok);
  } finally {
    await server.close();
    await serve.stop();
    for (const s of [pong, other, echo, udp, web]) s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
