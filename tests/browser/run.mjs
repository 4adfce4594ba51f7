// Browser tests: drives Debian's chromium (/usr/bin/chromium, or $CHROMIUM)
// with playwright-core from bindings/browser/node_modules -- no browser is
// downloaded -- against pages served on 127.0.0.1 by server.mjs.
//
//   node run.mjs wasi-suite --artifacts DIR [--suite ROOT]
//   node run.mjs guests     --artifacts DIR --vivarium PATH --guests DIR
//   node run.mjs memory     --artifacts DIR --guests DIR
//   node run.mjs dashboard  --artifacts DIR --vivarium PATH
//   node run.mjs gateway    --artifacts DIR --vivarium PATH --guests DIR
//
// Exits 77 (CTest: skipped) with a message when chromium or node_modules are
// absent. Screenshots go to the artifacts folder.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.mjs';

const SKIP = 77;
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const pkg = path.join(repo, 'bindings/browser');
const [mode, ...rest] = process.argv.slice(2);
const opt = {};
for (let i = 0; i < rest.length; i += 2) opt[rest[i].replace(/^--/, '')] = rest[i + 1];

const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!fs.existsSync(chromiumPath)) { console.log(`browser test skipped: no chromium at ${chromiumPath} (apt-get install chromium chromium-driver)`); process.exit(SKIP); }
let chromium;
try {
  ({ chromium } = createRequire(path.join(pkg, 'package.json'))('playwright-core'));
} catch {
  console.log(`browser test skipped: playwright-core is not installed (cd ${pkg} && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci)`);
  process.exit(SKIP);
}

const artifacts = path.resolve(opt.artifacts ?? path.join(repo, 'build/browser-artifacts'));
fs.mkdirSync(artifacts, { recursive: true });

const modes = {
  'wasi-suite': (await import('./mode_suite.mjs')).default,
  guests: (await import('./mode_guests.mjs')).default,
  memory: (await import('./mode_memory.mjs')).default,
  dashboard: (await import('./mode_dashboard.mjs')).default,
  gateway: (await import('./mode_gateway.mjs')).default,
};
if (!modes[mode]) { console.log(`unknown mode ${mode}; one of ${Object.keys(modes).join(', ')}`); process.exit(2); }

const browser = await chromium.launch({ executablePath: chromiumPath, headless: true,
  args: ['--no-sandbox', '--js-flags=--expose-gc', '--enable-precise-memory-info'] });
let failed = true;
const ctx = { repo, opt, artifacts, browser, startServer, pkg,
  async openHarness(server) {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.on('pageerror', (e) => console.log('page error:', e.message));
    await page.goto(server.url + '/tests/harness.html');
    await page.waitForFunction(() => window.vivTests);
    return page;
  },
  async screenshot(page, name) {
    const file = path.join(artifacts, name);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`screenshot: ${file}`);
  },
};
try {
  failed = !(await modes[mode](ctx));
} catch (e) {
  console.log(`browser test failed: ${e.stack ?? e}`);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
