"""OAuth2 token providers: CDSE (password grant + refresh) and Sentinel Hub (client credentials).

A provider hands out a valid access token (`token()`, `headers()`), renews it a little before it
expires, and forgets it on `invalidate()` (after a 401). Secrets stay in memory only and never
appear in repr(), log records or exception messages.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

import requests

from ..domain.errors import CropMaskError
from .http import is_timeout, make_session, network_reason, redact_url, url_host

CDSE_TOKEN_URL = (
    "https://identity.dataspace.copernicus.eu/auth/realms/CDSE/protocol/openid-connect/token"
)
CDSE_CLIENT_ID = "cdse-public"
SENTINEL_HUB_TOKEN_URL = (
    "https://services.sentinel-hub.com/auth/realms/main/protocol/openid-connect/token"
)

# Renew a token this long before it expires: a tenth of its lifetime, at most 30 s.
MAX_EXPIRY_MARGIN = 30.0
DEFAULT_EXPIRES_IN = 300.0
_TOTP_HINTS = ("otp", "one-time", "one time", "two-factor", "2fa")

log = logging.getLogger(__name__)


class TotpCallback(Protocol):
    """Asks for the current one-time code; None gives up (see CdseTokenProvider)."""

    def __call__(self, uncertain: bool = False) -> str | None: ...


class AuthError(CropMaskError):
    """Could not obtain an access token; the message says why and what to do."""


class CredentialsRejected(AuthError):
    """The server refused the user name / password / one-time code or client credentials."""


class TotpRequired(AuthError):
    """The account needs a one-time code (two-factor authentication) and none was given."""


def expiry_margin(lifetime: float) -> float:
    return min(MAX_EXPIRY_MARGIN, max(lifetime, 0.0) / 10.0)


def _describe(payload):
    """'invalid_grant: Invalid user credentials' from a Keycloak error answer (shortened)."""
    error = str(payload.get("error") or "").strip()
    description = str(payload.get("error_description") or "").strip()
    text = ": ".join(part for part in (error, description) if part)
    return text[:200] or "no details"


def _mentions_totp(payload):
    text = f"{payload.get('error', '')} {payload.get('error_description', '')}".lower()
    return any(hint in text for hint in _TOTP_HINTS)


def _seconds(value, default):
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return default
    return seconds if seconds >= 0 else default


class _OAuthTokenProvider:
    service = "OAuth"

    def __init__(self, token_url, session=None, clock=time.monotonic):
        self._token_url = token_url
        self._session = session if session is not None else make_session()
        self._clock = clock
        self._lock = threading.RLock()
        self._access_token = None
        self._access_renew_at = 0.0

    def token(self) -> str:
        """A valid access token, fetched or renewed when needed."""
        with self._lock:
            if self._access_token is None or self._clock() >= self._access_renew_at:
                self._access_token = None
                self._obtain()
            return self._access_token

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}

    def invalidate(self, refused_token: str | None = None) -> None:
        """Forget the access token (the server refused it); the next token() fetches a new one.

        With refused_token, a token another thread has renewed meanwhile is kept."""
        with self._lock:
            if refused_token is None or refused_token == self._access_token:
                self._access_token = None

    @property
    def has_token(self) -> bool:
        return self._access_token is not None

    def _obtain(self):
        raise NotImplementedError

    def _post(self, form):
        """POST the form to the token endpoint -> (status, JSON object or {})."""
        host = url_host(self._token_url)
        try:
            response = self._session.post(
                self._token_url, data=form, headers={"Accept": "application/json"}
            )
        except requests.exceptions.RequestException as exc:
            if is_timeout(exc):
                raise AuthError(
                    f"The {self.service} login server {host} did not answer in time; "
                    "check the internet connection and try again."
                ) from exc
            raise AuthError(
                f"Could not reach the {self.service} login server {host} "
                f"({network_reason(exc)}); check the internet connection and the QGIS "
                "proxy settings."
            ) from exc
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if not isinstance(payload, dict):
            payload = {}
        return response.status_code, payload

    def _store(self, payload, requested_at):
        token = payload.get("access_token")
        if not isinstance(token, str) or not token:
            raise AuthError(
                f"The {self.service} login server {url_host(self._token_url)} answered "
                "without an access token; try again later."
            )
        lifetime = _seconds(payload.get("expires_in"), DEFAULT_EXPIRES_IN)
        self._access_token = token
        self._access_renew_at = requested_at + lifetime - expiry_margin(lifetime)
        log.debug("%s access token obtained, valid for %.0f s", self.service, lifetime)

    def _server_error(self, status, payload):
        return AuthError(
            f"The {self.service} login server {url_host(self._token_url)} answered HTTP "
            f"{status} ({_describe(payload)}); try again later."
        )


class CdseTokenProvider(_OAuthTokenProvider):
    """Copernicus Data Space Ecosystem tokens: password grant, refresh grant, optional TOTP.

    totp_callback() returns the current one-time code (str) or None to give up; it is called
    when CDSE asks for a code and, once an account is known to need one, before each login.
    Keycloak may answer a missing code like a wrong password ("invalid_grant"): then the
    callback is called as totp_callback(uncertain=True), and None means "no code: the password
    is wrong". totp_required=True asks for the code on the first login already.
    """

    service = "CDSE"

    def __init__(
        self,
        username: str,
        password: str,
        token_url: str = CDSE_TOKEN_URL,
        client_id: str = CDSE_CLIENT_ID,
        totp_callback: TotpCallback | None = None,
        totp_required: bool = False,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        super().__init__(token_url, session=session, clock=clock)
        self._username = username
        self._password = password
        self._client_id = client_id
        self._totp_callback = totp_callback
        self._totp_needed = bool(totp_required)
        self._refresh_token: str | None = None
        self._refresh_renew_at: float | None = None  # None: the server gave no expiry

    def __repr__(self):
        return (
            f"CdseTokenProvider(username={self._username!r}, "
            f"token_url={redact_url(self._token_url)!r}, has_token={self.has_token})"
        )

    def _obtain(self):
        refresh_usable = self._refresh_token is not None and (
            self._refresh_renew_at is None or self._clock() < self._refresh_renew_at
        )
        if not (refresh_usable and self._refresh_grant()):
            self._password_grant()

    def _store(self, payload, requested_at):
        super()._store(payload, requested_at)
        refresh_token = payload.get("refresh_token")
        self._refresh_token = refresh_token if isinstance(refresh_token, str) else None
        # Keycloak sends refresh_expires_in = 0 for refresh tokens without an expiry.
        refresh_lifetime = _seconds(payload.get("refresh_expires_in"), 0.0)
        self._refresh_renew_at = (
            requested_at + refresh_lifetime - expiry_margin(refresh_lifetime)
            if refresh_lifetime > 0
            else None
        )

    def _refresh_grant(self):
        """True when the refresh worked; False when the server refused the refresh token."""
        requested_at = self._clock()
        status, payload = self._post(
            {
                "client_id": self._client_id,
                "grant_type": "refresh_token",
                "refresh_token": self._refresh_token,
            }
        )
        if status == 200:
            self._store(payload, requested_at)
            return True
        self._refresh_token = None
        if status in (400, 401):
            log.debug("CDSE refused the refresh token (%s); logging in again", _describe(payload))
            return False
        raise self._server_error(status, payload)

    def _ask_totp(self):
        if self._totp_callback is None:
            raise TotpRequired(
                f"CDSE asks for a one-time code (two-factor authentication) for "
                f"{self._username!r}; enter the code from your authenticator app when asked, "
                "or use an account without two-factor authentication."
            )
        code = self._totp_callback()
        code = str(code).strip() if code is not None else ""
        if not code:
            raise TotpRequired(
                f"No one-time code was entered; the CDSE login for {self._username!r} was "
                "cancelled."
            )
        return code

    def _password_grant(self):
        form = {
            "client_id": self._client_id,
            "grant_type": "password",
            "username": self._username,
            "password": self._password,
        }
        if self._totp_needed:
            form["totp"] = self._ask_totp()
        requested_at = self._clock()
        status, payload = self._post(form)
        if status in (400, 401) and "totp" not in form and _mentions_totp(payload):
            log.debug("CDSE asks for a one-time code (%s)", _describe(payload))
            self._totp_needed = True
            form["totp"] = self._ask_totp()
            requested_at = self._clock()
            status, payload = self._post(form)
        elif self._may_need_totp(status, payload, form):
            code = self._totp_callback(uncertain=True)
            code = str(code).strip() if code is not None else ""
            if code:
                form["totp"] = code
                requested_at = self._clock()
                status, payload = self._post(form)
                self._totp_needed = status == 200
        if status == 200:
            self._store(payload, requested_at)
            return
        if status in (400, 401):
            raise self._rejected(payload, totp_sent="totp" in form)
        raise self._server_error(status, payload)

    def _may_need_totp(self, status, payload, form):
        """A refused login that a missing one-time code may explain (Keycloak says only
        "invalid_grant" then); asked only when there is someone to ask."""
        return (
            status in (400, 401)
            and "totp" not in form
            and self._totp_callback is not None
            and payload.get("error") == "invalid_grant"
        )

    def _rejected(self, payload, totp_sent):
        details = _describe(payload)
        if totp_sent:
            return CredentialsRejected(
                f"CDSE rejected the password or the one-time code for {self._username!r} "
                f"({details}). Check the password and enter a fresh code from your "
                "authenticator app."
            )
        return CredentialsRejected(
            f"CDSE rejected the user name or password for {self._username!r} ({details}). "
            "Check them in the plugin settings (they are those of "
            "https://dataspace.copernicus.eu); if the account uses two-factor "
            "authentication, a one-time code is needed too."
        )


class ClientCredentialsTokenProvider(_OAuthTokenProvider):
    """OAuth client-credentials tokens (Sentinel Hub); no refresh token, renewed before expiry."""

    service = "Sentinel Hub"

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        token_url: str = SENTINEL_HUB_TOKEN_URL,
        service: str = "Sentinel Hub",
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        super().__init__(token_url, session=session, clock=clock)
        self._client_id = client_id
        self._client_secret = client_secret
        self.service = service

    def __repr__(self):
        return (
            f"ClientCredentialsTokenProvider(client_id={self._client_id!r}, "
            f"token_url={redact_url(self._token_url)!r}, has_token={self.has_token})"
        )

    def _obtain(self):
        requested_at = self._clock()
        status, payload = self._post(
            {
                "grant_type": "client_credentials",
                "client_id": self._client_id,
                "client_secret": self._client_secret,
            }
        )
        if status == 200:
            self._store(payload, requested_at)
            return
        if status in (400, 401):
            raise CredentialsRejected(
                f"{self.service} rejected the OAuth client id {self._client_id!r} or its "
                f"secret ({_describe(payload)}). Check them in the plugin settings; a "
                "deleted or expired OAuth client must be created again in the dashboard."
            )
        raise self._server_error(status, payload)
