#!/usr/bin/env python3
"""Socket guests against real servers on 127.0.0.1: each case starts what it
needs (a TCP or UDP echo server, or a client for a guest server), runs
`vivarium run` with or without the --allow-* grants, and checks the guest's
output and exit status. Both success and denial are checked (EACCES, 2, for
WAMR's calls, as iwasm refuses them; ENOTCAPABLE, 76, for the seed's). Usage: run_sock_guests.py --case NAME --vivarium BIN --guests DIR."""
import argparse
import atexit
import http.server
import os
import resource
import socket
import struct
import tempfile
import subprocess
import sys
import threading

NOTCAPABLE = 76  # the seed's and WasmEdge's refusal
ACCES = 2  # WAMR's calls: iwasm refuses an address outside --addr-pool with EACCES


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TcpEcho:
    """Answers one connection with "pong:" + everything it sent."""
    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.sock.settimeout(30)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        try:
            conn, _ = self.sock.accept()
            with conn:
                data = b""
                while chunk := conn.recv(4096):
                    data += chunk
                conn.sendall(b"pong:" + data)
        except OSError:
            pass


class UdpEcho:
    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(30)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        try:
            data, peer = self.sock.recvfrom(4096)
            self.sock.sendto(b"pong:" + data, peer)
        except OSError:
            pass


class HttpServer:
    """Serves GET /hello with "hello from loopback" (one thread, 127.0.0.1)."""
    def __init__(self):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"hello from loopback" if self.path == "/hello" else b"no"
                self.send_response(200 if self.path == "/hello" else 404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass
        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


class DnsStub:
    """A UDP DNS server on 127.0.0.1 answering A queries from `records`
    (name -> [dotted IPv4]); every other question gets an empty NOERROR."""
    def __init__(self, records):
        self.records = records
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.conf = tempfile.NamedTemporaryFile("w", suffix=".resolv.conf", delete=False)
        self.conf.write(f"nameserver 127.0.0.1:{self.port}\n")
        self.conf.close()
        atexit.register(os.unlink, self.conf.name)
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                q, peer = self.sock.recvfrom(512)
            except OSError:
                return
            qid = q[:2]
            i, labels = 12, []
            while q[i]:
                labels.append(q[i + 1:i + 1 + q[i]].decode())
                i += 1 + q[i]
            qtype = struct.unpack(">H", q[i + 1:i + 3])[0]
            question = q[12:i + 5]
            addrs = self.records.get(".".join(labels).lower(), []) if qtype == 1 else []
            answers = b"".join(b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton(x) for x in addrs)
            header = qid + struct.pack(">HHHHH", 0x8180, 1, len(addrs), 0, 0)
            self.sock.sendto(header + question + answers, peer)


def run(args, vivarium, flags, guest, guest_args, env=None, limit_fds=None):
    cmd = [vivarium, "run", *flags, os.path.join(args.guests, guest + ".wasm"), *guest_args]
    def pre():
        if limit_fds:
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit_fds, limit_fds))
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})},
                       preexec_fn=pre)
    return p.returncode, p.stdout, p.stderr, cmd


def expect(result, status, stdout=(), stderr=()):
    code, out, err, cmd = result
    problems = []
    if code != status:
        problems.append(f"exit status {code}, want {status}")
    problems += [f"stdout lacks {s!r}" for s in stdout if s not in out]
    problems += [f"stderr lacks {s!r}" for s in stderr if s not in err]
    if "FAIL" in out:
        problems.append("a guest check failed")
    if problems:
        print("command:", " ".join(cmd))
        print("stdout:\n" + out + "stderr:\n" + err)
        print("\n".join(problems))
        return 1
    return 0


def case_seed_connect(a):
    s = TcpEcho()
    return expect(run(a, a.vivarium, ["--allow-connect", f"127.0.0.1:{s.port}"], "sock_seed_client",
                      ["127.0.0.1", str(s.port), "ping"]), 0, ["connect: 0", "send: 0", "reply: pong:ping", "close again: 8"])


