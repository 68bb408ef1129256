#!/usr/bin/env python3
"""A deliberately broken Invoke API for conform.sh, written raw so nothing
between the socket and the reply is polite about it.

    raw-server.py

Binds 127.0.0.1:0 and prints `listening on http://127.0.0.1:PORT`.
GetFunctionConfiguration answers {"Timeout": 3}; every Invoke answers HTTP
200 with a 7,000,000-byte body, over the 6,291,556 bytes a caller reads (the
fake cannot: it turns such a body into Function.ResponseSizeTooLarge, as
Lambda does).  Stops after 120 s whatever happens (a bound for a stray
process)."""
import socket
import sys
import threading

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


def reply(conn, status, body, ctype=b"application/json"):
    conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: " + ctype +
                 b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


def serve(conn):
    try:
        while True:
            line, _ = read_request(conn)
            if line is None:
                return
            if line.startswith("GET ") and "/configuration" in line:
                reply(conn, b"200 OK", b'{"FunctionName":"f","Timeout":3}')
            else:
                reply(conn, b"200 OK", b'{"records":[' + b" " * HUGE + b"]}")
    except OSError:
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
