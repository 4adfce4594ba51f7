#!/usr/bin/env python3
"""End-to-end test of `vivarium serve` and its CLI (issue 12, items 1, 7, 8, 9).

Starts servers on 127.0.0.1 with free ports and a temporary --data, deploys
WAT guests with `vivarium deploy`, and checks: Host routing (and
`curl http://NAME.localhost:PORT/`), 404 for unknown names, redeploy under
load with no failed request, `deployments`, `logs` with request ids, a wrong
token (401), invalid uploads reporting line/offset, per-deployment limits
(413), TTL expiry, undeploy, graceful SIGTERM (exit 0), restart keeping
deployments, and two nodes sharing deployments through one redis-server.
Prints `N passed, M failed`; exits 1 on any failure.
"""
import argparse
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness as sh  # noqa: E402
import time

HELLO = """(module
  (import "env" "hostcall_resp_set_body" (func $set_body (param i32 i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 16) "%s")
  (func (export "run") (drop (call $set_body (i32.const 0) (i32.const 16) (i32.const %d)))))
"""
DEBUG = """(module
  (import "env" "hostcall_debug" (func $debug (param i32 i32)))
  (memory 1)
  (data (i32.const 16) "guest says hi")
  (func (export "run") (call $debug (i32.const 16) (i32.const 13))))
"""
TRAP = """(module (func (export "run") unreachable))"""
LOOP = """(module (func (export "run") (loop (br 0))))"""
BAD_TEXT = """(module
  (func (export "run") (blah)))
"""


def hello(text):
    return HELLO % (text, len(text))


free_port, Checks, get = sh.free_port, sh.Checks, sh.get


class Server(sh.Server):
    """The harness's server with one token file shared by every node (the
    two-node tests), a fast --sync-interval and info-level logs."""

    def __init__(self, args, tmp, name, extra=()):
        token = os.path.join(tmp, "token")
        super().__init__(args.vivarium, tmp, name,
                         ["--admin-token-file", token, "--sync-interval", "200ms"] + list(extra),
                         log_level="info")
        self.args = args
        self.token = token


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w" if isinstance(text, str) else "wb") as f:
        f.write(text)
    return path


