#!/usr/bin/env python3
"""kdaout's SigV4 against botocore's SigV4Auth, an independent implementation.

Usage: check.py SIGV4_SIGN   (the driver, tests/integration/sigv4_sign.c)

Two comparisons per case -- a plain name, a full ARN, a partial ARN,
name:alias, ?Qualifier=, with and without a session token, a 6 MB body,
GetFunctionConfiguration (GET) and Invoke (POST):
  sign  sigv4.c alone, fixed inputs and a fixed time, against botocore with the
        same URL, headers, body and time;
  wire  the request transport_http.c really sends, recorded by a server on
        127.0.0.1:0, re-signed by botocore at the request's own X-Amz-Date
        over the headers the request says it signed; the path must be the
        name encoded once, the signed header set exactly what botocore signs.
Skips (exit 77) when botocore is not installed.  Credentials are AWS's
documented example values; nothing secret is printed.
"""
import datetime
import http.server
import os
import subprocess
import sys
import threading
import urllib.parse

try:
    import botocore.auth
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError:
    print("SKIP: botocore is not installed (apt-get install python3-botocore)")
    sys.exit(77)

KEY, SECRET, REGION = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1"
TOKEN = "FQoGZXIvYXdzEXAMPLE/session+token=="
SIX_MB = 6 * 1024 * 1024
FUNCTIONS = ["my-fn", "arn:aws:lambda:us-east-1:123456789012:function:my-fn",
             "123456789012:function:my-fn", "my-fn:live"]


def freeze(when):
    """botocore reads the clock in add_auth; its own tests patch it the same way."""
    class Frozen(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return when

        @classmethod
        def now(cls, tz=None):
            return when.replace(tzinfo=tz) if tz else when
    botocore.auth.datetime.datetime = Frozen
    if hasattr(botocore.auth, "get_current_datetime"):  # botocore >= 1.33
        botocore.auth.get_current_datetime = lambda *a, **k: when


def botocore_sign(method, url, headers, body, amz_date, token):
    freeze(datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
    req = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
    SigV4Auth(Credentials(KEY, SECRET, token), "lambda", REGION).add_auth(req)
    return req.headers["Authorization"], req.headers["X-Amz-Date"]


def body_of(n):
    return (b"0123456789abcdef" * (n // 16 + 1))[:n]


def wire_path(fn, what, qualifier):
    path = "/2015-03-31/functions/%s/%s" % (urllib.parse.quote(fn, safe=""), what)
    return path + ("?Qualifier=" + qualifier if qualifier else "")


def cases():
    for fn in FUNCTIONS:
        for qualifier in (None, "live"):
            if qualifier and ":" in fn.split("function:")[-1]:
                continue  # a qualifier twice is not a request anyone sends
            for method, n in (("GET", 0), ("POST", 100), ("POST", SIX_MB)):
                if n == SIX_MB and (fn != FUNCTIONS[1] or qualifier):
                    continue  # one 6 MB case is enough: the body only enters the hash
                for token in (None, TOKEN):
                    yield fn, qualifier, method, n, token


def post_headers(method):
    if method != "POST":
        return {}
    return {"Content-Type": "application/json", "X-Amz-Invocation-Type": "RequestResponse"}


def check_sign(driver, fn, qualifier, method, n, token):
    what = "invocations" if method == "POST" else "configuration"
    path, _, query = wire_path(fn, what, qualifier).partition("?")
    host = "lambda.us-east-1.amazonaws.com"
    out = subprocess.run([driver, "sign", method, host, path, query or "-", str(n), token or "-"],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        return "driver failed: " + out.stderr.strip()
    got = dict(line.split(": ", 1) for line in out.stdout.splitlines())
    url = "https://" + host + path + ("?" + query if query else "")
    want_auth, want_date = botocore_sign(method, url, post_headers(method), body_of(n),
                                         "20260101T000000Z", token)
    if (got.get("Authorization"), got.get("X-Amz-Date")) != (want_auth, want_date):
        return "kdaout  %s\n      botocore %s" % (got.get("Authorization"), want_auth)
    return None


class Recorder(http.server.BaseHTTPRequestHandler):
    seen = []

    def handle_one(self, body):
        Recorder.seen.append((self.command, self.path, dict(self.headers.items()), body))
        reply = b'{"Timeout":3}' if self.command == "GET" else b'{"records":[]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def do_GET(self):
        self.handle_one(b"")

    def do_POST(self):
        self.handle_one(self.rfile.read(int(self.headers.get("Content-Length", "0"))))

    def log_message(self, *args):
        pass


def check_wire(driver, endpoint, fn, qualifier, method, n, token):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET)
    env.pop("AWS_SESSION_TOKEN", None)
    if token:
        env["AWS_SESSION_TOKEN"] = token
    Recorder.seen.clear()
    out = subprocess.run([driver, "wire", endpoint, fn, qualifier or "-", method, str(n)],
                         capture_output=True, text=True, timeout=60, env=env)
    if out.returncode != 0 or len(Recorder.seen) != 1:
        return "driver failed (%d requests): %s" % (len(Recorder.seen), out.stderr.strip())
    got_method, path, headers, body = Recorder.seen[0]
    what = "invocations" if method == "POST" else "configuration"
    if got_method != method or path != wire_path(fn, what, qualifier) or len(body) != n:
        return "sent %s %s (%d bytes), not the name encoded once" % (got_method, path, len(body))
    lower = {k.lower(): v for k, v in headers.items()}
    auth = lower.get("authorization", "")
    signed = auth.partition("SignedHeaders=")[2].partition(",")[0].split(";")
    want_signed = sorted(["host", "x-amz-date"] + [h.lower() for h in post_headers(method)] +
                         (["x-amz-security-token"] if token else []))
    if signed != want_signed:
        return "signed %s, botocore signs %s" % (signed, want_signed)
    if token and lower.get("x-amz-security-token") != token:
        return "the session token was not sent as signed"
    given = {k: v for k, v in headers.items()
             if k.lower() in signed and k.lower() not in ("host", "x-amz-date", "x-amz-security-token")}
    want_auth, _ = botocore_sign(method, "http://" + lower["host"] + path, given, body,
                                 lower.get("x-amz-date", "19700101T000000Z"), token)
    if auth != want_auth:
        return "kdaout  %s\n      botocore %s" % (auth, want_auth)
    return None


def main():
    if len(sys.argv) != 2:
        print("usage: check.py SIGV4_SIGN", file=sys.stderr)
        return 2
    driver = sys.argv[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = "http://127.0.0.1:%d" % server.server_address[1]
    failed = total = 0
    try:
        for fn, qualifier, method, n, token in cases():
            for mode, check in (("sign", check_sign), ("wire", check_wire)):
                args = (driver, fn, qualifier, method, n, token)
                why = check(*args) if mode == "sign" else check_wire(driver, endpoint, *args[1:])
                total += 1
                label = "%s %s %s%s %d bytes%s" % (mode, method, fn,
                                                   "?Qualifier=" + qualifier if qualifier else "",
                                                   n, " +token" if token else "")
                if why:
                    failed += 1
                    print("FAIL %s\n      %s" % (label, why))
                else:
                    print("ok   %s" % label)
    finally:
        server.shutdown()
    print("%d of %d signatures differ from botocore %s" % (failed, total, botocore.__version__))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
