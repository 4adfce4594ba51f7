// The Worker side of runInWorker: runs one guest on this thread, where WASI
// calls may block (Atomics.wait), and reports its output and exit code.
import { Wasi } from './wasi.js';
import { Dir } from './memfs.js';
import { populate } from './index.js';
import { socketExtension } from './sockets.js';

self.onmessage = async ({ data }) => {
  const { module, args, env, preopens = {}, stdin, sockets } = data;
  const post = (type) => (bytes) => self.postMessage({ type, bytes }, [bytes.buffer]);
  try {
    const mounted = {};
    for (const [name, files] of Object.entries(preopens)) mounted[name] = populate(new Dir(), files);
    const extensions = sockets ? [socketExtension(sockets)] : [];
    const wasi = new Wasi({ args, env, preopens: mounted, stdin, stdout: post('stdout'), stderr: post('stderr'), extensions });
    const mod = module instanceof WebAssembly.Module ? module : await WebAssembly.compile(module);
    const instance = await WebAssembly.instantiate(mod, wasi.imports);
    const exitCode = wasi.start(instance);
    self.postMessage({ type: 'exit', exitCode });
  } catch (e) {
    self.postMessage({ type: 'error', message: String(e?.stack ?? e) });
  }
};
