#!/usr/bin/env python3
"""Issue 12, isolation under load: while wrk drives a hello deployment,
hostile deployments — one that loops forever (ended by its wall-time limit),
one that takes all the memory it may, one that recurses without end, one
that traps on every request — and 1 GB request bodies (Content-Length and
chunked; the server must answer 413 without reading or buffering them) keep
hello at >= MIN_RATIO of its alone-throughput with zero errors, and the
server's RSS stays flat over the hello requests.

Rounds alternate hello alone / hello under attack (the machine is a shared,
noisy 2-core box); the medians are compared and printed.

    isolation.py --vivarium build/vivarium                 # CI: ~30 s
    isolation.py --vivarium build/vivarium --long          # manual: >= 1M hello requests
"""
import argparse
import http.client
import os
import select
import socket
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness as sh  # noqa: E402

LOOP = """(module (func (export "run") (loop (br 0))))"""
RECURSE = """(module (func $f (export "run") (call $f)))"""
TRAP = """(module (func (export "run") unreachable))"""
# Grows memory a page at a time, touching each page, until memory.grow fails
# (or the memory limit traps it).
MEMHOG = """(module
  (memory 1)
  (func (export "run") (local $p i32)
    (block $done
      (loop $more
        (local.set $p (memory.grow (i32.const 1)))
        (br_if $done (i32.eq (local.get $p) (i32.const -1)))
        (i32.store8 (i32.mul (local.get $p) (i32.const 65536)) (i32.const 1))
        (br $more)))))
"""
GIB = 1 << 30

HOSTILE = {
    # name: (wat, deploy flags, statuses that are right)
    "loop": (LOOP, ["--limit", "wall-time=500ms"], {504}),
    "memhog": (MEMHOG, ["--limit", "memory=64MiB"], {200, 500}),
    "recurse": (RECURSE, [], {500}),
    "trap": (TRAP, [], {500}),
}


def sanitized(vivarium):
    """True when the server is an AddressSanitizer build: its allocator
    quarantines freed memory (256 MiB by default), so RSS says nothing about
    leaks there, and its speed nothing about the release build's. Read from
    the build tree's CMakeCache.txt (VIVARIUM_SANITIZE): the binary's strings
    do not tell, since the LLVM tier links LLVM's own sanitizer passes."""
    folder = os.path.dirname(os.path.abspath(vivarium))
    for d in (folder, os.path.dirname(folder)):
        try:
            with open(os.path.join(d, "CMakeCache.txt")) as f:
                for line in f:
                    if line.startswith("VIVARIUM_SANITIZE:"):
                        return line.strip().split("=", 1)[1].upper() in ("ON", "1", "TRUE", "YES")
            return False
        except OSError:
            continue
    return False


