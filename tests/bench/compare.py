#!/usr/bin/env python3
"""compare.py OLD_BUILD NEW_BUILD [ROUNDS] -- before/after figures of the release benchmarks.

Runs bench_engine, bench_window and bench_reply of two build folders (e.g. a
release build of the commit before a change and one of after it) alternately,
ROUNDS times each (default 5), and prints each figure's median for both and
the ratio new/old.  Alternating in one run is the point: these machines are
shared and noisy, so only figures measured side by side compare.

  git worktree add /tmp/old BASE && meson setup /tmp/old/rel /tmp/old --buildtype=release
  meson setup /tmp/new --buildtype=release
  ninja -C /tmp/old/rel tests/bench/bench_{engine,window,reply} (same for /tmp/new)
  tests/bench/compare.py /tmp/old/rel /tmp/new
"""
import re
import statistics
import subprocess
import sys

PATTERNS = {
    "bench_engine": [(r"in [0-9.]+ s = ([0-9.]+) M rows/s", "engine, M rows/s")],
    "bench_window": [(r"^\s+(continuous|tumbling 60 s|stagger 60 s|sliding RANGE 60 s|"
                      r"sliding ROWS 100)\s+([0-9]+)", None)],
    "bench_reply": [(r"kdo_reply_judge\s+[0-9.]+ ms\s+([0-9]+) entries/s", "reply judge, entries/s")],
}


def figures(build):
    out = {}
    for bench, pats in PATTERNS.items():
        text = subprocess.run([f"{build}/tests/bench/{bench}"], capture_output=True, text=True,
                              check=True).stdout
        for pat, name in pats:
            for m in re.finditer(pat, text, re.M):
                if name is None:
                    out[f"window {m.group(1)}, rows/s"] = float(m.group(2))
                else:
                    out[name] = float(m.group(1))
    return out


def main():
    old, new = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    runs = {"old": [], "new": []}
    for i in range(rounds):
        for label, build in (("old", old), ("new", new)):
            runs[label].append(figures(build))
            print(f"round {i + 1}/{rounds}: {label} done", file=sys.stderr)
    print(f"{'figure':36} {'old (median)':>14} {'new (median)':>14} {'new/old':>8}")
    for key in runs["old"][0]:
        o = statistics.median(r[key] for r in runs["old"])
        n = statistics.median(r[key] for r in runs["new"])
        print(f"{key:36} {o:14.0f} {n:14.0f} {n / o:8.2f}" if o > 100 else
              f"{key:36} {o:14.2f} {n:14.2f} {n / o:8.2f}")


main()
