'use strict';
// @vivarium/node: the Vivarium WebAssembly engine behind Promises. Guests
// run on a worker pool; JavaScript host functions run on this thread while
// the guest waits. See README.md.
const fs = require('node:fs');
const net = require('node:net');
const { Readable } = require('node:stream');
const path = require('node:path');
const { fileURLToPath } = require('node:url');

function loadNative() {
  const dirs = [process.env.VIVARIUM_NODE_ADDON, path.join(__dirname, '..', 'build', 'RelWithDebInfo', 'vivarium_node.node'),
    path.join(__dirname, '..', 'build', 'Release', 'vivarium_node.node'), path.join(__dirname, '..', 'build', 'Debug', 'vivarium_node.node')];
  for (const p of dirs) if (p && fs.existsSync(p)) return require(p);
  throw new Error('@vivarium/node: the native addon is not built (run npm install)');
}
const native = loadNative();

class VivariumError extends Error {
  constructor(message, details = {}) {
    super(message);
    this.name = 'VivariumError';
    this.phase = details.phase;          // 'malformed' | 'invalid' | 'unlinkable' | 'trap' | 'exhaustion' | 'host'
    this.code = details.code;            // e.g. 'Unreachable', 'OutOfFuel', 'DeadlineExceeded', 'HostTrap'
    this.location = details.location || {};
    this.backtrace = details.backtrace || '';
    if (details.exitCode !== undefined) this.exitCode = details.exitCode;
    if (details.detail) this.detail = details.detail;
  }
}
native.setErrorClass(VivariumError);

