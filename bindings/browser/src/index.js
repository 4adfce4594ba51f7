// @vivarium/browser: run WASI preview1 guests with the browser's own
// WebAssembly engine, over an in-memory file system.
import { Wasi } from './wasi.js';
import { Dir, File, Symlink } from './memfs.js';

export { Wasi } from './wasi.js';
export { Dir, File, Symlink, CHUNK } from './memfs.js';
export { E, WasiError, WasiExit } from './constants.js';
export { runInWorker } from './worker_client.js';
export { saveTree, loadTree } from './persist.js';

/** Fills `dir` from { 'a/b.txt': Uint8Array | string, 'sub/': null (a folder), 'l': { symlink: 'target' } }. */
export function populate(dir, files) {
  const enc = new TextEncoder();
  for (const [path, content] of Object.entries(files)) {
    if (path.endsWith('/') || content === null) dir.ensure(path);
    else if (content.symlink !== undefined) dir.ensure(path, () => new Symlink(content.symlink));
    else dir.ensure(path, () => new File(typeof content === 'string' ? enc.encode(content) : content));
  }
  return dir;
}

/**
 * Compiles (if needed), instantiates and runs a command module on this thread.
 * Returns { exitCode }. The instance is dropped at return: nothing of it is kept,
 * so its memory can be collected.
 */
export async function run(module, options = {}) {
  const mod = module instanceof WebAssembly.Module ? module : await WebAssembly.compile(module);
  return runSync(mod, options);
}

export function runSync(mod, options = {}) {
  const wasi = new Wasi(options);
  const instance = new WebAssembly.Instance(mod, wasi.imports);
  const exitCode = wasi.start(instance);
  wasi.memory = null;
  return { exitCode };
}

