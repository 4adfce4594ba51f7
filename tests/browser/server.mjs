// A static HTTP server on 127.0.0.1 (a free port) for the browser tests, with
// the two headers that make a page cross-origin isolated -- without them the
// browser gives it no SharedArrayBuffer and a Worker could not block:
//   Cross-Origin-Opener-Policy: same-origin
//   Cross-Origin-Embedder-Policy: require-corp
// mounts: { '/pkg/': folder, ... } (longest prefix wins); routes: { '/x.json': () => body }.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html', '.json': 'application/json',
  '.wasm': 'application/wasm', '.css': 'text/css', '.wat': 'text/plain' };

export function startServer({ mounts = {}, routes = {} }) {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cache-Control': 'no-store' };
    const send = (status, body, type = 'text/plain') => { res.writeHead(status, { ...headers, 'Content-Type': type }); res.end(body); };
    if (routes[url.pathname]) return send(200, routes[url.pathname](), 'application/json');
    const prefix = prefixes.find((p) => url.pathname.startsWith(p));
    if (!prefix) return send(404, 'not found');
    const base = path.resolve(mounts[prefix]);
    const file = path.resolve(base, decodeURIComponent(url.pathname.slice(prefix.length)));
    if (!file.startsWith(base + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return send(404, 'not found');
    send(200, fs.readFileSync(file), TYPES[path.extname(file)] ?? 'application/octet-stream');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  })));
}
