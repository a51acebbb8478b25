#!/usr/bin/env python3
"""A loopback HTTP server that misbehaves on request, for pipe's CurlClient tests.

It listens on 127.0.0.1 and 127.0.0.2 at the same port (two loopback hosts, so a redirect can
change host without leaving the machine), prints that port on stdout, and serves until stdin is
closed or it receives SIGTERM. It never binds anything but those two loopback addresses.

Routes (query strings are ignored unless stated):
  /ok                     200 "hello"
  /status/<code>          that status, body "status <code>"
  /flaky/<key>/<n>        500 for the first n requests with this key, then 200 "recovered"
  /rate/<key>             429 with Retry-After: 1 for the first request with this key, then 200
  /echo                   200, JSON of what arrived: method, path, headers, body length and sha256
  /redirect?to=URL&status=N   status N (default 302) with Location: URL (URL percent-decoded)
  /loop                   302 to itself, forever
  /challenge              401 with two WWW-Authenticate fields and two Link fields
  /drop                   closes the connection without answering
  /garbled                answers bytes that are not HTTP, then closes
  /slow/<ms>              waits that long, then 200
"""

import base64
import hashlib
import json
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from loopback_service import serve_until_stdin_closes

COUNTS = {}
COUNTS_LOCK = threading.Lock()


def next_count(key):
    with COUNTS_LOCK:
        COUNTS[key] = COUNTS.get(key, 0) + 1
        return COUNTS[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "fault-server"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        length = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(length) if length > 0 else b""

    def handle_any(self):
        body = self.read_body()
        path, _, query = self.path.partition("?")
        params = urllib.parse.parse_qs(query)
        parts = path.strip("/").split("/")
        route = parts[0]
        if route == "ok":
            self.answer(200, b"hello", [("Content-Type", "text/plain")])
        elif route == "status":
            code = int(parts[1])
            self.answer(code, f"status {code}".encode())
        elif route == "flaky":
            failures = int(parts[2])
            if next_count("flaky/" + parts[1]) <= failures:
                self.answer(500, b"try again")
            else:
                self.answer(200, b"recovered")
        elif route == "rate":
            if next_count("rate/" + parts[1]) == 1:
                self.answer(429, b"slow down", [("Retry-After", "1")])
            else:
                self.answer(200, b"welcome back")
        elif route == "echo":
            report = {
                "method": self.command,
                "path": self.path,
                "headers": [[name, value] for name, value in self.headers.items()],
                "body_length": len(body),
                "body_sha256": hashlib.sha256(body).hexdigest(),
            }
            self.answer(200, json.dumps(report).encode(), [("Content-Type", "application/json")])
        elif route == "redirect":
            status = int(params.get("status", ["302"])[0])
            self.answer(status, b"", [("Location", params["to"][0])])
        elif route == "loop":
            self.answer(302, b"", [("Location", "/loop")])
        elif route == "challenge":
            self.answer(401, b"", [
                ("WWW-Authenticate", 'Basic realm="fault-server"'),
                ("WWW-Authenticate", 'Bearer realm="http://127.0.0.1/token",service="fault"'),
                ("Link", '</v2/x/tags/list?n=2&last=b>; rel="next"'),
                ("link", '</docs>; rel="help"'),
            ])
        elif route == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif route == "garbled":
            self.close_connection = True
            self.wfile.write(b"this is not HTTP\r\n\r\n")
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        elif route == "oidc":
            # GitHub Actions' ID token endpoint: /oidc/<base64url claims>/<request token>; the JWT
            # carries those claims and an unverifiable signature, as a fake OIDC provider would.
            claims, expected = parts[1], parts[2]
            if self.headers.get("Authorization", "").lower() != "bearer " + expected.lower():
                self.answer(401, b"bad request token")
            elif params.get("audience") != ["sigstore"]:
                self.answer(400, b"audience must be sigstore")
            else:
                header = base64.urlsafe_b64encode(b'{"alg":"RS256","typ":"JWT"}').rstrip(b"=").decode()
                token = f"{header}.{claims}.ZmFrZQ"
                self.answer(200, json.dumps({"value": token}).encode(), [("Content-Type", "application/json")])
        elif route == "slow":
            time.sleep(int(parts[1]) / 1000.0)
            self.answer(200, b"finally")
        else:
            self.answer(404, b"no such route")

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


def bind_pair():
    """Servers on 127.0.0.1 and 127.0.0.2 sharing one free port."""
    for _ in range(50):
        first = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        port = first.server_address[1]
        try:
            second = ThreadingHTTPServer(("127.0.0.2", port), Handler)
        except OSError:
            first.server_close()
            continue
        return port, [first, second]
    sys.exit("fault_server: found no port free on both 127.0.0.1 and 127.0.0.2")


def main():
    port, servers = bind_pair()
    serve_until_stdin_closes(servers)


if __name__ == "__main__":
    main()
