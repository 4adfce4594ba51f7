#!/usr/bin/env python3
"""The examples under examples/*/ end to end against `vivarium serve`, in
every language each has: C (built by CMake for wasi-libc and freestanding),
WAT (deployed as text) and AssemblyScript (built with `vivarium build` when
sdk/assemblyscript/node_modules holds asc). Upstreams are a Python HTTP
server on 127.0.0.1; the DNS-over-HTTPS resolver gets a UDP DNS stub through
a private mount namespace whose /etc/resolv.conf names it (skipped, with a
line saying so, where unshare is not permitted). Loopback only."""
import argparse
import base64
import http.server
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import json
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "serve"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guests"))
from serve_harness import Checks, Server, conclude  # noqa: E402
from run_sock_guests import DnsStub  # noqa: E402  (a UDP stub and a resolv.conf naming it)
import http.client  # noqa: E402


def request(port, host, path, method="GET", body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        h = {"Host": host}
        h.update(headers or {})
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


class Origin:
    """/fast, /slow (0.6 s), /page (headers to strip, the forwarded host in
    its body; counts its hits)."""

    def __init__(self):
        self.page_hits = 0
        origin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                if self.path == "/slow":
                    time.sleep(0.6)
                    body, ctype = b"slow", "text/plain"
                elif self.path == "/fast":
                    body, ctype = b"fast", "text/plain"
                elif self.path == "/page":
                    origin.page_hits += 1
                    body = ("page for " + str(self.headers.get("x-forwarded-host"))).encode()
                    ctype = "text/html"
                else:
                    self.send_response(404)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("content-type", ctype)
                self.send_header("set-cookie", "secret=1")
                self.send_header("cache-control", "max-age=30")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                self.send_response(200)
                self.send_header("content-type", "text/plain")
                self.send_header("content-length", str(len(body) + 5))
                self.end_headers()
                self.wfile.write(b"echo " + body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def dns_query(name, qid=0x1234):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00" + struct.pack(">HH", 1, 1)


def make_ppm(w, h):
    pixels = bytearray()
    for y in range(h):
        for x in range(w):
            pixels += bytes([255 if x < w // 2 else 0, 0, 255 if y >= h // 2 else 0])
    return b"P6\n# a test image\n%d %d\n255\n" % (w, h) + bytes(pixels)


# ---- checks per example; `host` is the deployment's host name ----

def check_hello(t, s, host, lang, ctx):
    st, h, b = request(s.port, host, "/")
    t.check(st == 200 and b == b"Hello, world!\n" and h.get("content-type") == "text/plain",
            "hello %s" % lang, (st, h.get("content-type"), b))


def check_json_api(t, s, host, lang, ctx):
    r = [request(s.port, host, "/api/health"),
         request(s.port, host, "/api/items/a1", "PUT", b'{"name":"apple"}'),
         request(s.port, host, "/api/items/a1", "PUT", b'{"name":"apricot"}'),
         request(s.port, host, "/api/items/a1"),
         request(s.port, host, "/api/items/a1", "DELETE"),
         request(s.port, host, "/api/items/a1"),
         request(s.port, host, "/api/items/a1", "PUT", b"not json"),
         request(s.port, host, "/api/items/bad%20id"),
         request(s.port, host, "/api/time"),
         request(s.port, host, "/nope"),
         request(s.port, host, "/api/items/a1", "PATCH", b"{}")]
    got = [(x[0], x[2]) for x in r]
    t.check(got[0] == (200, b'{"ok":true}') and r[0][1].get("content-type") == "application/json",
            "json-api %s health" % lang, got[0])
    t.check(got[1][0] == 201 and got[2][0] == 200, "json-api %s PUT creates then replaces" % lang, got[1:3])
    t.check(got[3] == (200, b'{"name":"apricot"}'), "json-api %s GET item" % lang, got[3])
    t.check(got[4][0] == 204 and got[5][0] == 404, "json-api %s DELETE" % lang, got[4:6])
    t.check(got[6][0] == 400 and got[7][0] == 400, "json-api %s rejects bad input" % lang, got[6:8])
    now = time.time()
    t.check(got[8][0] == 200 and abs(int(got[8][1][7:-1]) - now) < 60, "json-api %s time" % lang, got[8])
    t.check(got[9][0] == 404 and got[10][0] == 405, "json-api %s 404 and 405" % lang, got[9:])


def check_counter(t, s, host, lang, ctx):
    c = [request(s.port, host, "/count")[2] for _ in range(3)]
    t.check(c == [b"1\n", b"2\n", b"3\n"], "counter %s counts" % lang, c)
    if lang == "wat":  # the WAT version has only /count
        t.check(request(s.port, host, "/other")[0] == 404, "counter wat 404 elsewhere")
        return
    # A window boundary during the burst would reset the count: start early in a minute.
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)
    codes = [request(s.port, host, "/limited") for _ in range(7)]
    t.check([x[0] for x in codes] == [200] * 5 + [429] * 2, "counter %s limits to 5 a minute" % lang,
            [x[0] for x in codes])
    t.check(codes[0][1].get("x-ratelimit-remaining") == "4" and 0 < int(codes[6][1].get("retry-after", "0")) <= 60,
            "counter %s rate-limit headers" % lang, (codes[0][1], codes[6][1]))


def fanout(s, host, o, paths):
    c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
    c.putrequest("GET", "/", skip_host=True)
    c.putheader("Host", host)
    for p in paths:
        c.putheader("x-upstream", "http://127.0.0.1:%d/%s" % (o, p))
    c.endheaders()
    r = c.getresponse()
    body = r.read().decode()
    c.close()
    return r, body


def check_fanout(t, s, host, lang, ctx):
    o = ctx["origin"].port
    # Warm-up: the server's outbound client holds the second and third
    # requests to a host it has no connection to yet until the first one
    # answers (it waits to learn whether the connection multiplexes), which
    # would order the answers by sending order.
    fanout(s, host, o, ["fast"])
    r, body = fanout(s, host, o, ["slow", "fast", "missing"])
    try:
        done = json.loads(body)["completed"]
    except ValueError:
        done = []
    order = [(d["upstream"], d["status"], d.get("body")) for d in done]
    t.check(r.status == 200 and len(order) == 3 and order[-1] == (0, 200, "slow") and (1, 200, "fast") in order
            and (2, 404, "") in order, "fanout %s collects in completion order with select" % lang, body)
    st, _, _ = request(s.port, host, "/")
    t.check(st == 400, "fanout %s without upstreams" % lang, st)


def check_proxy(t, s, host, lang, ctx):
    o = ctx["origin"]
    st, _, _ = request(s.port, host, "/page")
    t.check(st == 503, "proxy %s without an origin" % lang, st)
    request(s.port, host, "/__origin", "PUT", b"http://127.0.0.1:%d" % o.port)
    before = o.page_hits
    a = request(s.port, host, "/page")
    b = request(s.port, host, "/page")
    t.check(a[0] == 200 and a[2] == ("page for " + host).encode() and a[1].get("x-cache") == "MISS",
            "proxy %s fetches from the origin with x-forwarded-host" % lang, a)
    t.check(b[0] == 200 and b[2] == a[2] and b[1].get("x-cache") == "HIT" and o.page_hits == before + 1,
            "proxy %s answers the second from its cache" % lang, (b, o.page_hits - before))
    t.check(a[1].get("via") == "1.1 vivarium" and "set-cookie" not in a[1] and a[1].get("content-type") == "text/html"
            and a[1].get("cache-control") == "max-age=30", "proxy %s rewrites headers" % lang, a[1])
    request(s.port, host, "/__cache?path=/page", "DELETE")
    c = request(s.port, host, "/page")
    t.check(c[1].get("x-cache") == "MISS", "proxy %s forgets a path" % lang, c[1])


def check_doh(t, s, host, lang, ctx):
    if not ctx.get("dns"):
        print("skip doh %s answers: no private resolv.conf (unshare -m not permitted)" % lang)
    else:
        q = dns_query("svc.example.test")
        st, h, b = request(s.port, host, "/dns-query?dns=" + base64.urlsafe_b64encode(q).decode().rstrip("="))
        ok = st == 200 and h.get("content-type") == "application/dns-message" and len(b) >= 12
        t.check(ok and b[:2] == q[:2] and struct.unpack(">H", b[6:8])[0] == 1 and b[-4:] == socket.inet_aton("127.0.0.1"),
                "doh %s GET resolves through dns_query_raw" % lang, (st, h, b))
        st, _, b = request(s.port, host, "/dns-query", "POST", q, {"content-type": "application/dns-message"})
        t.check(st == 200 and b[-4:] == socket.inet_aton("127.0.0.1"), "doh %s POST" % lang, (st, b))
    st, _, _ = request(s.port, host, "/dns-query?dns=***")
    t.check(st == 400, "doh %s rejects a bad query" % lang, st)


def check_thumbnail(t, s, host, lang, ctx):
    img = make_ppm(64, 48)
    st, h, b = request(s.port, host, "/thumbnail?w=8&h=6", "POST", img)
    expect = b"P6\n8 6\n255\n"
    t.check(st == 200 and h.get("content-type") == "image/x-portable-pixmap" and b.startswith(expect)
            and len(b) == len(expect) + 8 * 6 * 3, "thumbnail %s PPM" % lang, (st, h, b[:20], len(b)))
    if st == 200 and len(b) == len(expect) + 144:
        px = b[len(expect):]
        t.check(px[0:3] == b"\xff\x00\x00" and px[(5 * 8 + 7) * 3:(5 * 8 + 8) * 3] == b"\x00\x00\xff",
                "thumbnail %s box filter keeps the quadrants" % lang, px[:6])
    st, h, b = request(s.port, host, "/thumbnail?w=3&h=2&format=bmp", "POST", img)
    t.check(st == 200 and h.get("content-type") == "image/bmp" and b[:2] == b"BM" and len(b) == 54 + 12 * 2
            and struct.unpack("<ii", b[18:26]) == (3, 2), "thumbnail %s BMP" % lang, (st, b[:30]))
    st, _, b = request(s.port, host, "/thumbnail", "POST", b"P3\n1 1\n255\n0 0 0")
    t.check(st == 400 and b"P6" in b, "thumbnail %s rejects a bad image" % lang, (st, b))
    st, _, _ = request(s.port, host, "/thumbnail?w=0", "POST", img)
    t.check(st == 400, "thumbnail %s rejects a bad size" % lang, st)


def check_terrarium_style(t, s, a):
    """A guest in the style of Terrarium's C templates (tests/sdk/guests/)."""
    r = s.cli("deploy", os.path.join(a.built, "terrarium_style.wasm"), "--name", "terrarium-style")
    if not t.check(r.returncode == 0, "deploy a Terrarium-style C guest", r.stdout + r.stderr):
        return
    st, _, b = request(s.port, "terrarium-style.localhost", "/")
    t.check(st == 200 and b == b"Hello, world!", "Terrarium-style C guest answers", (st, b))
    st, _, b = request(s.port, "terrarium-style.localhost", "/assert")
    t.check(st == 500 and b"assertion failed: !failing" in b, "a failed assert is a 500 naming it", (st, b))
    st, _, b = request(s.port, "terrarium-style.localhost", "/time")
    t.check(st == 200 and b.startswith(b"now ") and abs(int(b[4:]) - time.time()) < 60,
            "snprintf and time() through the WASI shim", (st, b))
    st, _, b = request(s.port, "terrarium-style.localhost", "/exit")
    t.check(st == 500 and b"exit(003)" in b, "exit() is a 500 saying so", (st, b))
    r = s.cli("logs", "terrarium-style")
    t.check("printf reached the log: 42" in r.stdout, "printf lines reach vivarium logs", r.stdout + r.stderr)
    r = subprocess.run([a.vivarium, "inspect", os.path.join(a.built, "terrarium_style.wasm")],
                       capture_output=True, text=True)
    t.check("wasi_snapshot_preview1" not in r.stdout, "the shim leaves no WASI import", r.stdout)


def check_socket_helpers(t, a, origin):
    """vivarium_socket.h's viv_http_get from a WASI command under `vivarium run`."""
    guest = os.path.join(a.built, "http_get.wasm")
    port = str(origin.port)
    r = subprocess.run([a.vivarium, "run", "--allow-connect", "127.0.0.1:" + port, guest, "127.0.0.1", port, "/fast"],
                       capture_output=True, text=True, timeout=60)
    t.check(r.returncode == 0 and r.stdout.startswith("HTTP/1.") and " 200 " in r.stdout and r.stdout.endswith("fast"),
            "socket helpers: viv_http_get under vivarium run", r.stdout + r.stderr)
    r = subprocess.run([a.vivarium, "run", guest, "127.0.0.1", port, "/fast"], capture_output=True, text=True, timeout=60)
    t.check(r.returncode == 1 and "errno 2\n" in r.stdout, "socket helpers: refused (EACCES) without a grant", r.stdout + r.stderr)


def check_as_probe(t, s, a, tmp, ctx):
    """The AssemblyScript wrappers the examples leave out (tests/sdk/as-probe)."""
    if not a.asc:
        print("skip the AssemblyScript probe: no sdk/assemblyscript/node_modules")
        return
    proj = os.path.join(tmp, "as-probe")
    shutil.copytree(os.path.join(os.path.dirname(os.path.abspath(__file__)), "as-probe"), proj)
    r = subprocess.run([a.vivarium, "build"], cwd=proj, capture_output=True, text=True, timeout=300)
    if not t.check(r.returncode == 0, "build the AssemblyScript probe", r.stdout + r.stderr):
        return
    r = s.cli("deploy", os.path.join(proj, "build", "as-probe.wasm"), "--name", "as-probe",
              "--allow-host", "127.0.0.1", "--allow-host", "localhost")
    if not t.check(r.returncode == 0, "deploy the AssemblyScript probe", r.stdout + r.stderr):
        return
    host, o = "as-probe.localhost", ctx["origin"].port
    st, _, b = request(s.port, host, "/time")
    t.check(st == 200 and b.endswith(b" consistent") and abs(int(b.split()[0]) - time.time()) < 60,
            "AS nowSeconds and nowMillis", b)
    t.check(request(s.port, host, "/random")[2] == b"different", "AS randomU64")
    c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
    c.putrequest("GET", "/headers", skip_host=True, skip_accept_encoding=True)
    for k, v in (("Host", host), ("X-Multi", "a"), ("X-Multi", "b")):
        c.putheader(k, v)
    c.endheaders()
    b = c.getresponse().read()
    c.close()
    names, _, values = b.decode().partition("|")
    t.check("host" in names.split(",") and "x-multi" in names.split(",") and values == "a,b",
            "AS headerNames and headers", b)
    b = request(s.port, host, "/poll?url=http://127.0.0.1:%d/slow" % o)[2]
    t.check(b == b"not ready, then 200 slow", "AS PendingRequest.poll and wait", b)
    b = request(s.port, host, "/outgoing-body?url=http://127.0.0.1:%d/" % o)[2]
    t.check(b == b"echo ping", "AS Request.setText and send", b)
    b = request(s.port, host, "/dns-ip?name=localhost")[2]  # getaddrinfo: /etc/hosts
    t.check(b"127.0.0.1" in b.split(b","), "AS DNS.queryIp", b)
    request(s.port, host, "/log")
    r = s.cli("logs", "as-probe")
    t.check("as-probe was here" in r.stdout, "AS log reaches vivarium logs", r.stdout + r.stderr)


CHECKS = {"hello": check_hello, "json-api": check_json_api, "counter": check_counter, "fanout": check_fanout,
          "proxy": check_proxy, "doh": check_doh, "thumbnail": check_thumbnail}


def variants(a, example, tmp, t):
    """(label, module path) for each language the example has."""
    out = []
    cdir = os.path.join(a.examples, example, "c")
    if os.path.isdir(cdir):
        for f in sorted(os.listdir(cdir)):
            if f.endswith(".c"):
                n = f[:-2]
                out.append(("c", os.path.join(a.built, n + ".wasm")))
                out.append(("c-freestanding", os.path.join(a.built, n + "-freestanding.wasm")))
    wdir = os.path.join(a.examples, example, "wat")
    if os.path.isdir(wdir):
        out += [("wat", os.path.join(wdir, f)) for f in sorted(os.listdir(wdir)) if f.endswith(".wat")]
    asdir = os.path.join(a.examples, example, "assemblyscript")
    if os.path.isdir(asdir):
        if not a.asc:
            print("skip %s assemblyscript: no sdk/assemblyscript/node_modules (scripts/setup.sh runs npm ci)" % example)
        else:
            proj = os.path.join(tmp, example + "-as")
            shutil.copytree(asdir, proj)
            r = subprocess.run([a.vivarium, "build"], cwd=proj, capture_output=True, text=True, timeout=300)
            if t.check(r.returncode == 0, "build %s assemblyscript" % example, r.stdout + r.stderr):
                out.append(("assemblyscript", os.path.join(proj, "build", example + "-as.wasm")))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vivarium", required=True)
    ap.add_argument("--built", required=True)
    ap.add_argument("--examples", required=True)
    ap.add_argument("--sdk", required=True)
    ap.add_argument("--only", help="one example")
    a = ap.parse_args()
    a.vivarium = os.path.abspath(a.vivarium)
    a.asc = os.path.exists(os.path.join(a.sdk, "assemblyscript", "node_modules", ".bin", "asc"))
    t = Checks()
    tmp = tempfile.mkdtemp(prefix="viv-sdk-examples-")
    ctx = {"origin": Origin()}
    dns = DnsStub({"svc.example.test": ["127.0.0.1"]})
    conf = dns.conf.name
    # The server sees the stub as its nameserver in a private mount namespace.
    wrapper = os.path.join(tmp, "vivarium-ns")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\nexec unshare -m sh -c 'mount --bind \"$0\" /etc/resolv.conf && exec \"$@\"' %s %s \"$@\"\n"
                % (conf, a.vivarium))
    os.chmod(wrapper, 0o755)
    probe = subprocess.run([wrapper, "--version"], capture_output=True, text=True)
    ctx["dns"] = probe.returncode == 0
    server = Server(wrapper if ctx["dns"] else a.vivarium, tmp)
    error = None
    hello = os.path.join(a.built, "hello.wasm")
    if os.path.exists(hello):
        size = os.path.getsize(hello)
        print("C hello guest: %d bytes (wasi-libc)" % size)
        t.check(size < 10240, "the C hello guest is under 10 KB", size)
    try:
        server.start()
        check_terrarium_style(t, server, a)
        check_socket_helpers(t, a, ctx["origin"])
        check_as_probe(t, server, a, tmp, ctx)
        for example in sorted(CHECKS):
            if a.only and example != a.only:
                continue
            if not os.path.isdir(os.path.join(a.examples, example)):
                t.check(False, "example %s exists" % example)
                continue
            langs = variants(a, example, tmp, t)
            t.check(len({l.split("-")[0] for l, _ in langs}) >= 2 or (not a.asc and len(langs) >= 2),
                    "%s has at least two languages" % example, [l for l, _ in langs])
            for lang, module in langs:
                name = "%s-%s" % (example, lang)
                flags = ["--allow-host", "127.0.0.1", "--allow-host", "*.example.test"]
                r = server.cli("deploy", module, "--name", name, *flags)
                if not t.check(r.returncode == 0, "deploy " + name, r.stdout + r.stderr):
                    continue
                CHECKS[example](t, server, name + ".localhost", lang, ctx)
    except Exception as e:  # noqa: BLE001 - reported as a failure
        error = e
    return conclude(t, server, tmp, error)


if __name__ == "__main__":
    sys.exit(main())