class Module {
  #native;
  constructor(nativeModule) {
    if (!(nativeModule instanceof native.NativeModule)) throw new TypeError('use Module.compile()');
    this.#native = nativeModule;
  }
  /** Compiles bytes (binary or text) or a file path, off the main thread. */
  static async compile(source, options = {}) {
    const n = typeof source === 'string' || source instanceof URL
      ? await native.compileFile(source instanceof URL ? fileURLToPath(source) : source)
      : await native.compileBytes(source, options.name);
    return new Module(n);
  }
  get imports() { return this.#native.imports(); }
  get exports() { return this.#native.exports(); }
  static _native(m) { return m.#native; }
}

// A Readable stream or an async iterable (of Buffers, Uint8Arrays or
// strings) as the guest's stdin.
function isStreamInput(v) {
  return v != null && typeof v === 'object' && !(v instanceof Uint8Array) &&
    (typeof v.pipe === 'function' || typeof v[Symbol.asyncIterator] === 'function');
}

// The guest reads the read end of a pipe; the event loop writes the stream
// into the other end with backpressure (a full pipe pauses the source) and
// closes it at the end, which the guest sees as end of file. If the guest
// goes away first, the rest of the stream is dropped.
function feedStdin(source, writeFd) {
  const sink = new net.Socket({ fd: writeFd, readable: false, writable: true });
  const input = typeof source.pipe === 'function' ? source : Readable.from(source, { objectMode: false });
  sink.on('error', () => { input.unpipe?.(sink); sink.destroy(); });
  input.on('error', () => sink.destroy());
  input.pipe(sink);
}

function writerFor(target, fd) {
  if (target === undefined || target === 'inherit') return fd;
  if (fd === 0 && (typeof target === 'string' || target instanceof Uint8Array)) return target;
  if (target === 'ignore') return fs.openSync('/dev/null', fd === 0 ? 'r' : 'w');
  if (typeof target === 'number' || typeof target === 'function') return target;
  if (target && typeof target.write === 'function') return (chunk) => target.write(chunk);
  throw new TypeError(`wasi stdio: expected 'inherit', 'ignore', a descriptor, a function or a writable stream`);
}

function wasiOptions(w) {
  if (!w) return undefined;
  const env = Array.isArray(w.env) ? w.env : Object.entries(w.env || {}).map(([k, v]) => `${k}=${v}`);
  let preopens = w.preopens || [];
  if (!Array.isArray(preopens)) preopens = Object.entries(preopens).map(([guest, host]) => ({ guest, host }));
  return { args: w.args, env, preopens, stdin: writerFor(w.stdin, 0), stdout: writerFor(w.stdout, 1), stderr: writerFor(w.stderr, 2), sockets: w.sockets };
}

class Linker {
  #native = new native.NativeLinker();
  /**
   * Defines a host function. type: { params: ['i32', ...], results: [...] }.
   * options.caller: pass { memory } (a MemoryView valid during the call) first.
   */
  define(module, name, type, fn, options = {}) {
    this.#native.define(module, name, type.params || [], type.results || [], fn, !!options.caller);
    return this;
  }
  func(module, name, type, fn, options) { return this.define(module, name, type, fn, options); }
  async instantiate(module, options = {}) {
    if (!(module instanceof Module)) throw new TypeError('Linker.instantiate: expected a Module');
    const wasi = options.wasi && isStreamInput(options.wasi.stdin) ? { ...options.wasi, stdin: undefined } : options.wasi;
    const w = wasiOptions(wasi);
    let pipe;
    if (w && wasi !== options.wasi) {
      pipe = native.makePipe();
      w.stdin = pipe[0];
    }
    let p;
    try {
      p = this.#native.instantiate(Module._native(module), { limits: options.limits, wasi: w, mainThreadSliceMicros: options.mainThreadSliceMicros });
    } finally {
      // The WASI context holds its own copy of the read end by now.
      if (pipe) fs.closeSync(pipe[0]);
    }
    if (pipe) feedStdin(options.wasi.stdin, pipe[1]);
    return new Instance(await p, module);
  }
}

let nextAbortId = 1;

class Instance {
  #native;
  constructor(nativeInstance, module) {
    this.#native = nativeInstance;
    this.module = module;
  }
  get exports() { return this.#native.exports(); }
  /** Calls an export; i64 arguments and results are BigInt. Calls queue: one runs at a time. */
  call(name, ...args) { return this.invoke(name, args); }
  /** Like call, with { signal, timeout (ms), fuel } for this call. */
  invoke(name, args = [], options = {}) {
    const { signal, timeout, fuel } = options;
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    const id = signal ? nextAbortId++ : 0;
    const p = this.#native.call(name, args, fuel, timeout, id);
    if (!signal) return p;
    const onAbort = () => this.#native.abort(id);
    signal.addEventListener('abort', onAbort, { once: true });
    return p.finally(() => signal.removeEventListener('abort', onAbort));
  }
  /** Runs a WASI command (_start); resolves to its exit code. */
  async start(options = {}) {
    try {
      await this.invoke('_start', [], options);
      return 0;
    } catch (e) {
      if (e instanceof VivariumError && e.code === 'Exit') return e.exitCode;
      throw e;
    }
  }
  /** fn(view) runs while no call runs; the view is invalid once fn (or its promise) ends. */
  withMemory(fn, options = {}) { return this.#native.withMemory(options.name, fn); }
  global(name) { return this.#native.global(name); }
  /** Writes an exported mutable global; queued like a call. */
  setGlobal(name, value) { return this.#native.setGlobal(name, value); }
  get fuelRemaining() { return this.#native.fuelRemaining(); }
  /** Frees the instance's store once its queued operations are done. */
  dispose() { this.#native.dispose(); }
}

/**
 * Runs a Terrarium-ABI guest (what `vivarium serve` hosts) on a WHATWG
 * Request and resolves to a Response. options: { timeout (ms), fuel,
 * maxMemoryBytes, egress: grants, log: (line) => void }. A trap, panic or
 * timeout answers 500/504 as the server would.
 */
async function handle(module, request, options = {}) {
  if (!(module instanceof Module)) throw new TypeError('handle: expected a Module');
  const url = new URL(request.url, 'http://localhost');
  const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
  const headers = [];
  request.headers.forEach((value, name) => headers.push([name, value]));
  const r = await native.handle(Module._native(module), {
    method: request.method, target: url.pathname + url.search, headers, body, clientIp: options.clientIp,
  }, options);
  const noBody = r.status === 204 || r.status === 304 || request.method === 'HEAD';
  const response = new Response(noBody ? null : r.body, { status: r.status, headers: r.headers });
  Object.defineProperty(response, 'vivarium', { value: { kind: r.kind, message: r.message } });
  return response;
}

function abortedError(signal) {
  return new VivariumError('aborted before it started', { phase: 'exhaustion', code: 'DeadlineExceeded', detail: String(signal.reason ?? '') });
}

module.exports = { Module, Linker, Instance, VivariumError, handle, MemoryView: native.MemoryView, FuncRef: native.FuncRef, poolSize: native.poolSize() };
