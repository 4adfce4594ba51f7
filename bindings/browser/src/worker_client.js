// runInWorker: one guest run in a fresh dedicated Worker, terminated when the
// guest ends -- the instance, its memory and its file system go with it (a
// WebAssembly memory never shrinks, so disposing of the whole thread is how
// a page gets it back).
import { startSocketBridge } from './socket_bridge.js';

/**
 * options: args, env, preopens ({ guestPath: { 'file': bytes|string, 'dir/': null, 'l': { symlink } } },
 * or { guestPath: { files, readonly: true } }),
 * stdin (Uint8Array), stdout(bytes)/stderr(bytes) callbacks, gateway ({ url, token }) for sockets.
 * Resolves to { exitCode, stdout, stderr } (the outputs also collected as bytes).
 */
export function runInWorker(module, options = {}) {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const out = { stdout: [], stderr: [] };
  const bridge = options.gateway ? startSocketBridge(options.gateway) : null;
  return new Promise((resolve, reject) => {
    const finish = (fn, value) => {
      worker.terminate();
      bridge?.close();
      fn(value);
    };
    worker.onmessage = ({ data }) => {
      if (data.type === 'stdout' || data.type === 'stderr') {
        out[data.type].push(data.bytes);
        options[data.type]?.(data.bytes);
      } else if (data.type === 'exit') {
        finish(resolve, { exitCode: data.exitCode, stdout: concat(out.stdout), stderr: concat(out.stderr) });
      } else if (data.type === 'error') {
        finish(reject, new Error(data.message));
      }
    };
    worker.onerror = (e) => finish(reject, new Error(e.message ?? 'worker failed'));
    const { args, env, preopens, stdin } = options;
    worker.postMessage({ module, args, env, preopens, stdin, sockets: bridge?.shared ?? null });
  });
}

function concat(parts) {
  const all = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return all;
}
