// The in-page half of the browser tests: runs guests with @vivarium/browser
// and lists each result in the page's table (what the screenshots show).
let viv, verdict;
const dec = new TextDecoder();
const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

export function setup(pkg, verdictFn) { viv = pkg; verdict = verdictFn; }

function row(name, ok, detail) {
  const tr = document.getElementById('results').insertRow();
  tr.insertCell().textContent = name;
  const cell = tr.insertCell();
  cell.textContent = ok ? 'ok' : 'FAIL';
  cell.className = ok ? 'ok' : 'fail';
  const pre = document.createElement('pre');
  pre.textContent = detail;
  tr.insertCell().append(pre);
}

const decodeTree = (files) => Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v === null ? null : b64(v)]));

/** The official WASI preview1 suite, each case in its own Worker over an in-memory copy of its folders. */
export async function wasiSuite() {
  document.getElementById('title').textContent = 'WASI preview1 test suite in Chromium';
  const cases = await (await fetch('/suite/cases.json')).json();
  let passed = 0;
  const lines = [];
  for (const c of cases) {
    const wasm = new Uint8Array(await (await fetch('/suite/' + c.wasm)).arrayBuffer());
    const preopens = Object.fromEntries(Object.entries(c.preopens).map(([k, v]) => [k, decodeTree(v)]));
    let err;
    try {
      const r = await viv.runInWorker(wasm, { args: [c.name, ...c.spec.args.map(String)], env: c.spec.env, preopens });
      err = verdict(c.spec, { exitCode: r.exitCode, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) });
    } catch (e) {
      err = String(e.message ?? e);
    }
    if (!err) passed++;
    lines.push(`${err ? 'not ok' : 'ok'} - ${c.name}${err ? ': ' + err : ''}`);
    row(c.name, !err, err);
  }
  document.getElementById('summary').textContent = `${passed} of ${cases.length} passed (crossOriginIsolated: ${self.crossOriginIsolated})`;
  return { passed, total: cases.length, lines };
}

/** Runs guests given as { name, wasm (URL), args, env, preopens, stdin (string) }; returns their outputs. */
export async function guests(cases) {
  document.getElementById('title').textContent = 'Project WASI guests in Chromium';
  const out = [];
  for (const c of cases) {
    const wasm = new Uint8Array(await (await fetch(c.wasm)).arrayBuffer());
    try {
      const r = await viv.runInWorker(wasm, { args: c.args, env: c.env, preopens: c.preopens,
        stdin: c.stdin == null ? undefined : new TextEncoder().encode(c.stdin) });
      out.push({ name: c.name, exitCode: r.exitCode, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) });
    } catch (e) {
      out.push({ name: c.name, exitCode: null, stdout: '', stderr: String(e.message ?? e) });
    }
  }
  return out;
}

/** Shows the driver's verdicts in the table (the page cannot run `vivarium run` itself). */
export function show(results) {
  for (const r of results) row(r.name, r.ok, r.detail);
  const bad = results.filter((r) => !r.ok).length;
  document.getElementById('summary').textContent = `${results.length - bad} of ${results.length} match vivarium run`;
}

async function measure() {
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 50));
  globalThis.gc?.();
  const m = await performance.measureUserAgentSpecificMemory();
  return m.bytes;
}

/** Runs a guest n times on this thread (instances dropped each time); the page's memory before and after. */
export async function memory(url, n) {
  document.getElementById('title').textContent = `Memory: one guest run ${n} times`;
  const mod = await WebAssembly.compile(await (await fetch(url)).arrayBuffer());
  const quiet = { args: ['hello'], stdout: () => {}, stderr: () => {} };
  for (let i = 0; i < 50; i++) viv.runSync(mod, quiet);
  const before = await measure();
  let exits = 0;
  for (let i = 0; i < n; i++) exits += viv.runSync(mod, quiet).exitCode;
  const after = await measure();
  const result = { runs: n, before, after, growth: after - before, exits };
  row(`${n} runs`, true, JSON.stringify(result));
  return result;
}

/** Guests with the socket extension over the gateway ({ url, token }). */
export async function socketGuests(gateway, cases) {
  document.getElementById('title').textContent = 'Socket guests through the gateway';
  const out = [];
  for (const c of cases) {
    const wasm = new Uint8Array(await (await fetch(c.wasm)).arrayBuffer());
    const r = await viv.runInWorker(wasm, { args: c.args, gateway: { url: gateway.url, token: c.token ?? gateway.token } });
    out.push({ name: c.name, exitCode: r.exitCode, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) });
  }
  return out;
}

/** One raw WebSocket to the gateway: how it ended (code, reason) and what came first; `shutdown` once connected. */
export function wsProbe(url, shutdown = false) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    let first = null;
    ws.onmessage = (m) => {
      first ??= String(m.data);
      if (shutdown && String(m.data).startsWith('connected')) ws.send('shutdown');
    };
    ws.onclose = (c) => resolve({ code: c.code, reason: c.reason, first });
  });
}

/** n WebSockets open at once, each sending `rounds` messages to an echo server; per-message latency in ms. */
/**
 * n WebSockets opened and held (all connected when this resolves; how many
 * failed), for wsLoadGo: pages in several browser contexts together hold more
 * sockets than one page may.
 */
export async function wsLoadOpen(url, n) {
  const open = await Promise.all(Array.from({ length: n }, () => new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (m) => { if (typeof m.data === 'string' && m.data.startsWith('connected')) resolve(ws); };
    ws.onclose = () => resolve(null);
  })));
  window.heldSockets = open.filter(Boolean);
  return n - window.heldSockets.length;
}

/** `rounds` messages on each held socket, one at a time, each echo checked; the raw latencies (ms). */
export async function wsLoadGo(rounds) {
  const lat = [];
  let errors = 0;
  await Promise.all(window.heldSockets.map((ws, i) => new Promise((resolve) => {
    let sent = 0, t = 0, want = '', got = '';
    const next = () => { want = `socket ${i} message ${sent++}`; got = ''; t = performance.now(); ws.send(new TextEncoder().encode(want)); };
    ws.onmessage = (m) => {
      got += new TextDecoder().decode(m.data);
      if (got.length < want.length) return;
      if (got !== want) errors++;
      lat.push(performance.now() - t);
      if (sent < rounds) next(); else ws.close(1000);
    };
    ws.onclose = (c) => { if (sent < rounds || c.code !== 1000) errors++; resolve(); };
    next();
  })));
  return { lat, errors };
}

export async function wsLoad(url, n, rounds) {
  const lat = [];
  let errors = 0;
  const one = () => new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    let sent = 0, t = 0;
    const next = () => { t = performance.now(); ws.send(new TextEncoder().encode(`m${sent++}`)); };
    ws.onmessage = (m) => {
      if (typeof m.data === 'string') return next();  // "connected ..."
      lat.push(performance.now() - t);
      if (sent < rounds) next(); else ws.close(1000);
    };
    ws.onclose = (c) => { if (sent < rounds || c.code !== 1000) errors++; resolve(); };
  });
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, one));
  lat.sort((a, b) => a - b);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  return { sockets: n, messages: lat.length, errors, ms: performance.now() - t0, p50: q(0.5), p99: q(0.99), max: lat[lat.length - 1] };
}