def wait_for(pred, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def single_node(args, tmp, t):
    with open(os.path.join(tmp, "token"), "w") as f:
        f.write("e2e-token-0123456789abcdef\n")
    s = Server(args, tmp, "node1")
    s.start()
    try:
        v1, v2 = write(tmp, "hello.wat", hello("hello v1")), write(tmp, "hello2.wat", hello("hello v2"))
        r = s.cli("deploy", v1, "--name", "hello")
        t.check(r.returncode == 0 and "deployed hello" in r.stdout, "vivarium deploy hello.wat", r.stderr)
        t.check(get(s.port, "hello.localhost") == (200, "hello v1"), "GET via Host: hello.localhost")
        t.check(get(s.port, "HELLO.localhost:%d" % s.port)[0] == 200, "Host with port and upper case")
        if shutil.which("curl"):
            c = subprocess.run(["curl", "-s", "http://hello.localhost:%d/" % s.port], capture_output=True,
                               text=True, timeout=20)
            t.check(c.stdout == "hello v1", "curl http://hello.localhost:PORT/", c.stdout + c.stderr)
        # The README's example service, exactly as a user deploys it.
        example = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples",
                               "hello-service.wat")
        r = s.cli("deploy", example, "--name", "readme")
        t.check(r.returncode == 0, "vivarium deploy examples/hello-service.wat", r.stdout + r.stderr)
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        conn.request("GET", "/", headers={"Host": "readme.localhost"})
        resp = conn.getresponse()
        data = resp.read().decode()
        t.check(resp.status == 200 and data == "Hello from Vivarium!\n"
                and resp.getheader("content-type") == "text/plain; charset=utf-8",
                "examples/hello-service.wat answers with its body and content-type", (resp.status, data))
        conn.close()
        st, body = get(s.port, "nobody.localhost")
        t.check(st == 404 and "nobody" in body, "unknown name: 404 naming it", body)
        st, body = get(s.port, "example.org")
        t.check(st == 404 and "<name>.localhost" in body, "host under no domain: 404 saying how to reach", body)

        # Redeploy while requests run: every request answers 200 with one version.
        stop = threading.Event()
        results = {"ok": 0, "bad": []}
        lock = threading.Lock()

        def load():
            conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            while not stop.is_set():
                try:
                    conn.request("GET", "/", headers={"Host": "hello.localhost"})
                    resp = conn.getresponse()
                    data = resp.read().decode()
                    with lock:
                        if resp.status == 200 and data in ("hello v1", "hello v2"):
                            results["ok"] += 1
                        else:
                            results["bad"].append((resp.status, data))
                except Exception as e:  # noqa: BLE001 - any failure counts
                    with lock:
                        results["bad"].append(repr(e))
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            conn.close()

        threads = [threading.Thread(target=load) for _ in range(4)]
        for th in threads:
            th.start()
        deploys_ok = all(s.cli("deploy", v2 if i % 2 == 0 else v1, "--name", "hello").returncode == 0
                         for i in range(6))
        time.sleep(0.3)
        stop.set()
        for th in threads:
            th.join()
        t.check(deploys_ok and results["ok"] > 0 and not results["bad"],
                "redeploy under load: %d requests, none failed" % results["ok"], results["bad"][:5])

        if shutil.which("curl"):
            c = subprocess.run(["curl", "-s", "--http2-prior-knowledge", "-w", " %{http_version}",
                                "http://hello.localhost:%d/" % s.port], capture_output=True, text=True, timeout=20)
            t.check(c.stdout.startswith("hello v") and c.stdout.endswith(" 2"), "h2c (prior knowledge)",
                    c.stdout + c.stderr)

        r = s.cli("deployments")
        t.check(r.returncode == 0 and "hello" in r.stdout, "vivarium deployments lists hello", r.stdout + r.stderr)
        r = s.cli("deployments", token=write(tmp, "wrong", "not-the-token\n"))
        t.check(r.returncode == 1 and "401" in r.stderr, "wrong token: 401", r.stderr)
        st, _ = get(s.admin, "admin", "/deployments")
        t.check(st == 401, "admin API without a token: 401")

        bad = write(tmp, "bad.wat", BAD_TEXT)
        r = s.cli("deploy", bad, "--name", "hello")
        t.check(r.returncode == 1 and "bad.wat:2:" in r.stderr, "invalid .wat: file:line:col", r.stderr)
        badbin = write(tmp, "bad.wasm", b"\0asm\x01\0\0\0\x01\x05\x01")
        r = s.cli("deploy", badbin, "--name", "hello")
        t.check(r.returncode == 1 and "offset" in r.stderr, "invalid .wasm: byte offset", r.stderr)
        r = s.cli("deploy", v1, "--name", "Not_A_Label")
        t.check(r.returncode != 0 and "deployment name" in r.stderr, "bad name rejected", r.stderr)
        t.check(get(s.port, "hello.localhost")[0] == 200, "failed uploads left hello serving")

        r = s.cli("deploy", write(tmp, "dbg.wat", DEBUG), "--name", "dbg")
        t.check(r.returncode == 0, "deploy dbg", r.stderr)
        get(s.port, "dbg.localhost")
        r = s.cli("deploy", write(tmp, "trap.wat", TRAP), "--name", "trap")
        st, body = get(s.port, "trap.localhost")
        t.check(st == 500 and "unreachable" in body, "a trap answers 500 with its message", (st, body))
        r = s.cli("logs", "dbg")
        t.check(r.returncode == 0 and "guest says hi" in r.stdout, "vivarium logs shows debug() lines", r.stdout)
        r = s.cli("logs", "trap")
        t.check(r.returncode == 0 and "unreachable" in r.stdout, "vivarium logs shows the trap", r.stdout)

        r = s.cli("deploy", write(tmp, "loop.wat", LOOP), "--name", "loop", "--limit", "wall-time=300ms")
        t0 = time.time()
        st, body = get(s.port, "loop.localhost")
        took = time.time() - t0
        t.check(r.returncode == 0 and st == 504 and took < 5, "wall-time limit: 504 (after %.2fs)" % took, (st, body))
        t.check(get(s.port, "hello.localhost")[0] == 200, "hello unaffected by the looping deployment")
        t.check("timeout" in s.cli("logs", "loop").stdout, "the timeout is in the deployment's log")

        r = s.cli("deploy", v1, "--name", "small", "--limit", "max-request-body=4")
        st, _ = get(s.port, "small.localhost", body=b"0123456789")
        t.check(r.returncode == 0 and st == 413, "per-deployment body limit: 413", st)

        r = s.cli("deploy", v1, "--name", "brief", "--ttl", "1s")
        t.check(r.returncode == 0 and get(s.port, "brief.localhost")[0] == 200, "deploy with --ttl 1s")
        t.check(wait_for(lambda: get(s.port, "brief.localhost")[0] == 404, 5), "TTL expiry: 404")
        t.check("brief" not in s.cli("deployments").stdout, "expired deployment not listed")

        r = s.cli("undeploy", "small")
        t.check(r.returncode == 0 and get(s.port, "small.localhost")[0] == 404, "undeploy: 404 after")
        r = s.cli("undeploy", "small")
        t.check(r.returncode == 1 and "404" in r.stderr, "undeploy twice: not found", r.stderr)

        st, metrics = get(s.admin, "admin", "/metrics")
        t.check(st == 401, "/metrics needs the token (no --metrics-public)")
        st, metrics = get(s.admin, "admin", "/metrics",
                          headers={"Authorization": "Bearer e2e-token-0123456789abcdef"})
        t.check(st == 200 and all(g in metrics for g in ("vivarium_instances_running", "vivarium_pool_idle_memories",
                                                         "vivarium_pool_idle_stacks")),
                "/metrics with the token: instance and pool gauges", metrics[:300])
    finally:
        code = s.stop()
    t.check(code == 0, "SIGTERM: graceful exit 0", code)

    s.start()  # same --data
    try:
        t.check(get(s.port, "hello.localhost")[0] == 200, "restart keeps deployments")
        t.check(get(s.port, "brief.localhost")[0] == 404, "restart does not revive expired ones")
    finally:
        t.check(s.stop() == 0, "second SIGTERM: exit 0")


