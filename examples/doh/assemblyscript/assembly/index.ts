// The DNS-over-HTTPS example in AssemblyScript (as ../c/doh.c): GET
// /dns-query?dns=BASE64URL or POST /dns-query with a wire-format query,
// answered through the host's dns_query_raw.
import { Request, Response, DNS } from "vivarium";

function b64value(c: i32): i32 {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 97 + 26;
  if (c >= 48 && c <= 57) return c - 48 + 52;
  if (c == 45 || c == 43) return 62;
  if (c == 95 || c == 47) return 63;
  return -1;
}

// null on a bad character.
function b64urlDecode(s: string): ArrayBuffer | null {
  const out = new Array<u8>();
  let acc: u32 = 0;
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 61) break; // '='
    const v = b64value(c);
    if (v < 0) return null;
    acc = (acc << 6) | <u32>v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push(<u8>((acc >> bits) & 0xff));
    }
  }
  const buf = new Uint8Array(out.length);
  for (let i = 0; i < out.length; i++) buf[i] = out[i];
  return buf.buffer;
}

export function run(): void {
  const req = Request.incoming();
  const method = req.method();
  if (req.route() != "/dns-query") {
    Response.text(404, "the resolver is at /dns-query\n");
    return;
  }
  let query: ArrayBuffer | null = null;
  if (method == "GET") {
    const param = req.query("dns");
    if (param != null) query = b64urlDecode(param);
    if (query == null) {
      Response.text(400, "?dns= must hold a base64url DNS query\n");
      return;
    }
  } else if (method == "POST") {
    query = req.body();
  } else {
    Response.text(405, "GET or POST\n");
    return;
  }
  if (query!.byteLength < 12 + 5) {
    Response.text(400, "a DNS query has a 12-byte header and a question\n");
    return;
  }
  const answer = DNS.queryRaw(query!);
  if (answer == null) {
    Response.text(502, "resolution failed\n");
    return;
  }
  Response.setHeader("content-type", "application/dns-message");
  Response.setHeader("cache-control", "max-age=60");
  Response.body(answer);
}
