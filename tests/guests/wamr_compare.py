#!/usr/bin/env python3
"""Compatibility evidence for issue 13: WAMR's own samples/socket-api programs,
built UNCHANGED against WAMR's lib-socket (wasi_socket_ext.c/.h), run under
`vivarium run` and WAMR's `iwasm` side by side, with and without grants.
Not a CTest: it needs a WAMR checkout, which is never part of this repository.

  git clone https://github.com/bytecodealliance/wasm-micro-runtime /work/peers/wamr
  (cd /work/peers/wamr/product-mini/platforms/linux && cmake -B build -G Ninja \
     -DWAMR_BUILD_SIMD=0 -DWAMR_BUILD_AOT=0 -DWAMR_BUILD_JIT=0 -DWAMR_BUILD_LIB_PTHREAD=0 && ninja -C build iwasm)
  tests/guests/wamr_compare.py --wamr /work/peers/wamr [--vivarium build/vivarium]

tcp_server.c and send_recv.c need wasi-threads (pthread.h), which Debian's
wasi-libc lacks, so they are not built. Debian's wasi-libc also predates
__errno_location, which lib-socket calls: a three-line definition of our own
is linked next to it. Every peer is on loopback (port 1234, as the samples
hard-code); multicast sends are never granted (they would leave the host),
the client's datagram comes over lo with TTL 0."""
import argparse
import os
import re
import socket
import subprocess
import sys
import threading
import time

ap = argparse.ArgumentParser()
ap.add_argument("--wamr", required=True, help="a wasm-micro-runtime checkout")
ap.add_argument("--vivarium", default=os.path.join(os.path.dirname(__file__), "../../build/vivarium"))
ap.add_argument("--iwasm", help="default: WAMR/product-mini/platforms/linux/build/iwasm")
ap.add_argument("--out", default="/tmp/viv-wamr-samples")
A = ap.parse_args()
OUT = A.out
VIV = A.vivarium
IWASM = A.iwasm or os.path.join(A.wamr, "product-mini/platforms/linux/build/iwasm")
PORT = 1234
SAMPLES = ["tcp_client", "udp_client", "udp_server", "socket_opts", "timeout_client", "timeout_server",
           "multicast_client", "multicast_server", "addr_resolve"]


def build():
    os.makedirs(OUT, exist_ok=True)
    shim = os.path.join(OUT, "errno_shim.c")
    with open(shim, "w") as f:
        f.write("#include <errno.h>\nint *__errno_location(void) { return &errno; }\n")
    lib = os.path.join(A.wamr, "core/iwasm/libraries/lib-socket")
    src = os.path.join(A.wamr, "samples/socket-api/wasm-src")
    for s in SAMPLES:
        subprocess.run(["clang-19", "--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-I", os.path.join(src, "inc"),
                        "-I", os.path.join(lib, "inc"), os.path.join(src, s + ".c"),
                        os.path.join(lib, "src/wasi/wasi_socket_ext.c"), shim, "-o", os.path.join(OUT, s + ".wasm")],
                       check=True)


def engine_cmd(engine, grants, wasm, args, timeout=None):
    if engine == "viv":
        return [VIV, "run", *(["--timeout", timeout] if timeout else []), *grants["viv"], f"{OUT}/{wasm}.wasm", *args]
    return [IWASM, *grants["iwasm"], f"{OUT}/{wasm}.wasm", *args]


def norm(text):
    text = re.sub(r":\d{4,5}\b", ":PORT", text)
    text = re.sub(r"0x[0-9a-f]+", "0xX", text)
    return text.strip()


def run(cmd, t=20):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=t)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        return "hang", (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or "")


class TcpHello:
    def __init__(self, family=socket.AF_INET, host="127.0.0.1"):
        self.s = socket.socket(family)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.s.bind((host, PORT))
        self.s.listen(4)
        self.s.settimeout(10)
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        try:
            c, _ = self.s.accept()
            c.sendall(b"Say Hi from the Server\n")
            c.close()
        except OSError:
            pass
        self.s.close()


