// Runs a guest under Node.js's own WASI (node:wasi, uvwasi) with the same
// flags `vivarium run` takes, so the CTest driver can compare the two:
//   node node_wasi_run.mjs [--dir HOST::GUEST]... [--env K=V]... MODULE [ARGS...]
// Exits with the guest's exit code.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import process from 'node:process';

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
let i = 0;
for (; i < argv.length; ++i) {
  const a = argv[i];
  if (a === '--dir' || a === '--dir-ro') {
    const spec = argv[++i];
    const sep = spec.indexOf('::');
    const host = sep < 0 ? spec : spec.slice(0, sep);
    const guest = sep < 0 ? spec : spec.slice(sep + 2);
    preopens[guest] = host;  // node has no read-only preopens
  } else if (a === '--env') {
    const kv = argv[++i];
    const eq = kv.indexOf('=');
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  } else {
    break;
  }
}
const module = argv[i];
const args = [module, ...argv.slice(i + 1)];
const wasi = new WASI({ version: 'preview1', args, env, preopens, returnOnExit: true });
const wasm = await WebAssembly.compile(await readFile(module));
const instance = await WebAssembly.instantiate(wasm, wasi.getImportObject());
const code = wasi.start(instance);
process.exitCode = code;
