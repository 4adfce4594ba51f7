// The fan-out example in AssemblyScript (as ../c/fanout.c): one x-upstream
// header per backend, all sent at once, collected with select in completion
// order into {"completed":[{"upstream":I,"status":S,"body":"..."},...]}.
import { Request, Response, PendingRequest, select } from "vivarium";

function jsonString(s: string): string {
  let out = '"';
  const n = s.length < 200 ? s.length : 200;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c == 34 || c == 92) out += "\\" + String.fromCharCode(c);
    else if (c < 32) out += "\\u00" + (c < 16 ? "0" : "") + c.toString(16);
    else out += String.fromCharCode(c);
  }
  return out + '"';
}

export function run(): void {
  const urls = Request.incoming().headers("x-upstream");
  if (urls.length == 0 || urls.length > 8) {
    Response.text(400, "send 1 to 8 x-upstream headers\n");
    return;
  }
  const pending = new Array<PendingRequest>();
  const which = new Array<i32>(); // pending[i] was sent to upstream which[i]
  const parts = new Array<string>();
  for (let i = 0; i < urls.length; i++) {
    const pr = Request.create("GET", urls[i]).sendAsync();
    if (pr == null) parts.push('{"upstream":' + i.toString() + ',"status":0}');
    else {
      pending.push(pr);
      which.push(i);
    }
  }
  while (pending.length > 0) {
    const done = select(pending);
    const upstream = which[done.index];
    which.splice(done.index, 1);
    const resp = done.response;
    if (resp == null) parts.push('{"upstream":' + upstream.toString() + ',"status":0}');
    else
      parts.push('{"upstream":' + upstream.toString() + ',"status":' + resp.status().toString() + ',"body":' +
                 jsonString(resp.text()) + "}");
  }
  Response.json(200, '{"completed":[' + parts.join(",") + "]}");
}
