#!/usr/bin/env python3
"""sdk/templates/rust as `vivarium new NAME --template rust` lays it out
({{name}} and {{sdk}} replaced), built offline with Debian's cargo, deployed
on a real `vivarium serve`, and checked with the template's own
tests/requests.txt (the directives `vivarium test` reads).

Prints `N passed, M failed`; exits 1 on any failure.
"""
import argparse
import http.client
import os
import shutil
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "serve"))
import serve_harness as sh  # noqa: E402

NAME = "rusty-svc"


def instantiate(sdk, dest):
    src = os.path.join(sdk, "templates", "rust")
    for root, _, files in os.walk(src):
        rel = os.path.relpath(root, src)
        os.makedirs(os.path.join(dest, rel), exist_ok=True)
        for f in files:
            with open(os.path.join(root, f)) as fin:
                text = fin.read().replace("{{name}}", NAME).replace("{{sdk}}", sdk)
            with open(os.path.join(dest, rel, f), "w") as fout:
                fout.write(text)


def unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append({"n": "\n", "r": "\r", "t": "\t", "\\": "\\"}.get(s[i + 1], s[i + 1]))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def parse_requests(path):
    """-> [{method, target, headers, body, expect: [(kind, value)]}]"""
    cases = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            word, _, rest = line.partition(" ")
            if word == "request":
                method, _, target = rest.partition(" ")
                cases.append({"method": method, "target": target, "headers": [], "body": None, "expect": []})
            elif word == "header":
                k, _, v = rest.partition(":")
                cases[-1]["headers"].append((k.strip(), v.strip()))
            elif word == "body":
                cases[-1]["body"] = unescape(rest).encode()
            elif word == "expect":
                kind, _, value = rest.partition(" ")
                cases[-1]["expect"].append((kind, value))
            else:
                raise ValueError("%s: unknown directive %r" % (path, word))
    return cases


def run_case(t, port, case):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    headers = dict(case["headers"])
    headers["Host"] = NAME + ".localhost"
    c.request(case["method"], case["target"], body=case["body"], headers=headers)
    r = c.getresponse()
    body = r.read().decode("utf-8", "replace")
    c.close()
    what = "%s %s" % (case["method"], case["target"])
    for kind, value in case["expect"]:
        if kind == "status":
            t.check(r.status == int(value), "%s: status %s" % (what, value), r.status)
        elif kind == "header":
            k, _, v = value.partition(":")
            t.check(r.getheader(k.strip()) == v.strip(), "%s: header %s" % (what, value), r.getheader(k.strip()))
        elif kind == "body":
            t.check(body == unescape(value), "%s: body %r" % (what, unescape(value)), body)
        elif kind == "contains":
            t.check(unescape(value) in body, "%s: body contains %r" % (what, unescape(value)), body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vivarium", required=True)
    ap.add_argument("--sdk", required=True, help="the source tree's sdk/")
    ap.add_argument("--cargo-home", required=True)
    ap.add_argument("--target-dir", required=True)
    args = ap.parse_args()
    t = sh.Checks()
    tmp = tempfile.mkdtemp(prefix="viv-rust-template-")
    proj = os.path.join(tmp, NAME)
    instantiate(os.path.abspath(args.sdk), proj)
    env = dict(os.environ, PATH="/usr/bin:/bin", CARGO_HOME=args.cargo_home, CARGO_TARGET_DIR=args.target_dir)
    env.pop("RUSTFLAGS", None)
    env.pop("RUSTC", None)  # the template's .cargo/config.toml names /usr/bin/rustc
    b = subprocess.run(["/usr/bin/cargo", "build", "--release", "--quiet"], cwd=proj, env=env,
                       capture_output=True, text=True, timeout=600)
    wasm = os.path.join(args.target_dir, "wasm32-unknown-unknown", "release", NAME.replace("-", "_") + ".wasm")
    t.check(b.returncode == 0 and os.path.exists(wasm), "the template builds offline with cargo build --release",
            b.stdout + b.stderr)
    s = sh.Server(args.vivarium, tmp)
    error = None
    try:
        if os.path.exists(wasm):
            print("size %s.wasm: %d bytes" % (NAME, os.path.getsize(wasm)))
            t.check(os.path.getsize(wasm) < 150 * 1024, "the template's guest is under 150 KB")
            s.start()
            r = s.cli("deploy", wasm, "--name", NAME)
            if t.check(r.returncode == 0, "the template's guest deploys", r.stdout + r.stderr):
                cases = parse_requests(os.path.join(proj, "tests", "requests.txt"))
                t.check(len(cases) >= 3, "tests/requests.txt has its requests", len(cases))
                for case in cases:
                    run_case(t, s.port, case)
    except Exception as e:  # reported as a failed check, with the server log
        error = e
    if t.failed == 0:
        shutil.rmtree(tmp, ignore_errors=True)
    return sh.conclude(t, s, tmp, error)


if __name__ == "__main__":
    sys.exit(main())
