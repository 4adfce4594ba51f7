// The counter and rate-limiter example in AssemblyScript (as ../c/counter.c):
// /count increments a KV counter; /limited allows LIMIT requests per client
// address per minute, then answers 429 with retry-after.
import { Request, Response, KV, nowSeconds } from "vivarium";

const LIMIT: i64 = 5;

export function run(): void {
  const req = Request.incoming();
  const route = req.route();
  if (route == "/count") {
    Response.text(200, KV.increment("hits").toString() + "\n");
  } else if (route == "/limited") {
    const now = nowSeconds();
    const ip = req.header("x-vivarium-client-ip");
    const used = KV.increment("rate:" + (ip != null ? ip : "") + ":" + (now / 60).toString());
    Response.setHeader("x-ratelimit-remaining", (used >= LIMIT ? 0 : LIMIT - used).toString());
    if (used > LIMIT) {
      Response.setHeader("retry-after", (60 - (now % 60)).toString());
      Response.text(429, "too many requests\n");
    } else {
      Response.text(200, "ok\n");
    }
  } else if (route == "/reset") {
    KV.remove("hits");
    Response.text(200, "reset\n");
  } else {
    Response.text(404, "not found\n");
  }
}
