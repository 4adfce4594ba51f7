#!/usr/bin/env python3
"""`vivarium new` -> `vivarium build` -> `vivarium test` for each template
(assemblyscript only when sdk/assemblyscript/node_modules holds asc; rust
only when sdk/templates/rust exists and /usr/bin/cargo is installed), the
C template freestanding, `vivarium dev` rebuilding and redeploying on a
change, and the messages for a missing toolchain or a bad request file.
Loopback only; every wait is bounded."""
import argparse
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "serve"))
from serve_harness import Checks, free_port, get  # noqa: E402


def run(t, what, cmd, cwd, expect_rc=0, env=None, contains=None):
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300, env=env)
    out = r.stdout + r.stderr
    ok = r.returncode == expect_rc and (contains is None or contains in out)
    t.check(ok, what, "exit %d, output:\n%s" % (r.returncode, out))
    return out


def template(t, viv, tmp, kind, extra_build=()):
    name = "app-" + kind
    run(t, "new --template " + kind, [viv, "new", name, "--template", kind], tmp)
    proj = os.path.join(tmp, name)
    run(t, "build " + kind + " " + " ".join(extra_build), [viv, "build", *extra_build], proj, contains="built ")
    t.check(os.path.exists(os.path.join(proj, "build", name + ".wasm")), kind + " module in build/")
    run(t, "test " + kind, [viv, "test", *extra_build], proj, contains="0 failed")
    return proj


def dev(t, viv, tmp):
    proj = os.path.join(tmp, "app-c")
    port = free_port()
    log = open(os.path.join(tmp, "dev.log"), "w")
    p = subprocess.Popen([viv, "dev", "--port", str(port)], cwd=proj, stdout=log, stderr=log)
    try:
        def body():
            try:
                return get(port, "app-c.localhost", "/")[1]
            except OSError:
                return None
        deadline = time.time() + 60
        while time.time() < deadline and body() != "Hello from app-c!\n":
            time.sleep(0.2)
        t.check(body() == "Hello from app-c!\n", "dev serves the project", body())
        src = os.path.join(proj, "src", "main.c")
        with open(src) as f:
            text = f.read()
        with open(src, "w") as f:
            f.write(text.replace("Hello from app-c!", "Changed!"))
        deadline = time.time() + 90
        while time.time() < deadline and body() != "Changed!\n":
            time.sleep(0.2)
        t.check(body() == "Changed!\n", "dev rebuilds and redeploys on a change", body())
        with open(src, "w") as f:
            f.write("this is not C\n")
        time.sleep(3)
        t.check(body() == "Changed!\n", "dev keeps the last good build after a failed one", body())
    finally:
        p.send_signal(signal.SIGINT)
        try:
            rc = p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = None
        log.close()
    t.check(rc == 0, "dev stops on SIGINT", rc)
    try:
        get(port, "app-c.localhost", "/", timeout=2)
        stopped = False
    except OSError:
        stopped = True
    t.check(stopped, "dev stops its server with it")


def errors(t, viv, tmp, sdk):
    proj = os.path.join(tmp, "app-c")
    env = dict(os.environ, PATH="/nonexistent")
    run(t, "a missing clang-19 names the Debian packages", [viv, "build"], proj, expect_rc=1, env=env,
        contains="install the Debian packages clang-19")
    run(t, "not a project", [viv, "build"], tmp, expect_rc=1, contains="not a Vivarium project")
    # An SDK without node_modules: the AssemblyScript build names the npm package.
    sdk_copy = os.path.join(tmp, "sdk-without-asc")
    shutil.copytree(sdk, sdk_copy, ignore=shutil.ignore_patterns("node_modules"))
    env = dict(os.environ, VIVARIUM_SDK=sdk_copy)
    run(t, "new --template assemblyscript from a copied SDK", [viv, "new", "as-no-asc", "--template", "assemblyscript"],
        tmp, env=env)
    run(t, "a missing asc names the npm package and npm ci", [viv, "build"], os.path.join(tmp, "as-no-asc"),
        expect_rc=1, env=env, contains="install the npm package assemblyscript: run `npm ci`")
    run(t, "new refuses a non-empty directory", [viv, "new", "app-c"], tmp, expect_rc=1, contains="not empty")
    run(t, "unknown template", [viv, "new", "x", "--template", "cobol"], tmp, expect_rc=2, contains="unknown template")
    wat = os.path.join(tmp, "app-wat")
    with open(os.path.join(wat, "tests", "requests.txt"), "a") as f:
        f.write("request GET /\nexpect body wrong\n")
    run(t, "test reports a wrong body and fails", [viv, "test"], wat, expect_rc=1, contains="expected \"wrong\"")
    spec = os.path.join(wat, "tests", "requests.txt")
    with open(spec) as f:
        good = f.read()
    with open(spec, "w") as f:
        f.write("deploy --limit wall-time=5s\n" + good.replace("expect body wrong\n", "expect status 200\n"))
    run(t, "deploy flags from the request file reach vivarium deploy", [viv, "test"], wat, contains="0 failed")
    with open(spec, "w") as f:
        f.write("deploy --no-such-flag\n" + good)
    run(t, "a bad deploy flag fails the test", [viv, "test"], wat, expect_rc=1, contains="vivarium deploy")
    with open(spec, "a") as f:
        f.write("frobnicate\n")
    run(t, "a bad request file names its line", [viv, "test"], wat, expect_rc=1, contains="requests.txt:")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vivarium", required=True)
    ap.add_argument("--sdk", required=True)
    a = ap.parse_args()
    viv = os.path.abspath(a.vivarium)
    t = Checks()
    tmp = tempfile.mkdtemp(prefix="viv-sdk-projects-")
    try:
        template(t, viv, tmp, "c")
        template(t, viv, tmp, "wat")
        proj = os.path.join(tmp, "app-c")
        size = os.path.getsize(os.path.join(proj, "build", "app-c.wasm"))
        run(t, "test c --freestanding", [viv, "test", "--freestanding"], proj, contains="0 failed")
        fsize = os.path.getsize(os.path.join(proj, "build", "app-c.wasm"))
        print("C template: %d bytes with wasi-libc, %d freestanding" % (size, fsize))
        t.check(fsize < 10240, "freestanding C template under 10 KB", fsize)
        if os.path.exists(os.path.join(a.sdk, "assemblyscript", "node_modules", ".bin", "asc")):
            template(t, viv, tmp, "assemblyscript")
        else:
            print("skip assemblyscript: no sdk/assemblyscript/node_modules (run scripts/setup.sh or npm ci there)")
        # Debian's Rust toolchain as tests/sdk_rust requires it (rust-lld is lld-14's).
        rust_ok = (os.path.isdir(os.path.join(a.sdk, "templates", "rust")) and os.path.exists("/usr/bin/cargo")
                   and os.path.exists("/usr/bin/rust-lld") and glob.glob("/usr/share/cargo/registry/http-0.2*"))
        if rust_ok:
            template(t, viv, tmp, "rust")
        else:
            print("skip rust: no sdk/templates/rust, /usr/bin/cargo, /usr/bin/rust-lld or http crate "
                  "(Debian packages rustc cargo libstd-rust-dev-wasm32 librust-http-dev lld-14)")
        errors(t, viv, tmp, os.path.abspath(a.sdk))
        dev(t, viv, tmp)
    except Exception as e:  # noqa: BLE001 - reported as a failure
        t.check(False, "test harness", repr(e))
    if t.failed == 0:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print("kept " + tmp)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
