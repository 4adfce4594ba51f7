#!/usr/bin/env python3
"""CTest driver for the WASI guest programs.

Each case runs one guest under `vivarium run` with the flags it needs, in a
fresh scratch directory laid out as

    <tmp>/sandbox/            preopened read-write (usually as /sandbox)
    <tmp>/ro/existing.txt     preopened read-only by the rights case
    <tmp>/ro/sub/
    <tmp>/outside/secret      must never be read, changed or removed

and checks the exit status, stdout and stderr, and that nothing outside the
writable preopen changed: a digest of ro/ and outside/ before and after, and
inotify on them meanwhile (the host opening a file there for writing shows up
even when nothing is written). Cases with `stdio` hand the guest a file
outside the preopens (or a pipe) as stdin and append its stdout to <tmp>/log,
then check that the log only grew and the host's status flags are unchanged;
cases with `max_rss_mib` bound the runtime's peak resident memory. `--node` runs a case under Node.js's WASI as well
and requires the same stdout and exit status (only for cases where Node
follows the spec; see NODE_CASES).

    run_guest.py --list | --list-node
    run_guest.py --case NAME --vivarium PATH --guests DIR --source DIR [--node]
"""
import argparse
import ctypes
import fcntl
import hashlib
import os
import resource
import struct
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77  # CTest SKIP_RETURN_CODE

TRAP = 134
TIMEOUT = 142       # 128+SIGALRM
BAD_EXIT_CODE = 126  # the guest called proc_exit with 126 or more


def case(name, guest, flags=(), args=(), exit=0, stdout=(), stdout_exact=None, stderr=(),
         stdin=b"", env=None, setup=None, client=None, max_seconds=60, wat=False, stdio=None, max_rss_mib=None):
    return dict(name=name, guest=guest, flags=list(flags), args=list(args), exit=exit, stdout=list(stdout),
                stdout_exact=stdout_exact, stderr=list(stderr), stdin=stdin, env=env or {}, setup=setup,
                client=client, max_seconds=max_seconds, wat=wat, stdio=stdio, max_rss_mib=max_rss_mib)


def absolute_links(base):
    os.symlink(os.path.join(base, "outside", "secret"), os.path.join(base, "sandbox", "abs"))
    os.symlink(os.path.join(base, "outside"), os.path.join(base, "sandbox", "absdir"))


def echo_client(port_holder, result):
    """Connects to the guest's --listen socket, sends "ping", reads the reply."""
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port_holder[0]), timeout=10) as s:
                s.sendall(b"ping")
                data = b""
                while True:
                    chunk = s.recv(64)
                    if not chunk:
                        break
                    data += chunk
                result.append(data)
                return
        except OSError:
            time.sleep(0.05)
    result.append(b"<could not connect>")


SANDBOX = ["--dir", "{sandbox}::/sandbox"]
HELLO_OUT = "argc=3\nargv[1]=x\nargv[2]=y z\nGREETING=hi\nEMPTY=\nVIV_UNSET_VARIABLE=(unset)\n"