def server_then_client(engine, grants_s, server, grants_c, client, client_args=()):
    srv = subprocess.Popen(engine_cmd(engine, grants_s, server, []), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(1.0)
    rc, out = run(engine_cmd(engine, grants_c, client, list(client_args)), 30)
    try:
        sout = srv.communicate(timeout=15)[0]
    except subprocess.TimeoutExpired:
        srv.kill()
        sout = srv.communicate()[0] + "\n(server killed)"
    return rc, out + "\n--- server (exit %s):\n" % srv.returncode + sout


NONE = {"viv": [], "iwasm": []}
SCEN = []


def scen(name):
    def deco(fn):
        SCEN.append((name, fn))
        return fn
    return deco


@scen("tcp_client v4 granted")
def _(e):
    TcpHello()
    return run(engine_cmd(e, {"viv": ["--allow-connect", f"127.0.0.1:{PORT}"], "iwasm": ["--addr-pool=127.0.0.1/32"]}, "tcp_client", []))


@scen("tcp_client v4 no grant")
def _(e):
    TcpHello()
    r = run(engine_cmd(e, NONE, "tcp_client", []))
    socket.create_connection(("127.0.0.1", PORT)).close()  # release the listener
    return r


@scen("tcp_client v6 granted")
def _(e):
    TcpHello(socket.AF_INET6, "::1")
    return run(engine_cmd(e, {"viv": ["--allow-connect", f"[::1]:{PORT}"], "iwasm": ["--addr-pool=::1/128"]}, "tcp_client", ["inet6"]))


@scen("udp_server + udp_client granted")
def _(e):
    return server_then_client(e, {"viv": ["--allow-bind", f"0.0.0.0:{PORT}", "--allow-connect", "udp:127.0.0.1"], "iwasm": ["--addr-pool=0.0.0.0/15"]},
                              "udp_server", {"viv": ["--allow-connect", f"udp:127.0.0.1:{PORT}"], "iwasm": ["--addr-pool=127.0.0.1/15"]}, "udp_client")


@scen("udp_client no grant")
def _(e):
    return run(engine_cmd(e, NONE, "udp_client", []))


@scen("udp_server no grant")
def _(e):
    return run(engine_cmd(e, NONE, "udp_server", []), 5)


@scen("timeout_server + timeout_client granted")
def _(e):
    return server_then_client(e, {"viv": ["--allow-bind", f"0.0.0.0:{PORT}"], "iwasm": ["--addr-pool=0.0.0.0/15"]},
                              "timeout_server", {"viv": ["--allow-connect", f"127.0.0.1:{PORT}"], "iwasm": ["--addr-pool=127.0.0.1/15"]}, "timeout_client")


@scen("timeout_client no grant")
def _(e):
    TcpHello()
    r = run(engine_cmd(e, NONE, "timeout_client", []))
    socket.create_connection(("127.0.0.1", PORT)).close()
    return r


@scen("socket_opts")
def _(e):
    return run(engine_cmd(e, NONE, "socket_opts", []))


@scen("addr_resolve localhost granted")
def _(e):
    return run(engine_cmd(e, {"viv": ["--allow-dns", "localhost", "--allow-connect", "127.0.0.1", "--allow-connect", "::1"], "iwasm": ["--allow-resolve=localhost"]}, "addr_resolve", ["localhost"]))


@scen("addr_resolve no grant")
def _(e):
    return run(engine_cmd(e, NONE, "addr_resolve", ["localhost"]))


@scen("multicast_client 224.0.0.1 granted (datagram over lo, TTL 0)")
def _(e):
    cmd = engine_cmd(e, {"viv": ["--allow-bind", "224.0.0.1", "--allow-bind", f"0.0.0.0:{PORT}"], "iwasm": ["--addr-pool=0.0.0.0/0"]},
                     "multicast_client", ["224.0.0.1"], timeout="5")
    if e == "iwasm":
        cmd = ["timeout", "5"] + cmd
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(1.0)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 0)
        s.sendto(b"Test message\0", ("224.0.0.1", PORT))
    out = p.communicate(timeout=15)[0]
    return p.returncode, out


@scen("multicast_client no grant")
def _(e):
    return run(engine_cmd(e, NONE, "multicast_client", ["224.0.0.1"]), 5)


@scen("multicast_server no grant (never granted: it would send off-host)")
def _(e):
    return run(engine_cmd(e, NONE, "multicast_server", ["224.0.0.1"]), 5)


def main():
    engines = ["viv"] + (["iwasm"] if os.path.exists(IWASM) else [])
    for name, fn in SCEN:
        print(f"==== {name}")
        res = {}
        for e in engines:
            res[e] = fn(e)
            time.sleep(0.3)
        for e in engines:
            print(f"-- {e}: exit {res[e][0]}\n{norm(res[e][1])}")
        if len(engines) == 2:
            same = res["viv"][0] == res["iwasm"][0] and norm(res["viv"][1]) == norm(res["iwasm"][1])
            print(f"** {'SAME' if same else 'DIFFERENT'}")


build()
main()