def config_file(args, tmp, t):
    """The same options from --config (TOML); a JSON access log on stdout."""
    s = Server(args, tmp, "configured")
    conf = write(tmp, "serve.toml", "\n".join([
        'listen = ["127.0.0.1:%d"]' % s.port,
        'admin = "127.0.0.1:%d"' % s.admin,
        'data = "%s"' % s.data,
        'admin-token-file = "%s"' % s.token,
        'domain = ["edge.test"]',
        'access-log = "json"',
        '[limits]',
        'max-request-body = "8"',
        '']))
    s.proc = subprocess.Popen([args.vivarium, "serve", "--config", conf], stdout=s.log, stderr=s.log)
    try:
        t.check(wait_for(lambda: _healthy(s), 20), "vivarium serve --config FILE starts")
        r = s.cli("deploy", os.path.join(tmp, "hello.wat"), "--name", "conf")
        t.check(r.returncode == 0, "deploy to the configured server", r.stderr)
        t.check(get(s.port, "conf.edge.test") == (200, "hello v1"), "--domain from the config routes")
        t.check(get(s.port, "conf.localhost", body=b"0123456789")[0] == 413, "[limits] from the config apply")
    finally:
        t.check(s.stop() == 0, "configured server: exit 0")
    with open(s.log.name, errors="replace") as f:
        logged = f.read()
    t.check('"deployment":"conf"' in logged and '"status":200' in logged, "JSON access log names the deployment",
            logged[-600:])
    bad = write(tmp, "bad.toml", "listen = [\n")
    r = subprocess.run([args.vivarium, "serve", "--config", bad], capture_output=True, text=True, timeout=20)
    t.check(r.returncode == 2 and "line" in r.stderr, "a broken config names the line", r.stderr)


