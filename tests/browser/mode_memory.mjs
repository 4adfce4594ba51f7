// run.mjs memory: a page runs the hello guest 1,000 times; its memory (measureUserAgentSpecificMemory
// after a GC) may not grow by more than 8 MiB -- an instance kept alive per run would cost 1,000 linear memories.
import path from 'node:path';

const RUNS = 1000, LIMIT = 8 * 1024 * 1024;

export default async function ({ repo, opt, startServer, openHarness, screenshot }) {
  const server = await startServer({ mounts: { '/pkg/': path.join(repo, 'bindings/browser/src'), '/tests/': path.join(repo, 'tests/browser'), '/guests/': opt.guests } });
  try {
    const page = await openHarness(server);
    const r = await page.evaluate((n) => window.vivTests.memory('/guests/hello.wasm', n), RUNS);
    console.log(`memory: ${r.runs} runs, before ${r.before} B, after ${r.after} B, growth ${r.growth} B (limit ${LIMIT})`);
    await screenshot(page, 'memory.png');
    return r.growth < LIMIT && r.exits === 0;
  } finally {
    await server.close();
  }
}