def case_seed_denied(a):
    s = TcpEcho()
    r = run(a, a.vivarium, [], "sock_seed_client", ["127.0.0.1", str(s.port), "ping"], env={"VIVARIUM_LOG": "debug"})
    return expect(r, 1, [f"connect: {NOTCAPABLE}"], [f"denied connect tcp 127.0.0.1:{s.port}"])


def case_seed_other_port_denied(a):
    s = TcpEcho()
    return expect(run(a, a.vivarium, ["--allow-connect", f"127.0.0.1:{s.port + 1}"], "sock_seed_client",
                      ["127.0.0.1", str(s.port), "ping"]), 1, [f"connect: {NOTCAPABLE}"])


def case_seed_unspecified_denied(a):
    # 0.0.0.0 reaches the local host: never admitted, even by 0.0.0.0/0.
    s = TcpEcho()
    return expect(run(a, a.vivarium, ["--allow-connect", "0.0.0.0/0"], "sock_seed_client",
                      ["0.0.0.0", str(s.port), "ping"]), 1, [f"connect: {NOTCAPABLE}"])


def case_seed_refused(a):
    port = free_port()  # nobody listens: the host's ECONNREFUSED (14)
    return expect(run(a, a.vivarium, ["--allow-connect", "127.0.0.1"], "sock_seed_client",
                      ["127.0.0.1", str(port), "ping"]), 1, ["connect: 14"])


def case_wamr_client(a):
    s = TcpEcho()
    return expect(run(a, a.vivarium, ["--allow-connect", f"127.0.0.0/8:{s.port}"], "sock_wamr_tcp",
                      ["client", "127.0.0.1", str(s.port), "hello"]), 0, ["connect: 0", "reply: pong:hello"])


def case_wamr_client_denied(a):
    s = TcpEcho()
    return expect(run(a, a.vivarium, [], "sock_wamr_tcp", ["client", "127.0.0.1", str(s.port), "hello"]), 1,
                  [f"connect: {ACCES}"])


def case_wasmedge_client(a):
    s = TcpEcho()
    return expect(run(a, a.vivarium, ["--allow-connect", f"127.0.0.1:{s.port}"], "sock_wasmedge_client",
                      ["127.0.0.1", str(s.port), "edge"]), 0, ["connect: 0", "getpeeraddr: 0", "reply: pong:edge"])


def case_wasmedge_client_denied(a):
    s = TcpEcho()
    return expect(run(a, a.vivarium, [], "sock_wasmedge_client", ["127.0.0.1", str(s.port), "edge"]), 1,
                  [f"connect: {NOTCAPABLE}"])


WASMEDGE_GRANTS = ["--allow-bind", "127.0.0.1", "--allow-connect", "127.0.0.1", "--allow-connect", "udp:127.0.0.1",
                   "--allow-dns", "localhost"]


def case_wasmedge_full(a):
    return expect(run(a, a.vivarium, WASMEDGE_GRANTS, "sock_wasmedge_full", ["localhost"]), 0,
                  ["recv_from v1: 0", "recv_from v2: 0", "accept v2: 0", "recv v2: 0", "poll accepted: 0",
                   "getsockopt rcvtimeo: 0", "getaddrinfo: 0", "address: 127.0.0.1 port 8080"])


def case_wasmedge_denied(a):
    # Without grants every address is refused (WasmEdge's calls: NOTCAPABLE).
    r = run(a, a.vivarium, [], "sock_wasmedge_full", ["localhost"])
    return expect(r, 1, [f"udp bind: {NOTCAPABLE}", f"bind v2: {NOTCAPABLE}", f"getaddrinfo: {NOTCAPABLE}"])


def case_nonblocking(a):
    s = TcpEcho()
    return expect(run(a, a.vivarium, ["--allow-connect", f"127.0.0.1:{s.port}"], "sock_nonblock",
                      ["127.0.0.1", str(s.port), "nb"]), 0,
                  ["connect: started", "poll write: 0", "recv nothing yet: 6", "reply: pong:nb"])


