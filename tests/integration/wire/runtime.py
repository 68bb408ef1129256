#!/usr/bin/env python3
"""A tiny Lambda runtime (the Runtime API, stdlib only) for the wire test.

Started by `kdaout host -- python3 runtime.py`.  Its handler:
  - prints one line to stdout and one to stderr naming the event's marker
    (its invocationId, or `marker`), so `LogType: Tail` has real lines to show;
  - appends the marker to the file WIRE_SEEN (one line per invocation), so the
    test can tell which invocations reached the function (Event ran, DryRun
    and oversized bodies did not);
  - answers a KDA output event the way a correct output function does (every
    recordId back with Ok), and echoes any other event back as {"echo": EVENT}
    (an empty Invoke body must arrive as {}).
"""
import http.client
import json
import os
import sys

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
BASE = "/2018-06-01/runtime"
SEEN = os.environ.get("WIRE_SEEN", "")


def request(method, path, body=None):
    """One request on a connection of its own: returns (headers, body)."""
    host, _, port = API.rpartition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=None)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    conn.request(method, BASE + path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    if resp.status >= 300 and path == "/invocation/next":
        sys.exit("runtime: next answered %d" % resp.status)
    return resp.headers, data


def handle(event):
    marker = "-"
    if isinstance(event, dict):
        marker = str(event.get("invocationId", event.get("marker", "-")))
    print("wire-handler: invoked %s" % marker, flush=True)
    print("wire-handler: on stderr %s" % marker, file=sys.stderr, flush=True)
    if SEEN:
        with open(SEEN, "a", encoding="utf-8") as f:
            f.write(marker + "\n")
    if isinstance(event, dict) and isinstance(event.get("records"), list):
        return {"records": [{"recordId": r.get("recordId"), "result": "Ok"}
                            for r in event["records"]]}
    return {"echo": event}


def main():
    while True:
        headers, body = request("GET", "/invocation/next")
        rid = headers["Lambda-Runtime-Aws-Request-Id"]
        try:
            reply = json.dumps(handle(json.loads(body))).encode()
            request("POST", "/invocation/%s/response" % rid, reply)
        except Exception as e:  # the handler's error goes back as the Runtime API says
            err = {"errorType": type(e).__name__, "errorMessage": str(e), "trace": []}
            request("POST", "/invocation/%s/error" % rid, json.dumps(err).encode())


if __name__ == "__main__":
    main()
