"""Shared pieces of the `vivarium serve` load tests (concurrency.py,
isolation.py, bad_input.py): a server on 127.0.0.1 with free ports and a
temporary --data, deployments through the CLI, /proc readings, wrk, and a
pass/fail tally. Loopback only; every loop is bounded.
"""
import http.client
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import time

HELLO_BODY = "hello\n"
HELLO = """(module
  (import "env" "hostcall_resp_set_body" (func $set_body (param i32 i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 16) "hello\\0a")
  (func (export "run") (drop (call $set_body (i32.const 0) (i32.const 16) (i32.const 6)))))
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raise_nofile():
    """1,000 concurrent requests need more than the usual 1,024 descriptors
    (the server inherits the raised limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, cond, what, detail=""):
        if cond:
            self.passed += 1
            print("ok   " + what, flush=True)
        else:
            self.failed += 1
            print("FAIL " + what + (": " + str(detail) if detail else ""), flush=True)
        return cond

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed else 0


def get(port, host, path="/", body=None, method=None, headers=None, timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        h = {"Host": host}
        h.update(headers or {})
        c.request(method or ("POST" if body is not None else "GET"), path, body=body, headers=h)
        r = c.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    finally:
        c.close()


class Server:
    """`vivarium serve` on 127.0.0.1: free ports, --data under tmp."""

    def __init__(self, vivarium, tmp, name="server", extra=(), log_level="warn"):
        self.vivarium = vivarium
        self.log_level = log_level
        self.port = free_port()
        self.admin = free_port()
        self.data = os.path.join(tmp, name)
        self.token = os.path.join(self.data, "admin-token")  # created by the server
        self.extra = list(extra)
        self.proc = None
        self.log_path = os.path.join(tmp, name + ".log")
        self.log = open(self.log_path, "ab")

    def start(self):
        cmd = [self.vivarium, "serve", "--listen", "127.0.0.1:%d" % self.port,
               "--admin", "127.0.0.1:%d" % self.admin, "--data", self.data,
               "--threads", "2",
               "--access-log", "off", "--log-level", self.log_level] + self.extra
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited with %d; see %s" % (self.proc.returncode, self.log_path))
            try:
                if get(self.admin, "admin", "/healthz", timeout=1)[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not come up; see " + self.log_path)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return None
        return self.proc.returncode if self.proc else None

    def cli(self, *argv, token=None):
        cmd = [self.vivarium] + list(argv) + ["--server", "http://127.0.0.1:%d" % self.admin,
                                              "--token-file", token or self.token]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60)

    def deploy(self, tmp, name, wat, *flags):
        path = os.path.join(tmp, name + ".wat")
        with open(path, "w") as f:
            f.write(wat)
        r = self.cli("deploy", path, "--name", name, *flags)
        if r.returncode != 0:
            raise RuntimeError("deploy %s failed: %s%s" % (name, r.stdout, r.stderr))

    def status(self):
        """Threads and VmRSS (KiB) from /proc/PID/status."""
        out = {}
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("Threads", "VmRSS"):
                    out[k] = int(v.split()[0])
        return out["Threads"], out["VmRSS"]

    def log_tail(self, n=20):
        with open(self.log_path, "rb") as f:
            return b"".join(f.readlines()[-n:]).decode("utf-8", "replace")


def conclude(t, server, tmp, error=None):
    """Ends a test: reports an exception, stops the server, removes tmp
    unless something failed; returns the exit status."""
    if error is not None:
        t.check(False, "test harness", "%r\n%s" % (error, server.log_tail() if server.proc else ""))
    server.stop()
    if t.failed == 0:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print("kept " + tmp)
    return t.finish()


def have_wrk():
    return shutil.which("wrk") is not None


def wrk(port, host, seconds, connections=16, threads=1):
    """Runs wrk against http://127.0.0.1:PORT/ -> (requests/s, requests, errors text)."""
    out = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % seconds,
                          "-H", "Host: " + host, "http://127.0.0.1:%d/" % port],
                         capture_output=True, text=True, timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = "; ".join(l.strip() for l in out.splitlines() if "Non-2xx" in l or "Socket errors" in l)
    return rps, total, errors
