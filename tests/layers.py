#!/usr/bin/env python3
"""layers.py BUILD_DIR SOURCE_DIR -- the house's layering rules, checked on the build.

1. The pure core (libkdo_emulator.a) reads no clock and touches no thread,
   socket or HTTP library: its objects reference none of those symbols
   (nm -u), and no core object was compiled with an I/O header (the
   compiler's dependency output, as ninja recorded it).
2. The SQL engine and the delivery core never include each other: both may
   include the base layer; only the application layer (source, window, app,
   sim) joins them.
3. No include cycles between modules (x.c and x.h are one module), in
   emulator/ and conformance/.

Prints one line per violation and exits 1; exits 0 when the house holds.
"""
import os
import re
import subprocess
import sys

build = sys.argv[1]
source = sys.argv[2] if len(sys.argv) > 2 else "."

FORBIDDEN_SYMBOLS = re.compile(
    r"^(clock_gettime|gettimeofday|time|clock|nanosleep|usleep|sleep|pthread_\w+|MHD_\w+|"
    r"curl_\w+|socket|connect|accept4?|bind|listen|fork|exec\w*|poll|epoll_\w+)$")
IO_HEADERS = re.compile(r"(microhttpd\.h|/curl/|/pthread\.h|sys/socket\.h|/poll\.h)$")

# Module sets (a module is a file name without .c/.h).
SQL = {"arena", "value", "row", "expr_lex", "expr", "expr_eval", "rowfmt",
       "aggregate", "slide", "partition", "query"}
DELIVERY = {"delivery", "bytering", "event", "reply", "event_reader", "faults", "fake_lambda",
            "transport", "transport_inproc", "transport_tap", "journal", "metrics", "contract",
            "invocation", "invoke_api", "invlog"}

problems = []


def core_objects():
    lib = os.path.join(build, "emulator", "libkdo_emulator.a")
    out = subprocess.run(["nm", "-u", "-A", lib], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        # libkdo_emulator.a:sim.c.o:                 U clock_gettime
        parts = line.split()
        if len(parts) >= 3 and parts[-2] == "U" and FORBIDDEN_SYMBOLS.match(parts[-1]):
            obj = parts[0].split(":")[1] if ":" in parts[0] else parts[0]
            problems.append(f"core: {obj} references {parts[-1]} (the pure core reads no clock "
                            f"and does no threads, sockets or HTTP)")


def core_headers():
    out = subprocess.run(["ninja", "-C", build, "-t", "deps"], capture_output=True, text=True,
                         check=True).stdout
    obj = None
    for line in out.splitlines():
        if not line.startswith(" ") and ": #deps" in line:
            obj = line.split(":")[0]
        elif obj and obj.startswith("emulator/libkdo_emulator.a.p/") and IO_HEADERS.search(line.strip()):
            problems.append(f"core: {obj} includes {line.strip()}")


def module_of(name):
    """x-PART.c/.h is a part of module x (expr-int.h, scenario-format.c): one module."""
    return name.split("-", 1)[0]


INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def includes():
    graph = {}
    for folder in ("emulator", "conformance"):
        for name in os.listdir(os.path.join(source, folder)):
            if not name.endswith((".c", ".h")):
                continue
            mod = f"{folder}/{module_of(name[:-2])}"
            with open(os.path.join(source, folder, name), encoding="utf-8") as f:
                text = f.read()
            for inc in INCLUDE.findall(text):
                base = module_of(inc[:-2] if inc.endswith(".h") else inc)
                for cand in (f"{folder}/{base}", f"emulator/{base}"):
                    if os.path.exists(os.path.join(source, cand + ".h")) or \
                            os.path.exists(os.path.join(source, cand + ".c")):
                        if cand != mod:
                            graph.setdefault(mod, set()).add(cand)
                        break
    return graph


def layers(graph):
    for mod, deps in sorted(graph.items()):
        if not mod.startswith("emulator/"):
            continue
        name = mod.split("/", 1)[1]
        for dep in sorted(deps):
            d = dep.split("/", 1)[1]
            if name in SQL and d in DELIVERY:
                problems.append(f"layers: {name} (SQL engine) includes {d} (delivery core)")
            if name in DELIVERY and d in SQL:
                problems.append(f"layers: {name} (delivery core) includes {d} (SQL engine)")


def cycles(graph):
    seen, stack, on = set(), [], set()

    def visit(m):
        seen.add(m)
        stack.append(m)
        on.add(m)
        for d in sorted(graph.get(m, ())):
            if d in on:
                cyc = stack[stack.index(d):] + [d]
                problems.append("cycle: " + " -> ".join(cyc))
            elif d not in seen:
                visit(d)
        stack.pop()
        on.discard(m)

    for m in sorted(graph):
        if m not in seen:
            visit(m)


def self_test():
    """Planted violations: the checks must see a cycle and SQL including delivery."""
    import tempfile
    global source
    with tempfile.TemporaryDirectory() as tmp:
        for folder in ("emulator", "conformance"):
            os.mkdir(os.path.join(tmp, folder))
        files = {"emulator/query.c": '#include "delivery.h"\n', "emulator/delivery.h": "",
                 "conformance/a.h": '#include "b.h"\n', "conformance/b.h": '#include "a.h"\n',
                 "emulator/expr.h": '#include "expr-int.h"\n', "emulator/expr-int.h": '#include "expr.h"\n'}
        for name, text in files.items():
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
        source = tmp
        g = includes()
        layers(g)
        cycles(g)
    want = ["layers: query (SQL engine) includes delivery (delivery core)",
            "cycle: conformance/a -> conformance/b -> conformance/a"]
    missing = [w for w in want if w not in problems]
    extra = [p for p in problems if p not in want]
    if missing or extra:
        print("self-test failed: missing", missing, "unexpected", extra)
        sys.exit(1)
    print("self-test: planted violations found, an internal header is no cycle")
    sys.exit(0)


if build == "--self-test":
    self_test()
core_objects()
core_headers()
g = includes()
layers(g)
cycles(g)
for p in problems:
    print(p)
if problems:
    print(f"{len(problems)} violations of the house's layering (tests/layers.py)")
    sys.exit(1)
print("layers: the pure core reads no clock and includes no I/O header; SQL and delivery stay "
      "apart; no include cycles")