def case_wamr_server(a):
    port = free_port()
    cmd = [a.vivarium, "run", "--allow-bind", f"127.0.0.1:{port}", os.path.join(a.guests, "sock_wamr_tcp.wasm"),
           "server", "127.0.0.1", str(port)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    reply = b""
    for line in p.stdout:
        lines.append(line)
        if line.startswith("listening"):
            with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
                c.sendall(b"knock")
                c.shutdown(socket.SHUT_WR)
                while chunk := c.recv(4096):
                    reply += chunk
            break
    out, err = p.communicate(timeout=60)
    result = (p.returncode, "".join(lines) + out, err, cmd)
    if reply != b"echo:knock":
        print(f"client got {reply!r}, want b'echo:knock'")
        expect(result, 0)
        return 1
    return expect(result, 0, ["bind: 0", "listen: 0", "received: knock", "close: 0"])


def case_wamr_server_denied(a):
    port = free_port()
    return expect(run(a, a.vivarium, ["--allow-connect", f"127.0.0.1:{port}"], "sock_wamr_tcp",
                      ["server", "127.0.0.1", str(port)]), 1, [f"bind: {ACCES}"])


def case_udp(a):
    s = UdpEcho()
    return expect(run(a, a.vivarium, ["--allow-connect", f"udp:127.0.0.1:{s.port}"], "sock_wamr_udp",
                      ["127.0.0.1", str(s.port), "dgram"]), 0, ["send_to: 0", "reply: pong:dgram"])


def case_udp_needs_udp_grant(a):
    s = UdpEcho()  # a TCP grant for the same address and port does not open UDP
    return expect(run(a, a.vivarium, ["--allow-connect", f"127.0.0.1:{s.port}"], "sock_wamr_udp",
                      ["127.0.0.1", str(s.port), "dgram"]), 1, [f"send_to: {ACCES}"])


def case_resolve(a):
    return expect(run(a, a.vivarium, ["--allow-dns", "localhost", "--allow-connect", "127.0.0.1"], "sock_resolve",
                      ["localhost", "8080"]), 0, ["resolve: 0", "address: 127.0.0.1 port 8080"])


def case_resolve_name_denied(a):
    return expect(run(a, a.vivarium, ["--allow-connect", "127.0.0.1"], "sock_resolve", ["localhost"]), 1,
                  [f"resolve: {ACCES}"])


def case_resolve_address_denied(a):
    # The name may be resolved, but its answer (loopback) is not reachable:
    # an answer cannot smuggle in an address (DNS rebinding).
    return expect(run(a, a.vivarium, ["--allow-dns", "localhost", "--allow-connect", "0.0.0.0/0"], "sock_resolve",
                      ["localhost"]), 1, [f"resolve: {ACCES}"])


def case_escape(a):
    port = free_port()
    return expect(run(a, a.vivarium, ["--allow-bind", f"127.0.0.1:{port}", "--allow-connect", f"127.0.0.1:{port}",
                                      "--allow-connect", f"udp:127.0.0.1:{port}"], "sock_escape", [str(port)]), 0,
                  ["connect mapped other: 2", "connect mapped granted: 0", "connect accepted: 76",
                   "send_to other port: 2", "send_to granted: 0"])


def case_http_get(a):
    s = HttpServer()
    return expect(run(a, a.vivarium, ["--allow-dns", "localhost", "--allow-connect", f"127.0.0.1:{s.port}"],
                      "sock_http_get", ["localhost", str(s.port), "/hello"]), 0,
                  ["resolve: 0", "connect: 0", "status: HTTP/1.0 200 OK", "body: hello from loopback"])


def case_http_get_denied(a):
    s = HttpServer()  # the name resolves, but the port is not granted
    return expect(run(a, a.vivarium, ["--allow-dns", "localhost", "--allow-connect", f"127.0.0.1:{s.port + 1}"],
                      "sock_http_get", ["localhost", str(s.port), "/hello"]), 1, ["resolve: 0", "connect: 2"])


def case_dns_stub(a):
    d = DnsStub({"svc.vivarium.test": ["127.0.0.1"]})
    return expect(run(a, a.vivarium, ["--allow-dns", "*.vivarium.test", "--allow-connect", "127.0.0.1"], "sock_resolve",
                      ["svc.vivarium.test", "80"], env={"VIVARIUM_RESOLV_CONF": d.conf.name}), 0,
                  ["resolve: 0", "address: 127.0.0.1 port 80"])


def case_dns_rebinding_filtered(a):
    # The answer holds a private address nobody granted: it is dropped, the
    # granted loopback one stays.
    d = DnsStub({"evil.vivarium.test": ["10.0.0.1", "127.0.0.1"]})
    r = run(a, a.vivarium, ["--allow-dns", "*.vivarium.test", "--allow-connect", "127.0.0.1"], "sock_resolve",
            ["evil.vivarium.test"], env={"VIVARIUM_RESOLV_CONF": d.conf.name})
    if "10.0.0.1" in r[1]:
        print("the denied address came through:\n" + r[1])
        return 1
    return expect(r, 0, ["resolve: 0", "address: 127.0.0.1"])


def case_dns_name_grant_is_not_loopback(a):
    # A grant for the name admits its public addresses only: the stub's
    # loopback answer needs an address grant (DNS rebinding).
    d = DnsStub({"svc.vivarium.test": ["127.0.0.1"]})
    return expect(run(a, a.vivarium, ["--allow-dns", "svc.vivarium.test", "--allow-connect", "svc.vivarium.test:80"],
                      "sock_resolve", ["svc.vivarium.test", "80"], env={"VIVARIUM_RESOLV_CONF": d.conf.name}), 1,
                  ["resolve: 2"])


def case_dns_unknown_name(a):
    d = DnsStub({})
    return expect(run(a, a.vivarium, ["--allow-dns", "*.vivarium.test", "--allow-connect", "127.0.0.1"], "sock_resolve",
                      ["nothing.vivarium.test"], env={"VIVARIUM_RESOLV_CONF": d.conf.name}), 1, ["resolve: 44"])


class SilentServer:
    """Accepts connections and holds them open without a byte either way."""
    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.held = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return


class FullBacklog:
    """A listener that never accepts, its backlog filled: a connect to it
    hangs (the SYN is dropped and retried) until something gives up."""
    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        self.port = self.sock.getsockname()[1]
        self.fillers = []
        for _ in range(3):
            c = socket.socket()
            c.setblocking(False)
            c.connect_ex(("127.0.0.1", self.port))
            self.fillers.append(c)


BLOCK_GRANTS = ["--allow-connect", "127.0.0.1", "--allow-bind", "127.0.0.1"]


KEEP = []  # servers live as long as the case


def block_target(mode):
    if mode == "accept":
        return free_port()
    KEEP.append(FullBacklog() if mode == "connect" else SilentServer())
    return KEEP[-1].port


def blocked_until_timeout(a, mode):
    """A call nobody answers ends at --timeout through the socket layer's own
    wait (exit 142), not through the watchdog's backstop a second later."""
    r = run(a, a.vivarium, ["--timeout", "1", *BLOCK_GRANTS], "sock_block", [mode, "127.0.0.1", str(block_target(mode))])
    if "blocked in a host call" in r[2]:
        print("the watchdog had to end the run: the call outlived the deadline\n" + r[2])
        return 1
    return expect(r, 142, [], ["exceeded --timeout 1"])


def guest_timeout(a, mode, want, flags=()):
    """The guest's own SO_RCVTIMEO/SO_SNDTIMEO (300 ms) ends the call with the
    kernel's errno: AGAIN (6), or INPROGRESS (26) for connect."""
    r = run(a, a.vivarium, [*flags, *BLOCK_GRANTS], "sock_block", [mode, "127.0.0.1", str(block_target(mode)), "300000"])
    return expect(r, 0, [f"{mode}: {want}"])


GROUP = "239.255.0.1"


def case_multicast(a):
    # The guest joins GROUP on loopback and binds GROUP:PORT; a datagram
    # sent to the group over loopback (TTL 0: it cannot leave the host) arrives.
    port = free_port(socket.SOCK_DGRAM)
    cmd = [a.vivarium, "run", "--allow-bind", GROUP, os.path.join(a.guests, "sock_multicast.wasm"), GROUP, str(port)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in p.stdout:
        lines.append(line)
        if line.startswith("listening"):
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
                s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 0)
                s.sendto(b"to the group", (GROUP, port))
            break
    try:
        out, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    return expect((p.returncode, "".join(lines) + out, err, cmd), 0,
                  ["join: 0", "bind: 0", "received: to the group", "leave: 0", "leave again: 4"])


def case_multicast_join_denied(a):
    # A connect grant to the group is not a grant to receive from it.
    r = run(a, a.vivarium, ["--allow-connect", f"udp:{GROUP}"], "sock_multicast", [GROUP, str(free_port())],
            env={"VIVARIUM_LOG": "debug"})
    return expect(r, 1, [f"join: {ACCES}"], [f"denied join udp {GROUP}:0"])


def case_timeout_recv(a):
    return blocked_until_timeout(a, "recv")


def case_timeout_read(a):
    return blocked_until_timeout(a, "read")


def case_timeout_recv_from(a):
    return blocked_until_timeout(a, "recv_from")


def case_timeout_send(a):
    return blocked_until_timeout(a, "send")


def case_timeout_accept(a):
    return blocked_until_timeout(a, "accept")


def case_timeout_connect(a):
    return blocked_until_timeout(a, "connect")


def case_so_rcvtimeo_recv(a):
    return guest_timeout(a, "recv", 6)


def case_so_rcvtimeo_read_under_deadline(a):
    # With --timeout the host waits in poll(): the guest's timeout still wins when shorter.
    return guest_timeout(a, "read", 6, ["--timeout", "30"])


def case_so_rcvtimeo_accept(a):
    return guest_timeout(a, "accept", 6)


def case_so_sndtimeo_send(a):
    return guest_timeout(a, "send", 6)


def case_so_sndtimeo_send_under_deadline(a):
    return guest_timeout(a, "send", 6, ["--timeout", "30"])


def case_so_sndtimeo_connect(a):
    return guest_timeout(a, "connect", 26, ["--timeout", "30"])


SKIP = 77


def proposal_client(a, guest, how_to_build, granted):
    """The seed's client in another language: connects to a loopback echo
    server with sock_connect and exchanges data, or is refused without a grant."""
    if not os.path.exists(os.path.join(a.guests, guest + ".wasm")):
        print(f"SKIP: {guest}.wasm was not built ({how_to_build})")
        return SKIP
    s = TcpEcho()
    if not granted:
        return expect(run(a, a.vivarium, [], guest, ["127.0.0.1", str(s.port), "denied"]), 1,
                      [f"connect: {NOTCAPABLE}"])
    return expect(run(a, a.vivarium, ["--allow-connect", f"127.0.0.1:{s.port}"], guest,
                      ["127.0.0.1", str(s.port), "seed says hi"]), 0,
                  ["connect: 0", "send: 0", "shutdown: 0", "reply: pong:seed says hi", "close: 0"])


AS_BUILD = "no AssemblyScript: run `npm ci` in tests/guests/assemblyscript (scripts/setup.sh does) and rebuild"
RUST_BUILD = "no Rust for wasm32-wasi: install Debian's rustc and libstd-rust-dev-wasm32 (scripts/setup.sh does) and rebuild"


def case_assemblyscript_client(a):
    return proposal_client(a, "sock_client_as", AS_BUILD, True)


def case_assemblyscript_client_denied(a):
    return proposal_client(a, "sock_client_as", AS_BUILD, False)


def case_rust_client(a):
    return proposal_client(a, "sock_client_rs", RUST_BUILD, True)


def case_rust_client_denied(a):
    return proposal_client(a, "sock_client_rs", RUST_BUILD, False)


def case_bad_input(a):
    # 10,000 sockets against a 4096-descriptor process: the host's EMFILE
    # comes back as the guest's, and closing them all frees every one.
    return expect(run(a, a.vivarium, [], "sock_bad_input", [], limit_fds=4096), 0,
                  ["limit errno: mfile", "close again: 8", "open after closing all: 0"])


def case_bad_socket_abi(a):
    return expect(run(a, a.vivarium, ["--socket-abi", "nope"], "sock_resolve", ["x"]), 2, [], ["--socket-abi"])


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--case")
    ap.add_argument("--vivarium")
    ap.add_argument("--guests")
    a = ap.parse_args()
    if a.list:
        print(";".join(CASES))
        return 0
    return CASES[a.case](a)


if __name__ == "__main__":
    sys.exit(main())
