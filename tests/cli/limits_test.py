#!/usr/bin/env python3
"""--max-memory bounds all of a guest's memories and tables together (issue #10
item 3): every byte of host memory a guest can cause stays under the limit.

Each case runs `vivarium run` as a child under an address-space limit (so a
regression cannot take the machine down) and checks its exit status, its
message and its peak RSS. Usage: limits_test.py VIVARIUM TMPDIR [--sanitized]
(a sanitizer build reserves terabytes of shadow address space, so it runs
without the address-space limit and with room for the sanitizer's own RSS).
"""
import os
import resource
import subprocess
import sys

VIV, TMP = sys.argv[1], sys.argv[2]
SANITIZED = "--sanitized" in sys.argv[3:]
os.makedirs(TMP, exist_ok=True)
# --max-memory 16M plus a fixed overhead (a regression takes 1-4 GB).
RSS_BOUND_KB = (256 if SANITIZED else 64) * 1024
AS_LIMIT = 1 << 30         # what a regression may take before it fails outright

# 50 tables of 10M funcref elements (80 MB each, 4 GB in all on 64-bit hosts):
# the 340-byte module of the issue.
MANY_TABLES = "(module\n" + "  (table 10000000 funcref)\n" * 50 + "  (func (export \"_start\")))\n"

# One table grown by 1M elements until table.grow fails; returns the final size.
GROW_LOOP = """(module
  (table 0 funcref)
  (func (export "grow") (result i32)
    (block $done
      (loop $again
        (br_if $done (i32.eq (table.grow (ref.null func) (i32.const 1000000)) (i32.const -1)))
        (br $again)))
    (table.size)))
"""

# Memory grown page by page until memory.grow fails; returns the page count.
MEM_GROW_LOOP = """(module
  (memory 1)
  (table 100000 funcref)
  (func (export "grow") (result i32)
    (block $done
      (loop $again
        (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $again)))
    (memory.size)))
"""


def limit_child():
    if not SANITIZED:
        resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))


failures = 0
checks = 0


def run(name, wat, args):
    path = os.path.join(TMP, name + ".wat")
    with open(path, "w") as f:
        f.write(wat)
    out_path, err_path = path + ".out", path + ".err"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen([VIV, "run", "--max-memory", "16M", *args, path], stdout=out, stderr=err,
                                preexec_fn=limit_child)
    # wait4 gives this child's own peak RSS (KiB on Linux).
    _, status, usage = os.wait4(proc.pid, 0)
    with open(out_path) as out, open(err_path) as err:
        result = subprocess.CompletedProcess(proc.args, os.waitstatus_to_exitcode(status), out.read(), err.read())
    return result, usage.ru_maxrss


def check(what, ok, detail):
    global failures, checks
    checks += 1
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else ": " + detail))
    if not ok:
        failures += 1


p, peak = run("many_tables", MANY_TABLES, [])
check("50 tables of 10M elements fail under --max-memory 16M", p.returncode == 1,
      f"exit {p.returncode}, stderr {p.stderr.strip()!r}")
check("the error names the limit", "max_total_bytes" in p.stderr, repr(p.stderr))
check("and RSS stays small", peak < RSS_BOUND_KB, f"peak RSS {peak} KiB")

p, peak = run("grow_loop", GROW_LOOP, ["--invoke", "grow"])
# 16 MiB / 8 bytes per element = 2,097,152 elements: two grows of 1M fit.
check("table.grow in a loop stops at the limit", p.returncode == 0 and p.stdout.strip() == "2000000",
      f"exit {p.returncode}, stdout {p.stdout.strip()!r}, stderr {p.stderr.strip()!r}")
check("and RSS stays small", peak < RSS_BOUND_KB, f"peak RSS {peak} KiB")

p, peak = run("mem_grow_loop", MEM_GROW_LOOP, ["--invoke", "grow"])
# 16 MiB less the table's 800,000 bytes leaves 243 pages (1 already there).
check("memory.grow counts the tables' bytes too", p.returncode == 0 and p.stdout.strip() == "243",
      f"exit {p.returncode}, stdout {p.stdout.strip()!r}, stderr {p.stderr.strip()!r}")

print(f"{checks - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
