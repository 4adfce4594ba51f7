#!/usr/bin/env python3
"""Issue 12, item 4: 1,000 concurrent incoming requests whose guest waits 1 s
on an upstream finish in about 1 s, with the server's thread count and RSS
bounded — a waiting guest is suspended, it does not hold an OS thread.

Starts an asyncio upstream on 127.0.0.1 (a child process) that answers every
request after DELAY seconds, `vivarium serve --threads 2`, and deploys a WAT
guest that calls it with req_create + req_send (granted with --allow-host
127.0.0.1:PORT). Fires N requests at once over N connections and checks they
all answer 200 within a generous bound (the machine is a loaded 2-core box;
the real time is printed), sampling /proc/PID/status Threads and VmRSS
before and during.

    concurrency.py --vivarium build/vivarium [--requests 1000] [--delay 1]
"""
import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness as sh  # noqa: E402

# The guest: GET the upstream, copy its status, answer "upstream ok\n"; 502
# when req_send fails.
CALLER = """(module
  (import "env" "hostcall_req_create" (func $req_create (param i32 i32 i32 i32) (result i32)))
  (import "env" "hostcall_req_send" (func $req_send (param i32) (result i32)))
  (import "env" "hostcall_resp_get_response_code" (func $code (param i32) (result i32)))
  (import "env" "hostcall_resp_set_response_code" (func $set_code (param i32 i32) (result i32)))
  (import "env" "hostcall_resp_set_body" (func $set_body (param i32 i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 0) "GET")
  (data (i32.const 16) "%(url)s")
  (data (i32.const 256) "upstream ok\\0a")
  (func (export "run") (local $resp i32)
    (local.set $resp (call $req_send (call $req_create (i32.const 0) (i32.const 3) (i32.const 16) (i32.const %(len)d))))
    (if (i32.lt_s (local.get $resp) (i32.const 0))
      (then (drop (call $set_code (i32.const 0) (i32.const 502))) (return)))
    (drop (call $set_code (i32.const 0) (call $code (local.get $resp))))
    (drop (call $set_body (i32.const 0) (i32.const 256) (i32.const 12)))))
"""

UPSTREAM = r"""
import asyncio, sys
delay = float(sys.argv[2])
async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            await asyncio.sleep(delay)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]), backlog=4096)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()
asyncio.run(main())
"""


async def one_request(port, host):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(("GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % host).encode())
        await writer.drain()
        data = await reader.read()
        line = data.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split(" ")
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else -1
    finally:
        writer.close()


async def burst(port, host, n):
    results = await asyncio.gather(*(one_request(port, host) for _ in range(n)), return_exceptions=True)
    return [r if isinstance(r, int) else repr(r) for r in results]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vivarium", required=True)
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--delay", type=float, default=1.0)
    ap.add_argument("--max-seconds", type=float, default=6.0)
    args = ap.parse_args()
    nofile = sh.raise_nofile()
    if nofile < 3 * args.requests + 100:
        print("SKIP: RLIMIT_NOFILE is %d, need about %d" % (nofile, 3 * args.requests + 100))
        return 77
    t = sh.Checks()
    tmp = tempfile.mkdtemp(prefix="viv-concurrency-")
    up_port = sh.free_port()
    upstream = subprocess.Popen([sys.executable, "-c", UPSTREAM, str(up_port), str(args.delay)],
                                stdout=subprocess.PIPE, text=True)
    server = sh.Server(args.vivarium, tmp)
    error = None
    try:
        if upstream.stdout.readline().strip() != "ready":
            raise RuntimeError("upstream did not start")
        server.start()
        url = "http://127.0.0.1:%d/slow" % up_port
        server.deploy(tmp, "caller", CALLER % {"url": url, "len": len(url)},
                      "--allow-host", "127.0.0.1:%d" % up_port)
        status, body = sh.get(server.port, "caller.localhost")
        t.check(status == 200 and body == "upstream ok\n", "one request through the upstream: 200",
                (status, body, server.log_tail()))

        threads0, rss0 = server.status()
        samples = []
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                try:
                    samples.append(server.status())
                except OSError:
                    return
                time.sleep(0.05)
        sampler = threading.Thread(target=sample)
        sampler.start()
        start = time.monotonic()
        results = asyncio.run(burst(server.port, "caller.localhost", args.requests))
        elapsed = time.monotonic() - start
        stop.set()
        sampler.join()
        ok = sum(1 for r in results if r == 200)
        others = sorted(set(str(r) for r in results if r != 200))[:5]
        max_threads = max((s[0] for s in samples), default=threads0)
        max_rss = max((s[1] for s in samples), default=rss0)
        print("%d concurrent requests, upstream delay %.1fs: %d x 200 in %.2fs; threads %d before, %d max during; "
              "RSS %.1f MiB before, %.1f MiB max during"
              % (args.requests, args.delay, ok, elapsed, threads0, max_threads, rss0 / 1024, max_rss / 1024),
              flush=True)
        t.check(ok == args.requests, "all %d concurrent requests answer 200" % args.requests, others)
        t.check(elapsed < args.max_seconds, "they finish in under %.0fs (took %.2fs)" % (args.max_seconds, elapsed))
        # Bounded: the waiting guests must not each hold an OS thread (a few
        # for the workers, the outbound client, the KV and the log are fine).
        t.check(max_threads <= threads0 + 8 and max_threads < 64,
                "thread count stays bounded (%d -> %d)" % (threads0, max_threads))
        # 1,000 suspended guests: fiber stacks and instances, well under
        # 1 MiB each.
        t.check(max_rss - rss0 < 512 * 1024, "RSS grows by less than 512 MiB (%.1f MiB)" % ((max_rss - rss0) / 1024))
        t.check(server.alive(), "the server is still running")
        t.check(server.stop() == 0, "SIGTERM: exit 0")
    except Exception as e:  # noqa: BLE001 - reported by conclude
        error = e
    finally:
        upstream.kill()
        upstream.wait()
    return sh.conclude(t, server, tmp, error)


if __name__ == "__main__":
    sys.exit(main())
