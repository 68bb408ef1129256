#!/usr/bin/env python3
"""Seeded fault swarms, in the style of FoundationDB's simulation tests.

From a seed, generate a random but valid scenario -- rates, bursts, row
sizes, window kinds, buffer sizes, one to three destinations, and a random
timeline of faults drawn from every action and trigger of the in-process
fake, with restarts and fixes -- that always ends with a healed period long
enough to drain.  Run it with `kdaout run` in virtual time and judge the run
from its JSON Lines journal ALONE, with a checker written here from the
contract (CONTRACT.md, the README's journal table), independent of kdaout's
own facts (conformance/expect.c): a bug shared by the engine and its checks
cannot hide from it.

Invariants, per destination lane:
  ledger      every emitted row is acknowledged Ok once healed (lost = 0,
              undelivered = 0); a reply acknowledges only what it was sent
  ok-resent   no record is sent again after it was acknowledged Ok
  retry-hint  0 on first send and after a restart, +1 after each failed
              attempt; one invocation in flight at a time
  event-size  no event over 6,291,456 bytes
  head-of-line  new rows are first sent in order, never in a retry and never
              while earlier rows are failing
  whole-reply a reply that failed as a whole (not 200, a function error, a
              transport failure, a bad body) acknowledges nothing
  cadence     continuous, sliding and stagger lanes start at most one flush
              of new rows per cadence interval
  memory      sampled bufferRows/bufferBytes never exceed the configured
              stream bounds; the process's max RSS stays under a bound
              derived from what the run may hold (see rss_bound)

Usage:
  swarm.py --kdaout build/kdaout --seeds 0:1000 [--jobs 2]
  swarm.py --kdaout build/kdaout --seed 123 [-v] [--keep DIR]   # replay one
  swarm.py --kdaout build/kdaout --plant-bug drop-failed --seeds 0:1000 --expect-catch
Exit status: 0 all seeds passed (or, with --expect-catch, the bug was
caught), 1 otherwise, 2 bad usage.
"""

import argparse
import json
import multiprocessing
import os
import random
import shlex
import subprocess
import sys
import tempfile
import threading
import time

MAX_EVENT_BYTES = 6291456
RUN_TIMEOUT_S = 120

RECORD_ACTIONS = ["ok", "delivery_failed", "omit", "wrong_id", "missing_id",
                  "missing_result", "bad_result", "duplicate_id"]
INVOCATION_ACTIONS = ["latency", "timeout", "function_error", "throttle", "service_error",
                      "malformed_body", "no_records", "drop_connection", "truncate_body",
                      "dribble", "hang"]
TICKERS = ["AMZN", "MSFT", "AAPL", "IBM", "NFLX", "JPM", "XOM", "KO", "TECHNOLOGY"]
# Lanes flushed on the delivery.cadence grid (tumbling flushes per window).
GRID_KINDS = ("continuous", "sliding", "stagger")


# ---- the generator ------------------------------------------------------------

