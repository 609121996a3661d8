"""Does a server honour HTTP range requests? The probe of one byte, with the credentials."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import urljoin

import requests

from ...net.http import is_timeout, make_session, network_reason, redact_url, url_host
from ...net.trusted import bearer_allowed
from .errors import ClipAuthError, ClipError

log = logging.getLogger(__name__)

PROBE_TIMEOUT = (15, 60)
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class RangeProbe:
    url: str  # where the data is: the address after redirects to trusted hosts
    status: int
    ranges: bool
    size: Optional[int]
    bytes_received: int
    requests: int


class HeaderAuth:
    """Static headers, or a provider (callable returning headers, or an object with
    ``headers()`` and ``invalidate()`` such as the token providers) renewed once on a 401."""

    def __init__(self, headers: Optional[Mapping[str, str]] = None, provider: Any = None):
        if provider is not None and not (callable(provider) or hasattr(provider, "headers")):
            raise TypeError("headers_provider must be callable or have a headers() method")
        self._static = dict(headers or {})
        self._provider = provider
        self.renewed = False

    def current(self) -> dict[str, str]:
        headers = dict(self._static)
        if self._provider is not None:
            fresh = self._provider() if callable(self._provider) else self._provider.headers()
            headers.update(fresh or {})
        for key, value in headers.items():
            if any(char in f"{key}{value}" for char in "\r\n"):
                raise ClipError(f"The HTTP header {key!r} holds a line break; it cannot be sent.")
        return headers

    @property
    def has_provider(self) -> bool:
        return self._provider is not None

    @property
    def can_renew(self) -> bool:
        return self._provider is not None and not self.renewed

    def renew(self) -> None:
        """Forget the refused token (once per clip); the next current() fetches a new one."""
        self.renewed = True
        invalidate = getattr(self._provider, "invalidate", None)
        if invalidate is not None:
            invalidate()
        log.info("The server refused the access token; renewing it once")


def _content_total(response: requests.Response) -> Optional[int]:
    value = response.headers.get("Content-Range", "")
    unit, _, spec = value.partition(" ")
    total = spec.rpartition("/")[2].strip()
    if unit.strip().lower() != "bytes" or not total.isdigit():
        return None
    return int(total)


def probe_ranges(
    url: str,
    headers: Optional[Mapping[str, str]] = None,
    session: Optional[requests.Session] = None,
    timeout: tuple[float, float] = PROBE_TIMEOUT,
) -> RangeProbe:
    """Ask ``url`` for its first byte (``Range: bytes=0-0``) -> RangeProbe.

    Redirects are followed here; ``headers`` only go to the original host or a trusted sibling
    (``download.bearer_allowed``). A server that answers 200 is not read further.
    """
    session = session if session is not None else make_session()
    current, hops, requests_made = url, 0, 0
    final = url
    while True:
        request_headers = {"Range": "bytes=0-0", "Accept-Encoding": "identity"}
        if bearer_allowed(url, current):
            request_headers.update(headers or {})
            final = current
        requests_made += 1
        try:
            response = session.get(
                current,
                headers=request_headers,
                stream=True,
                allow_redirects=False,
                timeout=timeout,
            )
        except requests.exceptions.RequestException as exc:
            reason = "it did not answer in time" if is_timeout(exc) else network_reason(exc)
            raise ClipError(
                f"Could not reach {url_host(current)} for {redact_url(url)} ({reason}); check "
                "the internet connection and the QGIS proxy settings."
            ) from None
        try:
            if response.is_redirect and hops < MAX_REDIRECTS:
                hops += 1
                current = urljoin(current, response.headers.get("Location", ""))
                continue
            status = response.status_code
            received = 0
            ranges = status == 206 and _content_total(response) is not None
            if ranges:
                received = len(response.raw.read(1024, decode_content=False) or b"")
            return RangeProbe(
                url=final if ranges else url,
                status=status,
                ranges=ranges,
                size=_content_total(response) if ranges else None,
                bytes_received=received,
                requests=requests_made,
            )
        finally:
            response.close()


def status_error(url: str, status: int, renewed: bool, detail: str = "") -> ClipError:
    """The error for an HTTP ``status`` (401/403: ClipAuthError) reading ``url``."""
    shown, host = redact_url(url), url_host(url)
    detail = f" GDAL: {detail}" if detail else ""
    if status == 401:
        advice = (
            "even after renewing the access token; check the account in the plugin settings"
            if renewed
            else "set up the account in the plugin settings"
        )
        return ClipAuthError(
            f"{host} asks for a login to read {shown} (HTTP 401), {advice}.{detail}", 401
        )
    if status == 403:
        return ClipAuthError(
            f"{host} refused access to {shown} (HTTP 403): the account may not be allowed to "
            f"read it, or the link needs other credentials.{detail}",
            403,
        )
    if status == 404:
        return ClipError(
            f"{shown} was not found (HTTP 404); the catalogue entry may be outdated: search "
            f"again.{detail}"
        )
    return ClipError(f"{host} answered HTTP {status} for {shown}; try again later.{detail}")


def probe_with_auth(
    url: str, auth: HeaderAuth, session: Optional[requests.Session]
) -> tuple[RangeProbe, tuple[int, int]]:
    """probe_ranges, renewing the token once on a 401; raises on any other HTTP error.
    -> (the last probe, (bytes received, requests made) by all probes)."""
    probe = probe_ranges(url, auth.current(), session)
    spent = (probe.bytes_received, probe.requests)
    if probe.status == 401 and auth.can_renew:
        auth.renew()
        probe = probe_ranges(url, auth.current(), session)
        spent = (spent[0] + probe.bytes_received, spent[1] + probe.requests)
    if probe.status >= 400 and probe.status != 416:
        raise status_error(url, probe.status, auth.renewed)
    return probe, spent


def supports_ranges(
    url: str,
    headers: Optional[Mapping[str, str]] = None,
    session: Optional[requests.Session] = None,
    headers_provider: Any = None,
    token_provider: Any = None,
) -> bool:
    """True when ``url`` answers a range request with 206 and a Content-Range.

    False when it sends the whole file (200), or is empty (416). Raises ClipAuthError on
    401/403 (after one token renewal when a provider is given) and ClipError on other errors.
    """
    auth = HeaderAuth(headers, headers_provider or token_provider)
    probe, _ = probe_with_auth(url, auth, session)
    return probe.ranges
