#!/usr/bin/env python3
"""Issue 12: a client that leaves while its guest runs cancels the guest
(no CPU, memory or upstream requests spent on an answer nobody reads).

A deployment loops with a 20 s wall time. Over HTTP/1.1 the client sends
its request and closes the connection; over h2c (curl, prior knowledge) the
client gives up after 1 s. Each time the server must stop the guest within
a few seconds, long before its wall time: /metrics shows no instance
running and a `cancelled` outcome. Hello answers throughout.

    cancel.py --vivarium build/vivarium
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness as sh  # noqa: E402

LOOP = """(module (func (export "run") (loop (br 0))))"""


def metric(server, text, name, labels=""):
    m = re.search(r"^%s%s (\S+)$" % (re.escape(name), re.escape(labels)), text, re.M)
    return float(m.group(1)) if m else 0.0


def metrics(server):
    with open(server.token) as f:
        token = f.read().strip()
    status, text = sh.get(server.admin, "admin", "/metrics", headers={"Authorization": "Bearer " + token})
    return text if status == 200 else ""


def cancelled(server):
    return metric(server, metrics(server), "vivarium_guest_outcomes_total",
                  '{deployment="spin",outcome="cancelled"}')


def running(server):
    return metric(server, metrics(server), "vivarium_instances_running")


def wait_until(pred, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return pred()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vivarium", required=True)
    args = ap.parse_args()
    t = sh.Checks()
    tmp = tempfile.mkdtemp(prefix="viv-cancel-")
    server = sh.Server(args.vivarium, tmp)
    error = None
    try:
        server.start()
        server.deploy(tmp, "hello", sh.HELLO)
        server.deploy(tmp, "spin", LOOP, "--limit", "wall-time=20s")

        # HTTP/1.1: the request, then the client closes its connection.
        s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\nHost: spin.localhost\r\n\r\n")
        t.check(wait_until(lambda: running(server) >= 1, 5), "HTTP/1.1: the looping guest runs")
        start = time.monotonic()
        s.close()
        stopped = wait_until(lambda: cancelled(server) >= 1 and running(server) == 0, 5)
        t.check(stopped, "HTTP/1.1: closing the connection stops the guest (%.2f s, wall time 20 s)"
                % (time.monotonic() - start), metrics(server)[-2000:])
        status, body = sh.get(server.port, "hello.localhost")
        t.check(status == 200 and body == sh.HELLO_BODY, "hello answers", (status, body))

        # HTTP/2 (h2c with prior knowledge): curl gives up after 1 s.
        if shutil.which("curl"):
            start = time.monotonic()
            r = subprocess.run(["curl", "-s", "--http2-prior-knowledge", "--max-time", "1", "-H",
                                "Host: spin.localhost", "http://127.0.0.1:%d/" % server.port],
                               capture_output=True, timeout=30)
            t.check(r.returncode == 28, "h2c: curl timed out (exit %d)" % r.returncode)
            stopped = wait_until(lambda: cancelled(server) >= 2 and running(server) == 0, 5)
            t.check(stopped, "HTTP/2: the client going away stops the guest (%.2f s)" % (time.monotonic() - start),
                    metrics(server)[-2000:])
        else:
            print("skip h2c: curl not found")
        t.check(server.stop() == 0, "SIGTERM: exit 0")
    except Exception as e:  # noqa: BLE001 - reported by conclude
        error = e
    return sh.conclude(t, server, tmp, error)


if __name__ == "__main__":
    sys.exit(main())