def lower_priority():
    """nice 19 for the calling thread only (Linux: priorities are per thread)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError):
        pass


def hammer(port, name, expected, stop, tally):
    """Requests NAME.localhost until stop over one keep-alive connection (a
    new one after an error); counts right and wrong statuses. Keep-alive puts
    more hostile requests per second on the server than a connection each,
    for less of this Python client's CPU, which shares the 2 cores with wrk
    and the server. The attacking threads run at the lowest CPU priority:
    on a real edge the attackers' own CPU is not the server's; here, at
    full priority, this one Python process took up to a core from wrk and
    the server and the ratio measured the client, not the isolation."""
    lower_priority()
    conn = None
    while not stop.is_set():
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/", headers={"Host": name + ".localhost"})
            r = conn.getresponse()
            r.read()
            key = name + (" ok" if r.status in expected else " wrong %d" % r.status)
            if r.will_close:
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as e:
            key = name + " error " + type(e).__name__
            if conn is not None:
                conn.close()
            conn = None
            time.sleep(0.05)
        tally[key] = tally.get(key, 0) + 1
    if conn is not None:
        conn.close()


def huge_body(port, chunked):
    """Streams up to 1 GiB at sink.localhost; returns (status, bytes sent).
    Stops sending as soon as the server answers (or closes)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = "POST / HTTP/1.1\r\nHost: sink.localhost\r\n"
    head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else "Content-Length: %d\r\n\r\n" % GIB
    s.sendall(head.encode())
    block = b"x" * (1 << 20)
    if chunked:
        block = b"%x\r\n" % len(block) + block + b"\r\n"
    sent = 0
    answer = b""
    try:
        while sent < GIB:
            readable, writable, _ = select.select([s], [s], [], 30)
            if readable:
                break
            if writable:
                sent += s.send(block)
        s.settimeout(30)
        while b"\r\n" not in answer:
            more = s.recv(4096)
            if not more:
                break
            answer += more
    except OSError:
        pass
    finally:
        s.close()
    parts = answer.split(b" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else -1
    return status, sent


def big_bodies(port, stop, results):
    lower_priority()
    while not stop.is_set():
        for chunked in (False, True):
            results.append(("chunked" if chunked else "content-length",) + huge_body(port, chunked))
        stop.wait(0.5)


def stall_check(t, server, tmp):
    """Regression (fixed 2026-12-07 by time slicing, run_request.cc): a guest
    that computes ran on its connection's worker thread until its wall time
    ended, so as many looping requests as worker threads (--threads 2)
    stalled every other deployment for the whole wall time, and two looping
    requests on one thread ran one after the other (each took 2x its wall
    time). Hello must answer within 1 s while two requests loop, and each
    looping request must get its 504 within 1.5x its wall time."""
    wall = 2.0
    server.deploy(tmp, "spin", LOOP, "--limit", "wall-time=%dms" % (wall * 1000))
    took = {}

    def spin(i):
        start = time.monotonic()
        took[i] = (sh.get(server.port, "spin.localhost", timeout=30)[0], time.monotonic() - start)
    spinners = [threading.Thread(target=spin, args=(i,)) for i in range(2)]
    for s in spinners:
        s.start()
    time.sleep(0.3)
    start = time.monotonic()
    status, _ = sh.get(server.port, "hello.localhost", timeout=30)
    hello_took = time.monotonic() - start
    for s in spinners:
        s.join()
    print("while 2 requests looped (wall-time %.0fs, --threads 2): hello took %.2fs; the loops: %s"
          % (wall, hello_took, ["%d in %.2fs" % v for v in took.values()]))
    t.check(status == 200 and hello_took < 1.0,
            "hello answers within 1s while 2 guests loop (took %.2fs)" % hello_took, status)
    t.check(all(st == 504 and secs < 1.5 * wall for st, secs in took.values()),
            "each looping request gets its 504 within 1.5x its wall time", took)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vivarium", required=True)
    ap.add_argument("--seconds", type=int, default=3, help="per wrk measurement")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--min-ratio", type=float, default=0.8, help="hello under attack / alone to pass")
    ap.add_argument("--rss-requests", type=int, default=50000, help="hello requests the RSS check spans at least")
    ap.add_argument("--long", action="store_true", help="manual run: >= 1M hello requests for the RSS check")
    ap.add_argument("--stall-check", action="store_true",
                    help="only the reproducer: as many looping requests as worker threads must not stall hello")
    ap.add_argument("--attackers", default=",".join(list(HOSTILE) + ["bodies"]),
                    help="comma-separated subset of %s,bodies" % ",".join(HOSTILE))
    args = ap.parse_args()
    if args.long:
        args.rss_requests = 1000000
    if not sh.have_wrk():
        print("SKIP: wrk not found (scripts/setup.sh installs it)")
        return 77
    sh.raise_nofile()
    attackers = set(args.attackers.split(","))
    t = sh.Checks()
    tmp = tempfile.mkdtemp(prefix="viv-isolation-")
    server = sh.Server(args.vivarium, tmp)
    error = None
    try:
        server.start()
        server.deploy(tmp, "hello", sh.HELLO)
        server.deploy(tmp, "sink", sh.HELLO)
        for name, (wat, flags, _) in HOSTILE.items():
            server.deploy(tmp, name, wat, *flags)
        for name, (_, _, expected) in HOSTILE.items():
            status, body = sh.get(server.port, name + ".localhost", timeout=30)
            t.check(status in expected, "%s answers %s" % (name, sorted(expected)), (status, body[:200]))

        if args.stall_check:
            stall_check(t, server, tmp)
            return sh.conclude(t, server, tmp)
        # RSS over hello requests alone, after a warm-up (pools filled).
        sh.wrk(server.port, "hello.localhost", 1)
        _, rss_start = server.status()
        hello_total = 0
        while hello_total < args.rss_requests:
            hello_total += sh.wrk(server.port, "hello.localhost", args.seconds)[1]
        _, rss_end = server.status()
        what = "RSS flat over %d hello requests (%.1f -> %.1f MiB)" % (hello_total, rss_start / 1024, rss_end / 1024)
        if sanitized(args.vivarium):
            print("skip " + what + ": AddressSanitizer's quarantine holds freed memory")
        else:
            t.check(rss_end - rss_start < 16 * 1024, what)

        alone, attacked, errors = [], [], []
        tally, bodies = {}, []
        rounds = 0
        rss_rounds = []
        while rounds < args.rounds:
            rounds += 1
            rps, n, err = sh.wrk(server.port, "hello.localhost", args.seconds)
            alone.append(rps)
            hello_total += n
            if err:
                errors.append("alone: " + err)
            stop = threading.Event()
            workers = [threading.Thread(target=hammer, args=(server.port, name, expected, stop, tally))
                       for name, (_, _, expected) in HOSTILE.items() if name in attackers]
            if "bodies" in attackers:
                workers.append(threading.Thread(target=big_bodies, args=(server.port, stop, bodies)))
            for w in workers:
                w.start()
            time.sleep(0.3)  # let the attack start
            rps, n, err = sh.wrk(server.port, "hello.localhost", args.seconds)
            attacked.append(rps)
            hello_total += n
            if err:
                errors.append("under attack: " + err)
            stop.set()
            for w in workers:
                w.join()
            rss_rounds.append(server.status()[1])
            print("round %d: hello alone %.0f req/s, under attack %.0f req/s; RSS %.1f MiB"
                  % (rounds, alone[-1], attacked[-1], rss_rounds[-1] / 1024), flush=True)
        a, b = statistics.median(alone), statistics.median(attacked)
        print("hello: alone %s, under attack %s req/s; medians %.0f / %.0f = %.2f"
              % ([round(x) for x in alone], [round(x) for x in attacked], a, b, b / a))
        print("hostile requests: %s" % dict(sorted(tally.items())))
        print("1 GiB bodies (kind, status, bytes sent before the answer): %s" % bodies)
        t.check(not errors, "hello: zero errors under attack", errors)
        what = "hello under attack >= %.2f of alone (%.2f)" % (args.min_ratio, b / a)
        if sanitized(args.vivarium):
            print("skip " + what + ": an AddressSanitizer server's speed says nothing about the release build's")
        else:
            t.check(b >= args.min_ratio * a, what)
        wrong = {k: v for k, v in tally.items() if " ok" not in k}
        t.check(not wrong, "hostile deployments answer only their expected statuses", wrong)
        t.check(all(k + " ok" in tally for k in HOSTILE if k in attackers), "every hostile deployment was exercised",
                tally)
        if "bodies" in attackers:
            t.check(bodies and all(s == 413 for _, s, _ in bodies), "1 GiB bodies get 413", bodies)
            t.check(bodies and all(n < 64 << 20 for _, _, n in bodies),
                    "the server answers a 1 GiB body before 64 MiB of it are sent", bodies)
        # The memory hog fills the instance pool with 64 MiB memories: RSS
        # may rise once, then must stay put from round to round.
        t.check(rss_rounds[-1] - rss_rounds[0] < 64 * 1024 if len(rss_rounds) > 1 else True,
                "RSS does not keep growing under attack (%s MiB per round)" % [round(r / 1024) for r in rss_rounds])
        status, body = sh.get(server.port, "hello.localhost")
        t.check(status == 200 and body == sh.HELLO_BODY, "hello still answers", (status, body))
        t.check(server.stop() == 0, "SIGTERM: exit 0")
    except Exception as e:  # noqa: BLE001 - reported by conclude
        error = e
    return sh.conclude(t, server, tmp, error)


if __name__ == "__main__":
    sys.exit(main())
