#!/usr/bin/env python3
"""layers.py BUILD_DIR SOURCE_DIR -- the house's layering rules, checked on the build.

1. The pure core (libkdo_emulator.a) reads no clock and touches no thread,
   socket or HTTP library: its objects reference none of those symbols
   (nm -u), and no core object was compiled with an I/O header (the
   compiler's dependency output, as ninja recorded it).
2. emulator/ is one folder per layer (ALLOWED below) and every include
   points down: the SQL engine and the delivery core never include each
   other, only app/ joins them, and nothing in emulator/ includes
   conformance/.
3. No include cycles between modules (x.c and x.h are one module, and so
   is x-PART.c/.h), in emulator/ and conformance/.

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

# The layers of emulator/, one folder each, bottom first.  A folder may
# include its own files and the folders it lists; conformance/ sits above all.
ALLOWED = {
    "base": set(),
    "sql": {"base"},
    "delivery": {"base"},
    "lambda": {"base", "delivery"},
    "transport": {"base", "delivery", "lambda"},
    "app": {"base", "sql", "delivery", "lambda", "transport"},
}

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


def sources():
    """(folder relative to the source root, file name) for every .c/.h of the house."""
    for top in ("emulator", "conformance"):
        for dirpath, _, names in os.walk(os.path.join(source, top)):
            rel = os.path.relpath(dirpath, source)
            for name in names:
                if name.endswith((".c", ".h")):
                    yield rel, name


def includes():
    """Module graph: emulator/base/errors -> ...; "sql/value.h" resolves from emulator/,
    a plain "scenario.h" from the including file's folder."""
    graph = {}
    for folder, name in sources():
        mod = f"{folder}/{module_of(name[:-2])}"
        with open(os.path.join(source, folder, name), encoding="utf-8") as f:
            text = f.read()
        for inc in INCLUDE.findall(text):
            stem = inc[:-2] if inc.endswith((".h", ".c")) else inc
            head, _, base = stem.rpartition("/")
            base = module_of(base)
            cands = [f"emulator/{head}/{base}"] if head else [f"{folder}/{base}"]
            for cand in cands:
                if os.path.exists(os.path.join(source, cand + ".h")) or \
                        os.path.exists(os.path.join(source, cand + ".c")):
                    if cand != mod:
                        graph.setdefault(mod, set()).add(cand)
                    break
            else:
                if head and head in ALLOWED:
                    problems.append(f"include: {folder}/{name} includes {inc}, which does not exist")
    return graph


def layer_of(mod):
    parts = mod.split("/")
    return parts[1] if parts[0] == "emulator" and len(parts) == 3 else None


def layers(graph):
    for folder, _ in sources():
        if folder.startswith("emulator/") and folder.split("/")[1] not in ALLOWED:
            problems.append(f"layers: {folder} is not a layer of tests/layers.py's ALLOWED")
    for mod, deps in sorted(graph.items()):
        lay = layer_of(mod)
        if lay is None:
            continue
        for dep in sorted(deps):
            d = layer_of(dep)
            if d is None:
                problems.append(f"layers: {mod} includes {dep}, a layer above the engine")
            elif d != lay and d not in ALLOWED.get(lay, ()):
                problems.append(f"layers: {mod} ({lay}) includes {dep} ({d}); "
                                f"{lay} may include only {', '.join(sorted(ALLOWED[lay])) or 'itself'}")


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
    """Planted violations: the checks must see a cycle, SQL including delivery and an
    arrow pointing up; an internal header (x-int.h) is part of module x, no cycle."""
    import tempfile
    global source
    with tempfile.TemporaryDirectory() as tmp:
        for folder in ("emulator/sql", "emulator/delivery", "emulator/base", "conformance"):
            os.makedirs(os.path.join(tmp, folder))
        files = {"emulator/sql/query.c": '#include "delivery/delivery.h"\n',
                 "emulator/delivery/delivery.h": '#include "base/errors.h"\n',
                 "emulator/base/errors.h": '#include "sql/expr.h"\n',
                 "conformance/a.h": '#include "b.h"\n', "conformance/b.h": '#include "a.h"\n',
                 "emulator/sql/expr.h": '#include "sql/expr-int.h"\n',
                 "emulator/sql/expr-int.h": '#include "sql/expr.h"\n'}
        for name, text in files.items():
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
        source = tmp
        g = includes()
        layers(g)
        cycles(g)
    want = ["layers: emulator/sql/query (sql) includes emulator/delivery/delivery (delivery); "
            "sql may include only base",
            "layers: emulator/base/errors (base) includes emulator/sql/expr (sql); "
            "base may include only itself",
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
print("layers: the pure core reads no clock and includes no I/O header; every include points "
      "down the layers; no include cycles")
