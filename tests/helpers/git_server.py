#!/usr/bin/env python3
"""pipe's test git servers on 127.0.0.1, serving the bare repositories under --root:

  git_server.py daemon --root DIR             `git daemon` (git://, push enabled, no auth)
  git_server.py http --root DIR --token T...  smart HTTP through `git http-backend`, token auth
                                              (git_http_backend.py), --log FILE gets one JSON
                                              line per request (never the token)
  git_server.py ssh --root DIR --dir D        OpenSSH's sshd with a fresh host key and client key
                                              in D (D/client_key, D/known_hosts); repositories
                                              are addressed by absolute path, as the current user

Like the other test servers it prints the port on stdout and serves until stdin is closed
(loopback_service.py); daemon and ssh stop their child (git daemon, sshd) then.
"""

import argparse
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from git_http_backend import send_plain, serve
from loopback_service import serve_until_stdin_closes


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_listening(port, child, what):
    deadline = time.time() + 10
    while time.time() < deadline:
        if child.poll() is not None:
            sys.exit(f"git_server: {what} exited with {child.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    child.kill()
    sys.exit(f"git_server: {what} did not listen on 127.0.0.1:{port} within 10 s")


def run_child_until_stdin_closes(argv, port, what):
    # The child gets neither our stdin nor our stdout (a test reading our port must see EOF once
    # we are gone), and is stopped whether we end by EOF on stdin or by SIGTERM.
    child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)

    def stop(*_):
        child.terminate()
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    wait_listening(port, child, what)
    print(port, flush=True)
    sys.stdin.read()
    stop()


def daemon(options):
    port = free_port()
    run_child_until_stdin_closes(
        ["git", "daemon", "--listen=127.0.0.1", f"--port={port}", "--reuseaddr", "--export-all",
         "--enable=receive-pack", "--informative-errors", f"--base-path={options.root}", options.root],
        port, "git daemon")


def http(options):
    log_lock = threading.Lock()

    def log(record):
        if options.log:
            with log_lock, open(options.log, "a", encoding="utf-8") as log_file:
                log_file.write(json.dumps(record) + "\n")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "pipe-test-git-http"

        def log_message(self, fmt, *args):
            pass

        def do_GET(self):
            self.answer()

        def do_POST(self):
            self.answer()

        def answer(self):
            try:
                serve(self, options.root, set(options.token), set(options.read_only_token), log)
            except Exception as error:  # a bug in the test server: say so loudly
                print(f"git_server: {self.command} {self.path}: {error!r}", file=sys.stderr, flush=True)
                send_plain(self, 500, f"git_server internal error: {error!r}\n")

    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
                super().handle_error(request, client_address)  # a client hanging up is not news

    server = Server(("127.0.0.1", 0), Handler)
    serve_until_stdin_closes([server])


def ssh(options):
    sshd = shutil.which("sshd") or "/usr/sbin/sshd"
    if not os.access(sshd, os.X_OK):
        sys.exit("git_server: ssh needs OpenSSH's sshd (apt-get install openssh-server)")
    directory = os.path.abspath(options.dir)
    os.makedirs(directory, exist_ok=True)
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege separation directory
    host_key = os.path.join(directory, "host_key")
    client_key = os.path.join(directory, "client_key")
    for key in (host_key, client_key):
        if not os.path.exists(key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "pipe-test", "-f", key], check=True)
    shutil.copyfile(client_key + ".pub", os.path.join(directory, "authorized_keys"))
    port = free_port()
    with open(host_key + ".pub", encoding="utf-8") as public:
        kind, blob = public.read().split()[:2]
    with open(os.path.join(directory, "known_hosts"), "w", encoding="utf-8") as known:
        known.write(f"[127.0.0.1]:{port} {kind} {blob}\n")
    config = os.path.join(directory, "sshd_config")
    with open(config, "w", encoding="utf-8") as out:
        out.write(f"""ListenAddress 127.0.0.1
Port {port}
HostKey {host_key}
AuthorizedKeysFile {directory}/authorized_keys
PidFile none
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
AllowUsers {pwd.getpwuid(os.getuid()).pw_name}
LogLevel ERROR
""")
    run_child_until_stdin_closes([sshd, "-D", "-e", "-f", config], port, "sshd")


def main():
    parser = argparse.ArgumentParser(prog="git_server.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["daemon", "http", "ssh"])
    parser.add_argument("--root", required=True, help="directory holding the bare repositories")
    parser.add_argument("--token", action="append", default=[], help="http: a token that may push")
    parser.add_argument("--read-only-token", action="append", default=[], help="http: a token that may only fetch")
    parser.add_argument("--log", help="http: a JSON line per request")
    parser.add_argument("--dir", help="ssh: where keys, known_hosts and sshd_config go")
    options = parser.parse_args()
    options.root = os.path.abspath(options.root)
    if options.mode == "daemon":
        daemon(options)
    elif options.mode == "http":
        http(options)
    else:
        if not options.dir:
            parser.error("ssh needs --dir")
        ssh(options)


if __name__ == "__main__":
    main()
