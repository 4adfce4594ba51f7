#!/usr/bin/env python3
"""End to end: the Rust guests of examples/rust (built on sdk/rust, the
`http_guest`-compatible crate) deployed on a real `vivarium serve`, with a
real upstream HTTP server on 127.0.0.1, checked against ../shared/terrarium/ABI.md.

Every guest is checked in each build variant found under --guests:
wasm32-unknown-unknown without an exported table (`unknown`), the same with
`--export-table` (`table`), and wasm32-wasi (`wasi`). Also: the hello guest is
under 150 KB, every module imports only env.hostcall_*, and the table
variant really exports its table while the others do not.

Prints `N passed, M failed`; exits 1 on any failure.
"""
import argparse
import http.client
import http.server
import json
import os
import sys
import tempfile
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "serve"))
import serve_harness as sh  # noqa: E402
import wasm_info  # noqa: E402

GUESTS = ["hello", "echo", "kv_counter", "fanout", "panic", "platform", "terrarium_style", "ratelimit", "proxy", "json_api"]
HELLO_LIMIT = 150 * 1024


class Upstream(http.server.BaseHTTPRequestHandler):
    """/delay/MS/NAME answers NAME after MS milliseconds, naming itself in
    x-upstream-name; anything else is a 404."""
    protocol_version = "HTTP/1.1"
    hits = {}  # path -> requests seen
    lock = threading.Lock()

    def do_GET(self):
        with Upstream.lock:
            Upstream.hits[self.path] = Upstream.hits.get(self.path, 0) + 1
        parts = self.path.split("/")
        if len(parts) == 4 and parts[1] == "delay" and parts[2].isdigit():
            time.sleep(int(parts[2]) / 1000.0)
            body = parts[3].encode()
            self.send_response(200)
            self.send_header("x-upstream-name", parts[3])
            self.send_header("x-saw-fanout", self.headers.get("x-fanout", "-"))
            self.send_header("content-type", "text/plain; charset=utf-8")
        else:
            body = b"no such path"
            self.send_response(404)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def request(port, host, path, method="GET", body=None, headers=(), raw=False):
    """-> (status, body text (bytes if raw), response headers as an http.client message)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        c.putrequest(method, path, skip_host=True)
        c.putheader("Host", host)
        for k, v in headers:
            c.putheader(k, v)
        if body is not None:
            c.putheader("Content-Length", str(len(body)))
        c.endheaders(body)
        r = c.getresponse()
        data = r.read()
        return r.status, data if raw else data.decode("utf-8", "replace"), r.headers
    finally:
        c.close()


def check_module(t, variant, name, path):
    imports, exports = wasm_info.read(path)
    bad = [m + "." + n for m, n, _ in imports if m != "env" or not n.startswith("hostcall_")]
    t.check(not bad, "%s/%s imports only env.hostcall_*" % (variant, name), bad)
    t.check(exports.get("run") == 0, "%s/%s exports run" % (variant, name), exports)
    has_table = any(kind == 1 for kind in exports.values())
    t.check(has_table == (variant == "table"),
            "%s/%s %s its table" % (variant, name, "exports" if variant == "table" else "does not export"),
            exports)


def check_hello(t, s, host, variant, path):
    size = os.path.getsize(path)
    print("size %s/hello.wasm: %d bytes" % (variant, size))
    t.check(size < HELLO_LIMIT, "%s/hello.wasm is under 150 KB" % variant, size)
    st, body, h = request(s.port, host, "/")
    t.check((st, body) == (200, "Hello, world!\n") and h.get("content-type") == "text/plain; charset=utf-8",
            "%s hello: 200, body and content-type" % variant, (st, body, dict(h)))


def check_echo(t, s, host, variant):
    st, body, h = request(s.port, host, "/a/b?c=d&e", "POST", b"ping\x00pong",
                          [("X-Test", "1"), ("X-Test", "2"), ("Content-Type", "application/octet-stream")])
    t.check(st == 200 and body == "ping\x00pong", "%s echo: body back byte for byte" % variant, (st, body))
    t.check(h.get("x-method") == "POST" and h.get("x-path") == "/a/b?c=d&e",
            "%s echo: method and path with query" % variant, dict(h))
    t.check(h.get_all("x-test") == ["1", "2"], "%s echo: both values of a repeated header, in order" % variant,
            h.get_all("x-test"))
    t.check(h.get("content-type") == "application/octet-stream", "%s echo: content-type" % variant, dict(h))
    st, body, h = request(s.port, host, "/", "GET")
    t.check(st == 200 and body == "" and h.get("x-method") == "GET", "%s echo: empty GET" % variant, (st, body))
    big = bytes(range(256)) * 4096  # 1 MiB: the guest's malloc grows its memory
    st, body, _ = request(s.port, host, "/big", "PUT", big, raw=True)
    t.check(st == 200 and body == big, "%s echo: a 1 MiB body comes back whole" % variant, (st, len(body)))
    # A header value that is not UTF-8 (obs-text) passes through as bytes.
    st, _, h = request(s.port, host, "/", "GET", headers=[("X-Latin", "caf\xe9")])
    t.check(st == 200 and h.get("x-latin") == "caf\xe9", "%s echo: a non-UTF-8 header value byte for byte" % variant,
            h.get("x-latin"))


def check_kv(t, s, host, variant):
    got = [request(s.port, host, p)[1] for p in ("/count/a", "/count/a", "/count/b", "/get/a")]
    t.check(got == ["1", "2", "1", "2"], "%s kv: counters per key persist across requests" % variant, got)
    absent = [request(s.port, host, "/append/k", "POST", b)[2].get("x-was-absent") for b in (b"x", b"y")]
    t.check(absent == ["true", "false"], "%s kv: append reports a new key once" % variant, absent)
    t.check(request(s.port, host, "/get/k")[:2] == (200, "xy"), "%s kv: append appends" % variant)
    h = request(s.port, host, "/upsert/k", "PUT", b"")[2]
    t.check(h.get("x-was-absent") == "false", "%s kv: upsert over an existing key" % variant, dict(h))
    t.check(request(s.port, host, "/get/k")[:2] == (200, ""), "%s kv: an existing empty value is found" % variant)
    got = [request(s.port, host, "/remove/k", "DELETE")[:2] for _ in range(2)]
    t.check(got == [(200, "removed"), (404, "absent")], "%s kv: remove, then absent" % variant, got)
    t.check(request(s.port, host, "/get/k")[:2] == (404, "absent"), "%s kv: removed key is gone" % variant)


def check_fanout(t, s, host, variant, upstream):
    hdr = [("x-upstream", upstream)]
    cases = [("/wait", 200, "a,b,c", "wait on three requests in flight"),
             ("/select", 200, "b,c,a", "select hands them back as they answer"),
             ("/poll", 200, "not_ready then p; ready q; r", "poll: not ready, then ready"),
             ("/sync", 200, "200 sync sync", "blocking send: status, header, body"),
             ("/fail", 502, "send error: Hostcall send error", "a denied upstream is a SendError")]
    for path, want_status, want_body, what in cases:
        st, body, _ = request(s.port, host, path, headers=hdr)
        t.check((st, body) == (want_status, want_body), "%s fanout %s: %s" % (variant, path, what), (st, body))


def check_panic(t, s, host, variant):
    st, body, _ = request(s.port, host, "/panic")
    t.check(st == 500 and "rust guest panicked on purpose: 42" in body,
            "%s panic: 500 carrying the panic message" % variant, (st, body))
    t.check(request(s.port, host, "/")[:2] == (200, "still fine"), "%s panic: next request is fine" % variant)


def check_platform(t, s, host, name, variant):
    st, body, _ = request(s.port, host, "/time")
    parts = body.split()
    ok = st == 200 and len(parts) == 2 and abs(int(parts[0]) - time.time()) < 60 and 0 <= int(parts[1]) < 10**9
    t.check(ok, "%s time: seconds since the epoch and nanoseconds" % variant, (st, body))
    a, b = request(s.port, host, "/random")[1], request(s.port, host, "/random")[1]
    words = a.split()
    t.check(len(words) == 5 and a != b and any(int(w, 16) for w in words[:4]) and len(words[4]) == 26,
            "%s random: 64-bit words and filled bytes, differing per request" % variant, (a, b))
    st, body, _ = request(s.port, host, "/dns?localhost")
    t.check(st == 200 and "127.0.0.1" in body.split(), "%s dns: query_ip of a granted name" % variant, (st, body))
    st, body, _ = request(s.port, host, "/dns?denied.example")
    t.check(st == 404 and body.startswith("dns error:"), "%s dns: a denied name is an error" % variant, (st, body))
    st, body, _ = request(s.port, host, "/dnsraw?denied.example")
    t.check(st == 404 and body.startswith("dns error:"), "%s dns: raw query of a denied name is an error" % variant,
            (st, body))
    t.check(request(s.port, host, "/debug")[:2] == (200, "logged"), "%s debug: answered" % variant)
    t.check(wait_for_log(s, name, "rust guest says hi"), "%s debug: the line is in `vivarium logs %s`" % (variant, name))
    t.check(request(s.port, host, "/print")[:2] == (200, "printed"), "%s println!: answered" % variant)
    if variant == "wasi":
        t.check(wait_for_log(s, name, "printed by the rust guest"),
                "wasi println!: stdout becomes a debug line in the log")


def wait_for_log(s, name, text):
    for _ in range(50):
        if text in s.cli("logs", name).stdout:
            return True
        time.sleep(0.1)
    return False


def check_terrarium_style(t, s, host, variant):
    got = [request(s.port, host, "/visits/x?y=1")[:2] for _ in range(2)]
    t.check(got == [(200, "/visits/x?y=1 visits=1"), (200, "/visits/x?y=1 visits=2")],
            "%s terrarium-style (http_guest by package rename): raw handles and KV" % variant, got)


def check_ratelimit(t, s, host, variant):
    got = [request(s.port, host, "/", headers=[("x-api-key", "alice")]) for _ in range(6)]
    remaining = [h.get("x-ratelimit-remaining") for _, _, h in got[:5]]
    t.check([st for st, _, _ in got[:5]] == [200] * 5 and remaining == ["4", "3", "2", "1", "0"],
            "%s ratelimit: five requests allowed, counting down" % variant, remaining)
    st, _, h = got[5]
    retry = h.get("retry-after") or ""
    t.check(st == 429 and retry.isdigit() and 0 < int(retry) <= 60,
            "%s ratelimit: the sixth gets 429 with retry-after" % variant, (st, retry))
    st, _, h = request(s.port, host, "/", headers=[("x-api-key", "bob")])
    t.check(st == 200 and h.get("x-ratelimit-remaining") == "4", "%s ratelimit: another key has its own budget" % variant,
            (st, dict(h)))
    t.check(request(s.port, host, "/")[0] == 200, "%s ratelimit: without a key, by client address" % variant)


def check_proxy(t, s, host, variant, upstream):
    path = "/delay/0/page-" + variant
    hdr = [("x-upstream", upstream)]
    first = request(s.port, host, path, headers=hdr)
    second = request(s.port, host, path, headers=hdr)
    t.check(first[0] == 200 and first[1] == "page-" + variant and first[2].get("x-cache") == "MISS",
            "%s proxy: first request goes to the origin (MISS)" % variant, (first[0], first[1], dict(first[2])))
    t.check(second[:2] == first[:2] and second[2].get("x-cache") == "HIT",
            "%s proxy: second request served from KV (HIT)" % variant, (second[0], second[1], dict(second[2])))
    t.check(Upstream.hits.get(path) == 1, "%s proxy: the origin saw one request" % variant, Upstream.hits.get(path))
    h = second[2]
    t.check(h.get("via") == "1.1 vivarium-rust-proxy" and h.get("x-upstream-name") is None
            and "BaseHTTP" not in (h.get("server") or "") and h.get("content-type") == "text/plain; charset=utf-8",
            "%s proxy: headers rewritten (via added, origin's dropped, content-type kept)" % variant, dict(h))
    st, _, h = request(s.port, host, "/nothing", headers=hdr)
    t.check(st == 404 and h.get("x-cache") == "MISS", "%s proxy: an origin 404 passes through" % variant, st)


def check_json_api(t, s, host, variant):
    def call(method, path, body=None):
        st, text, h = request(s.port, host, path, method, body)
        try:
            return st, (json.loads(text) if text else None), h
        except ValueError:
            return st, "not JSON: " + text, h
    st, doc, h = call("GET", "/notes")
    t.check((st, doc) == (200, {"notes": []}) and h.get("content-type") == "application/json",
            "%s json: empty list" % variant, (st, doc))
    text = 'say "hi"\n\ttab \\ caf\u00e9 \x01'
    st, doc, h = call("POST", "/notes", text.encode())
    t.check(st == 201 and doc == {"id": 1, "text": text} and h.get("location") == "/notes/1",
            "%s json: create, with escapes that round-trip" % variant, (st, doc))
    call("POST", "/notes", b"second")
    st, doc, _ = call("GET", "/notes")
    t.check(doc == {"notes": [{"id": 1, "text": text}, {"id": 2, "text": "second"}]},
            "%s json: list in creation order" % variant, doc)
    t.check(call("GET", "/notes/2")[:2] == (200, {"id": 2, "text": "second"}), "%s json: get one" % variant)
    t.check(call("DELETE", "/notes/1")[0] == 204, "%s json: delete" % variant)
    st, doc, _ = call("GET", "/notes/1")
    t.check(st == 404 and "error" in doc, "%s json: a deleted note is 404 with an error object" % variant, (st, doc))
    t.check(call("GET", "/notes")[1] == {"notes": [{"id": 2, "text": "second"}]}, "%s json: list after delete" % variant)
    st, _, h = call("PUT", "/notes")
    t.check(st == 405 and h.get("allow") == "GET, POST", "%s json: 405 with allow" % variant, (st, dict(h)))
    t.check(call("GET", "/elsewhere")[0] == 404, "%s json: unknown route 404" % variant)


def run_variant(t, s, tmp, variant, guest_dir, upstream_port):
    upstream = "http://127.0.0.1:%d" % upstream_port
    for g in GUESTS:
        path = os.path.join(guest_dir, g + ".wasm")
        if not t.check(os.path.exists(path), "%s/%s.wasm was built" % (variant, g), path):
            continue
        check_module(t, variant, g, path)
        name = "%s-%s" % (g.replace("_", "-"), variant)
        r = s.cli("deploy", path, "--name", name, "--allow-host", "127.0.0.1:%d" % upstream_port,
                  "--allow-host", "localhost")
        if not t.check(r.returncode == 0, "%s/%s deploys" % (variant, g), r.stdout + r.stderr):
            continue
        host = name + ".localhost"
        if g == "hello":
            check_hello(t, s, host, variant, path)
        elif g == "echo":
            check_echo(t, s, host, variant)
        elif g == "kv_counter":
            check_kv(t, s, host, variant)
        elif g == "fanout":
            check_fanout(t, s, host, variant, upstream)
        elif g == "panic":
            check_panic(t, s, host, variant)
        elif g == "platform":
            check_platform(t, s, host, name, variant)
        elif g == "terrarium_style":
            check_terrarium_style(t, s, host, variant)
        elif g == "ratelimit":
            check_ratelimit(t, s, host, variant)
        elif g == "proxy":
            check_proxy(t, s, host, variant, upstream)
        elif g == "json_api":
            check_json_api(t, s, host, variant)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vivarium", required=True)
    ap.add_argument("--guests", required=True, help="directory with unknown/, table/ and wasi/")
    args = ap.parse_args()
    t = sh.Checks()
    tmp = tempfile.mkdtemp(prefix="viv-sdk-rust-")
    up = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=up.serve_forever, daemon=True).start()
    s = sh.Server(args.vivarium, tmp, log_level="info")
    error = None
    try:
        s.start()
        for variant in ("unknown", "table", "wasi"):
            run_variant(t, s, tmp, variant, os.path.join(args.guests, variant), up.server_address[1])
    except Exception as e:  # reported as a failed check, with the server log
        error = e
    finally:
        up.shutdown()
    return sh.conclude(t, s, tmp, error)


if __name__ == "__main__":
    sys.exit(main())
