// Vivarium guests in AssemblyScript: typed wrappers over the Terrarium ABI
// (./hostcalls.ts). Build with `vivarium build` (asc --runtime stub: one
// instance serves one request, so nothing needs collecting).
//
//   import { Request, Response } from "vivarium";
//   export function run(): void {
//     const req = Request.incoming();
//     Response.text(200, "Hello from " + req.path() + "\n");
//   }
//
// Results from the host arrive in memory from this module's allocator
// (registered by init(), which every wrapper calls first).
import * as hc from "./hostcalls";

export { hc };

let initialised = false;

function guest_malloc(size: usize): usize {
  return heap.alloc(size);
}
function guest_free(ptr: usize): void {
  heap.free(ptr);
}

/** Registers the allocator with the host (idempotent). */
export function init(): void {
  if (initialised) return;
  initialised = true;
  hc.init_mm(guest_malloc.index, guest_free.index);
}

// Two u32 out-parameters the host writes (pointer, length).
const OUT: usize = memory.data(8);

function takeBytes(): ArrayBuffer {
  const ptr = load<u32>(OUT) as usize;
  const len = load<u32>(OUT, 4) as usize;
  const buf = new ArrayBuffer(<i32>len);
  if (ptr != 0) {
    memory.copy(changetype<usize>(buf), ptr, len);
    heap.free(ptr);
  }
  return buf;
}

function takeString(): string {
  const ptr = load<u32>(OUT) as usize;
  const len = load<u32>(OUT, 4) as usize;
  if (ptr == 0) return "";
  const s = String.UTF8.decodeUnsafe(ptr, len);
  heap.free(ptr);
  return s;
}

// A host list: an array of {ptr, len}, each buffer malloc'd.
function takeStrings(): string[] {
  const arr = load<u32>(OUT) as usize;
  const count = load<u32>(OUT, 4) as i32;
  const out = new Array<string>();
  for (let i = 0; i < count; i++) {
    const p = load<u32>(arr + (<usize>i << 3)) as usize;
    const n = load<u32>(arr + (<usize>i << 3), 4) as usize;
    out.push(p ? String.UTF8.decodeUnsafe(p, n) : "");
    if (p) heap.free(p);
  }
  if (arr) heap.free(arr);
  return out;
}

function takeByteList(): ArrayBuffer[] {
  const arr = load<u32>(OUT) as usize;
  const count = load<u32>(OUT, 4) as i32;
  const out = new Array<ArrayBuffer>();
  for (let i = 0; i < count; i++) {
    const p = load<u32>(arr + (<usize>i << 3)) as usize;
    const n = load<u32>(arr + (<usize>i << 3), 4) as usize;
    const b = new ArrayBuffer(<i32>n);
    if (p) {
      memory.copy(changetype<usize>(b), p, n);
      heap.free(p);
    }
    out.push(b);
  }
  if (arr) heap.free(arr);
  return out;
}

function utf8(s: string): ArrayBuffer {
  return String.UTF8.encode(s);
}
function ptr(b: ArrayBuffer): usize {
  return changetype<usize>(b);
}
function len(b: ArrayBuffer): usize {
  return <usize>b.byteLength;
}

// {ptr, len} slices for a list of values; keeps the encodings alive in `keep`.
function slices(values: string[], keep: ArrayBuffer[]): ArrayBuffer {
  const arr = new ArrayBuffer(values.length * 8);
  for (let i = 0; i < values.length; i++) {
    const b = utf8(values[i]);
    keep.push(b);
    store<u32>(ptr(arr) + (<usize>i << 3), <u32>ptr(b));
    store<u32>(ptr(arr) + (<usize>i << 3), <u32>len(b), 4);
  }
  return arr;
}

/** The incoming request (handle 0) or an outgoing one you create. */
export class Request {
  constructor(public handle: i32) {}

  static incoming(): Request {
    init();
    return new Request(0);
  }

  /** A request to an absolute URL; throws (traps) on a bad method or URL. */
  static create(method: string, url: string): Request {
    init();
    const m = utf8(method), u = utf8(url);
    const h = hc.req_create(ptr(m), len(m), ptr(u), len(u));
    if (h < 0) panic("bad request: " + method + " " + url);
    return new Request(h);
  }

