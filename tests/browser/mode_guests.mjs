// run.mjs guests: the project's WASI guests (tests/guests, built into
// <build>/guests) run under `vivarium run` and in Chromium; stdout and exit
// code must be equal. The native run gets the same folders as the page:
// sandbox/ (read-write), ro/ (read-only: existing.txt, sub/), outside/secret
// and, for `escape`, links with absolute targets.
// Left out, with why: reactor (--invoke is a CLI feature), loop/timeout/fuel
// and --max-memory (runtime limits of the CLI), stdio_stream (host files and
// pipes as stdin), proc_exit >= 126 (the CLI maps them to 126; a page sees the
// guest's own code), sock* (the gateway's tests), CLI flag errors.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const SANDBOX = { '/sandbox': 'sandbox' };
const c = (name, guest, { args = [], env = {}, dirs = {}, stdin = null, setup = null } = {}) =>
  ({ name, guest, args, env, dirs, stdin, setup });
const CASES = [
  c('hello_args', 'hello', { args: ['x', 'y z'], env: { GREETING: 'hi', EMPTY: '' } }),
  c('hello_exit_status', 'hello', { args: ['exit=3'] }),
  c('proc_exit_7', 'exit_code', { args: ['7'] }),
  c('proc_exit_0', 'exit_code', { args: ['0'] }),
  c('proc_exit_125', 'exit_code', { args: ['125'] }),
  c('stdio', 'stdio', { stdin: 'abc\nxyz\n' }),
  c('fs_basic', 'fs_basic', { dirs: SANDBOX }),
  c('fs_libc', 'fs_libc', { dirs: SANDBOX }),
  c('escape', 'escape', { dirs: SANDBOX, setup: 'absolute_links' }),
  c('suite_areas', 'suite_areas', { dirs: SANDBOX }),
  c('preopen_order', 'preopens', { dirs: { '/first': 'ro:ro', '/second': 'sandbox', third: 'ro:ro' } }),
  c('bad_input', 'bad_input', { dirs: SANDBOX }),
  c('clocks_poll', 'clocks_poll', { dirs: SANDBOX }),
  c('rights', 'rights', { dirs: { rw: 'sandbox', ro: 'ro:ro' } }),
  c('ro_append', 'ro_append', { dirs: { '/ro': 'ro:ro' } }),
  c('path_limits', 'path_limits', { dirs: SANDBOX }),
  c('memory_unlimited', 'memory'),
  c('trap_unreachable', 'trap'),
  c('trap_out_of_bounds', 'trap', { args: ['oob'] }),
  c('trap_divide_by_zero', 'trap', { args: ['div'] }),
];

function layout(base, setup) {
  for (const d of ['sandbox', 'outside/dir', 'ro/sub']) fs.mkdirSync(path.join(base, d), { recursive: true });
  fs.writeFileSync(path.join(base, 'outside/secret'), 'secret\n');
  fs.writeFileSync(path.join(base, 'ro/existing.txt'), 'read only\n');
  if (setup === 'absolute_links') {
    fs.symlinkSync(path.join(base, 'outside/secret'), path.join(base, 'sandbox/abs'));
    fs.symlinkSync(path.join(base, 'outside'), path.join(base, 'sandbox/absdir'));
  }
}

/** The page's preopens for a case: the same folders as in-memory trees. */
function pagePreopens(k) {
  const trees = {
    sandbox: k.setup === 'absolute_links' ? { abs: { symlink: '/outside/secret' }, absdir: { symlink: '/outside' } } : {},
    ro: { 'existing.txt': 'read only\n', 'sub/': null },
  };
  return Object.fromEntries(Object.entries(k.dirs).map(([guest, spec]) => {
    const [folder, ro] = spec.split(':');
    return [guest, ro ? { files: trees[folder], readonly: true } : trees[folder]];
  }));
}

function native(vivarium, guests, k) {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'viv-browser-guest-'));
  try {
    layout(base, k.setup);
    const flags = [];
    for (const [guest, spec] of Object.entries(k.dirs)) {
      const [folder, ro] = spec.split(':');
      flags.push(ro ? '--dir-ro' : '--dir', `${path.join(base, folder)}::${guest}`);
    }
    for (const [key, v] of Object.entries(k.env)) flags.push('--env', `${key}=${v}`);
    const p = spawnSync(path.resolve(vivarium), ['run', ...flags, path.resolve(guests, k.guest + '.wasm'), ...k.args],
      { cwd: base, input: k.stdin ?? '', env: { PATH: process.env.PATH }, timeout: 120_000 });
    if (p.error) throw p.error;
    return { exitCode: p.status, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

export default async function ({ repo, opt, startServer, openHarness, screenshot }) {
  const server = await startServer({ mounts: { '/pkg/': path.join(repo, 'bindings/browser/src'),
    '/tests/': path.join(repo, 'tests/browser'), '/guests/': opt.guests } });
  try {
    const page = await openHarness(server);
    const browserRuns = await page.evaluate((cases) => window.vivTests.guests(cases), CASES.map((k) => ({
      name: k.name, wasm: `/guests/${k.guest}.wasm`, args: [k.guest, ...k.args], env: k.env,
      preopens: pagePreopens(k), stdin: k.stdin })));
    const verdicts = CASES.map((k, i) => {
      const want = native(opt.vivarium, opt.guests, k), got = browserRuns[i];
      const problems = [];
      if (got.exitCode !== want.exitCode) problems.push(`exit code ${got.exitCode}, vivarium run ${want.exitCode}`);
      if (got.stdout !== want.stdout) problems.push(`stdout ${JSON.stringify(got.stdout)}, vivarium run ${JSON.stringify(want.stdout)}`);
      if (problems.length) problems.push(`browser stderr: ${got.stderr.slice(0, 300)}`);
      const detail = problems.join('; ') || `exit ${got.exitCode}, ${got.stdout.length} bytes of stdout`;
      console.log(`${problems.length ? 'not ok' : 'ok'} - ${k.name}: ${detail}`);
      return { name: k.name, ok: !problems.length, detail };
    });
    await page.evaluate((v) => window.vivTests.show(v), verdicts);
    await screenshot(page, 'guests.png');
    const bad = verdicts.filter((v) => !v.ok).length;
    console.log(`${verdicts.length - bad} of ${verdicts.length} guests match vivarium run`);
    return bad === 0;
  } finally {
    await server.close();
  }
}
