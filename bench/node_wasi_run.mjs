// The V8 side of bench/run: runs a WASI command module under Node.js's
// node:wasi with the given arguments and passes its exit code through.
// Compilation happens before _start, so the kernel time the workload measures
// for itself covers execution only (as it does under Vivarium).
//   node --no-warnings node_wasi_run.mjs MODULE.wasm [ARGS...]
import { readFile } from 'node:fs/promises';
import process from 'node:process';
import { WASI } from 'node:wasi';

const [path, ...args] = process.argv.slice(2);
if (!path) {
  process.stderr.write('usage: node node_wasi_run.mjs MODULE.wasm [ARGS...]\n');
  process.exit(2);
}
const wasi = new WASI({ version: 'preview1', args: [path, ...args], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(path));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
