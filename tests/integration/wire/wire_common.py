"""Shared by wire_boto3.py: events, the tally, and what a Tail log must hold."""
import json
import re
import time
import urllib.request
import uuid

LIMIT = 6291456  # the Invoke API's synchronous body limit, in bytes
TOO_LARGE = "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
ACCOUNT = "123456789012"
ARN_PREFIX = "arn:aws:lambda:us-east-1:%s:function:" % ACCOUNT
APP_ARN = "arn:aws:kinesisanalytics:us-east-1:%s:application/wire-test" % ACCOUNT
# The shape of the KDA output event in AWS's own sample
# (aws-lambda-java-libs kinesis_analytics_output_delivery.json).
SAMPLE_DATA = "SGVsbG8gV29ybGQ="


_NOTHING = object()


class Tally:
    """ok / not ok lines, counted."""

    def __init__(self, label):
        self.label, self.passed, self.failed = label, 0, 0

    def check(self, cond, what, detail=_NOTHING):
        if cond:
            self.passed += 1
            print("ok - %s: %s" % (self.label, what), flush=True)
        else:
            self.failed += 1
            extra = "" if detail is _NOTHING else " (got: %s)" % str(detail)[:400]
            print("not ok - %s: %s%s" % (self.label, what, extra), flush=True)

    def finish(self):
        print("# %s: %d passed, %d failed" % (self.label, self.passed, self.failed), flush=True)
        return 1 if self.failed or not self.passed else 0


def _event(invocation_id, record_id, data):
    return json.dumps({
        "invocationId": invocation_id,
        "applicationArn": APP_ARN,
        "records": [{"recordId": record_id,
                     "lambdaDeliveryRecordMetadata": {"retryHint": 0},
                     "data": data}],
    }, separators=(",", ":")).encode()


def kda_event(tag, invocation_id=None):
    """A one-record KDA output event: (bytes, its recordId)."""
    rid = "%s-%s" % (tag, uuid.uuid4().hex)
    return _event(invocation_id or "inv-" + rid, rid, SAMPLE_DATA), rid


def kda_event_of_size(size, invocation_id):
    """A KDA output event of exactly `size` bytes (its one record's data is
    valid base64): (bytes, its recordId)."""
    rid = "big-" + uuid.uuid4().hex
    fixed = len(_event(invocation_id, rid, ""))
    room = size - fixed
    data_len = room - room % 4
    rid += "x" * (room - data_len)  # the 0-3 bytes base64 cannot take
    ev = _event(invocation_id, rid, "A" * data_len)
    assert len(ev) == size, (len(ev), size)
    return ev, rid


def function_names(function):
    """(name as a caller writes it, the FunctionArn GetFunctionConfiguration answers)."""
    arn = ARN_PREFIX + function
    return [
        (function + ":live", arn + ":live"),
        ("%s:function:%s" % (ACCOUNT, function), arn),
        ("%s:function:%s:live" % (ACCOUNT, function), arn + ":live"),
        (arn, arn),
        (arn + ":live", arn + ":live"),
    ]


def read_lines(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().split("\n")
    except FileNotFoundError:
        return []


def fake_count(url, invocation_id):
    """How many invocations with this invocationId `kdaout fake-lambda` logged."""
    with urllib.request.urlopen(url + "/_kdaout/invocations", timeout=10) as r:
        log = json.load(r)
    return sum(i.get("invocationId") == invocation_id for i in log.get("invocations", []))


def eventually(pred, seconds=10.0):
    """pred() true within `seconds` (polled; bounded)."""
    deadline = time.monotonic() + seconds
    while True:
        if pred():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def tail_problems(text, marker=None):
    """What is wrong with a decoded LogResult: START / END / REPORT lines for
    one RequestId, and (host) the handler's own lines for `marker`."""
    problems = []
    ids = {}
    for word, pattern in (("START", r"START RequestId: (\S+) Version: \S+\n"),
                          ("END", r"END RequestId: (\S+)\n"),
                          ("REPORT", r"REPORT RequestId: (\S+)\tDuration: [0-9.]+ ms\t")):
        m = re.search(pattern, text)
        if m:
            ids[word] = m.group(1)
        else:
            problems.append("a %s RequestId: line" % word)
    if len(set(ids.values())) > 1:
        problems.append("one RequestId on START, END and REPORT")
    if marker is not None:
        for line in ("wire-handler: invoked " + marker, "wire-handler: on stderr " + marker):
            if line not in text:
                problems.append("the handler's line %r" % line)
    return problems
