// run.mjs wasi-suite: the official WASI preview1 suite in Chromium; passes only with every case.
import fs from 'node:fs';
import path from 'node:path';
import { suiteCases } from './suite_cases.mjs';

export default async function ({ repo, opt, startServer, openHarness, screenshot }) {
  const root = opt.suite ?? process.env.VIVARIUM_WASI_TESTSUITE ?? path.resolve(repo, '../shared/wasi-testsuite');
  if (!fs.existsSync(root)) { console.log(`wasi-testsuite not found at ${root}; skipped`); process.exit(77); }
  const cases = suiteCases(root);
  const server = await startServer({ mounts: { '/pkg/': path.join(repo, 'bindings/browser/src'), '/tests/': path.join(repo, 'tests/browser'), '/suite/': root },
    routes: { '/suite/cases.json': () => JSON.stringify(cases) } });
  try {
    const page = await openHarness(server);
    const r = await page.evaluate(() => window.vivTests.wasiSuite());
    for (const l of r.lines) console.log(l);
    console.log(`${r.passed} passed, ${r.total - r.passed} failed (Chromium)`);
    await screenshot(page, 'wasi-suite.png');
    return r.passed === r.total && r.total > 0;
  } finally {
    await server.close();
  }
}