  method(): string {
    hc.req_get_method(OUT, OUT + 4, this.handle);
    return takeString();
  }
  /** Path plus ?query. */
  path(): string {
    hc.req_get_path(OUT, OUT + 4, this.handle);
    return takeString();
  }
  /** The path before '?'. */
  route(): string {
    const p = this.path();
    const q = p.indexOf("?");
    return q < 0 ? p : p.substring(0, q);
  }
  /** ?name=value from the query, or null. */
  query(name: string): string | null {
    const p = this.path();
    const q = p.indexOf("?");
    if (q < 0) return null;
    const parts = p.substring(q + 1).split("&");
    for (let i = 0; i < parts.length; i++) {
      const eq = parts[i].indexOf("=");
      const k = eq < 0 ? parts[i] : parts[i].substring(0, eq);
      if (k == name) return eq < 0 ? "" : parts[i].substring(eq + 1);
    }
    return null;
  }
  body(): ArrayBuffer {
    hc.req_get_body(OUT, OUT + 4, this.handle);
    return takeBytes();
  }
  text(): string {
    return String.UTF8.decode(this.body());
  }
  headerNames(): string[] {
    hc.req_get_headers(OUT, OUT + 4, this.handle);
    return takeStrings();
  }
  headers(name: string): string[] {
    const n = utf8(name);
    hc.req_get_header(OUT, OUT + 4, this.handle, ptr(n), len(n));
    return takeStrings();
  }
  /** The first value of a header, or null. */
  header(name: string): string | null {
    const v = this.headers(name);
    return v.length ? v[0] : null;
  }
  setHeader(name: string, value: string): Request {
    return this.setHeaderValues(name, [value]);
  }
  setHeaderValues(name: string, values: string[]): Request {
    const n = utf8(name);
    const keep = new Array<ArrayBuffer>();
    const s = slices(values, keep);
    hc.req_set_header(this.handle, ptr(n), len(n), ptr(s), values.length);
    return this;
  }
  setBody(body: ArrayBuffer): Request {
    hc.req_set_body(this.handle, ptr(body), len(body));
    return this;
  }
  setText(body: string): Request {
    return this.setBody(utf8(body));
  }
  /** Sends and waits; the response, or null when it failed. Consumes the request. */
  send(): UpstreamResponse | null {
    const r = hc.req_send(this.handle);
    return r < 0 ? null : new UpstreamResponse(r);
  }
  /** Starts sending; null when it could not start. Consumes the request. */
  sendAsync(): PendingRequest | null {
    const p = hc.req_send_async(this.handle);
    return p < 0 ? null : new PendingRequest(p);
  }
}

/** GET url and wait: the response or null. */
export function fetch(url: string): UpstreamResponse | null {
  return Request.create("GET", url).send();
}

export class PendingRequest {
  constructor(public handle: i32) {}
  /** Blocks: the response or null (failed). */
  wait(): UpstreamResponse | null {
    const r = hc.pending_req_wait(this.handle);
    return r < 0 ? null : new UpstreamResponse(r);
  }
  /** Not ready yet: returns false and leaves `out` alone. Ready: true, and
   * out[0] is the response or null (failed). */
  poll(out: Array<UpstreamResponse | null>): bool {
    const r = hc.pending_req_poll(this.handle);
    if (r == -2) return false;
    out.push(r < 0 ? null : new UpstreamResponse(r));
    return true;
  }
}

/** What select returns: which pending request finished (its index in the
 * list given, now removed from it) and its response (null: it failed). */
export class Selected {
  constructor(public index: i32, public response: UpstreamResponse | null) {}
}

/** Waits for the first of `pending` to finish and removes it from the list. */
export function select(pending: PendingRequest[]): Selected {
  if (pending.length == 0) panic("select over no pending request");
  const arr = new ArrayBuffer(pending.length * 4);
  for (let i = 0; i < pending.length; i++) store<i32>(ptr(arr) + (<usize>i << 2), pending[i].handle);
  const r = hc.pending_req_select(ptr(arr), pending.length, OUT);
  const done = load<i32>(OUT);
  let index = -1;
  for (let i = 0; i < pending.length; i++) {
    if (pending[i].handle == done) index = i;
  }
  if (index < 0) panic("pending_req_select named none of the list");
  pending.splice(index, 1);
  return new Selected(index, r < 0 ? null : new UpstreamResponse(r));
}

/** A response from an upstream server. */
export class UpstreamResponse {
  constructor(public handle: i32) {}
  status(): u32 {
    return hc.resp_get_response_code(this.handle);
  }
  body(): ArrayBuffer {
    hc.resp_get_body(OUT, OUT + 4, this.handle);
    return takeBytes();
  }
  text(): string {
    return String.UTF8.decode(this.body());
  }
  headerNames(): string[] {
    hc.resp_get_headers(OUT, OUT + 4, this.handle);
    return takeStrings();
  }
  headers(name: string): string[] {
    const n = utf8(name);
    hc.resp_get_header(OUT, OUT + 4, this.handle, ptr(n), len(n));
    return takeStrings();
  }
  header(name: string): string | null {
    const v = this.headers(name);
    return v.length ? v[0] : null;
  }
}

