"""The HTTP session every request of the plugin goes through: retries (429/5xx, Retry-After),
timeouts, User-Agent, proxies, secrets kept out of log records; and the small readers of what
came back (Content-Range, Content-Length, the reason a connection failed).

A failure to resolve a name, to connect or to read (a timeout) is not retried: it is told at
once, and a read timeout is not waited for again. ``closing_sessions`` closes the sessions made
in a block (a background task) when it ends, so that no socket is left open.

Trusted redirects with token renewal are in ``trusted.py``, status -> message in ``status.py``.
"""

from __future__ import annotations

import configparser
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Union
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..domain.errors import CropMaskCancelled, CropMaskError
from ..domain.redaction import redact_text
from ..domain.resources import PLUGIN_ROOT

if TYPE_CHECKING:
    from types import TracebackType

    from urllib3.connectionpool import ConnectionPool
    from urllib3.response import HTTPResponse

Timeout = Union[float, tuple[float, float], None]

# (connect, read) seconds; read is the longest silence allowed between two packets.
DEFAULT_TIMEOUT = (15, 60)
RETRY_STATUSES = (429, 500, 502, 503, 504)
# POST is retried too: every POST this plugin makes (token, search, process) is read-only.
RETRY_METHODS = frozenset({"HEAD", "GET", "OPTIONS", "POST"})
DEFAULT_RETRIES = 4
DEFAULT_BACKOFF = 1.0

_METADATA = PLUGIN_ROOT / "metadata.txt"
# Loggers that write request URLs (with their query strings) or headers into log records.
_URL_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry", "pystac_client.stac_api_io")


def plugin_version() -> str:
    """Version from the plugin's metadata.txt, or 'dev' when it has none."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(_METADATA, encoding="utf-8")
        return parser.get("general", "version", fallback="dev").strip() or "dev"
    except (OSError, configparser.Error):
        return "dev"


def user_agent() -> str:
    return f"crop-confidence/{plugin_version()}"


class RequestCancelled(CropMaskCancelled):
    """Cancelled while waiting to retry a request (Retry-After or backoff)."""


class RetryAfterTooLong(CropMaskError):
    """The server asks to wait longer than CappedRetry.MAX_RETRY_AFTER before trying again."""


class CappedRetry(Retry):
    """urllib3 Retry whose waits are bounded and cancellable.

    Retry-After is honoured up to MAX_RETRY_AFTER seconds; a server asking for longer gets no
    retry but a RetryAfterTooLong naming the wait. Waits (Retry-After and backoff) run in steps
    of WAIT_STEP seconds, and ``is_cancelled()``, when given, is checked before each step and
    before each retry: a cancel raises RequestCancelled (a CropMaskCancelled), which requests
    and urllib3 let through to the caller.
    """

    MAX_RETRY_AFTER = 60.0
    WAIT_STEP = 0.1

    def __init__(self, *args: Any, is_cancelled: Callable[[], bool] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.is_cancelled = is_cancelled
        self.host: str | None = None  # of the last request that failed, for the messages

    def new(self, **kw: Any) -> CappedRetry:
        kw.setdefault("is_cancelled", self.is_cancelled)
        return super().new(**kw)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: HTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> CappedRetry:
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        retry.host = getattr(_pool, "host", None)
        asked = self._asked_wait(response)
        if asked is not None and asked > self.MAX_RETRY_AFTER:
            assert response is not None  # a wait is asked only in an answer
            raise RetryAfterTooLong(
                f"{retry.host or 'The server'} answered HTTP {response.status} and asks to wait "
                f"{asked:.0f} s before trying again, more than the {self.MAX_RETRY_AFTER:.0f} s "
                "the plugin waits: the service is busy, try again later."
            )
        return retry

    def _asked_wait(self, response):
        if response is None or not self.respect_retry_after_header:
            return None
        try:
            return super().get_retry_after(response)
        except urllib3.exceptions.InvalidHeader:
            return None

    def get_retry_after(self, response: HTTPResponse) -> float | None:
        seconds = self._asked_wait(response)
        return None if seconds is None else min(seconds, self.MAX_RETRY_AFTER)

    def sleep_for_retry(self, response: HTTPResponse | None = None) -> bool:
        seconds = self.get_retry_after(response)
        if not seconds:
            return False
        self._wait(seconds)
        return True

    def sleep(self, response: HTTPResponse | None = None) -> None:
        if response is None or not self.sleep_for_retry(response):
            self._wait(self.get_backoff_time())

    def _wait(self, seconds):
        deadline = time.monotonic() + max(seconds, 0)
        while True:
            if self.is_cancelled is not None and self.is_cancelled():
                raise RequestCancelled(
                    f"Cancelled while waiting to retry a request to {self.host or 'the server'}."
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            time.sleep(min(self.WAIT_STEP, remaining))


class _TimeoutAdapter(HTTPAdapter):
    """Applies a default timeout to every request that does not give its own."""

    def __init__(self, timeout, **kwargs):
        self._default_timeout = timeout
        super().__init__(**kwargs)

    def send(self, request, timeout=None, **kwargs):
        return super().send(request, timeout=timeout or self._default_timeout, **kwargs)


def session_timeout(session: requests.Session | None) -> tuple[float, float]:
    """The (connect, read) seconds ``session`` (made by make_session) gives its requests, so
    that GDAL's reads of the same fetch wait as long; DEFAULT_TIMEOUT for another session."""
    adapter = (session.adapters or {}).get("https://") if session is not None else None
    timeout = getattr(adapter, "_default_timeout", None) or DEFAULT_TIMEOUT
    if isinstance(timeout, (int, float)):
        return float(timeout), float(timeout)
    connect, read = timeout
    return float(connect), float(read)