def tls_listener(args, tmp, t):
    """--listen tls://... with --tls-cert/--tls-key: ALPN picks HTTP/2."""
    if not shutil.which("openssl") or not shutil.which("curl"):
        print("skip TLS listener test: openssl or curl not found")
        return
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                        "-days", "1", "-keyout", key, "-out", cert], capture_output=True, timeout=60)
    if not t.check(r.returncode == 0, "self-signed certificate", r.stderr):
        return
    tls_port = free_port()
    s = Server(args, tmp, "tls",
               extra=["--listen", "tls://127.0.0.1:%d" % tls_port, "--tls-cert", cert, "--tls-key", key])
    s.start()
    try:
        r = s.cli("deploy", os.path.join(tmp, "hello.wat"), "--name", "secure")
        c = subprocess.run(["curl", "-sk", "-w", " %{http_version}", "https://secure.localhost:%d/" % tls_port],
                           capture_output=True, text=True, timeout=20)
        t.check(r.returncode == 0 and c.stdout == "hello v1 2", "TLS listener with ALPN h2", c.stdout + c.stderr)
        t.check(get(s.port, "secure.localhost")[0] == 200, "the plain listener serves alongside")
    finally:
        t.check(s.stop() == 0, "TLS server: exit 0")


def _healthy(s):
    if s.proc.poll() is not None:
        return False
    try:
        return get(s.admin, "admin", "/healthz", timeout=1)[0] == 200
    except OSError:
        return False


def two_nodes(args, tmp, t):
    redis = shutil.which("redis-server")
    if not redis:
        print("skip two-node Redis test: redis-server not found")
        return
    rport = free_port()
    rproc = subprocess.Popen([redis, "--port", str(rport), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    nodes = []
    try:
        def ping():
            try:
                with socket.create_connection(("127.0.0.1", rport), timeout=1) as c:
                    c.sendall(b"PING\r\n")
                    return c.recv(16).startswith(b"+PONG")
            except OSError:
                return False
        if not t.check(wait_for(ping, 10), "redis-server started"):
            return
        kv = ["--kv", "redis://127.0.0.1:%d" % rport]
        nodes = [Server(args, tmp, "redis-a", kv), Server(args, tmp, "redis-b", kv)]
        for n in nodes:
            n.start()
        a, b = nodes
        v1 = os.path.join(tmp, "hello.wat")
        r = a.cli("deploy", v1, "--name", "shared")
        t.check(r.returncode == 0, "deploy to node A", r.stderr)
        t.check(wait_for(lambda: get(b.port, "shared.localhost") == (200, "hello v1"), 5), "node B serves it")
        r = b.cli("deploy", os.path.join(tmp, "hello2.wat"), "--name", "shared")
        t.check(wait_for(lambda: get(a.port, "shared.localhost") == (200, "hello v2"), 5),
                "redeploy on B reaches A")
        r = a.cli("undeploy", "shared")
        t.check(wait_for(lambda: get(b.port, "shared.localhost")[0] == 404, 5), "undeploy on A reaches B")
        r = a.cli("deploy", v1, "--name", "survivor")
        a.stop()
        c = Server(args, tmp, "redis-c", kv)  # a new node with an empty --data
        nodes.append(c)
        c.start()
        t.check(get(c.port, "survivor.localhost")[0] == 200, "a fresh node loads deployments from Redis")
    finally:
        for n in nodes:
            n.stop()
        rproc.terminate()
        rproc.wait(timeout=10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vivarium", required=True)
    ap.add_argument("--edge", help="vivarium-edge (must sit next to --vivarium)")
    args = ap.parse_args()
    t = Checks()
    tmp = tempfile.mkdtemp(prefix="viv-serve-e2e-")
    try:
        single_node(args, tmp, t)
        config_file(args, tmp, t)
        tls_listener(args, tmp, t)
        two_nodes(args, tmp, t)
    except Exception as e:  # noqa: BLE001 - report, then fail
        t.check(False, "unexpected error", repr(e))
    finally:
        if t.failed:
            for name in sorted(os.listdir(tmp)):
                if name.endswith(".log"):
                    print("---- " + name)
                    with open(os.path.join(tmp, name), errors="replace") as f:
                        print(f.read()[-4000:])
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (t.passed, t.failed))
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