/** The outgoing response (handle 0): status, headers and body in any order. */
export class Response {
  static status(code: u32): void {
    hc.resp_set_response_code(0, code);
  }
  static setHeader(name: string, value: string): void {
    Response.setHeaderValues(name, [value]);
  }
  static setHeaderValues(name: string, values: string[]): void {
    const n = utf8(name);
    const keep = new Array<ArrayBuffer>();
    const s = slices(values, keep);
    hc.resp_set_header(0, ptr(n), len(n), ptr(s), values.length);
  }
  static body(body: ArrayBuffer): void {
    hc.resp_set_body(0, ptr(body), len(body));
  }
  static text(code: u32, body: string, contentType: string = "text/plain"): void {
    Response.status(code);
    Response.setHeader("content-type", contentType);
    Response.body(utf8(body));
  }
  static json(code: u32, body: string): void {
    Response.text(code, body, "application/json");
  }
}

/** The deployment's key-value store. */
export class KV {
  /** The value, or null when absent. */
  static get(key: string): ArrayBuffer | null {
    init();
    const k = utf8(key);
    if (!hc.kvstore_get(OUT, OUT + 4, ptr(k), len(k))) return null;
    return takeBytes();
  }
  static getString(key: string): string | null {
    const v = KV.get(key);
    return v == null ? null : String.UTF8.decode(v);
  }
  /** Stores, overwriting; true when the key was absent. */
  static put(key: string, value: ArrayBuffer): bool {
    const k = utf8(key);
    return hc.kvstore_upsert(ptr(k), len(k), ptr(value), len(value)) == 1;
  }
  static putString(key: string, value: string): bool {
    return KV.put(key, utf8(value));
  }
  static append(key: string, value: ArrayBuffer): bool {
    const k = utf8(key);
    return hc.kvstore_append(ptr(k), len(k), ptr(value), len(value)) == 1;
  }
  /** true when the key was there. */
  static remove(key: string): bool {
    const k = utf8(key);
    return hc.kvstore_remove(ptr(k), len(k)) == 1;
  }
  /** Adds delta to the decimal integer at key (0 when absent); the new value. */
  static increment(key: string, delta: i64 = 1): i64 {
    const old = KV.getString(key);
    const v = (old == null || old.length == 0 ? <i64>0 : I64.parseInt(old)) + delta;
    KV.putString(key, v.toString());
    return v;
  }
}

/** DNS through the host (under the deployment's egress policy). */
export class DNS {
  /** A wire-format query in, the wire-format answer out; null on failure. */
  static queryRaw(query: ArrayBuffer): ArrayBuffer | null {
    init();
    hc.dns_query_raw(OUT, OUT + 4, ptr(query), len(query));
    if (load<u32>(OUT) == 0) return null;
    return takeBytes();
  }
  /** A (4-byte) or AAAA (16-byte) addresses; null on failure. */
  static queryIp(name: string, ipv6: bool = false): ArrayBuffer[] | null {
    init();
    const n = utf8(name);
    hc.dns_query_ip(OUT, OUT + 4, ptr(n), len(n), ipv6 ? 1 : 0);
    if (load<u32>(OUT) == 0) return null;
    return takeByteList();
  }
}

/** Seconds since the Unix epoch (wall clock). */
export function nowSeconds(): i64 {
  return hc.time_now(0);
}
/** Milliseconds since the Unix epoch. */
export function nowMillis(): i64 {
  const secs = hc.time_now(OUT);
  return secs * 1000 + <i64>(load<u32>(OUT) / 1000000);
}
/** 64 random bits from the host's CSPRNG. */
export function randomU64(): u64 {
  return hc.rng_next_u64();
}
/** A log line (`vivarium logs NAME`). */
export function log(msg: string): void {
  const b = utf8(msg);
  hc.debug(ptr(b), len(b));
}
/** Reports msg (the client gets a 500 carrying it) and traps. */
export function panic(msg: string): void {
  const b = utf8(msg);
  hc.panic_hook(ptr(b), len(b));
  unreachable();
}

/** The abort handler `vivarium build` installs (asc --use abort=...): a
 * failed assertion or an out-of-range access reports where, then traps. */
export function viv_abort(message: string | null, file: string | null, line: u32, column: u32): void {
  let m = "abort";
  if (message != null) m += ": " + message;
  if (file != null) m += " at " + file + ":" + line.toString() + ":" + column.toString();
  panic(m);
}
