#!/usr/bin/env node
// `npm install` builds the addon from source with cmake-js against the
// headers of the Node that runs this script (/usr/include/node on Debian):
// cmake-js is told that directory through npm_config_nodedir, finds node.h
// there and downloads nothing.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
function nodeHeaderRoot() {
  const candidates = [process.env.npm_config_nodedir, path.resolve(path.dirname(process.execPath), '..'), '/usr'];
  for (const dir of candidates) {
    if (dir && fs.existsSync(path.join(dir, 'include', 'node', 'node_api.h'))) return dir;
  }
  throw new Error('@vivarium/node: no Node headers found (include/node/node_api.h); install the nodejs headers (Debian: libnode-dev) or set npm_config_nodedir');
}
function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

const env = { ...process.env, npm_config_nodedir: nodeHeaderRoot() };
const args = [require.resolve('cmake-js/bin/cmake-js'), process.argv[2] || 'build', '-d', root];
const debug = process.env.VIVARIUM_NODE_DEBUG === '1';
args.push(debug ? '--debug' : '--config=RelWithDebInfo');
args.push(`--CDCMAKE_BUILD_TYPE=${debug ? 'Debug' : 'RelWithDebInfo'}`);
if (which('ninja')) args.push('-G', 'Ninja');
const cc = which('clang-19'), cxx = which('clang++-19');
if (cc && cxx) args.push(`--CDCMAKE_C_COMPILER=${cc}`, `--CDCMAKE_CXX_COMPILER=${cxx}`);
if (which('ccache')) args.push('--CDCMAKE_C_COMPILER_LAUNCHER=ccache', '--CDCMAKE_CXX_COMPILER_LAUNCHER=ccache');
if (process.env.VIVARIUM_SANITIZE === '1') args.push('--CDVIVARIUM_SANITIZE=ON', '-O', path.join(root, 'build-asan'));
args.push('--parallel', process.env.VIVARIUM_NODE_JOBS || '2');
const r = spawnSync(process.execPath, args, { stdio: 'inherit', env, cwd: root });
process.exit(r.status ?? 1);
