// Routes that exercise the AssemblyScript SDK's wrappers the examples do
// not use; tests/sdk/examples.py checks each answer.
import { Request, Response, DNS, UpstreamResponse, nowSeconds, nowMillis, randomU64, log } from "vivarium";

export function run(): void {
  const req = Request.incoming();
  const route = req.route();
  if (route == "/time") {
    const s = nowSeconds(), ms = nowMillis();
    Response.text(200, s.toString() + " " + (ms / 1000 - s < 2 ? "consistent" : "inconsistent"));
  } else if (route == "/random") {
    Response.text(200, randomU64() != randomU64() ? "different" : "same");
  } else if (route == "/headers") {
    const names = req.headerNames();
    names.sort();
    Response.text(200, names.join(",") + "|" + req.headers("x-multi").join(","));
  } else if (route == "/poll") {
    const url = req.query("url");
    const pr = Request.create("GET", url != null ? url : "").sendAsync();
    if (pr == null) {
      Response.text(502, "send failed");
      return;
    }
    // One poll while the upstream is still sleeping, then wait. (A guest
    // that only polls never gives the host a chance to deliver the answer:
    // polling is for doing other work in between.)
    const out = new Array<UpstreamResponse | null>();
    const early = pr.poll(out) ? "ready at once" : "not ready";
    const resp = pr.wait();
    Response.text(200, early + ", then " + (resp == null ? "error" : resp.status().toString() + " " + resp.text()));
  } else if (route == "/dns-ip") {
    const name = req.query("name");
    const addrs = DNS.queryIp(name != null ? name : "");
    if (addrs == null) {
      Response.text(502, "lookup failed");
      return;
    }
    const parts = new Array<string>();
    for (let i = 0; i < addrs.length; i++) {
      const b = Uint8Array.wrap(addrs[i]);
      const octets = new Array<string>();
      for (let k = 0; k < b.length; k++) octets.push(b[k].toString());
      parts.push(octets.join("."));
    }
    Response.text(200, parts.join(","));
  } else if (route == "/log") {
    log("as-probe was here");
    Response.text(200, "logged");
  } else if (route == "/outgoing-body") {
    // setText on an outgoing request, and the echo comes back.
    const url = req.query("url");
    const resp = Request.create("POST", url != null ? url : "").setText("ping").send();
    Response.text(200, resp == null ? "error" : resp.text());
  } else {
    Response.text(404, "no such probe");
  }
}