def make_retry(
    retries: int = DEFAULT_RETRIES,
    backoff_factor: float = DEFAULT_BACKOFF,
    is_cancelled: Callable[[], bool] | None = None,
) -> CappedRetry:
    """``retries`` more tries on a 429 or 5xx answer only. A name that does not resolve, a
    refused connection, a connect or read timeout, a dropped connection or a TLS error fails
    at once: trying again would only make the user wait for the same failure."""
    return CappedRetry(
        is_cancelled=is_cancelled,
        total=retries,
        connect=0,
        read=0,
        other=0,
        status=retries,
        backoff_factor=backoff_factor,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=RETRY_METHODS,
        respect_retry_after_header=True,
        # Hand the last 429/5xx back to the caller, which words the error.
        raise_on_status=False,
    )


class RedactQueryFilter(logging.Filter):
    """Removes secrets (signed-URL queries, user info, authorization) from urllib3 log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def install_log_redaction() -> None:
    for name in _URL_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactQueryFilter) for existing in logger.filters):
            logger.addFilter(RedactQueryFilter())


def make_session(
    proxies: Mapping[str, str] | None = None,
    retries: int = DEFAULT_RETRIES,
    backoff_factor: float = DEFAULT_BACKOFF,
    timeout: Timeout = DEFAULT_TIMEOUT,
    is_cancelled: Callable[[], bool] | None = None,
) -> requests.Session:
    """A requests.Session with retries (429/5xx, Retry-After), timeouts and our User-Agent.

    proxies: {"http": url, "https": url} (e.g. from the QGIS proxy settings). When given,
    the environment (proxy variables, REQUESTS_CA_BUNDLE, .netrc) is ignored so that the
    QGIS settings win. is_cancelled(): checked while waiting to retry (see CappedRetry).
    """
    install_log_redaction()
    session = requests.Session()
    _register(session)
    retry = make_retry(retries, backoff_factor, is_cancelled)
    adapter = _TimeoutAdapter(timeout, max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent()
    if proxies:
        # requests lets environment proxies override session.proxies; the caller's must win.
        session.trust_env = False
        session.proxies.update(proxies)
    return session


_scopes = threading.local()  # .open: the sessions list of each closing_sessions() block


def _register(session: requests.Session) -> None:
    stack = getattr(_scopes, "open", None)
    if stack:
        stack[-1].append(session)  # the innermost block closes it


@contextlib.contextmanager
def closing_sessions() -> Iterator[None]:
    """Every session make_session() makes in this thread within the block is closed when the
    block ends (its pooled connections, so no socket is left to the garbage collector).

    For work that calls code making its own sessions (a STAC client, a clip), such as a
    background task. A closed session can still be used: it opens new connections."""
    made: list[requests.Session] = []
    stack = getattr(_scopes, "open", None)
    if stack is None:
        stack = _scopes.open = []
    stack.append(made)
    try:
        yield
    finally:
        stack.pop()  # blocks of one thread end in the reverse order they began
        for session in made:
            session.close()


@contextlib.contextmanager
def cancellable(
    session: requests.Session, is_cancelled: Callable[[], bool] | None
) -> Iterator[requests.Session]:
    """Within the block, the retry waits of ``session`` (made by make_session) stop when
    ``is_cancelled()`` says so; the session's own setting is restored afterwards."""
    adapters: list[Any] = [  # those whose max_retries is a CappedRetry
        adapter
        for adapter in dict.fromkeys((session.adapters or {}).values())
        if isinstance(getattr(adapter, "max_retries", None), CappedRetry)
    ]
    saved = [adapter.max_retries for adapter in adapters]
    if is_cancelled is not None:
        for adapter, retry in zip(adapters, saved):
            adapter.max_retries = retry.new(is_cancelled=is_cancelled)
    try:
        yield session
    finally:
        for adapter, retry in zip(adapters, saved):
            adapter.max_retries = retry


