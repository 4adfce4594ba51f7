#!/usr/bin/env node
// npm run test:asan: builds the addon and the engine with ASan+UBSan
// (build-asan/) and runs the whole node:test suite with the sanitizer
// runtime preloaded (Node itself is not instrumented, so leak checking is
// off: Node does not free everything at exit).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const env = { ...process.env, VIVARIUM_SANITIZE: '1' };
let r = spawnSync(process.execPath, [path.join(__dirname, 'build.js')], { stdio: 'inherit', env, cwd: root });
if (r.status !== 0) process.exit(r.status ?? 1);
const lib = spawnSync('clang++-19', ['-print-file-name=libclang_rt.asan-x86_64.so'], { encoding: 'utf8' }).stdout.trim();
if (!lib || !fs.existsSync(lib)) {
  console.error('test-asan: no libclang_rt.asan-x86_64.so (clang-19 with libclang-rt-19-dev)');
  process.exit(1);
}
const tests = fs.readdirSync(path.join(root, 'test')).filter((f) => f.endsWith('.test.js')).map((f) => path.join('test', f));
r = spawnSync(process.execPath, ['--expose-gc', '--test', ...tests], {
  stdio: 'inherit', cwd: root,
  env: {
    ...process.env, LD_PRELOAD: lib, VIVARIUM_NODE_ADDON: path.join(root, 'build-asan', 'RelWithDebInfo', 'vivarium_node.node'),
    ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1', UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
  },
});
process.exit(r.status ?? 1);
