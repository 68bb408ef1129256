#!/usr/bin/env python3
"""A deliberately broken Invoke API for conform.sh, written raw so nothing
between the socket and the reply is polite about it.

    raw-server.py [MODE]

Binds 127.0.0.1:0 and prints `listening on http://127.0.0.1:PORT`.
Stops after 120 s whatever happens (a bound for a stray process).  MODE:

  huge (default)  GetFunctionConfiguration answers {"Timeout": 3}; every
                  Invoke answers HTTP 200 with a 7,000,000-byte body, over
                  the 6,291,556 bytes a caller reads (the fake cannot: it
                  turns such a body into Function.ResponseSizeTooLarge, as
                  Lambda does)
  forbidden       every request: 403 UnrecognizedClientException, as Lambda
                  answers an unknown access key
  config-denied   GetFunctionConfiguration: 403 AccessDeniedException (a role
                  without lambda:GetFunctionConfiguration); Invoke: every
                  record Ok
  slow            GetFunctionConfiguration answers {"Timeout": 1}; every
                  Invoke answers every record Ok after 1.5 s, longer than
                  that Timeout (a server that does not enforce it)
  busy            the first request answers 429 TooManyRequestsException, the
                  second 503 ServiceException (whatever they are), then
                  GetFunctionConfiguration {"Timeout": 3} and every record Ok"""
import json
import socket
import sys
import threading
import time

MODE = sys.argv[1] if len(sys.argv) > 1 else "huge"

HUGE = 7_000_000


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(1 << 20)
        if not chunk:
            break
        body += chunk
    return head.split(b"\r\n")[0].decode("latin-1"), body


def reply(conn, status, body, ctype=b"application/json", extra=b""):
    conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: " + ctype + extra +
                 b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


def all_ok(body):
    ids = [r["recordId"] for r in json.loads(body)["records"]]
    return json.dumps({"records": [{"recordId": i, "result": "Ok"} for i in ids]}).encode()


def refuse(conn, error_type, message):
    reply(conn, b"403 Forbidden", json.dumps({"Type": "User", "Message": message}).encode(),
          extra=b"\r\nx-amzn-ErrorType: " + error_type.encode())


requests = [0]
lock = threading.Lock()


def busy(conn):
    with lock:
        requests[0] += 1
        n = requests[0]
    if n == 1:
        reply(conn, b"429 Too Many Requests", b'{"Type":"User","message":"Rate Exceeded.",'
              b'"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded",'
              b'"retryAfterSeconds":"1"}', extra=b"\r\nx-amzn-ErrorType: TooManyRequestsException")
    elif n == 2:
        reply(conn, b"503 Service Unavailable", b'{"Type":"Service","Message":"x"}',
              extra=b"\r\nx-amzn-ErrorType: ServiceException")
    return n <= 2


def answer(conn, line, body):
    config = line.startswith("GET ") and "/configuration" in line
    if MODE == "busy" and busy(conn):
        return
    if MODE == "forbidden":
        refuse(conn, "UnrecognizedClientException",
               "The security token included in the request is invalid.")
    elif MODE == "config-denied" and config:
        refuse(conn, "AccessDeniedException", "User: arn:aws:iam::123456789012:user/ci is "
               "not authorized to perform: lambda:GetFunctionConfiguration")
    elif config:
        timeout = 1 if MODE == "slow" else 3
        reply(conn, b"200 OK", b'{"FunctionName":"f","Timeout":%d}' % timeout)
    elif MODE == "slow":
        time.sleep(1.5)
        reply(conn, b"200 OK", all_ok(body))
    elif MODE in ("config-denied", "busy"):
        reply(conn, b"200 OK", all_ok(body))
    else:
        reply(conn, b"200 OK", b'{"records":[' + b" " * HUGE + b"]}")


def serve(conn):
    try:
        while True:
            line, body = read_request(conn)
            if line is None:
                return
            answer(conn, line, body)
    except (OSError, ValueError, KeyError):
        pass
    finally:
        conn.close()


srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(16)
print("listening on http://127.0.0.1:%d" % srv.getsockname()[1], flush=True)
threading.Timer(120, lambda: __import__("os")._exit(0)).start()
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