CASES = [
    case("hello_args", "hello", ["--env", "GREETING=hi", "--env", "EMPTY="], ["x", "y z"], stdout_exact=HELLO_OUT),
    case("hello_exit_status", "hello", args=["exit=3"], exit=3),
    case("env_not_inherited", "hello", env={"GREETING": "from-host"}, stdout=["GREETING=(unset)"]),
    case("env_inherit", "hello", ["--inherit-env"], env={"GREETING": "from-host"}, stdout=["GREETING=from-host"]),
    case("env_override_inherited", "hello", ["--inherit-env", "--env", "GREETING=flag"], env={"GREETING": "host"},
         stdout=["GREETING=flag"]),
    case("env_pass_by_name", "hello", ["--env", "GREETING"], env={"GREETING": "passed"}, stdout=["GREETING=passed"]),
    case("proc_exit_7", "exit_code", args=["7"], exit=7, stdout_exact="exiting with 7\n"),
    case("proc_exit_0", "exit_code", args=["0"], exit=0, stdout_exact="exiting with 0\n"),
    case("proc_exit_125", "exit_code", args=["125"], exit=125),
    case("proc_exit_124_is_the_guests", "exit_code", args=["124"], exit=124),
    # 126 and up are Vivarium's (issue 10): an error, never the guest's status,
    # never its low 8 bits (256 used to exit 0), never a forged trap (134).
    case("proc_exit_126_is_refused", "exit_code", args=["126"], exit=BAD_EXIT_CODE,
         stderr=["proc_exit(126)", "reserved"]),
    case("proc_exit_134_is_not_a_trap", "exit_code", args=["134"], exit=BAD_EXIT_CODE, stderr=["proc_exit(134)"]),
    case("proc_exit_142_is_not_a_timeout", "exit_code", args=["142"], exit=BAD_EXIT_CODE, stderr=["proc_exit(142)"]),
    case("proc_exit_256_is_not_success", "exit_code", args=["256"], exit=BAD_EXIT_CODE, stderr=["proc_exit(256)"]),
    case("proc_exit_u32_max", "exit_code", args=["4294967295"], exit=BAD_EXIT_CODE,
         stderr=["proc_exit(4294967295)"]),
    case("stdio", "stdio", stdin=b"abc\nxyz\n", stdout=["ABC\nXYZ\nread 8 bytes", "all checks passed"],
         stderr=["to stderr"]),
    case("stdio_stream_file", "stdio_stream", stdio="file", stdout=["secret\ncopied 7 bytes", "all checks passed"]),
    case("stdio_stream_pipe", "stdio_stream", stdio="pipe",
         stdout=["through a pipe\ncopied 15 bytes", "all checks passed"]),
    case("fs_basic", "fs_basic", SANDBOX, stdout=["all checks passed"]),
    case("fs_basic_walk", "fs_basic", SANDBOX, stdout=["all checks passed"], env={"VIVARIUM_WASI_RESOLVE": "walk"}),
    case("fs_libc", "fs_libc", SANDBOX, stdout=["done"]),
    case("escape", "escape", SANDBOX, stdout=["all checks passed"], setup=absolute_links),
    case("escape_walk", "escape", SANDBOX, stdout=["all checks passed"], setup=absolute_links,
         env={"VIVARIUM_WASI_RESOLVE": "walk"}),
    case("suite_areas", "suite_areas", SANDBOX, stdout=["all checks passed"]),
    case("suite_areas_walk", "suite_areas", SANDBOX, stdout=["all checks passed"], env={"VIVARIUM_WASI_RESOLVE": "walk"}),
    case("preopen_order", "preopens", ["--dir-ro", "{base}/ro::/first", "--dir", "{sandbox}::/second",
                                       "--dir-ro={base}/ro::third"],
         stdout_exact="fd 3: /first (ro)\nfd 4: /second (rw)\nfd 5: third (ro)\nall checks passed\n"),
    case("bad_input", "bad_input", SANDBOX, stdout=["all checks passed"]),
    case("clocks_poll", "clocks_poll", SANDBOX, stdout=["all checks passed"]),
    case("rights", "rights", ["--dir", "{sandbox}::rw", "--dir-ro", "{base}/ro::ro"], stdout=["all checks passed"]),
    case("ro_append", "ro_append", ["--dir-ro", "{base}/ro::/ro"], stdout=["all checks passed"]),
    case("ro_append_walk", "ro_append", ["--dir-ro", "{base}/ro::/ro"], stdout=["all checks passed"],
         env={"VIVARIUM_WASI_RESOLVE": "walk"}),
    # The guest holds an 8 MiB path in its own memory; splitting it into
    # components cost the walk hundreds of MiB before its length was checked.
    case("path_limits", "path_limits", SANDBOX, stdout=["all checks passed"], max_rss_mib=96),
    case("path_limits_walk", "path_limits", SANDBOX, stdout=["all checks passed"], max_rss_mib=96,
         env={"VIVARIUM_WASI_RESOLVE": "walk"}),
    case("sock_echo", "sock", ["--listen", "127.0.0.1:{port}"], stdout=["accepted", "received: ping",
                                                                          "all checks passed"], client=echo_client),
    case("trap_unreachable", "trap", exit=TRAP, stdout_exact="before trap\n",
         stderr=["unreachable", "guest_fault_here", "guest_middle_frame"]),
    case("trap_out_of_bounds", "trap", args=["oob"], exit=TRAP, stderr=["out of bounds memory access",
                                                                          "guest_fault_here"]),
    case("trap_divide_by_zero", "trap", args=["div"], exit=TRAP, stderr=["integer divide by zero"]),
    case("timeout_busy_loop", "loop", ["--timeout", "1s"], exit=TIMEOUT, stdout=["looping"], stderr=["--timeout"],
         max_seconds=30),
    case("timeout_sleeping", "loop", ["--timeout", "500ms"], args=["sleep"], exit=TIMEOUT, stderr=["--timeout"],
         max_seconds=30),
    case("timeout_blocked_on_stdin", "stdio", ["--timeout", "500ms"], stdin=None, exit=TIMEOUT, stderr=["--timeout"],
         max_seconds=30),
    case("fuel_exhausted", "loop", ["--fuel", "200000"], exit=TRAP, stderr=["fuel"], max_seconds=30),
    case("max_memory_limits_growth", "memory", ["--max-memory", "4MiB"], ["4"], stdout=["respected the limit"]),
    case("max_memory_below_module_minimum", "memory", ["--max-memory", "64K"], exit=1, stderr=["pages"]),
    case("memory_unlimited", "memory", stdout=["allocated 64 MiB"]),
    case("reactor_invoke_add", "reactor", ["--invoke", "add"], ["2", "3"], stdout_exact="5\n"),
    case("reactor_invoke_i64", "reactor", ["--invoke", "fact"], ["20"], stdout_exact="2432902008176640000\n"),
    case("reactor_invoke_floats", "reactor", ["--invoke", "scale"], ["1.5", "2"], stdout_exact="3\n"),
    case("reactor_initialize_runs_first", "reactor", ["--invoke", "greet"],
         stdout_exact="hello from a reactor, initialized=40\n42\n"),
    case("invoke_missing_export", "reactor", ["--invoke", "nope"], exit=1, stderr=["nope"]),
    case("invoke_wrong_arity", "reactor", ["--invoke", "add"], ["1"], exit=2, stderr=["argument"]),
    case("wat_hello", "hello.wat", wat=True, stdout_exact="hello from wat\n"),
    case("wat_proc_exit", "exit.wat", wat=True, exit=42),
    case("wat_trap_backtrace", "trap.wat", wat=True, exit=TRAP,
         stderr=["unreachable", "innermost_wat_frame", "middle_wat_frame"]),
    case("wat_no_memory_is_efault", "no_memory.wat", wat=True, exit=21),
    case("unknown_import", "unknown_import.wat", wat=True, exit=1, stderr=["no_such_function"]),
    case("incompatible_import", "bad_signature.wat", wat=True, exit=1, stderr=["fd_close"]),
    case("missing_preopen_dir", "hello", ["--dir", "{base}/does-not-exist"], exit=1, stderr=["does-not-exist"]),
    case("bad_listen_spec", "hello", ["--listen", "no-port"], exit=2, stderr=["HOST:PORT"]),
    case("bad_timeout_spec", "hello", ["--timeout", "soon"], exit=2, stderr=["--timeout"]),
    case("no_module", None, exit=2, stderr=["no module"]),
    case("help", None, ["--help"], exit=0, stdout=["--dir ", "--dir-ro", "--env", "--inherit-env", "--listen",
                                                     "--invoke", "--timeout", "--max-memory", "--fuel", "126", "134", "142"]),
]

