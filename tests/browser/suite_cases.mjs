// The WASI test suite's cases as plain data, shared by the Node check and the
// browser page: for each case its name, wasm path, spec (args, env, root,
// dirs, exit_code, stdout) and the files of its preopened folders. Node only
// (reads the disk); the static server hands the result to the page as JSON.
import fs from 'node:fs';
import path from 'node:path';

export function suiteDirs(root) {
  return ['c', 'rust', 'assemblyscript']
    .map((l) => path.join(root, 'tests', l, 'testsuite', 'wasm32-wasip1'))
    .filter((d) => fs.existsSync(d));
}

/** { 'a.txt': 'base64', 'sub/': null } for a folder, without the *.cleanup leftovers. */
function filesOf(dir, prefix = '', out = {}) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.endsWith('.cleanup')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { out[prefix + e.name + '/'] = null; filesOf(p, prefix + e.name + '/', out); }
    else out[prefix + e.name] = fs.readFileSync(p).toString('base64');
  }
  return out;
}

export function suiteCases(root) {
  const cases = [];
  for (const dir of suiteDirs(root)) {
    const lang = path.basename(path.dirname(path.dirname(dir)));
    for (const name of fs.readdirSync(dir).sort()) {
      if (!name.endsWith('.wasm')) continue;
      const specPath = path.join(dir, name.replace(/\.wasm$/, '.json'));
      const spec = { args: [], env: {}, dirs: [], exit_code: 0,
        ...(fs.existsSync(specPath) ? JSON.parse(fs.readFileSync(specPath, 'utf8')) : {}) };
      const preopens = {};
      if (spec.root) preopens['/'] = filesOf(path.join(dir, spec.root));
      for (const d of spec.dirs ?? []) preopens[d] = filesOf(path.join(dir, d));
      cases.push({ name: `${lang}/${name}`, wasm: path.relative(root, path.join(dir, name)), spec, preopens });
    }
  }
  return cases;
}
