"""Requests that carry credentials: redirects followed here, so that a token or a private
header only ever goes to the address asked or to a host it trusts, and a refused token renewed
once.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import requests

from ..domain.errors import DownloadError, FetchError
from .body import run_cancellable
from .http import RequestCancelled, Timeout, redact_url, url_host

MAX_REDIRECTS = 5

log = logging.getLogger(__name__)


class TokenProvider(Protocol):
    """What auth.py's providers offer: a valid token, and forgetting a refused one."""

    def token(self) -> str: ...

    def invalidate(self, refused_token: str | None = None) -> None: ...


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def bearer_allowed(original_url: str, target_url: str) -> bool:
    """May the credentials for original_url go to target_url (a redirect target)?

    Same scheme, host and port; or HTTPS on a sibling sub-domain (CDSE redirects
    download.dataspace.copernicus.eu to other *.dataspace.copernicus.eu hosts).
    """
    original, target = urlsplit(original_url), urlsplit(target_url)
    if (original.scheme, original.hostname, original.port) == (
        target.scheme,
        target.hostname,
        target.port,
    ):
        return True
    host, target_host = original.hostname or "", target.hostname or ""
    if target.scheme != "https" or not host or not target_host or _is_ip(host):
        return False
    # The parent domain must keep 3 labels, so that "x.co.uk" never trusts all of "co.uk".
    parent = host.split(".", 1)[1] if host.count(".") >= 3 else ""
    return bool(parent) and (target_host == parent or target_host.endswith("." + parent))


def _after_redirect(status: int, method: str, body: Any) -> tuple[str, Any]:
    """The method and JSON body to send to a redirect target, as requests and browsers do:
    303 (and 301/302 after a POST) become a GET without a body."""
    if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
        return "GET", None
    return method, body


class RedirectRefused(DownloadError, FetchError):
    """A redirect to an address that is not http(s) (file:, ftp:, data:...): never followed.
    Its message says so; the callers let it through (it is not one of requests' errors)."""


def _redirect_target(url: str, response: requests.Response) -> str:
    """The absolute address a redirect ``response`` to ``url`` points to, if http(s)."""
    target = urljoin(url, response.headers.get("Location", ""))
    scheme = urlsplit(target).scheme.lower()
    if scheme not in ("http", "https"):
        raise RedirectRefused(
            f"{redact_url(url)} redirects to {redact_url(target)}, a {scheme or 'schemeless'} "
            "address: only redirects to http(s) addresses are followed. Check the address, "
            "or ask its provider."
        )
    return target


def _waiting_cancelled(url: str) -> RequestCancelled:
    return RequestCancelled(f"Cancelled while waiting for {url_host(url)} to answer.")


def _token(provider: TokenProvider, is_cancelled: Callable[[], bool] | None, target: str) -> str:
    """The provider's access token; a token request (a login server that stalls) ends at a
    cancel too."""
    return run_cancellable(
        provider.token,
        is_cancelled,
        functools.partial(_waiting_cancelled, target),
        discard=lambda _token: None,
    )


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    private_headers: Mapping[str, str] | None = None,
    token_provider: TokenProvider | None = None,
    json: Any = None,
    stream: bool = True,
    timeout: Timeout = None,
    max_redirects: int = MAX_REDIRECTS,
    is_cancelled: Callable[[], bool] | None = None,
) -> requests.Response:
    """Send a request, following redirects here rather than in requests.

    ``headers`` go everywhere. ``private_headers`` and the bearer token of ``token_provider``
    go to ``url`` and to the redirect targets ``bearer_allowed`` trusts, never elsewhere. A 401
    to a request that carried the token makes the provider forget it, and the request is sent
    once more with a new one. The last answer is returned whatever its status (a redirect
    after ``max_redirects`` hops too); its ``history`` holds the redirects followed. requests'
    exceptions go to the caller, which words them. ``is_cancelled()`` turning true while a
    request waits for its answer raises RequestCancelled within a poll (body.run_cancellable).
    """
    target, renewed = url, False
    history: list[requests.Response] = []
    while True:
        request_headers = dict(headers or {})
        token = None
        if bearer_allowed(url, target):
            request_headers.update(private_headers or {})
            if token_provider is not None:
                token = _token(token_provider, is_cancelled, target)
                request_headers["Authorization"] = f"Bearer {token}"
        log.debug("%s %s", method, redact_url(target))
        request = functools.partial(session.request, method, target, headers=request_headers,
                                    json=json, stream=stream, allow_redirects=False,
                                    timeout=timeout)  # fmt: skip
        response = run_cancellable(
            request, is_cancelled, functools.partial(_waiting_cancelled, target)
        )
        if response.is_redirect and len(history) < max_redirects:
            response.close()
            history.append(response)
            target = _redirect_target(target, response)
            method, json = _after_redirect(response.status_code, method, json)
            continue
        if response.status_code == 401 and token is not None and not renewed:
            response.close()
            log.info("%s refused the access token; renewing it once", url_host(target))
            assert token_provider is not None  # the token came from it
            token_provider.invalidate(token)
            renewed = True
            continue
        response.history = history
        return response
