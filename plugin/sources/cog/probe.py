"""Does a server honour HTTP range requests? The probe of one byte, with the credentials."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Optional

import requests

from ...net.http import (
    is_timeout,
    make_session,
    network_reason,
    parse_content_range,
    redact_url,
    url_host,
)
from ...net.status import status_error as net_status_error
from ...net.trusted import bearer_allowed, send
from .errors import ClipAuthError, ClipError

log = logging.getLogger(__name__)

PROBE_TIMEOUT = (15, 60)


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


def probe_ranges(
    url: str,
    headers: Optional[Mapping[str, str]] = None,
    session: Optional[requests.Session] = None,
    timeout: tuple[float, float] = PROBE_TIMEOUT,
    is_cancelled: Optional[Callable[[], bool]] = None,
) -> RangeProbe:
    """Ask ``url`` for its first byte (``Range: bytes=0-0``) -> RangeProbe.

    Redirects are followed by ``net.trusted.send``: ``headers`` only go to the original host
    or a trusted sibling. A server that answers 200 is not read further. A cancel while
    waiting for the answer raises a CropMaskCancelled at once.
    """
    if session is None:  # one made here is closed here
        with make_session() as own:
            return probe_ranges(url, headers, own, timeout, is_cancelled)
    try:
        response = send(
            session, "GET", url, timeout=timeout, private_headers=headers,
            headers={"Range": "bytes=0-0", "Accept-Encoding": "identity"},
            is_cancelled=is_cancelled,
        )  # fmt: skip
    except requests.exceptions.RequestException as exc:
        reason = "it did not answer in time" if is_timeout(exc) else network_reason(exc)
        raise ClipError(
            f"Could not reach {url_host(url)} for {redact_url(url)} ({reason}); check "
            "the internet connection and the QGIS proxy settings."
        ) from None
    with response:
        total = parse_content_range(response.headers.get("Content-Range"))[1]
        ranges = response.status_code == 206 and total is not None
        # The data's address: the last hop the credentials went to.
        trusted = [hop.url for hop in (*response.history, response) if bearer_allowed(url, hop.url)]
        received = len(response.raw.read(1024, decode_content=False) or b"") if ranges else 0
        return RangeProbe(
            url=trusted[-1] if ranges and trusted else url,
            status=response.status_code,
            ranges=ranges,
            size=total if ranges else None,
            bytes_received=received,
            requests=len(response.history) + 1,
        )


def status_error(url: str, status: int, renewed: bool, detail: str = "") -> ClipError:
    """The error for an HTTP ``status`` (401/403: ClipAuthError) reading ``url``."""

    def error(message: str) -> ClipError:
        return ClipAuthError(message, status) if status in (401, 403) else ClipError(message)

    suffix = f" GDAL: {detail}" if detail else ""
    return net_status_error(
        status, url, action="read", token_sent=renewed, suffix=suffix, error=error
    )


def probe_with_auth(
    url: str,
    auth: HeaderAuth,
    session: Optional[requests.Session],
    is_cancelled: Optional[Callable[[], bool]] = None,
) -> tuple[RangeProbe, tuple[int, int]]:
    """probe_ranges, renewing the token once on a 401; raises on any other HTTP error.
    -> (the last probe, (bytes received, requests made) by all probes)."""
    probe = probe_ranges(url, auth.current(), session, is_cancelled=is_cancelled)
    spent = (probe.bytes_received, probe.requests)
    if probe.status == 401 and auth.can_renew:
        auth.renew()
        probe = probe_ranges(url, auth.current(), session, is_cancelled=is_cancelled)
        spent = (spent[0] + probe.bytes_received, spent[1] + probe.requests)
    if probe.status >= 400 and probe.status != 416:
        raise status_error(url, probe.status, auth.renewed)
    return probe, spent