def redact_url(url: str) -> str:
    """The URL without user info, query or fragment: safe for messages and logs."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        return "<unparsable URL>"
    query = "?…" if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")) + query


def _exception_chain(exc):
    """exc and every exception it wraps (args, urllib3 .reason, cause, context)."""
    pending, seen = [exc], set()
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [*current.args, getattr(current, "reason", None)]
        linked += [current.__cause__, current.__context__]
        pending += [item for item in linked if isinstance(item, BaseException)]


def is_timeout(exc: BaseException) -> bool:
    """True when a requests/urllib3 error comes from a timeout, even wrapped in retries."""
    timeouts = (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)
    return any(
        isinstance(current, timeouts)
        and not isinstance(current, urllib3.exceptions.NewConnectionError)
        for current in _exception_chain(exc)
    )


def network_reason(exc: BaseException) -> str:
    """The operating system's words for a failed connection ('Connection refused', 'Name or
    service not known' ...) found in the exception chain, else the exception's class name."""
    for current in _exception_chain(exc):
        if isinstance(current, OSError) and current.strerror:
            return current.strerror
    return type(exc).__name__


def url_host(url: str) -> str:
    try:
        return urlsplit(url).hostname or "<no host>"
    except ValueError:
        return "<unparsable URL>"


def parse_content_range(value: str | None) -> tuple[int | None, int | None]:
    """A Content-Range header -> (first byte, total size): 'bytes 10-99/100' -> (10, 100),
    'bytes */100' -> (None, 100), 'bytes 0-9/*' -> (0, None); (None, None) if not bytes."""
    unit, _, spec = (value or "").partition(" ")
    if unit.strip().lower() != "bytes" or "/" not in spec:
        return None, None
    span, _, total_text = spec.partition("/")
    total = int(total_text) if total_text.strip().isdigit() else None
    start_text = span.partition("-")[0].strip()
    start = int(start_text) if start_text.isdigit() else None
    return start, total


def content_length(response: requests.Response) -> int | None:
    value = response.headers.get("Content-Length", "")
    return int(value) if value.strip().isdigit() else None
