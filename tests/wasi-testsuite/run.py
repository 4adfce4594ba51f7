#!/usr/bin/env python3
"""Runs the official WASI preview1 test suite (WebAssembly/wasi-testsuite) under
`vivarium run`, following the suite's JSON test specification: for every
*.wasm / *.wat test case, an optional same-named .json gives `args`, `dirs`
(preopened under the same name), `env` (the guest's whole environment),
`exit_code` (default 0) and, when present, the exact `stdout` / `stderr`.

    run.py VIVARIUM [SUITE_DIR ...]

Without SUITE_DIR the suite is looked for in $VIVARIUM_WASI_TESTSUITE, then in
../shared/wasi-testsuite beside the repository, as its
tests/{c,rust,assemblyscript}/testsuite/wasm32-wasip1 folders (older
checkouts: tests/*/testsuite; or any folder of test cases).
The suite cannot be downloaded at build or test time; where it is absent this
script says so and exits 77 (CTest: skipped). Ends with `N passed, M failed`.
"""
import json
import os
import subprocess
import sys
import tempfile
import shutil

SKIP = 77


def find_suite_dirs(args):
    if args:
        return args
    root = os.environ.get("VIVARIUM_WASI_TESTSUITE")
    if not root:
        here = os.path.dirname(os.path.abspath(__file__))
        root = os.path.normpath(os.path.join(here, "..", "..", "..", "shared", "wasi-testsuite"))
    if not os.path.isdir(root):
        return []
    dirs = []
    for lang in ("c", "rust", "assemblyscript"):
        d = os.path.join(root, "tests", lang, "testsuite")
        # The prebuilt branch keeps one folder per target (wasm32-wasip1 is
        # preview1); older checkouts hold the cases directly.
        if os.path.isdir(os.path.join(d, "wasm32-wasip1")):
            dirs.append(os.path.join(d, "wasm32-wasip1"))
        elif os.path.isdir(d):
            dirs.append(d)
    return dirs or [root]


def cases(folder):
    for name in sorted(os.listdir(folder)):
        if name.endswith(".wasm") or name.endswith(".wat"):
            yield os.path.join(folder, name)


def case_name(case):
    """c/fopen-with-access.wasm: the language folder (above `testsuite`) and the file."""
    parts = os.path.normpath(case).split(os.sep)
    lang = parts[parts.index("testsuite") - 1] if "testsuite" in parts[1:] else os.path.basename(os.path.dirname(case))
    return f"{lang}/{parts[-1]}"


def spec_for(case):
    path = os.path.splitext(case)[0] + ".json"
    spec = {"args": [], "dirs": [], "env": {}, "exit_code": 0}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            spec.update(json.load(f))
    return spec


def scratch_copy(src_dir, name, work):
    """Copies folder `name` beside the test into `work`, writable (the suite
    may be installed read-only, and tests create and remove files in it),
    without the `*.cleanup` leftovers of earlier runs."""
    src, dst = os.path.join(src_dir, name), os.path.join(work, name)
    if os.path.isdir(src):
        shutil.copytree(src, dst, symlinks=True, ignore=shutil.ignore_patterns("*.cleanup"))
    else:
        os.makedirs(dst, exist_ok=True)
    for dirpath, dirnames, filenames in os.walk(dst):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            if not os.path.islink(p):
                os.chmod(p, os.stat(p).st_mode | 0o700)
    os.chmod(dst, os.stat(dst).st_mode | 0o700)
    return dst


def run_case(viv, case):
    """Runs one case in a scratch copy of its folder (tests write files into
    their preopens; the suite's own folder stays untouched). Returns an error
    string, or "" on success."""
    spec = spec_for(case)
    src_dir = os.path.dirname(case)
    with tempfile.TemporaryDirectory(prefix="viv-wasi-suite-") as work:
        cmd = [viv, "run"]
        if spec.get("root"):
            cmd += ["--dir", scratch_copy(src_dir, spec["root"], work) + "::/"]
        for d in spec.get("dirs", []):
            scratch_copy(src_dir, d, work)
            cmd += ["--dir", d + "::" + d]
        for k, v in spec.get("env", {}).items():
            cmd += ["--env", f"{k}={v}"]
        cmd += [case] + [str(a) for a in spec.get("args", [])]
        try:
            p = subprocess.run(cmd, cwd=work, capture_output=True, timeout=120, env={"PATH": os.environ.get("PATH", "")})
        except subprocess.TimeoutExpired:
            return "timed out after 120 s"
    want = spec.get("exit_code", 0)
    problems = []
    if p.returncode != want:
        problems.append(f"exit code {p.returncode}, expected {want}")
    for stream in ("stdout", "stderr"):
        if stream in spec:
            got = getattr(p, stream).decode("utf-8", "replace")
            if got != spec[stream]:
                problems.append(f"{stream} {got!r}, expected {spec[stream]!r}")
    if problems and p.stderr:
        problems.append("stderr: " + p.stderr.decode("utf-8", "replace").strip()[:400])
    return "; ".join(problems)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    viv = os.path.abspath(sys.argv[1])
    named = os.environ.get("VIVARIUM_WASI_TESTSUITE")
    if named and not sys.argv[2:] and not os.path.isdir(named):
        # A folder someone named must exist: a typo is not "suite absent".
        print(f"wasi-testsuite: VIVARIUM_WASI_TESTSUITE={named} is not a folder")
        return 1
    dirs = find_suite_dirs(sys.argv[2:])
    if not dirs:
        print("wasi-testsuite: not found (set VIVARIUM_WASI_TESTSUITE or place it in ../shared/wasi-testsuite); skipped")
        return SKIP
    passed = failed = 0
    for folder in dirs:
        for case in cases(folder):
            err = run_case(viv, case)
            name = case_name(case)
            if err:
                failed += 1
                print(f"not ok - {name}: {err}")
            else:
                passed += 1
                print(f"ok - {name}")
    if passed + failed == 0:
        print("wasi-testsuite: no test cases found in " + ", ".join(dirs) + "; skipped")
        return SKIP
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
