"""A Keycloak-like OpenID Connect token endpoint on 127.0.0.1, for tests.

Answers like Keycloak: 200 with access/refresh tokens; 401 {"error": "invalid_grant",
"error_description": "Invalid user credentials"} for a wrong password; 400 "Token is not active"
for an unknown or expired refresh token; 401 "unauthorized_client" for bad client credentials.
An account with two-factor authentication and no `totp` field gets 401 invalid_grant with the
description `missing_totp`: "Missing parameter: totp" by default, or "Invalid user credentials",
which is what Keycloak's OTP form step may answer (the same as a wrong password).

`expire_access_tokens()` kills the issued access tokens before the `expires_in` they announce
(a revoked session, clock skew), so that a download meets a 401 mid-way.
"""

import json
import logging
import secrets
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs

from .loopback import LoopbackServer

TOKEN_PATH = "/auth/realms/CDSE/protocol/openid-connect/token"


class IdentityServer(LoopbackServer):
    def __init__(
        self, expires_in=600, refresh_expires_in=3600, missing_totp="Missing parameter: totp"
    ):
        self.missing_totp = missing_totp
        self.expires_in = expires_in
        self.refresh_expires_in = refresh_expires_in
        self.users = {}  # user name -> (password, totp code or None)
        self.clients = {"cdse-public": None}  # client id -> secret (None: public client)
        self.grants = Counter()  # successful grants by grant_type
        self.requests = []  # every form received (test inspection only)
        self.forced = []  # (status, headers, JSON object) answered before anything else
        self.delay = 0.0  # seconds to wait before answering
        self.issued = []  # every token handed out: access and refresh
        self._access = {}  # access token -> monotonic expiry
        self._refresh = {}  # refresh token -> (user name, monotonic expiry)
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    # -- set-up ----------------------------------------------------------------------------

    def add_user(self, username, password, totp=None):
        self.users[username] = (password, totp)

    def add_client(self, client_id, secret):
        self.clients[client_id] = secret

    @property
    def token_url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{TOKEN_PATH}"

    def _handler(self):
        return _handler_for(self)

    # -- token state -----------------------------------------------------------------------

    def is_valid(self, access_token):
        with self._lock:
            expiry = self._access.get(access_token)
        return expiry is not None and time.monotonic() < expiry

    def expire_access_tokens(self):
        with self._lock:
            self._access.clear()

    def expire_refresh_tokens(self):
        with self._lock:
            self._refresh.clear()

    def secrets_seen(self):
        """Every password, code and token that crossed this server (for leak checks)."""
        values = set(self.issued)
        for password, totp in self.users.values():
            values.update(v for v in (password, totp) if v)
        values.update(v for v in self.clients.values() if v)
        return values

    # -- grants ----------------------------------------------------------------------------

    def handle(self, form):
        """form (dict of str) -> (status, JSON object)."""
        with self._lock:
            self.requests.append(dict(form))
            if self.forced:
                status, headers, payload = self.forced.pop(0)
                return status, (headers, payload)
        grant_type = form.get("grant_type")
        client_id = form.get("client_id")
        if client_id not in self.clients:
            return 401, _error(
                "unauthorized_client", "Invalid client or Invalid client credentials"
            )
        if grant_type == "password":
            return self._password(form)
        if grant_type == "refresh_token":
            return self._refresh_grant(form)
        if grant_type == "client_credentials":
            if (
                self.clients[client_id] is None
                or form.get("client_secret") != self.clients[client_id]
            ):
                return 401, _error(
                    "unauthorized_client", "Invalid client or Invalid client credentials"
                )
            return 200, self._issue("client_credentials", None)
        return 400, _error("unsupported_grant_type", "Unsupported grant_type")

    def _password(self, form):
        username = form.get("username")
        if not username:
            return 401, _error("invalid_request", "Missing parameter: username")
        password, totp = self.users.get(username, (None, None))
        if password is None or form.get("password") != password:
            return 401, _error("invalid_grant", "Invalid user credentials")
        if totp is not None:
            if "totp" not in form:
                return 401, _error("invalid_grant", self.missing_totp)
            if form["totp"] != totp:
                return 401, _error("invalid_grant", "Invalid user credentials")
        return 200, self._issue("password", username)

    def _refresh_grant(self, form):
        with self._lock:
            username, expiry = self._refresh.pop(form.get("refresh_token"), (None, 0.0))
        if username is None or time.monotonic() >= expiry:
            return 400, _error("invalid_grant", "Token is not active")
        return 200, self._issue("refresh_token", username)

    def _issue(self, grant_type, username):
        now = time.monotonic()
        access = secrets.token_urlsafe(24)
        answer = {
            "access_token": access,
            "expires_in": self.expires_in,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "scope": "email profile",
        }
        with self._lock:
            self.grants[grant_type] += 1
            self._access[access] = now + self.expires_in
            self.issued.append(access)
            if username is not None:
                refresh = secrets.token_urlsafe(32)
                self._refresh[refresh] = (username, now + self.refresh_expires_in)
                self.issued.append(refresh)
                answer["refresh_token"] = refresh
                answer["refresh_expires_in"] = self.refresh_expires_in
                answer["session_state"] = secrets.token_hex(8)
        return answer


def _error(error, description):
    return {"error": error, "error_description": description}


def _handler_for(identity):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8")
            if self.path != TOKEN_PATH:
                self._send(404, {"error": "RESTEASY003210: Could not find resource"})
                return
            form = {key: values[0] for key, values in parse_qs(body).items()}
            if identity.delay:
                time.sleep(identity.delay)
            status, payload = identity.handle(form)
            self._send(status, payload)

        def _send(self, status, payload):
            headers = {}
            if isinstance(payload, tuple):  # forced answer with headers
                headers, payload = payload
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Handler


class LeakGuard:
    """Collects log text and exception messages during a test and checks that no secret
    (password, one-time code, client secret, token) appears in them."""

    def __init__(self, caplog):
        self.caplog = caplog
        self.secrets = set()
        self.servers = []
        self.texts = []

    def watch(self, *items):
        """Register identity servers (their secrets) or extra secret strings."""
        for item in items:
            if isinstance(item, IdentityServer):
                self.servers.append(item)
            else:
                self.secrets.add(item)

    def record(self, *objects):
        """Record the str/repr of objects (exceptions with their displayed chain, providers)."""
        for obj in objects:
            seen = set()
            while obj is not None and id(obj) not in seen:
                seen.add(id(obj))
                self.texts += [str(obj), repr(obj)]
                if not isinstance(obj, BaseException):
                    break
                self.texts += [str(arg) for arg in obj.args]
                # The chain a traceback or logging.exception() would show.
                obj = obj.__cause__ or (None if obj.__suppress_context__ else obj.__context__)

    def check(self):
        secrets_ = set(self.secrets)
        for server in self.servers:
            secrets_ |= server.secrets_seen()
        # caplog.records only holds the current phase; a check at teardown needs them all.
        records = [
            record
            for phase in ("setup", "call", "teardown")
            for record in self.caplog.get_records(phase)
        ]
        formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
        texts = self.texts + [formatter.format(record) for record in records]
        leaks = sorted(s for s in secrets_ if any(s in text for text in texts))
        assert not leaks, f"secrets leaked into logs or messages: {len(leaks)}"
        return len(secrets_)
