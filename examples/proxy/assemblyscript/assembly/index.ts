// The caching reverse proxy example in AssemblyScript (as ../c/proxy.c):
// PUT /__origin sets the origin; GET /PATH is served from the KV cache
// (x-cache: HIT) or fetched (x-cache: MISS) with x-forwarded-host/-proto
// added; only content-type and cache-control pass through, plus via.
import { Request, Response, KV, UpstreamResponse } from "vivarium";

function passHeader(from: UpstreamResponse, name: string): void {
  const v = from.header(name);
  if (v != null) Response.setHeader(name, v);
}

export function run(): void {
  const req = Request.incoming();
  const method = req.method();
  const path = req.path();
  const route = req.route();
  Response.setHeader("via", "1.1 vivarium");
  if (route == "/__origin" && method == "PUT") {
    KV.put("origin", req.body());
    Response.text(200, "origin set\n");
    return;
  }
  if (route == "/__cache" && method == "DELETE") {
    const which = req.query("path");
    Response.text(200, KV.remove("cache:" + (which != null ? which : "")) ? "forgotten\n" : "not cached\n");
    return;
  }
  if (method != "GET") {
    Response.text(405, "this proxy serves GET\n");
    return;
  }
  const key = "cache:" + path;
  const cached = KV.get(key);
  if (cached != null) {
    // "content-type\n" + body
    const bytes = Uint8Array.wrap(cached);
    let nl = 0;
    while (nl < bytes.length && bytes[nl] != 10) nl++;
    Response.setHeader("content-type", String.UTF8.decode(cached.slice(0, nl)));
    Response.setHeader("x-cache", "HIT");
    Response.body(cached.slice(nl + 1));
    return;
  }
  const origin = KV.getString("origin");
  if (origin == null) {
    Response.text(503, "no origin: PUT its URL to /__origin\n");
    return;
  }
  const host = req.header("host");
  const resp = Request.create("GET", origin + path)
                   .setHeader("x-forwarded-host", host != null ? host : "")
                   .setHeader("x-forwarded-proto", "http")
                   .send();
  if (resp == null) {
    Response.text(502, "the origin did not answer\n");
    return;
  }
  const code = resp.status();
  const body = resp.body();
  Response.status(code);
  passHeader(resp, "content-type");
  passHeader(resp, "cache-control");
  Response.setHeader("x-cache", "MISS");
  Response.body(body);
  if (code == 200) {
    const type = resp.header("content-type");
    const head = String.UTF8.encode((type != null ? type : "application/octet-stream") + "\n");
    const entry = new Uint8Array(head.byteLength + body.byteLength);
    entry.set(Uint8Array.wrap(head), 0);
    entry.set(Uint8Array.wrap(body), head.byteLength);
    KV.put(key, entry.buffer);
  }
}
