// run.mjs gateway: `vivarium serve --gateway` and the browser package's
// socket extension. The C socket client of the native tests
// (sock_seed_client) runs in Chromium and reaches a loopback echo server
// through the gateway, printing what `vivarium run --allow-connect` prints;
// it is refused (NOTCAPABLE, as natively) outside its token's policy; raw
// WebSockets show the close codes (denied 4403, bad token 4401, limit 4429,
// upstream closed 4000); many sockets at once report per-message latency.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startServe, freePort } from './serve_process.mjs';

const LOAD_SOCKETS = 200, LOAD_ROUNDS = 5;

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
  const token = crypto.randomBytes(16).toString('hex'), loadToken = crypto.randomBytes(16).toString('hex');
  const oneToken = crypto.randomBytes(16).toString('hex');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'viv-gateway-'));
  const tokenFile = path.join(dir, 'tokens');
  fs.writeFileSync(tokenFile, `# test tokens\n${token} 127.0.0.1:${pong.port}\n${loadToken} 127.0.0.1:${echo.port}\n${oneToken} 127.0.0.1:${echo.port} max=1\n`);
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
    const cases = [
      { name: 'seed client allowed', port: pong.port, native: [`--allow-connect`, `127.0.0.1:${pong.port}`] },
      { name: 'seed client, port outside policy', port: other.port, native: [`--allow-connect`, `127.0.0.1:${pong.port}`] },
    ];
    const runs = await page.evaluate(([g, cs]) => window.vivTests.socketGuests(g, cs), [{ url: gw, token },
      cases.map((c) => ({ name: c.name, wasm: '/guests/sock_seed_client.wasm', args: ['sock_seed_client', '127.0.0.1', String(c.port), 'ping'] }))]);
    for (const [i, c] of cases.entries()) {
      // Asynchronously: the echo servers live in this process.
      const n = await runNative(opt.vivarium, [...c.native, path.resolve(opt.guests, 'sock_seed_client.wasm'), '127.0.0.1', String(c.port), 'ping']);
      const b = runs[i];
      check(c.name, b.exitCode === n.status && b.stdout === n.stdout,
        `browser exit ${b.exitCode} ${JSON.stringify(b.stdout)}; vivarium run exit ${n.status} ${JSON.stringify(n.stdout)}${b.stderr ? ' stderr ' + b.stderr : ''}`);
    }
    const denied = runs[1].stdout.includes('connect: 76');
    check('refused outside the policy is NOTCAPABLE', denied, runs[1].stdout.split('\n')[0]);

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
    await page.evaluate((v) => window.vivTests.show(v), checks);
    await screenshot(page, 'gateway.png');
    return checks.every((c) => c.ok);
  } finally {
    await server.close();
    await serve.stop();
    for (const s of [pong, other, echo]) s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
