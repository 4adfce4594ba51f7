// The Worker side of runInWorker: runs one guest on this thread, where WASI
// calls may block (Atomics.wait), and reports its output and exit code.
import { Wasi } from './wasi.js';
import { Dir } from './memfs.js';
import { populate } from './index.js';
import { socketExtension } from './sockets.js';

const TRAP_EXIT = 134;

self.onmessage = async ({ data }) => {
  const { module, args, env, preopens = {}, stdin, sockets } = data;
  const post = (type) => (bytes) => self.postMessage({ type, bytes }, [bytes.buffer]);
  try {
    const mounted = {};
    // { guestPath: files } or { guestPath: { files, readonly: true } }
    for (const [name, p] of Object.entries(preopens)) {
      mounted[name] = p.files ? { dir: populate(new Dir(), p.files), readonly: p.readonly } : populate(new Dir(), p);
    }
    const mod = module instanceof WebAssembly.Module ? module : await WebAssembly.compile(module);
    const names = WebAssembly.Module.imports(mod).filter((i) => i.module === 'wasi_snapshot_preview1').map((i) => i.name);
    const extensions = sockets ? [socketExtension(sockets, names)] : [];
    const wasi = new Wasi({ args, env, preopens: mounted, stdin, stdout: post('stdout'), stderr: post('stderr'), extensions });
    const instance = await WebAssembly.instantiate(mod, wasi.imports);
    let exitCode;
    try {
      exitCode = wasi.start(instance);
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      // A trap ends the guest as under `vivarium run`: exit code 134, the reason on stderr.
      post('stderr')(new TextEncoder().encode(`trap: ${e.message}\n`));
      exitCode = TRAP_EXIT;
    }
    self.postMessage({ type: 'exit', exitCode });
  } catch (e) {
    self.postMessage({ type: 'error', message: String(e?.stack ?? e) });
  }
};
