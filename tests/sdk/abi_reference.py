#!/usr/bin/env python3
"""docs/abi-reference.md against the SDKs: its generated table (between the
BEGIN/END markers) must be exactly what sdk/c/terrarium.h gives, and
sdk/assemblyscript/vivarium/hostcalls.ts must declare every hostcall with
the same wasm type. `--write` regenerates the table in place."""
import argparse
import os
import re
import sys

BEGIN = "<!-- BEGIN generated from sdk/c/terrarium.h by tests/sdk/abi_reference.py --write -->"
END = "<!-- END generated -->"

I64 = {"int64_t", "uint64_t"}


def wasm_type(c_type):
    t = c_type.replace("const", "").strip()
    if t == "void":
        return None
    return "i64" if t in I64 else "i32"  # pointers, size_t, int32_t, uint32_t, handles


def split_params(params):
    params = params.strip()
    if params in ("", "void"):
        return []
    out = []
    for p in params.split(","):
        p = p.strip()
        m = re.match(r"(.*?)([A-Za-z_][A-Za-z0-9_]*)$", p)
        ctype = m.group(1).strip()
        out.append((ctype, m.group(2)))
    return out


def c_hostcalls(header):
    """name -> (params [(wasm, c name)], result wasm, C declaration)."""
    text = open(header).read()
    out = {}
    text = re.sub(r"#define TERRARIUM_IMPORT.*", "", text)
    for m in re.finditer(r"TERRARIUM_IMPORT\((\w+)\)\s*(.*?);", text, re.S):
        name, decl = m.group(1), " ".join(m.group(2).split())
        d = re.match(r"(.*?)\bhostcall_(\w+)\((.*)\)$", decl)
        if not d or d.group(2) != name:
            sys.exit("cannot read the declaration of %s: %s" % (name, decl))
        params = [(wasm_type(t), n) for t, n in split_params(d.group(3))]
        out[name] = (params, wasm_type(d.group(1)), decl)
    return out


AS_TYPES = {"usize": "i32", "i32": "i32", "u32": "i32", "i64": "i64", "u64": "i64", "void": None}


def as_hostcalls(ts):
    text = open(ts).read()
    out = {}
    for m in re.finditer(r'@external\("env", "hostcall_(\w+)"\)\s*export declare function \w+\((.*?)\):\s*(\w+);',
                         text, re.S):
        params = [AS_TYPES[p.split(":")[1].strip()] for p in m.group(2).split(",") if p.strip()]
        out[m.group(1)] = (params, AS_TYPES[m.group(3)])
    return out


def signature(params, result):
    return "(%s) -> %s" % (" ".join(p for p in params) if params else "", result or "()")


def table(calls):
    rows = ["| import `env.hostcall_*` | wasm type | C declaration (`sdk/c/terrarium.h`) |", "|---|---|---|"]
    for name, (params, result, decl) in calls.items():
        sig = "(%s) -> %s" % (", ".join("%s %s" % (w, n) for w, n in params), result or "()")
        rows.append("| `%s` | `%s` | `%s` |" % (name, sig, decl.replace("|", "\\|")))
    return "\n".join(rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--write", action="store_true")
    a = ap.parse_args()
    header = os.path.join(a.root, "sdk", "c", "terrarium.h")
    doc = os.path.join(a.root, "docs", "abi-reference.md")
    calls = c_hostcalls(header)
    failures = []
    if len(calls) < 30:
        failures.append("only %d hostcalls read from %s" % (len(calls), header))
    text = open(doc).read()
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        sys.exit("%s: no generated-table markers" % doc)
    fresh = text[:start + len(BEGIN)] + "\n" + table(calls) + "\n" + text[end:]
    if a.write:
        with open(doc, "w") as f:
            f.write(fresh)
        print("wrote %s (%d hostcalls)" % (doc, len(calls)))
        return 0
    if fresh != text:
        failures.append("docs/abi-reference.md's table differs from sdk/c/terrarium.h: run "
                        "tests/sdk/abi_reference.py --root . --write")
    ts = as_hostcalls(os.path.join(a.root, "sdk", "assemblyscript", "vivarium", "hostcalls.ts"))
    for name, (params, result, _) in calls.items():
        if name not in ts:
            failures.append("hostcalls.ts does not declare %s" % name)
        elif ts[name] != ([p for p, _ in params], result):
            failures.append("hostcalls.ts declares %s as %s, the C header as %s" %
                            (name, signature(*ts[name]), signature([p for p, _ in params], result)))
    for name in ts:
        if name not in calls:
            failures.append("hostcalls.ts declares %s, which terrarium.h does not" % name)
    for f in failures:
        print("FAIL " + f)
    print("%d hostcalls, %d problems" % (len(calls), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
