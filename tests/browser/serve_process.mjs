// Starts `vivarium serve` on free 127.0.0.1 ports with a scratch data folder
// (and extra flags); stops it. For the dashboard and gateway tests.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';

export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export async function startServe(vivarium, extra = []) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'viv-browser-serve-'));
  const port = await freePort(), admin = await freePort();
  const child = spawn(path.resolve(vivarium), ['serve', '--listen', `127.0.0.1:${port}`, '--admin', `127.0.0.1:${admin}`,
    '--data', data, '--threads', '2', '--access-log', 'off', '--log-level', 'debug', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`vivarium serve did not start:\n${log}`)), 20000);
    const check = () => { if (log.includes('listening on')) { clearTimeout(t); resolve(); } };
    child.stdout.on('data', check);
    child.on('exit', (code) => { clearTimeout(t); reject(new Error(`vivarium serve exited ${code}:\n${log}`)); });
  });
  return {
    port, admin, data, log: () => log,
    token: fs.readFileSync(path.join(data, 'admin-token'), 'utf8').trim(),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
      fs.rmSync(data, { recursive: true, force: true });
    },
  };
}
