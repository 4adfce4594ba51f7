// run.mjs dashboard: a person's first minute with the dashboard, in Chromium.
// Opens the admin listener's /dashboard/, connects with the admin token,
// deploys a broken WAT (the error must name its line), pastes a WAT hello
// service, deploys it, sends a test request through the page, sees the
// response and the guest's debug line in the live logs; then the service
// answers on the edge listener too. Screenshots: dashboard-error.png, dashboard.png.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startServe } from './serve_process.mjs';

const BROKEN = '(module\n  (func $run (export "run")\n    (i32.add (i32.const 1)\n';

function edgeGet(port, host) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/', headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}

export default async function ({ opt, browser, screenshot }) {
  const serve = await startServe(opt.vivarium);
  try {
    // bypassCSP: Playwright's waitForFunction evaluates strings, which the page's CSP forbids.
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page.on('pageerror', (e) => console.log('page error:', e.message));
    await page.goto(`http://127.0.0.1:${serve.admin}/dashboard/`);
    await page.fill('#token', serve.token);
    await page.click('#login button');
    await page.waitForFunction(() => document.getElementById('conn').textContent === 'connected');

    await page.fill('#name', 'hello');
    await page.fill('#wat', BROKEN);
    await page.click('#deploy-btn');
    await page.waitForSelector('#deploy-error:not([hidden])');
    const error = await page.textContent('#deploy-error');
    console.log(`broken WAT refused: ${error}`);
    await screenshot(page, 'dashboard-error.png');
    if (!/line \d+/.test(error)) throw new Error(`the error does not name a line: ${error}`);

    await page.fill('#wat', fs.readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), 'hello_debug.wat'), 'utf8'));
    await page.click('#deploy-btn');
    await page.waitForFunction(() => !document.getElementById('deploy-result').textContent.startsWith('deploying'));
    const result = await page.textContent('#deploy-result');
    if (!result.startsWith('deployed hello')) throw new Error(`deploy: ${result}: ${await page.textContent('#deploy-error')}`);
    await page.waitForFunction(() => [...document.querySelectorAll('#deployments td')].some((td) => td.textContent === 'hello'));
    await page.click('#call-btn');
    await page.waitForFunction(() => document.getElementById('response').textContent.includes('Hello from Vivarium!'));
    console.log(`test request: ${(await page.textContent('#response')).split('\n')[0]}`);
    await page.waitForFunction(() => document.getElementById('logs').textContent.includes('hello: answered a request'), null, { timeout: 10000 });
    await page.waitForFunction(() => [...document.querySelectorAll('#deployments tr')].some((tr) => tr.cells[0]?.textContent === 'hello' && tr.cells[5]?.textContent !== '0'), null, { timeout: 10000 });
    await screenshot(page, 'dashboard.png');

    const edge = await edgeGet(serve.port, 'hello.localhost');
    console.log(`edge listener: ${edge.status} ${JSON.stringify(edge.body)}`);
    return edge.status === 200 && edge.body === 'Hello from Vivarium!\n';
  } finally {
    await serve.stop();
  }
}
