// Blocking for a while inside a synchronous WASI call. In a Worker (and in
// Node) Atomics.wait on a private SharedArrayBuffer parks the thread; the
// page's main thread may not block, so there it spins -- guests that sleep
// belong in a Worker (see runInWorker in index.js).
const cell = typeof SharedArrayBuffer === 'function' ? new Int32Array(new SharedArrayBuffer(4)) : null;

export function sleepMs(ms) {
  if (ms <= 0) return;
  if (cell) {
    try {
      Atomics.wait(cell, 0, 0, ms);
      return;
    } catch { /* the main thread of a page: Atomics.wait is not allowed */ }
  }
  const end = performance.now() + ms;
  while (performance.now() < end) { /* spin */ }
}