# Cases whose stdout and status Node.js's WASI reproduces exactly. Node is not
# a reference for the rest: it lets symlinks escape its preopens, reports
# guest pointer faults as EOVERFLOW, accepts non-UTF-8 paths, and ignores
# several flags (its own docs say node:wasi is not a sandbox).
NODE_CASES = ["hello_args", "hello_exit_status", "proc_exit_7", "proc_exit_0", "stdio", "fs_libc", "wat_hello"]

BY_NAME = {c["name"]: c for c in CASES}


def tree_digest(root):
    """Names, types, link targets and contents of everything under root."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in sorted(os.walk(root)):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            p = os.path.join(dirpath, name)
            h.update(os.path.relpath(p, root).encode())
            st = os.lstat(p)
            h.update(str((st.st_mode, st.st_size, st.st_mtime_ns)).encode())
            if os.path.islink(p):
                h.update(os.readlink(p).encode())
            elif os.path.isfile(p):
                with open(p, "rb") as f:
                    h.update(f.read())
    return h.hexdigest()


class WriteWatch:
    """inotify on every directory under `roots`: any sign that something there
    was opened for writing, written, re-timed, created, removed or renamed.
    Where inotify is unavailable the check is skipped (the digests remain)."""
    IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x2, 0x4, 0x8
    IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
    IN_DELETE_SELF, IN_MOVE_SELF = 0x400, 0x800
    NAMES = {IN_MODIFY: "modified", IN_ATTRIB: "attributes changed", IN_CLOSE_WRITE: "closed after opening for writing",
             IN_MOVED_FROM: "moved away", IN_MOVED_TO: "moved in", IN_CREATE: "created", IN_DELETE: "deleted",
             IN_DELETE_SELF: "deleted", IN_MOVE_SELF: "moved"}

    def __init__(self, roots):
        self.fd = None
        self.dirs = {}
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        except (OSError, AttributeError):
            return
        if fd < 0:
            return
        self.fd = fd
        mask = 0
        for bit in self.NAMES:
            mask |= bit
        for root in roots:
            for dirpath, _, _ in os.walk(root):
                wd = libc.inotify_add_watch(fd, dirpath.encode(), mask)
                if wd >= 0:
                    self.dirs[wd] = dirpath

    def changes(self):
        """What happened since the watch began, as "path: what" strings."""
        if self.fd is None:
            return []
        out = []
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                break
            i = 0
            while i + 16 <= len(data):
                wd, mask, _, size = struct.unpack_from("iIII", data, i)
                name = data[i + 16:i + 16 + size].rstrip(b"\0").decode(errors="replace")
                i += 16 + size
                for bit, what in self.NAMES.items():
                    if mask & bit:
                        out.append(f"{os.path.join(self.dirs.get(wd, '?'), name)}: {what}")
        os.close(self.fd)
        self.fd = None
        return out


def run_redirected(c, command, base, env):
    """Runs with stdin from outside/secret (c["stdio"] == "file") or from a pipe
    holding one line ("pipe"), and stdout appended to <base>/log, which starts
    as "log\n": descriptors whose open file descriptions the guest shares with
    us. Returns (status, what the guest appended, stderr, problems)."""
    log = os.path.join(base, "log")
    with open(log, "w") as f:
        f.write("log\n")
    out_fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
    if c["stdio"] == "file":
        in_fd = os.open(os.path.join(base, "outside", "secret"), os.O_RDONLY | os.O_CLOEXEC)
    else:
        in_fd, w = os.pipe()
        os.write(w, b"through a pipe\n")
        os.close(w)
    problems = []
    try:
        before = {"stdin": fcntl.fcntl(in_fd, fcntl.F_GETFL), "stdout": fcntl.fcntl(out_fd, fcntl.F_GETFL)}
        try:
            p = subprocess.run(command, stdin=in_fd, stdout=out_fd, stderr=subprocess.PIPE, env=env, cwd=base,
                               timeout=c["max_seconds"])
        except subprocess.TimeoutExpired:
            return None, b"", b"driver: timed out after %d s" % c["max_seconds"], problems
        after = {"stdin": fcntl.fcntl(in_fd, fcntl.F_GETFL), "stdout": fcntl.fcntl(out_fd, fcntl.F_GETFL)}
        for k in before:
            if before[k] != after[k]:
                problems.append(f"the guest changed the host's status flags of its {k}: {before[k]:#o} -> {after[k]:#o}")
    finally:
        os.close(in_fd)
        os.close(out_fd)
    with open(log, "rb") as f:
        content = f.read()
    if not content.startswith(b"log\n"):
        problems.append(f"the guest rewrote the log its stdout appends to: {content[:80]!r}")
    return p.returncode, content[4:], p.stderr, problems


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def guest_path(c, guests, source):
    if c["guest"] is None:
        return None
    if c["wat"]:
        return os.path.join(source, "wat", c["guest"])
    return os.path.join(guests, c["guest"] + ".wasm")


def run_one(c, command, base, env_extra, port):
    """Runs `command` (vivarium or node) for case c; returns (status, out, err,
    socket client result or problems with the host's side of stdio)."""
    env = dict(os.environ)
    env.pop("GREETING", None)
    env.update(env_extra)
    if c["stdio"]:
        return run_redirected(c, command, base, env)
    holder = [port]
    result = []
    client = None
    if c["client"]:
        client = threading.Thread(target=c["client"], args=(holder, result), daemon=True)
        client.start()
    try:
        # stdin=None: a pipe nobody writes to (we hold its write end open), so
        # the guest blocks reading it.
        if c["stdin"] is None:
            r, w = os.pipe()
            try:
                p = subprocess.run(command, stdin=r, capture_output=True, env=env, cwd=base,
                                   timeout=c["max_seconds"])
            finally:
                os.close(r)
                os.close(w)
            return p.returncode, p.stdout, p.stderr, result
        p = subprocess.run(command, input=c["stdin"], capture_output=True, env=env, cwd=base,
                           timeout=c["max_seconds"])
    except subprocess.TimeoutExpired:
        return None, b"", b"driver: timed out after %d s" % c["max_seconds"], result
    if client:
        client.join(timeout=20)
    return p.returncode, p.stdout, p.stderr, result


def check(c, status, out, err, client_result, label):
    problems = []
    if status != c["exit"]:
        problems.append(f"{label}: exit status {status}, want {c['exit']}")
    text, etext = out.decode(errors="replace"), err.decode(errors="replace")
    if c["stdout_exact"] is not None and text != c["stdout_exact"]:
        problems.append(f"{label}: stdout {text!r}, want exactly {c['stdout_exact']!r}")
    for s in c["stdout"]:
        if s not in text:
            problems.append(f"{label}: stdout lacks {s!r}")
    for s in c["stderr"]:
        if s not in etext:
            problems.append(f"{label}: stderr lacks {s!r}")
    if "FAIL" in text:
        problems.append(f"{label}: the guest reported failed checks")
    if c["stdio"]:
        problems += [f"{label}: {p}" for p in client_result]
    elif c["client"] and client_result != [b"pong:ping"]:
        problems.append(f"{label}: socket client got {client_result!r}, want [b'pong:ping']")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--list-node", action="store_true")
    ap.add_argument("--case")
    ap.add_argument("--vivarium")
    ap.add_argument("--guests")
    ap.add_argument("--source", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--node", action="store_true", help="compare with Node.js's WASI")
    a = ap.parse_args()
    if a.list:
        print(";".join(c["name"] for c in CASES))
        return 0
    if a.list_node:
        print(";".join(NODE_CASES))
        return 0
    c = BY_NAME[a.case]
    # The guest runs in its scratch directory: make our paths absolute first.
    a.vivarium = os.path.abspath(a.vivarium) if a.vivarium else None
    a.guests = os.path.abspath(a.guests) if a.guests else None
    a.source = os.path.abspath(a.source)
    node = shutil.which("node") if a.node else None
    if a.node and not node:
        print("SKIP: node is not installed")
        return SKIP

    problems = []
    outputs = {}
    runners = [("vivarium", None)] + ([("node", node)] if a.node else [])
    for label, node_path in runners:
        base = tempfile.mkdtemp(prefix="viv-guest-")
        try:
            os.makedirs(os.path.join(base, "sandbox"))
            os.makedirs(os.path.join(base, "outside", "dir"))
            os.makedirs(os.path.join(base, "ro", "sub"))
            with open(os.path.join(base, "outside", "secret"), "w") as f:
                f.write("secret\n")
            with open(os.path.join(base, "ro", "existing.txt"), "w") as f:
                f.write("read only\n")
            if c["setup"]:
                c["setup"](base)
            port = free_port()
            subst = {"sandbox": os.path.join(base, "sandbox"), "base": base, "port": port}
            flags = [f.format(**subst) for f in c["flags"]]
            module = guest_path(c, a.guests, a.source)
            if node_path:
                command = [node_path, "--no-warnings", os.path.join(a.source, "node_wasi_run.mjs")] + flags
                if c["wat"]:  # Node runs binaries only
                    if not shutil.which("wat2wasm"):
                        print("SKIP: wat2wasm (wabt) is not installed")
                        return SKIP
                    wasm = os.path.join(base, "module.wasm")
                    subprocess.run(["wat2wasm", module, "-o", wasm], check=True)
                    module = wasm
            else:
                command = [a.vivarium, "run"] + flags
            command += ([module] if module else []) + c["args"]
            before = {d: tree_digest(os.path.join(base, d)) for d in ("outside", "ro")}
            watch = WriteWatch([os.path.join(base, d) for d in before])
            start = time.time()
            status, out, err, client_result = run_one(c, command, base, c["env"], port)
            elapsed = time.time() - start
            problems += check(c, status, out, err, client_result, label)
            for d, digest in before.items():
                if tree_digest(os.path.join(base, d)) != digest:
                    problems.append(f"{label}: the guest changed {d}/, which it was not granted")
            problems += [f"{label}: outside the writable preopen, {w}" for w in watch.changes()]
            # ru_maxrss of the children waited for: this driver runs one per case.
            rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            if c["max_rss_mib"] and rss_mib > c["max_rss_mib"]:
                problems.append(f"{label}: peak RSS {rss_mib:.0f} MiB, more than {c['max_rss_mib']} MiB")
            outputs[label] = (status, out)
            sys.stdout.write(f"--- {label} ({elapsed:.2f} s, peak RSS {rss_mib:.0f} MiB): {' '.join(command)}\n")
            sys.stdout.write(out.decode(errors="replace"))
            sys.stdout.write(f"--- {label} stderr\n{err.decode(errors='replace')}")
        finally:
            shutil.rmtree(base, ignore_errors=True)
    if a.node and outputs.get("vivarium") != outputs.get("node"):
        problems.append("vivarium and node disagree (status, stdout): %r vs %r" %
                        (outputs.get("vivarium"), outputs.get("node")))
    for p in problems:
        print("PROBLEM:", p)
    print(f"{c['name']}: {'FAILED' if problems else 'passed'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
