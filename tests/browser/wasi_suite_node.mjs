// The WASI preview1 suite run in Node through @vivarium/browser's own code
// (same Wasi class as the page, on this thread): a quick check without a
// browser. Usage: node wasi_suite_node.mjs [SUITE_ROOT] [NAME_FILTER]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { suiteCases } from './suite_cases.mjs';
import { verdict } from './verdict.mjs';
import { Dir, Wasi, populate } from '../../bindings/browser/src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = process.argv[2] ?? path.resolve(here, '../../../shared/wasi-testsuite');
if (!fs.existsSync(root)) { console.log(`wasi-testsuite not found at ${root}; skipped`); process.exit(77); }
const filter = process.argv[3] ?? '';
const dec = new TextDecoder();
let passed = 0, failed = 0;
for (const c of suiteCases(root)) {
  if (!c.name.includes(filter)) continue;
  const out = { stdout: '', stderr: '' };
  const preopens = {};
  for (const [name, files] of Object.entries(c.preopens)) {
    preopens[name] = populate(new Dir(), Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v === null ? null : Buffer.from(v, 'base64')])));
  }
  const wasi = new Wasi({ args: [c.name, ...c.spec.args.map(String)], env: c.spec.env, preopens,
    stdout: (b) => { out.stdout += dec.decode(b); }, stderr: (b) => { out.stderr += dec.decode(b); } });
  let exitCode;
  try {
    const mod = new WebAssembly.Module(fs.readFileSync(path.join(root, c.wasm)));
    exitCode = wasi.start(new WebAssembly.Instance(mod, wasi.imports));
  } catch (e) {
    exitCode = `trap ${e.message}`;
  }
  const err = verdict(c.spec, { exitCode, ...out });
  if (err) { failed++; console.log(`not ok - ${c.name}: ${err}`); } else { passed++; console.log(`ok - ${c.name}`); }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
