"""Git's smart HTTP protocol for pipe's test servers: a request for <root>/<repo>.git is handed to
`git http-backend` (the CGI program git ships) with token authentication the way GitHub does it:
HTTP Basic with the token as password (any user name, GitHub's is `x-access-token`) or
`Authorization: Bearer <token>`. No or a wrong token gets 401 with `WWW-Authenticate: Basic`, so
git clients (libgit2 too) ask their credential callback; a read-only token may fetch but gets
403 on push. Used by git_server.py and tests/fakes/fake-github. Stdlib only."""

import base64
import os
import re
import subprocess

# The paths of the smart protocol: /<repo path>.git/info/refs?service=... and the two POSTs.
GIT_PATH = re.compile(r"^/(?P<repo>.+\.git)/(?P<rest>info/refs|git-upload-pack|git-receive-pack)$")


def is_git_request(path):
    """True when path (without query) is a smart-HTTP request for a repository."""
    return GIT_PATH.match(path) is not None


def read_body(handler):
    """The request body, de-chunked (libgit2 sends pushes with Transfer-Encoding: chunked)."""
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length > 0 else b""


def presented(headers):
    """(scheme, user, token) from the Authorization header; (None, None, None) without one."""
    auth = headers.get("Authorization")
    if not auth:
        return None, None, None
    scheme, _, value = auth.partition(" ")
    value = value.strip()
    if scheme.lower() == "basic":
        try:
            user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
        except ValueError:
            return "Basic", None, None
        return "Basic", user, password
    if scheme.lower() in ("bearer", "token"):
        return "Bearer", None, value
    return scheme, None, None


def send_plain(handler, status, text, headers=None):
    payload = text.encode()
    handler.send_response(status)
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.send_header("Content-Type", "text/plain; charset=utf-8")
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


def serve(handler, root, tokens, read_only_tokens=(), log=None):
    """Answers one smart-HTTP request on handler (a BaseHTTPRequestHandler) for the bare
    repositories under root. tokens may read and push, read_only_tokens only read; when both are
    empty no authentication is asked. log(record) gets {"method", "path", "scheme", "user",
    "status"}, never the token."""
    path, _, query = handler.path.partition("?")
    body = read_body(handler)
    scheme, user, token = presented(handler.headers)
    push = path.endswith("/git-receive-pack") or "service=git-receive-pack" in query
    status = None
    if tokens or read_only_tokens:
        if token is None or (token not in tokens and token not in read_only_tokens):
            status = 401
            send_plain(handler, 401, "Authentication failed: a valid token is required\n",
                       {"WWW-Authenticate": 'Basic realm="pipe test git server"'})
        elif push and token not in tokens:
            status = 403
            send_plain(handler, 403, "Write access to this repository is not granted to this token\n")
    if status is None:
        status = run_backend(handler, root, path, query, body, user or "token-user")
    if log is not None:
        log({"method": handler.command, "path": path, "scheme": scheme, "user": user, "status": status})


def run_backend(handler, root, path, query, body, remote_user):
    """Runs `git http-backend` for the request and relays its answer; returns the status."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GIT_PROJECT_ROOT": root,
        "GIT_HTTP_EXPORT_ALL": "1",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": root,
        "REQUEST_METHOD": handler.command,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": handler.headers.get("Content-Type", ""),
        "CONTENT_LENGTH": str(len(body)),
        "REMOTE_USER": remote_user,  # http-backend enables receive-pack for authenticated users only
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "GATEWAY_INTERFACE": "CGI/1.1",
    }
    if handler.headers.get("Content-Encoding"):
        env["HTTP_CONTENT_ENCODING"] = handler.headers["Content-Encoding"]
    if handler.headers.get("Git-Protocol"):
        env["GIT_PROTOCOL"] = handler.headers["Git-Protocol"]
    result = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, check=False)
    head, separator, payload = result.stdout.partition(b"\r\n\r\n")
    if not separator:
        head, separator, payload = result.stdout.partition(b"\n\n")
    status, headers = 200, []
    for line in head.decode(errors="replace").splitlines():
        key, _, value = line.partition(":")
        if key.lower() == "status":
            status = int(value.strip().split(" ")[0])
        elif key:
            headers.append((key, value.strip()))
    if result.returncode != 0 and not separator:
        send_plain(handler, 500, "git http-backend failed: " + result.stderr.decode(errors="replace"))
        return 500
    handler.send_response(status)
    for key, value in headers:
        if key.lower() not in ("content-length", "transfer-encoding"):
            handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)
    return status
