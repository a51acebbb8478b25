#!/usr/bin/env python3
"""A loopback token server for a docker-registry started with `auth: token`, for pipe's registry tests.

It implements the Docker registry token protocol (distribution's docs/spec/auth/token.md and
oauth.md): GET /token?service=S&scope=T:NAME:ACTIONS&account=A with optional Basic credentials,
and POST /token with an OAuth2 form (grant_type=password or refresh_token). It answers
{"token", "access_token", "expires_in", "issued_at"} (plus "refresh_token" for POST), where the
token is an RS256 JWT whose JOSE header carries `x5c` = [signing certificate]; the registry checks
that certificate against its auth.token.rootcertbundle (the CA that signed it) and then the
signature. Claims: iss, sub, aud (the requested service), exp, nbf, iat, jti, access.

Access policy: the configured user gets every requested action among pull, push, delete and *
(and registry:catalog:*); anonymous clients get pull only, like a public registry; wrong
credentials get 401 and no token. Each request appends one JSON line to --log:
{"method", "scope": [...], "service", "user": name or null, "granted": bool, "access": [...]}.

The password is read from --password-file and never printed. The server binds 127.0.0.1 only,
prints its port on stdout, and serves until stdin is closed or it receives SIGTERM.
"""

import argparse
import base64
import datetime
import hmac
import json
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from loopback_service import serve_until_stdin_closes

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
except ImportError:
    sys.exit("token_server: needs the python3 cryptography module (apt-get install python3-cryptography)")

TOKEN_LIFETIME = 300
USER_ACTIONS = {"pull", "push", "delete", "*"}
ANONYMOUS_ACTIONS = {"pull"}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Authority:
    """Checks credentials, decides access, signs tokens and logs every decision."""

    def __init__(self, options):
        with open(options.key, "rb") as key_file:
            self.key = serialization.load_pem_private_key(key_file.read(), password=None)
        with open(options.cert, "rb") as cert_file:
            cert = x509.load_pem_x509_certificate(cert_file.read())
        self.x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]
        with open(options.password_file, encoding="utf-8") as password_file:
            self.password = password_file.read().rstrip("\n")
        self.user = options.user
        self.issuer = options.issuer
        self.log_path = options.log
        self.refresh_tokens = {}
        self.lock = threading.Lock()

    def check(self, user, password):
        return user == self.user and hmac.compare_digest(password.encode(), self.password.encode())

    def new_refresh_token(self, user):
        token = secrets.token_hex(16)
        with self.lock:
            self.refresh_tokens[token] = user
        return token

    def refresh_user(self, token):
        with self.lock:
            return self.refresh_tokens.get(token)

    def grant(self, user, scopes):
        """The access entries for the requested scopes, limited by the policy."""
        allowed = USER_ACTIONS if user is not None else ANONYMOUS_ACTIONS
        access = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            if not kind or not name:
                continue
            if kind == "registry" and name == "catalog":
                granted = ["*"] if user is not None and "*" in actions.split(",") else []
            else:
                granted = [action for action in actions.split(",") if action in allowed]
            access.append({"type": kind, "name": name, "actions": granted})
        return access

    def sign(self, user, service, access):
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": self.x5c}
        claims = {
            "iss": self.issuer,
            "sub": user or "",
            "aud": service,
            "exp": now + TOKEN_LIFETIME,
            "nbf": now - 10,
            "iat": now,
            "jti": secrets.token_hex(16),
            "access": access,
        }
        signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        issued_at = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
        return {
            "token": signing_input + "." + b64url(signature),
            "expires_in": TOKEN_LIFETIME,
            "issued_at": issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    def log(self, entry):
        with self.lock, open(self.log_path, "a", encoding="utf-8") as log_file:
            log_file.write(json.dumps(entry) + "\n")


def split_scopes(values):
    """Scopes from repeated parameters, each possibly space-separated (the OAuth2 form)."""
    return [scope for value in values for scope in value.split(" ") if scope]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pipe-test-token-server"

    def log_message(self, *args):
        pass

    def answer(self, status, document, headers=()):
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def basic_credentials(self):
        """(user, password) from a Basic Authorization header; None when absent or malformed."""
        scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, password = base64.b64decode(encoded.strip()).decode().partition(":")
        except ValueError:
            return None
        return user, password

    def issue(self, user, granted, service, scopes, extra=None):
        authority = self.server.authority
        access = authority.grant(user, scopes) if granted else []
        authority.log({"method": self.command, "scope": scopes, "service": service, "user": user,
                       "granted": granted, "access": access})
        if not granted:
            self.answer(401, {"errors": [{"code": "UNAUTHORIZED", "message": "invalid credentials"}]},
                        [("WWW-Authenticate", 'Basic realm="pipe-test-token-server"')])
            return
        document = authority.sign(user, service, access)
        document["access_token"] = document["token"]
        document.update(extra or {})
        self.answer(200, document)

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path != "/token":
            self.answer(404, {"error": "not found"})
            return
        params = urllib.parse.parse_qs(query)
        service = params.get("service", [""])[0]
        scopes = split_scopes(params.get("scope", []))
        credentials = self.basic_credentials()
        if credentials is None:
            self.issue(None, True, service, scopes)
            return
        user, password = credentials
        granted = self.server.authority.check(user, password)
        self.issue(user, granted, service, scopes)

    def do_POST(self):
        path = self.path.partition("?")[0]
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode()) if length > 0 else {}
        if path != "/token":
            self.answer(404, {"error": "not found"})
            return
        authority = self.server.authority
        service = form.get("service", [""])[0]
        scopes = split_scopes(form.get("scope", []))
        grant_type = form.get("grant_type", [""])[0]
        if grant_type == "password":
            user = form.get("username", [""])[0]
            granted = authority.check(user, form.get("password", [""])[0])
        elif grant_type == "refresh_token":
            user = authority.refresh_user(form.get("refresh_token", [""])[0])
            granted = user is not None
        else:
            self.answer(400, {"error": "unsupported_grant_type"})
            return
        extra = {"refresh_token": authority.new_refresh_token(user)} if granted else None
        self.issue(user, granted, service, scopes, extra)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--key", required=True, help="PEM RSA private key that signs tokens")
    parser.add_argument("--cert", required=True, help="PEM certificate of that key, sent as x5c")
    parser.add_argument("--issuer", required=True, help="the iss claim the registry trusts")
    parser.add_argument("--user", required=True, help="the one user who may push")
    parser.add_argument("--password-file", required=True, help="file holding that user's password")
    parser.add_argument("--log", required=True, help="file that gets one JSON line per token request")
    options = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.authority = Authority(options)
    serve_until_stdin_closes([server])


if __name__ == "__main__":
    main()
