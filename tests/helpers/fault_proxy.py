#!/usr/bin/env python3
"""A loopback reverse proxy that injects faults in front of a registry, for pipe's registry tests.

usage: fault_proxy.py --upstream 127.0.0.1:PORT --rules JSON --log FILE

It listens on 127.0.0.1 (a free port, printed on stdout), forwards every request unchanged to the
plain-http upstream (Host header as the client sent it, so the registry's Location headers point
back at the proxy; bodies streamed both ways, Content-Length or chunked), and serves until stdin
is closed or it receives SIGTERM. It never binds or contacts anything but loopback.

--rules is a JSON list (or a path to a file holding one) of objects
  {"method": "GET" or "*", "path_regex": re.search on the path without query,
   "fault": "status" | "retry_after" | "drop" | "slow",
   "status": 500, "retry_after": 1, "delay_ms": 0, "times": 1 (-1: every match)}
The first rule that matches and has times left applies: "status" answers that status without
forwarding, "retry_after" answers 429 with Retry-After, "drop" closes the connection without an
answer, "slow" waits delay_ms and then forwards.

Each request appends one line to --log before its answer goes out, so a client that got an answer
always finds its line: "METHOD /path -> 200" when forwarded ("-> slow 200" when delayed), and
"-> fault 500", "-> fault 429" or "-> fault drop" when a rule answered instead, and
"-> upstream error <exception>" (answered 502) when the upstream could not be reached.
"""

import argparse
import http.client
import json
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from loopback_service import serve_until_stdin_closes

CHUNK = 64 * 1024
# Headers the proxy sets itself (framing) or that belong to one connection, never copied across.
MANAGED_HEADERS = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
              "te", "trailer", "transfer-encoding", "upgrade", "expect", "content-length"}


class Rules:
    """The fault rules and how many times each may still fire."""

    def __init__(self, rules):
        self.rules = [dict(rule) for rule in rules]
        for rule in self.rules:
            rule.setdefault("method", "*")
            rule.setdefault("path_regex", "")
            rule.setdefault("status", 500)
            rule.setdefault("retry_after", 1)
            rule.setdefault("delay_ms", 0)
            rule.setdefault("times", 1)
            if rule.get("fault") not in ("status", "retry_after", "drop", "slow"):
                sys.exit(f"fault_proxy: unknown fault in rule {json.dumps(rule)}")
            rule["pattern"] = re.compile(rule["path_regex"])
        self.lock = threading.Lock()

    def take(self, method, path):
        """The first matching rule with times left (its count is used up by one), or None."""
        with self.lock:
            for rule in self.rules:
                if rule["method"] not in ("*", method) or not rule["pattern"].search(path):
                    continue
                if rule["times"] == 0:
                    continue
                if rule["times"] > 0:
                    rule["times"] -= 1
                return rule
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def record(self, outcome):
        server = self.server
        with server.log_lock, open(server.log_path, "a", encoding="utf-8") as log_file:
            log_file.write(f"{self.command} {self.path.partition('?')[0]} -> {outcome}\n")

    def body_chunks(self):
        """The request body as it arrives, de-chunked; nothing when there is none."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return
                data = self.rfile.read(size)
                self.rfile.readline()
                yield data
        remaining = int(self.headers.get("Content-Length", "0"))
        while remaining > 0:
            data = self.rfile.read(min(CHUNK, remaining))
            if not data:
                return
            remaining -= len(data)
            yield data

    def answer_fault(self, status, extra_headers=(), drain=True):
        if drain:
            for _ in self.body_chunks():
                pass
        body = json.dumps({"errors": [{"code": "UNKNOWN", "message": f"fault_proxy: injected {status}"}]})
        self.send_response_only(status)
        self.send_header("Content-Type", "application/json")
        for name, value in extra_headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":  # a HEAD answer has no body, or the connection's next answer is garbled
            self.wfile.write(body.encode())

    def handle_any(self):
        path = self.path.partition("?")[0]
        rule = self.server.rules.take(self.command, path)
        prefix = ""
        if rule is not None and rule["fault"] == "status":
            self.record(f"fault {rule['status']}")
            self.answer_fault(rule["status"])
            return
        if rule is not None and rule["fault"] == "retry_after":
            self.record("fault 429")
            self.answer_fault(429, [("Retry-After", str(rule["retry_after"]))])
            return
        if rule is not None and rule["fault"] == "drop":
            self.record("fault drop")
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if rule is not None and rule["fault"] == "slow":
            time.sleep(rule["delay_ms"] / 1000.0)
            prefix = "slow "
        self.forward(prefix)

    def forward(self, prefix):
        """Sends the request to the upstream on a fresh connection and relays the answer."""
        has_body = "Content-Length" in self.headers or "Transfer-Encoding" in self.headers
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        upstream = http.client.HTTPConnection(self.server.upstream, timeout=120)
        try:
            upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                if name.lower() not in MANAGED_HEADERS:
                    upstream.putheader(name, value)
            if chunked:
                upstream.putheader("Transfer-Encoding", "chunked")
            elif has_body:
                upstream.putheader("Content-Length", self.headers["Content-Length"])
            upstream.endheaders()
            for data in self.body_chunks():
                upstream.send(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            if chunked:
                upstream.send(b"0\r\n\r\n")
            response = upstream.getresponse()
        except (OSError, http.client.HTTPException) as error:
            upstream.close()
            self.record(f"upstream error {error.__class__.__name__}")
            self.close_connection = True
            self.answer_fault(502, drain=False)
            return
        self.record(f"{prefix}{response.status}")
        try:
            self.relay(response)
        finally:
            upstream.close()

    def relay(self, response):
        """Sends the upstream response back, streaming its body."""
        self.send_response_only(response.status, response.reason)
        length = response.getheader("Content-Length")
        chunked = response.getheader("Transfer-Encoding", "").lower() == "chunked"
        for name, value in response.getheaders():
            if name.lower() not in MANAGED_HEADERS:
                self.send_header(name, value)
        if length is not None:
            self.send_header("Content-Length", length)
        elif chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif self.command != "HEAD" and response.status not in (204, 304):
            self.close_connection = True
        self.end_headers()
        while True:
            data = response.read1(CHUNK) if self.command != "HEAD" else b""
            if not data:
                break
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
        if chunked and self.command != "HEAD":
            self.wfile.write(b"0\r\n\r\n")

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


def load_rules(text):
    if not text.lstrip().startswith("["):
        with open(text, encoding="utf-8") as rules_file:
            text = rules_file.read()
    return json.loads(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="host:port of the plain-http registry")
    parser.add_argument("--rules", default="[]", help="JSON list of rules, or a file holding it")
    parser.add_argument("--log", required=True, help="file that gets one line per request")
    options = parser.parse_args()
    if not options.upstream.startswith("127."):
        sys.exit("fault_proxy: the upstream must be a loopback address (127.0.0.0/8)")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.upstream = options.upstream
    server.rules = Rules(load_rules(options.rules))
    server.log_path = options.log
    server.log_lock = threading.Lock()
    serve_until_stdin_closes([server])


if __name__ == "__main__":
    main()