def ms(v):
    """A duration in the scenario's units."""
    v = int(round(v))
    return "%ds" % (v // 1000) if v % 1000 == 0 else "%dms" % v


def gen_windows(rng, kind):
    if kind == "tumbling":
        return rng.choice(["1s", "2s", "5s", "10s"])
    if kind == "sliding":
        return rng.choice(["2s", "10s", "10 rows", "100 rows"])
    if kind == "stagger":
        return rng.choice(["1s", "3s", "5s"])
    return None


def gen_application(rng, duration_ms, meta):
    """Rows, their size, the stream bounds and the destinations."""
    app = {}
    row_bytes = 75
    if rng.random() < 0.4:
        row_bytes = rng.choice([200, 1024, 4096, 16384])
        app["row_size"] = "%dB" % row_bytes
    buf_rows = rng.choice([200, 1000, 5000, 20000, 100000])
    buf_bytes = rng.choice([64 << 20, 64 << 20, 8 << 20, 2 << 20])
    app["buffer"] = {"rows": buf_rows, "bytes": "%dB" % buf_bytes}
    meta["buffer_rows"], meta["buffer_bytes"] = buf_rows, buf_bytes
    # Rates and bursts, bounded in bytes so one run stays well under 0.2 s.
    max_rate = max(5, 300000 // row_bytes)
    inputs, total = [], 0
    for _ in range(rng.choice([1, 1, 2, 3])):
        rate = min(max_rate, rng.choice([5, 20, 100, 300, 600]))
        start = rng.choice([0, 0, rng.randrange(0, duration_ms, 100)])
        end = rng.choice([duration_ms, rng.randrange(start + 100, duration_ms + 1, 100)])
        item = {"rate": "%d/s" % rate}
        if start:
            item["from"] = ms(start)
        if end != duration_ms:
            item["until"] = ms(end)
        inputs.append(item)
        total += rate * (end - start) // 1000
    for _ in range(rng.choice([0, 0, 1, 2])):
        # Up to ~9 MB of rows at once: with rows of 1 KB and more, sometimes
        # more than one 6 MB event.  (Bursts cost more than rates: at most 8,000.)
        n = rng.randint(1, min(8000, int((9 << 20) // (row_bytes * 1.4))))
        inputs.append({"burst": n, "at": ms(rng.randrange(0, duration_ms, 100))})
        total += n
    for _ in range(rng.choice([0, 0, 1, 3])):
        at = ms(rng.randrange(0, duration_ms, 100))
        inputs.append(rng.choice([
            {"row": '{"TICKER_SYMBOL":"POISON","PRICE":1}', "at": at},
            {"row": "", "at": at},
            {"rows": ["not json {", {"TICKER_SYMBOL": "POISON"}], "at": at},
        ]))
        total += 2
    app["input"] = inputs
    meta["total_rows"] = total
    ndest = rng.choice([1, 1, 1, 2, 3])
    kinds = [rng.choice(["continuous", "continuous", "continuous", "tumbling", "sliding",
                         "stagger"]) for _ in range(ndest)]
    meta["dests"] = {}
    if ndest == 1:
        app["query"] = kinds[0]
        if gen_windows(rng, kinds[0]):
            app["window"] = gen_windows(rng, kinds[0])
        meta["dests"][""] = kinds[0]
    else:
        app["destinations"] = []
        for i, k in enumerate(kinds):
            d = {"id": "1.%d" % (i + 1), "query": k}
            if gen_windows(rng, k):
                d["window"] = gen_windows(rng, k)
            app["destinations"].append(d)
            meta["dests"]["1.%d" % (i + 1)] = k
    meta["row_bytes"] = row_bytes
    return app


def gen_match(rng, until_ms, heal_ms):
    """A random trigger: any subset of the match keys."""
    m = {}
    keys = ["attempt", "invocation", "times", "probability", "contains", "row", "min_bytes"]
    for k in rng.sample(keys, rng.choice([0, 0, 1, 1, 2, 3])):
        if k == "attempt":
            lo = rng.randint(1, 3)
            m[k] = rng.choice([lo, {"min": lo, "max": lo + rng.randint(0, 5)}])
        elif k == "invocation":
            lo = rng.randint(1, 30)
            m[k] = rng.choice([lo, {"min": lo, "max": lo + rng.randint(0, 40)}])
        elif k == "times":
            m[k] = rng.randint(1, 5)
        elif k == "probability":
            m[k] = "%d%%" % rng.choice([1, 10, 30, 50, 90])
        elif k == "contains":
            m[k] = rng.choice(TICKERS + ["POISON"])
        elif k == "row":
            m[k] = rng.choice(["empty", "binary", "not_json", "any"])
        else:
            m[k] = rng.choice(["50B", "100B", "1KB", "4KB"])
    return m


def gen_fault(rng, heal_ms, n):
    """One fault rule over [from, until) with until <= heal, or left open for a fix."""
    action = rng.choice(RECORD_ACTIONS + INVOCATION_ACTIONS)
    start = rng.randrange(0, max(100, heal_ms), 100)
    end = rng.randrange(start + 100, heal_ms + 1, 100) if heal_ms > start else heal_ms
    f = {"name": "f%d" % n, "action": action, "from": start,
         "until": None if rng.random() < 0.25 else end,
         "match": gen_match(rng, end, heal_ms)}
    if action == "latency":
        f["latency"] = ms(rng.choice([100, 500, 2000, 20000]))
    if action in ("bad_result", "function_error", "malformed_body") and rng.random() < 0.5:
        f["value"] = rng.choice(["OK", "ok", "Failed", "", "{\"records\":[]", "boom"])
    return f


def gen_scenario(seed):
    """(scenario as a dict in document order, meta for the checker)."""
    rng = random.Random(seed)
    meta = {}
    duration = rng.randrange(5000, 25001, 1000)
    heal = int(duration * rng.uniform(0.2, 1.0)) // 100 * 100 + rng.choice([0, 0, 5000, 10000])
    s = {"name": "swarm seed %d" % seed}
    app = gen_application(rng, duration, meta)
    cadence = rng.choice([1000, 1000, 1000, 500, 2000])
    retry = rng.choice([1000, 1000, 250, 2000, 5000])
    meta["cadence_ms"] = cadence
    timeout = rng.choice([1000, 3000, 3000, 10000])
    lam = {"timeout": ms(timeout), "latency": ms(rng.choice([0, 20, 20, 100, timeout // 4]))}
    delivery = {"cadence": ms(cadence), "retry_interval": ms(retry)}
    if rng.random() < 0.2:  # a healed function must answer within it
        delivery["invoke_timeout"] = ms(rng.choice([timeout // 4 + 500, 2 * timeout, timeout + 5000]))
    faults = [gen_fault(rng, heal, i) for i in range(rng.randint(0, 7))]
    rules, timeline = [], []
    for f in faults:
        if rng.random() < 0.4:  # a lambda rule: its window lives in match
            m = dict(f["match"])
            if f["from"]:
                m["from"] = ms(f["from"])
            if f["until"] is not None:
                m["until"] = ms(f["until"])
            r = {"name": f["name"], "match": m, "action": f["action"]}
            for k in ("latency", "value"):
                if k in f:
                    r[k] = f[k]
            rules.append(r)
            f["from"] = 0  # fixes later in the timeline reach it
        else:
            item = {"from": ms(f["from"])}
            if f["until"] is not None:
                item["until"] = ms(f["until"])
            item["fault"] = f["action"]
            item["name"] = f["name"]
            for k in ("match", "latency", "value"):
                if k in f and f[k] != {}:
                    item[k] = f[k]
            timeline.append((f["from"], 0, item))
    # Fixes: open faults end by the heal time at the latest; some end earlier by name.
    for f in faults:
        if f["until"] is None or rng.random() < 0.15:
            at = rng.randrange(f["from"], heal + 1, 100) if rng.random() < 0.5 else heal
            timeline.append((at, 2, {"at": ms(at), "fix": f["name"]}))
    if faults and rng.random() < 0.3:
        timeline.append((heal, 2, {"at": ms(heal), "fix": True}))
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        at = rng.randrange(100, max(200, heal), 100)
        down = rng.choice([200, 1000, 3000, 10000])
        timeline.append((at, 1, {"at": ms(at), "restart": {"downtime": ms(down)}}))
    timeline.sort(key=lambda x: (x[0], x[1]))
    # Drain: the backlog at the heal time, at one stream-full (or one event)
    # per cadence, with a wide margin; idle virtual time costs nothing.
    per_flush = max(1, min(meta["buffer_rows"], meta["buffer_bytes"] // meta["row_bytes"],
                           MAX_EVENT_BYTES // (meta["row_bytes"] * 2 + 200)))
    per_flush_ms = max(cadence, 1000) + int(lam["latency"][:-2] if lam["latency"].endswith("ms")
                                            else int(lam["latency"][:-1]) * 1000)
    drain = max(0, heal - duration) + 4 * (meta["total_rows"] // per_flush + 1) * per_flush_ms
    drain += 60000 + 4 * timeout
    s["duration"] = ms(duration)
    s["drain"] = ms(drain)
    s["application"] = app
    s["delivery"] = delivery
    lam["rules"] = rules
    s["lambda"] = lam
    s["timeline"] = [t[2] for t in timeline]
    meta["heal_ms"] = heal
    return s, meta


def to_yaml(s):
    """Block YAML at the top two levels, JSON flow (valid YAML) below."""
    out = []
    for k, v in s.items():
        if isinstance(v, dict):
            out.append("%s:" % k)
            for k2, v2 in v.items():
                if isinstance(v2, list) and v2:
                    out.append("  %s:" % k2)
                    out.extend("    - " + json.dumps(x) for x in v2)
                else:
                    out.append("  %s: %s" % (k2, json.dumps(v2)))
        elif isinstance(v, list) and v:
            out.append("%s:" % k)
            out.extend("  - " + json.dumps(x) for x in v)
        else:
            out.append("%s: %s" % (k, json.dumps(v)))
    return "\n".join(out) + "\n"


# ---- the checker ---------------------------------------------------------------

QUEUED, INFLIGHT, FAILED, ACKED, REQUEUED = range(5)


class Lane:
    """One destination's journal, judged line by line."""

    def __init__(self, name, kind, meta, problems):
        self.name, self.kind, self.meta = name, kind, meta
        self.problems = problems
        self.prefix = None
        self.emitted = 0         # rows [0, emitted) entered the stream
        self.state = {}          # seq -> state
        self.hint = {}           # seq -> the retryHint its next send must carry
        self.next_first = 0      # the next row to be sent for the first time
        self.failing = 0         # rows whose last attempt failed, not yet resent
        self.inflight = None     # (n, [seq], line)
        self.last_round = None   # the round of the latest invocation
        self.flush_limit = 0     # rows in the stream when the current flush began
        self.last_flush_slot = None
        self.ended = None

    def bad(self, rule, lineno, text):
        where = "%s line %d" % ("dest %s," % self.name if self.name else "journal", lineno)
        self.problems.append((rule, "%s: %s: %s" % (rule, where, text)))

    def seq_of(self, rid, lineno):
        if self.prefix is None or len(rid) != 56 or not rid.startswith(self.prefix) \
                or not rid.isdigit():
            self.bad("ledger", lineno, "recordId %r is not this run's prefix + row number" % rid)
            return None
        return int(rid[36:])

    def on_start(self, e, lineno):
        self.prefix = e.get("recordIdPrefix")

    def on_emitted(self, e, lineno):
        if e["first"] != self.emitted:
            self.bad("ledger", lineno, "rows_emitted first %d, expected %d"
                     % (e["first"], self.emitted))
        for s in range(e["first"], e["first"] + e["count"]):
            self.state[s] = QUEUED
            self.hint[s] = 0
        self.emitted = max(self.emitted, e["first"] + e["count"])

    def flush_slot(self, e, lineno):
        """Returns 1 if e continues the flush in progress (a split batch).

        A new flush of new rows takes the rows in the stream when it begins;
        at most one begins per cadence interval."""
        if e["round"] == self.last_round and not e["retry"]:
            return 1
        self.last_round = e["round"]
        if e["retry"]:
            return 0
        self.flush_limit = self.emitted
        if self.kind not in GRID_KINDS:
            return
        slot = int(round(e["t"] * 1000)) // self.meta["cadence_ms"]
        if slot == self.last_flush_slot:
            self.bad("cadence", lineno, "a second flush of new rows at %.3f s within one %d ms "
                     "cadence interval" % (e["t"], self.meta["cadence_ms"]))
        self.last_flush_slot = slot
        return 0

    def on_invoke(self, e, lineno):
        if self.inflight is not None:
            self.bad("retry-hint", lineno, "invocation %d sent while %d awaits its reply"
                     % (e["n"], self.inflight[0]))
        if e["bytes"] > MAX_EVENT_BYTES:
            self.bad("event-size", lineno, "event of %d bytes (limit %d)"
                     % (e["bytes"], MAX_EVENT_BYTES))
        cont = self.flush_slot(e, lineno)
        seqs, prev = [], -1
        for rid, h in zip(e["recordIds"], e["retryHints"]):
            s = self.seq_of(rid, lineno)
            if s is None:
                continue
            if s <= prev:
                self.bad("head-of-line", lineno, "records out of order in one invocation")
            prev = s
            self.send_row(e, s, h, cont, lineno)
            seqs.append(s)
        if len(e["recordIds"]) != len(e["retryHints"]) or len(seqs) != e.get("records", len(seqs)):
            self.bad("ledger", lineno, "recordIds, retryHints and records disagree")
        self.inflight = (e["n"], seqs, lineno)

    def send_row(self, e, s, h, cont, lineno):
        st = self.state.get(s)
        if st is None:
            self.bad("ledger", lineno, "row %d sent before it was emitted" % s)
            return
        if st == ACKED:
            self.bad("ok-resent", lineno, "row %d sent again after it was acknowledged Ok" % s)
        elif h != self.hint[s]:
            self.bad("retry-hint", lineno, "row %d sent with retryHint %d, expected %d"
                     % (s, h, self.hint[s]))
        if st == QUEUED:
            if e["retry"]:
                self.bad("head-of-line", lineno, "row %d first sent in a retry" % s)
            elif self.failing and not cont:
                self.bad("head-of-line", lineno, "row %d first sent while %d earlier rows fail"
                         % (s, self.failing))
            elif s >= self.flush_limit:
                # The rest of a split flush goes out back to back (even after
                # a failed part), but only with rows of that flush.
                self.bad("head-of-line", lineno, "row %d sent in a flush that began before it "
                         "was emitted" % s)
            if s != self.next_first:
                self.bad("head-of-line", lineno, "row %d first sent before row %d"
                         % (s, self.next_first))
            self.next_first = max(self.next_first, s + 1)
        elif st == FAILED:
            self.failing -= 1
        self.hint[s] = h
        if st != ACKED:
            self.state[s] = INFLIGHT

    def on_reply(self, e, lineno):
        if self.inflight is None or self.inflight[0] != e["n"]:
            self.bad("ledger", lineno, "reply %d answers no invocation in flight" % e["n"])
            return
        n, seqs, _ = self.inflight
        self.inflight = None
        failed = {}
        for fr in e["failedRecords"]:
            s = self.seq_of(fr["recordId"], lineno)
            if s is not None:
                failed[s] = fr["reason"]
        sent = set(seqs)
        if any(s not in sent for s in failed):
            self.bad("ledger", lineno, "a failed record that was not sent")
        acked = [s for s in seqs if s not in failed]
        if e["ok"] != len(acked) or e["failed"] != len(failed):
            self.bad("ledger", lineno, "ok %d failed %d, but %d sent and %d listed as failed"
                     % (e["ok"], e["failed"], len(seqs), len(failed)))
        whole_failed = (e["outcome"] != "reply" or e["status"] != 200 or e["functionError"]
                        or e["verdict"] != "ok")
        if whole_failed and acked:
            self.bad("whole-reply", lineno, "%d records acknowledged Ok by a reply that failed "
                     "as a whole (outcome %s, status %d, functionError %s, verdict %s)"
                     % (len(acked), e["outcome"], e["status"], e["functionError"], e["verdict"]))
        for s in seqs:
            if self.state.get(s) == ACKED:
                continue  # already reported as ok-resent
            if s in failed:
                self.state[s] = FAILED
                self.failing += 1
                self.hint[s] += 1
            else:
                self.state[s] = ACKED

    def on_restart(self, e, lineno):
        if self.inflight is not None:
            self.bad("ledger", lineno, "restart with invocation %d in flight and no reply"
                     % self.inflight[0])
            self.inflight = None
        for s, st in self.state.items():
            if st != ACKED:
                if st != QUEUED:
                    self.state[s] = REQUEUED
                self.hint[s] = 0
        self.failing = 0

    def on_sample(self, e, lineno):
        if e["bufferRows"] > self.meta["buffer_rows"]:
            self.bad("memory", lineno, "bufferRows %d over the stream's bound of %d rows"
                     % (e["bufferRows"], self.meta["buffer_rows"]))
        if e["bufferBytes"] > self.meta["buffer_bytes"]:
            self.bad("memory", lineno, "bufferBytes %d over the stream's bound of %d bytes"
                     % (e["bufferBytes"], self.meta["buffer_bytes"]))

    def on_end(self, e, lineno):
        self.ended = (e, lineno)

    def acked_ids(self):
        return [self.prefix + "%020d" % s for s, st in self.state.items() if st == ACKED]

    def finish(self):
        if self.ended is None:
            self.bad("ledger", 0, "the journal has no end entry")
            return
        e, lineno = self.ended
        never = [s for s in range(self.emitted) if self.state.get(s) != ACKED]
        if never:
            what = "lost (the engine holds %d)" % e["unackedRows"] if e["unackedRows"] < len(never) \
                else "undelivered"
            self.bad("ledger", lineno, "%d of %d emitted rows never acknowledged Ok once healed, "
                     "%s; first: row %d" % (len(never), self.emitted, what, never[0]))


HANDLERS = {"start": Lane.on_start, "rows_emitted": Lane.on_emitted, "invoke": Lane.on_invoke,
            "reply": Lane.on_reply, "restart": Lane.on_restart, "sample": Lane.on_sample,
            "end": Lane.on_end}


def check_journal(path, meta, lanes=None):
    """Problems found in the journal at path (a list of strings); lanes, if
    given, is a dict that receives each destination's Lane."""
    problems, lanes = [], {} if lanes is None else lanes
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            e = json.loads(line)
            name = e.get("dest", "")
            lane = lanes.get(name)
            if lane is None:
                if name not in meta["dests"]:
                    problems.append(("ledger", "ledger: line %d: unknown destination %r"
                                     % (lineno, name)))
                    continue
                lane = lanes[name] = Lane(name, meta["dests"][name], meta, problems)
            h = HANDLERS.get(e["ev"])
            if h:
                h(lane, e, lineno)
    for name in meta["dests"]:
        if name not in lanes:
            problems.append(("ledger", "ledger: destination %r never appears in the journal"
                             % name))
    for lane in lanes.values():
        lane.finish()
    return summarize(problems)


def summarize(problems, per_rule=3):
    """The first few problems of each rule, and how many more there were."""
    out, seen = [], {}
    for rule, text in problems:
        seen[rule] = seen.get(rule, 0) + 1
        if seen[rule] <= per_rule:
            out.append(text)
    out += ["%s: %d more" % (r, n - per_rule) for r, n in seen.items() if n > per_rule]
    return out


def rss_bound_kb(meta, scenario_bytes):
    """What the run may legitimately hold, with a wide margin: configuration only.

    The process keeps, per lane, at most its stream bound in rows and bytes
    (the rows' data plus a small per-row record in the engine and in the
    checks' ledger), one event being built and its reply (each <= 6 MB), and
    the scenario itself (its inline rows).  Nothing may grow with the rows
    processed or the journal written: a leak per row, or a journal or ledger
    kept whole, breaks it on the longer seeds.
    """
    lanes = len(meta["dests"])
    stream = min(meta["buffer_bytes"], meta["buffer_rows"] * (meta["row_bytes"] + 300))
    per_lane = stream + meta["buffer_rows"] * 96 + 3 * MAX_EVENT_BYTES
    return (64 * (1 << 20) + lanes * per_lane + 8 * scenario_bytes) // 1024


# ---- running ---------------------------------------------------------------------

def replay_command(args, seed):
    cmd = [sys.argv[0], "--kdaout", args.kdaout, "--seed", str(seed)]
    if args.plant_bug:
        cmd += ["--plant-bug", args.plant_bug]
    return " ".join(shlex.quote(c) for c in cmd)


def run_seed(args, seed, workdir):
    """(seed, problems, kdaout's exit status, seconds, max RSS in KB)."""
    scenario, meta = gen_scenario(seed)
    ypath = os.path.join(workdir, "swarm-%d.yaml" % seed)
    jpath = os.path.join(workdir, "swarm-%d.jsonl" % seed)
    with open(ypath, "w", encoding="utf-8") as f:
        f.write(to_yaml(scenario))
    cmd = [args.kdaout, "run", ypath, "--seed", str(seed), "--journal", jpath, "--no-colour"]
    if args.plant_bug:
        cmd += ["--plant-bug", args.plant_bug]
    t0 = time.monotonic()
    out = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    rc, rss = wait_bounded(proc)
    dt = time.monotonic() - t0
    out.seek(0)
    text = out.read().decode("utf-8", "replace")
    out.close()
    problems, sbytes = [], 0
    if rc is None:
        problems.append("run: kdaout did not finish within %d s" % RUN_TIMEOUT_S)
    elif rc not in (0, 1) or not os.path.exists(jpath):
        problems.append("run: kdaout exited %d: %s" % (rc, text.strip()[-600:]))
    else:
        problems = check_journal(jpath, meta)
        sbytes = os.path.getsize(ypath)
        if rss > rss_bound_kb(meta, sbytes):
            problems.append("memory: max RSS %d KB over the bound of %d KB"
                            % (rss, rss_bound_kb(meta, sbytes)))
        if rc == 1 and not problems and not args.plant_bug:
            # Not ours to judge, but a disagreement is worth a look.
            problems.append("run: kdaout's own checks failed where the swarm's passed: "
                            + text.strip()[-600:])
    if args.verbose:
        sys.stdout.write(text)
    if not args.keep:
        for p in (ypath, jpath):
            if os.path.exists(p):
                os.unlink(p)
    return seed, problems, rc, dt, (rss, rss_bound_kb(meta, sbytes) if rc in (0, 1) else 0)


def wait_bounded(proc):
    """Waits for proc (wait4, for its max RSS), killing it past RUN_TIMEOUT_S."""
    timer = threading.Timer(RUN_TIMEOUT_S, proc.kill)
    timer.start()
    try:
        _, status, ru = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == 9:
        return None, 0
    return proc.returncode, ru.ru_maxrss


_ARGS = None


def _worker_init(args):
    global _ARGS
    _ARGS = args


def _worker(seed):
    return run_seed(_ARGS, seed, _ARGS.workdir)


def parse_args(argv):
    p = argparse.ArgumentParser(description="Seeded fault swarms against kdaout run.")
    p.add_argument("--kdaout", help="the kdaout binary (needed to run seeds)")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--seed", type=int, help="run one seed (a replay)")
    g.add_argument("--seeds", help="A:B runs seeds A..B-1")
    g.add_argument("--check-journal", metavar="FILE",
                   help="only check this journal of a one-destination run (e.g. over HTTP, "
                        "real time: no cadence rule)")
    p.add_argument("--buffer-rows", type=int, default=100000, help="with --check-journal")
    p.add_argument("--buffer-bytes", type=int, default=64 << 20, help="with --check-journal")
    p.add_argument("--acked-ids", metavar="FILE",
                   help="with --check-journal: write the recordIds acknowledged Ok, one a line")
    p.add_argument("--jobs", type=int, default=2, help="processes at once (default 2)")
    p.add_argument("--plant-bug", help="run kdaout with this planted bug")
    p.add_argument("--expect-catch", action="store_true",
                   help="succeed when some seed fails (stops at the first), for --plant-bug")
    p.add_argument("--keep", help="keep each seed's scenario and journal in this folder")
    p.add_argument("--print-scenario", action="store_true", help="print the seed's scenario")
    p.add_argument("-v", "--verbose", action="store_true", help="show kdaout's output")
    args = p.parse_args(argv)
    if args.seeds is not None:
        try:
            a, b = (int(x) for x in args.seeds.split(":"))
        except ValueError:
            p.error("--seeds expects A:B")
        if not 0 <= a < b or b - a > 1000000:
            p.error("--seeds A:B needs 0 <= A < B and at most 1,000,000 seeds")
        args.range = (a, b)
    elif args.seed is not None:
        args.range = (args.seed, args.seed + 1)
    if args.check_journal is None and not args.kdaout:
        p.error("--kdaout is needed to run seeds")
    if not 1 <= args.jobs <= 64:
        p.error("--jobs takes 1..64")
    return args


def report_failure(args, seed, problems):
    print("FAIL seed %d: %d problem(s)" % (seed, len(problems)))
    for pr in problems[:8]:
        print("  " + pr)
    if len(problems) > 8:
        print("  ... and %d more" % (len(problems) - 8))
    print("  replay: " + replay_command(args, seed))


def check_only(args):
    """--check-journal: the invariants that hold for any healed run."""
    meta = {"dests": {"": "real-time"}, "buffer_rows": args.buffer_rows,
            "buffer_bytes": args.buffer_bytes}
    lanes = {}
    problems = check_journal(args.check_journal, meta, lanes)
    lane = lanes.get("")
    acked = lane.acked_ids() if lane else []
    if args.acked_ids:
        with open(args.acked_ids, "w", encoding="utf-8") as f:
            f.write("".join(i + "\n" for i in acked))
    for pr in problems:
        print("  " + pr)
    print("swarm: journal %s: %d rows emitted, %d acknowledged Ok, %d problem(s)"
          % (args.check_journal, lane.emitted if lane else 0, len(acked), len(problems)))
    return 1 if problems else 0


def planted_bugs(kdaout):
    """The names `kdaout run --plant-bug list` prints."""
    out = subprocess.run([kdaout, "run", "--plant-bug", "list"], capture_output=True,
                         text=True, timeout=30, check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def every_bug(args):
    """--plant-bug all --expect-catch: each planted bug must be caught."""
    bugs, missed = planted_bugs(args.kdaout), []
    if not bugs:
        print("swarm: kdaout run --plant-bug list printed no bugs")
        return 1
    for bug in bugs:
        args.plant_bug = bug
        if swarm(args) != 0:
            missed.append(bug)
    print("swarm: %d of %d planted bugs caught%s" % (len(bugs) - len(missed), len(bugs),
          "; missed: " + " ".join(missed) if missed else ""))
    return 1 if missed else 0


def main(argv):
    args = parse_args(argv)
    if args.check_journal:
        return check_only(args)
    if args.print_scenario:
        sys.stdout.write(to_yaml(gen_scenario(args.range[0])[0]))
        return 0
    if args.plant_bug == "all":
        if not args.expect_catch:
            print("swarm: --plant-bug all needs --expect-catch")
            return 2
        return every_bug(args)
    return swarm(args)


def swarm(args):
    """Runs the seeds of args.range; 0 when the verdict is what was wanted."""
    # A caught bug terminates the pool; a kdaout its worker started may still be
    # writing here for a moment, which must not fail the cleanup.
    with tempfile.TemporaryDirectory(prefix="kdaout-swarm-", ignore_cleanup_errors=True) as tmp:
        args.workdir = args.keep or tmp
        if args.keep:
            os.makedirs(args.keep, exist_ok=True)
        t0 = time.monotonic()
        passed, failed, slowest, max_rss, rss_share = 0, [], (0.0, None), 0, 0.0
        seeds = range(*args.range)
        with multiprocessing.Pool(args.jobs, _worker_init, (args,)) as pool:
            for seed, problems, rc, dt, (rss, bound) in pool.imap(_worker, seeds, chunksize=1):
                slowest = max(slowest, (dt, seed))
                max_rss = max(max_rss, rss)
                if bound:
                    rss_share = max(rss_share, rss / bound)
                # A planted bug must be caught by an invariant, not by kdaout
                # crashing or hanging (that would be a bug of its own).
                caught = any(not p.startswith("run:") for p in problems)
                if problems:
                    failed.append(seed)
                    report_failure(args, seed, problems)
                    if args.expect_catch and caught:
                        pool.terminate()
                        pool.join()
                        break
                    if args.expect_catch:
                        failed.pop()  # not a catch: keep looking
                        passed += 1
                else:
                    passed += 1
        took = time.monotonic() - t0
    bug = " with --plant-bug %s" % args.plant_bug if args.plant_bug else ""
    print("swarm: %d passed, %d failed%s (%.1f s; slowest seed %s %.2f s; max RSS %d KB, "
          "at most %.0f%% of its bound)" % (passed, len(failed), bug, took, slowest[1],
                                           slowest[0], max_rss, 100 * rss_share))
    if args.expect_catch:
        if failed:
            print("swarm: --plant-bug %s caught by seed %d after %d seeds"
                  % (args.plant_bug, failed[0], failed[0] - args.range[0] + 1))
            return 0
        print("swarm: --plant-bug %s NOT caught in seeds %d:%d" % ((args.plant_bug,) + args.range))
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
