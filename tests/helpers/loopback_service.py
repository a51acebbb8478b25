"""How pipe's test servers run: serve on loopback in background threads, print the port on
stdout for the C++ test helper that started them, and exit as soon as that helper closes stdin
(or dies), so no server outlives its test."""

import os
import sys
import threading


def serve_until_stdin_closes(servers):
    """Serves every server in a daemon thread, prints the first one's port, waits for EOF on stdin."""
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(servers[0].server_address[1], flush=True)
    sys.stdin.read()
    os._exit(0)
